//! The messaging rules' state in the store: service windows moved by customers' messages and
//! `sent` statuses, the template registry moved by Meta's webhooks and carried across restarts,
//! and the idle close of an active chat.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use super::super::*;
use super::chats::{MIN_MS, chats, closed, message, open_at, runtime, tick};
use super::{T0, options, record};
use crate::chat::{BusinessNumber, ChatState, CloseReason, CustomerId};
use crate::clock::ManualClock;
use crate::outbound::StatusKind;
use crate::policy::{
    EntryPoint, FepState, TemplateCategory, TemplateRegistration, TemplateRegistry, TemplateStatus,
};

const HOUR_MS: u64 = 60 * MIN_MS;

fn event(key: &str, effect: EventEffect) -> IngestBatch {
    IngestBatch {
        events: vec![PreparedEvent {
            dedupe_key: key.as_bytes().to_vec(),
            record: record(key).to_bytes(),
            effect: Some(effect),
        }],
        dead_letters: Vec::new(),
    }
}

fn customer_message(key: &str, sent_at: u64, entry_point: Option<EntryPoint>) -> IngestBatch {
    event(
        key,
        EventEffect::CustomerMessage(CustomerMessageInput {
            number: BusinessNumber("pn".into()),
            customer: CustomerId::WaId("111".into()),
            department: None,
            profanity_hits: 0,
            sent_at: Some(sent_at),
            entry_point,
        }),
    )
}

fn sent(key: &str, sent_at: u64) -> IngestBatch {
    event(
        key,
        EventEffect::MessageStatus {
            update: StatusUpdate {
                wamid: format!("wamid.{key}"),
                local_id: None,
                status: StatusKind::Sent,
                failure: None,
                pricing: None,
            },
            sent: Some(BusinessMessageSent {
                number: BusinessNumber("pn".into()),
                customer: CustomerId::WaId("111".into()),
                sent_at,
            }),
        },
    )
}

#[test]
fn the_window_opens_at_meta_s_timestamp_and_an_answered_ad_opens_72_hours() {
    let dir = tempfile::tempdir().unwrap();
    // The box's clock runs 5 minutes ahead of Meta's timestamps: the window follows Meta's.
    let clock = ManualClock::at(T0 + 5 * MIN_MS);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(customer_message(
        "m:w1",
        T0,
        Some(EntryPoint::ClickToWhatsAppAd),
    )))
    .unwrap();
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    assert_eq!(view.window.last_customer_message_at, Some(T0));
    assert_eq!(view.window.csw_closes_at(), Some(T0 + 24 * HOUR_MS));
    assert_eq!(
        view.window.free_entry_point,
        Some(FepState::Offered {
            entry_point: EntryPoint::ClickToWhatsAppAd,
            referred_at: T0
        })
    );
    // The business answers 2 h later: the 72 h window opens at the answer.
    rt.block_on(store.ingest(sent("s:x1\0sent", T0 + 2 * HOUR_MS)))
        .unwrap();
    writer.close();

    // It survives a restart.
    let (store, writer) = open_at(dir.path(), &clock);
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    let fep = view.window.free_entry_point.unwrap();
    assert_eq!(fep.closes_at(), Some(T0 + 74 * HOUR_MS));
    writer.close();
}

#[test]
fn a_late_answer_opens_no_free_window_and_the_window_never_moves_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(customer_message(
        "m:w1",
        T0,
        Some(EntryPoint::ClickToWhatsAppAd),
    )))
    .unwrap();
    rt.block_on(store.ingest(sent("s:x1\0sent", T0 + 24 * HOUR_MS)))
        .unwrap();
    // A message delivered late (older timestamp) does not shorten the window.
    rt.block_on(store.ingest(customer_message("m:w0", T0 - HOUR_MS, None)))
        .unwrap();
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    assert!(matches!(
        view.window.free_entry_point,
        Some(FepState::Offered { .. })
    ));
    assert_eq!(view.window.last_customer_message_at, Some(T0));
    writer.close();
}

fn registration(name: &str, category: TemplateCategory) -> TemplateRegistration {
    TemplateRegistration {
        name: name.to_owned(),
        language: "en_US".to_owned(),
        category,
        parameter_count: 1,
        status: TemplateStatus::Approved,
        meta_id: None,
    }
}

fn with_templates(registrations: Vec<TemplateRegistration>) -> StoreOptions {
    StoreOptions {
        templates: TemplateRegistry::new(registrations).unwrap(),
        ..options()
    }
}

fn open_with(dir: &Path, options: StoreOptions) -> (Store, StoreWriter) {
    Store::open(dir, options, Arc::new(ManualClock::at(T0))).unwrap()
}

