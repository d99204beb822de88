//! TOML problems: every kind of mistake is reported at once with its key path (inside an
//! array, with the entry's index), and a problem never shows a secret.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod lists;
mod scalars;

use firmware_config::{ConfigErrors, ConfigProblem, ProblemKind, parse_toml};

pub(crate) const SECRET: &str = "hunter2-d0-not-print";

pub(crate) fn errors(text: &str) -> ConfigErrors {
    match parse_toml(text) {
        Ok(config) => panic!("expected problems, got {config:?}"),
        Err(errors) => errors,
    }
}

pub(crate) fn keys_of(errors: &ConfigErrors) -> Vec<&str> {
    errors.keys().collect()
}

/// The only problem of `text`, which must be about one key.
pub(crate) fn only_problem(text: &str) -> ConfigProblem {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors}");
    errors.into_iter().next().unwrap()
}

pub(crate) fn only_kind(text: &str) -> (String, ProblemKind) {
    match only_problem(text) {
        ConfigProblem::Invalid(problem) => (problem.key().to_owned(), problem.kind().clone()),
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

pub(crate) fn paths_of(errors: &ConfigErrors) -> Vec<String> {
    errors.paths().collect()
}
