//! The webhook walk: envelope, entries, changes, items.
//!
//! The body is parsed once into borrowed raw pieces (`RawValue`s pointing into the body), and each
//! item is decoded from its own text. An item that fails becomes a [`RejectedItem`] carrying its
//! exact text; its siblings are still decoded.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::account::AccountEvent;
use super::decode_limits::{Counted, DecodeLimits, Tally};
use super::dedupe::ContentKeyInput;
use super::error::{DecodeError, describe_json_error};
use super::event::{DecodedWebhook, Event, InboundEvent, RejectedItem, UnknownChange};
use super::lenient::{self, LenientI64, LenientId};
use super::messages_value::decode_messages_value;
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
pub(super) struct WireMetadata {
    /// The business number the change is about.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub(super) phone_number_id: Option<String>,
}

/// Decodes a webhook POST body under the default [`DecodeLimits`]. See
/// [`decode_webhook_with`].
///
/// # Errors
///
/// As [`decode_webhook_with`].
pub fn decode_webhook(body: &[u8]) -> Result<DecodedWebhook, DecodeError> {
    decode_webhook_with(body, DecodeLimits::default())
}

/// Decodes a webhook POST body. See the [module docs](super) for what is accepted.
///
/// # Errors
///
/// [`DecodeError`] when the body as a whole cannot be used: not JSON, not an object, `object`
/// missing or not `"whatsapp_business_account"`, no `entry` array, or more entries, changes or
/// items than `limits` allow. Problems inside the envelope are reported as
/// [`DecodedWebhook::rejected`] items instead.
pub fn decode_webhook_with(
    body: &[u8],
    limits: DecodeLimits,
) -> Result<DecodedWebhook, DecodeError> {
    let tally = Tally::new(limits);
    let entries = parse_envelope(body, &tally)?;
    let mut out = DecodedWebhook::default();
    for (index, entry) in entries.into_iter().enumerate() {
        decode_entry(index, entry, &tally, &mut out);
        if tally.exceeded().is_some() {
            break;
        }
    }
    match tally.exceeded() {
        Some((counted, limit)) => Err(DecodeError::TooMany { counted, limit }),
        None => Ok(out),
    }
}

fn parse_envelope<'a>(body: &'a [u8], tally: &Tally) -> Result<Vec<&'a RawValue>, DecodeError> {
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
    tally
        .count_values(body)
        .map_err(|(counted, limit)| DecodeError::TooMany { counted, limit })?;
    let object = envelope.object.ok_or(DecodeError::MissingObject)?;
    // Compare the decoded string, so an escaped spelling is the same value.
    if !serde_json::from_str::<String>(object.get()).is_ok_and(|o| o == WHATSAPP_OBJECT) {
        return Err(DecodeError::NotWhatsApp);
    }
    let entry = envelope.entry.ok_or(DecodeError::MissingEntry)?;
    tally
        .list(entry, Counted::Entries)
        .map_err(|_| match tally.exceeded() {
            Some((counted, limit)) => DecodeError::TooMany { counted, limit },
            None => DecodeError::EntryNotArray,
        })
}

/// Records `raw` at `path` as rejected.
pub(super) fn reject(out: &mut DecodedWebhook, path: String, error: &ItemError, raw: &RawValue) {
    out.rejected.push(RejectedItem {
        path,
        error: error.to_string(),
        raw: raw.get().to_owned(),
    });
}

/// An entry's WABA id, `time` and raw changes.
type EntryParts<'a> = (String, Option<i64>, Vec<&'a RawValue>);

fn split_entry<'a>(raw: &'a RawValue, tally: &Tally) -> Result<EntryParts<'a>, ItemError> {
    let mut object = RawObject::parse(raw)?;
    let waba_id = object.required::<LenientId>("id")?.0;
    let time = object.field::<LenientI64>("time")?.map(|t| t.0);
    let changes = object.required_member("changes", |raw| tally.list(raw, Counted::Changes))?;
    Ok((waba_id, time, changes))
}

/// A change's `field` and raw `value`.
fn split_change(raw: &RawValue) -> Result<(String, &RawValue), ItemError> {
    let mut object = RawObject::parse(raw)?;
    Ok((object.required("field")?, object.required("value")?))
}

fn decode_entry(index: usize, raw: &RawValue, tally: &Tally, out: &mut DecodedWebhook) {
    let (waba_id, entry_time, changes) = match split_entry(raw, tally) {
        Ok(parts) => parts,
        Err(error) => return reject(out, format!("entry[{index}]"), &error, raw),
    };
    for (change_index, raw_change) in changes.into_iter().enumerate() {
        let path = format!("entry[{index}].changes[{change_index}]");
        match split_change(raw_change) {
            Ok((field, value)) => Change {
                path,
                waba_id: &waba_id,
                entry_time,
                field: &field,
                value,
                tally,
            }
            .decode(out),
            Err(error) => reject(out, path, &error, raw_change),
        }
        if tally.exceeded().is_some() {
            return;
        }
    }
}

/// One `entry[].changes[]` item with what its events share.
pub(super) struct Change<'a> {
    /// `entry[i].changes[j]`.
    pub(super) path: String,
    /// `entry[i].id`.
    pub(super) waba_id: &'a str,
    /// `entry[i].time`.
    pub(super) entry_time: Option<i64>,
    /// `changes[j].field`.
    pub(super) field: &'a str,
    /// `changes[j].value`, as raw text.
    pub(super) value: &'a RawValue,
    /// What is left of the delivery's allowance.
    pub(super) tally: &'a Tally,
}

impl Change<'_> {
    fn decode(&self, out: &mut DecodedWebhook) {
        if self.field == "messages" {
            return decode_messages_value(self, out);
        }
        match AccountEvent::decode(self.field, self.value) {
            Some(Ok(account)) => out
                .events
                .push(self.whole_change_event(Event::Account(account))),
            Some(Err(error)) => reject(out, self.value_path(), &error, self.value),
            None => self.push_unknown(out),
        }
    }

    /// `entry[i].changes[j].value`.
    pub(super) fn value_path(&self) -> String {
        format!("{}.value", self.path)
    }

    /// What this change's content dedupe keys are computed over.
    pub(super) fn content_key_input(&self) -> ContentKeyInput<'_> {
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

    /// Keeps the whole change as an [`Event::Unknown`].
    pub(super) fn push_unknown(&self, out: &mut DecodedWebhook) {
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
}
