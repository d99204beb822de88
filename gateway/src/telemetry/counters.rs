//! Process-wide counters of what the webhook endpoint did. Cheap atomics, read by logs (and by
//! the metrics endpoint a later release adds).

use std::sync::atomic::{AtomicU64, Ordering};

/// The counters.
#[derive(Debug, Default)]
pub struct Counters {
    /// Webhooks answered 200 after a durable commit.
    pub webhooks_accepted: AtomicU64,
    /// Events appended to the inbound log.
    pub events_appended: AtomicU64,
    /// Events dropped as duplicates.
    pub duplicates: AtomicU64,
    /// Dead letters stored (undecodable bodies or items).
    pub dead_letters: AtomicU64,
    /// Requests refused for a missing or wrong signature.
    pub signature_failures: AtomicU64,
    /// Bodies refused for their size.
    pub too_large: AtomicU64,
    /// Requests refused because the bodies in flight used the memory budget.
    pub over_budget: AtomicU64,
    /// Requests refused because the quota was reached.
    pub quota_refusals: AtomicU64,
    /// Requests that failed in the store for another reason.
    pub store_failures: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CounterSnapshot {
    /// See [`Counters::webhooks_accepted`].
    pub webhooks_accepted: u64,
    /// See [`Counters::events_appended`].
    pub events_appended: u64,
    /// See [`Counters::duplicates`].
    pub duplicates: u64,
    /// See [`Counters::dead_letters`].
    pub dead_letters: u64,
    /// See [`Counters::signature_failures`].
    pub signature_failures: u64,
    /// See [`Counters::too_large`].
    pub too_large: u64,
    /// See [`Counters::over_budget`].
    pub over_budget: u64,
    /// See [`Counters::quota_refusals`].
    pub quota_refusals: u64,
    /// See [`Counters::store_failures`].
    pub store_failures: u64,
}

impl Counters {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) -> u64 {
        counter.fetch_add(n, Ordering::Relaxed) + n
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> CounterSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterSnapshot {
            webhooks_accepted: get(&self.webhooks_accepted),
            events_appended: get(&self.events_appended),
            duplicates: get(&self.duplicates),
            dead_letters: get(&self.dead_letters),
            signature_failures: get(&self.signature_failures),
            too_large: get(&self.too_large),
            over_budget: get(&self.over_budget),
            quota_refusals: get(&self.quota_refusals),
            store_failures: get(&self.store_failures),
        }
    }
}
