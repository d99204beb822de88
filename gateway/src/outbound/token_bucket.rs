//! The send rate of one business number: a token bucket in integer arithmetic.
//!
//! The bucket is kept as the instant from which the next message is free (the "theoretical
//! arrival time" of the generic cell rate algorithm), counted in **ticks** of `1/rate` ms: one
//! millisecond is `rate` ticks and one message costs exactly 1000 ticks, so at 3, 7, 80 or 1000
//! messages per second nothing is rounded and no drift accumulates. Only the answer to "when is
//! the next token ready" is rounded, up to the next whole millisecond, and that rounding is not
//! stored.
//!
//! **Burst** ([`burst_for`]): `max(2, rate / 50)` messages, about 20 ms of sending. Two or more,
//! so a shell that wakes a millisecond or so after [`TokenBucket::ready_at`] (timers are never
//! exact) does not lose the time it overslept: at 80/s a burst of 1 would lose ~1 ms per
//! 12.5 ms message, 7 % of the rate. At most rate/50, so any one-second window holds at most
//! 2 % (or 2 messages) above the configured rate, and a 2,000-message queue leaves at the rate.
//!
//! **A clock that goes backwards** never mints tokens: the bucket then counts as empty (the
//! next message waits one interval), instead of keeping a debt as long as the jump.

use crate::time::UnixMs;

/// How fast one business number may send: 1 to 1000 messages per second (Meta: 80 by default,
/// up to 1000 after an automatic upgrade; 20 for numbers shared with the WhatsApp Business app).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessagesPerSecond(u32);

/// A rate outside 1..=1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "messages per second must be from {min} to {max} (Meta allows 80 by default and up to 1000 \
     after an upgrade); got {got}",
    min = MessagesPerSecond::MIN.0,
    max = MessagesPerSecond::MAX.0,
    got = .0
)]
pub struct RateOutOfRange(pub u32);

impl MessagesPerSecond {
    /// The slowest rate: 1 message per second.
    pub const MIN: Self = Self(1);
    /// The fastest rate: 1000 messages per second (Meta's upgraded throughput).
    pub const MAX: Self = Self(1_000);
    /// Meta's default throughput: 80 messages per second.
    pub const DEFAULT: Self = Self(80);

    /// `per_second` messages per second, if it is in 1..=1000.
    pub const fn new(per_second: u32) -> Result<Self, RateOutOfRange> {
        if per_second >= Self::MIN.0 && per_second <= Self::MAX.0 {
            Ok(Self(per_second))
        } else {
            Err(RateOutOfRange(per_second))
        }
    }

    /// Messages per second.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for MessagesPerSecond {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How many messages may leave at once after a pause: `max(2, rate / 50)`; see the module
/// documentation.
pub const fn burst_for(rate: MessagesPerSecond) -> u32 {
    let share = rate.0 / 50;
    if share > 2 { share } else { 2 }
}

/// Ticks one message costs: 1000 ticks of `1/rate` ms is `1000/rate` ms, one message's share.
const TICKS_PER_MESSAGE: u128 = 1_000;

/// A token bucket for one business number. Starts full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    rate: MessagesPerSecond,
    burst: u32,
    /// From this tick on, the bucket holds its whole burst again (ticks of `1/rate` ms since
    /// the epoch).
    full_at: u128,
}

impl TokenBucket {
    /// A full bucket at `rate`, with the burst of [`burst_for`].
    pub const fn new(rate: MessagesPerSecond) -> Self {
        Self {
            rate,
            burst: burst_for(rate),
            full_at: 0,
        }
    }

    /// The rate.
    pub const fn rate(&self) -> MessagesPerSecond {
        self.rate
    }

    /// How many messages may leave at once.
    pub const fn burst(&self) -> u32 {
        self.burst
    }

    /// The earliest instant at or after `now` at which [`take`](Self::take) succeeds: `now`
    /// when a token is there.
    pub fn ready_at(&self, now: UnixMs) -> UnixMs {
        let t = self.ticks(now);
        self.ready_from(t, self.full_at_seen_from(t)).unwrap_or(now)
    }

