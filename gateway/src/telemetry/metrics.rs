//! The gateway's metrics, in one registry: what the webhook endpoint counted, the store writer's
//! group commits, the store's figures at scrape time, and the build. `GET /metrics` on the local
//! listener encodes them in the Prometheus text format (version 0.0.4) through
//! `prometheus-client`; the final log line reads the same counters.
//!
//! Every series is prefixed `waygate_`:
//!
//! | series | type | what |
//! | --- | --- | --- |
//! | `webhook_requests_total{status}` | counter | answers of the public listener, by HTTP status |
//! | `webhook_deliveries_stored_total` | counter | deliveries answered 200 after their durable commit |
//! | `webhook_events_total{outcome}` | counter | `appended`, `duplicate` and `dead_letter` items |
//! | `webhook_refusals_total{reason}` | counter | `signature`, `too_large`, `over_budget`, `quota`, `store` |
//! | `ingest_latency_seconds` | histogram | body received to durable commit, per stored delivery |
//! | `store_commit_size` | histogram | deliveries per group commit |
//! | `store_commit_latency_seconds` | histogram | a group's write transaction, start to durable commit |
//! | `store_used_bytes`, `store_quota_bytes` | gauges | the quota's measure (stored data plus other files in the data folder) and the quota |
//! | `store_quota_full_in_hours` | gauge | hours until the quota is full at the last hour's growth (`+Inf` while the store is not growing) |
//! | `dedupe_entries`, `dead_letters` | gauges | entries in the dedupe index, dead letters kept |
//! | `chats{state}` | gauge | `waiting`, `active`, `closed` |
//! | `outbound_requests_total{outcome}` | counter | requests to Meta for operators' messages: `accepted`, `retry`, `pair_limited`, `held`, `failed`, `uncertain` |
//! | `outbound_request_latency_seconds` | histogram | a request to Meta, sent to answered |
//! | `outbox_messages` | gauge | messages the sender has still to send (in flight included) |
//! | `numbers_held` | gauge | business numbers the sender holds until an operator resumes them |
//! | `outbox_backlog_entries{outbox}` | gauge | work waiting per outbox: `meta` (operators' messages to send), `upstream` (events HQ has not acknowledged) |
//! | `outbox_oldest_age_seconds{outbox}` | gauge | how long the oldest of it has waited (0 when none) |
//! | `upstream_dead_batches` | gauge | batches HQ refused, kept until retried |
//! | `upstream_*` | | the sync to headquarters ([`super::upstream_metrics`]) |
//! | `build_info{version, commit}` | gauge, always 1 | the binary |
//!
//! The counters and histograms count since the process started; the gauges are read from the
//! store when scraped.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http::StatusCode;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use super::quota_forecast::QuotaForecast;
use super::upstream_metrics::UpstreamMetrics;
use crate::build_info;
use crate::store::{Backlogs, CommitMetrics, IngestOutcome, OutboxBacklog, StoreSnapshot};
use crate::time::UnixMs;

/// The `Content-Type` of what [`Metrics::encode`] writes.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// One label with its value.
type Label<V> = [(&'static str, V); 1];
/// A gauge of a count or a size.
type Level = Gauge<u64, AtomicU64>;

/// Why the webhook endpoint refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The signature was missing or wrong.
    Signature,
    /// The body was over the size cap.
    TooLarge,
    /// The bodies in flight used the memory budget.
    OverBudget,
    /// The disk quota was reached.
    Quota,
    /// The store could not commit it (or was recovering from a disk error).
    Store,
}

impl Refusal {
    const ALL: [Self; 5] = [
        Self::Signature,
        Self::TooLarge,
        Self::OverBudget,
        Self::Quota,
        Self::Store,
    ];

    const fn label(self) -> Label<&'static str> {
        [(
            "reason",
            match self {
                Self::Signature => "signature",
                Self::TooLarge => "too_large",
                Self::OverBudget => "over_budget",
                Self::Quota => "quota",
                Self::Store => "store",
            },
        )]
    }
}

const APPENDED: Label<&str> = [("outcome", "appended")];
const DUPLICATE: Label<&str> = [("outcome", "duplicate")];
const DEAD_LETTER: Label<&str> = [("outcome", "dead_letter")];
const WAITING: Label<&str> = [("state", "waiting")];
const ACTIVE: Label<&str> = [("state", "active")];
const CLOSED: Label<&str> = [("state", "closed")];
const META_OUTBOX: Label<&str> = [("outbox", "meta")];
const UPSTREAM_OUTBOX: Label<&str> = [("outbox", "upstream")];

