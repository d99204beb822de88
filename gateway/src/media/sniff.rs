//! What a file's leading bytes say it is: a small table of magic numbers.
//!
//! The table is written here rather than taken from a type-sniffing crate (such as `infer`):
//! the gateway needs about fifteen signatures, and it needs details such crates do not report
//! (the Ogg codec and channel count, 3GP versus MP4 brands, MPEG audio frame headers checked
//! beyond the sync bits so that text starting with "ID3" is not taken for MP3).
//!
//! Only the first [`HEAD_LEN`] bytes are read. Every read is bounds-checked: any input gives a
//! [`Detected`] value, never a panic.

use std::fmt;

use super::format::Format;

/// How many leading bytes [`sniff`] (and [`check_attachment`](super::check_attachment)) need:
/// pass at least this many, or the whole file when it is shorter. A shorter head can make the
/// check refuse a good file; it never lets a bad one through.
pub const HEAD_LEN: usize = 64;

/// What a file's leading bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detected {
    /// JPEG image: `FF D8 FF`.
    Jpeg,
    /// PNG image: `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// GIF image: `GIF87a` or `GIF89a` (not allowed; detected to name it in refusals).
    Gif,
    /// WebP image: `RIFF`, a size, `WEBP` (stickers only; detected to name it in refusals).
    WebP,
    /// PDF document: `%PDF-`.
    Pdf,
    /// OLE2 compound file (`D0 CF 11 E0 A1 B1 1A E1`): a legacy Office file (XLS, PPT, DOC).
    Ole2,
    /// ZIP archive (`PK 03 04`): an Office Open XML file (XLSX, PPTX, DOCX) or any other ZIP.
    Zip,
    /// ISO base media file (an `ftyp` box at offset 4): MP4, 3GP, QuickTime and relatives.
    IsoMedia(IsoBrands),
    /// Ogg stream (`OggS`), with the codec of its first packet.
    Ogg(OggCodec),
    /// MPEG audio (MP3 and relatives): an `ID3` tag or an MPEG audio frame header.
    MpegAudio,
    /// AMR narrow-band audio: `#!AMR\n`.
    Amr,
    /// AMR wide-band audio: `#!AMR-WB\n` (Meta takes `audio/amr`, narrow-band).
    AmrWideBand,
    /// AAC audio: an ADTS frame header (`FF F1`, `FF F9`, ...) or `ADIF`.
    Aac,
    /// Text: no signature above, no NUL byte, valid UTF-8 (a character cut off by the end of
    /// the head is allowed when the head is shorter than the file).
    Text,
    /// None of the above.
    Unknown,
}

/// The brands an ISO media file declares in its `ftyp` box, reduced to what the policy needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoBrands {
    /// The major brand, four bytes (`isom`, `3gp4`, `qt  `, ...).
    pub major: [u8; 4],
    /// Whether the major or a compatible brand is a 3GPP brand (`3gp4`, `3gp5`, `3g2a`, ...).
    pub is_3gp: bool,
    /// Whether the major or a compatible brand is an MP4 brand (`isom`, `mp42`, `avc1`, ...).
    pub is_mp4: bool,
}

/// The codec of an Ogg stream, from its first packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OggCodec {
    /// Opus (`OpusHead`), with the channel count from its header.
    Opus {
        /// Number of channels: 1 is mono.
        channels: u8,
    },
    /// Vorbis (`\x01vorbis`).
    Vorbis,
    /// FLAC (`\x7fFLAC`).
    Flac,
    /// Speex (`Speex   `).
    Speex,
    /// Theora video (`\x80theora`).
    Theora,
    /// Anything else, or a head too short to see the first packet.
    Unknown,
}

