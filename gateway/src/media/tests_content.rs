//! Leading-bytes tests: the signature table, disguised files, Ogg codecs, text, short heads,
//! and the format table's consistency.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeSet;

use super::tests_fixtures::{
    AAC_ADIF, AAC_ADTS, AMR, FIXTURES, JPEG, MP3_FRAME, MP3_ID3, MP4, OGG_OPUS, OGG_VORBIS, OLE2,
    OOXML, PDF, PNG, TEXT, THREE_GP, head,
};
use super::*;

fn brands(major: &[u8; 4], is_3gp: bool, is_mp4: bool) -> Detected {
    Detected::IsoMedia(IsoBrands {
        major: *major,
        is_3gp,
        is_mp4,
    })
}

/// An Ogg page whose first packet is `packet`, with one segment.
fn ogg_page(packet: &[u8]) -> Vec<u8> {
    let mut page = OGG_OPUS[..26].to_vec();
    page.push(1);
    page.push(u8::try_from(packet.len()).unwrap());
    page.extend_from_slice(packet);
    page
}

fn content_refusal(kind: AttachmentKind, name: &str, bytes: &[u8]) -> AttachmentRefusal {
    let mime = Format::from_extension(extension_of(name).unwrap())
        .unwrap()
        .0
        .mime();
    check_attachment(kind, name, mime, 10_000, &head(bytes)).unwrap_err()
}

#[test]
fn media_sniff_table() {
    let cases: [(&[u8], Detected); 15] = [
        (JPEG, Detected::Jpeg),
        (PNG, Detected::Png),
        (PDF, Detected::Pdf),
        (TEXT, Detected::Text),
        (OLE2, Detected::Ole2),
        (OOXML, Detected::Zip),
        (THREE_GP, brands(b"3gp4", true, true)),
        (MP4, brands(b"isom", false, true)),
        (MP3_ID3, Detected::MpegAudio),
        (MP3_FRAME, Detected::MpegAudio),
        (OGG_OPUS, Detected::Ogg(OggCodec::Opus { channels: 1 })),
        (OGG_VORBIS, Detected::Ogg(OggCodec::Vorbis)),
        (AMR, Detected::Amr),
        (AAC_ADTS, Detected::Aac),
        (AAC_ADIF, Detected::Aac),
    ];
    for (bytes, expected) in cases {
        assert_eq!(sniff(&head(bytes), 10_000), expected, "{bytes:x?}");
    }
    assert_eq!(sniff(b"GIF89a\x01\x00", 100), Detected::Gif);
    assert_eq!(sniff(b"RIFF\x24\x00\x00\x00WEBPVP8 ", 100), Detected::WebP);
    assert_eq!(sniff(b"#!AMR-WB\n\x00", 100), Detected::AmrWideBand);
    assert_eq!(sniff(b"", 100), Detected::Unknown);
    assert_eq!(sniff(b"\x00\x00\x01\xba\x44\x00", 100), Detected::Unknown);
}

#[test]
fn media_lookalikes_are_not_audio() {
    // Text that starts like an ID3 tag, and frame-sync bytes with reserved fields.
    assert_eq!(sniff(b"ID3 tags are metadata", 21), Detected::Text);
    assert_eq!(
        sniff(b"ID3\x04\x00\x00\x00\x00\x80\x00", 10),
        Detected::Unknown
    );
    assert_eq!(sniff(b"\xff\xf9\x50", 3), Detected::Aac); // ADTS, MPEG-2
    assert_eq!(sniff(b"\xff\xfa\x90", 3), Detected::MpegAudio); // MPEG-1 layer III, CRC
    assert_eq!(sniff(b"\xff\xe8\x90", 3), Detected::Unknown); // reserved version
    assert_eq!(sniff(b"\xff\xf9\xfc", 3), Detected::Unknown); // ADTS, bad rate index
    assert_eq!(sniff(b"\xff\xfb\xf0", 3), Detected::Unknown); // bad bitrate index
    assert_eq!(sniff(b"\xff\xfb\x9c", 3), Detected::Unknown); // reserved sampling rate
}

