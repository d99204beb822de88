//! The chat lifecycle: a pure core `(chat, event, now) -> (chat, effects)`.
//!
//! No I/O, no clocks, no logging: every function takes `now` and returns a decision plus the
//! effects for the store and the HQ sync to carry out. Instants are [`UnixMs`] (`u64` Unix
//! milliseconds, UTC); lengths of time are [`Span`] (milliseconds).
//!
//! # States
//!
//! A chat is one customer ([`CustomerId`]: `wa_id`, or the BSUID when there is none) on one
//! business number. It is **waiting** (no operator yet), **active** (served by the bot or an
//! operator) or **closed** with a [`CloseReason`]. A closed chat never reopens: the customer's
//! next message opens a new chat with a new id ([`route_customer_message`]). A chat that is not
//! closed always has a [`Deadline`], so every chat has a way to close.
//!
//! # Rules
//!
//! - **Open** ([`open`]): the customer's first message. Bot off: waiting, with the unattended
//!   deadline `now + unattended`. Bot on: active with the bot, with the bot's idle deadline
//!   `now + bot_idle` (the bot attends; an operator takes over by accepting or replying).
//! - **Waiting**: the unattended deadline counts from when the chat entered waiting (opened or
//!   transferred); the customer's messages do not extend it. Passing it closes the chat as
//!   *missed*.
//! - **Active**: any message from either side (customer, serving operator, bot) restarts the
//!   idle timer at exactly `now + span`: `idle` while an operator serves it, `bot_idle` while
//!   the bot does (the bot's limit replaces the idle limit). Passing it closes the chat as *idle*
//!   or *bot-idle*.
//! - **Operator accept**: waiting or bot-served -> active with that operator, idle deadline from
//!   now. The same operator again: no change. Another operator's chat: refused.
//! - **Operator message**: the seed asks operators to *reply* to unattended chats within the
//!   limit, so replying to a waiting (or bot-served) chat accepts it. Nobody writes in another
//!   operator's chat ([`Refusal::ServedByAnotherOperator`]).
//! - **Operator close**: closes the chat (*operator*) at `now`. Any operator may close a waiting
//!   or bot-served chat (e.g. spam); an operator-served chat only by its operator.
//! - **Transfer**: to a department's queue: waiting there, with a fresh unattended deadline
//!   from now. Refused only when the chat already waits in that department (it would silently
//!   extend the deadline).
//! - **Bot message**: resets the bot's idle timer; refused when the bot does not serve the chat.
//!   `settings.bot_enabled` only decides how new chats start; a chat keeps its server.
//! - **Profanity**: the hits of each customer message add up per chat; when the total reaches
//!   the limit (`profanity_limit`, 0 = off) the chat closes (*profanity*) at `now`, in the same
//!   step as the message that reached it (the message is still counted in the chat).
//! - **Timers**: the chat is due when `now >= deadline.at`. [`ChatEvent::TimerDue`] then closes
//!   it with the reason of the deadline's kind and the **deadline as the close time** (after a
//!   restart an overdue chat closes when it should have). Before the deadline it does nothing.
//!   Any other event on an overdue chat is refused as closed at the deadline (the sweep persists
//!   that close), and a customer's message to it closes it and opens a new chat. Which `now` to
//!   trust after a clock jump is the caller's business (the store holds timers back while the
//!   clock reads earlier than its last commit); the core compares what it is given.
//!
//! Every refusal is a [`Refusal`] whose Display tells the operator what to do instead.

mod event;
mod lifecycle;
mod model;
mod profanity;
mod refusal;
mod route;
mod settings;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use crate::time::{Span, UnixMs, Utc};
pub use event::{ChatEvent, Effect, Transition};
pub use lifecycle::{check_operator_may_write, open, step};
pub use model::{
    BusinessNumber, Chat, ChatId, ChatState, CloseReason, CustomerId, Deadline, DeadlineKind,
    Server,
};
pub use profanity::{ProfanityList, ProfanityListError};
pub use refusal::Refusal;
pub use route::{ChatRoute, IncomingMessage, RouteMismatch, route_customer_message};
pub use settings::LifecycleSettings;
