//! Name and MIME type tests: extensions, case, the `acc` alias, MIME aliases and parameters,
//! and the refusals for names and declarations that do not fit.
#![allow(clippy::unwrap_used, reason = "tests")]

use super::tests_fixtures::{AAC_ADTS, JPEG, MP3_ID3, MP4, OGG_OPUS, OLE2, TEXT, THREE_GP, check};
use super::*;

#[test]
fn media_acc_is_taken_as_aac_and_says_so() {
    for name in ["jingle.acc", "JINGLE.ACC", "jingle.Acc"] {
        let accepted = check(AttachmentKind::Audio, name, "audio/aac", 4_096, AAC_ADTS).unwrap();
        assert_eq!(accepted.format, Format::Aac);
        assert_eq!(accepted.extension_alias, Some("acc"));
        assert_eq!(accepted.mime, "audio/aac");
    }
    assert_eq!(kind_for("acc"), Some(AttachmentKind::Audio));
    // The alias names AAC: an MP3 called .acc is not AAC.
    assert!(matches!(
        check(
            AttachmentKind::Audio,
            "song.acc",
            "audio/aac",
            4_096,
            MP3_ID3
        ),
        Err(AttachmentRefusal::ContentMismatch {
            claimed: Format::Aac,
            detected: Detected::MpegAudio,
            ..
        })
    ));
}

#[test]
fn media_mime_aliases_and_parameters() {
    let cases = [
        (
            "clip.3gp",
            "video/3gp",
            THREE_GP,
            Some("video/3gp"),
            "video/3gpp",
        ),
        (
            "photo.jpg",
            "image/jpg",
            JPEG,
            Some("image/jpg"),
            "image/jpeg",
        ),
        (
            "song.mp3",
            "audio/mp3",
            MP3_ID3,
            Some("audio/mp3"),
            "audio/mpeg",
        ),
        ("photo.jpg", "IMAGE/JPEG", JPEG, None, "image/jpeg"),
        ("voice.ogg", "audio/ogg", OGG_OPUS, None, "audio/ogg"),
        (
            "voice.ogg",
            "Audio/Ogg; Codecs=\"opus\"",
            OGG_OPUS,
            None,
            "audio/ogg",
        ),
        (
            "order.txt",
            "text/plain;charset=UTF-8",
            TEXT,
            None,
            "text/plain",
        ),
    ];
    for (name, declared, bytes, alias, mime) in cases {
        let kind = kind_for(name).unwrap();
        let accepted = check(kind, name, declared, 2_048, bytes)
            .unwrap_or_else(|refusal| panic!("{declared}: {refusal}"));
        assert_eq!(
            (accepted.mime_alias, accepted.mime),
            (alias, mime),
            "{declared}"
        );
    }
}

#[test]
fn media_mismatched_mime_is_refused() {
    let refusal = check(AttachmentKind::Image, "photo.jpg", "image/png", 2_048, JPEG).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "photo.jpg is JPEG by its name but was declared as \"image/png\"; JPEG is declared as image/jpeg"
    );
    for declared in [
        "",
        "jpeg",
        "application/octet-stream",
        "image/gif",
        "video/mp4",
        "image/jpeg/x",
        "image /jpeg",
    ] {
        assert_eq!(
            check(AttachmentKind::Image, "photo.jpg", declared, 2_048, JPEG),
            Err(AttachmentRefusal::MimeMismatch {
                file_name: "photo.jpg".into(),
                format: Format::Jpeg,
                declared: declared.into(),
            }),
            "{declared:?}"
        );
    }
    // A declared codec other than Opus is refused before the bytes are read.
    for declared in [
        "audio/ogg; codecs=vorbis",
        "audio/ogg; codecs=\"opus, vorbis\"",
    ] {
        assert!(matches!(
            check(
                AttachmentKind::Audio,
                "voice.ogg",
                declared,
                2_048,
                OGG_OPUS
            ),
            Err(AttachmentRefusal::MimeMismatch {
                format: Format::OggOpus,
                ..
            })
        ));
    }
    // XLS and PPT share their bytes, not their MIME types.
    assert!(matches!(
        check(
            AttachmentKind::Document,
            "deck.ppt",
            "application/vnd.ms-excel",
            2_048,
            OLE2
        ),
        Err(AttachmentRefusal::MimeMismatch {
            format: Format::Ppt,
            ..
        })
    ));
}

#[test]
fn media_uppercase_and_mixed_case_extensions() {
    let cases: [(&str, &str, &[u8]); 4] = [
        ("PHOTO.JPG", "image/jpeg", JPEG),
        ("Scan.JpEg", "image/jpeg", JPEG),
        ("CLIP.MP4", "video/mp4", MP4),
        ("VOICE.OGG", "audio/ogg", OGG_OPUS),
    ];
    for (name, mime, bytes) in cases {
        let kind = kind_for(name).unwrap();
        assert!(check(kind, name, mime, 100, bytes).is_ok(), "{name}");
    }
}

#[test]
fn media_extension_not_allowed() {
    let refusal = check(
        AttachmentKind::Document,
        "setup.exe",
        "application/pdf",
        100,
        b"MZ\x90\x00",
    )
    .unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "setup.exe: the extension .exe is not allowed for documents; allowed: .pdf, .txt, .xls, .xlsx, .ppt, .pptx"
    );
    let cases = [
        ("README", None),
        ("photo.", Some("")),
        ("backup.tar.gz", Some("gz")),
        ("dir.v2/photo", None),
        ("photo.jpg.exe", Some("exe")),
        ("photo.gif", Some("gif")),
        ("voice.opus", Some("opus")),
        ("voice.vorbis", Some("vorbis")),
    ];
    for (name, extension) in cases {
        let kind = AttachmentKind::Image;
        assert_eq!(
            check(kind, name, "image/jpeg", 100, JPEG),
            Err(AttachmentRefusal::ExtensionNotAllowed {
                file_name: name.into(),
                kind,
                extension: extension.map(Into::into),
                allowed: &["jpeg", "jpg", "png"],
            }),
            "{name}"
        );
    }
    let refusal = check(AttachmentKind::Video, "README", "video/mp4", 100, MP4).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "README: a name without an extension is not allowed for videos; allowed: .3gp, .mp4"
    );
    // A path in the name: only its last component counts.
    assert!(
        check(
            AttachmentKind::Image,
            "C:\\fakepath\\photo.jpg",
            "image/jpeg",
            100,
            JPEG
        )
        .is_ok()
    );
}

#[test]
fn media_kind_mismatch() {
    let refusal = check(AttachmentKind::Image, "clip.mp4", "video/mp4", 100, MP4).unwrap_err();
    assert_eq!(
        refusal,
        AttachmentRefusal::KindMismatch {
            file_name: "clip.mp4".into(),
            kind: AttachmentKind::Image,
            format: Format::Mp4,
        }
    );
    assert_eq!(
        refusal.to_string(),
        "clip.mp4 is MP4, which is sent as a video, not as an image"
    );
    let refusal = check(
        AttachmentKind::Document,
        "voice.ogg",
        "audio/ogg",
        100,
        OGG_OPUS,
    );
    assert_eq!(
        refusal.unwrap_err().to_string(),
        "voice.ogg is Ogg Opus, which is sent as an audio file, not as a document"
    );
}
