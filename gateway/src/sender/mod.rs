//! The sender: drains the Meta outbox, per business number at its rate, in order per chat, and
//! records what Meta answered. It decides nothing itself: when a message may leave is the
//! lanes' decision ([`crate::outbound::Lanes`]), what an error means is the error table's
//! ([`crate::outbound::classify`]); it moves messages between the store, the lanes and Meta.
//!
//! Exactly once towards Meta, as far as a process can know: a message is claimed (`sending`,
//! durably) before its request leaves, and Meta's wamid is recorded in the transaction that
//! marks it sent. A message found `sending` at start was in flight when the gateway stopped; the
//! store marks it `uncertain`, and only an operator sends it again.

mod handle;

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::graph::{GraphClient, GraphFailure, send_body};
use crate::numbers::Board;
use crate::outbound::{
    ErrorClass, Hold, LaneSettings, Lanes, MessagesPerSecond, QueuedRef, classify, is_known,
    remedy, retry_delay_ms,
};
use crate::settings::NumberSettings;
use crate::store::{
    MessageFilter, OutboundMessage, SendFailure, Settlement, Store, UNCERTAIN_REMEDY,
};
use crate::telemetry::{OutboundMetrics, SendOutcome};
use crate::time::UnixMs;

/// What became of one attempt, for the lanes.
#[derive(Debug)]
enum Outcome {
    /// Meta accepted it.
    Accepted,
    /// To be tried again, not before the instant.
    Retry(UnixMs),
    /// Refused for good.
    Failed,
    /// Meta's answer holds the whole number.
    Hold(Hold),
    /// Meta slowed this recipient down (131056).
    PairLimited,
    /// It was no longer queued (settled meanwhile), or the store could not record the attempt:
    /// it leaves the lanes; a restart finds it in the store as it is.
    Gone,
}

pub use handle::SenderHandle;

/// The sender to Meta.
pub struct Sender {
    store: Store,
    client: GraphClient,
    clock: SharedClock,
    end: handle::HandleEnd,
    numbers: Vec<(String, LaneSettings)>,
    metrics: OutboundMetrics,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("client", &self.client)
            .field("numbers", &self.numbers)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender draining `store`'s outbox through `client`, and the handle the API uses to
    /// wake it, see the numbers (`board`) and their holds, and resume one. `numbers` are the
    /// configured business numbers (others send at the defaults).
    pub fn new(
        store: Store,
        client: GraphClient,
        clock: SharedClock,
        numbers: &[NumberSettings],
        board: Arc<Mutex<Board>>,
        metrics: OutboundMetrics,
    ) -> (Self, SenderHandle) {
        let (handle, end) = SenderHandle::new(Some(client.clone()), board);
        let numbers = numbers
            .iter()
            .map(|number| {
                let rate = MessagesPerSecond::new(number.messages_per_second)
                    .unwrap_or(MessagesPerSecond::DEFAULT);
                let lane = LaneSettings {
                    rate,
                    strict_order: number.strict_order,
                };
                (number.phone_number_id.clone(), lane)
            })
            .collect();
        let sender = Self {
            store,
            client,
            clock,
            end,
            numbers,
            metrics,
        };
        (sender, handle)
    }

