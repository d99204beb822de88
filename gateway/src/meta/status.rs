//! A status update for a message the business sent (`value.statuses[]`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::contact::Contact;
use super::graph_error::GraphError;
use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// `statuses[].status`.
    pub enum StatusValue {
        /// Sent (one check mark).
        Sent = "sent",
        /// Delivered (two check marks); not guaranteed to be sent before `read`.
        Delivered = "delivered",
        /// Read (two blue check marks).
        Read = "read",
        /// Failed; see `errors`.
        Failed = "failed",
        /// A voice message was played for the first time.
        Played = "played",
        /// Deleted by the business.
        Deleted = "deleted",
    }
}

open_enum! {
    /// `pricing.type`: whether the message is charged.
    pub enum PricingType {
        /// Charged.
        Regular = "regular",
        /// Free: a non-template or utility template message inside the customer service window.
        FreeCustomerService = "free_customer_service",
        /// Free: sent inside an open free entry point window.
        FreeEntryPoint = "free_entry_point",
    }
}

open_enum! {
    /// `pricing.category`. Meta spells the international authentication category with a
    /// hyphen here (and with an underscore for conversations); both read as
    /// [`PricingCategory::AuthenticationInternational`], which writes the hyphen.
    pub enum PricingCategory {
        /// Authentication template.
        Authentication = "authentication",
        /// Authentication template at the international rate.
        AuthenticationInternational = "authentication-international" | "authentication_international",
        /// Marketing template.
        Marketing = "marketing",
        /// Marketing Messages Lite.
        MarketingLite = "marketing_lite",
        /// Free entry point conversion.
        ReferralConversion = "referral_conversion",
        /// Service (non-template) message.
        Service = "service",
        /// Utility template.
        Utility = "utility",
    }
}

/// One status update.
///
/// JSON form: Meta's fields, plus `contact` (the matching `value.contacts[]` entry, when any)
/// and the members this decoder does not model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The wamid of the message this status is about.
    pub id: String,
    /// The new status.
    pub status: StatusValue,
    /// When it happened, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// The recipient's WhatsApp id (or group id); may be absent for BSUID recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// The recipient's BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user_id: Option<String>,
    /// The recipient's parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_recipient_user_id: Option<String>,
    /// `group` when the message went to a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_type: Option<String>,
    /// The group participant this status is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_participant_id: Option<String>,
    /// Opaque data the business attached when sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    /// The conversation (omitted from v24.0 unless inside a free entry point window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// How the message is priced (on `sent` and on one of `delivered`/`read`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
    /// Why sending failed (`failed` statuses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphError>,
    /// The recipient's `value.contacts[]` entry, when the webhook has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When the conversation expires, unix seconds.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_timestamp: Option<i64>,
    /// What opened the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ConversationOrigin>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `conversation.origin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationOrigin {
    /// The conversation category (`marketing`, `utility`, `service`, `referral_conversion`...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `statuses[].pricing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    /// Deprecated by Meta in favour of `type` + `category`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `PMP` (per-message pricing, since 2025-07-01) or `CBP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing_model: Option<String>,
    /// Whether the message is charged.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PricingType>,
    /// The pricing category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<PricingCategory>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
