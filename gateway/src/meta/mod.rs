//! Meta's WhatsApp Cloud API webhook: signature check and decoding into typed events.
//!
//! This module is pure: no I/O, no clocks, no logging. It never panics on input from a peer;
//! every failure is a typed error or a [`RejectedItem`].
//!
//! - [`verify_signature`] checks `X-Hub-Signature-256` (HMAC-SHA256 over the raw body bytes,
//!   constant time, any of several app secrets). [`sign`] produces such a header (tests, tools).
//! - [`decode_webhook`] turns a POST body into one [`InboundEvent`] per message, status,
//!   value-level error, account-level change and unknown change, plus the items that sit inside a
//!   usable envelope but cannot be decoded ([`RejectedItem`], for the dead-letter table).
//!
//! # The decoded content and its JSON form
//!
//! [`Event`] is the typed content of an event. Its JSON form (`serde_json::to_string(&event)`) is
//! what `export` prints and what HQ receives; decoding that JSON gives back an equal value.
//! Enums are externally tagged with snake_case names: `{"message": {...}}`,
//! `{"status": {...}}`, `{"error": {...}}`, `{"account": {"account_update": {...}}}`,
//! `{"unknown": {"field": "...", "value": ...}}`. Inside a message the type-specific part sits
//! under `content` (`"content": {"text": {"body": "hi"}}`), and the sender's `contacts[]` entry
//! under `contact`. Every struct keeps the fields it does not model in `extra`, written back at
//! the same level, and shapes it does not know (message types, interactive replies, webhook
//! fields) are kept as raw JSON. Nothing Meta sent about an event is dropped.
//!
//! # Leniency
//!
//! - `object` must be `"whatsapp_business_account"`: Meta always sends it, and a callback URL
//!   shared with other products (Messenger, Instagram) must not have their payloads read as
//!   WhatsApp events. Anything else is a [`DecodeError`] (so the body goes to the dead letters).
//! - Timestamps, ids and counts are accepted as JSON numbers or as strings of digits; a value that
//!   is neither makes its item a [`RejectedItem`].
//! - `from`, `wa_id`, `recipient_id` are optional (usernames and BSUIDs, 2026).
//! - Required per item: a message's `id` and `type` and, for the types it models, its type
//!   object with that type's essential fields (`text.body`, a media `id`, `reaction.message_id`,
//!   coordinates, ...); a status's `id` and `status`; an error's `code`. A known type whose object
//!   is missing while Meta reports errors (on the message or the change value) is kept as
//!   [`MessageContent::Other`] rather than rejected: it still shows that the customer wrote.
//! - The body must be UTF-8 JSON throughout; an item repeating a key is rejected.
//!
//! # Positions in errors
//!
//! A [`RejectedItem`]'s error gives the member it failed in and a line and column counted in the
//! item's own text (`raw`), so the two can be read side by side in the dead-letter table.

mod account;
mod contact;
mod content;
mod decode;
mod decode_item;
mod decode_limits;
mod dedupe;
mod error;
mod event;
mod graph_error;
mod interactive;
mod lenient;
mod message;
mod messages_value;
pub(crate) mod open_enum;
mod raw_object;
mod shared_contact;
mod signature;
mod status;

pub use account::{
    AccountEvent, AccountReviewUpdate, AccountUpdate, PhoneNumberNameUpdate,
    PhoneNumberQualityUpdate, TemplateCategoryUpdate, TemplateComponentsUpdate,
    TemplateQualityUpdate, TemplateStatusUpdate, UserPreference, UserPreferences,
};
pub use contact::{Contact, Profile};
pub use content::{
    Button, Location, Media, Order, ProductItem, Reaction, System, SystemKind, Text, Unsupported,
};
pub use decode::{decode_webhook, decode_webhook_with};
pub use decode_limits::{Counted, DecodeLimits};
pub use error::DecodeError;
pub use event::{
    DecodedWebhook, DedupeKey, Event, EventKind, InboundEvent, RejectedItem, UnknownChange,
};
pub use graph_error::{ErrorData, GraphError};
pub use interactive::{
    ButtonReply, CallPermissionReply, Interactive, InteractiveReply, ListReply, NfmReply,
};
pub use message::{Context, Message, MessageContent, Referral, ReferredProduct, WelcomeMessage};
pub use shared_contact::{
    ContactAddress, ContactEmail, ContactName, ContactOrg, ContactPhone, ContactUrl, SharedContact,
};
pub use signature::{SIGNATURE_HEADER, SignatureError, sign, verify_signature};
pub use status::{
    Conversation, ConversationOrigin, Pricing, PricingCategory, PricingType, Status, StatusValue,
};
