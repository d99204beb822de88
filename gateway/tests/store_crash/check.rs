//! Compares the store with the model: what a SIGKILL left in the store (no acknowledged chat
//! lost, only whole steps), and what a boot sweep made of it (overdue chats closed at their own
//! deadlines with their timer's reason, none closed twice, the rest unchanged).

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use gateway::chat::{Chat, ChatState, CloseReason, Server};
use gateway::store::reader::StoreReader;

use crate::script::{IDLE_MS, Model, STEPS, Stage, Step, UNATTENDED_MS};
use crate::script::{customer_id, number, rel, render_chat};

/// Renders the store's chats like [`Model::render`].
pub(crate) fn render_store(chats: &[Chat]) -> String {
    let line = |chat: &Chat| {
        let state = match &chat.state {
            ChatState::Waiting => "waiting".to_owned(),
            ChatState::Active {
                served_by: Server::Operator(operator),
            } => format!("active:{operator}"),
            ChatState::Active { served_by } => format!("active:{served_by:?}"),
            ChatState::Closed { reason, at } => format!("closed:{reason}@{}", rel(*at)),
        };
        render_chat(
            chat.id.0,
            (&chat.number, &chat.customer),
            chat.department.as_deref(),
            &state,
            chat.deadline.map(|d| (d.kind, d.at)),
            (chat.opened_at, chat.messages),
        )
    };
    chats.iter().map(line).collect::<Vec<_>>().join(" ")
}

/// The chats and last commit time of a stopped store, and whether it needed recovery first.
pub(crate) fn read_stopped(dir: &Path) -> (Vec<Chat>, u64, bool) {
    let (reader, repaired) = StoreReader::open(dir).unwrap();
    let mut chats = Vec::new();
    let visit = |_, chat| {
        chats.push(chat);
        ControlFlow::Continue(())
    };
    reader.for_each_chat(0, visit).unwrap();
    (
        chats,
        reader.snapshot().unwrap().summary.last_commit_ms,
        repaired,
    )
}

