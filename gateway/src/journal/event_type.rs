//! The types of journal events, with their stable wire names.

use serde::{Deserialize, Serialize};

/// What a journal event reports. Stored by variant index: new types go at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// A customer's first message opened a chat.
    ChatOpened,
    /// An operator (or the bot) took a chat.
    ChatAccepted,
    /// A chat moved to another department.
    ChatTransferred,
    /// A chat closed (the data says why).
    ChatClosed,
    /// A customer's message arrived.
    MessageReceived,
    /// An operator's message was queued for Meta.
    MessageQueued,
    /// Meta accepted an operator's message.
    MessageSent,
    /// Meta delivered an operator's message.
    MessageDelivered,
    /// The customer read an operator's message.
    MessageRead,
    /// An operator's message failed (or its sending became uncertain).
    MessageFailed,
    /// A template's status or category changed.
    TemplateStatusChanged,
    /// A business number was held or resumed.
    NumberStateChanged,
    /// The credit ledger changed.
    CreditsChanged,
    /// An operator added an internal note to a chat.
    NoteAdded,
    /// A chat's tags changed.
    TagsChanged,
    /// An operator captured a lead from a chat.
    LeadCaptured,
    /// An operator asked for a ticket from a chat.
    TicketRequested,
    /// A command from headquarters was carried out or refused.
    CommandResult,
    /// A customer's file was downloaded from Meta: the message's media can be fetched now.
    MediaDownloaded,
}

impl EventType {
    /// Every type, in stored order.
    pub const ALL: [Self; 19] = [
        Self::ChatOpened,
        Self::ChatAccepted,
        Self::ChatTransferred,
        Self::ChatClosed,
        Self::MessageReceived,
        Self::MessageQueued,
        Self::MessageSent,
        Self::MessageDelivered,
        Self::MessageRead,
        Self::MessageFailed,
        Self::TemplateStatusChanged,
        Self::NumberStateChanged,
        Self::CreditsChanged,
        Self::NoteAdded,
        Self::TagsChanged,
        Self::LeadCaptured,
        Self::TicketRequested,
        Self::CommandResult,
        Self::MediaDownloaded,
    ];

    /// The wire name (`chat.opened`, `message.received`...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ChatOpened => "chat.opened",
            Self::ChatAccepted => "chat.accepted",
            Self::ChatTransferred => "chat.transferred",
            Self::ChatClosed => "chat.closed",
            Self::MessageReceived => "message.received",
            Self::MessageQueued => "message.queued",
            Self::MessageSent => "message.sent",
            Self::MessageDelivered => "message.delivered",
            Self::MessageRead => "message.read",
            Self::MessageFailed => "message.failed",
            Self::TemplateStatusChanged => "template.status_changed",
            Self::NumberStateChanged => "number.state_changed",
            Self::CreditsChanged => "credits.changed",
            Self::NoteAdded => "note.added",
            Self::TagsChanged => "tags.changed",
            Self::LeadCaptured => "lead.captured",
            Self::TicketRequested => "ticket.requested",
            Self::CommandResult => "command.result",
            Self::MediaDownloaded => "media.downloaded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EventType;

    #[test]
    fn wire_names_are_unique_and_dotted() {
        let mut names: Vec<_> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert!(names.iter().all(|name| name.contains('.')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
    }
}