/// What the webhook endpoint counts. Cheap to clone: clones count into the same series.
#[derive(Debug, Clone)]
pub struct WebhookMetrics {
    requests: Family<Label<u16>, Counter>,
    stored: Counter,
    events: Family<Label<&'static str>, Counter>,
    refusals: Family<Label<&'static str>, Counter>,
    ingest_latency: Histogram,
}

impl Default for WebhookMetrics {
    fn default() -> Self {
        let metrics = Self {
            requests: Family::default(),
            stored: Counter::default(),
            events: Family::default(),
            refusals: Family::default(),
            // 1 ms to about 16 s.
            ingest_latency: Histogram::new(exponential_buckets(0.001, 2.0, 15)),
        };
        // Every outcome and reason is exported from the start, at 0.
        for label in [APPENDED, DUPLICATE, DEAD_LETTER] {
            drop(metrics.events.get_or_create(&label));
        }
        for reason in Refusal::ALL {
            drop(metrics.refusals.get_or_create(&reason.label()));
        }
        metrics
    }
}

impl WebhookMetrics {
    /// Counts an answer of the public listener.
    pub fn answered(&self, status: StatusCode) {
        self.requests
            .get_or_create(&[("status", status.as_u16())])
            .inc();
    }

    /// Counts a refusal; returns how many there were for this reason so far.
    pub fn refused(&self, reason: Refusal) -> u64 {
        self.refusals.get_or_create(&reason.label()).inc() + 1
    }

    /// Counts a delivery made durable `latency` after its body arrived; returns the dead
    /// letters stored so far.
    pub fn stored(&self, outcome: &IngestOutcome, latency: Duration) -> u64 {
        self.ingest_latency.observe(latency.as_secs_f64());
        self.stored.inc();
        self.events
            .get_or_create(&APPENDED)
            .inc_by(u64::from(outcome.appended));
        self.events
            .get_or_create(&DUPLICATE)
            .inc_by(u64::from(outcome.duplicates));
        let dead = u64::from(outcome.dead_letters);
        self.events.get_or_create(&DEAD_LETTER).inc_by(dead) + dead
    }

    /// The counters now.
    pub fn totals(&self) -> WebhookTotals {
        let events = |label: &Label<&'static str>| self.events.get_or_create(label).get();
        let refusals = |reason: Refusal| self.refusals.get_or_create(&reason.label()).get();
        WebhookTotals {
            webhooks_accepted: self.stored.get(),
            events_appended: events(&APPENDED),
            duplicates: events(&DUPLICATE),
            dead_letters: events(&DEAD_LETTER),
            signature_failures: refusals(Refusal::Signature),
            too_large: refusals(Refusal::TooLarge),
            over_budget: refusals(Refusal::OverBudget),
            quota_refusals: refusals(Refusal::Quota),
            store_failures: refusals(Refusal::Store),
        }
    }
}

/// What came of one request to Meta for an operator's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Meta accepted it.
    Accepted,
    /// It will be tried again after a backoff.
    Retry,
    /// Meta slowed its recipient down (131056).
    PairLimited,
    /// Meta's answer holds the number.
    Held,
    /// It will not be sent.
    Failed,
    /// The request left without an answer.
    Uncertain,
}

impl SendOutcome {
    const ALL: [Self; 6] = [
        Self::Accepted,
        Self::Retry,
        Self::PairLimited,
        Self::Held,
        Self::Failed,
        Self::Uncertain,
    ];

    const fn label(self) -> Label<&'static str> {
        [(
            "outcome",
            match self {
                Self::Accepted => "accepted",
                Self::Retry => "retry",
                Self::PairLimited => "pair_limited",
                Self::Held => "held",
                Self::Failed => "failed",
                Self::Uncertain => "uncertain",
            },
        )]
    }
}

/// What the sender counts. Cheap to clone: clones count into the same series.
#[derive(Debug, Clone)]
pub struct OutboundMetrics {
    requests: Family<Label<&'static str>, Counter>,
    latency: Histogram,
    outbox: Level,
    held: Level,
}

impl Default for OutboundMetrics {
    fn default() -> Self {
        let metrics = Self {
            requests: Family::default(),
            // 5 ms to about 40 s.
            latency: Histogram::new(exponential_buckets(0.005, 2.0, 14)),
            outbox: Level::default(),
            held: Level::default(),
        };
        for outcome in SendOutcome::ALL {
            drop(metrics.requests.get_or_create(&outcome.label()));
        }
        metrics
    }
}

