//! What the sync to headquarters counts: batches by what came of them, events acknowledged,
//! how long events waited for their acknowledgement, the signing clock's offset, and the
//! commands (carried out, refused, or answers refused before any command was read).
//!
//! | series | type | what |
//! | --- | --- | --- |
//! | `upstream_batches_total{result}` | counter | `acknowledged`, `retried` (an attempt HQ failed: sent again later), `dead_lettered`, `gone` (410) |
//! | `upstream_events_acknowledged_total` | counter | events in acknowledged batches |
//! | `upstream_lag_seconds` | histogram | per acknowledged batch, from its oldest event's time to HQ's acknowledgement |
//! | `upstream_clock_offset_seconds` | gauge | the signing clock minus the box's clock |
//! | `upstream_commands_total{result}` | counter | commands from HQ: `accepted`, `refused`, `already_done` |
//! | `upstream_command_answers_refused_total{reason}` | counter | commands answers refused whole: `unsigned`, `stale`, `signature`, `malformed` |

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// One label with its value.
type Label = [(&'static str, &'static str); 1];

/// What came of one attempt to deliver a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchResult {
    /// HQ acknowledged it.
    Acknowledged,
    /// HQ failed it (or did not answer): it is sent again.
    Retried,
    /// HQ refused it for good: dead-lettered.
    DeadLettered,
    /// HQ answered 410: the sync stopped.
    Gone,
}

impl BatchResult {
    const ALL: [Self; 4] = [
        Self::Acknowledged,
        Self::Retried,
        Self::DeadLettered,
        Self::Gone,
    ];

    const fn label(self) -> Label {
        [(
            "result",
            match self {
                Self::Acknowledged => "acknowledged",
                Self::Retried => "retried",
                Self::DeadLettered => "dead_lettered",
                Self::Gone => "gone",
            },
        )]
    }
}

/// What came of a command from HQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandResult {
    /// Carried out.
    Accepted,
    /// Refused, with a reason HQ receives.
    Refused,
    /// It ran before: nothing done again.
    AlreadyDone,
}

impl CommandResult {
    const ALL: [Self; 3] = [Self::Accepted, Self::Refused, Self::AlreadyDone];

    const fn label(self) -> Label {
        [(
            "result",
            match self {
                Self::Accepted => "accepted",
                Self::Refused => "refused",
                Self::AlreadyDone => "already_done",
            },
        )]
    }
}

/// Why a commands answer was refused whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// No signature headers.
    Unsigned,
    /// Its timestamp is more than 5 minutes from the signing clock.
    Stale,
    /// Its signature does not match (or its headers are malformed).
    Signature,
    /// Its body is not `{"commands": [...]}`.
    Malformed,
}

impl AnswerRefusal {
    const ALL: [Self; 4] = [
        Self::Unsigned,
        Self::Stale,
        Self::Signature,
        Self::Malformed,
    ];

    const fn label(self) -> Label {
        [(
            "reason",
            match self {
                Self::Unsigned => "unsigned",
                Self::Stale => "stale",
                Self::Signature => "signature",
                Self::Malformed => "malformed",
            },
        )]
    }
}

/// The sync's series. Cheap to clone: clones count into the same series.
#[derive(Debug, Clone)]
pub struct UpstreamMetrics {
    batches: Family<Label, Counter>,
    events: Counter,
    lag: Histogram,
    clock_offset: Gauge<f64, AtomicU64>,
    commands: Family<Label, Counter>,
    answers_refused: Family<Label, Counter>,
}

impl Default for UpstreamMetrics {
    fn default() -> Self {
        let metrics = Self {
            batches: Family::default(),
            events: Counter::default(),
            // 10 ms to about 45 h.
            lag: Histogram::new(exponential_buckets(0.01, 4.0, 13)),
            clock_offset: Gauge::default(),
            commands: Family::default(),
            answers_refused: Family::default(),
        };
        for result in BatchResult::ALL {
            drop(metrics.batches.get_or_create(&result.label()));
        }
        for result in CommandResult::ALL {
            drop(metrics.commands.get_or_create(&result.label()));
        }
        for reason in AnswerRefusal::ALL {
            drop(metrics.answers_refused.get_or_create(&reason.label()));
        }
        metrics
    }
}

impl UpstreamMetrics {
    /// Registers the series in `registry`.
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "upstream_batches",
            "Attempts to deliver a batch to headquarters, by what came of them",
            self.batches.clone(),
        );
        registry.register(
            "upstream_events_acknowledged",
            "Events in batches headquarters acknowledged",
            self.events.clone(),
        );
        registry.register_with_unit(
            "upstream_lag",
            "Per acknowledged batch, from its oldest event's time to headquarters' acknowledgement",
            Unit::Seconds,
            self.lag.clone(),
        );
        registry.register_with_unit(
            "upstream_clock_offset",
            "The signing clock (measured against headquarters' Date) minus the box's clock",
            Unit::Seconds,
            self.clock_offset.clone(),
        );
        registry.register(
            "upstream_commands",
            "Commands from headquarters, by what came of them",
            self.commands.clone(),
        );
        registry.register(
            "upstream_command_answers_refused",
            "Answers of the commands channel refused whole, by reason",
            self.answers_refused.clone(),
        );
    }

    /// Counts an attempt's result.
    pub fn batch(&self, result: BatchResult) {
        self.batches.get_or_create(&result.label()).inc();
    }

    /// Counts an acknowledged batch of `events`, the oldest of which waited `lag`.
    pub fn acknowledged(&self, events: u64, lag: Duration) {
        self.batch(BatchResult::Acknowledged);
        self.events.inc_by(events);
        self.lag.observe(lag.as_secs_f64());
    }

    /// Sets the signing clock's offset.
    pub fn clock_offset_ms(&self, offset_ms: i64) {
        #[allow(
            clippy::cast_precision_loss,
            reason = "an offset in ms fits an f64 exactly"
        )]
        self.clock_offset.set(offset_ms as f64 / 1_000.0);
    }

    /// Counts a command's result.
    pub fn command(&self, result: CommandResult) {
        self.commands.get_or_create(&result.label()).inc();
    }

    /// Counts a refused commands answer.
    pub fn answer_refused(&self, reason: AnswerRefusal) {
        self.answers_refused.get_or_create(&reason.label()).inc();
    }

    /// Attempts so far with `result`.
    pub fn batches(&self, result: BatchResult) -> u64 {
        self.batches.get_or_create(&result.label()).get()
    }
}