    /// Runs until `stop`, then waits for the requests in flight (a request cut by the end of the
    /// grace period leaves its message `sending`, hence `uncertain` at the next start).
    pub async fn run(mut self, stop: CancellationToken) {
        let mut lanes = Lanes::new();
        let now = self.clock.now_ms();
        for (number, settings) in &self.numbers {
            lanes.ensure_number(number, *settings, now);
        }
        if !self.client.has_token() {
            tracing::warn!(
                "no Meta access token is configured (meta.access_token_file): operators' messages are queued but none is sent"
            );
        }
        match self.store.holds().await {
            Ok(holds) => {
                for (number, hold) in holds {
                    tracing::warn!(
                        number,
                        code = hold.code,
                        remedy = hold.remedy(),
                        "the number is still held from before the restart: nothing is sent from it until it is resumed"
                    );
                    lanes.hold(&number, hold);
                    self.end.held(&number, hold);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "the held numbers could not be read; none is held")
            }
        }
        let (outcomes, mut finished) = mpsc::unbounded_channel();
        let mut attempts = JoinSet::new();
        let mut seen = 0_u64;
        self.load(&mut lanes, &mut seen).await;
        loop {
            let now = self.clock.now_ms();
            if self.client.has_token() {
                for due in lanes.due(now) {
                    let attempt = Attempt {
                        store: self.store.clone(),
                        client: self.client.clone(),
                        clock: Arc::clone(&self.clock),
                        metrics: self.metrics.clone(),
                    };
                    let outcomes = outcomes.clone();
                    attempts.spawn(async move {
                        let outcome = attempt.run(due.id).await;
                        let _ = outcomes.send((due.id, due.number, outcome));
                    });
                }
            }
            self.metrics.set_queue(lanes.len(), self.end.held_count());
            let wait = lanes
                .next_wake(now)
                .filter(|_| self.client.has_token())
                .map(|at| std::time::Duration::from_millis(at.saturating_sub(now).max(1)));
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.end.waker.notified() => self.load(&mut lanes, &mut seen).await,
                Some((id, number, outcome)) = finished.recv() => {
                    if let Some(hold) = apply(&mut lanes, id, &number, outcome, self.clock.now_ms()) {
                        self.end.held(&number, hold);
                        if let Err(error) = self.store.set_hold(&number, Some(hold)).await {
                            tracing::warn!(number, %error, "the hold could not be stored; a restart forgets it");
                        }
                    }
                }
                Some(number) = self.end.resumes.recv() => {
                    if let Err(error) = self.store.set_hold(&number, None).await {
                        tracing::warn!(number, %error, "the lifted hold could not be stored; a restart holds the number again");
                    }
                    if lanes.resume(&number).is_some() {
                        tracing::info!(number, "the number was resumed: its queue is sent again");
                    }
                }
                () = sleep(wait) => {}
                Some(_) = attempts.join_next(), if !attempts.is_empty() => {}
            }
        }
        // Requests in flight finish (within the shutdown's grace period, which the caller
        // keeps): their answers are recorded while the store still takes them.
        while attempts.join_next().await.is_some() {}
    }

    /// Puts the outbox's messages newer than `seen` on their lanes.
    async fn load(&self, lanes: &mut Lanes, seen: &mut u64) {
        let messages = match self.store.messages(MessageFilter::OutboxAfter(*seen)).await {
            Ok(messages) => messages,
            Err(error) => {
                tracing::warn!(%error, "the sender could not read the outbox; it tries again with the next message");
                return;
            }
        };
        for message in messages {
            *seen = (*seen).max(message.id);
            let queued = QueuedRef {
                id: message.id,
                chat: message.chat,
                recipient: message.customer.as_str().to_owned(),
            };
            lanes.enqueue(message.number.as_str(), queued);
            if let Some(at) = message.not_before {
                lanes.retry(message.id, at);
            }
        }
    }
}

