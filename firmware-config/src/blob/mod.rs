//! The configuration as a firmware blob: versioned, length-prefixed, checksummed postcard.
//!
//! # Layout
//! All integers are little-endian.
//!
//! | offset | field   | size    | content |
//! |--------|---------|---------|---------|
//! | 0      | magic   | 4       | `b"WGCF"` ([`MAGIC`]) |
//! | 4      | version | u16     | [`FORMAT_VERSION`] (6; 1 to 5 are still read) |
//! | 6      | length  | u32     | body length in bytes |
//! | 10     | body    | length  | the settings in declaration order, each in postcard |
//! | 10 + length | crc32 | u32  | CRC-32 (IEEE) over magic through the end of the body |
//!
//! The frame (magic, version, length, checksum) is the same for every version; only the body
//! changes. So a reader checks the frame and the checksum first, and only then the version:
//! a corrupted version field reads as [`BlobError::ChecksumMismatch`], a blob from newer
//! firmware as [`BlobError::UnsupportedVersion`].
//!
//! The body holds no `usize` (postcard writes integers as varints, strings and lists as a
//! varint length and their contents), so a 32-bit board reads what a 64-bit host wrote. Socket
//! addresses have their own wire form (IPv4: 4 bytes and port; IPv6: 16 bytes, port, flow info
//! and scope id). The body's field order is fixed; a change of fields is a new version.
//!
//! # Versions
//! - **1**: the listeners, secrets, store, shutdown and log settings.
//! - **2**: the version-1 body, followed by the chat settings, departments, templates and
//!   operators.
//! - **3**: the version-2 body, followed by the public listener's bounds (idle timeout, in-flight
//!   body budget, entries, changes and items per delivery).
//! - **4**: the version-3 body, followed by the outbound settings: the Graph API's URL,
//!   version, access token and trust roots (in `meta`), the numbers, pricing and credits. A
//!   date is four bytes (year little-endian, month, day); a UTC offset is an `i16` of minutes.
//! - **5**: the version-4 body, followed by `store.retention_days` (an optional number: 0 for
//!   none, or 1 and the number), the upstream settings (headquarters), the canned responses and
//!   the articles.
//! - **6**: the version-5 body, followed by the console settings: its time zone (an optional
//!   text), the session's idle limit and its longest span.
//!
//! Older blobs still decode; the settings they lack take their defaults.
//!
//! [`decode`] also validates the configuration ([`BlobError::Invalid`]); the encoders write
//! whatever they are given, so validate first (as `waygate config encode` does).

mod codec;
mod error;

pub use codec::{CodecError, Decoder, Encoder};
pub use error::BlobError;

use crate::config::Config;
use crate::schema::Section;

/// The first four bytes of every blob.
pub const MAGIC: [u8; 4] = *b"WGCF";
/// The body format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 6;
/// The oldest body format this build reads.
pub const OLDEST_FORMAT_VERSION: u16 = 1;
/// Bytes before the body: magic, version, length.
pub const HEADER_LEN: usize = 10;
/// Bytes after the body: the CRC-32.
pub const CHECKSUM_LEN: usize = 4;

/// Largest blob this build can produce, from every text and list at its capacity (the golden
/// tests encode that configuration): a buffer this long always suffices.
pub const MAX_ENCODED_LEN: usize = 116_230;

/// The smallest blob: a header and a checksum around an empty body.
const MIN_LEN: usize = HEADER_LEN + CHECKSUM_LEN;

/// Exact size of the blob for `config`.
#[must_use]
pub fn encoded_len(config: &Config) -> usize {
    let mut counter = Encoder::counting();
    write_body(config, &mut counter);
    HEADER_LEN + counter.written() + CHECKSUM_LEN
}

/// Every version's settings in turn: a version-N body is the version-(N-1) body followed by
/// the settings version N added.
fn write_body(config: &Config, encoder: &mut Encoder<'_>) {
    for version in 1..=FORMAT_VERSION {
        encoder.begin(version);
        config.visit(encoder);
    }
}

