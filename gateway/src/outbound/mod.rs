//! The sender's pure core: what to send to Meta's Graph API, when, and what a refusal means.
//!
//! Pure like [`crate::policy`] and [`crate::chat`]: no I/O, no clock, no logging, no runtime.
//! Every decision that depends on time takes `now` ([`UnixMs`]); randomness (retry jitter) is a
//! number the caller supplies.
//!
//! What the core decides:
//! - [`lanes`]: which queued message of which business number leaves next, at the number's
//!   rate ([`token_bucket`]), in each chat's order, around retry and pair backoffs and holds;
//!   and when the shell should wake up next.
//! - [`error_class`]: what Meta's `error.code` means: retry, back off one recipient, fail the
//!   message, or hold the number; with a remedy a shop operator can act on.
//! - [`backoff`]: how long a retry or a pair backoff waits.
//! - [`message_state`]: a message's state, and how status webhooks move it.
//!
//! What the shell does: rebuilds the [`Lanes`] from the store's outbox at start; sleeps until
//! [`Lanes::next_wake`]; sends what [`Lanes::due`] returns, with `biz_opaque_callback_data` set
//! to the local id (so a status webhook finds a message whose send got no answer); persists
//! each state change; classifies each refusal with [`classify`] and reports the outcome to
//! the lanes (see the table in [`lanes`]); alerts when a number is held; and applies status
//! webhooks with [`MessageState::on_status`], taking a message out of the lanes
//! ([`Lanes::accepted`]) when a status proves Meta has it. The answer to a send moves a message
//! from `sending` to `sent` only while it is still `sending` (a status webhook may come first).

pub mod backoff;
pub mod error_class;
pub mod lanes;
pub mod message_state;
pub mod token_bucket;

pub use crate::time::UnixMs;
pub use backoff::{pair_backoff_ms, retry_delay_ms};
pub use error_class::{
    ErrorClass, ErrorRule, classify, earliest_manual_retry, is_known, remedy, rule, title,
};
pub use lanes::{ChatRef, Due, Hold, LaneSettings, Lanes, MessageId, Next, PairBackoff, QueuedRef};
pub use message_state::{MessageState, StatusKind, UnknownMessageState};
pub use token_bucket::{MessagesPerSecond, RateOutOfRange, TokenBucket};
