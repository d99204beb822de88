//! Why a blob could not be encoded or decoded, with what to do about it.

use core::fmt;

use crate::problem::Problems;

/// A blob that cannot be read (or written): each message says which failure it is and what
/// to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "no allocator in no_std; `Invalid` holds the bounded problem list by value"
)]
pub enum BlobError {
    /// Fewer bytes than the header: the blob was cut short.
    #[error(
        "config blob truncated: {actual} bytes is shorter than the smallest blob ({min} bytes); \
         write the whole blob again"
    )]
    TooShort {
        /// Bytes present.
        actual: usize,
        /// Smallest possible blob (header and checksum).
        min: usize,
    },
    /// The header announces more bytes than are present: the blob was cut short.
    #[error(
        "config blob truncated: its header announces {expected} bytes but only {actual} are \
         present; write the whole blob again"
    )]
    Truncated {
        /// Bytes the header announces (header, body and checksum).
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// The first four bytes are not `WGCF`: this is not a waygate config blob.
    #[error(
        "not a waygate config blob: it starts with {found:02x?}, not \"WGCF\"; \
         make one with `waygate config encode`"
    )]
    BadMagic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// The checksum does not match the bytes: the blob is corrupted.
    #[error(
        "config blob corrupted: stored CRC-32 is {stored:#010x} but the bytes give \
         {computed:#010x}; write the blob again from its source"
    )]
    ChecksumMismatch {
        /// The checksum stored in the blob.
        stored: u32,
        /// The checksum of the bytes read.
        computed: u32,
    },
    /// A format version this build does not read (typically written by newer firmware).
    #[error(fmt = fmt_unsupported_version)]
    UnsupportedVersion {
        /// The version in the blob.
        found: u16,
        /// The newest version this build reads (it reads every one from
        /// [`super::OLDEST_FORMAT_VERSION`] on).
        supported: u16,
    },
    /// The checksum is right but the body does not decode as this version's config.
    #[error(
        "config blob malformed: the checksum is right but the body does not decode ({detail}); \
         re-encode it with `waygate config encode` of this release"
    )]
    Malformed {
        /// What the decoder tripped over.
        detail: &'static str,
    },
    /// Bytes follow the checksum.
    #[error("{extra} unexpected bytes follow the config blob's checksum; pass exactly one blob")]
    TrailingBytes {
        /// How many bytes follow the blob.
        extra: usize,
    },
    /// The blob decodes, but the configuration breaks a rule (see [`Problems`]).
    #[error("config blob decodes but the configuration is invalid:\n{0}")]
    Invalid(Problems),
    /// The output buffer is smaller than the blob (encoding only).
    #[error(
        "output buffer holds {capacity} bytes but the blob needs {needed}; \
         give it blob::MAX_ENCODED_LEN bytes"
    )]
    BufferTooSmall {
        /// Bytes the blob needs.
        needed: usize,
        /// Bytes the buffer holds.
        capacity: usize,
    },
}

fn fmt_unsupported_version(
    found: &u16,
    supported: &u16,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if found > supported {
        write!(
            f,
            "blob format version {found} is newer than this build reads ({supported}); \
             upgrade waygate"
        )
    } else {
        write!(
            f,
            "blob format version {found} is not one this build reads ({} to {supported}); \
             re-encode it with `waygate config encode`",
            super::OLDEST_FORMAT_VERSION
        )
    }
}

/// A short description of a postcard decoding failure, without postcard in the public API.
pub(super) fn describe(error: &postcard::Error) -> &'static str {
    match error {
        postcard::Error::DeserializeUnexpectedEnd => "the body ends early",
        postcard::Error::DeserializeBadVarint => "a number is badly encoded",
        postcard::Error::DeserializeBadBool => "a boolean is neither 0 nor 1",
        postcard::Error::DeserializeBadUtf8 | postcard::Error::DeserializeBadChar => {
            "a text is not UTF-8"
        }
        postcard::Error::DeserializeBadOption => "an optional value has a bad tag",
        postcard::Error::DeserializeBadEnum => "a choice has an unknown tag",
        // Serde's own checks: a fixed-capacity text or list too long, or a choice's index.
        postcard::Error::SerdeDeCustom => {
            "a text or list is longer than this build holds, or a choice has an unknown tag"
        }
        _ => "the body is not a config of its version",
    }
}
