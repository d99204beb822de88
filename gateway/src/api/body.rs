//! The JSON bodies the operator API takes. They are read by [`ApiJson`](super::extract::ApiJson)
//! under the listener's size limit and deadline; a body that does not decode is refused with the
//! serde error (naming the field) and the endpoint's example.

use serde::Deserialize;

use super::extract::RequestBody;

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
