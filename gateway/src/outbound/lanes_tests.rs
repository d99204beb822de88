#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;

use super::*;

const START: UnixMs = 1_800_000_000_000;
const SHOP: &str = "1000001";

fn msg(id: MessageId, chat: ChatRef, recipient: &str) -> QueuedRef {
    QueuedRef {
        id,
        chat,
        recipient: recipient.to_owned(),
    }
}

fn settings(per_second: u32, strict_order: bool) -> LaneSettings {
    LaneSettings {
        rate: MessagesPerSecond::new(per_second).unwrap(),
        strict_order,
    }
}

/// Drives the lanes the way the shell does: sleeps until `next_wake`, sends what is due and
/// lets `answer` report each send's outcome at once. Returns (instant, number, id) per send.
fn run(
    lanes: &mut Lanes,
    mut now: UnixMs,
    mut answer: impl FnMut(&mut Lanes, &Due, UnixMs),
) -> Vec<(UnixMs, String, MessageId)> {
    let mut sent = Vec::new();
    while let Some(wake) = lanes.next_wake(now) {
        now = now.max(wake);
        let due = lanes.due(now);
        assert!(!due.is_empty(), "woken at {now} for nothing");
        for d in &due {
            sent.push((now, d.number.clone(), d.id));
            answer(lanes, d, now);
        }
        assert!(sent.len() < 100_000, "runaway");
    }
    sent
}

#[test]
fn an_unknown_number_gets_default_settings() {
    let mut lanes = Lanes::new();
    assert_eq!(lanes.next(SHOP, START), Next::Idle);
    assert!(lanes.enqueue(SHOP, msg(1, 7, "+15550001")));
    assert!(
        !lanes.enqueue(SHOP, msg(1, 7, "+15550001")),
        "a repeated id is ignored"
    );
    assert_eq!(lanes.settings(SHOP), Some(LaneSettings::default()));
    assert_eq!(LaneSettings::default(), settings(80, true));
    assert_eq!(lanes.len(), 1);
}

#[test]
fn strict_order_waits_for_meta_to_accept_the_previous_message() {
    let mut lanes = Lanes::new();
    for id in 1..=3 {
        lanes.enqueue(SHOP, msg(id, 7, "+15550001"));
    }
    lanes.enqueue(SHOP, msg(4, 8, "+15550002"));
    assert_eq!(lanes.next(SHOP, START), Next::Send(1));
    assert!(lanes.is_in_flight(1));
    // Chat 7 waits for message 1; chat 8 goes.
    assert_eq!(lanes.next(SHOP, START + 100), Next::Send(4));
    assert_eq!(lanes.next(SHOP, START + 200), Next::Idle);
    assert_eq!(lanes.next_wake(START + 200), None);
    assert!(lanes.accepted(1));
    assert!(!lanes.accepted(1), "a repeated outcome changes nothing");
    assert_eq!(lanes.next(SHOP, START + 200), Next::Send(2));
    // A retry keeps message 2 first in its chat.
    assert!(lanes.retry(2, START + 5_000));
    assert_eq!(
        lanes.next(SHOP, START + 300),
        Next::WaitUntil(START + 5_000)
    );
    assert_eq!(lanes.next_wake(START + 300), Some(START + 5_000));
    assert_eq!(lanes.next(SHOP, START + 5_000), Next::Send(2));
    // A failure lets the chat's next message go.
    assert!(lanes.failed(2));
    assert_eq!(lanes.next(SHOP, START + 5_000), Next::Send(3));
    assert!(lanes.uncertain(3));
    assert!(lanes.accepted(4));
    assert!(lanes.is_empty());
    assert_eq!(lanes.next(SHOP, START + 5_000), Next::Idle);
}

