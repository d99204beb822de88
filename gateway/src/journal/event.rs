//! A journal event: new (as a change records it) and appended (with its sequence number and
//! time), and its stored form.

use serde::{Deserialize, Serialize};

use super::EventType;
use crate::time::UnixMs;

/// What an event says besides its type and chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventData {
    /// A JSON object, as text.
    Json(String),
    /// A customer's message: the inbound log's record `log_seq`, shown from the record when the
    /// event is read (the record never changes, so neither does the event; its content is not
    /// stored twice).
    Logged {
        /// The record's place in the inbound log.
        log_seq: u64,
    },
}

/// An event a change records, before the store appends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// What it reports.
    pub event_type: EventType,
    /// The chat it belongs to, if any.
    pub chat: Option<u64>,
    /// What it says.
    pub data: EventData,
}

impl NewEvent {
    /// An event whose data is `data` serialised to a JSON object.
    pub fn json(event_type: EventType, chat: Option<u64>, data: &impl Serialize) -> Self {
        let data = serde_json::to_string(data).unwrap_or_else(|_| String::from("{}"));
        Self {
            event_type,
            chat,
            data: EventData::Json(data),
        }
    }
}

/// An appended event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEvent {
    /// Its place in the journal: gateway-wide, from 1, without gaps.
    pub seq: u64,
    /// When the transaction that appended it committed (the box's clock).
    pub at: UnixMs,
    /// What it reports.
    pub event_type: EventType,
    /// The chat it belongs to, if any.
    pub chat: Option<u64>,
    /// What it says.
    pub data: EventData,
}

/// The stored form; the variant is the version.
#[derive(Serialize, Deserialize)]
enum JournalWire {
    V1 {
        at: UnixMs,
        event_type: EventType,
        chat: Option<u64>,
        data: EventData,
    },
}

impl JournalEvent {
    /// `event` appended as `seq` at `at`.
    pub fn appended(event: NewEvent, seq: u64, at: UnixMs) -> Self {
        Self {
            seq,
            at,
            event_type: event.event_type,
            chat: event.chat,
            data: event.data,
        }
    }

    /// The stored bytes (the sequence number is the key, not stored here).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(&JournalWire::V1 {
            at: self.at,
            event_type: self.event_type,
            chat: self.chat,
            data: self.data.clone(),
        })
        .unwrap_or_default()
    }

    /// The event stored as `seq` with `bytes`.
    pub fn from_bytes(seq: u64, bytes: &[u8]) -> Result<Self, postcard::Error> {
        let JournalWire::V1 {
            at,
            event_type,
            chat,
            data,
        } = postcard::from_bytes(bytes)?;
        Ok(Self {
            seq,
            at,
            event_type,
            chat,
            data,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn stored_bytes_read_back() {
        for data in [
            EventData::Json(String::from(r#"{"a":1}"#)),
            EventData::Logged { log_seq: 42 },
        ] {
            let event = JournalEvent::appended(
                NewEvent {
                    event_type: EventType::ChatClosed,
                    chat: Some(7),
                    data,
                },
                9,
                1_700_000_000_123,
            );
            assert_eq!(
                JournalEvent::from_bytes(9, &event.to_bytes()).unwrap(),
                event
            );
        }
    }

    #[test]
    fn a_record_of_another_version_is_an_error() {
        assert!(JournalEvent::from_bytes(1, &[9, 0]).is_err());
    }
}
