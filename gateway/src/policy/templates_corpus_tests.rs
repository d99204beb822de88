//! Template webhooks from the shared corpus (real third-party payloads), decoded by the real
//! webhook decoder and applied to a registry.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::PathBuf;

use super::*;
use crate::meta::{AccountEvent, Event, decode_webhook};

fn registration(name: &str, language: &str, category: TemplateCategory) -> TemplateRegistration {
    TemplateRegistration {
        name: name.to_owned(),
        language: language.to_owned(),
        category,
        parameter_count: 2,
        status: TemplateStatus::Approved,
        meta_id: None,
    }
}

fn corpus_file(relative: &str) -> Vec<u8> {
    let root = std::env::var_os("WAYGATE_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus"),
        PathBuf::from,
    );
    std::fs::read(root.join(relative)).unwrap()
}

/// Every account event in the corpus file's cases, decoded by the real webhook decoder.
fn corpus_account_events(relative: &str) -> Vec<(i64, AccountEvent)> {
    let cases: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&corpus_file(relative)).unwrap();
    let mut events = Vec::new();
    for payload in cases.values() {
        let body = serde_json::to_vec(payload).unwrap();
        for event in decode_webhook(&body).unwrap().events {
            if let Event::Account(account) = event.content {
                events.push((event.timestamp.unwrap(), account));
            }
        }
    }
    events
}

#[test]
fn corpus_status_updates_apply() {
    let mut registry = TemplateRegistry::new([
        registration("order_confirmation", "en_US", TemplateCategory::Marketing),
        registration("abandoned_cart", "en", TemplateCategory::Marketing),
    ])
    .unwrap();
    let events = corpus_account_events("pywa/tests/data/updates/template_status_update.json");
    assert_eq!(events.len(), 2);
    for (secs, event) in events {
        let AccountEvent::MessageTemplateStatusUpdate(update) = event else {
            panic!("unexpected event {event:?}");
        };
        let at = u64::try_from(secs).unwrap() * 1_000;
        registry.apply_status_update(&update, at).unwrap();
    }
    // APPROVED, and its category corrected from the webhook.
    let confirmation = registry.check("order_confirmation", "en_US", 2).unwrap();
    assert_eq!(confirmation.category_at(0), TemplateCategory::Utility);
    // REJECTED with Meta's explanation.
    let refusal = registry.check("abandoned_cart", "en", 2).unwrap_err();
    let text = refusal.to_string();
    assert!(
        text.starts_with(
            "template abandoned_cart (en) is REJECTED since 2025-06-30T01:39:08Z: \
             INVALID_FORMAT (Your template has parameters placed next to each other"
        ),
        "{text}"
    );
}

#[test]
fn corpus_category_update_applies() {
    let mut registry = TemplateRegistry::new([registration(
        "my_message_template",
        "he",
        TemplateCategory::Utility,
    )])
    .unwrap();
    let events = corpus_account_events("pywa/tests/data/updates/template_category_update.json");
    assert_eq!(events.len(), 1);
    for (secs, event) in events {
        let AccountEvent::TemplateCategoryUpdate(update) = event else {
            panic!("unexpected event {event:?}");
        };
        let at = u64::try_from(secs).unwrap() * 1_000;
        registry.apply_category_update(&update, at).unwrap();
    }
    let template = registry.get("my_message_template", "he").unwrap();
    assert_eq!(template.category_at(0), TemplateCategory::Marketing);
    assert_eq!(template.meta_id(), Some("12345678"));
}
