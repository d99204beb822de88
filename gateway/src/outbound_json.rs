//! The JSON shape of an operator's message, in the message endpoints and in a chat's history.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::store::OutboundMessage;

/// One outgoing message as JSON. Instants are Unix milliseconds (UTC); money is micro-USD.
#[derive(Debug, Serialize)]
pub(crate) struct OutboundJson<'a> {
    id: u64,
    chat: u64,
    number: &'a str,
    /// The customer: a phone number, or a BSUID.
    customer: &'a str,
    operator: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    /// `queued`, `sending`, `sent`, `delivered`, `read`, `failed` or `uncertain`.
    state: &'static str,
    wamid: Option<&'a str>,
    attempts: u32,
    created_at: u64,
    updated_at: u64,
    /// While queued after a failed attempt: not before this instant.
    next_attempt_at: Option<u64>,
    estimate_micro_usd: u64,
    pricing: &'a str,
    cost_micro_usd: Option<u64>,
    error: Option<ErrorJson<'a>>,
    retry_of: Option<u64>,
    retried_by: Option<u64>,
    /// The body as the operator wrote it.
    body: Option<&'a RawValue>,
}

/// Why a message failed.
#[derive(Debug, Serialize)]
struct ErrorJson<'a> {
    /// Meta's `error.code`; null for a failure on the way (network, a crash).
    code: Option<i64>,
    title: &'a str,
    details: Option<&'a str>,
    /// What a person can do about it.
    remedy: &'a str,
    at: u64,
}

impl<'a> OutboundJson<'a> {
    /// The JSON view of `message`.
    pub(crate) fn new(message: &'a OutboundMessage) -> Self {
        Self {
            id: message.id,
            chat: message.chat,
            number: message.number.as_str(),
            customer: message.customer.as_str(),
            operator: &message.operator,
            kind: &message.kind,
            state: message.state.as_str(),
            wamid: message.wamid.as_deref(),
            attempts: message.attempts,
            created_at: message.created_at,
            updated_at: message.updated_at,
            next_attempt_at: message.not_before,
            estimate_micro_usd: message.estimate_micro_usd,
            pricing: &message.pricing,
            cost_micro_usd: message.cost_micro_usd,
            error: message.error.as_ref().map(|error| ErrorJson {
                code: error.code,
                title: &error.title,
                details: error.details.as_deref(),
                remedy: &error.remedy,
                at: error.at,
            }),
            retry_of: message.retry_of,
            retried_by: message.retried_by,
            body: serde_json::from_str(&message.body).ok(),
        }
    }
}