/// Writes the blob for `config` at the start of `out` and returns its length. Does not
/// validate `config`.
///
/// # Errors
/// [`BlobError::BufferTooSmall`] when `out` is shorter than [`encoded_len`].
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
pub fn encode_to_slice(config: &Config, out: &mut [u8]) -> Result<usize, BlobError> {
    let total = encoded_len(config);
    let too_small = BlobError::BufferTooSmall {
        needed: total,
        capacity: out.len(),
    };
    let Some(blob) = out.get_mut(..total) else {
        return Err(too_small);
    };
    let (header, rest) = blob.split_at_mut(HEADER_LEN);
    let (body, checksum) = rest.split_at_mut(total - MIN_LEN);
    let mut encoder = Encoder::into(body);
    write_body(config, &mut encoder);
    if encoder.failed() || encoder.written() != body.len() {
        return Err(too_small);
    }
    let length = u32::try_from(body.len()).map_err(|_| too_small)?;
    header[..4].copy_from_slice(&MAGIC);
    header[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[6..10].copy_from_slice(&length.to_le_bytes());
    let crc = checksum_of(header, body);
    checksum.copy_from_slice(&crc.to_le_bytes());
    Ok(total)
}

/// The blob for `config`. Does not validate `config`.
#[cfg(feature = "std")]
#[must_use]
pub fn encode(config: &Config) -> Vec<u8> {
    let mut out = vec![0; encoded_len(config)];
    let written = encode_to_slice(config, &mut out).unwrap_or_default();
    out.truncate(written);
    out
}

/// Reads a blob that is exactly `bytes`, and validates the configuration.
///
/// # Errors
/// Any [`BlobError`] but `BufferTooSmall`: a frame that is cut short, foreign, corrupted or
/// followed by bytes; an unsupported version; a body that does not decode; an invalid config.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
pub fn decode(bytes: &[u8]) -> Result<Config, BlobError> {
    let mut config = Config::default();
    let used = decode_into(bytes, &mut config)?;
    match bytes.get(used..) {
        Some([]) | None => Ok(config),
        Some(extra) => Err(BlobError::TrailingBytes { extra: extra.len() }),
    }
}

/// Reads the blob at the start of `bytes` (for storage padded after the blob, like a flash
/// partition) and returns the configuration and the blob's length. Settings that the blob's
/// version predates take their defaults.
///
/// # Errors
/// As [`decode`], except that bytes after the blob are ignored.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
pub fn decode_prefix(bytes: &[u8]) -> Result<(Config, usize), BlobError> {
    let mut config = Config::default();
    let used = decode_into(bytes, &mut config)?;
    Ok((config, used))
}

/// Reads the blob at the start of `bytes` into `config` (the defaults), validates it and
/// returns the blob's length. The configuration is filled in place: it is large (fixed
/// capacities), and each move of it is a copy on the stack of a small board.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
fn decode_into(bytes: &[u8], config: &mut Config) -> Result<usize, BlobError> {
    let (version, body, total) = open_frame(bytes)?;
    let mut decoder = Decoder::new(body);
    for pass in 1..=version {
        decoder.begin(pass);
        config.visit_mut(&mut decoder);
    }
    decoder
        .finish()
        .map_err(|CodecError(detail)| BlobError::Malformed { detail })?;
    config.validate().map_err(BlobError::Invalid)?;
    Ok(total)
}

/// Checks the frame (magic, length, checksum, version) and returns the version (one this
/// build reads), the body and the blob's total length.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
fn open_frame(bytes: &[u8]) -> Result<(u16, &[u8], usize), BlobError> {
    if let Some(found) = bytes.first_chunk::<4>()
        && *found != MAGIC
    {
        return Err(BlobError::BadMagic { found: *found });
    }
    let too_short = BlobError::TooShort {
        actual: bytes.len(),
        min: MIN_LEN,
    };
    let Some((header, rest)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Err(too_short);
    };
    let [_, _, _, _, v0, v1, l0, l1, l2, l3] = *header;
    let version = u16::from_le_bytes([v0, v1]);
    let body_len = usize::try_from(u32::from_le_bytes([l0, l1, l2, l3])).unwrap_or(usize::MAX);
    let expected = body_len
        .saturating_add(HEADER_LEN)
        .saturating_add(CHECKSUM_LEN);
    let truncated = BlobError::Truncated {
        expected,
        actual: bytes.len(),
    };
    let Some((body, rest)) = rest.split_at_checked(body_len) else {
        return Err(truncated);
    };
    let Some(stored) = rest.first_chunk::<CHECKSUM_LEN>() else {
        return Err(truncated);
    };
    let stored = u32::from_le_bytes(*stored);
    let computed = checksum_of(header, body);
    if stored != computed {
        return Err(BlobError::ChecksumMismatch { stored, computed });
    }
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(BlobError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok((version, body, expected))
}

fn checksum_of(header: &[u8], body: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(header);
    hasher.update(body);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The no_std path: a caller's buffer in, the same config out.
    #[test]
    fn encode_to_slice_and_decode_round_trip_without_an_allocator() {
        let config = Config::default();
        let mut buffer = [0_u8; 512];
        let written = encode_to_slice(&config, &mut buffer).unwrap_or_default();
        assert_eq!(written, encoded_len(&config));
        assert_eq!(buffer.get(..4), Some(&MAGIC[..]));
        assert_eq!(decode(&buffer[..written]), Ok(config.clone()));
        assert_eq!(decode_prefix(&buffer), Ok((config, written)));
        assert_eq!(
            decode(&buffer),
            Err(BlobError::TrailingBytes {
                extra: 512 - written
            })
        );
    }
}
