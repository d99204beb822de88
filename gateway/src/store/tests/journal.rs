//! The journal in the store: events appended in the transaction of their change, gap-free and
//! in the order the chat lived them; batches formed once and settled; dead letters kept and
//! retried; retention that prunes only what headquarters acknowledged.

use std::sync::Arc;

use super::super::*;
use super::chats::{MIN_MS, message, open_at, runtime};
use super::{T0, options};
use crate::clock::ManualClock;

fn types(events: &[ResolvedEvent]) -> Vec<(&'static str, Option<u64>)> {
    events
        .iter()
        .map(|e| (e.event.event_type.as_str(), e.event.chat))
        .collect()
}

#[test]
fn a_chats_life_is_journaled_in_order_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    let seen = store.journal().subscribe();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    assert!(seen.has_changed().unwrap());
    rt.block_on(store.act_on_chat(
        1,
        ChatAction::Accept {
            operator: "ana".into(),
        },
    ))
    .unwrap();
    // Idle for an hour: the sweep closes it at its deadline.
    clock.advance(61 * MIN_MS);
    rt.block_on(store.sweep()).unwrap();
    let events = rt.block_on(store.events_after(0, 100)).unwrap();
    assert_eq!(
        types(&events),
        [
            ("chat.opened", Some(1)),
            ("message.received", Some(1)),
            ("message.received", Some(1)),
            ("chat.accepted", Some(1)),
            ("chat.closed", Some(1)),
        ]
    );
    let seqs: Vec<u64> = events.iter().map(|e| e.event.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    let received: serde_json::Value = serde_json::from_str(&events[1].data).unwrap();
    assert_eq!(received["wamid"], "w1");
    assert_eq!(received["log_seq"], 1);
    let closed: serde_json::Value = serde_json::from_str(&events[4].data).unwrap();
    assert_eq!(closed["reason"], "idle");
    assert_eq!(store.journal().last_seq(), 5);
    assert_eq!(store.journal().backlog(), 5);
    // Resumable: after seq 3 come 4 and 5.
    let rest = rt.block_on(store.events_after(3, 100)).unwrap();
    assert_eq!(rest.len(), 2);
    writer.close();

    // The sequence goes on after a restart.
    let (store, writer) = open_at(dir.path(), &clock);
    assert_eq!(store.journal().last_seq(), 5);
    assert_eq!(store.journal().backlog(), 5);
    rt.block_on(store.ingest(message("w3", "222"))).unwrap();
    let events = rt.block_on(store.events_after(5, 100)).unwrap();
    assert_eq!(events[0].event.seq, 6);
    writer.close();
}

#[test]
fn a_formed_batch_never_changes_and_settles_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    for n in 0..3 {
        rt.block_on(store.ingest(message(&format!("w{n}"), &format!("1{n}"))))
            .unwrap();
    }
    // 6 events: opened + received for each chat.
    let first = BatchRange { first: 1, last: 4 };
    // A batch must follow the last formed one.
    assert!(
        !rt.block_on(store.form_batch(BatchRange { first: 2, last: 4 }))
            .unwrap()
    );
    assert!(rt.block_on(store.form_batch(first)).unwrap());
    assert!(!rt.block_on(store.form_batch(first)).unwrap());
    writer.close();

    // After a restart the formed batch is still there, with the same events.
    let (store, writer) = open_at(dir.path(), &clock);
    let state = rt.block_on(store.upstream_state()).unwrap();
    assert_eq!(state.formed, [first]);
    assert_eq!(state.formed_through, 4);
    assert_eq!(state.oldest_at, Some(T0));
    assert_eq!(rt.block_on(store.batch_events(first)).unwrap().len(), 4);
    assert!(
        rt.block_on(store.settle_batch(1, BatchOutcome::Acknowledged))
            .unwrap()
    );
    assert!(
        !rt.block_on(store.settle_batch(1, BatchOutcome::Acknowledged))
            .unwrap()
    );
    assert_eq!(store.journal().backlog(), 2);

    // The next batch is refused: dead-lettered, kept, and retried later.
    let second = BatchRange { first: 5, last: 6 };
    assert!(rt.block_on(store.form_batch(second)).unwrap());
    let refused = BatchOutcome::DeadLettered {
        status: 400,
        reason: "bad".into(),
    };
    assert!(rt.block_on(store.settle_batch(5, refused)).unwrap());
    assert_eq!(store.journal().backlog(), 0);
    let state = rt.block_on(store.upstream_state()).unwrap();
    assert!(state.formed.is_empty());
    assert_eq!(state.oldest_at, None);
    assert_eq!(state.dead.len(), 1);
    assert_eq!((state.dead[0].first, state.dead[0].last), (5, 6));
    assert_eq!(state.dead[0].status, 400);
    assert!(rt.block_on(store.retry_dead_batch(5)).unwrap());
    assert!(!rt.block_on(store.retry_dead_batch(5)).unwrap());
    assert_eq!(store.journal().backlog(), 2);
    let state = rt.block_on(store.upstream_state()).unwrap();
    assert_eq!(state.formed, [second]);
    assert!(state.dead.is_empty());
    writer.close();
}

