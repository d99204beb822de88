//! `interactive` messages: the user's answer to an interactive message (reply button, list,
//! flow, call permission request).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::lenient;
use super::raw_object::{ItemError, RawObject};

/// An `interactive` message. JSON form: `{"reply": {"button_reply": {...}}, ...extra}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interactive {
    /// The answer, by `interactive.type`.
    pub reply: InteractiveReply,
    /// Members of the `interactive` object this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer inside an [`Interactive`] message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InteractiveReply {
    /// A reply button was tapped.
    ButtonReply(ButtonReply),
    /// A list row was chosen.
    ListReply(ListReply),
    /// A flow (or address message) was completed.
    NfmReply(NfmReply),
    /// The user answered a call permission request.
    CallPermissionReply(CallPermissionReply),
    /// An `interactive.type` this decoder does not know, kept raw.
    Other {
        /// `interactive.type` as sent.
        #[serde(rename = "type")]
        kind: String,
        /// The object named by the type, if present.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
}

impl InteractiveReply {
    /// `interactive.type` on the wire.
    pub fn kind(&self) -> &str {
        match self {
            Self::ButtonReply(_) => "button_reply",
            Self::ListReply(_) => "list_reply",
            Self::NfmReply(_) => "nfm_reply",
            Self::CallPermissionReply(_) => "call_permission_reply",
            Self::Other { kind, .. } => kind,
        }
    }
}

/// `button_reply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ButtonReply {
    /// The id the business gave the button.
    pub id: String,
    /// The button's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `list_reply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListReply {
    /// The id the business gave the row.
    pub id: String,
    /// The row's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The row's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `nfm_reply`: a completed flow or address message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NfmReply {
    /// `flow` or `address_message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The text shown in the chat (e.g. "Sent").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The flow's answers: a JSON document inside a string, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_json: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `call_permission_reply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallPermissionReply {
    /// `accept` or `reject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Until when the permission holds (unix seconds).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_timestamp: Option<i64>,
    /// What produced the answer, e.g. `user_action`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_source: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Decodes Meta's `interactive` object: `{"type": "<kind>", "<kind>": {...}}`.
pub(super) fn decode_interactive(raw: &RawValue) -> Result<Interactive, ItemError> {
    let mut object = RawObject::parse(raw)?;
    let kind = object.required_text("type")?;
    let reply = match kind.as_str() {
        "button_reply" => InteractiveReply::ButtonReply(object.required(&kind)?),
        "list_reply" => InteractiveReply::ListReply(object.required(&kind)?),
        "nfm_reply" => InteractiveReply::NfmReply(object.required(&kind)?),
        "call_permission_reply" => InteractiveReply::CallPermissionReply(object.required(&kind)?),
        _ => {
            let payload = object.take_raw_value(&kind)?;
            InteractiveReply::Other { kind, payload }
        }
    };
    object.refuse_reserved(&["reply"])?;
    Ok(Interactive {
        reply,
        extra: object.into_extra()?,
    })
}
