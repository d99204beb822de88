//! One POST carrying many entries, changes, messages, statuses and errors yields every event,
//! in payload order; a broken item does not take its siblings with it.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use gateway::meta::{DedupeKey, Event, EventKind, MessageContent, decode_webhook};
use serde_json::{Value, json};

fn text(id: &str, from: &str, body: &str) -> Value {
    json!({"from": from, "id": id, "timestamp": "1700000000", "type": "text", "text": {"body": body}})
}

fn status(id: &str, value: &str) -> Value {
    json!({"id": id, "status": value, "timestamp": 1_700_000_100, "recipient_id": "15550001111"})
}

fn messages_change(phone_number_id: &str, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "15550000000", "phone_number_id": phone_number_id});
    json!({"field": "messages", "value": value})
}

fn batch() -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-A",
                "changes": [
                    messages_change("PN-A", json!({
                        "contacts": [{"profile": {"name": "Ann"}, "wa_id": "111"}],
                        "messages": [text("wamid.A00", "111", "first"), json!({
                            "from": "111", "id": "wamid.A01", "timestamp": "1700000001", "type": "image",
                            "image": {"id": "media-1", "mime_type": "image/jpeg"}
                        })],
                        "statuses": [status("wamid.out1", "delivered")],
                    })),
                    messages_change("PN-A", json!({
                        "messages": [text("wamid.A10", "222", "second")],
                        "statuses": [status("wamid.out1", "read"), status("wamid.out2", "failed")],
                        "errors": [{"code": 130_429, "title": "Rate limit hit"}],
                    })),
                ]
            },
            {
                "id": "WABA-B",
                "time": 1_700_000_500,
                "changes": [
                    messages_change("PN-B", json!({
                        "messages": [
                            text("wamid.B00", "333", "third"),
                            {"from": "333", "timestamp": "1700000002", "type": "text", "text": {"body": "no id"}},
                            text("wamid.B02", "333", "fourth"),
                        ],
                    })),
                    messages_change("PN-B", json!({
                        "statuses": [status("wamid.out3", "sent"), status("wamid.out3", "delivered")],
                    })),
                    {
                        "field": "message_template_status_update",
                        "value": {"event": "APPROVED", "message_template_id": 77, "message_template_name": "t"}
                    },
                ]
            }
        ]
    })
    .to_string()
}

#[test]
fn every_item_becomes_an_event_in_payload_order() {
    let decoded = decode_webhook(batch().as_bytes()).unwrap();
    let seen: Vec<(String, EventKind, String, String)> = decoded
        .events
        .iter()
        .map(|e| {
            (
                e.waba_id.clone(),
                e.kind,
                e.wamid.clone().unwrap_or_default(),
                e.type_name.clone(),
            )
        })
        .collect();
    let expected = [
        ("WABA-A", EventKind::Message, "wamid.A00", "text"),
        ("WABA-A", EventKind::Message, "wamid.A01", "image"),
        ("WABA-A", EventKind::Status, "wamid.out1", "delivered"),
        ("WABA-A", EventKind::Message, "wamid.A10", "text"),
        ("WABA-A", EventKind::Status, "wamid.out1", "read"),
        ("WABA-A", EventKind::Status, "wamid.out2", "failed"),
        ("WABA-A", EventKind::ValueError, "", "error"),
        ("WABA-B", EventKind::Message, "wamid.B00", "text"),
        ("WABA-B", EventKind::Message, "wamid.B02", "text"),
        ("WABA-B", EventKind::Status, "wamid.out3", "sent"),
        ("WABA-B", EventKind::Status, "wamid.out3", "delivered"),
        (
            "WABA-B",
            EventKind::Account,
            "",
            "message_template_status_update",
        ),
    ];
    let expected: Vec<(String, EventKind, String, String)> = expected
        .iter()
        .map(|(w, k, id, t)| ((*w).to_owned(), *k, (*id).to_owned(), (*t).to_owned()))
        .collect();
    assert_eq!(seen, expected);

    // Columns shared per change come from that change.
    let phone_numbers: Vec<Option<&str>> = decoded
        .events
        .iter()
        .map(|e| e.phone_number_id.as_deref())
        .collect();
    assert_eq!(phone_numbers[..7], [Some("PN-A"); 7]);
    assert_eq!(phone_numbers[7..11], [Some("PN-B"); 4]);
    assert_eq!(phone_numbers[11], None);
    // The contact of the first change is not attached to the second change's message.
    let contact_names: Vec<Option<String>> = decoded
        .events
        .iter()
        .filter_map(|e| match &e.content {
            Event::Message(m) => Some(
                m.contact
                    .as_ref()
                    .and_then(|c| c.profile.as_ref()?.name.clone()),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(
        contact_names,
        [Some("Ann".into()), Some("Ann".into()), None, None, None]
    );
    // Account events take entry.time; statuses take their own timestamp.
    assert_eq!(decoded.events[11].timestamp, Some(1_700_000_500));
    assert_eq!(decoded.events[9].timestamp, Some(1_700_000_100));
    assert_eq!(decoded.events[6].timestamp, None);
}

#[test]
fn a_broken_item_is_rejected_with_its_path_and_exact_text() {
    let body = batch();
    let decoded = decode_webhook(body.as_bytes()).unwrap();
    let [rejected] = decoded.rejected.as_slice() else {
        panic!("{:?}", decoded.rejected)
    };
    assert_eq!(rejected.path, "entry[1].changes[0].value.messages[1]");
    assert_eq!(rejected.error, "missing field `id`");
    assert!(body.contains(&rejected.raw), "raw must be the exact text");
    let raw: Value = serde_json::from_str(&rejected.raw).unwrap();
    assert_eq!(raw["text"]["body"], "no id");
    let bodies: Vec<&str> = decoded
        .events
        .iter()
        .filter_map(|e| match &e.content {
            Event::Message(m) => match &m.content {
                MessageContent::Text(t) => Some(t.body.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(bodies, ["first", "second", "third", "fourth"]);
}

#[test]
fn dedupe_keys_tell_events_apart() {
    let decoded = decode_webhook(batch().as_bytes()).unwrap();
    let keys: Vec<&DedupeKey> = decoded.events.iter().map(|e| &e.dedupe_key).collect();
    assert_eq!(keys[0], &DedupeKey::Message("wamid.A00".into()));
    // The same outgoing message's delivered and read are two events.
    assert_eq!(
        keys[2],
        &DedupeKey::Status {
            wamid: "wamid.out1".into(),
            status: "delivered".into()
        }
    );
    assert_ne!(keys[2], keys[4]);
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            assert_ne!(a, b);
        }
    }
    // Decoding the same body again (Meta's retry) gives the same keys.
    let again = decode_webhook(batch().as_bytes()).unwrap();
    let again: Vec<&DedupeKey> = again.events.iter().map(|e| &e.dedupe_key).collect();
    assert_eq!(keys, again);
}

#[test]
fn many_entries_are_all_read() {
    let entries: Vec<Value> = (0..50)
        .map(|i| {
            json!({"id": format!("W{i}"), "changes": [messages_change("PN", json!({
                "messages": [text(&format!("wamid.{i}a"), "1", "a"), text(&format!("wamid.{i}b"), "1", "b")]
            }))]})
        })
        .collect();
    let body = json!({"object": "whatsapp_business_account", "entry": entries}).to_string();
    let decoded = decode_webhook(body.as_bytes()).unwrap();
    assert_eq!(decoded.events.len(), 100);
    assert_eq!(decoded.events[99].wamid.as_deref(), Some("wamid.49b"));
    assert_eq!(decoded.events[98].waba_id, "W49");
}
