//! How long the sync waits before sending a batch again after HQ failed it (429, 5xx, no
//! answer): capped exponential backoff with **full jitter**, or the time HQ named in
//! `Retry-After`.
//!
//! - The ceiling is the sender's ([`retry_ceiling_ms`]): 1 s doubling per failure up to 5 min.
//!   The delay is random in `0..=ceiling` (full jitter: a fleet of gateways that lost HQ
//!   together comes back spread out, not in waves; unlike Meta's rate limits, an early retry
//!   costs HQ one cheap refusal).
//! - `Retry-After` (seconds, or an HTTP date read against the signing clock, which is HQ's)
//!   replaces the backoff: not before the time HQ named, plus up to 1 s of jitter; at most
//!   [`RETRY_AFTER_CAP_MS`], so a mistaken header cannot stop the sync for days.
//!
//! Pure: `now` and the random number come from the shell.

use std::time::UNIX_EPOCH;

use crate::outbound::backoff::retry_ceiling_ms;
use crate::time::UnixMs;

/// The longest wait a `Retry-After` can ask for: 1 hour.
pub const RETRY_AFTER_CAP_MS: u64 = 60 * 60 * 1_000;
/// The jitter added to a `Retry-After`, at most.
const RETRY_AFTER_JITTER_MS: u64 = 1_000;

/// What HQ's `Retry-After` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// A number of seconds.
    Seconds(u64),
    /// An instant (an HTTP date, by HQ's clock).
    At(UnixMs),
}

impl RetryAfter {
    /// The header's value read: whole seconds, or an HTTP date (IMF-fixdate, RFC 850 or
    /// asctime); `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
            return Some(Self::Seconds(value.parse().unwrap_or(u64::MAX)));
        }
        let at = httpdate::parse_http_date(value).ok()?;
        let ms = at.duration_since(UNIX_EPOCH).ok()?.as_millis();
        Some(Self::At(u64::try_from(ms).unwrap_or(u64::MAX)))
    }

    /// How long from `now` (HQ's time) until then, at most [`RETRY_AFTER_CAP_MS`].
    pub fn wait_ms(self, now: UnixMs) -> u64 {
        match self {
            Self::Seconds(seconds) => seconds.saturating_mul(1_000),
            Self::At(at) => at.saturating_sub(now),
        }
        .min(RETRY_AFTER_CAP_MS)
    }
}

/// Failures in a row of the batch being sent, and the waits they call for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// Counts a failure and says how long to wait before the next attempt, given HQ's
    /// `Retry-After` (if any), `now` by the signing clock and a `random` number.
    pub fn failed(&mut self, retry_after: Option<RetryAfter>, now: UnixMs, random: u64) -> u64 {
        self.failures = self.failures.saturating_add(1);
        match retry_after {
            Some(retry_after) => retry_after.wait_ms(now) + random % (RETRY_AFTER_JITTER_MS + 1),
            None => full_jitter_ms(self.failures, random),
        }
    }

    /// After a success: the next failure waits the least again.
    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// The wait after failure number `failure` (1 for the first): `random` reduced into
/// `0..=ceiling`.
pub fn full_jitter_ms(failure: u32, random: u64) -> u64 {
    random % (retry_ceiling_ms(failure) + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn waits_are_full_jitter_under_a_ceiling_doubling_to_five_minutes() {
        // The draw equal to the ceiling gives the ceiling; one more wraps to 0.
        for (failure, ceiling) in [
            (1, 1_000),
            (2, 2_000),
            (3, 4_000),
            (9, 256_000),
            (10, 300_000),
            (40, 300_000),
        ] {
            assert_eq!(full_jitter_ms(failure, ceiling), ceiling);
            assert_eq!(full_jitter_ms(failure, ceiling + 1), 0);
            assert_eq!(full_jitter_ms(failure, 0), 0);
        }
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..4).map(|_| backoff.failed(None, 0, 3_000)).collect();
        assert_eq!(waits, [998, 999, 3_000, 3_000]);
        assert_eq!(backoff.failures(), 4);
    }

    #[test]
    fn a_success_starts_the_ceiling_again() {
        let mut backoff = Backoff::default();
        for _ in 0..8 {
            backoff.failed(None, 0, 0);
        }
        assert_eq!(backoff.failed(None, 0, 100_000), 100_000);
        backoff.succeeded();
        assert_eq!(backoff.failures(), 0);
        assert_eq!(backoff.failed(None, 0, 100_000), 100_000 % 1_001);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_is_honoured_with_a_little_jitter() {
        let mut backoff = Backoff::default();
        let seconds = RetryAfter::parse(" 120 ").unwrap();
        assert_eq!(seconds, RetryAfter::Seconds(120));
        assert_eq!(backoff.failed(Some(seconds), 0, 0), 120_000);
        assert_eq!(backoff.failed(Some(seconds), 0, 1_000), 121_000);
        assert_eq!(backoff.failed(Some(seconds), 0, 1_001), 120_000);

        // 2026-01-02T03:04:05Z, read against HQ's now 30 s earlier.
        let date = RetryAfter::parse("Fri, 02 Jan 2026 03:04:05 GMT").unwrap();
        assert_eq!(date, RetryAfter::At(1_767_323_045_000));
        assert_eq!(date.wait_ms(1_767_323_015_000), 30_000);
        // A date in the past: at once.
        assert_eq!(date.wait_ms(1_767_323_100_000), 0);
        // The other two HTTP date forms.
        for other in ["Friday, 02-Jan-26 03:04:05 GMT", "Fri Jan  2 03:04:05 2026"] {
            assert_eq!(RetryAfter::parse(other), Some(date), "{other}");
        }
    }

    #[test]
    fn retry_after_is_capped_and_nonsense_is_ignored() {
        assert_eq!(RetryAfter::Seconds(86_400).wait_ms(0), RETRY_AFTER_CAP_MS);
        let huge = RetryAfter::parse("99999999999999999999999").unwrap();
        assert_eq!(huge.wait_ms(0), RETRY_AFTER_CAP_MS);
        for nonsense in ["", "-5", "1.5", "soon", "Fri, 32 Jan 2026 03:04:05 GMT"] {
            assert_eq!(RetryAfter::parse(nonsense), None, "{nonsense:?}");
        }
    }
}