/// Sleeps for `wait`, or forever.
async fn sleep(wait: Option<std::time::Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

/// Tells the lanes what became of message `id`; a new hold of its number is returned.
fn apply(lanes: &mut Lanes, id: u64, number: &str, outcome: Outcome, now: UnixMs) -> Option<Hold> {
    match outcome {
        Outcome::Accepted => {
            lanes.accepted(id);
        }
        Outcome::Retry(at) => {
            lanes.retry(id, at);
        }
        Outcome::Failed => {
            lanes.failed(id);
        }
        Outcome::Gone => {
            lanes.uncertain(id);
        }
        Outcome::PairLimited => {
            lanes.pair_limited(id, now);
        }
        Outcome::Hold(hold) => {
            lanes.retry(id, now);
            if lanes.hold(number, hold) {
                tracing::error!(
                    number,
                    code = hold.code,
                    remedy = hold.remedy(),
                    "Meta's answer holds this business number: nothing is sent from it until it is resumed (POST /api/v1/numbers/{{phone_number_id}}/resume)"
                );
            }
            return Some(hold);
        }
    }
    None
}

/// One request to Meta for one message, with what it needs.
struct Attempt {
    store: Store,
    client: GraphClient,
    clock: SharedClock,
    metrics: OutboundMetrics,
}

impl Attempt {
    /// Claims message `id`, asks Meta, and records the answer.
    async fn run(self, id: u64) -> Outcome {
        let message = match self.store.claim(id).await {
            Ok(Some(message)) => message,
            Ok(None) => return Outcome::Gone,
            Err(error) => {
                tracing::warn!(message = id, %error, "the sender could not claim a message; it stays queued for the next start");
                return Outcome::Gone;
            }
        };
        let asked = std::time::Instant::now();
        let (settlement, outcome) = self.ask_meta(&message).await;
        let counted = match (&settlement, &outcome) {
            (Settlement::Accepted { .. }, _) => SendOutcome::Accepted,
            (Settlement::Retry { .. }, _) => SendOutcome::Retry,
            (Settlement::Uncertain { .. }, _) => SendOutcome::Uncertain,
            (Settlement::Failed { .. }, _) => SendOutcome::Failed,
            (Settlement::Requeue { .. }, Outcome::PairLimited) => SendOutcome::PairLimited,
            (Settlement::Requeue { .. }, _) => SendOutcome::Held,
        };
        self.metrics.request(counted, asked.elapsed());
        match self.store.settle(id, settlement).await {
            Ok(_) => outcome,
            Err(error) => {
                tracing::error!(message = id, %error, "Meta's answer could not be recorded: the message stays `sending` and becomes `uncertain` at the next start");
                Outcome::Gone
            }
        }
    }

    /// Sends `message` and says what its answer means.
    async fn ask_meta(&self, message: &OutboundMessage) -> (Settlement, Outcome) {
        let now = || self.clock.now_ms();
        let body = match send_body(&message.body, &message.customer, message.id) {
            Ok(body) => body,
            Err(reason) => {
                let failure = failure(None, reason, None, "write the message again".into(), now());
                return (Settlement::Failed { failure }, Outcome::Failed);
            }
        };
        let mut body = body;
        // An attachment goes by Meta's media id, uploaded on its first send; an upload's
        // failure is judged like a send's.
        let ready = crate::attachments::send::use_meta_media_id(
            &self.store,
            &self.client,
            message,
            &mut body,
            now(),
        )
        .await;
        let sent = match ready {
            Ok(()) => {
                self.client
                    .send_message(message.number.as_str(), &body)
                    .await
            }
            Err(crate::attachments::send::MediaSendError::Upload(failure)) => Err(failure),
            Err(crate::attachments::send::MediaSendError::Missing(reason)) => {
                let failure = failure(
                    None,
                    reason,
                    None,
                    "upload the file again with POST /api/v1/media and send a new message".into(),
                    now(),
                );
                return (Settlement::Failed { failure }, Outcome::Failed);
            }
        };
        let error = match sent {
            Ok(accepted) => {
                tracing::info!(message = message.id, wamid = %accepted.wamid, "Meta accepted the message");
                return (
                    Settlement::Accepted {
                        wamid: accepted.wamid,
                    },
                    Outcome::Accepted,
                );
            }
            Err(error) => error,
        };
        let at = now();
        let (class, failure) = match &error {
            GraphFailure::Meta { error: meta, .. } => {
                let title = meta
                    .title
                    .clone()
                    .or_else(|| meta.message.clone())
                    .unwrap_or_else(|| format!("error {}", meta.code));
                if !is_known(meta.code) {
                    tracing::warn!(message = message.id, code = meta.code, %title, "Meta answered an error code the gateway does not know: not retried");
                }
                (
                    classify(meta.code),
                    failure(
                        Some(meta.code),
                        title,
                        meta.details().map(str::to_owned),
                        remedy(meta.code).to_owned(),
                        at,
                    ),
                )
            }
            GraphFailure::NotSent(reason) => (
                ErrorClass::for_transport(),
                failure(
                    None,
                    format!("Meta could not be reached: {reason}"),
                    None,
                    "the gateway tries again by itself; check the uplink if it lasts".into(),
                    at,
                ),
            ),
            GraphFailure::NoAnswer(reason) => {
                // Sending it again could deliver it twice: an operator decides.
                let failure = failure(
                    None,
                    format!("no answer from Meta after the request left: {reason}"),
                    None,
                    UNCERTAIN_REMEDY.into(),
                    at,
                );
                tracing::warn!(message = message.id, error = %error, "no answer from Meta: the message is uncertain and is not sent again without an operator");
                return (Settlement::Uncertain { failure }, Outcome::Gone);
            }
            GraphFailure::Unreadable { reason, .. } => (
                ErrorClass::Never,
                failure(
                    None,
                    format!("an answer Meta does not give: {reason}"),
                    None,
                    "check meta.graph_base_url, then retry the message".into(),
                    at,
                ),
            ),
        };
        tracing::warn!(message = message.id, attempt = message.attempts, class = class.as_str(), error = %error, "a request to Meta failed");
        match class {
            ErrorClass::Retry => {
                let not_before = at.saturating_add(retry_delay_ms(message.attempts, jitter()));
                (
                    Settlement::Retry {
                        failure,
                        not_before,
                    },
                    Outcome::Retry(not_before),
                )
            }
            ErrorClass::PairRateLimited => (Settlement::Requeue { failure }, Outcome::PairLimited),
            ErrorClass::Hold => {
                let hold = Hold {
                    code: failure.code.unwrap_or(0),
                    since: at,
                };
                (Settlement::Requeue { failure }, Outcome::Hold(hold))
            }
            ErrorClass::Never => (Settlement::Failed { failure }, Outcome::Failed),
        }
    }
}

fn failure(
    code: Option<i64>,
    title: String,
    details: Option<String>,
    remedy: String,
    at: UnixMs,
) -> SendFailure {
    SendFailure {
        code,
        title,
        details,
        remedy,
        at,
    }
}

/// A random number for a retry backoff's jitter.
pub(crate) fn jitter() -> u64 {
    let mut bytes = [0_u8; 8];
    // A failed draw only makes the jitter zero.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    u64::from_le_bytes(bytes)
}
