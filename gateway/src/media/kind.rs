//! The four attachment kinds and their size limits.
//!
//! Sizes are bytes (`u64`). "MB" means 10^6 bytes (a decimal megabyte). Meta writes "5 MB"
//! without saying which megabyte it means. The decimal reading is the smaller limit, so a file
//! that passes here is within Meta's limit under either reading. The binary reading (2^20 bytes)
//! would let through files of 5,000,001..=5,242,880 bytes that Meta may refuse.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One megabyte as the limits count it: 10^6 bytes (see the module documentation).
pub const MEGABYTE: u64 = 1_000_000;

/// The kind of attachment, as in Meta's message `type` (`image`, `document`, `video`, `audio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AttachmentKind {
    /// A photo: JPEG or PNG.
    Image,
    /// A file shown as a document: PDF, plain text, Excel or PowerPoint.
    Document,
    /// A video: MP4 or 3GP.
    Video,
    /// A sound file or voice note: MP3, Ogg Opus, AMR or AAC.
    Audio,
}

impl AttachmentKind {
    /// Every kind, in the seed table's order.
    pub const ALL: [Self; 4] = [Self::Image, Self::Document, Self::Video, Self::Audio];

    /// Meta's name for the kind (the message `type`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Document => "document",
            Self::Video => "video",
            Self::Audio => "audio",
        }
    }

    /// A noun for one file of this kind ("image", "audio file").
    pub const fn noun(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Document => "document",
            Self::Video => "video",
            Self::Audio => "audio file",
        }
    }

    /// A noun for files of this kind ("images", "audio files").
    pub const fn plural(self) -> &'static str {
        match self {
            Self::Image => "images",
            Self::Document => "documents",
            Self::Video => "videos",
            Self::Audio => "audio files",
        }
    }

    /// The largest file of this kind that may be uploaded or sent, in bytes.
    pub const fn max_size(self) -> u64 {
        match self {
            Self::Image => Limits::IMAGE,
            Self::Document => Limits::DOCUMENT,
            Self::Video => Limits::VIDEO,
            Self::Audio => Limits::AUDIO,
        }
    }
}

impl fmt::Display for AttachmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The size limits, in bytes, with `MB` = [`MEGABYTE`] = 10^6 bytes.
///
/// The outbound limits (upload and send) are the seed table's. Where Meta allows more (documents:
/// 100 MB), the seed's smaller limit holds.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Limits;

impl Limits {
    /// Images: 5 MB (seed table; Meta: 5 MB).
    pub const IMAGE: u64 = 5 * MEGABYTE;
    /// Documents: 40 MB (seed table; Meta allows 100 MB).
    pub const DOCUMENT: u64 = 40 * MEGABYTE;
    /// Videos: 16 MB (seed table; Meta: 16 MB).
    pub const VIDEO: u64 = 16 * MEGABYTE;
    /// Audio: 16 MB (seed table; Meta: 16 MB).
    pub const AUDIO: u64 = 16 * MEGABYTE;
    /// Inbound media from customers: Meta delivers up to 100 MB and reports larger files as
    /// error 131052. This is the size to expect when downloading, not an outbound limit.
    pub const INBOUND: u64 = 100 * MEGABYTE;
}
