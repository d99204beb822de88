//! Recovery from a disk error. redb refuses every operation after an I/O error ("Previous I/O
//! error occurred") until the database is closed and opened again, so the writer closes the
//! file, refuses writes (webhooks get 503, `/readyz` says why), and reopens it on its own thread
//! on a backoff schedule until a commit succeeds again.
//!
//! The schedule is pure: it takes `now` and does no I/O, so its tests run on simulated time.

use std::path::Path;
use std::time::{Duration, Instant};

use super::StoreError;
use super::health::DiskRecovery;

/// How long to wait before the first reopen attempt, and the longest wait between two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Backoff {
    /// The wait before the first attempt; it doubles after each failed one.
    pub(super) first: Duration,
    /// The wait never grows past this.
    pub(super) max: Duration,
}

/// The writer's backoff: 100 ms, doubling, at most 2 s (a freed disk is noticed within 2 s).
pub(super) const REOPEN_BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(100),
    max: Duration::from_secs(2),
};

/// The free space the data folder's file system needs before the store reopens its file. A
/// reopen commits only a little, so on a disk that is still full it could succeed and the next
/// delivery fail again; waiting for some room keeps the store from flapping.
pub(super) const REOPEN_MIN_FREE_BYTES: u64 = 4 * 1024 * 1024;

/// When the next reopen attempt is due.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReopenSchedule {
    backoff: Backoff,
    delay: Duration,
    next_at: Instant,
    failed_attempts: u32,
}

impl ReopenSchedule {
    /// A schedule for a store that failed at `now`: the first attempt comes after `first`.
    pub(super) fn start(backoff: Backoff, now: Instant) -> Self {
        Self {
            backoff,
            delay: backoff.first,
            next_at: now + backoff.first,
            failed_attempts: 0,
        }
    }

    /// How long until the next attempt is due (zero when it is due now).
    pub(super) fn wait(&self, now: Instant) -> Duration {
        self.next_at.saturating_duration_since(now)
    }

    /// The attempt made at `now` failed: the next one waits twice as long, up to `max`.
    pub(super) fn failed(&mut self, now: Instant) {
        self.failed_attempts = self.failed_attempts.saturating_add(1);
        self.delay = self.delay.saturating_mul(2).min(self.backoff.max);
        self.next_at = now + self.delay;
    }

    /// How many attempts have failed so far.
    pub(super) fn failed_attempts(&self) -> u32 {
        self.failed_attempts
    }
}

/// The writer's state while its file is closed after a disk error.
#[derive(Debug)]
pub(super) struct Recovery {
    /// When to try again.
    pub(super) schedule: ReopenSchedule,
    /// Why the store is not taking writes, for people (`/readyz`, the log).
    pub(super) reason: String,
}

impl Recovery {
    /// Recovery from `error`, met at `now` by the store in `data_dir`.
    pub(super) fn start(error: &StoreError, data_dir: &Path, now: Instant) -> Self {
        Self {
            schedule: ReopenSchedule::start(REOPEN_BACKOFF, now),
            reason: reason(error, data_dir),
        }
    }

    /// The attempt made at `now` failed, for `reason`.
    pub(super) fn failed(&mut self, reason: String, now: Instant) {
        self.schedule.failed(now);
        self.reason = reason;
    }

    /// What the store reports meanwhile.
    pub(super) fn status(&self) -> DiskRecovery {
        DiskRecovery {
            reason: self.reason.clone(),
            failed_attempts: self.schedule.failed_attempts(),
        }
    }

    /// The refusal a request gets meanwhile.
    pub(super) fn refusal(&self) -> StoreError {
        StoreError::Recovering {
            reason: self.reason.clone(),
        }
    }
}

/// The error, and what a person can do about it when the disk is full.
pub(super) fn reason(error: &StoreError, data_dir: &Path) -> String {
    if error
        .io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
    {
        format!(
            "{error}; the file system holding {} has no space left: free some there",
            data_dir.display()
        )
    } else {
        error.to_string()
    }
}

