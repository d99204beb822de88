//! The webhook walk: envelope, entries, changes, items.
//!
//! The body is parsed once into borrowed raw pieces (`RawValue`s pointing into the body), and each
//! item is decoded from its own text. An item that fails becomes a [`RejectedItem`] carrying its
//! exact text; its siblings are still decoded.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::account::AccountEvent;
use super::contact::Contact;
use super::decode_item::{decode_message, decode_status};
use super::dedupe::ContentKeyInput;
use super::error::{DecodeError, describe_json_error};
use super::event::{DecodedWebhook, DedupeKey, Event, InboundEvent, RejectedItem, UnknownChange};
use super::graph_error::GraphError;
use super::lenient::{LenientI64, LenientId};
use super::raw_object::{ItemError, RawObject, to_value};

/// The only `object` this decoder accepts.
const WHATSAPP_OBJECT: &str = "whatsapp_business_account";

/// The top level: `{"object": ..., "entry": [...]}`. Other members are ignored.
#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow, default)]
    object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    entry: Option<&'a RawValue>,
}

/// `metadata` of a change value.
#[derive(Deserialize)]
struct WireMetadata {
    #[serde(default)]
    phone_number_id: Option<String>,
}

/// Decodes a webhook POST body. See the [module docs](super) for what is accepted.
///
/// # Errors
///
/// [`DecodeError`] when the body as a whole cannot be used: not JSON, not an object, `object`
/// missing or not `"whatsapp_business_account"`, or no `entry` array. Problems inside the
/// envelope are reported as [`DecodedWebhook::rejected`] items instead.
pub fn decode_webhook(body: &[u8]) -> Result<DecodedWebhook, DecodeError> {
    let entries = parse_envelope(body)?;
    let mut out = DecodedWebhook::default();
    for (index, entry) in entries.into_iter().enumerate() {
        decode_entry(index, entry, &mut out);
    }
    Ok(out)
}

fn parse_envelope(body: &[u8]) -> Result<Vec<&RawValue>, DecodeError> {
    // JSON is UTF-8. serde_json checks the strings it reads but not the members it skips, so
    // check the whole body: what is accepted is then valid JSON throughout.
    let body = std::str::from_utf8(body).map_err(|e| DecodeError::not_utf8(body, &e))?;
    let first = body
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if first != Some(b'{') {
        // Tell "not JSON" from "JSON, but not an object".
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(body) {
            Err(e) => DecodeError::not_json(&e),
            Ok(_) => DecodeError::NotAnObject,
        });
    }
    let envelope: WireEnvelope<'_> =
        serde_json::from_str(body).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => DecodeError::BadEnvelope {
                detail: describe_json_error(&e),
            },
            _ => DecodeError::not_json(&e),
        })?;
    let object = envelope.object.ok_or(DecodeError::MissingObject)?;
    // Compare the decoded string, so an escaped spelling is the same value.
    if !serde_json::from_str::<String>(object.get()).is_ok_and(|o| o == WHATSAPP_OBJECT) {
        return Err(DecodeError::NotWhatsApp);
    }
    let entry = envelope.entry.ok_or(DecodeError::MissingEntry)?;
    serde_json::from_str(entry.get()).map_err(|_| DecodeError::EntryNotArray)
}

/// Records `raw` at `path` as rejected.
fn reject(out: &mut DecodedWebhook, path: String, error: &ItemError, raw: &RawValue) {
    out.rejected.push(RejectedItem {
        path,
        error: error.to_string(),
        raw: raw.get().to_owned(),
    });
}

