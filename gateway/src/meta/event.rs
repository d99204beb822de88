//! What [`decode_webhook`](super::decode_webhook) returns: events, their dedupe keys, and the
//! items it had to reject.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::account::AccountEvent;
use super::graph_error::GraphError;
use super::message::Message;
use super::status::Status;

/// The result of decoding one webhook body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodedWebhook {
    /// One event per message, status, value-level error, account change and unknown change,
    /// in payload order (entries, then changes, then messages, statuses, errors).
    pub events: Vec<InboundEvent>,
    /// Items inside the usable envelope that could not be decoded.
    pub rejected: Vec<RejectedItem>,
}

/// An item that sits inside a usable webhook but cannot be decoded. The gateway keeps it in its
/// dead-letter table. `Debug` shows the size of `raw`, not its text (it may hold personal data).
#[derive(Clone, PartialEq, Eq)]
pub struct RejectedItem {
    /// Where the item is, e.g. `entry[0].changes[1].value.messages[2]`.
    pub path: String,
    /// Why it was rejected; never quotes the payload.
    pub error: String,
    /// The item's exact JSON text, as received.
    pub raw: String,
}

impl fmt::Debug for RejectedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RejectedItem")
            .field("path", &self.path)
            .field("error", &self.error)
            .field("raw", &format_args!("<{} bytes>", self.raw.len()))
            .finish()
    }
}

/// One decoded event with the columns the store indexes and exports.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundEvent {
    /// What kind of event this is.
    pub kind: EventKind,
    /// The key duplicates are recognised by.
    pub dedupe_key: DedupeKey,
    /// `entry[].id`: the WhatsApp Business Account id.
    pub waba_id: String,
    /// `changes[].field`, e.g. `messages` or `message_template_status_update`.
    pub field: String,
    /// `value.metadata.phone_number_id`: the business number the event belongs to.
    pub phone_number_id: Option<String>,
    /// The wamid of the message (messages) or of the message the status is about (statuses).
    pub wamid: Option<String>,
    /// The customer: a message's `from`, else the BSUID (`from_user_id`, then the contact's
    /// `user_id`); a status's `recipient_id`, else `recipient_user_id`.
    pub sender: Option<String>,
    /// The customer's BSUID when known (`from_user_id`/`recipient_user_id`, else the contact's).
    pub user_id: Option<String>,
    /// Unix seconds: the message's or status's `timestamp`, else `entry[].time`.
    pub timestamp: Option<i64>,
    /// The message `type`, the status value, `error` for value-level errors, or the field name
    /// for account and unknown changes.
    pub type_name: String,
    /// The typed content.
    pub content: Event,
}

/// The kind of an [`InboundEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// An incoming message.
    Message,
    /// A status of a message the business sent.
    Status,
    /// A value-level error (`value.errors[]` of a `messages` change).
    ValueError,
    /// An account-level change (templates, phone number, account, user preferences).
    Account,
    /// A change this decoder does not model, kept raw.
    Unknown,
}

impl EventKind {
    /// A stable lower-case name: `message`, `status`, `error`, `account`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Status => "status",
            Self::ValueError => "error",
            Self::Account => "account",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How duplicates are recognised (Meta retries for up to 7 days, to every subscribed app).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DedupeKey {
    /// A message: its wamid.
    Message(String),
    /// A status: the pair (wamid, status value), so `delivered` and `read` are both kept.
    Status {
        /// The wamid of the message the status is about.
        wamid: String,
        /// The status value as sent.
        status: String,
    },
    /// Everything else (value-level errors, account and unknown changes), which has no id:
    /// SHA-256 over a canonical, length-prefixed encoding of (field, WABA id, `entry[].time`,
    /// the exact raw bytes of the change value, and for a value-level error its index and its
    /// exact raw bytes). A retry carries the same bytes, so it gets the same key; two different
    /// events differ in at least one of these. Two identical error objects in separate webhooks
    /// that have no `time` share a key: they say the same thing, so the second is a duplicate.
    Content([u8; 32]),
}

impl fmt::Display for DedupeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(wamid) => write!(f, "message:{wamid}"),
            Self::Status { wamid, status } => write!(f, "status:{wamid}:{status}"),
            Self::Content(digest) => write!(f, "content:{}", hex::encode(digest)),
        }
    }
}

/// The typed content of an event. Its JSON form is what `export` prints; see the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// An incoming message.
    Message(Box<Message>),
    /// A status of a message the business sent.
    Status(Box<Status>),
    /// A value-level error.
    Error(GraphError),
    /// An account-level change.
    Account(AccountEvent),
    /// A change this decoder does not model.
    Unknown(UnknownChange),
}

impl Event {
    /// The [`EventKind`] of this content.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Message(_) => EventKind::Message,
            Self::Status(_) => EventKind::Status,
            Self::Error(_) => EventKind::ValueError,
            Self::Account(_) => EventKind::Account,
            Self::Unknown(_) => EventKind::Unknown,
        }
    }
}

/// A change whose field (or shape) this decoder does not model, kept exactly as a JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownChange {
    /// `changes[].field`.
    pub field: String,
    /// `changes[].value`.
    pub value: Value,
}
