//! A `messages` change value: its messages, statuses and value-level errors, each its own
//! event, with the contacts and metadata they share.

use serde_json::value::RawValue;

use super::contact::Contact;
use super::decode::{Change, WireMetadata, reject};
use super::decode_item::{decode_message, decode_status};
use super::decode_limits::{Counted, Tally};
use super::event::{DecodedWebhook, DedupeKey, Event, InboundEvent};
use super::graph_error::GraphError;
use super::raw_object::{ItemError, RawObject};

/// The members of a `messages` value, split but not yet decoded.
struct MessagesValue<'a> {
    phone_number_id: Option<String>,
    contacts: Vec<&'a RawValue>,
    messages: Option<Vec<&'a RawValue>>,
    statuses: Option<Vec<&'a RawValue>>,
    errors: Option<Vec<&'a RawValue>>,
    /// Members other than these and `messaging_product`.
    has_unmodelled_members: bool,
}

impl<'a> MessagesValue<'a> {
    fn parse(raw: &'a RawValue, tally: &Tally) -> Result<Self, ItemError> {
        let mut object = RawObject::parse(raw)?;
        let metadata: Option<WireMetadata> = object.field("metadata")?;
        let mut items =
            |key: &str| object.decode_member(key, |raw| tally.list(raw, Counted::Items));
        let value = Self {
            phone_number_id: metadata.and_then(|m| m.phone_number_id),
            contacts: items("contacts")?.unwrap_or_default(),
            messages: items("messages")?,
            statuses: items("statuses")?,
            errors: items("errors")?,
            has_unmodelled_members: false,
        };
        let _ = object.take("messaging_product");
        Ok(Self {
            has_unmodelled_members: !object.is_empty(),
            ..value
        })
    }
}

/// Decodes a `messages` change: one event per message, status and value-level error, in that
/// order. A shape this decoder does not know (no items at all, or members next to them that it
/// does not model) is also kept whole as an unknown change, so nothing Meta sent is lost.
pub(super) fn decode_messages_value(change: &Change<'_>, out: &mut DecodedWebhook) {
    let value = match MessagesValue::parse(change.value, change.tally) {
        Ok(value) => value,
        Err(error) => return reject(out, change.value_path(), &error, change.value),
    };
    let items = ValueItems {
        change,
        contacts: decode_contacts(change, value.contacts, out),
        phone_number_id: value.phone_number_id,
    };
    let has_items = value.messages.is_some() || value.statuses.is_some() || value.errors.is_some();
    let errors = value.errors.unwrap_or_default();
    for (index, raw) in value.messages.unwrap_or_default().into_iter().enumerate() {
        items.push_message(index, raw, !errors.is_empty(), out);
    }
    for (index, raw) in value.statuses.unwrap_or_default().into_iter().enumerate() {
        items.push_status(index, raw, out);
    }
    for (index, raw) in errors.into_iter().enumerate() {
        items.push_value_error(index, raw, out);
    }
    if !has_items || value.has_unmodelled_members {
        change.push_unknown(out);
    }
}

/// Decodes `value.contacts[]`; a malformed contact is rejected on its own.
fn decode_contacts(
    change: &Change<'_>,
    raws: Vec<&RawValue>,
    out: &mut DecodedWebhook,
) -> Vec<Contact> {
    let mut contacts = Vec::with_capacity(raws.len());
    for (index, raw) in raws.into_iter().enumerate() {
        match serde_json::from_str(raw.get()) {
            Ok(contact) => contacts.push(contact),
            Err(e) => {
                let path = format!("{}.contacts[{index}]", change.value_path());
                reject(out, path, &ItemError::json(&e), raw);
            }
        }
    }
    contacts
}

/// The columns of an event that come from the item itself.
struct ItemColumns {
    dedupe_key: DedupeKey,
    wamid: Option<String>,
    sender: Option<String>,
    user_id: Option<String>,
    timestamp: Option<i64>,
    type_name: String,
}

/// What the items of one `messages` change value share.
struct ValueItems<'c> {
    change: &'c Change<'c>,
    phone_number_id: Option<String>,
    contacts: Vec<Contact>,
}

impl ValueItems<'_> {
    fn event(&self, columns: ItemColumns, content: Event) -> InboundEvent {
        InboundEvent {
            kind: content.kind(),
            dedupe_key: columns.dedupe_key,
            waba_id: self.change.waba_id.to_owned(),
            field: self.change.field.to_owned(),
            phone_number_id: self.phone_number_id.clone(),
            wamid: columns.wamid,
            sender: columns.sender,
            user_id: columns.user_id,
            timestamp: columns.timestamp,
            type_name: columns.type_name,
            content,
        }
    }

    fn item_path(&self, list: &str, index: usize) -> String {
        format!("{}.{list}[{index}]", self.change.value_path())
    }

    fn push_message(
        &self,
        index: usize,
        raw: &RawValue,
        value_has_errors: bool,
        out: &mut DecodedWebhook,
    ) {
        let message = match decode_message(raw, &self.contacts, value_has_errors) {
            Ok(message) => message,
            Err(error) => return reject(out, self.item_path("messages", index), &error, raw),
        };
        let contact_user_id = message.contact.as_ref().and_then(|c| c.user_id.clone());
        let user_id = message.from_user_id.clone().or(contact_user_id);
        let columns = ItemColumns {
            dedupe_key: DedupeKey::Message(message.id.clone()),
            wamid: Some(message.id.clone()),
            sender: message.from.clone().or_else(|| user_id.clone()),
            user_id,
            timestamp: message.timestamp,
            type_name: message.type_name.clone(),
        };
        out.events
            .push(self.event(columns, Event::Message(Box::new(message))));
    }

    fn push_status(&self, index: usize, raw: &RawValue, out: &mut DecodedWebhook) {
        let status = match decode_status(raw, &self.contacts) {
            Ok(status) => status,
            Err(error) => return reject(out, self.item_path("statuses", index), &error, raw),
        };
        let contact_user_id = status.contact.as_ref().and_then(|c| c.user_id.clone());
        let status_value = status.status.as_str().to_owned();
        let columns = ItemColumns {
            dedupe_key: DedupeKey::Status {
                wamid: status.id.clone(),
                status: status_value.clone(),
            },
            wamid: Some(status.id.clone()),
            sender: status
                .recipient_id
                .clone()
                .or_else(|| status.recipient_user_id.clone()),
            user_id: status.recipient_user_id.clone().or(contact_user_id),
            timestamp: status.timestamp,
            type_name: status_value,
        };
        out.events
            .push(self.event(columns, Event::Status(Box::new(status))));
    }

    fn push_value_error(&self, index: usize, raw: &RawValue, out: &mut DecodedWebhook) {
        let error: GraphError = match serde_json::from_str(raw.get()) {
            Ok(error) => error,
            Err(e) => {
                let path = self.item_path("errors", index);
                return reject(out, path, &ItemError::json(&e), raw);
            }
        };
        let columns = ItemColumns {
            dedupe_key: self.change.content_key_input().error_key(index, raw.get()),
            wamid: None,
            sender: None,
            user_id: None,
            timestamp: self.change.entry_time,
            type_name: "error".to_owned(),
        };
        out.events.push(self.event(columns, Event::Error(error)));
    }
}