#[test]
fn without_strict_order_a_chat_overlaps_but_a_retry_is_not_overtaken() {
    let mut lanes = Lanes::new();
    lanes.ensure_number(SHOP, settings(80, false), START);
    for id in 1..=4 {
        lanes.enqueue(SHOP, msg(id, 7, "+15550001"));
    }
    assert_eq!(lanes.next(SHOP, START), Next::Send(1));
    assert_eq!(lanes.next(SHOP, START), Next::Send(2));
    lanes.retry(1, START + 1_000);
    // Message 1 waits for its retry; 3 and 4 wait behind it.
    assert_eq!(lanes.next(SHOP, START + 20), Next::WaitUntil(START + 1_000));
    assert_eq!(lanes.next(SHOP, START + 1_000), Next::Send(1));
    assert_eq!(lanes.next(SHOP, START + 1_020), Next::Send(3));
    // Turning strict order on: chat 7 has messages in flight, so nothing more goes.
    lanes.ensure_number(SHOP, settings(80, true), START + 1_040);
    assert_eq!(lanes.next(SHOP, START + 1_040), Next::Idle);
    for id in [1, 2, 3] {
        lanes.accepted(id);
    }
    assert_eq!(lanes.next(SHOP, START + 1_040), Next::Send(4));
}

#[test]
fn a_held_number_sends_nothing_until_resumed() {
    let mut lanes = Lanes::new();
    lanes.enqueue(SHOP, msg(1, 7, "+15550001"));
    lanes.enqueue(SHOP, msg(2, 8, "+15550002"));
    lanes.enqueue("2000002", msg(3, 9, "+15550003"));
    assert_eq!(lanes.next(SHOP, START), Next::Send(1));
    // 190: the message goes back in place and the number is held.
    lanes.retry(1, START);
    let hold = Hold {
        code: 190,
        since: START,
    };
    assert!(lanes.hold(SHOP, hold));
    assert!(!lanes.hold(SHOP, hold), "held already");
    assert!(
        lanes
            .hold_of(SHOP)
            .unwrap()
            .remedy()
            .contains("access token")
    );
    assert_eq!(lanes.next(SHOP, START + 60_000), Next::Held);
    // The other number is not held.
    let due = lanes.due(START + 60_000);
    assert_eq!(
        due,
        [Due {
            number: "2000002".into(),
            id: 3
        }]
    );
    assert_eq!(lanes.next_wake(START + 60_000), None);
    assert_eq!(lanes.resume(SHOP), Some(hold));
    assert_eq!(lanes.resume(SHOP), None);
    assert_eq!(lanes.next_wake(START + 60_000), Some(START + 60_000));
    assert_eq!(lanes.next(SHOP, START + 60_000), Next::Send(1));
}

#[test]
fn a_pair_backoff_delays_only_that_recipient() {
    let mut lanes = Lanes::new();
    lanes.ensure_number(SHOP, settings(1_000, false), START);
    lanes.enqueue(SHOP, msg(1, 7, "+15550001"));
    lanes.enqueue(SHOP, msg(2, 7, "+15550001"));
    lanes.enqueue(SHOP, msg(3, 8, "+15550002"));
    lanes.enqueue(SHOP, msg(4, 9, "+15550001"));
    assert_eq!(lanes.next(SHOP, START), Next::Send(1));
    assert_eq!(lanes.next(SHOP, START), Next::Send(2));
    // Both messages in flight to the same recipient hit 131056: one strike, 4 s.
    assert_eq!(lanes.pair_limited(1, START + 10), Some(START + 4_010));
    assert_eq!(lanes.pair_limited(2, START + 12), Some(START + 4_010));
    let backoff = lanes.pair_backoff(SHOP, "+15550001").unwrap();
    assert_eq!(backoff.strikes, 1);
    // Another recipient goes at once; chat 9 (same recipient, other chat) waits.
    assert_eq!(lanes.next(SHOP, START + 20), Next::Send(3));
    assert_eq!(lanes.next(SHOP, START + 20), Next::WaitUntil(START + 4_010));
    assert_eq!(lanes.next(SHOP, START + 4_010), Next::Send(1));
    // A second refusal after the backoff: 16 s.
    assert_eq!(lanes.pair_limited(1, START + 4_100), Some(START + 20_100));
    assert_eq!(
        lanes.next(SHOP, START + 20_000),
        Next::WaitUntil(START + 20_100)
    );
    let sent: Vec<Next> = (0..3).map(|_| lanes.next(SHOP, START + 20_100)).collect();
    assert_eq!(sent, [Next::Send(1), Next::Send(2), Next::Send(4)]);
    // Success resets the strikes.
    lanes.accepted(1);
    assert_eq!(lanes.pair_backoff(SHOP, "+15550001"), None);
    assert_eq!(lanes.pair_limited(2, START + 20_200), Some(START + 24_200));
    // Strikes are forgotten long after a backoff ended.
    lanes.accepted(2);
    assert_eq!(lanes.pair_limited(4, START + 24_300), Some(START + 28_300));
    assert_eq!(lanes.pair_limited(4, START + 28_300), Some(START + 44_300));
    let much_later = START + 44_300 + PAIR_CAP_MS;
    assert_eq!(lanes.pair_limited(4, much_later), Some(much_later + 4_000));
    assert_eq!(lanes.pair_limited(99, much_later), None, "not queued");
}

