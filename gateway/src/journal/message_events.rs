//! Which journal event an operator's message makes when its state changes: derived from the
//! state before and the message after, so that every path that moves a message (the send API,
//! the sender, Meta's statuses, a restart, a command) reports it the same way.

use super::{EventType, NewEvent};
use crate::outbound::MessageState;
use crate::outbound_json::OutboundJson;
use crate::store::OutboundMessage;

/// The event of `after` replacing a message that was in state `before` (`None`: it is new), or
/// `None` when the change is not one headquarters follows (claimed for sending, queued again
/// for a retry).
pub fn message_event(before: Option<MessageState>, after: &OutboundMessage) -> Option<NewEvent> {
    if before == Some(after.state) {
        return None;
    }
    let event_type = match after.state {
        MessageState::Queued if before.is_none() => EventType::MessageQueued,
        MessageState::Queued | MessageState::Sending => return None,
        MessageState::Sent => EventType::MessageSent,
        MessageState::Delivered => EventType::MessageDelivered,
        MessageState::Read => EventType::MessageRead,
        MessageState::Failed | MessageState::Uncertain => EventType::MessageFailed,
    };
    Some(NewEvent::json(
        event_type,
        Some(after.chat),
        &OutboundJson::new(after),
    ))
}
