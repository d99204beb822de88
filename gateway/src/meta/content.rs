//! The type-specific objects of simple incoming message types (`text`, media, `location`,
//! `button`, `reaction`, `order`, `system`, `unsupported`). Their JSON form is Meta's.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;
use super::open_enum::open_enum;

/// `text`: a plain text message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// The message text.
    pub body: String,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `image`, `audio`, `video`, `document` and `sticker`: a media attachment, fetched by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The media id (valid for 7 days) to fetch the file with.
    pub id: String,
    /// The MIME type, e.g. `image/jpeg` or `audio/ogg; codecs=opus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// SHA-256 of the file (base64 in Meta's examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A download URL (being rolled out since 2025-11; needs the access token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The caption (image, video, document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The file name (document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// True for a voice note (audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
    /// True for an animated sticker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `location`: a shared or current location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude in degrees (number or numeric string on the wire).
    #[serde(deserialize_with = "lenient::req_f64")]
    pub latitude: f64,
    /// Longitude in degrees (number or numeric string on the wire).
    #[serde(deserialize_with = "lenient::req_f64")]
    pub longitude: f64,
    /// The place's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The place's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A URL for the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `button`: a quick-reply button tapped on a template message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    /// The button's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The payload the business set on the button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `reaction`: an emoji reaction to a business message, or its removal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    /// The wamid of the message reacted to.
    pub message_id: String,
    /// The emoji; absent (or empty) when the user removed their reaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Reaction {
    /// True when this reaction removes an earlier one (no emoji, or an empty one).
    pub fn is_removal(&self) -> bool {
        self.emoji.as_deref().is_none_or(str::is_empty)
    }
}

/// `order`: a cart sent from a catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The catalog the products come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_id: Option<String>,
    /// Text sent with the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The ordered products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_items: Vec<ProductItem>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One `order.product_items[]` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductItem {
    /// The product's SKU in the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_retailer_id: Option<String>,
    /// How many (integer or digit string on the wire).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<i64>,
    /// Unit price as Meta sends it (a number; display only, never used for billing).
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub item_price: Option<f64>,
    /// ISO 4217 currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

open_enum! {
    /// `system.type`: what changed about the customer.
    pub enum SystemKind {
        /// The user changed their phone number (`wa_id` holds the new one).
        UserChangedNumber = "user_changed_number",
        /// The user's identity (security code) changed.
        CustomerIdentityChanged = "customer_identity_changed",
        /// The user's business-scoped user id changed (`user_id` holds the new one).
        UserChangedUserId = "user_changed_user_id",
        /// Older name for a number change.
        CustomerChangedNumber = "customer_changed_number",
    }
}

/// `system`: a change to the customer's number or identity. System webhooks carry no
/// `contacts` array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct System {
    /// What changed.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SystemKind>,
    /// Meta's sentence describing the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The new WhatsApp id (number change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The new BSUID (user id change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The new parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
    /// The previous BSUID (user id change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_user_id: Option<String>,
    /// The old WhatsApp id (older payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The new identity hash (identity change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `unsupported`: a message WhatsApp could not deliver to the API; the reason is in the
/// message's `errors` (131051, 131060). The object itself is often absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Unsupported {
    /// What the user sent, when Meta says (e.g. `poll_creation`, `edit`, `gif`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
