//! Why an attachment was refused, in words an operator can act on.
//!
//! Each refusal carries the file's name as a label for people to read. Control characters in
//! it are replaced with `?` and it is cut at [`NAME_LABEL_CHARS`] characters, so a refusal can go
//! into a log line or a reply as it is.

use std::fmt::Write as _;

use super::format::Format;
use super::kind::{AttachmentKind, MEGABYTE};
use super::sniff::{Detected, OggCodec};

/// The most characters of a file name (or a declared MIME type) a refusal keeps.
pub const NAME_LABEL_CHARS: usize = 80;

/// Why [`check_attachment`](super::check_attachment) refused a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttachmentRefusal {
    /// The file has no bytes.
    #[error("{file_name} is empty")]
    Empty {
        /// The file's name, as a label (see the module documentation).
        file_name: String,
    },
    /// The file is larger than its kind allows.
    #[error(
        "{file_name}: {} ({} bytes) is over the {} MB limit for {} ({} bytes)",
        megabytes(*.size), grouped(*.size), .limit / MEGABYTE, .kind.plural(), grouped(*.limit)
    )]
    TooLarge {
        /// The file's name, as a label.
        file_name: String,
        /// The kind it was to be sent as.
        kind: AttachmentKind,
        /// Its size in bytes.
        size: u64,
        /// The kind's limit in bytes.
        limit: u64,
    },
    /// The file name has no extension, or one that no kind allows.
    #[error(
        "{file_name}: {} is not allowed for {}; allowed: {}",
        extension_phrase(.extension.as_deref()), .kind.plural(), dotted(.allowed)
    )]
    ExtensionNotAllowed {
        /// The file's name, as a label.
        file_name: String,
        /// The kind it was to be sent as.
        kind: AttachmentKind,
        /// The extension as written (cleaned like a label), or `None` without one.
        extension: Option<String>,
        /// The extensions the kind allows, lower case without the dot.
        allowed: &'static [&'static str],
    },
    /// The file name's extension is a format of another kind (a `.mp4` sent as an image).
    #[error(
        "{file_name} is {format}, which is sent as {}, not as {}",
        with_article(.format.kind().noun()), with_article(.kind.noun())
    )]
    KindMismatch {
        /// The file's name, as a label.
        file_name: String,
        /// The kind it was to be sent as.
        kind: AttachmentKind,
        /// The format its extension names.
        format: Format,
    },
    /// The declared MIME type is not the one for the format the extension names (or is not a
    /// MIME type at all, or names a codec other than Opus for Ogg audio).
    #[error(
        "{file_name} is {format} by its name but was declared as \"{declared}\"; {format} is declared as {}",
        .format.mime()
    )]
    MimeMismatch {
        /// The file's name, as a label.
        file_name: String,
        /// The format the extension names.
        format: Format,
        /// The declared MIME type, cleaned like a label (but left empty when empty).
        declared: String,
    },
    /// The file's leading bytes are not the format its name and MIME type say.
    #[error("{file_name} says {claimed} but its bytes are {detected}")]
    ContentMismatch {
        /// The file's name, as a label.
        file_name: String,
        /// The format the name and MIME type agree on.
        claimed: Format,
        /// What the leading bytes are.
        detected: Detected,
    },
    /// An Ogg file whose codec is not mono Opus: Meta takes Ogg audio only as mono Opus, so the
    /// seed table's "vorbis" cannot be sent.
    #[error(
        "{file_name} is {codec}; WhatsApp takes Ogg audio only as mono Opus: convert it, or send MP3 or AAC"
    )]
    OggNotMonoOpus {
        /// The file's name, as a label.
        file_name: String,
        /// The codec found in the first packet.
        codec: OggCodec,
    },
}

/// A file name made safe to show: as [`clean`], and "(unnamed file)" when empty.
pub fn label(file_name: &str) -> String {
    if file_name.is_empty() {
        "(unnamed file)".to_owned()
    } else {
        clean(file_name)
    }
}

/// `text` made safe to show: control characters replaced with `?`, cut at
/// [`NAME_LABEL_CHARS`] characters (with `…` when cut).
pub fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(NAME_LABEL_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(NAME_LABEL_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// A size in megabytes (10^6 bytes) with one decimal, rounded down: "6.0 MB".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes / (MEGABYTE / 10);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// A number with thousands separators: "5,000,001".
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Extensions as ".pdf, .txt, .xls".
fn dotted(extensions: &[&str]) -> String {
    let mut out = String::new();
    for (i, extension) in extensions.iter().enumerate() {
        let separator = if i == 0 { "" } else { ", " };
        let _ = write!(out, "{separator}.{extension}");
    }
    out
}

/// "the extension .exe", "a name without an extension".
fn extension_phrase(extension: Option<&str>) -> String {
    match extension {
        None => "a name without an extension".to_owned(),
        Some("") => "a name ending in a dot".to_owned(),
        Some(extension) => format!("the extension .{extension}"),
    }
}

/// "an image", "a video".
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_refusal_helpers() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(5_000_001), "5,000,001");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(megabytes(6_000_000), "6.0 MB");
        assert_eq!(megabytes(5_000_001), "5.0 MB");
        assert_eq!(megabytes(16_799_999), "16.7 MB");
        assert_eq!(megabytes(99_999), "0.0 MB");
        assert_eq!(dotted(&["3gp", "mp4"]), ".3gp, .mp4");
        assert_eq!(label(""), "(unnamed file)");
        assert_eq!(label("a\nb\u{7}.pdf"), "a?b?.pdf");
        let long = "é".repeat(NAME_LABEL_CHARS + 1);
        assert_eq!(label(&long).chars().count(), NAME_LABEL_CHARS + 1);
        assert!(label(&long).ends_with("é…"));
        assert_eq!(
            label(&"x".repeat(NAME_LABEL_CHARS)),
            "x".repeat(NAME_LABEL_CHARS)
        );
    }
}
