//! Numbers written with a unit: sizes (`"64KiB"`, `"3MiB"`) and durations (`"500ms"`, `"15m"`,
//! `"24h"`), converted to the unit a setting counts in.

use crate::problem::ProblemKind;
use crate::schema::Unit;

const SIZES: &[(&str, u64)] = &[
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];
const DURATIONS: &[(&str, u64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("min", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// The forms a number of `unit` may take, as a phrase completing "must be ...".
pub(crate) const fn forms(unit: Unit) -> &'static str {
    match unit {
        Unit::Bytes => "an integer or a size like \"64KiB\", \"3MiB\" or \"1GiB\"",
        Unit::Millis => "an integer or a duration like \"500ms\", \"30s\" or \"15m\"",
        Unit::Seconds => "an integer or a duration like \"90s\", \"15m\" or \"24h\"",
        Unit::Hours => "an integer or a duration like \"24h\" or \"8d\"",
        Unit::Count(_) => "an integer",
    }
}

/// The number `text` says, in `unit`.
///
/// # Errors
/// [`ProblemKind::BadFormat`] naming the accepted forms, or [`ProblemKind::WrongType`] for a
/// count, which takes plain integers only.
pub(crate) fn parse(text: &str, unit: Unit) -> Result<u64, ProblemKind> {
    let expected = forms(unit);
    let table = match unit {
        Unit::Bytes => SIZES,
        Unit::Millis | Unit::Seconds | Unit::Hours => DURATIONS,
        Unit::Count(_) => {
            return Err(ProblemKind::WrongType {
                expected: "an integer",
                found: "a string",
            });
        }
    };
    let bad = ProblemKind::BadFormat { expected };
    let text = text.trim();
    let digits_end = text
        .find(|ch: char| !ch.is_ascii_digit() && ch != '_')
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let digits = digits.replace('_', "");
    let number: u64 = digits.parse().map_err(|_| bad.clone())?;
    if suffix.trim().is_empty() {
        return Ok(number);
    }
    let per = table
        .iter()
        .find(|(name, _)| *name == suffix.trim())
        .map(|(_, per)| *per)
        .ok_or(bad.clone())?;
    let base = number.checked_mul(per).ok_or(ProblemKind::OutOfRange {
        min: 0,
        max: u64::MAX,
        unit: unit.word(),
        note: None,
    })?;
    let divisor = unit.millis().unwrap_or(1);
    if !base.is_multiple_of(divisor) {
        return Err(ProblemKind::BadFormat {
            expected: match unit {
                Unit::Seconds => "a whole number of seconds",
                Unit::Hours => "a whole number of hours",
                _ => expected,
            },
        });
    }
    Ok(base / divisor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_convert_to_the_settings_unit() {
        assert_eq!(parse("3MiB", Unit::Bytes), Ok(3 << 20));
        assert_eq!(parse("64 KiB", Unit::Bytes), Ok(64 << 10));
        assert_eq!(parse("1_024", Unit::Bytes), Ok(1024));
        assert_eq!(parse("15m", Unit::Seconds), Ok(900));
        assert_eq!(parse("24h", Unit::Seconds), Ok(86_400));
        assert_eq!(parse("30s", Unit::Millis), Ok(30_000));
        assert_eq!(parse("8d", Unit::Hours), Ok(192));
        assert_eq!(parse("2min", Unit::Millis), Ok(120_000));
    }

    #[test]
    fn what_cannot_be_read_says_which_forms_are() {
        for (text, unit) in [
            ("3MB", Unit::Bytes),
            ("MiB", Unit::Bytes),
            ("-1s", Unit::Millis),
            ("1.5h", Unit::Seconds),
            ("10 parsecs", Unit::Hours),
        ] {
            assert!(
                matches!(parse(text, unit), Err(ProblemKind::BadFormat { .. })),
                "{text}"
            );
        }
        assert_eq!(
            parse("1500ms", Unit::Seconds),
            Err(ProblemKind::BadFormat {
                expected: "a whole number of seconds"
            })
        );
        assert!(matches!(
            parse("3", Unit::Count("connections")),
            Err(ProblemKind::WrongType { .. })
        ));
        assert!(matches!(
            parse("99999999999999999TiB", Unit::Bytes),
            Err(ProblemKind::OutOfRange { .. })
        ));
    }
}
