//! The allowed file formats: for each, its kind, file-name extensions and MIME type.
//!
//! This is the seed table with Meta's corrections (see the [module documentation](super)).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::kind::AttachmentKind;

/// A file format the gateway lets operators upload and send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// JPEG image (`.jpg`, `.jpeg`; `image/jpeg`).
    Jpeg,
    /// PNG image (`.png`; `image/png`).
    Png,
    /// PDF document (`.pdf`; `application/pdf`).
    Pdf,
    /// Plain text (`.txt`; `text/plain`), UTF-8.
    Text,
    /// Legacy Excel workbook (`.xls`; `application/vnd.ms-excel`).
    Xls,
    /// Excel workbook (`.xlsx`).
    Xlsx,
    /// Legacy PowerPoint presentation (`.ppt`; `application/vnd.ms-powerpoint`).
    Ppt,
    /// PowerPoint presentation (`.pptx`).
    Pptx,
    /// 3GP video (`.3gp`; `video/3gpp`).
    ThreeGp,
    /// MP4 video (`.mp4`; `video/mp4`).
    Mp4,
    /// MPEG audio, usually MP3 (`.mp3`, `.mpeg`; `audio/mpeg`).
    MpegAudio,
    /// Ogg audio with the Opus codec, mono (`.ogg`; `audio/ogg`).
    OggOpus,
    /// AMR narrow-band audio (`.amr`; `audio/amr`).
    Amr,
    /// AAC audio, ADTS or ADIF stream (`.aac`, and the seed's `.acc`; `audio/aac`).
    Aac,
}

impl Format {
    /// Every format, grouped by kind in the seed table's order.
    pub const ALL: [Self; 14] = [
        Self::Jpeg,
        Self::Png,
        Self::Pdf,
        Self::Text,
        Self::Xls,
        Self::Xlsx,
        Self::Ppt,
        Self::Pptx,
        Self::ThreeGp,
        Self::Mp4,
        Self::MpegAudio,
        Self::OggOpus,
        Self::Amr,
        Self::Aac,
    ];

    /// The kind of attachment this format is sent as.
    pub const fn kind(self) -> AttachmentKind {
        match self {
            Self::Jpeg | Self::Png => AttachmentKind::Image,
            Self::Pdf | Self::Text | Self::Xls | Self::Xlsx | Self::Ppt | Self::Pptx => {
                AttachmentKind::Document
            }
            Self::ThreeGp | Self::Mp4 => AttachmentKind::Video,
            Self::MpegAudio | Self::OggOpus | Self::Amr | Self::Aac => AttachmentKind::Audio,
        }
    }

    /// A short name for the format, as a person calls it ("PDF", "JPEG", "plain text").
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
            Self::Text => "plain text",
            Self::Xls => "XLS",
            Self::Xlsx => "XLSX",
            Self::Ppt => "PPT",
            Self::Pptx => "PPTX",
            Self::ThreeGp => "3GP",
            Self::Mp4 => "MP4",
            Self::MpegAudio => "MP3",
            Self::OggOpus => "Ogg Opus",
            Self::Amr => "AMR",
            Self::Aac => "AAC",
        }
    }

    /// The file-name extensions of this format, lower case without the dot; the first is the
    /// usual one. Aliases (see [`Self::extension_aliases`]) are not included.
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Pdf => &["pdf"],
            Self::Text => &["txt"],
            Self::Xls => &["xls"],
            Self::Xlsx => &["xlsx"],
            Self::Ppt => &["ppt"],
            Self::Pptx => &["pptx"],
            Self::ThreeGp => &["3gp"],
            Self::Mp4 => &["mp4"],
            Self::MpegAudio => &["mp3", "mpeg"],
            Self::OggOpus => &["ogg"],
            Self::Amr => &["amr"],
            Self::Aac => &["aac"],
        }
    }

    /// Misspelt extensions accepted for this format: `acc` for AAC, as the seed table writes it.
    pub const fn extension_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Aac => &["acc"],
            _ => &[],
        }
    }

    /// Meta's MIME type for this format: the type to declare when uploading it.
    pub const fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain",
            Self::Xls => "application/vnd.ms-excel",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ppt => "application/vnd.ms-powerpoint",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::ThreeGp => "video/3gpp",
            Self::Mp4 => "video/mp4",
            Self::MpegAudio => "audio/mpeg",
            Self::OggOpus => "audio/ogg",
            Self::Amr => "audio/amr",
            Self::Aac => "audio/aac",
        }
    }

    /// Other MIME types accepted as declarations of this format: `video/3gp` (listed by the
    /// whatsapp-api-js SDK; Meta's type is `video/3gpp`), and the widespread non-standard
    /// `image/jpg` and `audio/mp3`.
    pub const fn mime_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["image/jpg"],
            Self::ThreeGp => &["video/3gp"],
            Self::MpegAudio => &["audio/mp3"],
            _ => &[],
        }
    }

    /// The format with this extension (no dot, any case), and the alias it was written as
    /// (`Some("acc")`), if it was one.
    pub fn from_extension(extension: &str) -> Option<(Self, Option<&'static str>)> {
        let find = |list: &'static [&'static str]| {
            list.iter()
                .copied()
                .find(|e| e.eq_ignore_ascii_case(extension))
        };
        Self::ALL.into_iter().find_map(|format| {
            if find(format.extensions()).is_some() {
                Some((format, None))
            } else {
                find(format.extension_aliases()).map(|alias| (format, Some(alias)))
            }
        })
    }

    /// The format with this MIME type (`type/subtype` without parameters, any case), and the
    /// alias it was written as (`Some("video/3gp")`), if it was one.
    pub fn from_mime_type(essence: &str) -> Option<(Self, Option<&'static str>)> {
        Self::ALL.into_iter().find_map(|format| {
            if format.mime().eq_ignore_ascii_case(essence) {
                Some((format, None))
            } else {
                format
                    .mime_aliases()
                    .iter()
                    .copied()
                    .find(|m| m.eq_ignore_ascii_case(essence))
                    .map(|alias| (format, Some(alias)))
            }
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The extensions allowed for a kind (without aliases), in the seed table's order.
pub const fn allowed_extensions(kind: AttachmentKind) -> &'static [&'static str] {
    match kind {
        AttachmentKind::Image => &["jpeg", "jpg", "png"],
        AttachmentKind::Document => &["pdf", "txt", "xls", "xlsx", "ppt", "pptx"],
        AttachmentKind::Video => &["3gp", "mp4"],
        AttachmentKind::Audio => &["mp3", "mpeg", "ogg", "amr", "aac"],
    }
}

/// The extension of a file name: the text after the last dot of its last path component
/// (`/` or `\`), or `None` when that component has no dot.
pub fn extension_of(file_name: &str) -> Option<&str> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.').map(|(_, extension)| extension)
}
