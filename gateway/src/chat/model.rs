//! What a chat is: who it is with, where it stands, and when its timer fires.
//!
//! Every type here is stored (versioned postcard, kept by the store) and sent to HQ (JSON).
//! postcard writes an enum variant as its index, so **variant order is part of the stored
//! format**: add variants at the end, never reorder or remove them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::LifecycleSettings;
use crate::time::{Span, UnixMs};

/// A chat's id, allocated by the store (never reused: a closed chat keeps its id forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChatId(pub u64);

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chat {}", self.0)
    }
}

/// The business phone number a chat runs on: Meta's `phone_number_id` (not the number itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BusinessNumber(pub String);

impl BusinessNumber {
    /// The `phone_number_id`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The customer a chat is with: their WhatsApp id (`wa_id`) when Meta sends one, otherwise their
/// business-scoped user id (BSUID, `US.1349…`; from 2026 a customer may have no `wa_id`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerId {
    /// The WhatsApp user id (usually the phone number's digits).
    WaId(String),
    /// The business-scoped user id.
    Bsuid(String),
}

impl CustomerId {
    /// The customer's id from a message's sender fields: `wa_id` when present and not empty,
    /// otherwise the BSUID (`user_id`); `None` when neither is usable.
    pub fn from_ids(wa_id: Option<&str>, user_id: Option<&str>) -> Option<Self> {
        fn usable(id: Option<&str>) -> Option<&str> {
            id.map(str::trim).filter(|id| !id.is_empty())
        }
        usable(wa_id)
            .map(|id| Self::WaId(id.to_owned()))
            .or_else(|| usable(user_id).map(|id| Self::Bsuid(id.to_owned())))
    }

    /// The id itself (either kind).
    pub fn as_str(&self) -> &str {
        match self {
            Self::WaId(id) | Self::Bsuid(id) => id,
        }
    }
}

/// Who serves an active chat.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    /// The channel's bot (when the bot is on, it attends every new chat).
    Bot,
    /// The operator with this name (from the operator's token in the configuration).
    Operator(String),
}

/// Why a chat closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseReason {
    /// Nobody accepted it within the unattended limit ("missed").
    Missed,
    /// Nobody wrote within the idle limit while an operator served it.
    Idle,
    /// Nobody wrote within the bot's idle limit while the bot served it.
    BotIdle,
    /// An operator closed it.
    Operator,
    /// The customer's offensive words reached the profanity limit.
    Profanity,
}

impl CloseReason {
    /// The reason's stable name: `missed`, `idle`, `bot-idle`, `operator`, `profanity`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Missed => "missed",
            Self::Idle => "idle",
            Self::BotIdle => "bot-idle",
            Self::Operator => "operator",
            Self::Profanity => "profanity",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a chat stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    /// Unattended: the customer wrote and no operator has accepted the chat yet.
    Waiting,
    /// Served by the bot or an operator.
    Active {
        /// Who serves it.
        served_by: Server,
    },
    /// Closed for good: a closed chat never reopens; the customer's next message opens a new one.
    Closed {
        /// Why it closed.
        reason: CloseReason,
        /// When it closed (for a timer, the deadline itself, even when the timer fired later).
        at: UnixMs,
    },
}

/// Which timer a deadline belongs to; it decides the close reason when the deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// The unattended limit of a waiting chat (closes it as missed).
    Unattended,
    /// The idle limit of a chat an operator serves (closes it as idle).
    Idle,
    /// The bot's idle limit of a chat the bot serves (closes it as bot-idle).
    BotIdle,
}

impl DeadlineKind {
    /// The reason a chat closes with when this deadline passes.
    pub const fn close_reason(self) -> CloseReason {
        match self {
            Self::Unattended => CloseReason::Missed,
            Self::Idle => CloseReason::Idle,
            Self::BotIdle => CloseReason::BotIdle,
        }
    }

    /// This timer's span under `settings`.
    pub const fn span(self, settings: &LifecycleSettings) -> Span {
        match self {
            Self::Unattended => settings.unattended,
            Self::Idle => settings.idle,
            Self::BotIdle => settings.bot_idle,
        }
    }
}

/// When a chat's timer fires, and which timer it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadline {
    /// The instant the chat closes unless something resets the timer first. The chat is due
    /// when `now >= at` (the instant itself belongs to "closed").
    pub at: UnixMs,
    /// Which timer.
    pub kind: DeadlineKind,
}

/// One customer on one business number, from their first message until the chat closes.
///
/// Invariant kept by [`open`](super::open) and [`step`](super::step): a chat that is not closed
/// has a deadline, and a closed chat has none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Chat {
    /// The chat's id.
    pub id: ChatId,
    /// The business number it runs on.
    pub number: BusinessNumber,
    /// The customer.
    pub customer: CustomerId,
    /// The department it belongs to (the number's department, or where it was transferred).
    pub department: Option<String>,
    /// Where it stands.
    pub state: ChatState,
    /// When the customer's first message opened it.
    pub opened_at: UnixMs,
    /// When the customer last wrote.
    pub last_customer_message_at: UnixMs,
    /// When the chat last saw a message from either side or an operator's accept.
    pub last_activity_at: UnixMs,
    /// When its timer fires; `None` once closed.
    pub deadline: Option<Deadline>,
    /// Offensive words the customer wrote in this chat so far.
    pub profanity_hits: u32,
    /// Messages in this chat, from either side.
    pub messages: u32,
}

impl Chat {
    /// Whether the chat is closed (for good).
    pub const fn is_closed(&self) -> bool {
        matches!(self.state, ChatState::Closed { .. })
    }

    /// The deadline when it has passed at `now` (`now >= at`): the chat is overdue and closes
    /// with that deadline as its close time, whatever event comes next.
    pub fn due_deadline(&self, now: UnixMs) -> Option<Deadline> {
        self.deadline.filter(|deadline| now >= deadline.at)
    }

    /// Who serves the chat, when it is active.
    pub const fn served_by(&self) -> Option<&Server> {
        match &self.state {
            ChatState::Active { served_by } => Some(served_by),
            ChatState::Waiting | ChatState::Closed { .. } => None,
        }
    }
}