impl Detected {
    /// Whether bytes detected as `self` can be a file of `format`. The leading bytes cannot tell
    /// XLS from PPT (both OLE2) or XLSX from PPTX (both ZIP), so either fits either. An ISO
    /// media file fits MP4 when it declares an MP4 brand, and 3GP when it declares a 3GPP brand.
    /// Any Ogg stream fits Ogg Opus here; the codec is checked separately.
    pub fn fits(self, format: Format) -> bool {
        match format {
            Format::Jpeg => self == Self::Jpeg,
            Format::Png => self == Self::Png,
            Format::Pdf => self == Self::Pdf,
            Format::Text => self == Self::Text,
            Format::Xls | Format::Ppt => self == Self::Ole2,
            Format::Xlsx | Format::Pptx => self == Self::Zip,
            Format::ThreeGp => matches!(self, Self::IsoMedia(brands) if brands.is_3gp),
            Format::Mp4 => matches!(self, Self::IsoMedia(brands) if brands.is_mp4),
            Format::MpegAudio => self == Self::MpegAudio,
            Format::OggOpus => matches!(self, Self::Ogg(_)),
            Format::Amr => self == Self::Amr,
            Format::Aac => self == Self::Aac,
        }
    }
}

/// What the leading bytes of a file are. `size` is the whole file's size; it tells whether
/// `head` is the whole file (which matters only for text).
pub fn sniff(head: &[u8], size: u64) -> Detected {
    let head = head.get(..HEAD_LEN).unwrap_or(head);
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Detected::Jpeg
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Detected::Png
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Detected::Gif
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Detected::WebP
    } else if head.starts_with(b"%PDF-") {
        Detected::Pdf
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Detected::Ole2
    } else if head.starts_with(b"PK\x03\x04") {
        Detected::Zip
    } else if head.get(4..8) == Some(b"ftyp") {
        iso_brands(head).map_or(Detected::Unknown, Detected::IsoMedia)
    } else if head.starts_with(b"OggS") {
        Detected::Ogg(ogg_codec(head))
    } else if head.starts_with(b"#!AMR\n") {
        Detected::Amr
    } else if head.starts_with(b"#!AMR-WB\n") {
        Detected::AmrWideBand
    } else if is_adts(head) || head.starts_with(b"ADIF") {
        Detected::Aac
    } else if is_id3(head) || is_mpeg_audio_frame(head) {
        Detected::MpegAudio
    } else if is_text(head, size) {
        Detected::Text
    } else {
        Detected::Unknown
    }
}

/// The brands of an `ftyp` box at the start of `head`: the major brand at 8..12, compatible
/// brands from 16 to the box's end (or the head's end). `None` without a major brand.
fn iso_brands(head: &[u8]) -> Option<IsoBrands> {
    let major: [u8; 4] = head.get(8..12)?.try_into().ok()?;
    let box_size = head
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes);
    let box_end = usize::try_from(box_size)
        .unwrap_or(usize::MAX)
        .min(head.len());
    let compatible = head.get(16..box_end).unwrap_or_default().chunks_exact(4);
    let mut brands = IsoBrands {
        major,
        is_3gp: false,
        is_mp4: false,
    };
    for brand in std::iter::once(&major[..]).chain(compatible) {
        brands.is_3gp |= brand.starts_with(b"3g");
        brands.is_mp4 |= is_mp4_brand(brand);
    }
    Some(brands)
}

/// ISO/MP4 brands that mark a file playable as MP4.
fn is_mp4_brand(brand: &[u8]) -> bool {
    const MP4_BRANDS: [&[u8; 4]; 13] = [
        b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"M4A ", b"M4B ", b"dash",
        b"mmp4", b"MSNV", b"f4v ",
    ];
    // isom, iso2 ... iso9 and isoa ... (ISO/IEC 14496-12 brand family).
    brand.starts_with(b"iso") || MP4_BRANDS.iter().any(|b| brand == &b[..])
}

/// The codec of the first packet of an Ogg stream. The first page's header is 27 bytes, then
/// one byte per segment (count at offset 26), then the packet.
fn ogg_codec(head: &[u8]) -> OggCodec {
    let Some(&segments) = head.get(26) else {
        return OggCodec::Unknown;
    };
    let packet = head.get(27 + usize::from(segments)..).unwrap_or_default();
    if packet.starts_with(b"OpusHead") {
        packet
            .get(9)
            .map_or(OggCodec::Unknown, |&channels| OggCodec::Opus { channels })
    } else if packet.starts_with(b"\x01vorbis") {
        OggCodec::Vorbis
    } else if packet.starts_with(b"\x7fFLAC") {
        OggCodec::Flac
    } else if packet.starts_with(b"Speex   ") {
        OggCodec::Speex
    } else if packet.starts_with(b"\x80theora") {
        OggCodec::Theora
    } else {
        OggCodec::Unknown
    }
}