#[test]
fn media_disguised_files_are_refused() {
    let cases: [(AttachmentKind, &str, &[u8], Detected); 9] = [
        (AttachmentKind::Image, "photo.jpg", PNG, Detected::Png),
        (
            AttachmentKind::Image,
            "photo.png",
            b"GIF89a\x01\x00",
            Detected::Gif,
        ),
        (AttachmentKind::Document, "notes.txt", PDF, Detected::Pdf),
        (
            AttachmentKind::Document,
            "prices.xlsx",
            OLE2,
            Detected::Ole2,
        ),
        (AttachmentKind::Document, "prices.xls", OOXML, Detected::Zip),
        (
            AttachmentKind::Document,
            "report.pdf",
            b"MZ\x90\x00\x03",
            Detected::Unknown,
        ),
        (
            AttachmentKind::Video,
            "clip.3gp",
            MP4,
            brands(b"isom", false, true),
        ),
        (
            AttachmentKind::Audio,
            "memo.amr",
            b"#!AMR-WB\n\x00",
            Detected::AmrWideBand,
        ),
        (
            AttachmentKind::Audio,
            "song.mpeg",
            b"\x00\x00\x01\xba\x44",
            Detected::Unknown,
        ),
    ];
    for (kind, name, bytes, detected) in cases {
        let refusal = content_refusal(kind, name, bytes);
        assert!(
            matches!(refusal, AttachmentRefusal::ContentMismatch { detected: d, .. } if d == detected),
            "{name}: {refusal}"
        );
    }
    let only_3gp = b"\x00\x00\x00\x14ftyp3gp5\x00\x00\x00\x003gp5";
    let refusal = content_refusal(AttachmentKind::Video, "clip.mp4", only_3gp);
    assert_eq!(
        refusal.to_string(),
        "clip.mp4 says MP4 but its bytes are 3GP media"
    );
    let quicktime = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ";
    let refusal = content_refusal(AttachmentKind::Video, "clip.mp4", quicktime);
    assert_eq!(
        refusal.to_string(),
        "clip.mp4 says MP4 but its bytes are a QuickTime movie"
    );
    let odd = b"\x00\x00\x00\x10ftyp\xffab\"\x00\x00\x00\x00";
    let refusal = content_refusal(AttachmentKind::Video, "clip.mp4", odd);
    assert_eq!(
        refusal.to_string(),
        "clip.mp4 says MP4 but its bytes are ISO media of brand \"\\xffab\\\"\""
    );
    let refusal = content_refusal(AttachmentKind::Document, "notes.txt", b"\x00\x01binary");
    assert_eq!(
        refusal.to_string(),
        "notes.txt says plain text but its bytes are not a recognised format"
    );
}

#[test]
fn media_ogg_must_be_mono_opus() {
    let refusal = content_refusal(AttachmentKind::Audio, "music.ogg", OGG_VORBIS);
    assert_eq!(
        refusal,
        AttachmentRefusal::OggNotMonoOpus {
            file_name: "music.ogg".into(),
            codec: OggCodec::Vorbis,
        }
    );
    assert_eq!(
        refusal.to_string(),
        "music.ogg is Ogg Vorbis audio; WhatsApp takes Ogg audio only as mono Opus: convert it, or send MP3 or AAC"
    );
    let mut stereo = OGG_OPUS.to_vec();
    stereo[37] = 2;
    assert!(matches!(
        content_refusal(AttachmentKind::Audio, "voice.ogg", &stereo),
        AttachmentRefusal::OggNotMonoOpus {
            codec: OggCodec::Opus { channels: 2 },
            ..
        }
    ));
    for (packet, codec) in [
        (&b"\x7fFLAC\x01\x00"[..], OggCodec::Flac),
        (b"Speex   1.2", OggCodec::Speex),
        (b"\x80theora\x03", OggCodec::Theora),
        (b"fishead\x00", OggCodec::Unknown),
    ] {
        assert_eq!(sniff(&ogg_page(packet), 10_000), Detected::Ogg(codec));
        assert!(matches!(
            content_refusal(AttachmentKind::Audio, "voice.ogg", &ogg_page(packet)),
            AttachmentRefusal::OggNotMonoOpus { codec: c, .. } if c == codec
        ));
    }
    // A head cut before the channel count cannot show mono Opus: refused, never accepted.
    for cut in [4, 26, 27, 30, 37] {
        let short = &OGG_OPUS[..cut];
        assert_eq!(
            sniff(short, 10_000),
            Detected::Ogg(OggCodec::Unknown),
            "{cut}"
        );
        assert!(
            check_attachment(AttachmentKind::Audio, "v.ogg", "audio/ogg", 10_000, short).is_err()
        );
    }
    let whole = &OGG_OPUS[..38];
    assert!(check_attachment(AttachmentKind::Audio, "v.ogg", "audio/ogg", 10_000, whole).is_ok());
}

