//! Target `config_blob`: the firmware config blob decoder, on every format version it reads.
//!
//! The first input byte chooses what the decoder gets: `0`, the rest as it is (the frame's
//! magic, length and checksum are fuzzed too); `v` from 1 on, the rest as the body of a blob of
//! format version `v` with a valid frame and checksum, so the fuzzer reaches the body decoder of
//! versions 1, 2 and 3 (and is refused for the versions it does not read).
//!
//! Whatever decodes passes [`crate::config_round_trip`] (so decode, encode, decode is stable)
//! and reads the same with `decode_prefix`; with bytes after the blob, `decode_prefix` reads
//! the blob before them; a well-framed blob is never refused for its frame.

use firmware_config::blob::{self, BlobError};

/// Runs the target on `data`.
pub fn run(data: &[u8]) {
    match data.split_first() {
        Some((&0, rest)) => check(rest, false),
        Some((&version, body)) => check(&frame(u16::from(version), body), true),
        None => check(data, false),
    }
}

/// A blob of format `version` around `body`, with its length and checksum right.
#[must_use]
pub fn frame(version: u16, body: &[u8]) -> Vec<u8> {
    let length = u32::try_from(body.len()).expect("a fuzz input is shorter than 4 GiB");
    let mut bytes = [
        &blob::MAGIC[..],
        &version.to_le_bytes(),
        &length.to_le_bytes(),
        body,
    ]
    .concat();
    let checksum = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

fn check(bytes: &[u8], framed: bool) {
    match blob::decode(bytes) {
        Ok(config) => {
            crate::config_round_trip::check(&config);
            assert_eq!(
                blob::decode_prefix(bytes),
                Ok((config, bytes.len())),
                "decode_prefix reads a whole blob differently"
            );
        }
        Err(BlobError::TrailingBytes { extra }) => {
            assert!(!framed, "a framed blob has trailing bytes");
            let (config, used) = blob::decode_prefix(bytes)
                .unwrap_or_else(|e| panic!("a blob with trailing bytes, but no blob: {e}"));
            assert_eq!(used + extra, bytes.len());
            assert_eq!(blob::decode(&bytes[..used]), Ok(config));
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
            let frame_error = matches!(
                error,
                BlobError::TooShort { .. }
                    | BlobError::Truncated { .. }
                    | BlobError::BadMagic { .. }
                    | BlobError::ChecksumMismatch { .. }
                    | BlobError::BufferTooSmall { .. }
            );
            assert!(
                !(framed && frame_error),
                "a well-framed blob refused: {error}"
            );
        }
    }
}