impl OutboundMetrics {
    /// Counts a request to Meta answered (or not) after `latency`.
    pub fn request(&self, outcome: SendOutcome, latency: Duration) {
        self.requests.get_or_create(&outcome.label()).inc();
        self.latency.observe(latency.as_secs_f64());
    }

    /// Sets the messages still to send and the numbers held.
    pub fn set_queue(&self, outbox: usize, held: usize) {
        self.outbox.set(u64::try_from(outbox).unwrap_or(u64::MAX));
        self.held.set(u64::try_from(held).unwrap_or(u64::MAX));
    }

    /// Requests so far with `outcome`.
    pub fn requests(&self, outcome: SendOutcome) -> u64 {
        self.requests.get_or_create(&outcome.label()).get()
    }
}

/// The webhook counters at one moment, as the final log line gives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookTotals {
    /// Deliveries answered 200 after a durable commit.
    pub webhooks_accepted: u64,
    /// Events appended to the inbound log.
    pub events_appended: u64,
    /// Events dropped as duplicates.
    pub duplicates: u64,
    /// Dead letters stored.
    pub dead_letters: u64,
    /// Refusals for a missing or wrong signature.
    pub signature_failures: u64,
    /// Refusals for the body's size.
    pub too_large: u64,
    /// Refusals because the bodies in flight used the memory budget.
    pub over_budget: u64,
    /// Refusals because the quota was reached.
    pub quota_refusals: u64,
    /// Refusals because the store failed or was recovering.
    pub store_failures: u64,
}

/// The store's figures, set when scraped.
#[derive(Debug, Default)]
struct StoreGauges {
    used_bytes: Level,
    quota_bytes: Level,
    dedupe_entries: Level,
    dead_letters: Level,
    chats: Family<Label<&'static str>, Level>,
    backlog: Family<Label<&'static str>, Level>,
    oldest_age: Family<Label<&'static str>, Gauge<f64, AtomicU64>>,
    dead_batches: Level,
    quota_full_in_hours: Gauge<f64, AtomicU64>,
    /// The quota's measure over the last hour, for `quota_full_in_hours`.
    forecast: Mutex<QuotaForecast>,
}

/// The registry and the handles that feed it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    webhook: WebhookMetrics,
    outbound: OutboundMetrics,
    upstream: UpstreamMetrics,
    store: StoreGauges,
}

impl Metrics {
    /// Registers every series; the group commits' histograms are the store writer's `commit`.
    pub fn new(commit: &CommitMetrics) -> Self {
        let mut registry = Registry::with_prefix("waygate");
        let webhook = WebhookMetrics::default();
        let outbound = OutboundMetrics::default();
        let upstream = UpstreamMetrics::default();
        let store = StoreGauges::default();
        for label in [WAITING, ACTIVE, CLOSED] {
            drop(store.chats.get_or_create(&label));
        }
        for label in [META_OUTBOX, UPSTREAM_OUTBOX] {
            drop(store.backlog.get_or_create(&label));
            drop(store.oldest_age.get_or_create(&label));
        }
        registry.register(
            "build",
            "The binary's version and git commit",
            Info::new(vec![
                ("version", build_info::VERSION),
                ("commit", build_info::GIT_COMMIT),
            ]),
        );
        registry.register(
            "webhook_requests",
            "Answers of the public listener, by HTTP status",
            webhook.requests.clone(),
        );
        registry.register(
            "webhook_deliveries_stored",
            "Deliveries answered 200 after their durable commit",
            webhook.stored.clone(),
        );
        registry.register(
            "webhook_events",
            "Items of stored deliveries: appended to the log, dropped as duplicates, kept as dead letters",
            webhook.events.clone(),
        );
        registry.register(
            "webhook_refusals",
            "Deliveries refused, by reason",
            webhook.refusals.clone(),
        );
        registry.register_with_unit(
            "ingest_latency",
            "From a delivery's body received to its durable commit, per stored delivery",
            Unit::Seconds,
            webhook.ingest_latency.clone(),
        );
        registry.register(
            "store_commit_size",
            "Deliveries per group commit",
            commit.size.clone(),
        );
        registry.register_with_unit(
            "store_commit_latency",
            "A group commit's write transaction, from its start to its durable commit",
            Unit::Seconds,
            commit.latency.clone(),
        );
        registry.register_with_unit(
            "store_used",
            "The quota's measure: data the store holds plus the other files in the data folder",
            Unit::Bytes,
            store.used_bytes.clone(),
        );
        registry.register_with_unit(
            "store_quota",
            "The quota (store.quota_bytes)",
            Unit::Bytes,
            store.quota_bytes.clone(),
        );
        store.quota_full_in_hours.set(f64::INFINITY);
        registry.register(
            "store_quota_full_in_hours",
            "Hours until the quota is full at the last hour's growth of its measure (+Inf while it is not growing)",
            store.quota_full_in_hours.clone(),
        );
        registry.register(
            "dedupe_entries",
            "Entries in the dedupe index",
            store.dedupe_entries.clone(),
        );
        registry.register(
            "dead_letters",
            "Dead letters kept in the store",
            store.dead_letters.clone(),
        );
        registry.register("chats", "Chats by state", store.chats.clone());
        registry.register(
            "outbound_requests",
            "Requests to Meta for operators' messages, by what came of them",
            outbound.requests.clone(),
        );
        registry.register_with_unit(
            "outbound_request_latency",
            "A request to Meta, from sent to answered",
            Unit::Seconds,
            outbound.latency.clone(),
        );
        registry.register(
            "outbox_messages",
            "Operators' messages the sender has still to send, in flight included",
            outbound.outbox.clone(),
        );
        registry.register(
            "numbers_held",
            "Business numbers held until an operator resumes them",
            outbound.held.clone(),
        );
        registry.register(
            "outbox_backlog_entries",
            "Work waiting per outbox: meta (operators' messages to send), upstream (events headquarters has not acknowledged)",
            store.backlog.clone(),
        );
        registry.register_with_unit(
            "outbox_oldest_age",
            "How long the oldest entry of each outbox has waited (0 when it is empty)",
            Unit::Seconds,
            store.oldest_age.clone(),
        );
        registry.register(
            "upstream_dead_batches",
            "Batches headquarters refused, kept until retried",
            store.dead_batches.clone(),
        );
        upstream.register(&mut registry);
        Self {
            registry,
            webhook,
            outbound,
            upstream,
            store,
        }
    }