/// Checks that the journal of the stopped store in `dir` tells the story of its `chats`: its
/// sequence numbers run from 1 without a gap, and each chat has exactly one `chat.opened`, one
/// `message.received` per message, and one `chat.closed` if (and only if) it is closed; and
/// every chat event comes after the chat's `chat.opened`.
pub(crate) fn check_journal(dir: &Path, chats: &[Chat]) {
    let (reader, _) = StoreReader::open(dir).unwrap();
    let mut counts: BTreeMap<(u64, &'static str), u32> = BTreeMap::new();
    let mut expected_seq = 1;
    reader
        .for_each_event(0, |event| {
            assert_eq!(event.seq, expected_seq, "the journal has a gap");
            expected_seq += 1;
            let chat = event.chat.expect("every event of this script is a chat's");
            let kind = event.event_type.as_str();
            if kind != "chat.opened" {
                assert!(
                    counts.contains_key(&(chat, "chat.opened")),
                    "chat {chat}: {kind} before chat.opened"
                );
            }
            *counts.entry((chat, kind)).or_default() += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    for chat in chats {
        let id = chat.id.0;
        let count = |kind| counts.get(&(id, kind)).copied().unwrap_or(0);
        assert_eq!(count("chat.opened"), 1, "chat {id}");
        assert_eq!(count("message.received"), chat.messages, "chat {id}");
        assert_eq!(
            count("chat.closed"),
            u32::from(chat.is_closed()),
            "chat {id}"
        );
    }
    let chats_journaled = counts
        .keys()
        .map(|(chat, _)| chat)
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        chats_journaled.len(),
        chats.len(),
        "events of chats the store does not hold"
    );
}

/// Checks the `chats` a child killed after acknowledging step `kill_after` (and printing
/// `printed` steps) left behind: every acknowledged chat is there as it was opened, no customer
/// has two open chats, and the chats are exactly those of some step from `kill_after` on, which
/// it returns.
pub(crate) fn check_crashed_store(
    seed: u64,
    script: &[Step],
    chats: &[Chat],
    kill_after: u32,
    printed: u32,
) -> u32 {
    // No chat is lost: every chat acknowledged by step k is there, as it was opened.
    let acked = &script[kill_after as usize - 1].model;
    for expected in &acked.chats {
        let found = chats.iter().find(|chat| chat.id.0 == expected.id);
        let found = found.map(|c| (&c.number, &c.customer, c.opened_at));
        let want = (&number(expected.customer), &customer_id(expected.customer));
        assert_eq!(
            found,
            Some((want.0, want.1, expected.opened_at)),
            "seed {seed:#x}: chat {} acknowledged at step {kill_after} after the crash",
            expected.id
        );
    }
    // Each (number, customer) has at most one open chat.
    let mut open = BTreeMap::new();
    for chat in chats.iter().filter(|chat| !chat.is_closed()) {
        let pair = (chat.number.clone(), chat.customer.clone());
        assert_eq!(
            open.insert(pair, chat.id),
            None,
            "seed {seed:#x}: two open chats"
        );
    }
    // Later commits survive only as whole steps: the store is exactly some step from k on.
    let rendered = render_store(chats);
    let upper = (printed + 1).min(STEPS);
    let held = (kill_after..=upper).find(|&n| script[n as usize - 1].expected == rendered);
    held.unwrap_or_else(|| {
        panic!("seed {seed:#x}: no whole step from {kill_after} to {upper} in:\n{rendered}")
    })
}

/// What a crash left, as the boot-sweep check sees it.
pub(crate) struct Leftover<'a> {
    /// The chats in the store after the crash, before any boot sweep.
    pub(crate) chats: &'a [Chat],
    /// The model of the step whose chats the store holds.
    pub(crate) held: &'a Model,
    /// The model of the step after whose line the child was killed.
    pub(crate) acked: &'a Model,
}

/// What the checks met, across runs, so that a script that never exercises a case fails.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) closed_before: usize,
    pub(crate) missed_on_boot: usize,
    pub(crate) idle_on_boot: usize,
}

/// Checks the chats after a boot sweep at `now` against what the crash left: closed chats
/// unchanged, chats due by `now` closed at their deadlines with their timer's reason, the rest
/// unchanged.
pub(crate) fn check_boot_sweep(left: &Leftover<'_>, after: &[Chat], now: u64, seen: &mut Seen) {
    assert_eq!(after.len(), left.chats.len(), "a boot opens no chat");
    for (before, (after, model)) in left.chats.iter().zip(after.iter().zip(&left.held.chats)) {
        assert_eq!(after.id, before.id);
        match model.stage {
            Stage::Closed { .. } => {
                assert_eq!(after, before, "a closed chat never changes");
                seen.closed_before += 1;
            }
            Stage::Waiting { since } if since + UNATTENDED_MS <= now => {
                let want = ChatState::Closed {
                    reason: CloseReason::Missed,
                    at: since + UNATTENDED_MS,
                };
                assert_eq!(after.state, want, "waiting chat {}", after.id.0);
                seen.missed_on_boot += 1;
            }
            Stage::Active { last_activity, .. } if last_activity + IDLE_MS <= now => {
                let want = ChatState::Closed {
                    reason: CloseReason::Idle,
                    at: last_activity + IDLE_MS,
                };
                assert_eq!(after.state, want, "active chat {}", after.id.0);
                seen.idle_on_boot += 1;
            }
            Stage::Waiting { .. } | Stage::Active { .. } => {
                assert_eq!(after, before, "chat {} is not due yet", after.id.0);
            }
        }
    }
    // None is closed twice: what step k acknowledged as closed keeps its reason and time.
    for model in &left.acked.chats {
        if let Stage::Closed { reason, at } = model.stage {
            let after = &after[model.id as usize - 1];
            assert_eq!(
                after.state,
                ChatState::Closed { reason, at },
                "chat {}",
                model.id
            );
        }
    }
    assert_eq!(render_store(after), left.held.swept(now).render());
}
