//! The attachment policy: which files may be uploaded and sent, checked on upload and on every
//! send.
//!
//! This module is pure: no I/O, no clocks, no logging, and no panics on any input.
//! [`check_attachment`] takes a file's kind, name, declared MIME type, size and leading bytes
//! and either accepts it (saying which [`Format`] it is and the MIME type to declare to Meta)
//! or refuses it with an [`AttachmentRefusal`] that names what is wrong and the limit.
//!
//! # The table
//!
//! | kind | max size | extensions | MIME type (Meta's) | leading bytes |
//! | --- | --- | --- | --- | --- |
//! | image | 5 MB | jpg, jpeg | image/jpeg | `FF D8 FF` |
//! | | | png | image/png | `89 50 4E 47 0D 0A 1A 0A` |
//! | document | 40 MB | pdf | application/pdf | `%PDF-` |
//! | | | txt | text/plain | UTF-8 without NUL |
//! | | | xls, ppt | application/vnd.ms-excel, application/vnd.ms-powerpoint | OLE2 `D0 CF 11 E0 A1 B1 1A E1` |
//! | | | xlsx, pptx | application/vnd.openxmlformats-officedocument.{spreadsheetml.sheet, presentationml.presentation} | ZIP `PK 03 04` |
//! | video | 16 MB | 3gp | video/3gpp | `ftyp` box with a 3GPP brand |
//! | | | mp4 | video/mp4 | `ftyp` box with an MP4 brand |
//! | audio | 16 MB | mp3, mpeg | audio/mpeg | `ID3` tag or MPEG audio frame |
//! | | | ogg | audio/ogg | `OggS`, first packet `OpusHead`, one channel |
//! | | | amr | audio/amr | `#!AMR\n` |
//! | | | aac (and acc) | audio/aac | ADTS frame or `ADIF` |
//!
//! # Decisions
//!
//! - **MB is 10^6 bytes** ([`MEGABYTE`]), the smaller reading of Meta's "5 MB": a file that
//!   passes here is within Meta's limit whichever megabyte Meta means. 5,000,000 bytes is a
//!   valid image; 5,000,001 is not.
//! - **The seed's limits hold where Meta allows more**: documents stop at 40 MB (Meta: 100 MB).
//!   [`Limits::INBOUND`] is Meta's 100 MB for media customers send; this check is for outbound.
//! - **Aliases**: the extension `acc` (the seed's spelling) is taken as `aac`; the MIME types
//!   `video/3gp` (Meta's type is `video/3gpp`), `image/jpg` and `audio/mp3` are taken as
//!   `video/3gpp`, `image/jpeg` and `audio/mpeg`. [`Accepted`] reports an alias it used and
//!   gives the MIME type to declare to Meta.
//! - **"mpeg"** in the seed's audio row is the extension `.mpeg` holding MPEG audio
//!   (`audio/mpeg`). A `.mpeg` file holding MPEG video is refused: its bytes are not MPEG audio.
//! - **"vorbis"** in the seed's audio row is not sendable: Meta takes `audio/ogg` only with the
//!   Opus codec and mono input. An Ogg file is accepted only when its first packet is a mono
//!   Opus header; Vorbis, stereo Opus and other codecs are refused with
//!   [`AttachmentRefusal::OggNotMonoOpus`], and a declared `codecs` parameter other than `opus`
//!   is a [`AttachmentRefusal::MimeMismatch`].
//! - **Extensions** are the text after the last dot of the name's last path component, matched
//!   without regard to ASCII case. MIME types match without regard to case; parameters are
//!   allowed (`audio/ogg; codecs=opus`, `text/plain; charset=utf-8`).
//! - **Leading bytes** are matched against a table written here ([`sniff`]) rather than taken
//!   from a type-sniffing crate such as `infer`: the policy needs about fifteen signatures, and
//!   details such crates do not report (the Ogg codec and channel count, 3GP versus MP4 brands,
//!   MPEG audio header fields). The first 64 bytes ([`HEAD_LEN`]) are enough for every
//!   format. They cannot tell XLS from PPT or XLSX from PPTX, so those pairs agree with either
//!   extension. Text has no signature: it is UTF-8 without NUL bytes (UTF-16 text is refused).
//! - **Order of checks**, so that one file always gets the same refusal: empty, size, extension
//!   (allowed for any kind, then for this kind), declared MIME type, leading bytes, Ogg codec.
//!   A refusal reports the first failure.

mod format;
mod kind;
mod mime;
mod refusal;
mod sniff;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_content;
#[cfg(test)]
mod tests_fixtures;
#[cfg(test)]
mod tests_names;
#[cfg(test)]
mod tests_props;

