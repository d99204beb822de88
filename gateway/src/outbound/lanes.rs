//! The send scheduler: one lane per business number, deciding which queued message leaves
//! next and when.
//!
//! The lanes live in memory; the shell rebuilds them from the store's outbox at start
//! ([`Lanes::enqueue`], then [`Lanes::retry`] for a message that was waiting for a retry) and
//! tells them every outcome. They never read a clock: every call that depends on time takes
//! `now`.
//!
//! # What a lane holds
//!
//! - its [`LaneSettings`]: the rate of its [`TokenBucket`] and whether order is strict;
//! - an optional [`Hold`]: while held, nothing of the number leaves until [`Lanes::resume`];
//! - its queued messages, per chat in local-id order; which of them are in flight; for each, the
//!   instant before which it may not leave (retry backoff);
//! - per recipient, the pair backoff after Meta's 131056 ([`PairBackoff`]).
//!
//! # Which message leaves
//!
//! Each chat offers at most one **candidate**:
//! - **strict order** (the default): the chat's oldest unfinished message, and only while no
//!   message of the chat is in flight. So a message leaves only after Meta accepted (or refused,
//!   or left uncertain) the one before it, and messages are accepted in the order they were
//!   queued.
//! - **without strict order**: the chat's oldest message that is not in flight, so several of a
//!   chat's messages may be in flight at once. A message waiting for its retry is still not
//!   overtaken: the chat's later messages wait behind it (only messages already in flight when
//!   it failed can arrive before it).
//!
//! A candidate is ready when its retry instant and its recipient's pair backoff have passed.
//! Among the ready candidates the lowest local id (the oldest message) leaves first, when the
//! bucket has a token. A pair backoff delays only the chats of that recipient; other
//! recipients of the same number keep going.
//!
//! # Outcomes
//!
//! | outcome | call | the message | its chat (strict order) |
//! |---|---|---|---|
//! | Meta accepted it | [`Lanes::accepted`] | leaves; the recipient's pair strikes reset | the next message may go |
//! | transient error | [`Lanes::retry`] | stays in place, not before the given instant | waits |
//! | 131056 | [`Lanes::pair_limited`] | stays in place; its recipient backs off | waits |
//! | refused for good | [`Lanes::failed`] | leaves | the next message may go: it may be valid (a template after a closed window) |
//! | no answer, not resent | [`Lanes::uncertain`] | leaves, never resent | the next message may go |
//! | the number must be fixed | [`Lanes::retry`] with `now`, then [`Lanes::hold`] | stays in place | waits for [`Lanes::resume`] |
//!
//! Outcomes for an id the lanes do not hold (already finished, or never queued) change nothing
//! and return `false`/`None`, so a late or repeated outcome is harmless.
//!
//! # Cost
//!
//! A chat's messages are a `BTreeMap` by id; the candidates of a number are a `BTreeSet` by id.
//! [`Lanes::next`] walks the candidates oldest first and stops at the first ready one, so it
//! costs `O(log n)` when nothing waits and `O(chats)` at worst, never `O(messages)`. Finishing or
//! sending a message costs `O(log n)` plus, without strict order, the chat's in-flight messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::backoff::{PAIR_CAP_MS, pair_backoff_ms};
use super::error_class::remedy;
use super::token_bucket::{MessagesPerSecond, TokenBucket};
use crate::time::UnixMs;

/// A local message id (the store's outbox key).
pub type MessageId = u64;
/// A local chat id.
pub type ChatRef = u64;

/// A queued message, as much of it as the scheduler needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRef {
    /// The local message id; ids grow in the order messages were queued.
    pub id: MessageId,
    /// The chat it belongs to (order is kept per chat).
    pub chat: ChatRef,
    /// Who receives it: a phone number or a BSUID (the pair rate limit applies per recipient).
    pub recipient: String,
}

/// How one business number sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneSettings {
    /// The token bucket's rate.
    pub rate: MessagesPerSecond,
    /// Whether a chat's message waits until Meta has answered for the one before it.
    pub strict_order: bool,
}

impl Default for LaneSettings {
    /// Meta's default throughput (80 messages per second), strict order.
    fn default() -> Self {
        Self {
            rate: MessagesPerSecond::DEFAULT,
            strict_order: true,
        }
    }
}

/// Why a number is held: the error that stopped it and when. Kept in the store (postcard) so
/// that a hold outlives a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hold {
    /// Meta's error code (190, 131042, ...).
    pub code: i64,
    /// When the hold began.
    pub since: UnixMs,
}