    /// The sync's handle.
    pub fn upstream(&self) -> &UpstreamMetrics {
        &self.upstream
    }

    /// The quota's measure read `used` bytes at `at`: the forecast of when `quota` is full
    /// moves.
    pub fn observe_usage(&self, at: UnixMs, used: u64, quota: u64) {
        let mut forecast = self
            .store
            .forecast
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        forecast.observe(at, used);
        self.store
            .quota_full_in_hours
            .set(forecast.hours_left(quota).unwrap_or(f64::INFINITY));
    }

    /// Sets the outboxes' gauges from `backlogs` read at `now`.
    pub fn set_backlogs(&self, backlogs: &Backlogs, now: UnixMs) {
        let gauges = &self.store;
        for (label, backlog) in [
            (META_OUTBOX, &backlogs.meta),
            (UPSTREAM_OUTBOX, &backlogs.upstream),
        ] {
            gauges.backlog.get_or_create(&label).set(backlog.entries);
            gauges
                .oldest_age
                .get_or_create(&label)
                .set(oldest_age_seconds(backlog, now));
        }
        gauges.dead_batches.set(backlogs.dead_batches);
    }

    /// The sender's handle.
    pub fn outbound(&self) -> &OutboundMetrics {
        &self.outbound
    }

    /// The webhook endpoint's handle.
    pub fn webhook(&self) -> &WebhookMetrics {
        &self.webhook
    }

    /// Sets the store's gauges: its figures, the quota's measure and the quota.
    pub fn set_store(&self, snapshot: &StoreSnapshot, used_bytes: u64, quota_bytes: u64) {
        let gauges = &self.store;
        gauges.used_bytes.set(used_bytes);
        gauges.quota_bytes.set(quota_bytes);
        gauges.dedupe_entries.set(snapshot.summary.dedupe_entries);
        gauges.dead_letters.set(snapshot.summary.dead_letters);
        let chats = &snapshot.chats;
        for (label, count) in [
            (WAITING, chats.waiting),
            (ACTIVE, chats.active),
            (CLOSED, chats.closed),
        ] {
            gauges.chats.get_or_create(&label).set(count);
        }
    }

