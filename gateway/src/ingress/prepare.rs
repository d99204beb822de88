//! Turns a decoded webhook into what the store keeps: dedupe keys, log records, dead letters.
//! Runs on the request's task so that the single writer thread only inserts bytes.

use tracing::warn;

use super::chat_routing::ChatRouting;
use crate::meta::{
    AccountEvent, DecodeError, DecodeLimits, DecodedWebhook, DedupeKey, Event, EventKind,
    InboundEvent, decode_webhook_with,
};
use crate::store::{DeadLetter, DeadLetterRef, IngestBatch, LogRecord, PreparedEvent, RecordKind};

/// A delivery ready for the store, and what it tells the numbers' registry (applied once the
/// store kept the delivery).
#[derive(Debug, Default)]
pub struct Prepared {
    /// What the store keeps.
    pub batch: IngestBatch,
    /// The business numbers the delivery names, and its account-level events about numbers.
    pub numbers: Vec<NumberNews>,
}

/// What one delivery says about a business number or its account.
#[derive(Debug, Clone)]
pub struct NumberNews {
    /// `entry[].id`: the business account.
    pub waba_id: String,
    /// `metadata.phone_number_id`, for events that carry one.
    pub phone_number_id: Option<String>,
    /// A name, quality or account update.
    pub event: Option<AccountEvent>,
}

/// Decodes a verified body into what the store keeps: its events (and the items it had to
/// reject, as dead letters), or the whole body as one dead letter when it cannot be decoded.
/// No I/O: the webhook endpoint hands the batch to the store, the fuzz targets inspect it.
pub fn prepare(
    body: &[u8],
    received_at_ms: u64,
    routing: &ChatRouting,
    limits: DecodeLimits,
) -> Prepared {
    match decode_webhook_with(body, limits) {
        Ok(decoded) => {
            let numbers = number_news(&decoded);
            Prepared {
                batch: batch_from_decoded(decoded, received_at_ms, routing),
                numbers,
            }
        }
        Err(error) => {
            warn!(%error, bytes = body.len(), "signed webhook cannot be decoded; keeping it as a dead letter");
            Prepared {
                batch: batch_from_undecodable(body, &error, received_at_ms),
                numbers: Vec::new(),
            }
        }
    }
}

/// The numbers `decoded` names (once each) and its events about numbers and accounts.
fn number_news(decoded: &DecodedWebhook) -> Vec<NumberNews> {
    let mut news: Vec<NumberNews> = Vec::new();
    for event in &decoded.events {
        let about_numbers = matches!(
            &event.content,
            Event::Account(
                AccountEvent::PhoneNumberNameUpdate(_)
                    | AccountEvent::PhoneNumberQualityUpdate(_)
                    | AccountEvent::AccountUpdate(_)
            )
        );
        if about_numbers && let Event::Account(account) = &event.content {
            news.push(NumberNews {
                waba_id: event.waba_id.clone(),
                phone_number_id: event.phone_number_id.clone(),
                event: Some(account.clone()),
            });
        } else if let Some(id) = &event.phone_number_id
            && !news
                .iter()
                .any(|seen| seen.event.is_none() && seen.phone_number_id.as_ref() == Some(id))
        {
            news.push(NumberNews {
                waba_id: event.waba_id.clone(),
                phone_number_id: Some(id.clone()),
                event: None,
            });
        }
    }
    news
}

/// The store's dedupe key for an event. The prefixes keep the three key spaces apart.
pub fn dedupe_key_bytes(key: &DedupeKey) -> Vec<u8> {
    match key {
        DedupeKey::Message(wamid) => [b"m:", wamid.as_bytes()].concat(),
        DedupeKey::Status { wamid, status } => {
            [b"s:", wamid.as_bytes(), b"\0", status.as_bytes()].concat()
        }
        DedupeKey::Content(digest) => [&b"c:"[..], &digest[..]].concat(),
    }
}

fn record_kind(kind: EventKind) -> RecordKind {
    match kind {
        EventKind::Message => RecordKind::Message,
        EventKind::Status => RecordKind::Status,
        EventKind::ValueError => RecordKind::Error,
        EventKind::Account => RecordKind::Account,
        EventKind::Unknown => RecordKind::Unknown,
    }
}

fn log_record(event: InboundEvent, received_at_ms: u64) -> LogRecord {
    let content_json = serde_json::to_string(&event.content)
        .unwrap_or_else(|error| format!("{{\"unserialisable\":{:?}}}", error.to_string()));
    LogRecord {
        received_at_ms,
        kind: record_kind(event.kind),
        waba_id: event.waba_id,
        field: event.field,
        phone_number_id: event.phone_number_id,
        wamid: event.wamid,
        sender: event.sender,
        user_id: event.user_id,
        timestamp: event.timestamp,
        type_name: event.type_name,
        content_json,
    }
}

/// The batch for a payload that decoded (possibly with some items rejected).
pub fn batch_from_decoded(
    decoded: DecodedWebhook,
    received_at_ms: u64,
    routing: &ChatRouting,
) -> IngestBatch {
    let events = decoded
        .events
        .into_iter()
        .map(|event| PreparedEvent {
            dedupe_key: dedupe_key_bytes(&event.dedupe_key),
            effect: routing.effect_for(&event, received_at_ms),
            record: log_record(event, received_at_ms).to_bytes(),
        })
        .collect();
    let dead_letters = decoded
        .rejected
        .into_iter()
        .map(|item| {
            DeadLetter {
                received_at_ms,
                path: item.path,
                error: item.error,
                raw: item.raw.into_bytes(),
            }
            .to_bytes()
        })
        .collect();
    IngestBatch {
        events,
        dead_letters,
    }
}

/// The batch for a signed body that could not be decoded at all: the whole body is kept.
pub fn batch_from_undecodable(
    body: &[u8],
    error: &DecodeError,
    received_at_ms: u64,
) -> IngestBatch {
    IngestBatch {
        events: Vec::new(),
        dead_letters: vec![
            DeadLetterRef {
                received_at_ms,
                path: "",
                error: &error.to_string(),
                raw: body,
            }
            .to_bytes(),
        ],
    }
}
