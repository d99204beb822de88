//! Instants written for people: `2025-04-01T00:00:00Z`, in refusal messages.

use std::fmt;

use super::UnixMs;

/// Shows an instant as an RFC 3339 UTC timestamp: `2026-01-02T03:04:05Z`, with `.mmm` when the
/// milliseconds are not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc(pub UnixMs);

const MS_PER_DAY: u64 = 86_400_000;

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = date_of_day(self.0 / MS_PER_DAY);
        let ms_of_day = self.0 % MS_PER_DAY;
        let second_of_day = ms_of_day / 1_000;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3_600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        match ms_of_day % 1_000 {
            0 => f.write_str("Z"),
            millis => write!(f, ".{millis:03}Z"),
        }
    }
}

/// The Gregorian (year, month, day) of the day `days` after 1970-01-01.
///
/// Counts in 400-year eras starting on a 1 March, so the leap day is the last day of a
/// computed year (the civil-from-days method described by Howard Hinnant).
fn date_of_day(days: u64) -> (u64, u64, u64) {
    const DAYS_PER_ERA: u64 = 146_097;
    // 0000-03-01 is 719_468 days before 1970-01-01.
    let since_era_zero = days + 719_468;
    let era = since_era_zero / DAYS_PER_ERA;
    let day_of_era = since_era_zero % DAYS_PER_ERA;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::Utc;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc(1_743_465_600_000).to_string(), "2025-04-01T00:00:00Z");
        // A leap day, with milliseconds.
        assert_eq!(
            Utc(1_709_210_096_007).to_string(),
            "2024-02-29T12:34:56.007Z"
        );
        assert_eq!(
            Utc(1_735_689_599_999).to_string(),
            "2024-12-31T23:59:59.999Z"
        );
        assert_eq!(Utc(951_782_400_000).to_string(), "2000-02-29T00:00:00Z");
    }
}
