//! The public listener's webhook endpoint and its helpers.

mod body;
mod body_budget;
mod chat_routing;
mod prepare;
pub mod response;
pub mod tls;
mod webhook;

pub use chat_routing::ChatRouting;
pub use prepare::{batch_from_decoded, batch_from_undecodable, dedupe_key_bytes, prepare};
pub use webhook::{SIGNATURE_HEADER, WEBHOOK_PATH, WebhookEndpoint, WebhookSettings};
