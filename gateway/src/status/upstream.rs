//! The sync to headquarters in the status: what the sync publishes ([`SyncView`]) with the
//! upstream outbox's backlog and dead letters, and the problems that make the gateway unhealthy:
//! HQ refused batches (dead-lettered), HQ answered 410 (gone), or the oldest event waiting for
//! HQ is older than [`BACKLOG_ALERT_MS`]. Without an upstream, nothing here is a problem.
//!
//! Pure: the figures and `now` in.

use serde::{Deserialize, Serialize};

use crate::store::DeadBatch;
use crate::time::{UnixMs, Utc};
use crate::upstream::SyncView;
use crate::upstream::sync_status::{CommandsState, SinkState};

/// A backlog whose oldest event waited longer than this is a problem: 1 hour.
pub const BACKLOG_ALERT_MS: u64 = 60 * 60 * 1_000;
/// The dead-lettered batches the status lists (the count says how many there are).
pub const DEAD_BATCHES_SHOWN: usize = 10;

/// The sync's part of the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamStatus {
    /// What the sync publishes.
    pub sync: SyncView,
    /// Why the sync does not send now, in words (`None` while it sends or is caught up).
    pub waiting: Option<String>,
    /// Events waiting for HQ (not dead-lettered).
    pub backlog_events: u64,
    /// When the oldest of them was appended.
    pub oldest_event_at: Option<UnixMs>,
    /// Batches HQ refused, kept.
    pub dead_batch_count: u64,
    /// The oldest of them, at most [`DEAD_BATCHES_SHOWN`].
    pub dead_batches: Vec<DeadBatchStatus>,
}

/// A dead-lettered batch as the status shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadBatchStatus {
    /// Its first event's seq.
    pub first: u64,
    /// Its last event's seq.
    pub last: u64,
    /// HQ's status.
    pub status: u16,
    /// What HQ said.
    pub reason: String,
    /// When it was dead-lettered.
    pub at: UnixMs,
}

impl Default for UpstreamStatus {
    fn default() -> Self {
        Self {
            sync: SyncView {
                sink: SinkState::NotConfigured,
                clock_offset_ms: None,
                last_acknowledged_at: None,
                commands: CommandsState::NotConfigured,
            },
            waiting: SinkState::NotConfigured.waiting_reason(),
            backlog_events: 0,
            oldest_event_at: None,
            dead_batch_count: 0,
            dead_batches: Vec::new(),
        }
    }
}

impl UpstreamStatus {
    /// The status of a sync publishing `sync`, with `backlog_events` waiting (the oldest from
    /// `oldest_event_at`) and `dead` batches kept.
    pub fn new(
        sync: SyncView,
        backlog_events: u64,
        oldest_event_at: Option<UnixMs>,
        dead: &[DeadBatch],
    ) -> Self {
        Self {
            waiting: sync.sink.waiting_reason(),
            sync,
            backlog_events,
            oldest_event_at,
            dead_batch_count: u64::try_from(dead.len()).unwrap_or(u64::MAX),
            dead_batches: dead
                .iter()
                .take(DEAD_BATCHES_SHOWN)
                .map(|batch| DeadBatchStatus {
                    first: batch.first,
                    last: batch.last,
                    status: batch.status,
                    reason: batch.reason.clone(),
                    at: batch.at,
                })
                .collect(),
        }
    }

    /// Whether an upstream is configured.
    pub fn configured(&self) -> bool {
        self.sync.sink != SinkState::NotConfigured
    }

    /// What makes the gateway unhealthy, read at `now`.
    pub fn problems(&self, now: UnixMs) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.configured() {
            return problems;
        }
        if let SinkState::Gone { .. } = self.sync.sink
            && let Some(waiting) = &self.waiting
        {
            problems.push(waiting.clone());
        }
        if let Some(oldest) = self.dead_batches.first() {
            problems.push(format!(
                "headquarters refused {} batch(es), kept as dead letters; the oldest, events {}-{}, at {}: {}; fix what HQ says, then retry them (POST /api/v1/upstream/dead-batches/{{first}}/retry)",
                self.dead_batch_count,
                oldest.first,
                oldest.last,
                Utc(oldest.at),
                oldest.reason
            ));
        }
        if let Some(at) = self.oldest_event_at
            && now.saturating_sub(at) > BACKLOG_ALERT_MS
        {
            let why = self
                .waiting
                .clone()
                .unwrap_or_else(|| "the sync is sending".into());
            problems.push(format!(
                "{} events wait for headquarters, the oldest since {} (over an hour): {why}",
                self.backlog_events,
                Utc(at)
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixMs = 1_767_323_045_000;

    fn view(sink: SinkState) -> SyncView {
        SyncView {
            sink,
            clock_offset_ms: Some(0),
            last_acknowledged_at: None,
            commands: CommandsState::NotConfigured,
        }
    }

    fn dead(first: u64) -> DeadBatch {
        DeadBatch {
            first,
            last: first + 9,
            status: 400,
            reason: "HTTP 400: bad event".into(),
            at: NOW - 1_000,
        }
    }

    #[test]
    fn a_sync_that_sends_with_a_young_backlog_is_no_problem() {
        let status = UpstreamStatus::new(view(SinkState::Sending), 900, Some(NOW - 60_000), &[]);
        assert!(status.problems(NOW).is_empty());
        assert_eq!(status.waiting, None);
    }

    #[test]
    fn dead_letters_are_a_problem_naming_the_oldest() {
        let batches: Vec<DeadBatch> = (0..12).map(|n| dead(1 + n * 10)).collect();
        let status = UpstreamStatus::new(view(SinkState::CaughtUp), 0, None, &batches);
        assert_eq!(status.dead_batch_count, 12);
        assert_eq!(status.dead_batches.len(), DEAD_BATCHES_SHOWN);
        let problems = status.problems(NOW);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("headquarters refused 12 batch(es)")
                && problems[0].contains("events 1-10")
                && problems[0].contains("HTTP 400: bad event"),
            "{problems:?}"
        );
    }

    #[test]
    fn gone_is_a_problem() {
        let gone = SinkState::Gone {
            since: NOW,
            reason: "HTTP 410".into(),
        };
        let problems = UpstreamStatus::new(view(gone), 3, Some(NOW), &[]).problems(NOW);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("410"), "{problems:?}");
    }

    #[test]
    fn a_backlog_older_than_an_hour_is_a_problem_saying_why_it_waits() {
        let retrying = SinkState::Retrying {
            since: NOW - BACKLOG_ALERT_MS,
            failures: 20,
            reason: "HQ could not be reached: connection refused".into(),
            next_attempt_at: NOW,
        };
        let status = UpstreamStatus::new(view(retrying), 5_000, Some(NOW - BACKLOG_ALERT_MS), &[]);
        assert!(
            status.problems(NOW).is_empty(),
            "exactly an hour is not over"
        );
        let problems = status.problems(NOW + 1);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("5000 events wait for headquarters")
                && problems[0].contains("connection refused"),
            "{problems:?}"
        );
    }

    #[test]
    fn without_an_upstream_nothing_is_a_problem() {
        let mut status = UpstreamStatus {
            backlog_events: 10,
            oldest_event_at: Some(0),
            ..UpstreamStatus::default()
        };
        assert!(!status.configured());
        assert!(status.problems(NOW).is_empty());
        status.dead_batch_count = 1;
        assert!(status.problems(NOW).is_empty());
        assert!(
            status
                .waiting
                .is_some_and(|why| why.contains("no upstream"))
        );
    }
}
