//! An incoming message (`value.messages[]`): the common fields and the type-specific content.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::contact::Contact;
use super::content::{Button, Location, Media, Order, Reaction, System, Text, Unsupported};
use super::graph_error::GraphError;
use super::interactive::Interactive;
use super::shared_contact::SharedContact;

/// One incoming message.
///
/// JSON form: Meta's common fields, then `content` (the type-specific part, externally tagged,
/// e.g. `{"text": {"body": "hi"}}`), then `contact` (the matching `value.contacts[]` entry) and
/// the members this decoder does not model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The wamid: the message's unique id and dedupe key.
    pub id: String,
    /// `type` as sent (`text`, `image`, ..., or a type this decoder does not know).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The sender's WhatsApp id; absent for users who only expose a username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The sender's business-scoped user id (BSUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user_id: Option<String>,
    /// The sender's parent BSUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_parent_user_id: Option<String>,
    /// When WhatsApp received the message, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Reply / forward context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Click-to-WhatsApp ad (or other entry point) the conversation started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// Errors Meta attached to the message (`unsupported`, legacy `unknown`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphError>,
    /// The type-specific part.
    pub content: MessageContent,
    /// The sender's `value.contacts[]` entry (profile name, username, ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Members this decoder does not model (e.g. `identity`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The type-specific part of a [`Message`], one variant per `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageContent {
    /// `text`.
    Text(Text),
    /// `image`.
    Image(Media),
    /// `audio` (a voice note when `voice` is true).
    Audio(Media),
    /// `video`.
    Video(Media),
    /// `document`.
    Document(Media),
    /// `sticker`.
    Sticker(Media),
    /// `location`.
    Location(Location),
    /// `contacts`: shared contact cards.
    Contacts(Vec<SharedContact>),
    /// `interactive`: the answer to an interactive message.
    Interactive(Interactive),
    /// `button`: a quick-reply tap on a template.
    Button(Button),
    /// `reaction`.
    Reaction(Reaction),
    /// `order`.
    Order(Order),
    /// `system`: the customer's number or identity changed.
    System(System),
    /// `unsupported`: see the message's `errors`.
    Unsupported(Unsupported),
    /// `request_welcome`: the user opened the chat for the first time.
    RequestWelcome,
    /// Legacy `unknown`: see the message's `errors`.
    Unknown,
    /// A type this decoder does not know (e.g. `revoke`, `edit`), or a known type whose object
    /// Meta left out while reporting errors (on the message or in `value.errors`). Kept raw.
    Other {
        /// `type` as sent.
        #[serde(rename = "type")]
        kind: String,
        /// The object named by the type, if present.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
}

/// `messages[].context`: what the message replies to, or that it was forwarded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The business number the replied-to message came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The wamid of the replied-to message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Forwarded 5 times or fewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<bool>,
    /// Forwarded more than 5 times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequently_forwarded: Option<bool>,
    /// The product asked about ("Message business" on a product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_product: Option<ReferredProduct>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context.referred_product`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferredProduct {
    /// The catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_id: Option<String>,
    /// The product's SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_retailer_id: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `messages[].referral`: the ad or post the user came from (free entry point).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// The ad's or post's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// The ad's or post's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// The ad's body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The ad's headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// `image` or `video`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The ad's image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The ad's video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The video's thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// Click id of a Click-to-WhatsApp ad (absent for WhatsApp Status ads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
    /// The ad's welcome message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_message: Option<WelcomeMessage>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `referral.welcome_message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelcomeMessage {
    /// The welcome text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Members this decoder does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
