//! Instants and spans for the pure core (chat lifecycle, messaging policy): Unix milliseconds,
//! never a clock. The shell reads the clock ([`crate::clock`]) and passes `now` in.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An instant: milliseconds since the Unix epoch (UTC), as the injected clock read it.
pub type UnixMs = u64;

/// A length of time in milliseconds. Adding it to an instant saturates at `u64::MAX`, so a huge
/// setting means "never" rather than an overflow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span(u64);

impl Span {
    /// A span of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// A span of `secs` seconds (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1_000))
    }

    /// A span of `mins` minutes (saturating).
    pub const fn from_mins(mins: u64) -> Self {
        Self(mins.saturating_mul(60_000))
    }

    /// A span of `hours` hours (saturating).
    pub const fn from_hours(hours: u64) -> Self {
        Self(hours.saturating_mul(3_600_000))
    }

    /// The span in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The instant `self` after `start` (saturating at `u64::MAX`).
    pub const fn after(self, start: UnixMs) -> UnixMs {
        start.saturating_add(self.0)
    }
}

/// Shows an instant as an RFC 3339 UTC timestamp (`2026-01-02T03:04:05Z`, with `.mmm` when the
/// milliseconds are not zero), for messages a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc(pub UnixMs);

const MS_PER_DAY: u64 = 86_400_000;

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0 / MS_PER_DAY;
        let ms_of_day = self.0 % MS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        let secs = ms_of_day / 1_000;
        let (hour, minute, second) = (secs / 3_600, secs / 60 % 60, secs % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        )?;
        match ms_of_day % 1_000 {
            0 => f.write_str("Z"),
            millis => write!(f, ".{millis:03}Z"),
        }
    }
}

/// The proleptic Gregorian date `(year, month, day)` of the day `days` after 1970-01-01 (Howard
/// Hinnant's days-to-civil algorithm, in unsigned arithmetic since days are never negative here).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    const DAYS_PER_ERA: u64 = 146_097; // 400 years
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z / DAYS_PER_ERA;
    let day_of_era = z % DAYS_PER_ERA;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = if march_based_month < 10 {
        march_based_month + 3
    } else {
        march_based_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The number of days from 1970-01-01 to the proleptic Gregorian date `year-month-day`, the
/// inverse of [`civil_from_days`] (Hinnant's days-from-civil). `None` before 1970-01-01 or for a
/// month outside 1..=12 or a day outside 1..=31; the day is not checked against the month's
/// length (the caller validates dates).
pub(crate) fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    // Years start on 1 March, so that a leap day is the last day of its year.
    let year = year - u64::from(month <= 2);
    let era = year / 400;
    let year_of_era = year % 400;
    let march_based_month = (month + 9) % 12;
    let day_of_year = (153 * march_based_month + 2) / 5 + day - 1;
    let day_of_era = 365 * year_of_era + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc(1_700_000_000_000).to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(Utc(951_782_400_000).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(
            Utc(1_709_251_199_999).to_string(),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(Utc(4_102_444_800_000).to_string(), "2100-01-01T00:00:00Z");
        assert_eq!(Utc(1_743_465_600_000).to_string(), "2025-04-01T00:00:00Z");
        assert_eq!(
            Utc(1_709_210_096_007).to_string(),
            "2024-02-29T12:34:56.007Z"
        );
        assert_eq!(
            Utc(1_735_689_599_999).to_string(),
            "2024-12-31T23:59:59.999Z"
        );
        // The largest instant still formats (no overflow, no panic).
        assert!(Utc(u64::MAX).to_string().ends_with('Z'));
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(
            days_from_civil(2000, 2, 29),
            Some(951_782_400_000 / MS_PER_DAY)
        );
        assert_eq!(
            days_from_civil(2026, 10, 1),
            Some(1_790_812_800_000 / MS_PER_DAY)
        );
        assert_eq!(days_from_civil(1969, 12, 31), None);
        assert_eq!(days_from_civil(2026, 13, 1), None);
        assert_eq!(days_from_civil(2026, 1, 0), None);
        for days in (0..800_000).step_by(7).chain(2_932_800..2_933_300) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), Some(days), "day {days}");
        }
    }

    #[test]
    fn spans_convert_and_saturate() {
        assert_eq!(Span::from_secs(900).as_millis(), 900_000);
        assert_eq!(Span::from_mins(15), Span::from_secs(900));
        assert_eq!(Span::from_hours(24), Span::from_secs(86_400));
        assert_eq!(Span::from_hours(u64::MAX).as_millis(), u64::MAX);
        assert_eq!(Span::from_millis(5).after(10), 15);
        assert_eq!(Span::from_millis(5).after(u64::MAX - 1), u64::MAX);
    }
}
