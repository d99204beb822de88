//! Property tests: no input panics, what is accepted really agrees, and every valid file with
//! any name, case and trailing bytes is accepted.
#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::tests_fixtures::{FIXTURES, Fixture};
use super::*;

fn any_kind() -> impl Strategy<Value = AttachmentKind> {
    prop::sample::select(AttachmentKind::ALL.to_vec())
}

fn any_fixture() -> impl Strategy<Value = &'static Fixture> {
    prop::sample::select(FIXTURES.iter().collect::<Vec<_>>())
}

/// Any string, or a name with a known, unknown or oddly cased extension.
fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ./\\\\\n]{0,12}\\.(jpg|JPEG|png|pdf|txt|xls|xlsx|ppt|pptx|3gp|mp4|mp3|mpeg|ogg|amr|aac|acc|exe|gif|)",
    ]
}

/// Any string, or an allowed MIME type with odd case, spaces and parameters.
fn any_mime() -> impl Strategy<Value = String> {
    let known: Vec<&str> = Format::ALL.iter().map(|f| f.mime()).collect();
    prop_oneof![
        any::<String>(),
        (prop::sample::select(known), "[ ;=a-zA-Z\"]{0,16}")
            .prop_map(|(mime, tail)| format!("{mime}{tail}")),
    ]
}

/// Random bytes, or a fixture's bytes with one byte changed and some cut off.
fn any_head() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..128),
        (any_fixture(), any::<usize>(), any::<u8>(), any::<usize>()).prop_map(
            |(fixture, at, byte, keep)| {
                let mut bytes = fixture.bytes.to_vec();
                let at = at % bytes.len();
                bytes[at] = byte;
                bytes.truncate(keep % (bytes.len() + 1));
                bytes
            }
        ),
    ]
}

fn any_size() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        0..=41_000_000_u64,
        prop::sample::select(vec![0, 1, 5_000_000, 5_000_001, 16_000_000, 40_000_001]),
    ]
}

/// `text` with the case of each ASCII letter flipped where `mask` has a 1 bit.
fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if (mask >> (i % 64)) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    // 512 cases per property; PROPTEST_CASES=N runs more (or fewer).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn media_any_input_is_answered_without_panic(
        kind in any_kind(),
        name in any_name(),
        mime in any_mime(),
        size in any_size(),
        head in any_head(),
    ) {
        match check_attachment(kind, &name, &mime, size, &head) {
            Ok(accepted) => {
                // What is accepted really agrees: kind, size, extension, MIME type and bytes.
                prop_assert_eq!(accepted.kind, kind);
                prop_assert_eq!(accepted.format.kind(), kind);
                prop_assert!(size > 0 && size <= kind.max_size());
                prop_assert_eq!(accepted.size, size);
                prop_assert_eq!(accepted.mime, accepted.format.mime());
                let extension = extension_of(&name).unwrap();
                prop_assert_eq!(Format::from_extension(extension).unwrap().0, accepted.format);
                prop_assert!(sniff(&head, size).fits(accepted.format));
                prop_assert_eq!(kind_for(&mime), Some(kind));
            }
            Err(refusal) => {
                // A refusal is one printable line, fit for a log or a reply.
                let text = refusal.to_string();
                prop_assert!(!text.is_empty());
                prop_assert!(!text.chars().any(char::is_control), "{:?}", text);
            }
        }
        let cut = &head[..head.len().min(HEAD_LEN)];
        prop_assert_eq!(sniff(&head, size), sniff(cut, size));
        let _ = kind_for(&name);
    }

    #[test]
    fn media_valid_files_are_accepted_whatever_their_name_case_and_tail(
        fixture in any_fixture(),
        stem in any::<String>(),
        extension_case in any::<u64>(),
        mime_case in any::<u64>(),
        binary_tail in prop::collection::vec(any::<u8>(), 0..64),
        text_tail in "[^\\x00]{0,24}",
        extra_size in 0..=16_000_000_u64,
    ) {
        let mut head = fixture.bytes.to_vec();
        if fixture.format == Format::Text {
            head.extend_from_slice(text_tail.as_bytes());
        } else {
            head.extend_from_slice(&binary_tail);
        }
        let kind = fixture.format.kind();
        let size = u64::try_from(head.len()).unwrap().saturating_add(extra_size).min(kind.max_size());
        let extension = extension_of(fixture.name).unwrap();
        let name = format!("{stem}.{}", recase(extension, extension_case));
        let mime = recase(fixture.mime, mime_case);
        let accepted = check_attachment(kind, &name, &mime, size, &head);
        prop_assert_eq!(accepted.map(|a| a.format), Ok(fixture.format), "{} {}", name, mime);
    }

    #[test]
    fn media_another_formats_mime_type_is_refused(
        fixture in any_fixture(),
        pick in any::<prop::sample::Index>(),
    ) {
        let others: Vec<Format> =
            Format::ALL.into_iter().filter(|&f| f != fixture.format).collect();
        let other = *pick.get(&others);
        let kind = fixture.format.kind();
        let refusal = check_attachment(kind, fixture.name, other.mime(), 1_000, fixture.bytes);
        let is_mime_mismatch = matches!(refusal, Err(AttachmentRefusal::MimeMismatch { .. }));
        prop_assert!(is_mime_mismatch);
    }
}
