//! Where a customer's message goes: their open chat, or a new one.

use super::event::Transition;
use super::lifecycle::{close_overdue, customer_message, open};
use super::model::{BusinessNumber, Chat, ChatId, CustomerId};
use super::settings::LifecycleSettings;
use crate::time::UnixMs;

/// A customer's message as the router needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The business number it was sent to.
    pub number: BusinessNumber,
    /// Who sent it.
    pub customer: CustomerId,
    /// The department of the business number (from the configuration), for a new chat.
    pub department: Option<String>,
    /// Offensive words in it.
    pub profanity_hits: u32,
}

/// What a customer's message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatRoute {
    /// Their open chat took it.
    Existing(Transition),
    /// It opened a new chat (there was none, the last one was closed, or its deadline had
    /// passed).
    Opened {
        /// The previous chat, closed at its deadline because that deadline had passed (the same
        /// close the sweep would make). Persist it in the same transaction as `opened`.
        expired: Option<Transition>,
        /// The new chat.
        opened: Transition,
    },
}

/// The current chat belongs to another number or customer than the message: a caller bug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{chat} belongs to another business number or customer than the message; look up the customer's current chat by (number, customer)"
)]
pub struct RouteMismatch {
    /// The chat that was passed in.
    pub chat: ChatId,
}

/// Routes the customer's message at `now`: to `current` (their latest chat on this number, if
/// any) while it is open and not overdue, otherwise to a new chat whose id `next_id` allocates
/// (called only then). A closed chat never reopens; an overdue one closes at its deadline.
pub fn route_customer_message(
    current: Option<&Chat>,
    message: IncomingMessage,
    now: UnixMs,
    settings: &LifecycleSettings,
    next_id: impl FnOnce() -> ChatId,
) -> Result<ChatRoute, RouteMismatch> {
    if let Some(chat) = current
        && (chat.number != message.number || chat.customer != message.customer)
    {
        return Err(RouteMismatch { chat: chat.id });
    }
    let expired = match current {
        Some(chat) if !chat.is_closed() => match chat.due_deadline(now) {
            Some(due) => Some(close_overdue(chat, due)),
            None => {
                let transition = customer_message(chat, message.profanity_hits, now, settings);
                return Ok(ChatRoute::Existing(transition));
            }
        },
        Some(_) | None => None,
    };
    Ok(opened(expired, message, now, settings, next_id))
}

fn opened(
    expired: Option<Transition>,
    message: IncomingMessage,
    now: UnixMs,
    settings: &LifecycleSettings,
    next_id: impl FnOnce() -> ChatId,
) -> ChatRoute {
    let opened = open(
        next_id(),
        message.number,
        message.customer,
        message.department,
        now,
        settings,
        message.profanity_hits,
    );
    ChatRoute::Opened { expired, opened }
}
