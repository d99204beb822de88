//! Why the core refuses an event: each reason says what the person can do instead.

use super::model::CloseReason;
use crate::time::{UnixMs, Utc};

/// An event the chat cannot take. The local API answers 409 Conflict with the Display text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The chat is closed (or its deadline has passed, so it closes at that deadline): nobody
    /// can write in it, accept, transfer or close it again.
    #[error(
        "the chat closed ({reason}) at {}; a closed chat never reopens: the customer's next message opens a new chat",
        Utc(*at)
    )]
    Closed {
        /// Why it closed.
        reason: CloseReason,
        /// When it closed.
        at: UnixMs,
    },
    /// Another operator serves the chat.
    #[error(
        "operator {operator} serves this chat; only they can write in it or close it, or transfer it to a department where another operator can accept it"
    )]
    ServedByAnotherOperator {
        /// Who serves it.
        operator: String,
    },
    /// The bot wrote to a chat it does not serve.
    #[error(
        "the bot does not serve this chat (it waits for an operator or an operator serves it); the bot cannot write in it"
    )]
    BotNotServing,
    /// A transfer to the department whose queue the chat already waits in.
    #[error(
        "the chat already waits in department {department}; transfer it to another department or accept it"
    )]
    AlreadyWaitingIn {
        /// The department.
        department: String,
    },
}