pub use format::{Format, allowed_extensions, extension_of};
pub use kind::{AttachmentKind, Limits, MEGABYTE};
pub use refusal::{AttachmentRefusal, NAME_LABEL_CHARS, clean, label};
pub use sniff::{Detected, HEAD_LEN, IsoBrands, OggCodec, sniff};

use mime::DeclaredMime;

/// A file the policy accepts, and how to send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The kind it is sent as.
    pub kind: AttachmentKind,
    /// Its format; name, MIME type and leading bytes all agree on it.
    pub format: Format,
    /// The MIME type to declare to Meta ([`Format::mime`]), whatever alias was declared.
    pub mime: &'static str,
    /// Its size in bytes.
    pub size: u64,
    /// The extension alias the name used (`Some("acc")`, taken as `aac`), if any.
    pub extension_alias: Option<&'static str>,
    /// The MIME alias that was declared (`Some("video/3gp")`, taken as `video/3gpp`), if any.
    pub mime_alias: Option<&'static str>,
}

/// Checks a file against the attachment policy before it is uploaded or sent as `kind`.
///
/// `file_name` is the file's name (a path is allowed: only its last component counts),
/// `declared_mime` the MIME type declared for it, `size` its size in bytes, and `head` its
/// leading bytes: at least [`HEAD_LEN`] of them, or the whole file when it is shorter. The
/// extension, the MIME type and the bytes must name the same allowed format of `kind`, and the
/// size must be within the kind's limit ([`AttachmentKind::max_size`]). See the
/// [module documentation](self) for the table and the order of checks.
///
/// # Errors
///
/// The first check that fails, as an [`AttachmentRefusal`].
pub fn check_attachment(
    kind: AttachmentKind,
    file_name: &str,
    declared_mime: &str,
    size: u64,
    head: &[u8],
) -> Result<Accepted, AttachmentRefusal> {
    if size == 0 {
        return Err(AttachmentRefusal::Empty {
            file_name: label(file_name),
        });
    }
    let limit = kind.max_size();
    if size > limit {
        return Err(AttachmentRefusal::TooLarge {
            file_name: label(file_name),
            kind,
            size,
            limit,
        });
    }
    let extension = extension_of(file_name);
    let Some((format, extension_alias)) = extension.and_then(Format::from_extension) else {
        return Err(AttachmentRefusal::ExtensionNotAllowed {
            file_name: label(file_name),
            kind,
            extension: extension.map(clean),
            allowed: allowed_extensions(kind),
        });
    };
    if format.kind() != kind {
        return Err(AttachmentRefusal::KindMismatch {
            file_name: label(file_name),
            kind,
            format,
        });
    }
    let mime_alias = check_declared_mime(format, declared_mime).ok_or_else(|| {
        AttachmentRefusal::MimeMismatch {
            file_name: label(file_name),
            format,
            declared: clean(declared_mime),
        }
    })?;
    let detected = sniff(head, size);
    if !detected.fits(format) {
        return Err(AttachmentRefusal::ContentMismatch {
            file_name: label(file_name),
            claimed: format,
            detected,
        });
    }
    if let Detected::Ogg(codec) = detected
        && codec != (OggCodec::Opus { channels: 1 })
    {
        return Err(AttachmentRefusal::OggNotMonoOpus {
            file_name: label(file_name),
            codec,
        });
    }
    Ok(Accepted {
        kind,
        format,
        mime: format.mime(),
        size,
        extension_alias,
        mime_alias,
    })
}

/// `Some(alias used)` when `declared` is a MIME type of `format` (for Ogg Opus, with no
/// `codecs` parameter other than `opus`); `None` otherwise.
fn check_declared_mime(format: Format, declared: &str) -> Option<Option<&'static str>> {
    let declared = DeclaredMime::parse(declared)?;
    let (declared_format, alias) = Format::from_mime_type(declared.essence)?;
    let codecs_fit = format != Format::OggOpus || declared.codecs_are_opus();
    (declared_format == format && codecs_fit).then_some(alias)
}

/// The kind a file extension (`"pdf"`, `".PDF"`, `"report.pdf"`) or a MIME type
/// (`"application/pdf"`, `"audio/ogg; codecs=opus"`) is sent as, or `None` when it is not
/// one of the allowed formats. Aliases count (`"acc"`, `"video/3gp"`).
pub fn kind_for(extension_or_mime: &str) -> Option<AttachmentKind> {
    let text = extension_or_mime.trim();
    let format = if text.contains('/') {
        Format::from_mime_type(DeclaredMime::parse(text)?.essence)
    } else {
        Format::from_extension(extension_of(text).unwrap_or(text))
    };
    format.map(|(format, _)| format.kind())
}