fn open_retaining(
    dir: &Path,
    clock: &ManualClock,
    wait_for_upstream: bool,
) -> (Store, StoreWriter) {
    let options = StoreOptions {
        retention: Some(Retention {
            after_ms: 0,
            wait_for_upstream,
        }),
        ..options()
    };
    Store::open(dir, options, Arc::new(clock.clone())).unwrap()
}

#[test]
fn retention_prunes_acknowledged_events_and_their_messages_only() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_retaining(dir.path(), &clock, true);
    let rt = runtime();
    for n in 0..4 {
        rt.block_on(store.ingest(message(&format!("w{n}"), &format!("1{n}"))))
            .unwrap();
    }
    // The downloader has looked at every record.
    rt.block_on(store.note_pending_downloads(4, Vec::new()))
        .unwrap();
    let full = store.usage().stored_bytes();
    clock.advance(MIN_MS);
    // Nothing acknowledged: nothing goes, however old.
    rt.block_on(store.sweep()).unwrap();
    assert_eq!(store.usage().stored_bytes(), full);
    assert_eq!(rt.block_on(store.events_after(0, 100)).unwrap().len(), 8);

    // Events 1-4 acknowledged (chats 1 and 2), 5-6 dead-lettered, 7-8 unsent.
    assert!(
        rt.block_on(store.form_batch(BatchRange { first: 1, last: 4 }))
            .unwrap()
    );
    assert!(
        rt.block_on(store.settle_batch(1, BatchOutcome::Acknowledged))
            .unwrap()
    );
    assert!(
        rt.block_on(store.form_batch(BatchRange { first: 5, last: 6 }))
            .unwrap()
    );
    let refused = BatchOutcome::DeadLettered {
        status: 422,
        reason: "no".into(),
    };
    assert!(rt.block_on(store.settle_batch(5, refused)).unwrap());
    clock.advance(MIN_MS);
    rt.block_on(store.sweep()).unwrap();
    assert!(store.usage().stored_bytes() < full);
    let left = rt.block_on(store.events_after(0, 100)).unwrap();
    let seqs: Vec<u64> = left.iter().map(|e| e.event.seq).collect();
    assert_eq!(seqs, [5, 6, 7, 8]);
    // The dead-lettered event still shows its message (a retry sends it whole).
    let dead: serde_json::Value = serde_json::from_str(&left[1].data).unwrap();
    assert_eq!(dead["wamid"], "w2");
    // The pruned chat's messages are gone; the others' are not.
    assert!(
        rt.block_on(store.chat_view(1))
            .unwrap()
            .unwrap()
            .messages
            .is_empty()
    );
    assert_eq!(
        rt.block_on(store.chat_view(3))
            .unwrap()
            .unwrap()
            .messages
            .len(),
        1
    );
    writer.close();
}

#[test]
fn without_headquarters_retention_prunes_by_age_alone() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_retaining(dir.path(), &clock, false);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.note_pending_downloads(1, Vec::new()))
        .unwrap();
    assert_eq!(store.journal().backlog(), 2);
    clock.advance(2 * 60 * MIN_MS);
    rt.block_on(store.sweep()).unwrap();
    // The sweep's close is new; the old events went.
    let left = rt.block_on(store.events_after(0, 100)).unwrap();
    assert_eq!(types(&left), [("chat.closed", Some(1))]);
    assert_eq!(store.journal().backlog(), 1);
    writer.close();
}