#[test]
fn template_webhooks_change_the_registry_durably_and_a_restart_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let configured = || {
        vec![
            registration("order_update", TemplateCategory::Utility),
            registration("spring_sale", TemplateCategory::Marketing),
        ]
    };
    let (store, writer) = open_with(dir.path(), with_templates(configured()));
    let rt = runtime();
    let paused = serde_json::from_value(json!({
        "event": "PAUSED",
        "message_template_id": 77,
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "reason": "NONE"
    }))
    .unwrap();
    let status = EventEffect::TemplateStatus {
        update: paused,
        at: T0,
    };
    rt.block_on(store.ingest(event("c:status", status.clone())))
        .unwrap();
    let registry = rt.block_on(store.templates()).unwrap();
    assert!(registry.check("order_update", "en_US", 1).is_err());
    assert!(registry.check("spring_sale", "en_US", 1).is_ok());
    // An update about a template the configuration does not name changes nothing, and
    // the event is still logged.
    let unknown = serde_json::from_value(json!({
        "event": "APPROVED",
        "message_template_name": "nope",
        "message_template_language": "en_US"
    }))
    .unwrap();
    let outcome = rt
        .block_on(store.ingest(event(
            "c:unknown",
            EventEffect::TemplateStatus {
                update: unknown,
                at: T0,
            },
        )))
        .unwrap();
    assert_eq!(outcome.appended, 1);
    writer.close();

    // Restart with the same configuration: still paused, id learnt.
    let (store, writer) = open_with(dir.path(), with_templates(configured()));
    let registry = rt.block_on(store.templates()).unwrap();
    let template = registry.get("order_update", "en_US").unwrap();
    assert_eq!(template.status(), &TemplateStatus::Paused);
    assert_eq!(template.meta_id(), Some("77"));
    writer.close();

    // Restart without spring_sale in the configuration: it is gone.
    let (store, writer) = open_with(
        dir.path(),
        with_templates(vec![registration(
            "order_update",
            TemplateCategory::Utility,
        )]),
    );
    let registry = rt.block_on(store.templates()).unwrap();
    assert_eq!(registry.iter().count(), 1);
    assert!(registry.get("spring_sale", "en_US").is_none());
    writer.close();
}

#[test]
fn an_active_chat_closes_as_idle_an_hour_after_its_last_message_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.set(T0 + MIN_MS);
    let accept = ChatAction::Accept {
        operator: "ana".into(),
    };
    rt.block_on(store.act_on_chat(1, accept)).unwrap();
    // The customer writes again 30 min later: the idle deadline moves to then + 1 h.
    clock.set(T0 + 31 * MIN_MS);
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    clock.set(T0 + 91 * MIN_MS - 1);
    tick(&store, &rt);
    writer.close();
    let chat = &chats(dir.path())[0];
    assert!(matches!(chat.state, ChatState::Active { .. }), "{chat:?}");

    let (store, writer) = open_at(dir.path(), &clock);
    clock.set(T0 + 91 * MIN_MS);
    tick(&store, &rt);
    writer.close();
    drop(store);
    assert_eq!(
        closed(&chats(dir.path())[0]),
        Some((CloseReason::Idle, T0 + 91 * MIN_MS))
    );
}

#[test]
fn the_business_s_sent_message_resets_an_active_chat_s_idle_timer_only() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    // While the chat waits, a sent status changes nothing (no operator accepted it).
    rt.block_on(store.ingest(sent("s:x0\0sent", T0))).unwrap();
    let waiting = rt.block_on(store.chat_view(1)).unwrap().unwrap().chat;
    assert_eq!(waiting.state, ChatState::Waiting);
    assert_eq!(waiting.deadline.map(|d| d.at), Some(T0 + 15 * MIN_MS));
    let accept = ChatAction::Accept {
        operator: "ana".into(),
    };
    rt.block_on(store.act_on_chat(1, accept)).unwrap();
    // The operator answers from the helpdesk 50 min later: idle now ends at 50 + 60 min.
    clock.set(T0 + 50 * MIN_MS);
    rt.block_on(store.ingest(sent("s:x1\0sent", T0 + 50 * MIN_MS)))
        .unwrap();
    clock.set(T0 + 110 * MIN_MS - 1);
    tick(&store, &rt);
    let chat = rt.block_on(store.chat_view(1)).unwrap().unwrap().chat;
    assert!(matches!(chat.state, ChatState::Active { .. }), "{chat:?}");
    clock.set(T0 + 110 * MIN_MS);
    tick(&store, &rt);
    writer.close();
    assert_eq!(
        closed(&chats(dir.path())[0]),
        Some((CloseReason::Idle, T0 + 110 * MIN_MS))
    );
}
