//! What the webhook endpoint derives from each event for the store to apply with it: a
//! customer's message goes to a chat and restarts the service window; a `sent` status may
//! answer a free entry point; a template webhook updates the registry. Computed on the
//! request's task (profanity counting included), so the store writer only applies.

use std::collections::HashMap;

use crate::chat::{BusinessNumber, CustomerId, ProfanityList};
use crate::graph::local_id_from_callback;
use crate::meta::{AccountEvent, Event, InboundEvent, MessageContent, Status};
use crate::outbound::{self, StatusKind};
use crate::policy::EntryPoint;
use crate::store::{
    BusinessMessageSent, CustomerMessageInput, EventEffect, SendFailure, SettledPricing,
    StatusUpdate,
};
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
    /// What `event`, received at `received_at` (Unix ms), changes besides the inbound log.
    pub fn effect_for(&self, event: &InboundEvent, received_at: UnixMs) -> Option<EventEffect> {
        match &event.content {
            Event::Message(_) => self
                .customer_message(event)
                .map(EventEffect::CustomerMessage),
            Event::Status(status) => message_status(event, status, received_at),
            Event::Account(AccountEvent::MessageTemplateStatusUpdate(update)) => {
                Some(EventEffect::TemplateStatus {
                    update: update.clone(),
                    at: event_time(event).unwrap_or(received_at),
                })
            }
            Event::Account(AccountEvent::TemplateCategoryUpdate(update)) => {
                Some(EventEffect::TemplateCategory {
                    update: update.clone(),
                    at: event_time(event).unwrap_or(received_at),
                })
            }
            Event::Account(
                account @ (AccountEvent::PhoneNumberNameUpdate(_)
                | AccountEvent::PhoneNumberQualityUpdate(_)
                | AccountEvent::AccountUpdate(_)),
            ) => Some(EventEffect::NumberNews {
                data: serde_json::json!({
                    "source": "webhook",
                    "waba_id": event.waba_id,
                    "field": account.field(),
                    "at": event_time(event).unwrap_or(received_at),
                    "update": account,
                })
                .to_string(),
            }),
            _ => None,
        }
    }

    /// The chat input for a customer's message. System notices (a customer changed number)
    /// are logged but do not open chats or windows.
    fn customer_message(&self, event: &InboundEvent) -> Option<CustomerMessageInput> {
        let Event::Message(message) = &event.content else {
            return None;
        };
        if event.type_name == "system" {
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

/// A status of a message the business sent: what it says of the message (the gateway's own,
/// when the wamid or the callback data names one of them) and, for `sent`, the business's
/// message as windows and chats count it. Statuses other than sent, delivered, read and failed
/// (played, deleted, new ones) change nothing.
fn message_status(
    event: &InboundEvent,
    status: &Status,
    received_at: UnixMs,
) -> Option<EventEffect> {
    let kind = StatusKind::from_meta(&status.status)?;
    let at = event_time(event).unwrap_or(received_at);
    let failure = status.errors.first().map(|error| SendFailure {
        code: Some(error.code),
        title: error
            .title
            .clone()
            .or_else(|| error.message.clone())
            .unwrap_or_else(|| format!("error {}", error.code)),
        details: error.details().map(str::to_owned),
        remedy: outbound::remedy(error.code).to_owned(),
        at,
    });
    let update = StatusUpdate {
        wamid: status.id.clone(),
        local_id: status
            .biz_opaque_callback_data
            .as_deref()
            .and_then(local_id_from_callback),
        status: kind,
        pricing: status.pricing.as_ref().map(|pricing| SettledPricing {
            kind: pricing.kind.as_ref().map(ToString::to_string),
            category: pricing.category.as_ref().map(ToString::to_string),
            billable: pricing.billable,
        }),
        failure: failure.or_else(|| {
            (kind == StatusKind::Failed).then(|| SendFailure {
                code: None,
                title: "Meta reported the message failed, without a reason".into(),
                details: None,
                remedy: outbound::remedy(-1).to_owned(),
                at,
            })
        }),
    };
    Some(EventEffect::MessageStatus {
        update,
        sent: business_message_sent(event),
    })
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::meta::decode_webhook;

    const RECEIVED_AT: UnixMs = 1_767_225_700_000;

    fn effects(changes: Value, time: Option<u64>) -> Vec<Option<EventEffect>> {
        let mut entry = json!({"id": "waba", "changes": changes});
        if let Some(time) = time {
            entry["time"] = json!(time);
        }
        let body = json!({"object": "whatsapp_business_account", "entry": [entry]});
        let decoded = decode_webhook(body.to_string().as_bytes()).unwrap();
        let routing = ChatRouting::default();
        decoded
            .events
            .iter()
            .map(|event| routing.effect_for(event, RECEIVED_AT))
            .collect()
    }

    fn messages_change(messages: Value, statuses: Value) -> Value {
        json!([{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "pn"},
            "messages": messages,
            "statuses": statuses
        }}])
    }

    #[test]
    fn a_message_from_an_ad_carries_its_timestamp_and_entry_point() {
        let message = json!({
            "from": "16505551234", "id": "wamid.1", "timestamp": "1767225600", "type": "text",
            "text": {"body": "hi"},
            "referral": {"source_type": "ad", "source_id": "1", "ctwa_clid": "x"}
        });
        let found = effects(messages_change(json!([message]), json!([])), None);
        let [Some(EventEffect::CustomerMessage(input))] = found.as_slice() else {
            panic!("{found:?}");
        };
        assert_eq!(input.sent_at, Some(1_767_225_600_000));
        assert_eq!(input.entry_point, Some(EntryPoint::ClickToWhatsAppAd));
        assert_eq!(input.customer, CustomerId::WaId("16505551234".into()));
    }

    #[test]
    fn only_a_sent_status_is_a_business_message() {
        let status = |value: &str| {
            json!({"id": "wamid.2", "status": value, "timestamp": "1767225600",
                   "recipient_id": "16505551234"})
        };
        let found = effects(
            messages_change(json!([]), json!([status("sent"), status("delivered")])),
            None,
        );
        assert!(
            matches!(
                found.as_slice(),
                [
                    Some(EventEffect::MessageStatus { sent: Some(sent), .. }),
                    Some(EventEffect::MessageStatus { sent: None, .. }),
                ] if sent.sent_at == 1_767_225_600_000
            ),
            "{found:?}"
        );
    }

    #[test]
    fn template_webhooks_are_timed_by_their_entry() {
        let change = json!([{"field": "message_template_status_update", "value": {
            "event": "APPROVED", "message_template_name": "a", "message_template_language": "en"
        }}]);
        let found = effects(change.clone(), Some(1_767_225_600));
        assert!(
            matches!(
                found.as_slice(),
                [Some(EventEffect::TemplateStatus {
                    at: 1_767_225_600_000,
                    ..
                })]
            ),
            "{found:?}"
        );
        // Without `entry[].time` (Meta always sends one), the arrival orders it.
        assert!(matches!(
            effects(change, None).as_slice(),
            [Some(EventEffect::TemplateStatus {
                at: RECEIVED_AT,
                ..
            })]
        ));
    }

    #[test]
    fn news_of_a_number_is_reported_with_its_account_and_time() {
        let change = json!([{"field": "phone_number_quality_update", "value": {
            "display_phone_number": "15550001111", "event": "FLAGGED", "current_limit": "TIER_1K"
        }}]);
        let found = effects(change, Some(1_767_225_600));
        let [Some(EventEffect::NumberNews { data })] = found.as_slice() else {
            panic!("{found:?}");
        };
        let data: Value = serde_json::from_str(data).unwrap();
        assert_eq!(data["waba_id"], "waba");
        assert_eq!(data["field"], "phone_number_quality_update");
        assert_eq!(data["at"], 1_767_225_600_000_u64);
        assert_eq!(
            data["update"]["phone_number_quality_update"]["event"],
            "FLAGGED"
        );
    }
}
