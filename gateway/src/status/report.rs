//! What `GET /api/v1/status` answers and `waygate status` prints: the gateway's uptime, its
//! readiness (with the reason when not ready), the store's use against the quota, chats by state
//! and the last commit, and the sync to headquarters, with the problems that make it unhealthy.
//! The judgment is made here, once, from the figures: not ready, the quota's measure above
//! [`QUOTA_ALERT_PERCENT`], or the sync's problems ([`super::upstream`]: dead letters, gone, a
//! backlog older than an hour).

use serde::{Deserialize, Serialize};

use super::upstream::UpstreamStatus;
use crate::store::{ChatCounts, StoreSnapshot};
use crate::time::UnixMs;

/// Above this share of the quota, in percent, the gateway counts as unhealthy: webhooks are
/// refused (and retried by Meta) once the quota is reached.
pub const QUOTA_ALERT_PERCENT: u64 = 90;

/// The running gateway's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    /// The gateway's version.
    pub version: String,
    /// The git commit it was built from.
    pub commit: String,
    /// When it started serving (Unix ms, UTC).
    pub started_at: UnixMs,
    /// Seconds since then (from a monotonic clock: wall-clock jumps do not move it).
    pub uptime_seconds: u64,
    /// Whether it takes webhooks now.
    pub ready: bool,
    /// Why not, when not.
    pub not_ready_reason: Option<String>,
    /// The store's figures.
    pub store: StoreStatus,
    /// Chats by state.
    pub chats: ChatCounts,
    /// The sync to headquarters.
    #[serde(default)]
    pub upstream: UpstreamStatus,
    /// What makes it unhealthy; empty when healthy.
    pub problems: Vec<String>,
}

/// The store's use and its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    /// The quota's measure: data the store holds plus the other files in the data folder.
    pub used_bytes: u64,
    /// The quota (`store.quota_bytes`).
    pub quota_bytes: u64,
    /// Of `used_bytes`, the data the store holds.
    pub stored_bytes: u64,
    /// Entries in the inbound log.
    pub log_entries: u64,
    /// Entries in the dedupe index.
    pub dedupe_entries: u64,
    /// Dead letters kept.
    pub dead_letters: u64,
    /// When the last durable commit happened (Unix ms); `None` for a store never written.
    pub last_commit_at: Option<UnixMs>,
}

/// What a status is made from.
#[derive(Debug, Clone)]
pub struct StatusInputs {
    /// When the gateway started serving.
    pub started_at: UnixMs,
    /// Seconds since.
    pub uptime_seconds: u64,
    /// Why it takes no webhooks, or `None` when ready.
    pub not_ready_reason: Option<String>,
    /// The store's figures, read now.
    pub snapshot: StoreSnapshot,
    /// The quota's measure now.
    pub used_bytes: u64,
    /// The quota.
    pub quota_bytes: u64,
    /// The sync to headquarters.
    pub upstream: UpstreamStatus,
    /// Now, by the box's clock (for the age of the backlog).
    pub now: UnixMs,
}

impl StatusReport {
    /// The status of this build from `inputs`, judged.
    pub fn new(inputs: StatusInputs) -> Self {
        let summary = inputs.snapshot.summary;
        let store = StoreStatus {
            used_bytes: inputs.used_bytes,
            quota_bytes: inputs.quota_bytes,
            stored_bytes: summary.stored_bytes,
            log_entries: summary.log_entries,
            dedupe_entries: summary.dedupe_entries,
            dead_letters: summary.dead_letters,
            last_commit_at: (summary.last_commit_ms > 0).then_some(summary.last_commit_ms),
        };
        let mut problems = Vec::new();
        if let Some(reason) = &inputs.not_ready_reason {
            problems.push(format!("not ready: {reason}"));
        }
        if store.over_alert() {
            problems.push(format!(
                "the store uses {} of its {}-byte quota, above {QUOTA_ALERT_PERCENT}%: webhooks \
                 are refused once it is full; free space in the data folder or raise \
                 store.quota_bytes",
                store.used_percent(),
                store.quota_bytes
            ));
        }
        problems.extend(inputs.upstream.problems(inputs.now));
        Self {
            version: crate::build_info::VERSION.to_owned(),
            commit: crate::build_info::GIT_COMMIT.to_owned(),
            started_at: inputs.started_at,
            uptime_seconds: inputs.uptime_seconds,
            ready: inputs.not_ready_reason.is_none(),
            not_ready_reason: inputs.not_ready_reason,
            store,
            chats: inputs.snapshot.chats,
            upstream: inputs.upstream,
            problems,
        }
    }

    /// Healthy: ready, and the quota's measure at or below [`QUOTA_ALERT_PERCENT`].
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

impl StoreStatus {
    /// Whether the quota's measure is above [`QUOTA_ALERT_PERCENT`] of the quota.
    pub fn over_alert(&self) -> bool {
        u128::from(self.used_bytes) * 100
            > u128::from(self.quota_bytes) * u128::from(QUOTA_ALERT_PERCENT)
    }

    /// The share of the quota used, as text with one decimal (`"91.3%"`), rounded down.
    pub fn used_percent(&self) -> String {
        let per_mille = (u128::from(self.used_bytes) * 1000)
            .checked_div(u128::from(self.quota_bytes))
            .unwrap_or(0);
        format!("{}.{}%", per_mille / 10, per_mille % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreSummary;

    fn inputs(used_bytes: u64, quota_bytes: u64, not_ready: Option<&str>) -> StatusInputs {
        StatusInputs {
            started_at: 1_000,
            uptime_seconds: 5,
            not_ready_reason: not_ready.map(str::to_owned),
            snapshot: StoreSnapshot {
                summary: StoreSummary {
                    last_commit_ms: 2_000,
                    ..StoreSummary::default()
                },
                chats: ChatCounts::default(),
            },
            used_bytes,
            quota_bytes,
            upstream: UpstreamStatus::default(),
            now: 3_000,
        }
    }

    #[test]
    fn ready_and_at_or_under_90_percent_is_healthy() {
        let report = StatusReport::new(inputs(900, 1_000, None));
        assert!(report.is_healthy(), "{:?}", report.problems);
        assert!(report.ready);
        assert_eq!(report.store.used_percent(), "90.0%");
        assert_eq!(report.store.last_commit_at, Some(2_000));
    }

    #[test]
    fn over_90_percent_of_the_quota_is_a_problem_that_says_what_to_do() {
        let report = StatusReport::new(inputs(901, 1_000, None));
        assert!(!report.is_healthy());
        assert_eq!(report.problems.len(), 1);
        let problem = &report.problems[0];
        assert!(
            problem.starts_with("the store uses 90.1% of its 1000-byte quota"),
            "{problem}"
        );
        assert!(problem.contains("store.quota_bytes"), "{problem}");
        // No overflow near the largest sizes.
        let huge = StatusReport::new(inputs(u64::MAX, u64::MAX, None));
        assert_eq!(huge.store.used_percent(), "100.0%");
    }

    #[test]
    fn not_ready_is_a_problem_with_its_reason() {
        let report = StatusReport::new(inputs(0, 1_000, Some("the store is recovering")));
        assert!(!report.ready);
        assert_eq!(report.problems, ["not ready: the store is recovering"]);
    }
}
