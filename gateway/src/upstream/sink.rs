//! The sink: drains the upstream outbox to headquarters, batch after batch, as fast as HQ
//! accepts them, and settles each by HQ's answer ([`super::verdict`]).
//!
//! - **The clock first.** Nothing is signed before the signing clock is trusted
//!   ([`super::clock_trust`]): an unsigned `HEAD` to `upstream.url` reads HQ's `Date`. The
//!   measure is taken again hourly, when the box's clock jumps, and after a 401.
//! - **Formed before sent.** A batch is formed durably ([`Store::form_batch`]) before its first
//!   request leaves, and never changes: batches formed but not settled (a timeout, a restart, a
//!   kill -9) are sent first, with the same events and `webhook-id`
//!   (`<gateway_id>:<first seq>-<last seq>`) and a new `webhook-timestamp`.
//! - **One batch in flight**, so HQ receives batches in sequence order (and each chat's events
//!   in the order the chat lived them). While it is in flight, the next batch is read, rendered
//!   and formed, and the previous one is settled (the two store changes usually share a
//!   commit): when HQ answers, the next request leaves at once.
//! - **Caught up**, the sink waits for the journal to grow.
//! - **Failures**: retried forever with backoff; a refusal dead-letters its batch (an error is
//!   logged; `waygate status` reports it) and the sync goes on; 410 stops the sync.
//!
//! Events pruned before any headquarters was configured (retention without an upstream) leave
//! a gap the first batch spans: its `webhook-id` starts after the last formed batch, and it
//! holds the events that are left.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, header};
use http_body_util::Full;
use tokio_util::sync::CancellationToken;

use super::UpstreamSettings;
use super::backoff::Backoff;
use super::batch_body::{BatchEnvelope, batch_len};
use super::client::{HqAnswer, HqClient, HqClientError, HqFailure};
use super::clock_trust::{Basis, Probe, Trust, judge};
use super::kernel_clock::{self, TIMESYNC_SYNCHRONIZED};
use super::signature::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use super::signing_clock::SigningClock;
use super::sync_status::{SinkState, SyncHandle};
use super::verdict::{Answer, REASON_BYTES, Verdict, verdict};
use crate::journal::event_json;
use crate::store::{BatchOutcome, BatchRange, ResolvedEvent, Store, StoreError};
use crate::telemetry::{BatchResult, UpstreamMetrics};
use crate::time::UnixMs;

/// How long a batch's request may take, from sending it to HQ's answer.
const BATCH_DEADLINE: Duration = Duration::from_secs(60);
/// How long the clock probe may take.
const PROBE_DEADLINE: Duration = Duration::from_secs(10);
/// The most of HQ's answer to a batch that is read (the reason keeps less).
const ANSWER_BYTES: usize = 4 * 1024;

/// The sink. [`Sink::run`] drives it.
pub struct Sink {
    store: Store,
    client: HqClient,
    settings: Arc<UpstreamSettings>,
    clock: Arc<SigningClock>,
    handle: SyncHandle,
    metrics: UpstreamMetrics,
    envelope: BatchEnvelope,
    kernel_marker: PathBuf,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("url", &self.settings.url)
            .field("gateway_id", &self.settings.gateway_id)
            .finish_non_exhaustive()
    }
}

/// A batch ready to send.
#[derive(Debug, Clone)]
struct Ready {
    range: BatchRange,
    body: Bytes,
    /// Events in it (fewer than the range spans when some were pruned before any HQ).
    events: u64,
    /// Its oldest event's time (the box's clock).
    oldest_at: UnixMs,
}

/// Where the outbox stands, as the sink keeps it between store reads.
#[derive(Debug, Default)]
struct Queue {
    /// Formed batches not settled, oldest first.
    formed: VecDeque<BatchRange>,
    /// The last event formed into a batch.
    formed_through: u64,
}

/// What the journal holds after the last formed batch.
enum Next {
    /// Events to form the next batch from.
    Events(Vec<ResolvedEvent>),
    /// Nothing after this seq (the journal's end when it was read).
    Nothing(u64),
}

/// What forming the next batch gave.
enum Formed {
    /// A batch, formed durably.
    Batch(Ready),
    /// Nothing after this seq.
    Nothing(u64),
}

