//! The lifecycle's settings as plain values (the shell converts them from firmware-config).

use serde::{Deserialize, Serialize};

use crate::time::Span;

/// The chat lifecycle's settings. The core trusts these values: ranges are checked where the
/// configuration is validated (firmware-config), not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleSettings {
    /// How long a chat may wait for an operator before it closes as missed (counted from when
    /// it entered the waiting state; customer messages do not extend it).
    pub unattended: Span,
    /// How long an operator-served chat may go without a message from either side.
    pub idle: Span,
    /// Whether the channel's bot attends new chats (they start active with the bot instead of
    /// waiting).
    pub bot_enabled: bool,
    /// The bot's idle limit: replaces `idle` while the bot serves a chat.
    pub bot_idle: Span,
    /// Offensive words per chat at which it closes. `0` turns the check off.
    pub profanity_limit: u32,
}

impl LifecycleSettings {
    /// Whether `hits` offensive words in one chat reach the limit (never, when the limit is 0).
    pub const fn profanity_limit_reached(&self, hits: u32) -> bool {
        self.profanity_limit > 0 && hits >= self.profanity_limit
    }
}
