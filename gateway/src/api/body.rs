//! The JSON bodies the operator API takes (the tools' own inputs, such as
//! [`CannedInput`], are taken as they are). They are read by [`ApiJson`](super::extract::ApiJson)
//! under the listener's size limit and deadline; a body that does not decode is refused with the
//! serde error (naming the field) and the endpoint's example.

use serde::Deserialize;

use super::extract::RequestBody;
use crate::tools::{ArticleInput, CannedInput, Lead, TicketRequest};

/// The body of `POST /api/v1/chats/{id}/transfer`.
#[derive(Debug, Deserialize)]
pub(super) struct TransferRequest {
    /// The department to send the chat to.
    pub(super) department: String,
}

impl RequestBody for TransferRequest {
    const EXAMPLE: &'static str = r#"{"department": "sales"}"#;
}

/// The body of `POST /api/v1/chats/{id}/send-check`: the message the operator wants to send.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum SendCheckRequest {
    /// Any non-template message. (A struct variant, so that unknown fields are refused.)
    FreeForm {},
    /// A registered template with this many parameters.
    Template {
        /// The template's name.
        name: String,
        /// Its language code.
        language: String,
        /// How many parameters the send would supply.
        #[serde(default)]
        parameters: usize,
    },
}

impl RequestBody for SendCheckRequest {
    const EXAMPLE: &'static str = r#"{"type": "free_form"} or {"type": "template", "name": "order_update", "language": "en_US", "parameters": 2}"#;
}

impl RequestBody for CannedInput {
    const EXAMPLE: &'static str =
        r#"{"shortcut": "greeting", "body": "Hello {{contact.name}}, this is {{agent.name}}."}"#;
}

impl RequestBody for ArticleInput {
    const EXAMPLE: &'static str = r#"{"title": "Returns", "body": "Thirty days with the receipt.", "link": "https://shop.example/returns"}"#;
}

/// The body of `POST /api/v1/chats/{id}/render`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RenderRequest {
    /// The canned response's id.
    pub(super) canned_response: String,
}

impl RequestBody for RenderRequest {
    const EXAMPLE: &'static str = r#"{"canned_response": "greeting"}"#;
}

/// The body of `POST /api/v1/chats/{id}/notes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NoteRequest {
    /// What the note says.
    pub(super) text: String,
}

impl RequestBody for NoteRequest {
    const EXAMPLE: &'static str = r#"{"text": "Promised a callback before 5 pm"}"#;
}

/// The body of `PUT /api/v1/chats/{id}/tags`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TagsRequest {
    /// Every tag the chat has from now on.
    pub(super) tags: Vec<String>,
}

impl RequestBody for TagsRequest {
    const EXAMPLE: &'static str = r#"{"tags": ["vip", "refund"]}"#;
}

impl RequestBody for Lead {
    const EXAMPLE: &'static str = r#"{"name": "Sheena Nelson", "email": "sheena@example.com", "phone": "+1 650 555 0101", "company": "Nelson & Co"}"#;
}

impl RequestBody for TicketRequest {
    const EXAMPLE: &'static str =
        r#"{"subject": "Order arrived damaged", "note": "Customer sent photos"} (or no body)"#;
}
