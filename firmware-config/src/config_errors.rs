//! Every problem of a configuration file ([`ConfigErrors`]), one per line.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::problem::{Problem, Problems};

/// One thing wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// The file could not be read.
    #[error("{}: cannot read the configuration file: {}", path.display(), crate::IoReason(*kind))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why, as the operating system put it.
        kind: io::ErrorKind,
    },
    /// The file is larger than any configuration ([`crate::MAX_CONFIG_FILE_BYTES`]).
    #[error(
        "{}: the configuration file is larger than {limit} bytes; is it the right file?",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The largest size read.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{}: the configuration file is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The text is not valid TOML; the message is the parser's, without the source text.
    #[error(fmt = fmt_syntax)]
    Syntax {
        /// Line of the error, from 1, when known.
        line: Option<usize>,
        /// Column of the error, from 1, when known.
        column: Option<usize>,
        /// What the TOML parser expected.
        message: String,
    },
    /// A key this version does not know; never shows the key's value.
    #[error(fmt = fmt_unknown_key)]
    UnknownKey {
        /// The full key path, with the entry's index in an array of tables
        /// (`departments[2].nmae`).
        key: String,
        /// The table or array of tables it is in (`""` for the top level).
        table: &'static str,
        /// The key paths that table allows.
        known: &'static [&'static str],
        /// A known key with the same field name in another table.
        suggestion: Option<&'static str>,
    },
    /// A key whose value breaks a rule (type, range, capacity, format, ...).
    #[error("{0}")]
    Invalid(Problem),
}

impl ConfigProblem {
    /// The key the problem is about, if it is about one key: a [`crate::keys`] constant
    /// (for an entry of an array, its pattern: `departments[].name`), or an unknown key as
    /// written. [`Self::path`] has the indexes.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::UnknownKey { key, .. } => Some(key),
            Self::Invalid(problem) => Some(problem.key()),
            Self::Unreadable { .. }
            | Self::TooLarge { .. }
            | Self::NotUtf8 { .. }
            | Self::Syntax { .. } => None,
        }
    }

    /// The key the problem is about with its array indexes (`departments[2].name`), if it is
    /// about one key.
    #[must_use]
    pub fn path(&self) -> Option<String> {
        match self {
            Self::UnknownKey { key, .. } => Some(key.clone()),
            Self::Invalid(problem) => Some(problem.path().to_string()),
            Self::Unreadable { .. }
            | Self::TooLarge { .. }
            | Self::NotUtf8 { .. }
            | Self::Syntax { .. } => None,
        }
    }
}

fn fmt_syntax(
    line: &Option<usize>,
    column: &Option<usize>,
    message: &str,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    f.write_str("TOML syntax error")?;
    if let (Some(line), Some(column)) = (line, column) {
        write!(f, " at line {line}, column {column}")?;
    }
    write!(f, ": {}", message.replace('\n', "; "))
}

fn fmt_unknown_key(
    key: &str,
    table: &str,
    known: &[&str],
    suggestion: &Option<&str>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    write!(f, "{key}: unknown key; ")?;
    if table.is_empty() {
        f.write_str("known top-level keys: ")?;
    } else if crate::keys::is_array_table(table) {
        write!(f, "known keys in [[{table}]]: ")?;
    } else {
        write!(f, "known keys in [{table}]: ")?;
    }
    for (index, known) in known.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        f.write_str(crate::keys::field_name(known))?;
    }
    if let Some(suggestion) = suggestion {
        write!(f, " (did you mean {suggestion}?)")?;
    }
    Ok(())
}

/// Every problem found in a configuration file, in the order found. Displays one problem
/// per line; exit with [`crate::EXIT_CONFIG`] when a command fails on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    problems: Vec<ConfigProblem>,
}

impl ConfigErrors {
    /// A list of `problems`; `None` when there are none.
    #[must_use]
    pub fn from_problems(problems: Vec<ConfigProblem>) -> Option<Self> {
        (!problems.is_empty()).then_some(Self { problems })
    }

    /// The problems, in the order found.
    #[must_use]
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// How many problems there are (at least one).
    #[must_use]
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Whether the list is empty (never, for one returned as an error).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigProblem> {
        self.problems.iter()
    }

    /// The key of each problem that is about one key, in order (see [`ConfigProblem::key`]).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.problems.iter().filter_map(ConfigProblem::key)
    }

    /// The key with its array indexes of each problem that is about one key, in order
    /// (see [`ConfigProblem::path`]).
    pub fn paths(&self) -> impl Iterator<Item = String> {
        self.problems.iter().filter_map(ConfigProblem::path)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl From<ConfigProblem> for ConfigErrors {
    fn from(problem: ConfigProblem) -> Self {
        Self {
            problems: vec![problem],
        }
    }
}

/// The problems of [`Problems`] (those it kept: at most [`crate::MAX_PROBLEMS`]; a blob's
/// arrays can hold more, which are dropped here).
impl From<Problems> for ConfigErrors {
    fn from(problems: Problems) -> Self {
        Self {
            problems: problems
                .iter()
                .cloned()
                .map(ConfigProblem::Invalid)
                .collect(),
        }
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigProblem;
    type IntoIter = std::slice::Iter<'a, ConfigProblem>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigProblem;
    type IntoIter = std::vec::IntoIter<ConfigProblem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.into_iter()
    }
}
