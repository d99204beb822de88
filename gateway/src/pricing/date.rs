//! Civil dates (`2026-10-01`), read as 00:00 UTC that day: when a rate comes into force.

use std::fmt;
use std::str::FromStr;

use crate::time::{UnixMs, days_from_civil};

/// Milliseconds in a day.
const MS_PER_DAY: u64 = 86_400_000;

/// A proleptic Gregorian date from 1970-01-01 to 9999-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A date that does not exist or is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: write YYYY-MM-DD, a real day from 1970-01-01 to 9999-12-31")]
pub struct BadDate(pub String);

impl Date {
    /// The earliest date: 1970-01-01.
    pub const MIN: Self = Self {
        year: 1970,
        month: 1,
        day: 1,
    };
    /// The latest date: 9999-12-31.
    pub const MAX: Self = Self {
        year: 9999,
        month: 12,
        day: 31,
    };

    /// The date `year-month-day`, if it exists and is from 1970 to 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let exists = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        exists.then_some(Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }

    /// 00:00:00.000 UTC on this date.
    pub fn starts_at(self) -> UnixMs {
        // In range by construction, so the fallback is never taken.
        days_from_civil(self.year.into(), self.month.into(), self.day.into())
            .map_or(UnixMs::MAX, |days| days.saturating_mul(MS_PER_DAY))
    }
}

/// Whether `year` has a 29 February.
fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// How many days `month` (1 to 12) of `year` has; 0 for another month number.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for Date {
    type Err = BadDate;

    /// Reads `YYYY-MM-DD` (four, two and two digits).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(text.to_owned());
        let trimmed = text.trim();
        let digits = |range: std::ops::Range<usize>| {
            trimmed
                .get(range)
                .filter(|part| part.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|part| part.parse::<u16>().ok())
        };
        let dashes =
            trimmed.len() == 10 && trimmed.get(4..5) == Some("-") && trimmed.get(7..8) == Some("-");
        if !dashes {
            return Err(bad());
        }
        let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10))
        else {
            return Err(bad());
        };
        let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
            return Err(bad());
        };
        Self::new(year, month, day).ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

serde_as_text!(Date);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::time::Utc;

    #[test]
    fn dates_start_at_midnight_utc() {
        let date = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(date("1970-01-01").starts_at(), 0);
        assert_eq!(date("2026-10-01").starts_at(), 1_790_812_800_000);
        assert_eq!(
            Utc(date("2024-02-29").starts_at()).to_string(),
            "2024-02-29T00:00:00Z"
        );
        assert_eq!(
            Utc(date("9999-12-31").starts_at()).to_string(),
            "9999-12-31T00:00:00Z"
        );
        assert_eq!(date(" 2026-01-05 ").to_string(), "2026-01-05");
        assert!(date("2025-12-31") < date("2026-01-01"));
        assert!(date("2026-01-31") < date("2026-02-01"));
    }

    #[test]
    fn only_real_days_in_range_are_dates() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2000, 2, 29).is_some());
        for (year, month, day) in [
            (2025, 2, 29),
            (1900 + 200, 2, 29),
            (2026, 4, 31),
            (2026, 13, 1),
            (2026, 0, 1),
            (2026, 1, 0),
            (1969, 12, 31),
            (10_000, 1, 1),
        ] {
            assert_eq!(Date::new(year, month, day), None, "{year}-{month}-{day}");
        }
        for bad in [
            "",
            "2026-1-01",
            "2026/10/01",
            "26-10-01",
            "2026-10-01T00:00Z",
            "2026-+1-01",
            "２０２６-10-01",
            "2026-02-30",
        ] {
            let error = bad.parse::<Date>().unwrap_err();
            assert!(error.to_string().contains("YYYY-MM-DD"), "{bad:?}");
        }
    }

    #[test]
    fn dates_serialize_as_text() {
        let date: Date = "2026-10-01".parse().unwrap();
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2026-10-01\"");
        assert_eq!(
            serde_json::from_str::<Date>("\"2026-10-01\"").unwrap(),
            date
        );
        assert!(serde_json::from_str::<Date>("\"2026-10-32\"").is_err());
    }
}
