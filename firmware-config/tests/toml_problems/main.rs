//! TOML problems: every kind of mistake is reported at once, in file order, with its line and
//! key path (inside an array, with the entry's index), and a problem never shows a secret.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod console;
mod lines;
mod lists;
mod outbound;
mod scalars;
mod sync;

use firmware_config::{ConfigErrors, ConfigProblem, ProblemKind, parse_toml};

pub(crate) const SECRET: &str = "hunter2-d0-not-print";

pub(crate) fn errors(text: &str) -> ConfigErrors {
    match parse_toml(text) {
        Ok(config) => panic!("expected problems, got {config:?}"),
        Err(errors) => errors,
    }
}

/// The key pattern of each invalid value (`departments[].name`), in report order.
pub(crate) fn patterns_of(errors: &ConfigErrors) -> Vec<&'static str> {
    errors
        .iter()
        .filter_map(|problem| match problem {
            ConfigProblem::Invalid { problem, .. } => Some(problem.path().pattern()),
            _ => None,
        })
        .collect()
}

/// The only problem of `text`.
pub(crate) fn only_problem(text: &str) -> ConfigProblem {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors}");
    errors.problems()[0].clone()
}

/// The key path and kind of the only problem of `text`, which must be an invalid value.
pub(crate) fn only_kind(text: &str) -> (String, ProblemKind) {
    match only_problem(text) {
        ConfigProblem::Invalid { problem, .. } => {
            (problem.path().to_string(), problem.kind().clone())
        }
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

pub(crate) fn paths_of(errors: &ConfigErrors) -> Vec<String> {
    errors.paths().collect()
}

/// Each problem as a report line, without its `line N: ` prefix.
pub(crate) fn messages_of(errors: &ConfigErrors) -> Vec<String> {
    errors
        .iter()
        .map(|problem| {
            let text = problem.to_string();
            match problem.line() {
                Some(line) => text
                    .strip_prefix(&format!("line {line}: "))
                    .unwrap_or_else(|| panic!("{text:?} does not start with its line"))
                    .to_owned(),
                None => text,
            }
        })
        .collect()
}

/// The line of each problem, in report order.
pub(crate) fn lines_of(errors: &ConfigErrors) -> Vec<Option<usize>> {
    errors.iter().map(ConfigProblem::line).collect()
}

/// `key` in `[table]` takes each of `good` and refuses each of `bad` as not of its form, the
/// form as reported containing each of `named`.
pub(crate) fn takes_only_its_form(
    table: &str,
    key: &str,
    good: &[&str],
    bad: &[&str],
    named: &[&str],
) {
    let text = |value: &str| format!("[{table}]\n{key} = \"{value}\"\n");
    for value in good {
        let config = parse_toml(&text(value));
        assert!(config.is_ok(), "{value}: {config:?}");
    }
    for value in bad {
        let (path, kind) = only_kind(&text(value));
        assert_eq!(path, format!("{table}.{key}"), "{value}");
        let ProblemKind::BadFormat { expected } = kind else {
            panic!("{value}: {kind:?}");
        };
        for part in named {
            assert!(expected.contains(part), "{value}: {expected}");
        }
    }
}
