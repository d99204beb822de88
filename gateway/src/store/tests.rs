//! Store tests: group commit, dedupe, sequence numbers, dead letters, quota, expiry, reopen.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::ops::ControlFlow;
use std::sync::Arc;

use super::reader::StoreReader;
use super::*;
use crate::chat::{LifecycleSettings, Span};
use crate::clock::{ManualClock, SharedClock};
use crate::policy::TemplateRegistry;

const HOUR_MS: u64 = 3_600_000;
pub(super) const T0: u64 = 1_800_000_000_000;

pub(super) fn options() -> StoreOptions {
    StoreOptions {
        quota_bytes: 64 * 1024 * 1024,
        dedupe_retention_ms: 192 * HOUR_MS,
        dedupe_max_entries: 1_000_000,
        cache_bytes: 1 << 20,
        max_batch: 64,
        lifecycle: lifecycle(),
        templates: TemplateRegistry::default(),
        pricing: PricingRules {
            service_free_tier_per_month: 1_000,
            ..PricingRules::default()
        },
        credits: CreditSettings::default(),
        retention: None,
        canned_responses: Vec::new(),
        articles: Vec::new(),
    }
}

fn lifecycle() -> LifecycleSettings {
    LifecycleSettings {
        unattended: Span::from_mins(15),
        idle: Span::from_hours(1),
        bot_enabled: false,
        bot_idle: Span::from_mins(10),
        profanity_limit: 3,
    }
}

pub(super) fn record(wamid: &str) -> LogRecord {
    LogRecord {
        received_at_ms: T0,
        kind: RecordKind::Message,
        waba_id: "waba".into(),
        field: "messages".into(),
        phone_number_id: Some("pn".into()),
        wamid: Some(wamid.into()),
        sender: Some("16505551234".into()),
        user_id: None,
        timestamp: Some(1),
        type_name: "text".into(),
        content_json: "{}".into(),
    }
}

fn event(wamid: &str) -> PreparedEvent {
    PreparedEvent {
        dedupe_key: format!("m:{wamid}").into_bytes(),
        record: record(wamid).to_bytes(),
        effect: None,
    }
}

fn batch(wamids: &[&str]) -> IngestBatch {
    IngestBatch {
        events: wamids.iter().map(|w| event(w)).collect(),
        dead_letters: Vec::new(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn exported_wamids(dir: &Path) -> Vec<(u64, String)> {
    let (reader, _) = StoreReader::open(dir).unwrap();
    let mut out = Vec::new();
    reader
        .for_each_record(0, |seq, record| {
            out.push((seq, record.wamid.unwrap_or_default()));
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

mod chats;
mod commands;
mod journal;
mod outbox;
mod policy;
mod tools;

#[test]
fn appends_in_order_and_drops_duplicates_across_requests_and_within_one() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (store, writer) = Store::open(dir.path(), options(), clock).unwrap();
    let rt = runtime();
    let first = rt.block_on(store.ingest(batch(&["a", "b", "a"]))).unwrap();
    assert_eq!(
        (first.appended, first.duplicates, first.first_seq),
        (2, 1, Some(1))
    );
    let second = rt.block_on(store.ingest(batch(&["b", "c"]))).unwrap();
    assert_eq!(
        (second.appended, second.duplicates, second.first_seq),
        (1, 1, Some(3))
    );
    writer.close();
    assert_eq!(
        exported_wamids(dir.path()),
        vec![(1, "a".into()), (2, "b".into()), (3, "c".into())]
    );
}

#[test]
fn concurrent_submissions_are_group_committed_and_each_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (store, writer) = Store::open(dir.path(), options(), clock).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let outcomes = rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..200 {
            let store = store.clone();
            // Every wamid is sent twice, concurrently: exactly one copy may be appended.
            let wamid = format!("w{}", i % 100);
            tasks.push(tokio::spawn(
                async move { store.ingest(batch(&[&wamid])).await },
            ));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap().unwrap());
        }
        outcomes
    });
    let appended: u32 = outcomes.iter().map(|o| o.appended).sum();
    let duplicates: u32 = outcomes.iter().map(|o| o.duplicates).sum();
    assert_eq!((appended, duplicates), (100, 100));
    // Every submission is in one observed group; each group's commit is timed.
    let commits = store.commit_metrics();
    assert_eq!(commits.size.sum(), 200.0);
    assert!((1..=200).contains(&commits.size.count()));
    assert_eq!(commits.latency.count(), commits.size.count());
    writer.close();
    let exported = exported_wamids(dir.path());
    assert_eq!(exported.len(), 100);
    let seqs: Vec<u64> = exported.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=100).collect::<Vec<_>>(),
        "dense, growing sequence"
    );
}