#[test]
fn two_thousand_messages_leave_at_the_configured_rate() {
    for (per_second, strict) in [(80, true), (80, false), (1_000, true), (7, false)] {
        let mut lanes = Lanes::new();
        lanes.ensure_number(SHOP, settings(per_second, strict), START);
        for id in 0..2_000 {
            // 200 chats of 10 messages, 50 recipients.
            lanes.enqueue(SHOP, msg(id, id % 200, &format!("+1555{:04}", id % 50)));
        }
        let sent = run(&mut lanes, START, |lanes, due, _| {
            lanes.accepted(due.id);
        });
        assert_eq!(sent.len(), 2_000);
        let elapsed = sent.last().unwrap().0 - START;
        let expected = 1_998 * 1_000 / u64::from(per_second);
        assert!(
            elapsed.abs_diff(expected) * 20 <= expected,
            "{per_second}/s: {elapsed} ms, expected {expected}"
        );
        // The oldest message leaves first when nothing waits.
        let ids: Vec<MessageId> = sent.iter().map(|s| s.2).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{per_second}/s");
    }
}

#[test]
fn one_strict_chat_with_latency_sends_in_order() {
    let mut lanes = Lanes::new();
    for id in 1..=50 {
        lanes.enqueue(SHOP, msg(id, 7, "+15550001"));
    }
    // Meta answers 300 ms later: at most one in flight, so one message per 300 ms.
    let mut now = START;
    let mut order = Vec::new();
    while let Next::Send(id) = lanes.next(SHOP, now) {
        assert_eq!(lanes.next(SHOP, now), Next::Idle);
        now += 300;
        lanes.accepted(id);
        order.push(id);
    }
    assert_eq!(order, (1..=50).collect::<Vec<_>>());
}

#[test]
fn candidates_are_one_per_chat_not_one_per_message() {
    // 2,000 messages in 20 chats: `next` walks at most the 20 candidates, whatever the queue's
    // length, with or without strict order.
    for strict in [true, false] {
        let mut lanes = Lanes::new();
        lanes.ensure_number(SHOP, settings(1_000, strict), START);
        for id in 0..2_000 {
            lanes.enqueue(SHOP, msg(id, id % 20, &format!("r{}", id % 20)));
        }
        assert_eq!(lanes.lanes[0].candidates.len(), 20);
        // 19 recipients back off: `next` skips 19 candidates and sends the 20th chat's.
        for id in 0..19 {
            assert_eq!(lanes.next(SHOP, START), Next::Send(id));
            lanes.pair_limited(id, START);
        }
        assert_eq!(lanes.next(SHOP, START + 1_000), Next::Send(19));
        assert_eq!(
            lanes.lanes[0].candidates.len(),
            if strict { 19 } else { 20 }
        );
    }
}

/// A step of a random scenario.
#[derive(Debug, Clone)]
enum Op {
    /// Queue a message on lane `lane`, chat `chat` (per lane), recipient `recipient`.
    Enqueue {
        lane: usize,
        chat: u64,
        recipient: u8,
    },
    /// Let time pass.
    Advance(u64),
    /// Sleep until the next wake, and send what is due.
    Wake,
    /// Send what is due now.
    Pump,
    /// Meta answers the `pick`-th message in flight.
    Answer { pick: usize, outcome: Outcome },
    /// Hold lane `0`.
    Hold(usize),
    /// Resume lane `0`.
    Resume(usize),
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Accept,
    Retry(u64),
    Fail,
    PairLimited,
    Uncertain,
}

