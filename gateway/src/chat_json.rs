//! The JSON shape of a chat and of a logged message, shared by `waygate export --chats` and the
//! operator API so that both show a chat the same way.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::chat::{Chat, ChatState, DeadlineKind, Server};
use crate::store::{ContactProfile, LogRecord};

/// One chat as JSON. Instants are Unix milliseconds (UTC).
#[derive(Debug, Serialize)]
pub(crate) struct ChatJson<'a> {
    id: u64,
    number: &'a str,
    customer: &'a str,
    department: Option<&'a str>,
    /// `waiting`, `active` or `closed`.
    state: &'static str,
    /// For a closed chat: why, and when.
    reason: Option<&'static str>,
    closed_at: Option<u64>,
    /// For an active chat: "bot" or the operator's name.
    served_by: Option<&'a str>,
    opened_at: u64,
    last_customer_message_at: u64,
    last_activity_at: u64,
    /// When an open chat's timer fires, and which timer it is.
    deadline_at: Option<u64>,
    deadline_kind: Option<&'static str>,
    profanity_hits: u32,
    /// How many messages the chat holds (from either side).
    messages: u32,
    /// The customer's profile name and username, where the operator API reads them.
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a ContactProfile>,
}

impl<'a> ChatJson<'a> {
    /// The JSON view of `chat`.
    pub(crate) fn new(chat: &'a Chat) -> Self {
        let (state, reason, closed_at) = match &chat.state {
            ChatState::Waiting => ("waiting", None, None),
            ChatState::Active { .. } => ("active", None, None),
            ChatState::Closed { reason, at } => ("closed", Some(reason.as_str()), Some(*at)),
        };
        Self {
            id: chat.id.0,
            number: chat.number.as_str(),
            customer: chat.customer.as_str(),
            department: chat.department.as_deref(),
            state,
            reason,
            closed_at,
            served_by: chat.served_by().map(|server| match server {
                Server::Bot => "bot",
                Server::Operator(name) => name.as_str(),
            }),
            opened_at: chat.opened_at,
            last_customer_message_at: chat.last_customer_message_at,
            last_activity_at: chat.last_activity_at,
            deadline_at: chat.deadline.map(|deadline| deadline.at),
            deadline_kind: chat
                .deadline
                .map(|deadline| deadline_kind_name(deadline.kind)),
            profanity_hits: chat.profanity_hits,
            messages: chat.messages,
            contact: None,
        }
    }

    /// The JSON view of `chat`, with its customer's `contact` profile.
    pub(crate) fn with_contact(chat: &'a Chat, contact: &'a ContactProfile) -> Self {
        Self {
            contact: Some(contact),
            ..Self::new(chat)
        }
    }
}

/// The stable name of a deadline's kind: `unattended`, `idle`, `bot-idle`.
const fn deadline_kind_name(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Unattended => "unattended",
        DeadlineKind::Idle => "idle",
        DeadlineKind::BotIdle => "bot-idle",
    }
}

/// A logged event's decoded content: the stored JSON as is.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ContentJson<'a> {
    /// The stored JSON.
    Json(&'a RawValue),
    /// Not valid JSON (never written by this build): shown as a string rather than dropped.
    Text(&'a str),
}

impl<'a> ContentJson<'a> {
    /// The content of `content_json`, as JSON when it parses.
    pub(crate) fn new(content_json: &'a str) -> Self {
        serde_json::from_str::<&RawValue>(content_json).map_or(Self::Text(content_json), Self::Json)
    }
}

/// One message of a chat as JSON: its place in the inbound log, Meta's id and timestamp (Unix
/// seconds), its type and its decoded content.
#[derive(Debug, Serialize)]
pub(crate) struct MessageJson<'a> {
    seq: u64,
    wamid: Option<&'a str>,
    timestamp: Option<i64>,
    #[serde(rename = "type")]
    type_name: &'a str,
    content: ContentJson<'a>,
    /// For a customer's media the gateway downloaded: the local media id
    /// (`GET /api/v1/media/{id}`). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    media_id: Option<String>,
}

impl<'a> MessageJson<'a> {
    /// The JSON view of the inbound log record `seq`.
    pub(crate) fn new(seq: u64, record: &'a LogRecord) -> Self {
        Self {
            seq,
            wamid: record.wamid.as_deref(),
            timestamp: record.timestamp,
            type_name: &record.type_name,
            content: ContentJson::new(&record.content_json),
            media_id: None,
        }
    }

    /// Its place in the inbound log.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// Names the local copy of the message's media.
    pub(crate) fn set_media_id(&mut self, id: u64) {
        self.media_id = Some(id.to_string());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::chat::{BusinessNumber, ChatId, CloseReason, CustomerId, Deadline};
    use crate::store::RecordKind;

    fn chat(state: ChatState, deadline: Option<Deadline>) -> Chat {
        Chat {
            id: ChatId(7),
            number: BusinessNumber("106540352242922".into()),
            customer: CustomerId::WaId("16505550001".into()),
            department: Some("sales".into()),
            state,
            opened_at: 1_000,
            last_customer_message_at: 2_000,
            last_activity_at: 3_000,
            deadline,
            profanity_hits: 1,
            messages: 4,
        }
    }

    #[test]
    fn an_active_chat_names_its_operator_and_deadline() {
        let deadline = Deadline {
            at: 9_000,
            kind: DeadlineKind::Idle,
        };
        let active = chat(
            ChatState::Active {
                served_by: Server::Operator("ana".into()),
            },
            Some(deadline),
        );
        let value = serde_json::to_value(ChatJson::new(&active)).unwrap();
        assert_eq!(value["id"], 7);
        assert_eq!(value["state"], "active");
        assert_eq!(value["served_by"], "ana");
        assert_eq!(value["deadline_at"], 9_000);
        assert_eq!(value["deadline_kind"], "idle");
        assert_eq!(value["reason"], serde_json::Value::Null);
        assert_eq!(value["department"], "sales");
        assert_eq!(value["messages"], 4);
    }

    #[test]
    fn a_closed_chat_has_its_reason_and_close_time() {
        let closed = chat(
            ChatState::Closed {
                reason: CloseReason::BotIdle,
                at: 5_000,
            },
            None,
        );
        let value = serde_json::to_value(ChatJson::new(&closed)).unwrap();
        assert_eq!(value["state"], "closed");
        assert_eq!(value["reason"], "bot-idle");
        assert_eq!(value["closed_at"], 5_000);
        assert_eq!(value["served_by"], serde_json::Value::Null);
        assert_eq!(value["deadline_kind"], serde_json::Value::Null);
    }

    #[test]
    fn a_message_keeps_its_content_as_json() {
        let record = LogRecord {
            received_at_ms: 1,
            kind: RecordKind::Message,
            waba_id: "w".into(),
            field: "messages".into(),
            phone_number_id: Some("p".into()),
            wamid: Some("wamid.A".into()),
            sender: Some("16505550001".into()),
            user_id: None,
            timestamp: Some(1_749_416_383),
            type_name: "text".into(),
            content_json: r#"{"text":{"body":"hi"}}"#.into(),
        };
        let value = serde_json::to_value(MessageJson::new(3, &record)).unwrap();
        assert_eq!(value["seq"], 3);
        assert_eq!(value["wamid"], "wamid.A");
        assert_eq!(value["type"], "text");
        assert_eq!(value["content"]["text"]["body"], "hi");
        let broken = LogRecord {
            content_json: "not json".into(),
            ..record
        };
        let value = serde_json::to_value(MessageJson::new(4, &broken)).unwrap();
        assert_eq!(value["content"], "not json");
    }
}
