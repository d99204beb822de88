//! Values of the calendar: a day ([`Date`], `2026-10-01`) and a fixed offset from UTC
//! ([`UtcOffset`], `+09:00`). Each is read from its text, checked against the calendar (or
//! the offsets in use), and held in the blob in a fixed size.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::problem::{ProblemKind, ShownValue};
use crate::schema::Meta;
use crate::values::{Flaw, Value};
#[cfg(feature = "std")]
use crate::values::{Refusal, Toml, wrong_type};

/// A day of the Gregorian calendar; TOML writes it as a date (`2026-10-01`) or a string. The
/// blob holds four bytes: the year (little-endian), the month, the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "[u8; 4]", into = "[u8; 4]")]
pub struct Date {
    /// The year (0 to 9999).
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

const DATE: &str = "a day of the calendar like 2026-10-01 (a TOML date or a string; February 29 \
                    only in leap years)";

impl Date {
    /// 1970-01-01.
    pub const EPOCH: Self = Self {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// Whether the day exists: months 1 to 12, February 29 only in leap years.
    #[must_use]
    pub const fn is_real(self) -> bool {
        let year = self.year;
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => 0,
        };
        self.year <= 9999 && self.day >= 1 && self.day <= days
    }

    /// The date `YYYY-MM-DD` says, real or not (see [`Self::is_real`]).
    #[cfg(feature = "std")]
    fn parse(text: &str) -> Option<Self> {
        let number = |part: Option<&str>| {
            let part = part.filter(|part| part.bytes().all(|b| b.is_ascii_digit()))?;
            part.parse::<u16>().ok()
        };
        let small = |part| u8::try_from(number(part)?).ok();
        let dashes = (text.as_bytes().get(4), text.as_bytes().get(7)) == (Some(&b'-'), Some(&b'-'));
        (dashes && text.len() == 10).then_some(())?;
        Some(Self {
            year: number(text.get(..4))?,
            month: small(text.get(5..7))?,
            day: small(text.get(8..))?,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<Date> for [u8; 4] {
    fn from(date: Date) -> Self {
        let [low, high] = date.year.to_le_bytes();
        [low, high, date.month, date.day]
    }
}

impl From<[u8; 4]> for Date {
    fn from([low, high, month, day]: [u8; 4]) -> Self {
        let year = u16::from_le_bytes([low, high]);
        Self { year, month, day }
    }
}

impl Value for Date {
    const TYPE: &'static str = "date";
    const FORM: Option<&'static str> = Some(DATE);
    fn shown(&self) -> ShownValue {
        ShownValue::display(self)
    }
    fn check(&self, _: &Meta, report: &mut dyn FnMut(Flaw)) {
        if !self.is_real() {
            report(Flaw::new(
                self.shown(),
                ProblemKind::BadFormat { expected: DATE },
            ));
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        let text = match value {
            Toml::Datetime(date) => date.to_string(),
            Toml::String(text) => text.to_string(),
            other => return Err(wrong_type("a date like 2026-10-01", other).into()),
        };
        Ok(Self::parse(&text).ok_or(ProblemKind::BadFormat { expected: DATE })?)
    }
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        Some((0, self.to_string()))
    }
}

/// A fixed offset from UTC in minutes, from −12:00 to +14:00; TOML writes `"+09:00"`, the blob
/// an `i16` (a zigzag varint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UtcOffset {
    /// Minutes east of UTC (`-330` for `-05:30`).
    pub minutes: i16,
}

const UTC_OFFSET: &str = "a UTC offset from \"-12:00\" to \"+14:00\", like \"+00:00\", \
                          \"+09:00\" or \"-05:30\"";

impl UtcOffset {
    /// UTC itself (`+00:00`).
    pub const UTC: Self = Self { minutes: 0 };

    /// The offset `±HH:MM` says, in range or not.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let sign = match text.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let (hours, minutes) = text.get(1..)?.split_once(':')?;
        let two_digits = |part: &str| -> Option<i16> {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())?
        };
        let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
        (minutes < 60).then_some(Self {
            minutes: sign * (hours * 60 + minutes),
        })
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let minutes = self.minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl Value for UtcOffset {
    const TYPE: &'static str = "string (UTC offset)";
    const FORM: Option<&'static str> = Some(UTC_OFFSET);
    fn shown(&self) -> ShownValue {
        ShownValue::display(format_args!("\"{self}\""))
    }
    fn check(&self, _: &Meta, report: &mut dyn FnMut(Flaw)) {
        if !(-12 * 60..=14 * 60).contains(&self.minutes) {
            let kind = ProblemKind::BadFormat {
                expected: UTC_OFFSET,
            };
            report(Flaw::new(self.shown(), kind));
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        let text = value
            .as_str()
            .ok_or_else(|| wrong_type("a string like \"+09:00\"", value))?;
        let bad = ProblemKind::BadFormat {
            expected: UTC_OFFSET,
        };
        Ok(Self::parse(text).ok_or(bad)?)
    }
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        Some((0, format!("\"{self}\"")))
    }
}