const NUMBERS: [&str; 3] = ["111", "222", "333"];
/// (rate, strict order) of each lane.
const LANE_SETTINGS: [(u32, bool); 3] = [(5, true), (40, false), (3, true)];

fn op_strategy() -> impl Strategy<Value = Op> {
    let outcome = prop_oneof![
        4 => Just(Outcome::Accept),
        2 => (0_u64..3_000).prop_map(Outcome::Retry),
        1 => Just(Outcome::Fail),
        2 => Just(Outcome::PairLimited),
        1 => Just(Outcome::Uncertain),
    ];
    prop_oneof![
        6 => (0..3_usize, 0..4_u64, 0..4_u8)
            .prop_map(|(lane, chat, recipient)| Op::Enqueue { lane, chat, recipient }),
        3 => (0_u64..1_500).prop_map(Op::Advance),
        4 => Just(Op::Wake),
        3 => Just(Op::Pump),
        6 => (any::<usize>(), outcome).prop_map(|(pick, outcome)| Op::Answer { pick, outcome }),
        1 => (0..3_usize).prop_map(Op::Hold),
        1 => (0..3_usize).prop_map(Op::Resume),
    ]
}

/// What the test knows about a message.
#[derive(Debug, Clone)]
struct Known {
    lane: usize,
    chat: ChatRef,
    recipient: String,
}

/// The scenario's bookkeeping, and the checks of every send.
#[derive(Default)]
struct World {
    now: UnixMs,
    next_id: MessageId,
    known: BTreeMap<MessageId, Known>,
    /// Queued and not finished.
    pending: BTreeSet<MessageId>,
    in_flight: Vec<MessageId>,
    held: [bool; 3],
    /// (lane, recipient) → the end of its pair backoff.
    pair_until: HashMap<(usize, String), UnixMs>,
    /// Per lane, the instants of its sends.
    sends: [Vec<UnixMs>; 3],
    /// Per (lane, chat), the accepted ids in order.
    accepted: HashMap<(usize, ChatRef), Vec<MessageId>>,
}

impl World {
    fn sent(&mut self, due: &Due) -> Result<(), TestCaseError> {
        let known = self.known[&due.id].clone();
        prop_assert_eq!(NUMBERS[known.lane], due.number.as_str());
        // (e) nothing twice while in flight, nothing finished.
        prop_assert!(!self.in_flight.contains(&due.id), "{} sent twice", due.id);
        prop_assert!(
            self.pending.contains(&due.id),
            "{} sent after it finished",
            due.id
        );
        // (d) nothing from a held number.
        prop_assert!(!self.held[known.lane], "{} sent while held", due.id);
        // (c) nothing to a recipient backing off.
        if let Some(&until) = self.pair_until.get(&(known.lane, known.recipient.clone())) {
            prop_assert!(
                self.now >= until,
                "{} sent before the pair backoff ended",
                due.id
            );
        }
        // (a) strict order: no older message of the chat unfinished, none in flight.
        if LANE_SETTINGS[known.lane].1 {
            let older_pending = self
                .pending
                .range(..due.id)
                .any(|id| self.known[id].lane == known.lane && self.known[id].chat == known.chat);
            prop_assert!(
                !older_pending,
                "{} overtook an older message of its chat",
                due.id
            );
        }
        self.in_flight.push(due.id);
        self.sends[known.lane].push(self.now);
        Ok(())
    }

    fn pump(&mut self, lanes: &mut Lanes) -> Result<(), TestCaseError> {
        for due in lanes.due(self.now) {
            self.sent(&due)?;
        }
        let wake = lanes.next_wake(self.now);
        prop_assert!(
            wake.is_none_or(|w| w > self.now),
            "due now after due(): {:?}",
            wake
        );
        Ok(())
    }

    fn finish(&mut self, id: MessageId) {
        self.pending.remove(&id);
    }