#[test]
fn media_text_is_utf8_without_nul() {
    let text = |head: &[u8], size: u64| {
        check_attachment(AttachmentKind::Document, "a.txt", "text/plain", size, head)
    };
    assert!(text(b"\xef\xbb\xbfwith a byte-order mark\r\n", 25).is_ok());
    assert!(text(b"tab\tand\x0cform feed", 18).is_ok());
    // "€" is three bytes; a head that ends inside it is fine when the file goes on.
    assert!(text(b"price: \xe2\x82", 1_000).is_ok());
    assert!(text(b"price: \xe2\x82", 9).is_err());
    for binary in [
        &b"caf\xe9 latin-1"[..],
        b"\xff\xfeh\x00i\x00", // UTF-16LE with its byte-order mark
        b"nul\x00inside",
        b"\xc0\xaf overlong",
    ] {
        assert!(text(binary, 1_000).is_err(), "{binary:x?}");
    }
}

#[test]
fn media_only_the_first_64_bytes_count() {
    let mut long_text = vec![b'a'; HEAD_LEN];
    long_text.extend_from_slice(b"\x00\xff after the head");
    assert_eq!(sniff(&long_text, 1_000), Detected::Text);
    // An ftyp box claiming more brands than the head holds reads only what is there.
    let mut big_box = MP4[..16].to_vec();
    big_box[3] = 0xFF;
    big_box.extend(std::iter::repeat_n(*b"junk", 20).flatten());
    big_box.extend_from_slice(b"3gp4");
    assert_eq!(sniff(&big_box, 10_000), brands(b"isom", false, true));
}

#[test]
fn media_short_heads_never_let_a_file_through() {
    // A head shorter than the signature does not pass for the format.
    for fixture in FIXTURES.iter().filter(|f| f.format != Format::Text) {
        let signature_len = match fixture.format {
            Format::Jpeg | Format::MpegAudio | Format::Aac => 3,
            Format::Mp4 | Format::ThreeGp => 12,
            _ => 4,
        };
        let short = &fixture.bytes[..signature_len - 1];
        let kind = fixture.format.kind();
        assert!(
            check_attachment(kind, fixture.name, fixture.mime, 10_000, short).is_err(),
            "{}",
            fixture.name
        );
    }
    assert!(check_attachment(AttachmentKind::Image, "a.jpg", "image/jpeg", 10, b"").is_err());
}

#[test]
fn media_kind_for_extensions_and_mime_types() {
    let cases = [
        ("jpg", Some(AttachmentKind::Image)),
        (".PNG", Some(AttachmentKind::Image)),
        ("report.pdf", Some(AttachmentKind::Document)),
        (" pptx ", Some(AttachmentKind::Document)),
        ("3gp", Some(AttachmentKind::Video)),
        ("mpeg", Some(AttachmentKind::Audio)),
        ("acc", Some(AttachmentKind::Audio)),
        ("image/jpeg", Some(AttachmentKind::Image)),
        ("text/plain; charset=utf-8", Some(AttachmentKind::Document)),
        ("video/3gp", Some(AttachmentKind::Video)),
        ("AUDIO/OGG; codecs=opus", Some(AttachmentKind::Audio)),
        ("gif", None),
        ("exe", None),
        ("", None),
        (".", None),
        ("image/gif", None),
        ("image/webp", None),
        ("audio/mp4", None),
        ("application/octet-stream", None),
        ("/", None),
    ];
    for (text, kind) in cases {
        assert_eq!(kind_for(text), kind, "{text:?}");
    }
}

#[test]
fn media_format_table_is_consistent() {
    for kind in AttachmentKind::ALL {
        let from_formats: BTreeSet<&str> = Format::ALL
            .iter()
            .filter(|f| f.kind() == kind)
            .flat_map(|f| f.extensions().iter().copied())
            .collect();
        let allowed: BTreeSet<&str> = allowed_extensions(kind).iter().copied().collect();
        assert_eq!(from_formats, allowed, "{kind}");
    }
    let mut seen = BTreeSet::new();
    for format in Format::ALL {
        let all = format.extensions().iter().chain(format.extension_aliases());
        for &extension in all {
            assert_eq!(extension, extension.to_ascii_lowercase());
            assert!(seen.insert(extension), "{extension} twice");
            assert_eq!(Format::from_extension(extension).map(|f| f.0), Some(format));
        }
        for &mime in std::iter::once(&format.mime()).chain(format.mime_aliases()) {
            assert!(seen.insert(mime), "{mime} twice");
            assert_eq!(Format::from_mime_type(mime).map(|f| f.0), Some(format));
        }
    }
    assert_eq!(Limits::IMAGE, 5 * MEGABYTE);
    assert_eq!(Limits::DOCUMENT, 40 * MEGABYTE);
    assert_eq!(Limits::VIDEO, 16 * MEGABYTE);
    assert_eq!(Limits::AUDIO, 16 * MEGABYTE);
    assert_eq!(Limits::INBOUND, 100_000_000);
}
