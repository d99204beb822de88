//! What the webhook endpoint needs to send a customer's message to a chat: the profanity word
//! lists and the department of each business number. Computed on the request's task, so the
//! store writer only routes.

use std::collections::HashMap;

use crate::chat::{BusinessNumber, CustomerId, ProfanityList};
use crate::meta::{Event, EventKind, InboundEvent, MessageContent};
use crate::store::ChatInput;

/// The chat-related settings the endpoint applies to each customer message.
#[derive(Debug, Default)]
pub struct ChatRouting {
    /// Offensive words, all languages merged.
    pub profanity: ProfanityList,
    /// phone_number_id -> department name.
    pub departments: HashMap<String, String>,
}

impl ChatRouting {
    /// The chat input for `event`, when it is a customer's message that belongs in a chat.
    /// System notices (a customer changed number) are logged but do not open chats.
    pub fn input_for(&self, event: &InboundEvent) -> Option<ChatInput> {
        if event.kind != EventKind::Message || event.type_name == "system" {
            return None;
        }
        let number = event.phone_number_id.as_deref()?;
        let phone = event
            .sender
            .as_deref()
            .filter(|sender| Some(*sender) != event.user_id.as_deref());
        let customer = CustomerId::from_ids(phone, event.user_id.as_deref())?;
        let profanity_hits = match &event.content {
            Event::Message(message) => match &message.content {
                MessageContent::Text(text) => self.profanity.count_hits(&text.body),
                MessageContent::Image(media)
                | MessageContent::Video(media)
                | MessageContent::Document(media) => media
                    .caption
                    .as_deref()
                    .map_or(0, |caption| self.profanity.count_hits(caption)),
                _ => 0,
            },
            _ => 0,
        };
        Some(ChatInput {
            number: BusinessNumber(number.to_owned()),
            customer,
            department: self.departments.get(number).cloned(),
            profanity_hits,
        })
    }
}
