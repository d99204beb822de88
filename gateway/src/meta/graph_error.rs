//! The Graph API error object, as it appears in `statuses[].errors`, `messages[].errors` and
//! `value.errors` of a webhook.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// One Graph API error. `code` is what retry decisions key on (never the HTTP status).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    /// The error code, e.g. 131047 (re-engagement) or 130429 (rate limit).
    #[serde(deserialize_with = "lenient::req_i64")]
    pub code: i64,
    /// Short title, e.g. "Re-engagement message".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Extra detail (`error_data.details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    /// Link to Meta's error-code page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Members this decoder does not model (e.g. `type`, `fbtrace_id`, a top-level `details`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `error_data` of a [`GraphError`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorData {
    /// What went wrong, in Meta's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Members this decoder does not model (e.g. `messaging_product`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GraphError {
    /// `error_data.details`, if present.
    pub fn details(&self) -> Option<&str> {
        self.error_data.as_ref()?.details.as_deref()
    }
}
