//! The records the store keeps, as versioned postcard values.
//!
//! postcard is not self-describing, so every stored value is wrapped in an enum whose variant
//! index is the record's version: a later release adds `V2` and still reads `V1`. No `usize`
//! appears in these types, so a 32-bit board reads what a 64-bit host wrote.

use serde::{Deserialize, Serialize};

/// What an inbound log entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    /// A customer's message (`messages[]`).
    Message,
    /// A status of a message the business sent (`statuses[]`).
    Status,
    /// A value-level error (`value.errors[]`).
    Error,
    /// An account-level change (template, phone number, account fields).
    Account,
    /// A change of a field this build does not know, kept raw.
    Unknown,
}

impl RecordKind {
    /// The name used in exports and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Status => "status",
            Self::Error => "error",
            Self::Account => "account",
            Self::Unknown => "unknown",
        }
    }
}

/// One decoded webhook event, as appended to the inbound log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// When the gateway received the webhook (wall clock, Unix milliseconds).
    pub received_at_ms: u64,
    /// What the event is.
    pub kind: RecordKind,
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: String,
    /// The subscribed field (`changes[].field`).
    pub field: String,
    /// The business number's id (`value.metadata.phone_number_id`), when the field has one.
    pub phone_number_id: Option<String>,
    /// The message id, for messages and statuses.
    pub wamid: Option<String>,
    /// The customer: `from`/`wa_id`/`recipient_id`, or the user id when there is no phone number.
    pub sender: Option<String>,
    /// The business-scoped user id (BSUID), when Meta sent one.
    pub user_id: Option<String>,
    /// Meta's timestamp of the event (Unix seconds).
    pub timestamp: Option<i64>,
    /// The message type, status value, `error`, or field name.
    pub type_name: String,
    /// The decoded content as JSON (the typed event, unknown fields included).
    pub content_json: String,
}

/// A signed payload, or an item of one, that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// When the gateway received it (wall clock, Unix milliseconds).
    pub received_at_ms: u64,
    /// Where in the payload the item sat (`entry[0].changes[1].value.messages[2]`), or empty for a
    /// whole body.
    pub path: String,
    /// Why it could not be decoded.
    pub error: String,
    /// The exact bytes received (the whole body, or the item's JSON text).
    pub raw: Vec<u8>,
}

/// A [`DeadLetter`] borrowed: what is encoded, without copying the raw bytes first.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DeadLetterRef<'a> {
    /// See [`DeadLetter::received_at_ms`].
    pub received_at_ms: u64,
    /// See [`DeadLetter::path`].
    pub path: &'a str,
    /// See [`DeadLetter::error`].
    pub error: &'a str,
    /// See [`DeadLetter::raw`].
    pub raw: &'a [u8],
}

/// The wire form of [`LogRecord`]; the variant is the version.
#[derive(Deserialize)]
enum LogRecordWire {
    V1(LogRecord),
}

/// [`LogRecordWire`] for encoding, borrowed.
#[derive(Serialize)]
enum LogRecordWireRef<'a> {
    V1(&'a LogRecord),
}

/// The wire form of [`DeadLetter`]; the variant is the version.
#[derive(Deserialize)]
enum DeadLetterWire {
    V1(DeadLetter),
}

/// [`DeadLetterWire`] for encoding, borrowed (same bytes: serde writes a slice and a `Vec` of
/// bytes alike).
#[derive(Serialize)]
enum DeadLetterWireRef<'a> {
    V1(DeadLetterRef<'a>),
}

/// Room for a record's fixed fields and length prefixes, past its variable ones.
const ENCODING_OVERHEAD: usize = 64;

impl LogRecord {
    /// Encodes the record for the store.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising plain owned data into a Vec cannot fail.
        postcard::to_allocvec(&LogRecordWireRef::V1(self)).unwrap_or_default()
    }

    /// Decodes a stored record.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::from_bytes(bytes)? {
            LogRecordWire::V1(record) => Ok(record),
        }
    }
}

impl DeadLetter {
    /// Encodes the dead letter for the store.
    pub fn to_bytes(&self) -> Vec<u8> {
        DeadLetterRef {
            received_at_ms: self.received_at_ms,
            path: &self.path,
            error: &self.error,
            raw: &self.raw,
        }
        .to_bytes()
    }

    /// Decodes a stored dead letter.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::from_bytes(bytes)? {
            DeadLetterWire::V1(letter) => Ok(letter),
        }
    }
}

impl DeadLetterRef<'_> {
    /// Encodes the dead letter for the store, in one allocation of the right size (a whole
    /// body can be megabytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let size = self.raw.len() + self.path.len() + self.error.len() + ENCODING_OVERHEAD;
        postcard::to_extend(&DeadLetterWireRef::V1(*self), Vec::with_capacity(size))
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    const GOLDEN_V1: &str = concat!(
        "0093a5de8af532000f313032323930313239333430333938086d65737361676573010f",
        "313036353430333532323432393232010777616d69642e41010b3136353035353531",
        "3233340001fee6af840d0474657874167b2274657874223a7b22626f6479223a2268",
        "69227d7d"
    );

    fn sample() -> LogRecord {
        LogRecord {
            received_at_ms: 1_749_416_383_123,
            kind: RecordKind::Message,
            waba_id: "102290129340398".into(),
            field: "messages".into(),
            phone_number_id: Some("106540352242922".into()),
            wamid: Some("wamid.A".into()),
            sender: Some("16505551234".into()),
            user_id: None,
            timestamp: Some(1_749_416_383),
            type_name: "text".into(),
            content_json: r#"{"text":{"body":"hi"}}"#.into(),
        }
    }

    #[test]
    fn log_record_round_trips() {
        let record = sample();
        assert_eq!(LogRecord::from_bytes(&record.to_bytes()).unwrap(), record);
    }

    #[test]
    fn log_record_layout_is_pinned() {
        // Golden bytes: variant 0 (= V1), then each field in declaration order, varints for
        // integers, length-prefixed strings, 0/1 tags for options. Changing this breaks every
        // stored log: add a V2 instead.
        assert_eq!(hex::encode(sample().to_bytes()), GOLDEN_V1);
    }

    #[test]
    fn a_future_version_is_refused_not_misread() {
        let mut bytes = sample().to_bytes();
        bytes[0] = 1; // V2, unknown to this build
        assert!(LogRecord::from_bytes(&bytes).is_err());
    }

    #[test]
    fn dead_letter_round_trips() {
        let letter = DeadLetter {
            received_at_ms: 5,
            path: String::new(),
            error: "expected value at line 1 column 1".into(),
            raw: b"\xff\x00garbage".to_vec(),
        };
        assert_eq!(DeadLetter::from_bytes(&letter.to_bytes()).unwrap(), letter);
    }
}
