//! Realistic leading bytes of each format, for the tests. Each header was checked with
//! libmagic's `file` (JPEG/JFIF, PNG 2000x1207 RGB, PDF 1.7, UTF-8 text, OLE2 v3, ZIP with
//! `[Content_Types].xml`, ISO media 3GPP and MP4 v1, ID3 v2.4 and an MPEG-1 layer III frame,
//! Ogg Opus mono 48 kHz, Ogg Vorbis stereo, AMR, ADTS AAC-LC 44.1 kHz, ADIF).

use super::{Accepted, AttachmentKind, AttachmentRefusal, Format, check_attachment};

/// One sample file: its format, a name, the declared MIME type and its first bytes.
#[derive(Debug)]
pub(super) struct Fixture {
    /// The format it is.
    pub(super) format: Format,
    /// A usual file name.
    pub(super) name: &'static str,
    /// The MIME type a browser or Meta would declare.
    pub(super) mime: &'static str,
    /// Its leading bytes (padded by [`head`] for the binary formats).
    pub(super) bytes: &'static [u8],
}

pub(super) const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x00H\x00H\x00\x00\xff\xdb\x00C\x00\x08\x06\x06\x07\x06\x05\x08";
pub(super) const PNG: &[u8] = b"\x89PNG\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR\x00\x00\x07\xd0\x00\x00\x04\xb7\x08\x02\x00\x00\x001Cv";
pub(super) const PDF: &[u8] =
    b"%PDF-1.7\x0a%\xe2\xe3\xcf\xd3\x0a1 0 obj\x0a<< /Type /Catalog /Pages 2 0 R >>\x0aendobj\x0a";
pub(super) const TEXT: &[u8] =
    "Order 1234: 3 × coffee, 2 × croissant\nTotal: 12,50 €\nThank you!\n".as_bytes();
pub(super) const OLE2: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00>\x00\x03\x00\xfe\xff\x09\x00\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\xfe\xff\xff\xff";
pub(super) const OOXML: &[u8] = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\x00\x00\x90\x04\x00\x00\x13\x00\x08\x02[Content_Types].xml \xa2\x04\x02(\xa0\x00\x02";
pub(super) const THREE_GP: &[u8] =
    b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x02\x00isom3gp4\x00\x00\x00\x08free\x00\x00\x10\x00mdat";
pub(super) const MP4: &[u8] = b"\x00\x00\x00 ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free\x00\x00\x10\x00mdat";
pub(super) const MP3_ID3: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x16TSSE\x00\x00\x00\x00\x00\x0c\x00\x00\x03Lavf53.5.0\x00\xff\xf3\x80\xc4\x00\x00\x00\x03H\x00\x00\x00\x00LAM";
pub(super) const MP3_FRAME: &[u8] = b"\xff\xfb\x90d\x00\x00\x00\x00\x00\x00\x00\x00";
pub(super) const OGG_OPUS: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x0f\x1e<Z\x00\x00\x00\x00\xb1\xf2\xd3\x8a\x01\x13OpusHead\x01\x018\x01\x80\xbb\x00\x00\x00\x00\x00OggS\x00\x00";
pub(super) const OGG_VORBIS: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x0f\x1e<Z\x00\x00\x00\x00\xb1\xf2\xd3\x8a\x01\x1e\x01vorbis\x00\x00\x00\x00\x02D\xac\x00\x00\x00\x00\x00\x00\x00\xe2\x04\x00\x00\x00\x00\x00\xb8\x01";
pub(super) const AMR: &[u8] = b"#!AMR\x0a<H\xf5\x1f\x96f<\x1e\x0e\x81\xe0k\x1cZF\xc0";
pub(super) const AAC_ADTS: &[u8] = b"\xff\xf1P\x80\x02\x1f\xfc!\x00I\x90\x02\x19\x00#\x80";
pub(super) const AAC_ADIF: &[u8] = b"ADIF\x00\x00\x02\x8a\x00\x17p\x00\x00\x00\x00\x00";

/// One sample of every format (two for MP3, `.mpeg`, and AAC), as browsers and Meta name them.
pub(super) const FIXTURES: &[Fixture] = &[
    fixture(Format::Jpeg, "photo.jpg", "image/jpeg", JPEG),
    fixture(Format::Jpeg, "scan.jpeg", "image/jpeg", JPEG),
    fixture(Format::Png, "screenshot.png", "image/png", PNG),
    fixture(Format::Pdf, "invoice.pdf", "application/pdf", PDF),
    fixture(Format::Text, "order.txt", "text/plain; charset=utf-8", TEXT),
    fixture(Format::Xls, "prices.xls", "application/vnd.ms-excel", OLE2),
    fixture(
        Format::Xlsx,
        "prices.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        OOXML,
    ),
    fixture(
        Format::Ppt,
        "deck.ppt",
        "application/vnd.ms-powerpoint",
        OLE2,
    ),
    fixture(
        Format::Pptx,
        "deck.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        OOXML,
    ),
    fixture(Format::ThreeGp, "clip.3gp", "video/3gpp", THREE_GP),
    fixture(Format::Mp4, "clip.mp4", "video/mp4", MP4),
    fixture(Format::MpegAudio, "song.mp3", "audio/mpeg", MP3_ID3),
    fixture(Format::MpegAudio, "song.mpeg", "audio/mpeg", MP3_FRAME),
    fixture(
        Format::OggOpus,
        "voice.ogg",
        "audio/ogg; codecs=opus",
        OGG_OPUS,
    ),
    fixture(Format::Amr, "memo.amr", "audio/amr", AMR),
    fixture(Format::Aac, "jingle.aac", "audio/aac", AAC_ADTS),
    fixture(Format::Aac, "jingle-adif.aac", "audio/aac", AAC_ADIF),
];

const fn fixture(
    format: Format,
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
) -> Fixture {
    Fixture {
        format,
        name,
        mime,
        bytes,
    }
}

/// The first bytes of a larger file starting with `bytes`: text as it is, binary formats
/// padded to 96 bytes with filler (more than [`HEAD_LEN`](super::HEAD_LEN), as a caller that
/// reads a fixed-size buffer would pass).
pub(super) fn head(bytes: &[u8]) -> Vec<u8> {
    let mut head = bytes.to_vec();
    if std::str::from_utf8(bytes).is_err() || bytes.contains(&0) {
        head.extend((head.len()..96).map(|i| u8::try_from((i * 37 + 11) % 256).unwrap_or(0)));
    }
    head
}

/// Checks `name` as `kind` with a head made from `bytes`, for a file of `size` bytes.
pub(super) fn check(
    kind: AttachmentKind,
    name: &str,
    mime: &str,
    size: u64,
    bytes: &[u8],
) -> Result<Accepted, AttachmentRefusal> {
    check_attachment(kind, name, mime, size, &head(bytes))
}
