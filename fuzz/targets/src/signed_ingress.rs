//! Target `signed_ingress`: arbitrary bytes as a webhook body signed with a test app secret,
//! through what `POST /webhook` does before the store: the signature check, decoding, and the
//! records and dead letters of [`gateway::ingress::prepare`]. No network, no store.
//!
//! The signature is accepted with the secret (also among others) and refused with another secret
//! or over a changed body. The batch holds one record per decoded event (in order, decoding back
//! to the event's columns and content, keyed by kind) and one dead letter per rejected item; an
//! undecodable body is kept whole as one dead letter. Chat, window and template effects come only
//! from the events that cause them.

use std::sync::LazyLock;

use gateway::chat::ProfanityList;
use gateway::ingress::{ChatRouting, prepare};
use gateway::meta::{
    DecodeLimits, DecodedWebhook, Event, EventKind, InboundEvent, SignatureError, decode_webhook,
    sign, verify_signature,
};
use gateway::store::{DeadLetter, EventEffect, IngestBatch, LogRecord, PreparedEvent};

/// The app secret the fuzzed bodies are signed with.
const APP_SECRET: &[u8] = b"waygate-fuzz-app-secret";
/// Another app's secret, which must not verify them.
const OTHER_APP_SECRET: &[u8] = b"waygate-fuzz-other-app";
/// When the fuzzed deliveries are received (2026-01-01T00:01:40Z).
const RECEIVED_AT_MS: u64 = 1_767_225_700_000;
/// The business number the routing assigns a department.
const ROUTED_NUMBER: &str = "106540352242922";

static ROUTING: LazyLock<ChatRouting> = LazyLock::new(|| ChatRouting {
    profanity: ProfanityList::from_words(["merde", "damn it"]).expect("a valid word list"),
    departments: [(ROUTED_NUMBER.to_owned(), "support".to_owned())].into(),
});

/// Runs the target on `body`.
pub fn run(body: &[u8]) {
    check_signature(body);
    let batch = prepare(body, RECEIVED_AT_MS, &ROUTING, DecodeLimits::default()).batch;
    match decode_webhook(body) {
        Ok(decoded) => check_decoded_batch(&batch, &decoded),
        Err(error) => {
            assert!(batch.events.is_empty(), "an undecodable body gave events");
            let [letter] = dead_letters(&batch)
                .try_into()
                .unwrap_or_else(|letters: Vec<_>| {
                    panic!("an undecodable body gave {} dead letters", letters.len())
                });
            assert_eq!(letter.raw, body, "the dead letter is not the whole body");
            assert!(letter.path.is_empty(), "a whole body has no path");
            assert_eq!(letter.error, error.to_string());
        }
    }
}

fn check_signature(body: &[u8]) {
    let header = sign(APP_SECRET, body);
    assert_eq!(verify_signature(&[APP_SECRET], Some(&header), body), Ok(()));
    let secrets = [OTHER_APP_SECRET, APP_SECRET];
    assert_eq!(verify_signature(&secrets, Some(&header), body), Ok(()));
    assert_eq!(
        verify_signature(&[OTHER_APP_SECRET], Some(&header), body),
        Err(SignatureError::Mismatch)
    );
    let changed = [body, b" "].concat();
    assert_eq!(
        verify_signature(&[APP_SECRET], Some(&header), &changed),
        Err(SignatureError::Mismatch)
    );
    // The body as its own header: never a valid signature of itself.
    if let Ok(text) = std::str::from_utf8(body) {
        assert_ne!(verify_signature(&[APP_SECRET], Some(text), body), Ok(()));
    }
}

fn check_decoded_batch(batch: &IngestBatch, decoded: &DecodedWebhook) {
    assert_eq!(
        batch.events.len(),
        decoded.events.len(),
        "one record per decoded event"
    );
    for (prepared, event) in batch.events.iter().zip(&decoded.events) {
        check_record(prepared, event);
        check_effect(prepared.effect.as_ref(), event);
    }
    let letters = dead_letters(batch);
    assert_eq!(
        letters.len(),
        decoded.rejected.len(),
        "one dead letter per rejected item"
    );
    for (letter, item) in letters.iter().zip(&decoded.rejected) {
        assert_eq!(letter.path, item.path);
        assert_eq!(letter.error, item.error);
        assert_eq!(
            letter.raw,
            item.raw.as_bytes(),
            "{}: raw changed",
            item.path
        );
    }
}

fn check_record(prepared: &PreparedEvent, event: &InboundEvent) {
    let record = LogRecord::from_bytes(&prepared.record).expect("a prepared record decodes");
    assert_eq!(record.received_at_ms, RECEIVED_AT_MS);
    assert_eq!(record.kind.as_str(), event.kind.as_str());
    let columns = (
        &record.waba_id,
        &record.field,
        &record.phone_number_id,
        &record.wamid,
        &record.sender,
        &record.user_id,
        record.timestamp,
        &record.type_name,
    );
    let expected = (
        &event.waba_id,
        &event.field,
        &event.phone_number_id,
        &event.wamid,
        &event.sender,
        &event.user_id,
        event.timestamp,
        &event.type_name,
    );
    assert_eq!(
        columns, expected,
        "a record's columns differ from its event"
    );
    let content: Event = serde_json::from_str(&record.content_json).unwrap_or_else(|e| {
        panic!(
            "a record's content does not read back ({e}): {}",
            record.content_json
        )
    });
    assert_eq!(
        content, event.content,
        "a record's content differs from its event"
    );
    let prefix: &[u8] = match event.kind {
        EventKind::Message => b"m:",
        EventKind::Status => b"s:",
        _ => b"c:",
    };
    assert!(
        prepared.dedupe_key.starts_with(prefix) && prepared.dedupe_key.len() > prefix.len(),
        "a {} event's dedupe key is outside its key space",
        event.kind
    );
}

fn check_effect(effect: Option<&EventEffect>, event: &InboundEvent) {
    let Some(effect) = effect else { return };
    let caused = match effect {
        EventEffect::CustomerMessage(input) => {
            let department = (input.number.0 == ROUTED_NUMBER).then_some("support");
            assert_eq!(input.department.as_deref(), department, "wrong department");
            event.kind == EventKind::Message
                && event.phone_number_id.as_deref() == Some(input.number.0.as_str())
        }
        EventEffect::MessageStatus { update, sent } => {
            let sent_matches = sent.as_ref().is_none_or(|sent| {
                event.type_name == "sent"
                    && event.phone_number_id.as_deref() == Some(sent.number.0.as_str())
            });
            event.kind == EventKind::Status
                && event.wamid.as_deref() == Some(update.wamid.as_str())
                && sent_matches
        }
        EventEffect::TemplateStatus { .. } | EventEffect::TemplateCategory { .. } => {
            event.kind == EventKind::Account
        }
        // An effect added after these targets: nothing known to check.
        _ => true,
    };
    assert!(caused, "a {} event has the effect {effect:?}", event.kind);
}

fn dead_letters(batch: &IngestBatch) -> Vec<DeadLetter> {
    batch
        .dead_letters
        .iter()
        .map(|bytes| DeadLetter::from_bytes(bytes).expect("a prepared dead letter decodes"))
        .collect()
}
