//! The `contacts[]` of a change value: who sent a message, or who a status is about.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One `value.contacts[]` entry, attached to the message (or status) it describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The user's profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// The user's WhatsApp id (usually the phone number); absent for username-only users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The business-scoped user id (BSUID), e.g. `US.13491208655302741918`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The parent BSUID (`US.ENT.…`), for business portfolios with several businesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
    /// Present when the identity-change check is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_key_hash: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contacts[].profile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The user's profile name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's WhatsApp username (e.g. `@name`), when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Contact {
    /// The contact for a message or status: the entry whose `wa_id` equals `wa_id`, else the one
    /// whose `user_id` equals `user_id`, else the only entry when there is exactly one.
    pub(super) fn find<'c>(
        contacts: &'c [Self],
        wa_id: Option<&str>,
        user_id: Option<&str>,
    ) -> Option<&'c Self> {
        let by_wa_id =
            wa_id.and_then(|id| contacts.iter().find(|c| c.wa_id.as_deref() == Some(id)));
        let by_user_id =
            || user_id.and_then(|id| contacts.iter().find(|c| c.user_id.as_deref() == Some(id)));
        let only = || match contacts {
            [one] => Some(one),
            _ => None,
        };
        by_wa_id.or_else(by_user_id).or_else(only)
    }
}