    /// Every series in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail; the encoders only pass the writer's errors on.
        let _ = prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

/// How long the oldest entry of `backlog` has waited at `now`, in seconds (0 when none).
fn oldest_age_seconds(backlog: &OutboxBacklog, now: UnixMs) -> f64 {
    let waited_ms = backlog.oldest_at.map_or(0, |at| now.saturating_sub(at));
    #[allow(
        clippy::cast_precision_loss,
        reason = "an age in ms fits an f64 closely enough"
    )]
    let waited = waited_ms as f64 / 1_000.0;
    waited
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::store::{ChatCounts, StoreSummary};
    use crate::telemetry::upstream_metrics::{AnswerRefusal, BatchResult, CommandResult};

    #[test]
    fn the_exposition_has_every_series_and_the_counts_move() {
        let commit = CommitMetrics::default();
        let metrics = Metrics::new(&commit);
        let webhook = metrics.webhook().clone();
        webhook.answered(StatusCode::OK);
        webhook.answered(StatusCode::OK);
        webhook.answered(StatusCode::UNAUTHORIZED);
        assert_eq!(webhook.refused(Refusal::Signature), 1);
        let outcome = IngestOutcome {
            appended: 3,
            duplicates: 1,
            dead_letters: 2,
            ..IngestOutcome::default()
        };
        assert_eq!(webhook.stored(&outcome, Duration::from_millis(3)), 2);
        commit.size.observe(4.0);
        let snapshot = StoreSnapshot {
            summary: StoreSummary {
                dedupe_entries: 7,
                dead_letters: 2,
                ..StoreSummary::default()
            },
            chats: ChatCounts {
                waiting: 1,
                active: 2,
                closed: 3,
            },
        };
        metrics.set_store(&snapshot, 1_000, 4_000);
        metrics.set_backlogs(
            &Backlogs {
                meta: OutboxBacklog {
                    entries: 2,
                    oldest_at: Some(10_000),
                },
                upstream: OutboxBacklog {
                    entries: 900,
                    oldest_at: Some(5_500),
                },
                dead_batches: 1,
            },
            12_000,
        );
        let upstream = metrics.upstream().clone();
        upstream.acknowledged(500, Duration::from_millis(40));
        upstream.batch(BatchResult::Retried);
        upstream.clock_offset_ms(7_200_500);
        upstream.command(CommandResult::Refused);
        upstream.answer_refused(AnswerRefusal::Unsigned);

        let text = metrics.encode();
        for line in [
            "waygate_webhook_requests_total{status=\"200\"} 2",
            "waygate_webhook_requests_total{status=\"401\"} 1",
            "waygate_webhook_refusals_total{reason=\"signature\"} 1",
            "waygate_webhook_refusals_total{reason=\"quota\"} 0",
            "waygate_webhook_events_total{outcome=\"appended\"} 3",
            "waygate_webhook_events_total{outcome=\"dead_letter\"} 2",
            "waygate_ingest_latency_seconds_count 1",
            "waygate_webhook_deliveries_stored_total 1",
            "waygate_store_commit_size_count 1",
            "waygate_store_commit_latency_seconds_count 0",
            "waygate_store_used_bytes 1000",
            "waygate_store_quota_bytes 4000",
            "waygate_dedupe_entries 7",
            "waygate_dead_letters 2",
            "waygate_chats{state=\"active\"} 2",
            "# TYPE waygate_ingest_latency_seconds histogram",
            "waygate_outbox_backlog_entries{outbox=\"meta\"} 2",
            "waygate_outbox_backlog_entries{outbox=\"upstream\"} 900",
            "waygate_outbox_oldest_age_seconds{outbox=\"meta\"} 2.0",
            "waygate_outbox_oldest_age_seconds{outbox=\"upstream\"} 6.5",
            "waygate_upstream_dead_batches 1",
            "waygate_upstream_batches_total{result=\"acknowledged\"} 1",
            "waygate_upstream_batches_total{result=\"retried\"} 1",
            "waygate_upstream_batches_total{result=\"gone\"} 0",
            "waygate_upstream_events_acknowledged_total 500",
            "waygate_upstream_lag_seconds_count 1",
            "waygate_upstream_clock_offset_seconds 7200.5",
            "waygate_upstream_commands_total{result=\"refused\"} 1",
            "waygate_upstream_commands_total{result=\"accepted\"} 0",
            "waygate_upstream_command_answers_refused_total{reason=\"unsigned\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
        }
        let build = format!(
            "waygate_build_info{{version=\"{}\",commit=\"{}\"}} 1",
            build_info::VERSION,
            build_info::GIT_COMMIT
        );
        assert!(text.contains(&build), "{build:?} not in:\n{text}");

        let totals = webhook.totals();
        assert_eq!(
            (
                totals.webhooks_accepted,
                totals.events_appended,
                totals.dead_letters
            ),
            (1, 3, 2)
        );
        assert_eq!(totals.signature_failures, 1);
    }
}