/// Why the store does not reopen yet when `free_bytes` are free where `data_dir` is, or `None`
/// when there is room.
pub(super) fn lacking_room(free_bytes: u64, data_dir: &Path) -> Option<String> {
    (free_bytes < REOPEN_MIN_FREE_BYTES).then(|| {
        format!(
            "the file system holding {} has {free_bytes} bytes free; the store reopens its file once {REOPEN_MIN_FREE_BYTES} are free: free some there",
            data_dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// The waits between attempts when every attempt fails as soon as it is due.
    fn waits(backoff: Backoff, attempts: usize) -> Vec<Duration> {
        let t0 = Instant::now();
        let mut schedule = ReopenSchedule::start(backoff, t0);
        let mut now = t0;
        let mut waits = Vec::new();
        for _ in 0..attempts {
            let wait = schedule.wait(now);
            waits.push(wait);
            now += wait;
            assert_eq!(schedule.wait(now), Duration::ZERO, "due once waited for");
            schedule.failed(now);
        }
        waits
    }

    #[test]
    fn the_wait_starts_at_100_ms_and_doubles_up_to_2_s() {
        let expected: Vec<Duration> = [100, 200, 400, 800, 1600, 2000, 2000, 2000]
            .iter()
            .map(|ms| MS * *ms)
            .collect();
        assert_eq!(waits(REOPEN_BACKOFF, 8), expected);
    }

    #[test]
    fn an_attempt_is_due_only_once_its_wait_has_passed() {
        let t0 = Instant::now();
        let schedule = ReopenSchedule::start(REOPEN_BACKOFF, t0);
        assert_eq!(schedule.wait(t0), MS * 100);
        assert_eq!(schedule.wait(t0 + MS * 60), MS * 40);
        assert_eq!(schedule.wait(t0 + MS * 100), Duration::ZERO);
        assert_eq!(schedule.wait(t0 + MS * 5000), Duration::ZERO, "late is due");
    }

    #[test]
    fn a_late_attempt_waits_from_when_it_ran_not_from_when_it_was_due() {
        let t0 = Instant::now();
        let mut schedule = ReopenSchedule::start(REOPEN_BACKOFF, t0);
        // Due at 100 ms but it ran at 1 s (the writer was busy): the next waits 200 ms from then.
        schedule.failed(t0 + MS * 1000);
        assert_eq!(schedule.wait(t0 + MS * 1000), MS * 200);
        assert_eq!(schedule.failed_attempts(), 1);
    }

    #[test]
    fn the_wait_never_passes_the_maximum_even_after_many_failures() {
        let backoff = Backoff {
            first: MS * 300,
            max: MS * 500,
        };
        let waits = waits(backoff, 100);
        assert_eq!(waits[0], MS * 300);
        assert!(waits[1..].iter().all(|wait| *wait == MS * 500), "{waits:?}");
    }

    #[test]
    fn the_store_waits_for_some_free_space_before_it_reopens() {
        let dir = Path::new("/data");
        let short = lacking_room(REOPEN_MIN_FREE_BYTES - 1, dir).unwrap_or_default();
        assert!(
            short.contains("/data") && short.contains("free some"),
            "{short}"
        );
        assert_eq!(lacking_room(REOPEN_MIN_FREE_BYTES, dir), None);
    }

    #[test]
    fn io_errors_latched_by_redb_start_a_recovery_and_other_errors_do_not() {
        let full = || redb::StorageError::Io(std::io::Error::from(std::io::ErrorKind::StorageFull));
        let recovers = [
            StoreError::Commit(redb::CommitError::Storage(full())),
            StoreError::Storage(redb::StorageError::PreviousIo),
            StoreError::Transaction(redb::TransactionError::Storage(
                redb::StorageError::PreviousIo,
            )),
            StoreError::Table(redb::TableError::Storage(full())),
        ];
        for error in &recovers {
            assert!(error.is_disk_failure(), "{error}");
        }
        let others = [
            StoreError::Storage(redb::StorageError::Corrupted("bad page".into())),
            StoreError::QuotaExceeded {
                used: 2,
                needed: 1,
                quota: 2,
            },
            StoreError::WriterGone,
        ];
        for error in &others {
            assert!(!error.is_disk_failure(), "{error}");
        }
    }

    #[test]
    fn a_full_disk_is_named_in_the_reason() {
        let full = StoreError::Io {
            path: "/data/store.redb".into(),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        let text = reason(&full, Path::new("/data"));
        assert!(text.contains("no space left"), "{text}");
        assert!(text.contains("/data"), "{text}");
        let other = StoreError::Io {
            path: "/data/store.redb".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(reason(&other, Path::new("/data")), other.to_string());
    }
}