    /// Takes a token at `now`, or says when one will be ready.
    ///
    /// A refusal keeps what the bucket saw at `now`: after the clock went backwards, the
    /// bucket counts as empty from `now` on, so the instant it names is a promise (asking
    /// again later does not push it further).
    pub fn take(&mut self, now: UnixMs) -> Result<(), UnixMs> {
        let t = self.ticks(now);
        let full_at = self.full_at_seen_from(t);
        self.full_at = full_at;
        match self.ready_from(t, full_at) {
            Some(ready) => Err(ready),
            None => {
                self.full_at = full_at + TICKS_PER_MESSAGE;
                Ok(())
            }
        }
    }

    /// When a token is ready, seen from tick `t` with the bucket full at `full_at`: `None` when
    /// one is ready at `t`, else the first whole millisecond at which it is.
    fn ready_from(&self, t: u128, full_at: u128) -> Option<UnixMs> {
        let allowed_from = full_at.saturating_sub(self.tolerance());
        (allowed_from > t).then(|| {
            let ms = allowed_from.div_ceil(u128::from(self.rate.0));
            u64::try_from(ms).unwrap_or(UnixMs::MAX)
        })
    }

    /// Changes the rate at `now`. The bucket keeps the tokens it holds (its debt, counted in
    /// messages); only the pace at which it refills changes.
    pub fn set_rate(&mut self, rate: MessagesPerSecond, now: UnixMs) {
        let t = self.ticks(now);
        let debt = self.full_at_seen_from(t) - t;
        self.rate = rate;
        self.burst = burst_for(rate);
        self.full_at = self.ticks(now) + debt;
    }

    /// `now` in ticks.
    fn ticks(&self, now: UnixMs) -> u128 {
        u128::from(now) * u128::from(self.rate.0)
    }

    /// How far ahead of `t` the bucket may be booked and still hand out a token.
    fn tolerance(&self) -> u128 {
        u128::from(self.burst - 1) * TICKS_PER_MESSAGE
    }

