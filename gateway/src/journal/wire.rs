//! The wire form of an event, the same for headquarters' batches and the local event stream:
//! `{"id": "<gateway_id>:<seq>", "seq": N, "type": "...", "at": "<RFC 3339>", "chat_id": N|null,
//! "data": {...}}`.

use serde::Serialize;
use serde_json::value::RawValue;

use super::JournalEvent;
use crate::time::Utc;

#[derive(Serialize)]
struct EventJson<'a> {
    id: String,
    seq: u64,
    #[serde(rename = "type")]
    event_type: &'static str,
    at: String,
    chat_id: Option<u64>,
    data: &'a RawValue,
}

/// `event` as JSON text, with `data` (the event's data, resolved to a JSON object) in place.
/// Data that is not valid JSON (never written by this build) is sent as `{}` rather than
/// breaking the batch.
pub fn event_json(gateway_id: &str, event: &JournalEvent, data: &str) -> String {
    let empty = serde_json::from_str::<&RawValue>("{}");
    let Ok(data) = serde_json::from_str::<&RawValue>(data).or(empty) else {
        return String::new();
    };
    serde_json::to_string(&EventJson {
        id: format!("{gateway_id}:{}", event.seq),
        seq: event.seq,
        event_type: event.event_type.as_str(),
        at: Utc(event.at).to_string(),
        chat_id: event.chat,
        data,
    })
    .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::journal::{EventData, EventType};

    #[test]
    fn the_wire_form_names_the_gateway_and_sequence() {
        let event = JournalEvent {
            seq: 12,
            at: 1_767_323_045_000,
            event_type: EventType::MessageSent,
            chat: Some(3),
            data: EventData::Json(String::from(r#"{"message_id":5}"#)),
        };
        let json: serde_json::Value =
            serde_json::from_str(&event_json("gw-1", &event, r#"{"message_id":5}"#)).unwrap();
        assert_eq!(json["id"], "gw-1:12");
        assert_eq!(json["seq"], 12);
        assert_eq!(json["type"], "message.sent");
        assert_eq!(json["at"], "2026-01-02T03:04:05Z");
        assert_eq!(json["chat_id"], 3);
        assert_eq!(json["data"]["message_id"], 5);
    }

    #[test]
    fn broken_data_is_sent_as_an_empty_object() {
        let event = JournalEvent {
            seq: 1,
            at: 0,
            event_type: EventType::NoteAdded,
            chat: None,
            data: EventData::Json(String::from("not json")),
        };
        let json: serde_json::Value =
            serde_json::from_str(&event_json("g", &event, "not json")).unwrap();
        assert_eq!(json["data"], serde_json::json!({}));
        assert!(json["chat_id"].is_null());
    }
}