impl Hold {
    /// What a person must do before resuming the number.
    pub fn remedy(&self) -> &'static str {
        remedy(self.code)
    }
}

/// The pair backoff of one recipient of one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairBackoff {
    /// Nothing goes to the recipient before this instant.
    pub until: UnixMs,
    /// Pair-rate-limit errors in a row (the exponent of `4^strikes` seconds).
    pub strikes: u32,
}

/// What a number should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send this message now; it is in flight until an outcome is reported.
    Send(MessageId),
    /// Nothing may leave before this instant (a token, a retry or a pair backoff).
    WaitUntil(UnixMs),
    /// Nothing to send: no queued message, or all in flight.
    Idle,
    /// The number is held.
    Held,
}

/// A message due now, from [`Lanes::due`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The business number (phone_number_id).
    pub number: String,
    /// The message, now in flight.
    pub id: MessageId,
}

/// The send lanes of every business number.
#[derive(Debug, Default)]
pub struct Lanes {
    /// The lanes, in the order their numbers were first seen.
    lanes: Vec<Lane>,
    /// Number → index into `lanes`.
    by_number: HashMap<String, usize>,
    /// Message → where it is queued.
    places: HashMap<MessageId, Place>,
}

/// Where a queued message is.
#[derive(Debug, Clone, Copy)]
struct Place {
    lane: usize,
    chat: ChatRef,
}

#[derive(Debug)]
struct Lane {
    number: String,
    settings: LaneSettings,
    bucket: TokenBucket,
    hold: Option<Hold>,
    chats: HashMap<ChatRef, ChatQueue>,
    /// Each chat's candidate, as (message, chat), oldest first.
    candidates: BTreeSet<(MessageId, ChatRef)>,
    pair: HashMap<String, PairBackoff>,
}

#[derive(Debug, Default)]
struct ChatQueue {
    entries: BTreeMap<MessageId, Entry>,
    in_flight: usize,
    candidate: Option<MessageId>,
}

#[derive(Debug)]
struct Entry {
    recipient: String,
    not_before: UnixMs,
    in_flight: bool,
}

impl Lanes {
    /// No lanes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Configures `number` (creating its lane). A new rate keeps the bucket's tokens; a change
    /// of order applies to the next message chosen.
    pub fn ensure_number(&mut self, number: &str, settings: LaneSettings, now: UnixMs) {
        let lane = self.lane_mut(number);
        lane.bucket.set_rate(settings.rate, now);
        if lane.settings.strict_order != settings.strict_order {
            lane.settings = settings;
            let chats: Vec<ChatRef> = lane.chats.keys().copied().collect();
            for chat in chats {
                lane.refresh(chat);
            }
        }
        lane.settings = settings;
    }

    /// The settings of `number`, if it has a lane.
    pub fn settings(&self, number: &str) -> Option<LaneSettings> {
        self.lane(number).map(|lane| lane.settings)
    }

    /// Queues `message` on `number`'s lane (created with [`LaneSettings::default`] if
    /// needed), ready at once. `false` when the id is already queued (nothing changes).
    pub fn enqueue(&mut self, number: &str, message: QueuedRef) -> bool {
        if self.places.contains_key(&message.id) {
            return false;
        }
        let lane_index = self.lane_index(number);
        let lane = &mut self.lanes[lane_index];
        let queue = lane.chats.entry(message.chat).or_default();
        queue.entries.insert(
            message.id,
            Entry {
                recipient: message.recipient,
                not_before: 0,
                in_flight: false,
            },
        );
        lane.refresh(message.chat);
        self.places.insert(
            message.id,
            Place {
                lane: lane_index,
                chat: message.chat,
            },
        );
        true
    }

    /// What `number` should do at `now`; a [`Next::Send`] marks the message in flight and takes
    /// a token. A number without a lane is [`Next::Idle`].
    pub fn next(&mut self, number: &str, now: UnixMs) -> Next {
        match self.by_number.get(number) {
            Some(&index) => self.lanes[index].next(now),
            None => Next::Idle,
        }
    }

    /// Every message due at `now`, over all numbers (each now in flight), in lane order and
    /// oldest first within a lane.
    pub fn due(&mut self, now: UnixMs) -> Vec<Due> {
        let mut due = Vec::new();
        for lane in &mut self.lanes {
            while let Next::Send(id) = lane.next(now) {
                due.push(Due {
                    number: lane.number.clone(),
                    id,
                });
            }
        }
        due
    }

