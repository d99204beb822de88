//! The clock the sync signs with and judges HQ's signed answers by: the box's clock plus the
//! offset last measured against HQ ([`super::clock_trust`]), or nothing while it is not trusted.
//! Shared by the batch sink and the commands client; the sink measures it.
//!
//! A measure is due again after [`REMEASURE_EVERY`], and at once when the box's clock jumped
//! since the last one (it moved more than [`AGREEMENT_MS`] apart from a monotonic clock: an NTP
//! step after boot, an operator's `date -s`), since the offset was measured against the old
//! reading.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::clock_trust::{AGREEMENT_MS, Trust};
use crate::clock::SharedClock;
use crate::time::UnixMs;

/// How often the offset is measured again: hourly.
pub const REMEASURE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The signing clock. Share it in an `Arc`.
pub struct SigningClock {
    wall: SharedClock,
    state: Mutex<Measured>,
    /// Whether it is trusted, for those who wait for it.
    trusted: watch::Sender<bool>,
}

impl std::fmt::Debug for SigningClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningClock")
            .field("trust", &self.trust())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
struct Measured {
    trust: Trust,
    /// The box's clock and a monotonic one when it was judged; `None`: never measured.
    at: Option<(UnixMs, Instant)>,
}

impl SigningClock {
    /// A clock over the box's `wall` clock, not trusted until measured.
    pub fn new(wall: SharedClock) -> Self {
        Self {
            wall,
            state: Mutex::new(Measured {
                trust: Trust::Untrusted("the clock has not been measured against HQ yet".into()),
                at: None,
            }),
            trusted: watch::Sender::new(false),
        }
    }

    /// Resolves once the clock is trusted (at once when it is).
    pub async fn wait_trusted(&self) {
        let mut trusted = self.trusted.subscribe();
        // The sender lives as long as `self`: this cannot fail while borrowed.
        let _ = trusted.wait_for(|trusted| *trusted).await;
    }

    /// Now in Unix ms by the signing clock, or `None` while it is not trusted.
    pub fn now_ms(&self) -> Option<UnixMs> {
        let offset = self.lock().trust.offset_ms()?;
        Some(shifted(self.wall.now_ms(), offset))
    }

    /// Now in Unix seconds by the signing clock (for `webhook-timestamp`), when trusted.
    pub fn now_s(&self) -> Option<u64> {
        self.now_ms().map(|ms| ms / 1_000)
    }

    /// The box's own clock (for a probe's instants).
    pub fn wall_ms(&self) -> UnixMs {
        self.wall.now_ms()
    }

    /// The current judgment.
    pub fn trust(&self) -> Trust {
        self.lock().trust.clone()
    }

    /// Records a new measure's judgment (a failed one keeps a trusted clock, see
    /// [`Trust::then`]); returns the judgment that holds now.
    pub fn measured(&self, next: Trust) -> Trust {
        let mut state = self.lock();
        let at = (self.wall.now_ms(), Instant::now());
        let was_untrusted = matches!(state.trust, Trust::Untrusted(_));
        let keeps_old = matches!(next, Trust::Untrusted(_)) && !was_untrusted;
        state.trust = state.trust.clone().then(next);
        if !keeps_old {
            state.at = Some(at);
        }
        let trusted = state.trust.offset_ms().is_some();
        self.trusted
            .send_if_modified(|was| std::mem::replace(was, trusted) != trusted);
        state.trust.clone()
    }

    /// Whether a measure is due: never measured or not trusted, [`REMEASURE_EVERY`] since the
    /// last one, or the box's clock jumped since.
    pub fn measure_due(&self) -> bool {
        let state = self.lock();
        let Some((wall_at, mono_at)) = state.at else {
            return true;
        };
        if matches!(state.trust, Trust::Untrusted(_)) {
            return true;
        }
        let elapsed = mono_at.elapsed();
        elapsed >= REMEASURE_EVERY || jumped(wall_at, self.wall.now_ms(), elapsed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Measured> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `wall + offset`, saturating.
fn shifted(wall: UnixMs, offset_ms: i64) -> UnixMs {
    if offset_ms >= 0 {
        wall.saturating_add(offset_ms.unsigned_abs())
    } else {
        wall.saturating_sub(offset_ms.unsigned_abs())
    }
}

/// Whether the box's clock moved from `wall_then` to `wall_now` more than [`AGREEMENT_MS`]
/// apart from the `elapsed` monotonic time.
fn jumped(wall_then: UnixMs, wall_now: UnixMs, elapsed: Duration) -> bool {
    let wall = i128::from(wall_now) - i128::from(wall_then);
    let mono = i128::try_from(elapsed.as_millis()).unwrap_or(i128::MAX);
    (wall - mono).unsigned_abs() > u128::from(AGREEMENT_MS)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;
    use crate::upstream::clock_trust::Basis;

    const NOW: UnixMs = 1_767_323_045_000;

    fn hq(offset_ms: i64) -> Trust {
        Trust::Trusted {
            offset_ms,
            basis: Basis::HqDate {
                measured_ms: offset_ms,
            },
        }
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_signed_before_a_measure_then_the_offset_applies() {
        let wall = ManualClock::at(NOW);
        let clock = SigningClock::new(Arc::new(wall.clone()));
        assert_eq!(clock.now_ms(), None);
        assert!(clock.measure_due());
        clock.measured(Trust::Untrusted("no Date".into()));
        assert_eq!(clock.now_s(), None);
        assert!(clock.measure_due(), "an untrusted clock is measured again");

        let waiting = clock.wait_trusted();
        clock.measured(hq(7_200_000));
        waiting.await;
        assert_eq!(clock.now_ms(), Some(NOW + 7_200_000));
        assert_eq!(clock.now_s(), Some((NOW + 7_200_000) / 1_000));
        assert_eq!(clock.wall_ms(), NOW);
        clock.measured(hq(-5_000));
        assert_eq!(clock.now_ms(), Some(NOW - 5_000));
        // A failed measure keeps the trusted clock.
        clock.measured(Trust::Untrusted("HQ down".into()));
        assert_eq!(clock.now_ms(), Some(NOW - 5_000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_measure_is_due_hourly_and_after_a_jump_of_the_box_clock() {
        let wall = ManualClock::at(NOW);
        let clock = SigningClock::new(Arc::new(wall.clone()));
        clock.measured(hq(0));
        assert!(!clock.measure_due());

        // Both clocks move together: not due until the hour.
        tokio::time::advance(Duration::from_secs(600)).await;
        wall.advance(600_000);
        assert!(!clock.measure_due());
        tokio::time::advance(REMEASURE_EVERY).await;
        wall.advance(3_600_000);
        assert!(clock.measure_due());

        clock.measured(hq(0));
        assert!(!clock.measure_due());
        // The box's clock is stepped 2 hours forward.
        wall.advance(7_200_000);
        assert!(clock.measure_due());
        clock.measured(hq(-7_200_000));
        assert!(!clock.measure_due());
        // Small drift is no jump.
        wall.advance(1_500);
        assert!(!clock.measure_due());
    }

    #[test]
    fn offsets_saturate() {
        assert_eq!(shifted(5, -10), 0);
        assert_eq!(shifted(u64::MAX - 1, 10), u64::MAX);
        assert!(jumped(0, 10_000, Duration::from_secs(7)));
        assert!(!jumped(0, 10_000, Duration::from_secs(9)));
        assert!(jumped(10_000, 0, Duration::ZERO));
    }
}
