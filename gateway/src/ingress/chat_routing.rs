//! What the webhook endpoint derives from each event for the store to apply with it: a
//! customer's message goes to a chat and restarts the service window; a `sent` status may
//! answer a free entry point; a template webhook updates the registry. Computed on the
//! request's task (profanity counting included), so the store writer only applies.

use std::collections::HashMap;

use crate::chat::{BusinessNumber, CustomerId, ProfanityList};
use crate::meta::{AccountEvent, Event, EventKind, InboundEvent, MessageContent};
use crate::policy::EntryPoint;
use crate::store::{BusinessMessageSent, CustomerMessageInput, EventEffect};
use crate::time::UnixMs;

/// The chat-related settings the endpoint applies to each customer message.
#[derive(Debug, Default)]
pub struct ChatRouting {
    /// Offensive words, all languages merged.
    pub profanity: ProfanityList,
    /// phone_number_id -> department name.
    pub departments: HashMap<String, String>,
}

impl ChatRouting {
    /// What `event` changes besides the inbound log, if anything.
    pub fn effect_for(&self, event: &InboundEvent) -> Option<EventEffect> {
        match &event.content {
            Event::Message(_) => self
                .customer_message(event)
                .map(EventEffect::CustomerMessage),
            Event::Status(_) => business_message_sent(event).map(EventEffect::BusinessMessageSent),
            Event::Account(AccountEvent::MessageTemplateStatusUpdate(update)) => {
                Some(EventEffect::TemplateStatus {
                    update: update.clone(),
                    at: event_time(event)?,
                })
            }
            Event::Account(AccountEvent::TemplateCategoryUpdate(update)) => {
                Some(EventEffect::TemplateCategory {
                    update: update.clone(),
                    at: event_time(event)?,
                })
            }
            _ => None,
        }
    }

    /// The chat input for a customer's message. System notices (a customer changed number)
    /// are logged but do not open chats or windows.
    fn customer_message(&self, event: &InboundEvent) -> Option<CustomerMessageInput> {
        let Event::Message(message) = &event.content else {
            return None;
        };
        if event.kind != EventKind::Message || event.type_name == "system" {
            return None;
        }
        let (number, customer) = pair(event)?;
        let profanity_hits = match &message.content {
            MessageContent::Text(text) => self.profanity.count_hits(&text.body),
            MessageContent::Image(media)
            | MessageContent::Video(media)
            | MessageContent::Document(media) => media
                .caption
                .as_deref()
                .map_or(0, |caption| self.profanity.count_hits(caption)),
            _ => 0,
        };
        Some(CustomerMessageInput {
            department: self.departments.get(number.as_str()).cloned(),
            number,
            customer,
            profanity_hits,
            sent_at: event_time(event),
            entry_point: message
                .referral
                .as_ref()
                .and_then(EntryPoint::from_referral),
        })
    }
}

/// A `sent` status: the business's message left Meta at the status's time.
fn business_message_sent(event: &InboundEvent) -> Option<BusinessMessageSent> {
    if event.type_name != "sent" {
        return None;
    }
    let (number, customer) = pair(event)?;
    Some(BusinessMessageSent {
        number,
        customer,
        sent_at: event_time(event)?,
    })
}

/// The event's (business number, customer) pair, when it names both.
fn pair(event: &InboundEvent) -> Option<(BusinessNumber, CustomerId)> {
    let number = event.phone_number_id.as_deref()?;
    let phone = event
        .sender
        .as_deref()
        .filter(|sender| Some(*sender) != event.user_id.as_deref());
    let customer = CustomerId::from_ids(phone, event.user_id.as_deref())?;
    Some((BusinessNumber(number.to_owned()), customer))
}

/// The event's time (the message's or status's `timestamp`, else `entry[].time`), in Unix
/// milliseconds; `None` when absent or not a plausible instant.
fn event_time(event: &InboundEvent) -> Option<UnixMs> {
    let seconds = u64::try_from(event.timestamp?).ok().filter(|&s| s > 0)?;
    seconds.checked_mul(1_000)
}
