//! Sync with headquarters (HQ): the gateway posts signed batches of its events to
//! `upstream.url` and long-polls commands from `upstream.commands_url`.
//!
//! - [`settings`]: what the configuration, the environment and the data folder say about HQ
//!   ([`UpstreamSettings`]), resolved once at start.
//! - [`signature`]: Standard Webhooks signatures ([`SigningKey`], [`sign`], [`verify`]), pure.

pub mod settings;
pub mod signature;

pub use settings::{UpstreamSettings, UpstreamSettingsError};
pub use signature::{KeyError, SignatureError, SigningKey, sign, verify};