#[test]
fn sequence_numbers_and_dedupe_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    for round in 0..3 {
        let clock: SharedClock = Arc::new(ManualClock::at(T0 + round));
        let (store, writer) = Store::open(dir.path(), options(), clock).unwrap();
        let outcome = rt
            .block_on(store.ingest(batch(&["same", &format!("new{round}")])))
            .unwrap();
        assert_eq!(outcome.appended, if round == 0 { 2 } else { 1 });
        writer.close();
    }
    let (reader, repaired) = StoreReader::open(dir.path()).unwrap();
    assert!(!repaired);
    let summary = reader.snapshot().unwrap().summary;
    assert_eq!((summary.log_entries, summary.next_seq), (4, 5));
    assert_eq!(summary.duplicates_total, 2);
}

#[test]
fn dead_letters_are_kept_with_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (store, writer) = Store::open(dir.path(), options(), clock).unwrap();
    let letter = DeadLetter {
        received_at_ms: T0,
        path: String::new(),
        error: "not JSON".into(),
        raw: b"\x00\x01not json".to_vec(),
    };
    let outcome = runtime()
        .block_on(store.ingest(IngestBatch {
            events: Vec::new(),
            dead_letters: vec![letter.to_bytes()],
        }))
        .unwrap();
    assert_eq!(outcome.dead_letters, 1);
    writer.close();
    let (reader, _) = StoreReader::open(dir.path()).unwrap();
    let mut seen = Vec::new();
    reader
        .for_each_dead_letter(0, |seq, l| {
            seen.push((seq, l));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(seen, vec![(1, letter)]);
}

#[test]
fn quota_refuses_new_data_but_not_duplicates_and_recovers_when_room_returns() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let mut opts = options();
    opts.quota_bytes = 4_000;
    let (store, writer) = Store::open(dir.path(), opts, clock).unwrap();
    let rt = runtime();
    let mut accepted = Vec::new();
    let mut refused = None;
    for i in 0..100 {
        let wamid = format!("wamid.{i:04}");
        match rt.block_on(store.ingest(batch(&[&wamid]))) {
            Ok(_) => accepted.push(wamid),
            Err(error) => {
                refused = Some(error);
                break;
            }
        }
    }
    let refused = refused.expect("a 4000-byte quota must fill up");
    assert!(matches!(
        refused,
        StoreError::QuotaExceeded { quota: 4_000, .. }
    ));
    assert!(refused.is_retryable());
    assert!(store.usage().total() <= 4_000);
    // A duplicate needs no room: it is answered, not refused.
    let dup = rt.block_on(store.ingest(batch(&[&accepted[0]]))).unwrap();
    assert_eq!(dup.duplicates, 1);
    // Room returns when the other files shrink (here, the scan result drops).
    store.usage().set_other_files_bytes(0);
    let before = store.usage().stored_bytes();
    assert!(before + 200 > 4_000, "still full by stored bytes alone");
    writer.close();
    // Reopen with a larger quota: the refused wamid is accepted and nothing was lost.
    let mut bigger = options();
    bigger.quota_bytes = 1 << 20;
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (store, writer) = Store::open(dir.path(), bigger, clock).unwrap();
    let next = format!("wamid.{:04}", accepted.len());
    assert_eq!(
        rt.block_on(store.ingest(batch(&[&next]))).unwrap().appended,
        1
    );
    writer.close();
    assert_eq!(exported_wamids(dir.path()).len(), accepted.len() + 1);
}

