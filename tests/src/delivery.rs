//! Delivering a set of signed webhooks over N keep-alive connections, closed loop, the way Meta
//! would: each webhook is either acknowledged with 200 or handed back for a later re-send.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use crate::http_client::Endpoint;
use crate::meta::SignedWebhook;

/// Signals once when the number of acknowledgements reaches `at`.
#[derive(Debug, Clone)]
pub struct AckTrigger {
    /// The acknowledgement count that fires the trigger.
    pub at: usize,
    /// Notified (once) when the count is reached.
    pub reached: Arc<Notify>,
}

/// What happened to each webhook of a delivery.
#[derive(Debug, Default)]
pub struct DeliveryOutcome {
    /// Webhooks answered 200.
    pub acked: Vec<Arc<SignedWebhook>>,
    /// Webhooks not answered 200 (other status, connection failure, or never attempted).
    pub unacked: Vec<Arc<SignedWebhook>>,
    /// Non-200 statuses and how often each was seen.
    pub other_statuses: BTreeMap<u16, usize>,
    /// How many requests or connections failed at the transport level.
    pub transport_errors: usize,
    /// The first few transport error messages.
    pub first_errors: Vec<String>,
}

#[derive(Default)]
struct Shared {
    pending: VecDeque<Arc<SignedWebhook>>,
    outcome: DeliveryOutcome,
}

impl Shared {
    fn record_error(&mut self, message: String) {
        self.outcome.transport_errors += 1;
        if self.outcome.first_errors.len() < 5 {
            self.outcome.first_errors.push(message);
        }
    }
}

/// POSTs every webhook once over `connections` connections to `endpoint`. A worker whose
/// connection fails stops (its webhook counts as unacknowledged); it does not reconnect, so a
/// killed gateway ends the delivery promptly.
pub async fn deliver(
    endpoint: &Endpoint,
    connections: usize,
    webhooks: Vec<Arc<SignedWebhook>>,
    trigger: Option<AckTrigger>,
) -> DeliveryOutcome {
    let shared = Arc::new(Mutex::new(Shared {
        pending: webhooks.into(),
        outcome: DeliveryOutcome::default(),
    }));
    let acked = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        let endpoint = endpoint.clone();
        let shared = Arc::clone(&shared);
        let acked = Arc::clone(&acked);
        let trigger = trigger.clone();
        workers.push(tokio::spawn(async move {
            worker(endpoint, shared, acked, trigger).await;
        }));
    }
    for handle in workers {
        if let Err(error) = handle.await {
            lock(&shared).record_error(format!("worker task failed: {error}"));
        }
    }
    let mut shared = lock(&shared);
    let mut outcome = std::mem::take(&mut shared.outcome);
    outcome.unacked.extend(shared.pending.drain(..));
    outcome
}

async fn worker(
    endpoint: Endpoint,
    shared: Arc<Mutex<Shared>>,
    acked: Arc<AtomicUsize>,
    trigger: Option<AckTrigger>,
) {
    let mut connection = match endpoint.connect().await {
        Ok(connection) => connection,
        Err(error) => {
            lock(&shared).record_error(error.to_string());
            return;
        }
    };
    loop {
        let Some(webhook) = lock(&shared).pending.pop_front() else {
            return;
        };
        match connection.post_webhook(&webhook).await {
            Ok(reply) if reply.status == http::StatusCode::OK => {
                lock(&shared).outcome.acked.push(webhook);
                let count = acked.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(trigger) = &trigger
                    && count == trigger.at
                {
                    trigger.reached.notify_one();
                }
            }
            Ok(reply) => {
                let mut shared = lock(&shared);
                *shared
                    .outcome
                    .other_statuses
                    .entry(reply.status.as_u16())
                    .or_insert(0) += 1;
                shared.outcome.unacked.push(webhook);
            }
            Err(error) => {
                let mut shared = lock(&shared);
                shared.record_error(error.to_string());
                shared.outcome.unacked.push(webhook);
                return;
            }
        }
    }
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    // A worker never panics while holding the lock; recover the data regardless.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}