/// An ADTS frame header: 12 sync bits, then layer `00` (MPEG audio frames never have it), and
/// a sampling-frequency index in 0..=12.
fn is_adts(head: &[u8]) -> bool {
    match head {
        [0xFF, b1, b2, ..] => b1 & 0xF6 == 0xF0 && (b2 >> 2) & 0x0F <= 12,
        _ => false,
    }
}

/// An ID3v2 tag header: `ID3`, major version 2..=4, a revision, flags, and a 28-bit size
/// written as four bytes below 0x80.
fn is_id3(head: &[u8]) -> bool {
    match head {
        [
            b'I',
            b'D',
            b'3',
            version,
            revision,
            _flags,
            s0,
            s1,
            s2,
            s3,
            ..,
        ] => {
            (2..=4).contains(version)
                && *revision != 0xFF
                && [s0, s1, s2, s3].iter().all(|&&b| b < 0x80)
        }
        _ => false,
    }
}

/// An MPEG audio frame header: 11 sync bits, a version other than the reserved `01`, a layer
/// other than the reserved `00`, a bitrate index other than `1111`, a sampling rate index
/// other than `11`.
fn is_mpeg_audio_frame(head: &[u8]) -> bool {
    match head {
        [0xFF, b1, b2, ..] => {
            b1 & 0xE0 == 0xE0
                && (b1 >> 3) & 0b11 != 0b01
                && (b1 >> 1) & 0b11 != 0b00
                && b2 >> 4 != 0b1111
                && (b2 >> 2) & 0b11 != 0b11
        }
        _ => false,
    }
}

/// Non-empty, no NUL, valid UTF-8. A multi-byte character cut off at the end is allowed when
/// the head is shorter than the file (`size`).
fn is_text(head: &[u8], size: u64) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(error) => {
            let head_is_whole_file = u64::try_from(head.len()).is_ok_and(|len| len >= size);
            error.error_len().is_none() && !head_is_whole_file
        }
    }
}

impl fmt::Display for Detected {
    /// A phrase that completes "its bytes are ...".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Jpeg => f.write_str("a JPEG image"),
            Self::Png => f.write_str("a PNG image"),
            Self::Gif => f.write_str("a GIF image"),
            Self::WebP => f.write_str("a WebP image"),
            Self::Pdf => f.write_str("a PDF document"),
            Self::Ole2 => f.write_str("a legacy Office file (OLE2: XLS, PPT or DOC)"),
            Self::Zip => f.write_str("a ZIP archive (such as XLSX, PPTX or DOCX)"),
            Self::IsoMedia(brands) => brands.fmt(f),
            Self::Ogg(codec) => codec.fmt(f),
            Self::MpegAudio => f.write_str("MPEG audio (MP3)"),
            Self::Amr => f.write_str("AMR audio"),
            Self::AmrWideBand => f.write_str("AMR wide-band audio"),
            Self::Aac => f.write_str("AAC audio"),
            Self::Text => f.write_str("plain text"),
            Self::Unknown => f.write_str("not a recognised format"),
        }
    }
}

impl fmt::Display for IsoBrands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_mp4, self.is_3gp) {
            (true, true) => f.write_str("MP4/3GP media"),
            (true, false) => f.write_str("MP4 media"),
            (false, true) => f.write_str("3GP media"),
            (false, false) if &self.major == b"qt  " => f.write_str("a QuickTime movie"),
            (false, false) => write!(f, "ISO media of brand \"{}\"", self.major.escape_ascii()),
        }
    }
}

impl fmt::Display for OggCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Opus { channels: 1 } => f.write_str("mono Ogg Opus audio"),
            Self::Opus { channels } => write!(f, "Ogg Opus audio with {channels} channels"),
            Self::Vorbis => f.write_str("Ogg Vorbis audio"),
            Self::Flac => f.write_str("Ogg FLAC audio"),
            Self::Speex => f.write_str("Ogg Speex audio"),
            Self::Theora => f.write_str("Ogg Theora video"),
            Self::Unknown => f.write_str("an Ogg stream of unrecognised codec"),
        }
    }
}
