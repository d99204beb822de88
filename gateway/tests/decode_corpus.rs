//! Every webhook payload in the third-party corpus decodes and round-trips through JSON;
//! the one invalid upstream file is a typed error; retries keep their dedupe keys.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

mod decode_common;

use decode_common::{
    INVALID_JAVA_FILE, as_message, decode, only_event, payload, read, webhook_payloads,
};
use gateway::meta::{DecodeError, DedupeKey, Event, EventKind, MessageContent, decode_webhook};

/// Corpus payloads that are genuinely malformed upstream (placeholders where Meta sends
/// numbers), with the exact rejection they must produce.
const KNOWN_REJECTIONS: &[(&str, &str, &str)] = &[
    (
        "test_build_from_payload_can_build_a_location_notification#0",
        "entry[0].changes[0].value.messages[0]",
        "`location`: invalid value: string, expected a finite number or a string holding one at line 7 column 42",
    ),
    (
        "test_build_from_payload_can_build_an_order_notification#0",
        "entry[0].changes[0].value.messages[0]",
        "`order`: invalid value: string, expected an integer or a string of decimal digits at line 10 column 41",
    ),
];

#[test]
fn every_corpus_webhook_decodes_and_round_trips() {
    let payloads = webhook_payloads();
    assert!(
        payloads.len() >= 185,
        "corpus looks incomplete: {} payloads",
        payloads.len()
    );
    let mut events = 0;
    let mut seen_rejections = 0;
    for payload in &payloads {
        let decoded = decode(payload);
        let known = KNOWN_REJECTIONS
            .iter()
            .find(|(suffix, _, _)| payload.name.ends_with(suffix));
        match known {
            Some((_, path, error)) => {
                assert_eq!(decoded.rejected.len(), 1, "{}", payload.name);
                let rejected = &decoded.rejected[0];
                assert_eq!(rejected.path, *path, "{}", payload.name);
                assert_eq!(rejected.error, *error, "{}", payload.name);
                let raw_message: serde_json::Value = serde_json::from_str(&rejected.raw).unwrap();
                assert_eq!(raw_message["id"], "wamid.ID");
                seen_rejections += 1;
            }
            None => assert!(
                decoded.rejected.is_empty(),
                "{}: {:?}",
                payload.name,
                decoded.rejected
            ),
        }
        for event in &decoded.events {
            assert_eq!(event.kind, event.content.kind(), "{}", payload.name);
            let json = serde_json::to_string(&event.content).unwrap();
            let back: Event = serde_json::from_str(&json).unwrap();
            assert_eq!(back, event.content, "{}: {json}", payload.name);
            match (&event.dedupe_key, &event.content) {
                (DedupeKey::Message(wamid), Event::Message(m)) => {
                    assert_eq!(wamid, &m.id);
                    assert_eq!(event.wamid.as_ref(), Some(wamid));
                    assert_eq!(event.type_name, m.type_name);
                }
                (DedupeKey::Status { wamid, status }, Event::Status(s)) => {
                    assert_eq!(wamid, &s.id);
                    assert_eq!(status, s.status.as_str());
                    assert_eq!(event.type_name, s.status.as_str());
                }
                (DedupeKey::Content(_), Event::Error(_)) => assert_eq!(event.type_name, "error"),
                (DedupeKey::Content(_), Event::Account(_) | Event::Unknown(_)) => {
                    assert_eq!(event.type_name, event.field);
                }
                (key, content) => panic!("{}: key {key:?} for {content:?}", payload.name),
            }
        }
        events += decoded.events.len();
    }
    assert_eq!(seen_rejections, KNOWN_REJECTIONS.len());
    assert!(
        events >= payloads.len(),
        "{events} events from {} payloads",
        payloads.len()
    );
}

#[test]
fn the_invalid_upstream_java_file_is_a_decode_error() {
    let body = read(INVALID_JAVA_FILE);
    assert_eq!(
        decode_webhook(&body),
        Err(DecodeError::NotJson {
            category: "syntax error",
            line: 29,
            column: 1
        })
    );
}

#[test]
fn two_changes_in_one_entry_give_two_events() {
    let decoded = decode(&payload("can_build_multiple_text_notification#0"));
    let bodies: Vec<&str> = decoded
        .events
        .iter()
        .map(|e| match &as_message(e).content {
            MessageContent::Text(text) => text.body.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bodies, ["MESSAGE_BODY", "MESSAGE_BODY2"]);
}

#[test]
fn a_retried_account_event_has_the_same_key_and_a_later_one_does_not() {
    let body = payload("account_update.json:account_offboarded").body;
    let first = decode_webhook(&body).unwrap().events.remove(0);
    let again = decode_webhook(&body).unwrap().events.remove(0);
    assert_eq!(first.dedupe_key, again.dedupe_key);
    let text = String::from_utf8(body).unwrap();
    let later = text.replace("1743451903", "1743451904");
    assert_ne!(text, later);
    let later = decode_webhook(later.as_bytes()).unwrap().events.remove(0);
    assert_ne!(first.dedupe_key, later.dedupe_key);
    let other = payload("account_update.json:account_reconnected").body;
    let other = decode_webhook(&other).unwrap().events.remove(0);
    assert_ne!(first.dedupe_key, other.dedupe_key);
}
#[test]
fn unmodelled_fields_are_kept_whole() {
    for (suffix, field) in [
        ("call_connect.json:user_initiated", "calls"),
        ("call_status.json:call_status", "calls"),
        ("outgoing_message.json:edit", "smb_message_echoes"),
        (
            "webhook_examples.json:Group Create Message",
            "group_lifecycle_update",
        ),
    ] {
        let event = only_event(suffix);
        assert_eq!(event.kind, EventKind::Unknown, "{suffix}");
        assert_eq!(
            (event.field.as_str(), event.type_name.as_str()),
            (field, field)
        );
        assert!(event.phone_number_id.is_some(), "{suffix}");
        let Event::Unknown(change) = &event.content else {
            panic!("{:?}", event.content)
        };
        assert_eq!(change.field, field);
        let original: serde_json::Value = serde_json::from_slice(&payload(suffix).body).unwrap();
        assert_eq!(change.value, original["entry"][0]["changes"][0]["value"]);
    }
}
