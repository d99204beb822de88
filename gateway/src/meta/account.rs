//! Account-level webhook fields: templates, phone number, account and user preference events.
//! These carry `entry[].time` and (except `user_preferences`) no `metadata`.
//!
//! Only the members the gateway reads are typed; nested detail objects (`restriction_info`,
//! `ban_info`, `waba_info`, `volume_tier_info`, ...) stay in `extra` exactly as sent, because
//! Meta's samples disagree on their types (a `"<TIMESTAMP>"` where an integer is documented).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::lenient;
use super::raw_object::ItemError;

/// An account-level change, by `changes[].field`. JSON form: `{"<field>": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountEvent {
    /// `message_template_status_update`.
    MessageTemplateStatusUpdate(TemplateStatusUpdate),
    /// `template_category_update`.
    TemplateCategoryUpdate(TemplateCategoryUpdate),
    /// `message_template_quality_update`.
    MessageTemplateQualityUpdate(TemplateQualityUpdate),
    /// `message_template_components_update`.
    MessageTemplateComponentsUpdate(TemplateComponentsUpdate),
    /// `phone_number_name_update`.
    PhoneNumberNameUpdate(PhoneNumberNameUpdate),
    /// `phone_number_quality_update`.
    PhoneNumberQualityUpdate(PhoneNumberQualityUpdate),
    /// `account_update`.
    AccountUpdate(AccountUpdate),
    /// `account_review_update`.
    AccountReviewUpdate(AccountReviewUpdate),
    /// `user_preferences`: users stopping or resuming marketing messages.
    UserPreferences(UserPreferences),
}

impl AccountEvent {
    /// The webhook field this event came from.
    pub fn field(&self) -> &'static str {
        match self {
            Self::MessageTemplateStatusUpdate(_) => "message_template_status_update",
            Self::TemplateCategoryUpdate(_) => "template_category_update",
            Self::MessageTemplateQualityUpdate(_) => "message_template_quality_update",
            Self::MessageTemplateComponentsUpdate(_) => "message_template_components_update",
            Self::PhoneNumberNameUpdate(_) => "phone_number_name_update",
            Self::PhoneNumberQualityUpdate(_) => "phone_number_quality_update",
            Self::AccountUpdate(_) => "account_update",
            Self::AccountReviewUpdate(_) => "account_review_update",
            Self::UserPreferences(_) => "user_preferences",
        }
    }

    /// Decodes `value` for an account-level `field`; `None` when the field is not one of them.
    pub(super) fn decode(field: &str, value: &RawValue) -> Option<Result<Self, ItemError>> {
        fn typed<'a, T: Deserialize<'a>>(
            value: &'a RawValue,
            wrap: fn(T) -> AccountEvent,
        ) -> Result<AccountEvent, ItemError> {
            serde_json::from_str(value.get())
                .map(wrap)
                .map_err(|e| ItemError::json(&e))
        }
        Some(match field {
            "message_template_status_update" => typed(value, Self::MessageTemplateStatusUpdate),
            "template_category_update" => typed(value, Self::TemplateCategoryUpdate),
            "message_template_quality_update" => typed(value, Self::MessageTemplateQualityUpdate),
            "message_template_components_update" => {
                typed(value, Self::MessageTemplateComponentsUpdate)
            }
            "phone_number_name_update" => typed(value, Self::PhoneNumberNameUpdate),
            "phone_number_quality_update" => typed(value, Self::PhoneNumberQualityUpdate),
            "account_update" => typed(value, Self::AccountUpdate),
            "account_review_update" => typed(value, Self::AccountReviewUpdate),
            "user_preferences" => typed(value, Self::UserPreferences),
            _ => return None,
        })
    }
}

/// `message_template_status_update`: a template was approved, rejected, paused, disabled...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    /// `APPROVED`, `REJECTED`, `FLAGGED`, `PAUSED`, `DISABLED`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The template id (an integer on the wire, kept as a string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_template_id: Option<String>,
    /// The template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_name: Option<String>,
    /// The template language, e.g. `en_US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_language: Option<String>,
    /// The template category, e.g. `UTILITY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_category: Option<String>,
    /// Why (`NONE`, `INVALID_FORMAT`, `SCAM`, ...); null when scheduled for deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Members this decoder does not model (`rejection_info`, `disable_info`, `other_info`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `template_category_update`: a template's category changed or is about to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateCategoryUpdate {
    /// The template id (kept as a string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_template_id: Option<String>,
    /// The template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_language: Option<String>,
    /// The category before a completed change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<String>,
    /// The new (or, for an impending change, the current) category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_category: Option<String>,
    /// The category the template will get (impending change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_category: Option<String>,
    /// When the impending change was announced, unix seconds (it happens 24 h later).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_update_timestamp: Option<i64>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `message_template_quality_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateQualityUpdate {
    /// The template id (kept as a string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_template_id: Option<String>,
    /// The template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_language: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_quality_score: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_quality_score: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `message_template_components_update`: a template's text was edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateComponentsUpdate {
    /// The template id (kept as a string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_template_id: Option<String>,
    /// The template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_language: Option<String>,
    /// The template's body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_element: Option<String>,
    /// Members this decoder does not model (title, footer, buttons...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `phone_number_name_update`: the display name review decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberNameUpdate {
    /// The business number, without `+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_phone_number: Option<String>,
    /// `APPROVED`, `REJECTED`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The name that was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_verified_name: Option<String>,
    /// Why it was rejected; null when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `phone_number_quality_update`: quality or messaging limit changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberQualityUpdate {
    /// The business number, without `+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_phone_number: Option<String>,
    /// `FLAGGED`, `UNFLAGGED`, `ONBOARDING`, `THROUGHPUT_UPGRADE`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The messaging limit tier, e.g. `TIER_10K` (being removed by Meta).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_limit: Option<String>,
    /// The messaging limit tier, e.g. `TIER_UNLIMITED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_daily_conversations_per_business: Option<String>,
    /// Members this decoder does not model (`old_limit`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `account_update`: the account was restricted, banned, verified, linked to a partner...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `ACCOUNT_RESTRICTION`, `DISABLED_UPDATE`, `PARTNER_REMOVED`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The phone number concerned, when the event is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Members this decoder does not model (`restriction_info`, `ban_info`, `waba_info`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `account_review_update`: the account review decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReviewUpdate {
    /// `APPROVED`, `REJECTED`, `PENDING`, `DEFERRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `user_preferences`: users' marketing message preferences changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPreferences {
    /// One entry per user and change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_preferences: Vec<UserPreference>,
    /// Members this decoder does not model (`metadata`, `contacts`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One `user_preferences[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPreference {
    /// The user's WhatsApp id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The user's BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `marketing_messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `stop`, `resume`, `signup`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Meta's sentence describing the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When it happened, unix seconds.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<i64>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