    fn answer(&mut self, lanes: &mut Lanes, pick: usize, outcome: Outcome) {
        if self.in_flight.is_empty() {
            return;
        }
        let id = self.in_flight.remove(pick % self.in_flight.len());
        let known = self.known[&id].clone();
        match outcome {
            Outcome::Accept => {
                assert!(lanes.accepted(id));
                self.finish(id);
                self.accepted
                    .entry((known.lane, known.chat))
                    .or_default()
                    .push(id);
                self.pair_until.remove(&(known.lane, known.recipient));
            }
            Outcome::Retry(delay) => assert!(lanes.retry(id, self.now + delay)),
            Outcome::Fail => {
                assert!(lanes.failed(id));
                self.finish(id);
            }
            Outcome::Uncertain => {
                assert!(lanes.uncertain(id));
                self.finish(id);
            }
            Outcome::PairLimited => {
                let until = lanes.pair_limited(id, self.now).unwrap();
                assert!(until > self.now);
                self.pair_until.insert((known.lane, known.recipient), until);
            }
        }
        assert!(!lanes.is_in_flight(id));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        max_shrink_time: 20_000,
        ..ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
        )
    })]

    /// Random enqueues, latencies, outcomes, holds and clocks: (a) strict order, (b) the rate,
    /// (c) pair backoffs, (d) holds, (e) no double sends; and everything queued leaves in the
    /// end.
    #[test]
    fn lanes_keep_their_promises(ops in prop::collection::vec(op_strategy(), 1..300)) {
        let mut lanes = Lanes::new();
        let mut world = World { now: START, next_id: 1, ..World::default() };
        for (lane, &(rate, strict)) in LANE_SETTINGS.iter().enumerate() {
            lanes.ensure_number(NUMBERS[lane], settings(rate, strict), START);
        }
        for op in ops {
            match op {
                Op::Enqueue { lane, chat, recipient } => {
                    let id = world.next_id;
                    world.next_id += 1;
                    let recipient = format!("+1555000{recipient}");
                    prop_assert!(lanes.enqueue(NUMBERS[lane], msg(id, chat, &recipient)));
                    world.known.insert(id, Known { lane, chat, recipient });
                    world.pending.insert(id);
                }
                Op::Advance(ms) => world.now += ms,
                Op::Wake => {
                    if let Some(wake) = lanes.next_wake(world.now) {
                        world.now = world.now.max(wake);
                        let due = lanes.due(world.now);
                        prop_assert!(!due.is_empty(), "woken at {} for nothing", world.now);
                        for due in due {
                            world.sent(&due)?;
                        }
                    }
                }
                Op::Pump => world.pump(&mut lanes)?,
                Op::Answer { pick, outcome } => world.answer(&mut lanes, pick, outcome),
                Op::Hold(lane) => {
                    lanes.hold(NUMBERS[lane], Hold { code: 131_042, since: world.now });
                    world.held[lane] = true;
                }
                Op::Resume(lane) => {
                    lanes.resume(NUMBERS[lane]);
                    world.held[lane] = false;
                }
            }
        }
        // Drain: resume every number and accept every send; everything leaves.
        for (lane, number) in NUMBERS.iter().enumerate() {
            lanes.resume(number);
            world.held[lane] = false;
        }
        for _ in 0..10_000 {
            while !world.in_flight.is_empty() {
                world.answer(&mut lanes, 0, Outcome::Accept);
            }
            let Some(wake) = lanes.next_wake(world.now) else { break };
            world.now = world.now.max(wake);
            world.pump(&mut lanes)?;
        }
        prop_assert!(world.pending.is_empty(), "left behind: {:?}", world.pending);
        prop_assert!(lanes.is_empty());
        // (a) accepted in queued order within each chat of a strict lane.
        for ((lane, chat), ids) in &world.accepted {
            if LANE_SETTINGS[*lane].1 {
                prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "chat {}: {:?}", chat, ids);
            }
        }
        // (b) at most rate + burst sends in any second of any lane.
        for (lane, sends) in world.sends.iter().enumerate() {
            let rate = MessagesPerSecond::new(LANE_SETTINGS[lane].0).unwrap();
            let limit = (rate.get() + crate::outbound::token_bucket::burst_for(rate)) as usize;
            for (i, &from) in sends.iter().enumerate() {
                let in_window = sends[i..].iter().take_while(|&&t| t < from + 1_000).count();
                prop_assert!(in_window <= limit, "lane {}: {} sends from {}", lane, in_window, from);
            }
        }
    }
}
