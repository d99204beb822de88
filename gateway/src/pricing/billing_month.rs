//! Billing months: the month an instant is billed in, at the account's UTC offset.
//!
//! Meta resets the monthly free tier of service messages "at midnight in the messaging
//! account's timezone". The gateway takes that timezone as a fixed UTC offset
//! (`pricing.billing_utc_offset`, `+00:00` unless set; `+09:00`, `-05:00`, `+05:30`, ...): a
//! timezone with daylight saving time is off by its shift for the first hour of a month in
//! summer, which is the price of not shipping a time-zone database. A month runs from 00:00 local
//! time on its 1st (included) to 00:00 on the next month's 1st (excluded).
//!
//! Instants are never before 1970 here: an instant whose local time would be (the first hours
//! of 1970 at a negative offset) is taken as January 1970.

use std::fmt;

use crate::time::{UnixMs, civil_from_days, days_from_civil};

/// Milliseconds in a day.
const MS_PER_DAY: i128 = 86_400_000;
/// Milliseconds in a minute.
const MS_PER_MINUTE: i128 = 60_000;
/// The largest offset either way, in minutes: 18:00 (as in ISO 8601 libraries; real offsets
/// run from -12:00 to +14:00).
const MAX_OFFSET_MINUTES: i16 = 18 * 60;

/// The default billing offset: UTC.
pub const DEFAULT_BILLING_UTC_OFFSET_MINUTES: i16 = 0;

/// A calendar month at some UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BillingMonth {
    year: u32,
    month: u8,
}

impl BillingMonth {
    /// The month `month` (1 to 12) of `year` (1970 or later).
    pub fn new(year: u32, month: u8) -> Option<Self> {
        (year >= 1970 && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month the instant `at` falls in, at `offset_minutes` east of UTC.
    pub fn month_of(at: UnixMs, offset_minutes: i16) -> Self {
        let local = i128::from(at) + i128::from(offset_minutes) * MS_PER_MINUTE;
        let days = u64::try_from(local.max(0) / MS_PER_DAY).unwrap_or(u64::MAX);
        let (year, month, _) = civil_from_days(days);
        Self {
            year: u32::try_from(year).unwrap_or(u32::MAX),
            month: u8::try_from(month).unwrap_or(12),
        }
    }

    /// 00:00 local time, at `offset_minutes` east of UTC, on the 1st of this month (clamped to
    /// the range of [`UnixMs`]).
    pub fn starts_at(self, offset_minutes: i16) -> UnixMs {
        let Some(days) = days_from_civil(self.year.into(), self.month.into(), 1) else {
            return 0;
        };
        let local = i128::from(days) * MS_PER_DAY;
        let utc = local - i128::from(offset_minutes) * MS_PER_MINUTE;
        u64::try_from(utc.max(0)).unwrap_or(UnixMs::MAX)
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month >= 12 {
            Self {
                year: self.year.saturating_add(1),
                month: 1,
            }
        } else {
            Self {
                month: self.month + 1,
                ..self
            }
        }
    }

    /// The year.
    pub fn year(self) -> u32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }
}

impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Text that is not a UTC offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a UTC offset: write +HH:MM or -HH:MM, e.g. +09:00, -05:00 or +05:30 \
     (at most 18:00 either way)"
)]
pub struct UtcOffsetError(pub String);

/// Reads a UTC offset, `+HH:MM` or `-HH:MM` (`Z` is `+00:00`), as minutes east of UTC.
pub fn parse_utc_offset(text: &str) -> Result<i16, UtcOffsetError> {
    let bad = || UtcOffsetError(text.to_owned());
    let trimmed = text.trim();
    if trimmed == "Z" {
        return Ok(0);
    }
    let (sign, rest) = if let Some(rest) = trimmed.strip_prefix('+') {
        (1, rest)
    } else if let Some(rest) = trimmed.strip_prefix('-') {
        (-1, rest)
    } else {
        return Err(bad());
    };
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i16>().ok())
            .flatten()
    };
    let Some((Some(hours), Some(minutes))) = rest
        .split_once(':')
        .map(|(hours, minutes)| (two_digits(hours), two_digits(minutes)))
    else {
        return Err(bad());
    };
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MAX_OFFSET_MINUTES {
        return Err(bad());
    }
    Ok(sign * total)
}

