//! An operator's message to a customer as the store keeps it: what was asked, by whom, where it
//! stands at Meta, what it cost, and why it failed. Versioned like every stored record.

use serde::{Deserialize, Serialize};

use crate::chat::{BusinessNumber, CustomerId};
use crate::outbound::MessageState;
use crate::time::UnixMs;

/// What to do about an `uncertain` message: Meta may or may not have it.
pub const UNCERTAIN_REMEDY: &str = "Meta may or may not have accepted it: look at the customer's \
    chat (delivered and read statuses still arrive), and retry it only if it did not arrive";

/// One outgoing message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// The local message id (starts at 1, only grows).
    pub id: u64,
    /// The chat it was written in.
    pub chat: u64,
    /// The business number it leaves from.
    pub number: BusinessNumber,
    /// The customer it goes to: a phone number goes in `to`, a BSUID in `recipient`.
    pub customer: CustomerId,
    /// The operator who wrote it.
    pub operator: String,
    /// Its type: `text`, `template`, `image`, `document`, `audio`, `video` or `reaction`.
    pub kind: String,
    /// The operator's body as JSON text: Meta's send body without `messaging_product` and `to`.
    pub body: String,
    /// Where it stands.
    pub state: MessageState,
    /// Meta's id for it, once Meta accepted it.
    pub wamid: Option<String>,
    /// Requests made to Meta for it.
    pub attempts: u32,
    /// When the operator asked for it.
    pub created_at: UnixMs,
    /// When it last changed.
    pub updated_at: UnixMs,
    /// Not before this instant (a retry's backoff).
    pub not_before: Option<UnixMs>,
    /// The estimated cost when it was queued, in micro-USD.
    pub estimate_micro_usd: u64,
    /// The expected pricing: `free_customer_service`, `free_entry_point` or `regular`.
    pub pricing: String,
    /// The category it is priced in (`service`, `utility`, `marketing`...).
    pub category: String,
    /// The recipient's market (ISO 3166 alpha-2), when known.
    pub market: Option<String>,
    /// What Meta's statuses said of its price (`pricing.type`, `pricing.category`).
    pub settled: Option<SettledPricing>,
    /// The cost Meta's status settled, in micro-USD.
    pub cost_micro_usd: Option<u64>,
    /// Why it failed (or why the last attempt failed, while it waits for a retry).
    pub error: Option<SendFailure>,
    /// The operator's `Idempotency-Key`, if one was given.
    pub idempotency_key: Option<String>,
    /// The failed or uncertain message this one retries.
    pub retry_of: Option<u64>,
    /// The message that retried this one.
    pub retried_by: Option<u64>,
}

/// A status webhook's `pricing`: how Meta prices the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledPricing {
    /// `pricing.type`: `regular`, `free_customer_service`, `free_entry_point` (an open set).
    pub kind: Option<String>,
    /// `pricing.category`, as written (an open set).
    pub category: Option<String>,
    /// `pricing.billable` (deprecated by Meta, still sent).
    pub billable: Option<bool>,
}

impl SettledPricing {
    /// Whether Meta charges for the message, as far as the status says: `None` when it says
    /// nothing either way.
    pub fn charged(&self) -> Option<bool> {
        match self.kind.as_deref() {
            Some("regular") => Some(true),
            Some(kind) if kind.starts_with("free") => Some(false),
            _ => self.billable,
        }
    }
}

/// Why a message failed, in Meta's words and ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendFailure {
    /// Meta's `error.code`; `None` for a failure on the way (network, timeout, a crash).
    pub code: Option<i64>,
    /// Meta's title, or ours.
    pub title: String,
    /// Meta's `error_data.details`, if any.
    pub details: Option<String>,
    /// What a person can do about it.
    pub remedy: String,
    /// When it happened.
    pub at: UnixMs,
}

/// The wire form of a stored message; the variant is the version.
#[derive(Serialize, Deserialize)]
enum MessageWire {
    V1(OutboundMessage),
}

impl OutboundMessage {
    /// Encodes it for the store.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(&MessageWire::V1(self.clone())).unwrap_or_default()
    }

    /// Decodes stored bytes.
    pub(super) fn from_bytes(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::from_bytes(bytes)? {
            MessageWire::V1(message) => Ok(message),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_message_survives_the_round_trip() {
        let message = OutboundMessage {
            id: 7,
            chat: 3,
            number: BusinessNumber("1065".into()),
            customer: CustomerId::Bsuid("US.1349".into()),
            operator: "ana".into(),
            kind: "text".into(),
            body: r#"{"type":"text","text":{"body":"hi"}}"#.into(),
            state: MessageState::Failed,
            wamid: Some("wamid.X".into()),
            attempts: 2,
            created_at: 1,
            updated_at: 2,
            not_before: Some(3),
            estimate_micro_usd: 8_000,
            pricing: "regular".into(),
            category: "utility".into(),
            market: Some("US".into()),
            settled: Some(SettledPricing {
                kind: Some("regular".into()),
                category: Some("utility".into()),
                billable: Some(true),
            }),
            cost_micro_usd: None,
            error: Some(SendFailure {
                code: Some(131_047),
                title: "Re-engagement message".into(),
                details: None,
                remedy: "send a template".into(),
                at: 2,
            }),
            idempotency_key: Some("k".into()),
            retry_of: None,
            retried_by: Some(8),
        };
        assert_eq!(
            OutboundMessage::from_bytes(&message.to_bytes()).unwrap(),
            message
        );
    }
}
