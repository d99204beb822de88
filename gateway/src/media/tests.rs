//! Attachment policy tests: every format accepted, the two examples, the size edges.
#![allow(clippy::unwrap_used, reason = "tests")]

use super::tests_fixtures::{AAC_ADTS, FIXTURES, JPEG, MP4, OLE2, PNG, check, head};
use super::*;

/// The head of the PNG in the corpus (whatsapp-business-java-api's `starwars.png`, a real
/// third-party file). `WAYGATE_CORPUS` overrides the corpus location.
fn corpus_png_head() -> Vec<u8> {
    let corpus = std::env::var_os("WAYGATE_CORPUS").map_or_else(
        || std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus")),
        std::path::PathBuf::from,
    );
    let path = corpus.join("whatsapp-business-java-api/src/test/resources/starwars.png");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "corpus file {} unreadable ({e}); set WAYGATE_CORPUS",
            path.display()
        )
    });
    bytes[..HEAD_LEN].to_vec()
}

#[test]
fn media_every_format_is_accepted_with_a_realistic_header() {
    for fixture in FIXTURES {
        let kind = fixture.format.kind();
        let accepted = check(kind, fixture.name, fixture.mime, 1_000, fixture.bytes)
            .unwrap_or_else(|refusal| panic!("{}: {refusal}", fixture.name));
        assert_eq!(accepted.format, fixture.format, "{}", fixture.name);
        assert_eq!(accepted.kind, kind);
        assert_eq!(accepted.mime, fixture.format.mime());
        assert_eq!(accepted.size, 1_000);
        assert_eq!(
            (accepted.extension_alias, accepted.mime_alias),
            (None, None)
        );
    }
    // Every format has a fixture.
    for format in Format::ALL {
        assert!(FIXTURES.iter().any(|f| f.format == format), "{format:?}");
    }
}

#[test]
fn media_pdf_that_is_really_a_png_is_refused() {
    for png in [corpus_png_head(), head(PNG)] {
        let refusal = check_attachment(
            AttachmentKind::Document,
            "report.pdf",
            "application/pdf",
            103_632,
            &png,
        )
        .unwrap_err();
        assert_eq!(
            refusal,
            AttachmentRefusal::ContentMismatch {
                file_name: "report.pdf".into(),
                claimed: Format::Pdf,
                detected: Detected::Png,
            }
        );
        assert_eq!(
            refusal.to_string(),
            "report.pdf says PDF but its bytes are a PNG image"
        );
    }
    // The same bytes are a valid PNG image.
    let accepted = check_attachment(
        AttachmentKind::Image,
        "starwars.png",
        "image/png",
        103_632,
        &corpus_png_head(),
    );
    assert_eq!(accepted.map(|a| a.format), Ok(Format::Png));
}

#[test]
fn media_six_megabyte_jpeg_is_refused() {
    let refusal = check(
        AttachmentKind::Image,
        "photo.jpg",
        "image/jpeg",
        6_000_000,
        JPEG,
    )
    .unwrap_err();
    assert_eq!(
        refusal,
        AttachmentRefusal::TooLarge {
            file_name: "photo.jpg".into(),
            kind: AttachmentKind::Image,
            size: 6_000_000,
            limit: 5_000_000,
        }
    );
    assert_eq!(
        refusal.to_string(),
        "photo.jpg: 6.0 MB (6,000,000 bytes) is over the 5 MB limit for images (5,000,000 bytes)"
    );
    // 6 MiB is refused too.
    assert!(matches!(
        check(
            AttachmentKind::Image,
            "photo.jpg",
            "image/jpeg",
            6 << 20,
            JPEG
        ),
        Err(AttachmentRefusal::TooLarge { .. })
    ));
}

#[test]
fn media_exact_limit_is_accepted_and_one_byte_more_is_refused() {
    let cases = [
        (
            AttachmentKind::Image,
            5_000_000,
            "photo.jpg",
            "image/jpeg",
            JPEG,
        ),
        (
            AttachmentKind::Document,
            40_000_000,
            "prices.xls",
            "application/vnd.ms-excel",
            OLE2,
        ),
        (
            AttachmentKind::Video,
            16_000_000,
            "clip.mp4",
            "video/mp4",
            MP4,
        ),
        (
            AttachmentKind::Audio,
            16_000_000,
            "jingle.aac",
            "audio/aac",
            AAC_ADTS,
        ),
    ];
    for (kind, limit, name, mime, bytes) in cases {
        assert_eq!(kind.max_size(), limit);
        assert_eq!(
            check(kind, name, mime, limit, bytes).map(|a| a.size),
            Ok(limit)
        );
        assert_eq!(
            check(kind, name, mime, limit + 1, bytes),
            Err(AttachmentRefusal::TooLarge {
                file_name: name.into(),
                kind,
                size: limit + 1,
                limit,
            })
        );
    }
    // MB is 10^6 bytes: the binary reading's limit (5 MiB) and anything between are refused.
    for size in [5_000_001, 5 << 20] {
        assert!(check(AttachmentKind::Image, "a.png", "image/png", size, PNG).is_err());
    }
    assert!(check(AttachmentKind::Image, "a.png", "image/png", 1, PNG).is_ok());
}
#[test]
fn media_empty_file_is_refused() {
    for bytes in [&b""[..], JPEG] {
        let refusal = check_attachment(AttachmentKind::Image, "photo.jpg", "image/jpeg", 0, bytes);
        assert_eq!(
            refusal,
            Err(AttachmentRefusal::Empty {
                file_name: "photo.jpg".into()
            })
        );
    }
    let refusal = check_attachment(AttachmentKind::Document, "", "text/plain", 0, b"").unwrap_err();
    assert_eq!(refusal.to_string(), "(unnamed file) is empty");
}
