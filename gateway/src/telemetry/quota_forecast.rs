//! How long until the disk quota is full at the recent rate: the quota's measure sampled over
//! the last hour (one sample a minute at most), and the time the rest of the quota lasts at the
//! growth between the oldest sample and the newest. Pure: the caller passes the instants.

use std::collections::VecDeque;

use crate::time::UnixMs;

/// How far back the rate looks.
const WINDOW_MS: u64 = 3_600_000;
/// The least time between two kept samples.
const SPACING_MS: u64 = 60_000;
const MS_PER_HOUR: f64 = 3_600_000.0;

/// Samples of the quota's measure.
#[derive(Debug, Default)]
pub struct QuotaForecast {
    samples: VecDeque<(UnixMs, u64)>,
    latest: Option<(UnixMs, u64)>,
}

impl QuotaForecast {
    /// The measure read `used` bytes at `at`.
    pub fn observe(&mut self, at: UnixMs, used: u64) {
        if self.latest.is_some_and(|(last, _)| at < last) {
            // The clock went back: what was measured no longer lines up.
            self.samples.clear();
        }
        self.latest = Some((at, used));
        if self
            .samples
            .back()
            .is_none_or(|&(last, _)| at >= last.saturating_add(SPACING_MS))
        {
            self.samples.push_back((at, used));
        }
        while self
            .samples
            .front()
            .is_some_and(|&(first, _)| first.saturating_add(WINDOW_MS) < at)
        {
            self.samples.pop_front();
        }
    }

    /// Hours until `quota` is reached at the recent rate: `None` while the measure is not
    /// growing (or has not been measured over a minute yet); `Some(0.0)` once it is reached.
    pub fn hours_left(&self, quota: u64) -> Option<f64> {
        let (now, used) = self.latest?;
        if used >= quota {
            return Some(0.0);
        }
        let &(then, before) = self.samples.front()?;
        if now < then.saturating_add(SPACING_MS) || used <= before {
            return None;
        }
        let grown = (used - before) as f64;
        let elapsed_hours = (now - then) as f64 / MS_PER_HOUR;
        Some((quota - used) as f64 / (grown / elapsed_hours))
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "exact values by construction")]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    #[test]
    fn a_steady_growth_is_projected_to_the_quota() {
        let mut forecast = QuotaForecast::default();
        assert_eq!(forecast.hours_left(1_000), None);
        // 10 bytes a minute: 600 an hour; 1,000 - 400 = 600 left = one hour.
        for minute in 0..=40 {
            forecast.observe(minute * MIN, minute * 10);
        }
        assert_eq!(forecast.hours_left(1_000), Some(1.0));
    }

    #[test]
    fn a_flat_or_shrinking_store_has_no_end_and_a_full_one_none_left() {
        let mut forecast = QuotaForecast::default();
        forecast.observe(0, 500);
        forecast.observe(30 * MIN, 500);
        assert_eq!(forecast.hours_left(1_000), None);
        forecast.observe(40 * MIN, 400);
        assert_eq!(forecast.hours_left(1_000), None);
        forecast.observe(41 * MIN, 1_000);
        assert_eq!(forecast.hours_left(1_000), Some(0.0));
    }

    #[test]
    fn only_the_last_hour_counts_and_a_clock_jump_back_starts_over() {
        let mut forecast = QuotaForecast::default();
        // A burst long ago, then slow growth: the rate is the last hour's.
        forecast.observe(0, 0);
        forecast.observe(MIN, 500);
        for minute in 2..=200 {
            forecast.observe(minute * MIN, 500 + minute);
        }
        // 1 byte a minute = 60 an hour; 10,000 - 700 left.
        let hours = forecast.hours_left(10_000).unwrap_or_default();
        assert!((hours - 9_300.0 / 60.0).abs() < 1.0, "{hours}");
        forecast.observe(5 * MIN, 800);
        assert_eq!(forecast.hours_left(10_000), None);
    }
}
