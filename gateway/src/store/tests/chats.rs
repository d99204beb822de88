//! Chats in the store: routing in the same transaction as the append, the sweep, restarts, and
//! the clock rules (nothing fires while the clock reads earlier than the last commit; a jump
//! back closes nothing early; a jump forward closes exactly the chats really overdue).

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use super::super::reader::StoreReader;
use super::super::*;
use super::{T0, options, record};
use crate::chat::{BusinessNumber, Chat, ChatState, CloseReason, CustomerId};
use crate::clock::{ManualClock, SharedClock};

pub(super) const MIN_MS: u64 = 60_000;

pub(super) fn message(wamid: &str, customer: &str) -> IngestBatch {
    IngestBatch {
        events: vec![PreparedEvent {
            dedupe_key: format!("m:{wamid}").into_bytes(),
            record: record(wamid).to_bytes(),
            effect: Some(EventEffect::CustomerMessage(CustomerMessageInput {
                number: BusinessNumber("pn".into()),
                customer: CustomerId::WaId(customer.into()),
                department: None,
                profanity_hits: 0,
                sent_at: None,
                entry_point: None,
            })),
        }],
        dead_letters: Vec::new(),
    }
}

pub(super) fn chats(dir: &Path) -> Vec<Chat> {
    let (reader, _) = StoreReader::open(dir).unwrap();
    let mut out = Vec::new();
    reader
        .for_each_chat(0, |_, chat| {
            out.push(chat);
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

pub(super) fn closed(chat: &Chat) -> Option<(CloseReason, u64)> {
    match chat.state {
        ChatState::Closed { reason, at } => Some((reason, at)),
        _ => None,
    }
}

/// Opens the store in `dir`, reading `clock`.
pub(super) fn open_at(dir: &Path, clock: &ManualClock) -> (Store, StoreWriter) {
    Store::open(dir, options(), Arc::new(clock.clone())).unwrap()
}

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Runs the sweep and waits until it has.
pub(super) fn tick(store: &Store, rt: &tokio::runtime::Runtime) {
    rt.block_on(store.sweep()).unwrap();
}

#[test]
fn a_customer_message_opens_a_waiting_chat_and_the_next_one_joins_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(ManualClock::at(T0));
    let (store, writer) = Store::open(dir.path(), options(), clock).unwrap();
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    rt.block_on(store.ingest(message("w3", "222"))).unwrap();
    // A duplicate delivery does not count as a second message.
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    writer.close();
    let all = chats(dir.path());
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].state, ChatState::Waiting);
    assert_eq!(all[0].messages, 2);
    assert_eq!(all[0].deadline.map(|d| d.at), Some(T0 + 15 * MIN_MS));
}

#[test]
fn the_sweep_closes_a_missed_chat_at_its_deadline_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.set(T0 + 15 * MIN_MS - 1);
    tick(&store, &rt);
    writer.close();
    assert_eq!(closed(&chats(dir.path())[0]), None, "open 1 ms before");
    let (store, writer) = open_at(dir.path(), &clock);
    clock.set(T0 + 15 * MIN_MS + 7 * MIN_MS);
    tick(&store, &rt);
    writer.close();
    assert_eq!(
        closed(&chats(dir.path())[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS)),
        "closed as missed, at the deadline rather than at the sweep's time"
    );
}

