//! The configuration as a firmware blob: versioned, length-prefixed, checksummed postcard.
//!
//! # Layout
//! All integers are little-endian.
//!
//! | offset | field   | size    | content |
//! |--------|---------|---------|---------|
//! | 0      | magic   | 4       | `b"WGCF"` ([`MAGIC`]) |
//! | 4      | version | u16     | [`FORMAT_VERSION`] (3; 1 and 2 are still read) |
//! | 6      | length  | u32     | body length in bytes |
//! | 10     | body    | length  | postcard encoding of the version's wire struct |
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
//!
//! Older blobs still decode; the settings they lack take their defaults.
//!
//! [`decode`] also validates the configuration ([`BlobError::Invalid`]); the encoders write
//! whatever they are given, so validate first (as `waygate config encode` does).

mod error;
mod wire;

pub use error::BlobError;

mod bounded;
mod fit;
mod wire_v2;
mod wire_v3;

use crate::config::Config;
use wire::ConfigV1;
use wire_v2::ConfigV2;
use wire_v3::ConfigV3;

/// The first four bytes of every blob.
pub const MAGIC: [u8; 4] = *b"WGCF";
/// The body format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 3;
/// The oldest body format this build reads.
pub const OLDEST_FORMAT_VERSION: u16 = 1;
/// Bytes before the body: magic, version, length.
pub const HEADER_LEN: usize = 10;
/// Bytes after the body: the CRC-32.
pub const CHECKSUM_LEN: usize = 4;
/// Largest body this version can have.
pub const MAX_BODY_LEN: usize =
    wire::V1_MAX_BODY_LEN + wire_v2::V2_EXTENSION_MAX_LEN + wire_v3::V3_EXTENSION_MAX_LEN;
/// Largest blob this version can produce: a buffer this long always suffices for
/// [`encode_to_slice`].
pub const MAX_ENCODED_LEN: usize = HEADER_LEN + MAX_BODY_LEN + CHECKSUM_LEN;

const _BODY_LENGTH_FITS_THE_HEADER: () = assert!(MAX_BODY_LEN <= u32::MAX as usize);

/// The smallest blob: a header and a checksum around an empty body.
const MIN_LEN: usize = HEADER_LEN + CHECKSUM_LEN;

/// Exact size of the blob for `config`.
#[must_use]
pub fn encoded_len(config: &Config) -> usize {
    HEADER_LEN + body_len(&ConfigV3::from_config(config)) + CHECKSUM_LEN
}

fn body_len(wire: &ConfigV3<'_>) -> usize {
    // The size flavor only counts bytes; the wire types have no fallible `Serialize`.
    postcard::serialize_with_flavor(wire, postcard::ser_flavors::Size::default())
        .unwrap_or(MAX_BODY_LEN)
}

/// Writes the blob for `config` at the start of `out` and returns its length. Does not
/// validate `config`.
///
/// # Errors
/// [`BlobError::BufferTooSmall`] when `out` is shorter than [`encoded_len`] (a buffer of
/// [`MAX_ENCODED_LEN`] bytes always suffices).
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
pub fn encode_to_slice(config: &Config, out: &mut [u8]) -> Result<usize, BlobError> {
    let wire = ConfigV3::from_config(config);
    let body_len = body_len(&wire);
    let total = HEADER_LEN + body_len + CHECKSUM_LEN;
    let too_small = BlobError::BufferTooSmall {
        needed: total,
        capacity: out.len(),
    };
    let Some(blob) = out.get_mut(..total) else {
        return Err(too_small);
    };
    let (header, rest) = blob.split_at_mut(HEADER_LEN);
    let (body, checksum) = rest.split_at_mut(body_len);
    if postcard::to_slice(&wire, body).map(|written| written.len()) != Ok(body_len) {
        // Unreachable with the measured size; reported rather than trusted.
        return Err(too_small);
    }
    let length = u32::try_from(body_len)
        .expect("a body is at most MAX_BODY_LEN bytes, which is asserted to fit in u32");
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
    let written = encode_to_slice(config, &mut out)
        .expect("the buffer is encoded_len bytes, which encode_to_slice needs");
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
    let (config, used) = decode_prefix(bytes)?;
    match bytes.get(used..) {
        Some([]) | None => Ok(config),
        Some(extra) => Err(BlobError::TrailingBytes { extra: extra.len() }),
    }
}

/// Reads the blob at the start of `bytes` (for storage padded after the blob, like a flash
/// partition) and returns the configuration and the blob's length.
///
/// # Errors
/// As [`decode`], except that bytes after the blob are ignored.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
pub fn decode_prefix(bytes: &[u8]) -> Result<(Config, usize), BlobError> {
    let (version, body, total) = open_frame(bytes)?;
    let config = match version {
        1 => config_of(read_body::<ConfigV1<'_>>(body)?),
        2 => config_of(read_body::<ConfigV2<'_>>(body)?),
        _ => config_of(read_body::<ConfigV3<'_>>(body)?),
    }?;
    config.validate().map_err(BlobError::Invalid)?;
    Ok((config, total))
}

/// A version's body, read.
trait Body {
    /// The configuration it describes, or the strings and lists that do not fit.
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the problem list is bounded"
    )]
    fn into_config(self) -> Result<Config, crate::problem::Problems>;
}

impl Body for ConfigV1<'_> {
    fn into_config(self) -> Result<Config, crate::problem::Problems> {
        Self::into_config(self)
    }
}

impl Body for ConfigV2<'_> {
    fn into_config(self) -> Result<Config, crate::problem::Problems> {
        Self::into_config(self)
    }
}

impl Body for ConfigV3<'_> {
    fn into_config(self) -> Result<Config, crate::problem::Problems> {
        Self::into_config(self)
    }
}

/// The configuration of a body, in a frame of its own: a `Config` is large and a board's
/// stack is small, so only one version's temporaries are ever on it.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
fn config_of(body: impl Body) -> Result<Config, BlobError> {
    body.into_config().map_err(BlobError::Invalid)
}

/// The wire struct that is exactly `body`.
#[expect(
    clippy::result_large_err,
    reason = "no allocator in no_std; the problem list is bounded"
)]
fn read_body<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, BlobError> {
    match postcard::take_from_bytes(body) {
        Ok((wire, [])) => Ok(wire),
        Ok((_, _unused)) => Err(BlobError::Malformed {
            detail: "bytes are left over after the config",
        }),
        Err(error) => Err(BlobError::Malformed {
            detail: error::describe(&error),
        }),
    }
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
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// The no_std path: a caller's buffer in, the same config out.
    #[test]
    fn encode_to_slice_and_decode_round_trip_without_an_allocator() {
        let config = Config::default();
        let mut buffer = [0_u8; MAX_ENCODED_LEN];
        let written = encode_to_slice(&config, &mut buffer).unwrap();
        assert_eq!(written, encoded_len(&config));
        assert_eq!(buffer.get(..4), Some(&MAGIC[..]));
        assert_eq!(decode(&buffer[..written]), Ok(config.clone()));
        assert_eq!(decode_prefix(&buffer), Ok((config, written)));
        assert_eq!(
            decode(&buffer),
            Err(BlobError::TrailingBytes {
                extra: MAX_ENCODED_LEN - written
            })
        );
    }
}