/// Why a delivery ended.
enum Delivery {
    /// Settle the batch so.
    Settle(BatchOutcome),
    /// HQ answered 410.
    Gone(String),
    /// The gateway is stopping.
    Stopped,
}

impl Sink {
    /// A sink of `store`'s upstream outbox to the HQ of `settings`, signing with `clock` and
    /// publishing its state through `handle`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(
        store: Store,
        settings: Arc<UpstreamSettings>,
        clock: Arc<SigningClock>,
        handle: SyncHandle,
        metrics: UpstreamMetrics,
    ) -> Result<Self, HqClientError> {
        Ok(Self {
            envelope: BatchEnvelope::new(&settings.gateway_id),
            store,
            client: HqClient::new()?,
            settings,
            clock,
            handle,
            metrics,
            kernel_marker: PathBuf::from(TIMESYNC_SYNCHRONIZED),
        })
    }

    /// Runs until `stop` (or until HQ answers 410, then waits for `stop`). A batch in flight at
    /// `stop` stays formed and is sent again at the next start.
    pub async fn run(self, stop: CancellationToken) {
        tracing::info!(url = %self.settings.url, gateway_id = %self.settings.gateway_id, "sync to headquarters starting");
        let mut journal = self.store.journal().subscribe();
        let mut failures = Backoff::default();
        'restart: loop {
            let mut queue = match self.store.upstream_state().await {
                Ok(state) => Queue {
                    formed: state.formed.into(),
                    formed_through: state.formed_through,
                },
                Err(error) => {
                    if !self.store_failed(&error, &mut failures, &stop).await {
                        return;
                    }
                    continue 'restart;
                }
            };
            let mut next: Option<Ready> = None;
            let mut settle: Option<(BatchRange, BatchOutcome)> = None;
            loop {
                if stop.is_cancelled() {
                    break 'restart;
                }
                if self.clock.measure_due() && !self.measure(&stop).await {
                    break 'restart;
                }
                let current = match queue.formed.pop_front() {
                    Some(range) => self.render(range).await.map(Formed::Batch),
                    None => match next.take() {
                        Some(ready) => Ok(Formed::Batch(ready)),
                        None => self.form_next(&mut queue.formed_through).await,
                    },
                };
                let current = match current {
                    Ok(current) => current,
                    Err(error) => {
                        self.settle(settle.take()).await;
                        if !self.store_failed(&error, &mut failures, &stop).await {
                            return;
                        }
                        continue 'restart;
                    }
                };
                let current = match current {
                    Formed::Batch(current) => current,
                    Formed::Nothing(through) => {
                        self.settle(settle.take()).await;
                        self.set_state(SinkState::CaughtUp);
                        tokio::select! {
                            () = stop.cancelled() => break 'restart,
                            _ = journal.wait_for(|last| *last > through) => {}
                            () = self.handle.woken() => continue 'restart,
                        }
                        continue;
                    }
                };
                self.set_state(SinkState::Sending);
                // While the first request is in flight: settle the previous batch and form the
                // next one (when no formed batch is waiting).
                let form_ahead = queue.formed.is_empty();
                let background = async {
                    let previous = settle.take();
                    if !form_ahead {
                        self.settle(previous).await;
                        return Ok(None);
                    }
                    let read = self.read_next(queue.formed_through).await;
                    let (formed, ()) = tokio::join!(
                        async {
                            match read? {
                                Next::Events(events) => {
                                    self.form(events, queue.formed_through).await
                                }
                                Next::Nothing(_) => Ok(None),
                            }
                        },
                        self.settle(previous)
                    );
                    formed
                };
                let (delivery, formed) = tokio::select! {
                    () = stop.cancelled() => break 'restart,
                    both = async { tokio::join!(self.deliver(&current, &stop), background) } => both,
                };
                match formed {
                    Ok(Some(ready)) => {
                        queue.formed_through = ready.range.last;
                        next = Some(ready);
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, "the next batch could not be formed; the store is read again");
                    }
                }
                match delivery {
                    Delivery::Settle(outcome) => {
                        failures.succeeded();
                        if let BatchOutcome::DeadLettered { .. } = outcome {
                            // Settled at once: the status shows it.
                            self.settle(Some((current.range, outcome))).await;
                        } else {
                            settle = Some((current.range, outcome));
                        }
                    }
                    Delivery::Gone(reason) => {
                        self.settle(settle.take()).await;
                        self.gone(reason, current.range, &stop).await;
                        return;
                    }
                    Delivery::Stopped => {
                        self.settle(settle.take()).await;
                        break 'restart;
                    }
                }
            }
        }
        tracing::info!("sync to headquarters stopped");
    }

    /// Sends `batch` until HQ settles it (acknowledged or dead-lettered), stops the sync (410),
    /// or `stop`.
    async fn deliver(&self, batch: &Ready, stop: &CancellationToken) -> Delivery {
        let mut backoff = Backoff::default();
        let mut remeasured = false;
        let mut failing_since = None;
        loop {
            let sent = match self.clock.now_s() {
                Some(now_s) => self.post(batch, now_s).await,
                // Never trusted yet (the measure failed with no earlier one): measure first.
                None => {
                    if !self.measure(stop).await {
                        return Delivery::Stopped;
                    }
                    continue;
                }
            };
            let failure;
            let answer = match &sent {
                Ok(answer) => Answer::Http {
                    status: answer.status,
                    retry_after: answer.header(header::RETRY_AFTER.as_str()),
                    body: &answer.body,
                },
                Err(HqFailure::TimedOut(_)) => Answer::TimedOut,
                Err(HqFailure::Network(reason)) => {
                    failure = reason.clone();
                    Answer::Network(&failure)
                }
            };
            let (reason, retry_after) = match verdict(answer, remeasured) {
                Verdict::Acknowledged => {
                    let lag = self.clock.wall_ms().saturating_sub(batch.oldest_at);
                    self.metrics
                        .acknowledged(batch.events, Duration::from_millis(lag));
                    let now = self.clock.wall_ms();
                    self.handle
                        .update(|view| view.last_acknowledged_at = Some(now));
                    if failing_since.is_some() {
                        tracing::info!(
                            first = batch.range.first,
                            last = batch.range.last,
                            "headquarters acknowledged the batch again; the sync goes on"
                        );
                    }
                    return Delivery::Settle(BatchOutcome::Acknowledged);
                }
                Verdict::Remeasure { reason } => {
                    tracing::warn!(first = batch.range.first, last = batch.range.last, %reason, "headquarters refused the batch's signature: the clock is measured again and the batch sent once more (a second 401 dead-letters it)");
                    remeasured = true;
                    if !self.measure_now(stop).await {
                        return Delivery::Stopped;
                    }
                    continue;
                }
                Verdict::DeadLetter { status, reason } => {
                    self.metrics.batch(BatchResult::DeadLettered);
                    tracing::error!(
                        first = batch.range.first,
                        last = batch.range.last,
                        status,
                        %reason,
                        "headquarters refused a batch: it is dead-lettered (kept, with the reason) and the sync goes on; fix what HQ says, then retry it"
                    );
                    return Delivery::Settle(BatchOutcome::DeadLettered { status, reason });
                }
                Verdict::Gone { reason } => {
                    self.metrics.batch(BatchResult::Gone);
                    return Delivery::Gone(reason);
                }
                Verdict::Retry {
                    reason,
                    retry_after,
                } => (reason, retry_after),
            };
            self.metrics.batch(BatchResult::Retried);
            let now = self.clock.wall_ms();
            let since = *failing_since.get_or_insert(now);
            let hq_now = self.clock.now_ms().unwrap_or(now);
            let wait = backoff.failed(retry_after, hq_now, crate::sender::jitter());
            if backoff.failures() == 1 {
                tracing::warn!(first = batch.range.first, last = batch.range.last, %reason, "headquarters failed the batch; it is sent again with backoff until HQ takes it");
            } else {
                tracing::debug!(first = batch.range.first, failures = backoff.failures(), %reason, wait_ms = wait, "headquarters failed the batch again");
            }
            self.set_state(SinkState::Retrying {
                since,
                failures: backoff.failures(),
                reason,
                next_attempt_at: now.saturating_add(wait),
            });
            tokio::select! {
                () = stop.cancelled() => return Delivery::Stopped,
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
            }
        }
    }

    /// One signed `POST` of `batch` at `now_s` by the signing clock.
    async fn post(&self, batch: &Ready, now_s: u64) -> Result<HqAnswer, HqFailure> {
        let id = format!(
            "{}:{}-{}",
            self.settings.gateway_id, batch.range.first, batch.range.last
        );
        let signature = sign(&self.settings.secret, &id, now_s, &batch.body);
        let request = Request::post(&self.settings.url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(ID_HEADER, &id)
            .header(TIMESTAMP_HEADER, now_s)
            .header(SIGNATURE_HEADER, signature)
            .body(Full::new(batch.body.clone()))
            .map_err(|error| HqFailure::Network(format!("the request cannot be made: {error}")))?;
        self.client
            .exchange(request, BATCH_DEADLINE, ANSWER_BYTES)
            .await
    }

    /// Measures the clock until it is trusted (or `stop`: false).
    async fn measure(&self, stop: &CancellationToken) -> bool {
        let mut backoff = Backoff::default();
        let since = self.clock.wall_ms();
        loop {
            if let Trust::Untrusted(reason) = self.measure_once().await {
                let wait = backoff.failed(None, 0, crate::sender::jitter());
                if backoff.failures() == 1 {
                    tracing::warn!(%reason, "batches are not signed yet: the clock is not trusted");
                }
                self.set_state(SinkState::ClockUntrusted { reason, since });
                tokio::select! {
                    () = stop.cancelled() => return false,
                    () = tokio::time::sleep(Duration::from_millis(wait)) => continue,
                }
            }
            return true;
        }
    }

    /// Measures the clock now (after a 401), then as [`Self::measure`].
    async fn measure_now(&self, stop: &CancellationToken) -> bool {
        self.measure_once().await;
        self.clock.trust().offset_ms().is_some() || self.measure(stop).await
    }

    /// One probe of HQ's `Date`, judged; the judgment that holds after it.
    async fn measure_once(&self) -> Trust {
        let sent_at = self.clock.wall_ms();
        let probe = Request::head(&self.settings.url).body(Full::new(Bytes::new()));
        let answered = match probe {
            Ok(request) => self.client.exchange(request, PROBE_DEADLINE, 0).await,
            Err(error) => Err(HqFailure::Network(error.to_string())),
        };
        let answered_at = self.clock.wall_ms();
        let failure;
        let probe = match &answered {
            Ok(answer) => Probe::Answered {
                sent_at,
                answered_at,
                date: answer.header(header::DATE.as_str()),
            },
            Err(error) => {
                failure = error.to_string();
                Probe::Failed(&failure)
            }
        };
        let judged = judge(probe, kernel_clock::synchronised(&self.kernel_marker));
        let before = self.clock.trust().offset_ms();
        let trust = self.clock.measured(judged);
        if let Trust::Trusted { offset_ms, basis } = &trust {
            self.metrics.clock_offset_ms(*offset_ms);
            let offset_ms = *offset_ms;
            self.handle
                .update(|view| view.clock_offset_ms = Some(offset_ms));
            if before != Some(offset_ms) {
                match basis {
                    Basis::HqDate { measured_ms } => tracing::info!(
                        offset_ms,
                        measured_ms,
                        "the signing clock is set from headquarters' Date (the box's clock plus the offset; within 2 s it is used as it is)"
                    ),
                    Basis::Kernel => tracing::info!(
                        "the signing clock is the box's clock: HQ gave no Date and the kernel says the clock is synchronised"
                    ),
                }
            }
        }
        trust
    }

    /// The next events after `formed_through`, up to a batch's count.
    async fn read_next(&self, formed_through: u64) -> Result<Next, StoreError> {
        let last = self.store.journal().last_seq();
        if last <= formed_through {
            return Ok(Next::Nothing(formed_through));
        }
        let events = self
            .store
            .events_after(formed_through, self.settings.max_batch_events.max(1))
            .await?;
        // None though the journal went further: those events were pruned (before any HQ).
        Ok(if events.is_empty() {
            Next::Nothing(last)
        } else {
            Next::Events(events)
        })
    }

    /// Cuts a batch from `events` (read after `formed_through`), forms it durably and renders
    /// its body.
    async fn form(
        &self,
        events: Vec<ResolvedEvent>,
        formed_through: u64,
    ) -> Result<Option<Ready>, StoreError> {
        let rendered = self.rendered(&events);
        let take = batch_len(
            self.envelope.overhead(),
            rendered.iter().map(String::len),
            self.settings.max_batch_events,
            self.settings.max_batch_bytes,
        );
        let Some(last) = events.get(take.wrapping_sub(1)) else {
            return Ok(None);
        };
        let range = BatchRange {
            first: formed_through + 1,
            last: last.event.seq,
        };
        if !self.store.form_batch(range).await? {
            return Err(StoreError::GroupFailed(format!(
                "batch {}-{} does not follow the last formed batch",
                range.first, range.last
            )));
        }
        Ok(Some(self.ready(range, &events[..take], &rendered[..take])))
    }

    /// Reads, cuts and forms the next batch after `formed_through` (moved to its end).
    async fn form_next(&self, formed_through: &mut u64) -> Result<Formed, StoreError> {
        let events = match self.read_next(*formed_through).await? {
            Next::Events(events) => events,
            Next::Nothing(through) => return Ok(Formed::Nothing(through)),
        };
        Ok(match self.form(events, *formed_through).await? {
            Some(ready) => {
                *formed_through = ready.range.last;
                Formed::Batch(ready)
            }
            None => Formed::Nothing(*formed_through),
        })
    }

    /// A formed batch read back and rendered (for a redelivery).
    async fn render(&self, range: BatchRange) -> Result<Ready, StoreError> {
        let events = self.store.batch_events(range).await?;
        let rendered = self.rendered(&events);
        Ok(self.ready(range, &events, &rendered))
    }

    fn rendered(&self, events: &[ResolvedEvent]) -> Vec<String> {
        events
            .iter()
            .map(|event| event_json(&self.settings.gateway_id, &event.event, &event.data))
            .collect()
    }

    fn ready(&self, range: BatchRange, events: &[ResolvedEvent], rendered: &[String]) -> Ready {
        Ready {
            range,
            body: Bytes::from(self.envelope.body(rendered.iter().map(String::as_str))),
            events: u64::try_from(events.len()).unwrap_or(u64::MAX),
            oldest_at: events
                .iter()
                .map(|event| event.event.at)
                .min()
                .unwrap_or_else(|| self.clock.wall_ms()),
        }
    }

    /// Settles `batch` durably, if any. A failure leaves it formed: it is sent again at the next
    /// start (HQ sees the same id twice).
    async fn settle(&self, batch: Option<(BatchRange, BatchOutcome)>) {
        let Some((range, outcome)) = batch else {
            return;
        };
        if let Err(error) = self.store.settle_batch(range.first, outcome).await {
            tracing::warn!(first = range.first, last = range.last, %error, "a batch's settlement could not be recorded; it is sent again after a restart");
        }
    }

    /// HQ answered 410: says so everywhere and waits for `stop`.
    async fn gone(&self, reason: String, range: BatchRange, stop: &CancellationToken) {
        tracing::error!(
            first = range.first,
            last = range.last,
            %reason,
            "headquarters answered 410 Gone: the sync to headquarters stops (events are kept); restart the gateway once HQ takes this gateway again"
        );
        self.set_state(SinkState::Gone {
            since: self.clock.wall_ms(),
            reason,
        });
        stop.cancelled().await;
    }

    /// The store failed: waits a backoff (false at `stop`).
    async fn store_failed(
        &self,
        error: &StoreError,
        failures: &mut Backoff,
        stop: &CancellationToken,
    ) -> bool {
        let wait = failures.failed(None, 0, crate::sender::jitter());
        tracing::warn!(%error, wait_ms = wait, "the sync to headquarters could not use the store; it tries again");
        tokio::select! {
            () = stop.cancelled() => false,
            () = tokio::time::sleep(Duration::from_millis(wait)) => true,
        }
    }

    fn set_state(&self, state: SinkState) {
        self.handle.update(|view| {
            if view.sink != state {
                view.sink = state;
            }
        });
    }
}

/// The reason kept for a dead-lettered batch is at most this long.
const _: () = assert!(REASON_BYTES <= ANSWER_BYTES);