#[test]
fn overdue_chats_close_on_boot_with_their_original_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    runtime()
        .block_on(store.ingest(message("w1", "111")))
        .unwrap();
    writer.close();
    // The gateway was down for two hours; it boots with a correct clock.
    clock.set(T0 + 120 * MIN_MS);
    let (_store, writer) = open_at(dir.path(), &clock);
    writer.close();
    assert_eq!(
        closed(&chats(dir.path())[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
}

#[test]
fn a_boot_with_the_clock_behind_the_store_fires_nothing_until_it_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    writer.close();
    // No RTC: the box boots in 1970. Nothing fires, at boot or on ticks.
    clock.set(5_000);
    let (store, writer) = open_at(dir.path(), &clock);
    tick(&store, &rt);
    // A message arriving meanwhile is timed by the store's watermark, not by 1970: its chat's
    // deadline is not already in the past when the clock is corrected.
    rt.block_on(store.ingest(message("w2", "222"))).unwrap();
    tick(&store, &rt);
    writer.close();
    let all = chats(dir.path());
    assert!(all.iter().all(|chat| closed(chat).is_none()), "{all:?}");
    assert!(all[1].deadline.unwrap().at >= T0 + 15 * MIN_MS);
    // NTP corrects the clock to just before the first deadline: still nothing.
    clock.set(T0 + 15 * MIN_MS - 1);
    let (store, writer) = open_at(dir.path(), &clock);
    tick(&store, &rt);
    writer.close();
    assert!(chats(dir.path()).iter().all(|chat| closed(chat).is_none()));
    // Once it passes the deadline, exactly the overdue chat closes.
    clock.set(T0 + 15 * MIN_MS);
    let (store, writer) = open_at(dir.path(), &clock);
    tick(&store, &rt);
    writer.close();
    let all = chats(dir.path());
    assert_eq!(
        closed(&all[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
    // w2 was stamped with the store's last commit time (T0), the best estimate while the clock
    // was wrong, so its chat is due at the same instant and closes at its own deadline.
    let w2_deadline = T0 + 15 * MIN_MS;
    assert_eq!(closed(&all[1]), Some((CloseReason::Missed, w2_deadline)));
}

#[test]
fn a_backwards_jump_closes_nothing_early_and_a_forward_jump_exactly_the_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("a", "111"))).unwrap(); // deadline T0 + 15 min
    clock.set(T0 + 10 * MIN_MS);
    rt.block_on(store.ingest(message("b", "222"))).unwrap(); // deadline T0 + 25 min
    // Backwards by an hour: nothing closes.
    clock.set(T0 - 60 * MIN_MS);
    tick(&store, &rt);
    // Forward to T0 + 20 min: "a" is overdue, "b" is not.
    clock.set(T0 + 20 * MIN_MS);
    tick(&store, &rt);
    writer.close();
    let all = chats(dir.path());
    assert_eq!(
        closed(&all[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
    assert_eq!(closed(&all[1]), None);
}

#[test]
fn the_next_message_after_a_close_opens_a_new_chat_and_the_old_stays_closed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.set(T0 + 30 * MIN_MS);
    tick(&store, &rt);
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    writer.close();
    let all = chats(dir.path());
    assert_eq!(all.len(), 2);
    assert_eq!(
        closed(&all[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
    assert_eq!(all[1].state, ChatState::Waiting);
    assert_ne!(all[0].id, all[1].id);
}

#[test]
fn an_overdue_chat_met_by_a_message_before_the_sweep_closes_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.set(T0 + 40 * MIN_MS);
    rt.block_on(store.ingest(message("w2", "111"))).unwrap(); // no tick in between
    writer.close();
    let all = chats(dir.path());
    assert_eq!(
        closed(&all[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
    assert_eq!(all[1].opened_at, T0 + 40 * MIN_MS);
}

#[test]
fn operators_accept_and_close_through_the_writer_and_a_closed_chat_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    let id = rt.block_on(store.list_chats(ChatFilter::Waiting)).unwrap()[0]
        .id
        .0;
    let operator = || "kiosk".to_owned();
    let accepted = rt
        .block_on(store.act_on_chat(
            id,
            ChatAction::Accept {
                operator: operator(),
            },
        ))
        .unwrap();
    assert!(matches!(accepted.state, ChatState::Active { .. }));
    assert_eq!(
        rt.block_on(store.list_chats(ChatFilter::Active))
            .unwrap()
            .len(),
        1
    );
    let closed_chat = rt
        .block_on(store.act_on_chat(
            id,
            ChatAction::Close {
                operator: operator(),
            },
        ))
        .unwrap();
    assert_eq!(
        closed(&closed_chat).map(|c| c.0),
        Some(CloseReason::Operator)
    );
    let again = rt.block_on(store.act_on_chat(
        id,
        ChatAction::Accept {
            operator: operator(),
        },
    ));
    assert!(
        matches!(again, Err(ChatActionError::Refused(_))),
        "{again:?}"
    );
    let missing = rt.block_on(store.act_on_chat(
        999,
        ChatAction::Accept {
            operator: operator(),
        },
    ));
    assert!(matches!(missing, Err(ChatActionError::NotFound)));
    let view = rt.block_on(store.chat_view(id)).unwrap().unwrap();
    assert_eq!(view.chat.id.0, id);
    let wamids: Vec<_> = view
        .messages
        .iter()
        .map(|m| m.record.wamid.clone())
        .collect();
    assert_eq!(wamids, vec![Some("w1".to_owned()), Some("w2".to_owned())]);
    writer.close();
    // The actions were durable: a reader sees the chat closed by the operator.
    assert_eq!(
        closed(&chats(dir.path())[0]).map(|c| c.0),
        Some(CloseReason::Operator)
    );
}

#[test]
fn acting_on_an_overdue_chat_closes_it_at_its_deadline_and_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.set(T0 + 16 * MIN_MS); // overdue, and no sweep yet
    let refused = rt.block_on(store.act_on_chat(
        1,
        ChatAction::Accept {
            operator: "k".into(),
        },
    ));
    assert!(
        matches!(refused, Err(ChatActionError::Refused(_))),
        "{refused:?}"
    );
    writer.close();
    assert_eq!(
        closed(&chats(dir.path())[0]),
        Some((CloseReason::Missed, T0 + 15 * MIN_MS))
    );
}

#[test]
fn the_snapshot_counts_chats_by_state_live_and_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    for (wamid, customer) in [("w1", "111"), ("w2", "222"), ("w3", "333"), ("w4", "444")] {
        rt.block_on(store.ingest(message(wamid, customer))).unwrap();
    }
    let accept = || ChatAction::Accept {
        operator: "ana".to_owned(),
    };
    let close = || ChatAction::Close {
        operator: "ana".to_owned(),
    };
    // Chat 1 active, 2 and 3 closed (from waiting and from active), 4 still waiting.
    for (id, action) in [(1, accept()), (2, close()), (3, accept()), (3, close())] {
        rt.block_on(store.act_on_chat(id, action)).unwrap();
    }
    let expected = ChatCounts {
        waiting: 1,
        active: 1,
        closed: 2,
    };
    let live = rt.block_on(store.snapshot()).unwrap();
    assert_eq!(live.chats, expected);
    assert_eq!((live.summary.log_entries, live.summary.next_seq), (4, 5));
    assert_eq!(live.summary.last_commit_ms, T0);
    writer.close();
    let (reader, _) = StoreReader::open(dir.path()).unwrap();
    assert_eq!(reader.snapshot().unwrap(), live);
}
