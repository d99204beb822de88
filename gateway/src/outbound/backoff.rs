//! How long to wait before sending a refused message again.
//!
//! - [`retry_delay_ms`]: transient errors ([`super::ErrorClass::Retry`]): exponential from
//!   [`RETRY_BASE_MS`] (1 s), doubling per attempt, capped at [`RETRY_CAP_MS`] (5 min), with
//!   **equal jitter**: half of the exponential delay is fixed, the other half is random. Equal
//!   rather than full jitter because most retried codes are rate limits (130429, 80007, 4):
//!   a full-jitter delay near zero would hit the limit again at once, while the random half
//!   still spreads the retries of many messages refused together.
//! - [`pair_backoff_ms`]: the pair rate limit (131056), Meta's "try again 4^X seconds later",
//!   capped at [`PAIR_CAP_MS`] (4^6 s, 68 min 16 s).
//!
//! Pure: the random part is a `u64` the shell supplies, so tests are deterministic. Every input
//! is valid; nothing overflows.

/// The first retry's exponential delay: 1 s.
pub const RETRY_BASE_MS: u64 = 1_000;
/// The largest retry delay: 5 min. Meta's maintenance (131057) lasts about a minute and its
/// transient outages minutes; waiting longer only delays a reply a customer waits for.
pub const RETRY_CAP_MS: u64 = 5 * 60 * 1_000;

/// The pair backoff's base: 4 (Meta: "try again 4^X seconds later").
const PAIR_BASE: u64 = 4;
/// The largest pair-backoff exponent: 4^6 s = 4096 s.
pub const PAIR_MAX_STRIKES: u32 = 6;
/// The longest pair backoff: 4^6 s = 68 min 16 s.
pub const PAIR_CAP_MS: u64 = PAIR_BASE.pow(PAIR_MAX_STRIKES) * 1_000;

/// The exponential part of the delay before retry number `attempt` (1 for the first retry;
/// 0 reads as 1): `1 s * 2^(attempt - 1)`, at most [`RETRY_CAP_MS`].
pub fn retry_ceiling_ms(attempt: u32) -> u64 {
    // 2^9 s is past the cap already; bounding the exponent keeps the shift in range.
    let doublings = attempt.saturating_sub(1).min(32);
    RETRY_BASE_MS
        .saturating_mul(1 << doublings)
        .min(RETRY_CAP_MS)
}

/// The delay before retry number `attempt` (1 for the first retry), with equal jitter: half of
/// [`retry_ceiling_ms`] plus `jitter` reduced into `0..=` the other half. So the delay lies in
/// `[ceiling / 2, ceiling]`: 0.5–1 s, 1–2 s, 2–4 s, ... up to 2.5–5 min.
pub fn retry_delay_ms(attempt: u32, jitter: u64) -> u64 {
    let ceiling = retry_ceiling_ms(attempt);
    let fixed = ceiling / 2;
    let random_span = ceiling - fixed;
    fixed + jitter % (random_span + 1)
}

/// The pair backoff after the `strikes`-th pair-rate-limit error in a row for one recipient:
/// 4^strikes seconds (1 → 4 s, 2 → 16 s, 3 → 64 s, ...; 0 → 1 s), at most [`PAIR_CAP_MS`].
pub fn pair_backoff_ms(strikes: u32) -> u64 {
    PAIR_BASE.pow(strikes.min(PAIR_MAX_STRIKES)) * 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_ceiling_doubles_from_one_second_to_five_minutes() {
        let ceilings: Vec<u64> = (0..=10).map(retry_ceiling_ms).collect();
        assert_eq!(
            ceilings,
            [
                1_000, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000,
                300_000
            ]
        );
        for attempt in [11, 33, 64, 65, 1_000, u32::MAX] {
            assert_eq!(retry_ceiling_ms(attempt), RETRY_CAP_MS, "attempt {attempt}");
        }
    }

    #[test]
    fn retry_delay_is_equal_jitter_within_half_and_whole_ceiling() {
        for attempt in [0, 1, 2, 5, 9, 10, 40, u32::MAX] {
            let ceiling = retry_ceiling_ms(attempt);
            for jitter in [0, 1, 499, 500, 501, 12_345, u64::MAX - 1, u64::MAX] {
                let delay = retry_delay_ms(attempt, jitter);
                assert!(
                    (ceiling / 2..=ceiling).contains(&delay),
                    "attempt {attempt} jitter {jitter}: {delay}"
                );
            }
            assert_eq!(retry_delay_ms(attempt, 0), ceiling / 2);
            assert_eq!(retry_delay_ms(attempt, ceiling - ceiling / 2), ceiling);
        }
        // The random half spreads: different jitters give different delays.
        assert_ne!(retry_delay_ms(3, 7), retry_delay_ms(3, 1_500));
    }

    #[test]
    fn pair_backoff_is_four_to_the_strikes_seconds_capped() {
        let delays: Vec<u64> = (0..=8).map(pair_backoff_ms).collect();
        assert_eq!(
            delays,
            [
                1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 4_096_000, 4_096_000, 4_096_000
            ]
        );
        assert_eq!(pair_backoff_ms(u32::MAX), PAIR_CAP_MS);
        assert_eq!(PAIR_CAP_MS, 4_096_000);
    }
}