#[test]
fn quota_counts_other_files_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let mut opts = options();
    opts.quota_bytes = 100_000;
    let (store, writer) = Store::open(dir.path(), opts, clock).unwrap();
    let rt = runtime();
    store.usage().set_other_files_bytes(99_990);
    assert!(matches!(
        rt.block_on(store.ingest(batch(&["x"]))),
        Err(StoreError::QuotaExceeded { .. })
    ));
    store.usage().set_other_files_bytes(0);
    assert_eq!(
        rt.block_on(store.ingest(batch(&["x"]))).unwrap().appended,
        1
    );
    writer.close();
}

#[test]
fn dedupe_entries_expire_after_the_retention_and_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let shared: SharedClock = Arc::new(clock.clone());
    let (store, writer) = Store::open(dir.path(), options(), shared).unwrap();
    let rt = runtime();
    rt.block_on(store.ingest(batch(&["old"]))).unwrap();
    let stored_with_entry = store.usage().stored_bytes();
    // One millisecond before the retention ends, the key is still known.
    clock.set(T0 + 192 * HOUR_MS - 1);
    let dup = rt.block_on(store.ingest(batch(&["old"]))).unwrap();
    assert_eq!(dup.duplicates, 1);
    // Past the retention (and the expiry pass interval), the pass removes it; a redelivery is
    // then new again.
    clock.set(T0 + 192 * HOUR_MS + 60_001);
    rt.block_on(store.ingest(batch(&["trigger"]))).unwrap();
    let again = rt.block_on(store.ingest(batch(&["old"]))).unwrap();
    assert_eq!(again.appended, 1, "expired key accepted as new");
    assert!(store.usage().stored_bytes() > stored_with_entry);
    writer.close();
}

#[test]
fn a_clock_behind_the_last_commit_expires_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0 + 500 * HOUR_MS);
    let shared: SharedClock = Arc::new(clock.clone());
    let (store, writer) = Store::open(dir.path(), options(), shared).unwrap();
    let rt = runtime();
    rt.block_on(store.ingest(batch(&["k"]))).unwrap();
    // The box reboots without an RTC: the clock reads 1970-ish.
    clock.set(1_000);
    rt.block_on(store.ingest(batch(&["other"]))).unwrap();
    assert_eq!(
        rt.block_on(store.ingest(batch(&["k"]))).unwrap().duplicates,
        1
    );
    writer.close();
}

#[test]
fn the_entry_cap_evicts_the_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let shared: SharedClock = Arc::new(clock.clone());
    let mut opts = options();
    opts.dedupe_max_entries = 3;
    let (store, writer) = Store::open(dir.path(), opts, shared).unwrap();
    let rt = runtime();
    for (i, w) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        clock.set(T0 + i as u64);
        rt.block_on(store.ingest(batch(&[w]))).unwrap();
    }
    // "a" and "b" were evicted by the cap; "e" is still known.
    assert_eq!(
        rt.block_on(store.ingest(batch(&["e"]))).unwrap().duplicates,
        1
    );
    assert_eq!(
        rt.block_on(store.ingest(batch(&["a"]))).unwrap().appended,
        1
    );
    writer.close();
    let (reader, _) = StoreReader::open(dir.path()).unwrap();
    assert!(reader.snapshot().unwrap().summary.dedupe_entries <= 4);
}

#[test]
fn a_second_gateway_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (_store, writer) = Store::open(dir.path(), options(), Arc::clone(&clock)).unwrap();
    assert!(matches!(
        Store::open(dir.path(), options(), clock),
        Err(StoreError::InUse { .. })
    ));
    assert!(matches!(
        StoreReader::open(dir.path()),
        Err(StoreError::InUse { .. })
    ));
    writer.close();
}
