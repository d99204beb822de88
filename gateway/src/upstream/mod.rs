//! Sync with headquarters (HQ): the gateway posts signed batches of its events to
//! `upstream.url` and long-polls commands from `upstream.commands_url`.
//!
//! Pure cores:
//! - [`settings`]: what the configuration, the environment and the data folder say about HQ
//!   ([`UpstreamSettings`]), resolved once at start.
//! - [`signature`]: Standard Webhooks signatures ([`SigningKey`], [`sign`], [`verify`]).
//! - [`batch_body`]: a batch's body and where the next batch ends (count and byte caps).
//! - [`verdict`]: what HQ's answer to a batch means (acknowledged, retried, gone, dead-lettered).
//! - [`backoff`]: how long to wait before sending again (full jitter, `Retry-After`).
//! - [`clock_trust`]: whether the clock may sign, from HQ's `Date` or the kernel's word.
//! - [`command`]: a command from HQ read into what the store carries out.
//!
//! Shell:
//! - [`client`]: the HTTP client to HQ; [`kernel_clock`]: the kernel's word on the clock;
//!   [`signing_clock`]: the clock that signs, shared.
//! - [`sink`]: the task that drains the upstream outbox to HQ.
//! - [`commands`]: the task that long-polls commands and carries them out.
//! - [`sync_status`]: what both publish for the status.

pub mod backoff;
pub mod batch_body;
pub mod client;
pub mod clock_trust;
pub mod command;
pub mod commands;
pub mod kernel_clock;
pub mod settings;
pub mod signature;
pub mod signing_clock;
pub mod sink;
pub mod sync_status;
pub mod verdict;

pub use settings::{UpstreamSettings, UpstreamSettingsError, gateway_id};
pub use signature::{KeyError, SignatureError, SigningKey, sign, verify};
pub use signing_clock::SigningClock;
pub use sync_status::{SyncHandle, SyncView};