/// Shows minutes east of UTC as `+HH:MM` or `-HH:MM`.
pub fn format_utc_offset(offset_minutes: i16) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let magnitude = offset_minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", magnitude / 60, magnitude % 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use proptest::prelude::*;

    use super::*;
    use crate::pricing::date::Date;

    fn utc(date: &str) -> UnixMs {
        date.parse::<Date>().unwrap().starts_at()
    }

    fn month(year: u32, month: u8) -> BillingMonth {
        BillingMonth::new(year, month).unwrap()
    }

    const HOUR: u64 = 3_600_000;

    #[test]
    fn months_at_utc() {
        assert_eq!(BillingMonth::month_of(0, 0), month(1970, 1));
        assert_eq!(
            BillingMonth::month_of(utc("2026-10-01") - 1, 0),
            month(2026, 9)
        );
        assert_eq!(
            BillingMonth::month_of(utc("2026-10-01"), 0),
            month(2026, 10)
        );
        assert_eq!(
            BillingMonth::month_of(utc("2027-01-01") - 1, 0),
            month(2026, 12)
        );
        assert_eq!(BillingMonth::month_of(utc("2027-01-01"), 0), month(2027, 1));
        assert_eq!(month(2026, 10).starts_at(0), utc("2026-10-01"));
        assert_eq!(month(2026, 10).to_string(), "2026-10");
    }

    #[test]
    fn leap_years_have_their_29th_of_february() {
        assert_eq!(BillingMonth::month_of(utc("2024-02-29"), 0), month(2024, 2));
        assert_eq!(
            BillingMonth::month_of(utc("2024-03-01") - 1, 0),
            month(2024, 2)
        );
        assert_eq!(
            month(2024, 3).starts_at(0) - month(2024, 2).starts_at(0),
            29 * 24 * HOUR
        );
        assert_eq!(
            month(2025, 3).starts_at(0) - month(2025, 2).starts_at(0),
            28 * 24 * HOUR
        );
        assert_eq!(
            month(2100, 3).starts_at(0) - month(2100, 2).starts_at(0),
            28 * 24 * HOUR
        );
        assert_eq!(
            month(2000, 3).starts_at(0) - month(2000, 2).starts_at(0),
            29 * 24 * HOUR
        );
    }

    #[test]
    fn positive_offsets_start_the_month_earlier_in_utc() {
        let tokyo = 9 * 60;
        // 2026-09-30T15:00Z is 2026-10-01T00:00+09:00.
        let start = utc("2026-10-01") - 9 * HOUR;
        assert_eq!(month(2026, 10).starts_at(tokyo), start);
        assert_eq!(BillingMonth::month_of(start - 1, tokyo), month(2026, 9));
        assert_eq!(BillingMonth::month_of(start, tokyo), month(2026, 10));
        let india = 5 * 60 + 30;
        let new_year = utc("2027-01-01") - 5 * HOUR - 30 * 60_000;
        assert_eq!(month(2027, 1).starts_at(india), new_year);
        assert_eq!(BillingMonth::month_of(new_year - 1, india), month(2026, 12));
        assert_eq!(BillingMonth::month_of(new_year, india), month(2027, 1));
    }

    #[test]
    fn negative_offsets_start_the_month_later_in_utc() {
        let new_york = -5 * 60;
        let new_year = utc("2027-01-01") + 5 * HOUR;
        assert_eq!(month(2027, 1).starts_at(new_york), new_year);
        assert_eq!(
            BillingMonth::month_of(new_year - 1, new_york),
            month(2026, 12)
        );
        assert_eq!(BillingMonth::month_of(new_year, new_york), month(2027, 1));
        // 2024-03-01T03:00Z is still 29 February in New York.
        assert_eq!(
            BillingMonth::month_of(utc("2024-03-01") + 3 * HOUR, new_york),
            month(2024, 2)
        );
        // Before 1970 locally: January 1970, the earliest month.
        assert_eq!(BillingMonth::month_of(0, new_york), month(1970, 1));
        assert_eq!(month(1970, 1).starts_at(9 * 60), 0);
    }

    #[test]
    fn extreme_instants_and_offsets_do_not_overflow() {
        for offset in [
            i16::MIN,
            -MAX_OFFSET_MINUTES,
            0,
            MAX_OFFSET_MINUTES,
            i16::MAX,
        ] {
            for at in [0, 1, u64::MAX - 1, u64::MAX] {
                let month = BillingMonth::month_of(at, offset);
                let _ = month.starts_at(offset);
                let _ = month.next().starts_at(offset);
            }
        }
        assert_eq!(month(u32::MAX, 12).next().year(), u32::MAX);
        assert_eq!(BillingMonth::new(1969, 12), None);
        assert_eq!(BillingMonth::new(2026, 13), None);
        assert_eq!(BillingMonth::new(2026, 0), None);
    }

    #[test]
    fn offsets_read_and_show_as_hh_mm() {
        for (text, minutes) in [
            ("+00:00", 0),
            ("-00:00", 0),
            ("Z", 0),
            ("+09:00", 540),
            ("-05:00", -300),
            ("+05:30", 330),
            ("+05:45", 345),
            ("-09:30", -570),
            ("+14:00", 840),
            ("-18:00", -1080),
        ] {
            assert_eq!(parse_utc_offset(text), Ok(minutes), "{text}");
        }
        for bad in [
            "",
            "09:00",
            "+9:00",
            "+09",
            "+0900",
            "+09:60",
            "+18:01",
            "+24:00",
            "++09:00",
            "+09:00:00",
            "+٠٩:00",
        ] {
            let error = parse_utc_offset(bad).unwrap_err().to_string();
            assert!(error.contains("+HH:MM"), "{bad:?}");
        }
        assert_eq!(format_utc_offset(540), "+09:00");
        assert_eq!(format_utc_offset(-300), "-05:00");
        assert_eq!(format_utc_offset(330), "+05:30");
        assert_eq!(format_utc_offset(0), "+00:00");
        assert_eq!(format_utc_offset(i16::MIN), "-546:08");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every instant (from a day after the epoch) lies in its month: at or after the month's
        /// start and before the next month's.
        #[test]
        fn an_instant_lies_within_its_month(
            at in 86_400_000_u64..(utc_of_year_10000()),
            offset in -MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES,
        ) {
            let month = BillingMonth::month_of(at, offset);
            prop_assert!(month.starts_at(offset) <= at);
            prop_assert!(at < month.next().starts_at(offset));
            prop_assert_eq!(BillingMonth::month_of(month.starts_at(offset), offset), month);
            prop_assert_eq!(parse_utc_offset(&format_utc_offset(offset)), Ok(offset));
        }
    }

    fn utc_of_year_10000() -> UnixMs {
        253_402_300_800_000
    }
}
