//! The messaging policy: may this outgoing message be sent, and what will it cost?
//!
//! This module is pure: no I/O, no clocks, no logging. Every function that depends on time
//! takes `now` and the current state, and returns a verdict or a typed refusal whose `Display`
//! tells a person what to do.
//!
//! - [`window`]: the customer-service window (24 h from the customer's last message) and the
//!   free entry point window (72 h, opened by answering an ad referral within 24 h).
//! - [`templates`]: the registered templates, kept current by Meta's status and category
//!   webhooks; only `APPROVED` templates can be sent.
//! - [`outgoing`]: the three together, for one message to one customer at one instant.
//! - [`us_pause`] and [`nanp`]: Meta's pause of marketing templates to US numbers, decided by a
//!   North American area-code table that is data in the repository.
//!
//! # Time
//!
//! Instants are [`UnixMs`]: milliseconds since the Unix epoch, UTC. Spans are plain `u64`
//! milliseconds (the `*_MS` constants). A window that opens at `t` and lasts `d` is the half-open
//! interval `[t, t + d)`: open at `t + d - 1` ms, closed at exactly `t + d`. Additions saturate,
//! so no input overflows.

mod category;
pub mod nanp;
pub mod outgoing;
mod template;
mod template_errors;
mod template_status;
pub mod templates;
pub mod us_pause;
pub mod window;

pub use crate::time::{UnixMs, Utc};
pub use category::TemplateCategory;
pub use nanp::{AreaCode, NanpRegion, NanpTable, TableError, Unclassified, classify, nanp_table};
pub use outgoing::{OutgoingMessage, SendRefusal, SendVerdict, check_send};
pub use templates::{
    NotApproved, PendingCategory, RegistryError, Template, TemplateRefusal, TemplateRegistration,
    TemplateRegistry, TemplateStatus, UpdateError, UpdateOutcome,
};
pub use us_pause::{PauseRefusal, US_MARKETING_PAUSE_SINCE, check_marketing};
pub use window::{
    EntryPoint, ExpectedPricing, FepState, OutgoingKind, WindowReason, WindowRefusal, WindowState,
    WindowVerdict,
};

/// One second, in milliseconds.
pub const SECOND_MS: u64 = 1_000;
/// One hour, in milliseconds.
pub const HOUR_MS: u64 = 3_600 * SECOND_MS;