fn decode_entry(index: usize, raw: &RawValue, out: &mut DecodedWebhook) {
    let path = || format!("entry[{index}]");
    let parsed = (|| {
        let mut object = RawObject::parse(raw)?;
        let waba_id = object.required::<LenientId>("id")?.0;
        let time = object.field::<LenientI64>("time")?.map(|t| t.0);
        let changes: Vec<&RawValue> = object.required("changes")?;
        Ok::<_, ItemError>((waba_id, time, changes))
    })();
    let (waba_id, entry_time, changes) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return reject(out, path(), &error, raw),
    };
    for (change_index, change) in changes.into_iter().enumerate() {
        let path = || format!("entry[{index}].changes[{change_index}]");
        let parsed = (|| {
            let mut object = RawObject::parse(change)?;
            let field: String = object.required("field")?;
            let value: &RawValue = object.required("value")?;
            Ok::<_, ItemError>((field, value))
        })();
        match parsed {
            Ok((field, value)) => {
                let change = Change {
                    path: path(),
                    waba_id: &waba_id,
                    entry_time,
                    field: &field,
                    value,
                };
                change.decode(out);
            }
            Err(error) => reject(out, path(), &error, change),
        }
    }
}

/// One `entry[].changes[]` item with what its events share.
struct Change<'a> {
    /// `entry[i].changes[j]`.
    path: String,
    waba_id: &'a str,
    entry_time: Option<i64>,
    field: &'a str,
    value: &'a RawValue,
}

impl Change<'_> {
    fn decode(&self, out: &mut DecodedWebhook) {
        if self.field == "messages" {
            return self.decode_messages_value(out);
        }
        match AccountEvent::decode(self.field, self.value) {
            Some(Ok(account)) => out
                .events
                .push(self.whole_change_event(Event::Account(account))),
            Some(Err(error)) => reject(out, self.value_path(), &error, self.value),
            None => self.push_unknown(out),
        }
    }

    fn value_path(&self) -> String {
        format!("{}.value", self.path)
    }

    fn content_key_input(&self) -> ContentKeyInput<'_> {
        ContentKeyInput {
            field: self.field,
            waba_id: self.waba_id,
            entry_time: self.entry_time,
            value_raw: self.value.get(),
        }
    }

    /// An event that stands for the whole change (account and unknown changes).
    fn whole_change_event(&self, content: Event) -> InboundEvent {
        let phone_number_id = serde_json::from_str::<RawObject<'_>>(self.value.get())
            .ok()
            .and_then(|mut object| object.field::<WireMetadata>("metadata").ok().flatten())
            .and_then(|metadata| metadata.phone_number_id);
        InboundEvent {
            kind: content.kind(),
            dedupe_key: self.content_key_input().change_key(),
            waba_id: self.waba_id.to_owned(),
            field: self.field.to_owned(),
            phone_number_id,
            wamid: None,
            sender: None,
            user_id: None,
            timestamp: self.entry_time,
            type_name: self.field.to_owned(),
            content,
        }
    }

    fn push_unknown(&self, out: &mut DecodedWebhook) {
        match to_value(self.value) {
            Ok(value) => {
                let content = Event::Unknown(UnknownChange {
                    field: self.field.to_owned(),
                    value,
                });
                out.events.push(self.whole_change_event(content));
            }
            Err(error) => reject(out, self.value_path(), &error, self.value),
        }
    }

    /// A `messages` change: messages, statuses and value-level errors, each its own event.
    fn decode_messages_value(&self, out: &mut DecodedWebhook) {
        let parsed = (|| {
            let mut object = RawObject::parse(self.value)?;
            let metadata: Option<WireMetadata> = object.field("metadata")?;
            let contacts: Option<Vec<&RawValue>> = object.field("contacts")?;
            let messages: Option<Vec<&RawValue>> = object.field("messages")?;
            let statuses: Option<Vec<&RawValue>> = object.field("statuses")?;
            let errors: Option<Vec<&RawValue>> = object.field("errors")?;
            let _ = object.take("messaging_product");
            let has_unmodelled_members = !object.is_empty();
            Ok::<_, ItemError>((
                metadata,
                contacts,
                messages,
                statuses,
                errors,
                has_unmodelled_members,
            ))
        })();
        let (metadata, contacts, messages, statuses, errors, has_unmodelled_members) = match parsed
        {
            Ok(parsed) => parsed,
            Err(error) => return reject(out, self.value_path(), &error, self.value),
        };
        let items = ValueItems {
            change: self,
            phone_number_id: metadata.and_then(|m| m.phone_number_id),
            contacts: self.decode_contacts(contacts.unwrap_or_default(), out),
        };
        let has_items = messages.is_some() || statuses.is_some() || errors.is_some();
        let errors = errors.unwrap_or_default();
        for (index, raw) in messages.unwrap_or_default().into_iter().enumerate() {
            items.push_message(index, raw, !errors.is_empty(), out);
        }
        for (index, raw) in statuses.unwrap_or_default().into_iter().enumerate() {
            items.push_status(index, raw, out);
        }
        for (index, raw) in errors.into_iter().enumerate() {
            items.push_value_error(index, raw, out);
        }
        // A shape this decoder does not know (no items, or extra members next to them) is kept
        // whole as well, so nothing Meta sent is lost.
        if !has_items || has_unmodelled_members {
            self.push_unknown(out);
        }
    }

    fn decode_contacts(&self, raws: Vec<&RawValue>, out: &mut DecodedWebhook) -> Vec<Contact> {
        let mut contacts = Vec::with_capacity(raws.len());
        for (index, raw) in raws.into_iter().enumerate() {
            match serde_json::from_str(raw.get()) {
                Ok(contact) => contacts.push(contact),
                Err(e) => reject(
                    out,
                    format!("{}.value.contacts[{index}]", self.path),
                    &ItemError::json(&e),
                    raw,
                ),
            }
        }
        contacts
    }
}