    /// `full_at` as seen from tick `t`: never before `t` (an idle bucket does not save tokens
    /// beyond its burst), and never more than one message past a full burst after `t`, which
    /// only a clock that went backwards produces (then the bucket counts as empty).
    fn full_at_seen_from(&self, t: u128) -> u128 {
        let most = t + self.tolerance() + TICKS_PER_MESSAGE;
        self.full_at.clamp(t, most)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const START: UnixMs = 1_800_000_000_000;

    fn rate(n: u32) -> MessagesPerSecond {
        MessagesPerSecond::new(n).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends `count` messages as soon as the bucket allows; returns the instants.
    fn drain(bucket: &mut TokenBucket, mut now: UnixMs, count: usize) -> Vec<UnixMs> {
        let mut sent = Vec::with_capacity(count);
        while sent.len() < count {
            match bucket.take(now) {
                Ok(()) => sent.push(now),
                Err(ready) => {
                    assert!(ready > now, "ready {ready} not after {now}");
                    now = ready;
                }
            }
        }
        sent
    }

    #[test]
    fn rates_outside_one_to_a_thousand_are_refused() {
        assert_eq!(MessagesPerSecond::new(0), Err(RateOutOfRange(0)));
        assert_eq!(MessagesPerSecond::new(1_001), Err(RateOutOfRange(1_001)));
        assert_eq!(MessagesPerSecond::new(1).map(MessagesPerSecond::get), Ok(1));
        assert_eq!(
            MessagesPerSecond::new(1_000).map(MessagesPerSecond::get),
            Ok(1_000)
        );
        assert_eq!(MessagesPerSecond::default().get(), 80);
        let message = RateOutOfRange(0).to_string();
        assert!(
            message.contains("from 1 to 1000") && message.contains("got 0"),
            "{message}"
        );
    }

    #[test]
    fn burst_is_two_or_a_fiftieth_of_the_rate() {
        let bursts: Vec<u32> = [1, 3, 7, 80, 100, 150, 1_000]
            .map(|n| burst_for(rate(n)))
            .to_vec();
        assert_eq!(bursts, [2, 2, 2, 2, 2, 3, 20]);
    }

    #[test]
    fn long_run_rate_is_exact_without_drift() {
        for per_second in [1_000, 80, 3, 7, 1, 999, 13] {
            let mut bucket = TokenBucket::new(rate(per_second));
            let burst = u64::from(bucket.burst());
            let count = 5_000;
            let sent = drain(&mut bucket, START, count);
            for (k, &at) in sent.iter().enumerate() {
                // Message k leaves at the first whole millisecond of its exact share.
                let k = k as u64;
                let exact = (k + 1).saturating_sub(burst) * 1_000;
                let expected = START + exact.div_ceil(u64::from(per_second));
                assert_eq!(at, expected, "rate {per_second}, message {k}");
            }
        }
    }

    #[test]
    fn a_late_waker_loses_nothing_within_the_burst() {
        // The shell wakes 1 ms after each ready instant; at 80/s the rate holds within 1 %.
        let mut bucket = TokenBucket::new(rate(80));
        let mut now = START;
        let mut sent = 0_u64;
        while sent < 2_000 {
            match bucket.take(now) {
                Ok(()) => sent += 1,
                Err(ready) => now = ready + 1,
            }
        }
        let elapsed = now - START;
        let expected = (2_000 - 2) * 1_000 / 80;
        assert!(
            elapsed.abs_diff(expected) * 100 <= expected,
            "{elapsed} vs {expected}"
        );
    }

    #[test]
    fn a_backwards_clock_sees_an_empty_bucket() {
        let mut bucket = TokenBucket::new(rate(80));
        let sent = drain(&mut bucket, START, 2);
        assert_eq!(sent, [START, START]);
        // An hour back: no new token now, one interval (12.5 ms → 13 ms) later a token.
        let back = START - 3_600_000;
        assert_eq!(bucket.take(back), Err(back + 13));
        assert_eq!(bucket.take(back + 13), Ok(()));
        assert_eq!(bucket.take(back + 13), Err(back + 25));
        // Asking again before then does not push the promise further.
        assert_eq!(bucket.ready_at(back + 20), back + 25);
        assert_eq!(bucket.take(back + 25), Ok(()));
        // The very start of time and the very end do not panic.
        assert_eq!(bucket.take(0), Err(13));
        let mut late = TokenBucket::new(rate(1_000));
        for _ in 0..late.burst() {
            assert_eq!(late.take(u64::MAX), Ok(()));
        }
        assert_eq!(late.take(u64::MAX), Err(u64::MAX));
    }

    #[test]
    fn changing_the_rate_keeps_the_tokens() {
        let mut bucket = TokenBucket::new(rate(10));
        drain(&mut bucket, START, 3);
        // Empty: the next token at 10/s is 100 ms after the third one's share.
        let ready = bucket.ready_at(START + 100);
        assert_eq!(ready, START + 200);
        // Twice the rate: the same two messages of debt, repaid in half the time.
        bucket.set_rate(rate(20), START + 100);
        assert_eq!(bucket.burst(), 2);
        assert_eq!(bucket.ready_at(START + 100), START + 150);
        bucket.set_rate(rate(20), START + 100);
        assert_eq!(bucket.ready_at(START + 100), START + 150);
        // Setting a slower rate does not fill the bucket either.
        bucket.set_rate(rate(1), START + 100);
        assert_eq!(bucket.ready_at(START + 100), START + 1_100);
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            max_shrink_time: 10_000,
            ..ProptestConfig::with_cases(256)
        })]

        /// With the clock reading real time plus an offset that only ever jumps back, any
        /// one-second window of real time holds at most rate + burst sends.
        #[test]
        fn backwards_jumps_never_raise_the_rate(
            per_second in 1_u32..=50,
            steps in prop::collection::vec((0_u64..40, 0_u64..3_000, any::<bool>()), 1..400),
        ) {
            let mut bucket = TokenBucket::new(rate(per_second));
            let (mut real, mut offset) = (START, 10_000_000_u64);
            let mut sent_at_real = Vec::new();
            for (advance, jump_back, try_send) in steps {
                real += advance;
                if jump_back % 7 == 0 {
                    offset = offset.saturating_sub(jump_back);
                }
                if try_send || advance % 2 == 0 {
                    while bucket.take(real + offset).is_ok() {
                        sent_at_real.push(real);
                    }
                }
            }
            let limit = (per_second + bucket.burst()) as usize;
            for (i, &from) in sent_at_real.iter().enumerate() {
                let in_window = sent_at_real[i..].iter().take_while(|&&t| t < from + 1_000).count();
                prop_assert!(in_window <= limit, "{} sends in a second from {}", in_window, from);
            }
        }
    }
}