    /// When the shell should next call [`due`](Self::due): the earliest instant something may
    /// leave (at or before `now` when something is due now), or `None` when nothing will leave
    /// without an outcome, an enqueue or a resume.
    pub fn next_wake(&self, now: UnixMs) -> Option<UnixMs> {
        self.lanes.iter().filter_map(|lane| lane.wake(now)).min()
    }

    /// Meta accepted message `id`: it leaves its lane, and its recipient's pair strikes reset.
    pub fn accepted(&mut self, id: MessageId) -> bool {
        let Some((lane, entry)) = self.remove(id) else {
            return false;
        };
        self.lanes[lane].pair.remove(&entry.recipient);
        true
    }

    /// Message `id` is to be sent again, not before `at`; it keeps its place in its chat.
    pub fn retry(&mut self, id: MessageId, at: UnixMs) -> bool {
        self.requeue(id, |_, entry| entry.not_before = at).is_some()
    }

    /// Message `id` was refused for good: it leaves its lane (the chat's next message may go).
    pub fn failed(&mut self, id: MessageId) -> bool {
        self.remove(id).is_some()
    }

    /// Message `id` got no answer and is not to be resent: it leaves its lane.
    pub fn uncertain(&mut self, id: MessageId) -> bool {
        self.remove(id).is_some()
    }

    /// Message `id` hit Meta's pair rate limit (131056) at `now`: it stays in place and its
    /// recipient backs off `4^strikes` seconds; returns the instant the backoff ends.
    ///
    /// A strike is added only when the recipient was not already backing off: the other
    /// messages to it that were in flight together count once. Strikes reset when a message
    /// to the recipient is accepted, and are forgotten [`PAIR_CAP_MS`] after a backoff ended.
    pub fn pair_limited(&mut self, id: MessageId, now: UnixMs) -> Option<UnixMs> {
        self.requeue(id, |pair, entry| {
            pair.retain(|_, p| p.until.saturating_add(PAIR_CAP_MS) > now);
            let backoff = pair.entry(entry.recipient.clone()).or_insert(PairBackoff {
                until: now,
                strikes: 0,
            });
            if now >= backoff.until {
                backoff.strikes = backoff.strikes.saturating_add(1);
                backoff.until = now.saturating_add(pair_backoff_ms(backoff.strikes));
            }
            backoff.until
        })
    }

    /// The pair backoff of `recipient` on `number`, if any.
    pub fn pair_backoff(&self, number: &str, recipient: &str) -> Option<PairBackoff> {
        self.lane(number)?.pair.get(recipient).copied()
    }

    /// Holds `number` (creating its lane if needed): nothing of it leaves until
    /// [`resume`](Self::resume). Messages in flight still report their outcomes. Returns whether
    /// the number was not held before (so the shell alerts once); a second hold replaces the
    /// first.
    pub fn hold(&mut self, number: &str, hold: Hold) -> bool {
        self.lane_mut(number).hold.replace(hold).is_none()
    }

    /// Lifts the hold of `number`; returns it, if there was one.
    pub fn resume(&mut self, number: &str) -> Option<Hold> {
        self.by_number
            .get(number)
            .and_then(|&index| self.lanes[index].hold.take())
    }

    /// The hold of `number`, if it is held.
    pub fn hold_of(&self, number: &str) -> Option<Hold> {
        self.lane(number)?.hold
    }

    /// How many messages are queued (in flight included).
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Whether message `id` is queued and in flight.
    pub fn is_in_flight(&self, id: MessageId) -> bool {
        self.places.get(&id).is_some_and(|place| {
            self.lanes[place.lane]
                .chats
                .get(&place.chat)
                .and_then(|queue| queue.entries.get(&id))
                .is_some_and(|entry| entry.in_flight)
        })
    }

    fn lane(&self, number: &str) -> Option<&Lane> {
        self.by_number.get(number).map(|&index| &self.lanes[index])
    }

    fn lane_mut(&mut self, number: &str) -> &mut Lane {
        let index = self.lane_index(number);
        &mut self.lanes[index]
    }

    /// The index of `number`'s lane, created with the default settings if needed.
    fn lane_index(&mut self, number: &str) -> usize {
        if let Some(&index) = self.by_number.get(number) {
            return index;
        }
        let index = self.lanes.len();
        self.lanes
            .push(Lane::new(number.to_owned(), LaneSettings::default()));
        self.by_number.insert(number.to_owned(), index);
        index
    }