/// What the items of one `messages` change value share.
struct ValueItems<'c> {
    change: &'c Change<'c>,
    phone_number_id: Option<String>,
    contacts: Vec<Contact>,
}

impl ValueItems<'_> {
    /// An event of this change value; the caller fills in the item's own columns.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per column of the event"
    )]
    fn event(
        &self,
        dedupe_key: DedupeKey,
        wamid: Option<String>,
        sender: Option<String>,
        user_id: Option<String>,
        timestamp: Option<i64>,
        type_name: String,
        content: Event,
    ) -> InboundEvent {
        InboundEvent {
            kind: content.kind(),
            dedupe_key,
            waba_id: self.change.waba_id.to_owned(),
            field: self.change.field.to_owned(),
            phone_number_id: self.phone_number_id.clone(),
            wamid,
            sender,
            user_id,
            timestamp,
            type_name,
            content,
        }
    }

    fn item_path(&self, list: &str, index: usize) -> String {
        format!("{}.value.{list}[{index}]", self.change.path)
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
        let sender = message.from.clone().or_else(|| user_id.clone());
        out.events.push(self.event(
            DedupeKey::Message(message.id.clone()),
            Some(message.id.clone()),
            sender,
            user_id,
            message.timestamp,
            message.type_name.clone(),
            Event::Message(Box::new(message)),
        ));
    }

    fn push_status(&self, index: usize, raw: &RawValue, out: &mut DecodedWebhook) {
        let status = match decode_status(raw, &self.contacts) {
            Ok(status) => status,
            Err(error) => return reject(out, self.item_path("statuses", index), &error, raw),
        };
        let contact_user_id = status.contact.as_ref().and_then(|c| c.user_id.clone());
        let sender = status
            .recipient_id
            .clone()
            .or_else(|| status.recipient_user_id.clone());
        let user_id = status.recipient_user_id.clone().or(contact_user_id);
        let status_value = status.status.as_str().to_owned();
        out.events.push(self.event(
            DedupeKey::Status {
                wamid: status.id.clone(),
                status: status_value.clone(),
            },
            Some(status.id.clone()),
            sender,
            user_id,
            status.timestamp,
            status_value,
            Event::Status(Box::new(status)),
        ));
    }

    fn push_value_error(&self, index: usize, raw: &RawValue, out: &mut DecodedWebhook) {
        let error: GraphError = match serde_json::from_str(raw.get()) {
            Ok(error) => error,
            Err(e) => {
                let path = self.item_path("errors", index);
                return reject(out, path, &ItemError::json(&e), raw);
            }
        };
        let key = self.change.content_key_input().error_key(index, raw.get());
        out.events.push(self.event(
            key,
            None,
            None,
            None,
            self.change.entry_time,
            "error".to_owned(),
            Event::Error(error),
        ));
    }
}
