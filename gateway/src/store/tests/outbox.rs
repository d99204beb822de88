//! Operators' messages in the store: queued with their checks, claimed before Meta is asked,
//! settled with Meta's answer, moved forward by statuses, and `uncertain` after a crash
//! between the claim and the answer.

use super::super::*;
use super::T0;
use super::chats::{message, open_at, runtime};
use crate::clock::ManualClock;
use crate::outbound::{MessageState, StatusKind};

fn text(chat: u64, operator: &str, key: Option<&str>) -> SendRequest {
    SendRequest {
        chat,
        operator: operator.into(),
        idempotency_key: key.map(str::to_owned),
        kind: "text".into(),
        body: r#"{"type":"text","text":{"body":"hello"}}"#.into(),
        check: SendCheck::FreeForm,
        retry_of: None,
    }
}

fn status(wamid: &str, local_id: Option<u64>, kind: StatusKind) -> IngestBatch {
    IngestBatch {
        events: vec![PreparedEvent {
            dedupe_key: format!("s:{wamid}:{kind:?}").into_bytes(),
            record: super::record(wamid).to_bytes(),
            effect: Some(EventEffect::MessageStatus {
                update: StatusUpdate {
                    wamid: wamid.into(),
                    local_id,
                    status: kind,
                    failure: None,
                    pricing: None,
                },
                sent: None,
            }),
        }],
        dead_letters: Vec::new(),
    }
}

#[test]
fn a_reply_is_queued_claimed_sent_and_moved_forward_by_statuses_never_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    let queued = rt.block_on(store.send(text(1, "ana", None))).unwrap();
    assert!(queued.created);
    assert_eq!(queued.message.state, MessageState::Queued);
    assert_eq!(queued.message.pricing, "free_customer_service");
    // Replying to a waiting chat is accepting it.
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    assert_eq!(view.outbound.len(), 1);
    assert!(view.chat.served_by().is_some());

    let outbox = rt
        .block_on(store.messages(MessageFilter::OutboxAfter(0)))
        .unwrap();
    assert_eq!(outbox.len(), 1);
    let claimed = rt.block_on(store.claim(1)).unwrap().unwrap();
    assert_eq!(
        (claimed.state, claimed.attempts),
        (MessageState::Sending, 1)
    );
    // A second claim finds it no longer queued.
    assert!(rt.block_on(store.claim(1)).unwrap().is_none());
    let sent = rt
        .block_on(store.settle(
            1,
            Settlement::Accepted {
                wamid: "wamid.out1".into(),
            },
        ))
        .unwrap()
        .unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert!(
        rt.block_on(store.messages(MessageFilter::OutboxAfter(0)))
            .unwrap()
            .is_empty()
    );

    rt.block_on(store.ingest(status("wamid.out1", None, StatusKind::Read)))
        .unwrap();
    rt.block_on(store.ingest(status("wamid.out1", None, StatusKind::Delivered)))
        .unwrap();
    let read = rt.block_on(store.message(1)).unwrap().unwrap();
    assert_eq!(read.state, MessageState::Read, "never backwards");
    drop(writer);
}

#[test]
fn the_same_idempotency_key_gets_the_same_message_and_another_body_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, _writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    let first = rt.block_on(store.send(text(1, "ana", Some("k1")))).unwrap();
    let again = rt.block_on(store.send(text(1, "ana", Some("k1")))).unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.message.id, again.message.id);
    let mut other = text(1, "ana", Some("k1"));
    other.body = r#"{"type":"text","text":{"body":"bye"}}"#.into();
    assert!(matches!(
        rt.block_on(store.send(other)),
        Err(SendRefusal::IdempotencyKeyReused { id: 1 })
    ));
    assert_eq!(
        rt.block_on(store.messages(MessageFilter::All))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn another_operator_s_chat_and_a_closed_window_refuse_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, _writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.send(text(1, "ana", None))).unwrap();
    assert!(matches!(
        rt.block_on(store.send(text(1, "ben", None))),
        Err(SendRefusal::Chat(_))
    ));
    assert!(matches!(
        rt.block_on(store.send(text(9, "ana", None))),
        Err(SendRefusal::NoChat)
    ));
    // 25 hours later the window is closed (and the idle timer closed the chat).
    clock.advance(25 * 3_600_000);
    assert!(rt.block_on(store.send(text(1, "ana", None))).is_err());
    assert_eq!(
        rt.block_on(store.messages(MessageFilter::All))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_message_claimed_when_the_gateway_stopped_is_uncertain_and_may_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let rt = runtime();
    {
        let (store, writer) = open_at(dir.path(), &clock);
        rt.block_on(store.ingest(message("w1", "111"))).unwrap();
        rt.block_on(store.send(text(1, "ana", None))).unwrap();
        rt.block_on(store.claim(1)).unwrap().unwrap();
        writer.close();
    }
    let (store, _writer) = open_at(dir.path(), &clock);
    let uncertain = rt.block_on(store.message(1)).unwrap().unwrap();
    assert_eq!(uncertain.state, MessageState::Uncertain);
    assert!(uncertain.error.is_some());
    assert!(
        rt.block_on(store.messages(MessageFilter::OutboxAfter(0)))
            .unwrap()
            .is_empty()
    );
    // A status proves Meta had it: it moves forward, found by its callback data.
    rt.block_on(store.ingest(status("wamid.late", Some(1), StatusKind::Delivered)))
        .unwrap();
    let moved = rt.block_on(store.message(1)).unwrap().unwrap();
    assert_eq!(moved.state, MessageState::Delivered);
    assert_eq!(moved.wamid.as_deref(), Some("wamid.late"));
    // A delivered message is not retried.
    let mut retry = text(1, "ana", None);
    retry.retry_of = Some(1);
    assert!(matches!(
        rt.block_on(store.send(retry)),
        Err(SendRefusal::NotRetryable { id: 1, .. })
    ));
}

#[test]
fn a_failed_message_is_retried_as_a_new_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, _writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.send(text(1, "ana", None))).unwrap();
    rt.block_on(store.claim(1)).unwrap().unwrap();
    let failure = SendFailure {
        code: Some(131_000),
        title: "Something went wrong".into(),
        details: None,
        remedy: "try again".into(),
        at: T0,
    };
    rt.block_on(store.settle(1, Settlement::Failed { failure }))
        .unwrap();
    let mut retry = text(1, "ana", None);
    retry.retry_of = Some(1);
    let first = rt.block_on(store.send(retry.clone())).unwrap();
    let second = rt.block_on(store.send(retry)).unwrap();
    assert!(first.created && !second.created);
    assert_eq!((first.message.id, first.message.retry_of), (2, Some(1)));
    assert_eq!(second.message.id, 2);
    let old = rt.block_on(store.message(1)).unwrap().unwrap();
    assert_eq!((old.state, old.retried_by), (MessageState::Failed, Some(2)));
}