    /// Takes message `id` out of its lane.
    fn remove(&mut self, id: MessageId) -> Option<(usize, Entry)> {
        let place = self.places.remove(&id)?;
        let lane = &mut self.lanes[place.lane];
        let queue = lane.chats.get_mut(&place.chat)?;
        let entry = queue.entries.remove(&id)?;
        if entry.in_flight {
            queue.in_flight -= 1;
        }
        lane.refresh(place.chat);
        Some((place.lane, entry))
    }

    /// Puts message `id` back in place (no longer in flight), after `change`, which also sees
    /// the lane's pair backoffs.
    fn requeue<T>(
        &mut self,
        id: MessageId,
        change: impl FnOnce(&mut HashMap<String, PairBackoff>, &mut Entry) -> T,
    ) -> Option<T> {
        let place = *self.places.get(&id)?;
        let lane = &mut self.lanes[place.lane];
        let queue = lane.chats.get_mut(&place.chat)?;
        let entry = queue.entries.get_mut(&id)?;
        if entry.in_flight {
            entry.in_flight = false;
            queue.in_flight -= 1;
        }
        let answer = change(&mut lane.pair, entry);
        lane.refresh(place.chat);
        Some(answer)
    }
}

impl Lane {
    fn new(number: String, settings: LaneSettings) -> Self {
        Self {
            number,
            settings,
            bucket: TokenBucket::new(settings.rate),
            hold: None,
            chats: HashMap::new(),
            candidates: BTreeSet::new(),
            pair: HashMap::new(),
        }
    }

    /// Recomputes `chat`'s candidate (and drops the chat when it is empty).
    fn refresh(&mut self, chat: ChatRef) {
        let Some(queue) = self.chats.get_mut(&chat) else {
            return;
        };
        let candidate = if self.settings.strict_order {
            queue
                .entries
                .first_key_value()
                .filter(|_| queue.in_flight == 0)
                .map(|(&id, _)| id)
        } else {
            queue
                .entries
                .iter()
                .find(|(_, entry)| !entry.in_flight)
                .map(|(&id, _)| id)
        };
        if let Some(old) = std::mem::replace(&mut queue.candidate, candidate) {
            self.candidates.remove(&(old, chat));
        }
        if let Some(new) = candidate {
            self.candidates.insert((new, chat));
        }
        if queue.entries.is_empty() {
            self.chats.remove(&chat);
        }
    }

    /// When candidate `id` of `chat` may leave: its retry instant and its recipient's pair
    /// backoff.
    fn ready_at(&self, id: MessageId, chat: ChatRef) -> UnixMs {
        let Some(entry) = self.chats.get(&chat).and_then(|q| q.entries.get(&id)) else {
            return UnixMs::MAX;
        };
        let pair_until = self.pair.get(&entry.recipient).map_or(0, |p| p.until);
        entry.not_before.max(pair_until)
    }

    /// The oldest candidate ready at `now`, or else the earliest instant one will be.
    fn scan(&self, now: UnixMs) -> Result<(MessageId, ChatRef), Option<UnixMs>> {
        let mut earliest = None;
        for &(id, chat) in &self.candidates {
            let ready = self.ready_at(id, chat);
            if ready <= now {
                return Ok((id, chat));
            }
            earliest = Some(earliest.map_or(ready, |e: UnixMs| e.min(ready)));
        }
        Err(earliest)
    }

    fn next(&mut self, now: UnixMs) -> Next {
        if self.hold.is_some() {
            return Next::Held;
        }
        match self.scan(now) {
            Ok((id, chat)) => match self.bucket.take(now) {
                Ok(()) => {
                    if let Some(queue) = self.chats.get_mut(&chat)
                        && let Some(entry) = queue.entries.get_mut(&id)
                    {
                        entry.in_flight = true;
                        queue.in_flight += 1;
                    }
                    self.refresh(chat);
                    Next::Send(id)
                }
                Err(ready) => Next::WaitUntil(ready),
            },
            Err(Some(earliest)) => Next::WaitUntil(earliest.max(self.bucket.ready_at(now))),
            Err(None) => Next::Idle,
        }
    }

    fn wake(&self, now: UnixMs) -> Option<UnixMs> {
        if self.hold.is_some() {
            return None;
        }
        let candidate_ready = match self.scan(now) {
            Ok(_) => now,
            Err(earliest) => earliest?,
        };
        Some(candidate_ready.max(self.bucket.ready_at(now)))
    }
}

#[cfg(test)]
#[path = "lanes_tests.rs"]
mod tests;
