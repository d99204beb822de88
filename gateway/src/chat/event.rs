//! What happens to a chat (events in) and what must follow (effects out).

use serde::{Deserialize, Serialize};

use super::model::{Chat, CloseReason, Deadline, DeadlineKind, Server};
use crate::time::UnixMs;

/// Something that happens to a chat. Variant order is part of the stored format (append only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatEvent {
    /// The customer wrote; `profanity_hits` is what [`ProfanityList::count_hits`] found in the
    /// message.
    ///
    /// [`ProfanityList::count_hits`]: super::ProfanityList::count_hits
    CustomerMessage {
        /// Offensive words in this message.
        profanity_hits: u32,
    },
    /// An operator takes the chat (from the waiting queue, or over from the bot).
    OperatorAccept {
        /// The operator's name.
        operator: String,
    },
    /// An operator wrote to the customer.
    OperatorMessage {
        /// The operator's name.
        operator: String,
    },
    /// An operator closes the chat.
    OperatorClose {
        /// The operator's name.
        operator: String,
    },
    /// The chat moves to a department's waiting queue.
    Transfer {
        /// The department it moves to.
        department: String,
    },
    /// The sweep found the chat's deadline due (or is checking it).
    TimerDue,
    /// The bot wrote to the customer (resets the bot's idle timer).
    BotMessage,
}

/// What the store and the HQ sync must do after a step, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// A new chat was opened by the customer's first message: the store inserts it and makes it
    /// the current chat of its (number, customer); HQ is told "chat opened".
    Opened {
        /// When.
        at: UnixMs,
    },
    /// The chat is now served by `server` (the bot at open; an operator on accept, on a reply
    /// to a waiting chat, or on taking over from the bot): HQ is told who serves it.
    Assigned {
        /// Who serves it now.
        server: Server,
        /// When.
        at: UnixMs,
    },
    /// The chat moved to `to`'s waiting queue: HQ is told, the department's operators see it.
    Transferred {
        /// The department it left.
        from: Option<String>,
        /// The department it waits in now.
        to: String,
        /// When.
        at: UnixMs,
    },
    /// The customer's message held offensive words: HQ is told the count.
    ProfanityCounted {
        /// Offensive words in this message.
        hits: u32,
        /// Offensive words in the chat so far.
        total: u32,
    },
    /// The chat's timer now fires at `at`: the store indexes the chat under `at` and removes
    /// the index entry of `previous`, if any.
    DeadlineSet {
        /// When it fires.
        at: UnixMs,
        /// Which timer.
        kind: DeadlineKind,
        /// The deadline it replaces.
        previous: Option<Deadline>,
    },
    /// The chat has no timer any more: the store removes `previous`'s index entry.
    DeadlineCleared {
        /// The deadline that was indexed.
        previous: Deadline,
    },
    /// The chat closed for good: the store keeps it closed (the customer's next message opens a
    /// new chat), HQ is told why and when. Always the last effect of a step.
    Closed {
        /// Why.
        reason: CloseReason,
        /// When (for a timer: its deadline, even when the sweep ran later).
        at: UnixMs,
    },
}

/// A step's outcome: the chat as it is now, and what must follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The chat after the event (persist it in the same transaction as the effects).
    pub chat: Chat,
    /// What must follow, in order. Empty when nothing but the chat's counters changed, or when
    /// nothing changed at all.
    pub effects: Vec<Effect>,
}

impl Transition {
    /// The chat as it was, nothing to do.
    pub(super) fn unchanged(chat: &Chat) -> Self {
        Self {
            chat: chat.clone(),
            effects: Vec::new(),
        }
    }

    /// The close reason and time when this step closed the chat.
    pub fn closed(&self) -> Option<(CloseReason, UnixMs)> {
        self.effects.iter().find_map(|effect| match effect {
            Effect::Closed { reason, at } => Some((*reason, *at)),
            _ => None,
        })
    }
}
