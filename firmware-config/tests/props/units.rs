//! Numbers written with a unit: each reads as that many of the setting's own unit, is held to
//! the setting's range, and no text makes the reader panic.

use firmware_config::{ConfigProblem, ProblemKind, parse_toml};
use proptest::prelude::*;

/// The kind of the only problem of `text`, which must be an invalid value.
fn only_kind(text: &str) -> Option<ProblemKind> {
    let errors = parse_toml(text).err()?;
    match errors.problems() {
        [ConfigProblem::Invalid { problem, .. }] => Some(problem.kind().clone()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(crate::strategies::bounded_shrinking())]
    #[test]
    fn a_size_reads_as_bytes_within_the_range(
        number in 0_u64..5_000,
        (unit, per) in prop::sample::select(vec![
            ("", 1_u64), ("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ]),
    ) {
        let bytes = number * per;
        let text = format!("[store]\nquota_bytes = \"{number}{unit}\"");
        if (1 << 20..=1 << 40).contains(&bytes) {
            let config = parse_toml(&text);
            prop_assert_eq!(config.map(|config| config.store.quota_bytes), Ok(bytes), "{}", text);
        } else {
            let kind = only_kind(&text);
            let out_of_range = matches!(kind, Some(ProblemKind::OutOfRange { .. }));
            prop_assert!(out_of_range, "{}: {:?}", text, kind);
        }
    }

    #[test]
    fn a_duration_reads_as_whole_seconds_within_the_range(
        number in 0_u64..200_000,
        (unit, per_ms) in prop::sample::select(vec![
            ("ms", 1_u64), ("s", 1_000), ("m", 60_000), ("min", 60_000), ("h", 3_600_000),
            ("d", 86_400_000),
        ]),
    ) {
        let millis = number * per_ms;
        let text = format!("[chat]\nidle_close_seconds = \"{number}{unit}\"");
        let kind = only_kind(&text);
        if millis % 1_000 != 0 {
            let whole = ProblemKind::BadFormat { expected: "a whole number of seconds" };
            prop_assert_eq!(kind, Some(whole), "{}", text);
        } else if (60..=86_400).contains(&(millis / 1_000)) {
            let config = parse_toml(&text);
            let seconds = u32::try_from(millis / 1_000).unwrap();
            prop_assert_eq!(config.map(|config| config.chat.idle_close_seconds), Ok(seconds));
        } else {
            let out_of_range = matches!(kind, Some(ProblemKind::OutOfRange { .. }));
            prop_assert!(out_of_range, "{}: {:?}", text, kind);
        }
    }

    /// Any short text where a number belongs: read, or refused with a reason on that key.
    #[test]
    fn a_number_with_any_suffix_never_panics(
        text in "[ 0-9_]{0,24}[ A-Za-z.-]{0,6}",
        key in prop::sample::select(vec![
            "[store]\nquota_bytes", "[store]\ndedupe_retention_hours", "[shutdown]\ngrace_ms",
            "[chat]\nunattended_close_seconds", "[public]\nmax_connections",
        ]),
    ) {
        let toml = format!("{key} = \"{text}\"");
        if let Err(errors) = parse_toml(&toml) {
            let expected = key.replace("]\n", ".").replace('[', "");
            prop_assert_eq!(errors.paths().collect::<Vec<_>>(), [expected], "{}", errors);
        }
    }
}
