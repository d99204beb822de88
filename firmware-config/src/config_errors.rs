//! Every problem of a configuration file ([`ConfigErrors`]), one per line, each with the line
//! of the file it is on.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::problem::{Problem, Problems};

/// One problem of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// The file cannot be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        kind: io::ErrorKind,
    },
    /// The file is larger than any configuration.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The largest size read.
        limit: u64,
    },
    /// The file is not UTF-8.
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// A firmware blob that cannot be used.
    Blob {
        /// The file.
        path: PathBuf,
        /// Why.
        error: Box<crate::blob::BlobError>,
    },
    /// A file a setting names cannot be used (a secret, a certificate, a word list), or a
    /// value only the gateway can check (the log filter).
    Unusable {
        /// The setting.
        key: String,
        /// Where.
        line: Option<usize>,
        /// Why, in words.
        reason: String,
    },
    /// The text is not TOML.
    Syntax {
        /// Where.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A key no setting has.
    UnknownKey {
        /// The key as written, with its table.
        key: String,
        /// Where.
        line: Option<usize>,
        /// The keys its table knows.
        known: Vec<String>,
        /// Whether the unknown key holds a table.
        is_table: bool,
        /// A declared key with the same name elsewhere (`store.quota_bytes` for a top-level
        /// `quota_bytes`).
        suggestion: Option<String>,
    },
    /// A setting's value breaks its rule.
    Invalid {
        /// What is wrong.
        problem: Problem,
        /// Where, when the setting was written.
        line: Option<usize>,
    },
}

impl ConfigProblem {
    /// The line of the file the problem is on.
    #[must_use]
    pub const fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. }
            | Self::UnknownKey { line, .. }
            | Self::Invalid { line, .. }
            | Self::Unusable { line, .. } => *line,
            Self::Unreadable { .. }
            | Self::TooLarge { .. }
            | Self::NotUtf8 { .. }
            | Self::Blob { .. } => None,
        }
    }

    /// The key without a source suffix (`meta.app_secret` for `meta.app_secret_file`).
    #[must_use]
    pub fn base_path(&self) -> Option<String> {
        match self {
            Self::Invalid { problem, .. } => Some(problem.path().with_suffix("").to_string()),
            other => other.path(),
        }
    }

    /// The key the problem is about, with indexes (`departments[2].name`).
    #[must_use]
    pub fn path(&self) -> Option<String> {
        match self {
            Self::UnknownKey { key, .. } | Self::Unusable { key, .. } => Some(key.clone()),
            Self::Invalid { problem, .. } => Some(problem.path().to_string()),
            Self::Unreadable { .. }
            | Self::TooLarge { .. }
            | Self::NotUtf8 { .. }
            | Self::Syntax { .. }
            | Self::Blob { .. } => None,
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line() {
            write!(f, "line {line}: ")?;
        }
        match self {
            Self::Unreadable { path, kind } => write!(
                f,
                "{}: cannot read the configuration file: {}",
                path.display(),
                crate::IoReason(*kind)
            ),
            Self::TooLarge { path, limit } => write!(
                f,
                "{}: the configuration file is larger than {limit} bytes; is it the right file?",
                path.display()
            ),
            Self::NotUtf8 { path } => {
                write!(
                    f,
                    "{}: the configuration file is not UTF-8 text",
                    path.display()
                )
            }
            Self::Blob { path, error } => write!(f, "{}: {error}", path.display()),
            Self::Unusable { key, reason, .. } => write!(f, "{key}: {reason}"),
            Self::Syntax { message, .. } => {
                write!(
                    f,
                    "TOML syntax error: {}",
                    message.trim().replace('\n', "; ")
                )
            }
            Self::UnknownKey {
                key,
                known,
                is_table,
                suggestion,
                ..
            } => {
                let kind = if *is_table { "table" } else { "key" };
                write!(f, "{key}: unknown {kind}; known here: {}", known.join(", "))?;
                match suggestion {
                    Some(suggestion) => write!(f, " (did you mean {suggestion}?)"),
                    None => Ok(()),
                }
            }
            Self::Invalid { problem, .. } => write!(f, "{problem}"),
        }
    }
}

impl std::error::Error for ConfigProblem {}

/// Every problem of a configuration, in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    problems: Vec<ConfigProblem>,
}

impl ConfigErrors {
    /// The errors of `problems`, or `None` when there are none.
    #[must_use]
    pub fn from_problems(mut problems: Vec<ConfigProblem>) -> Option<Self> {
        problems.sort_by_key(|problem| problem.line().unwrap_or(usize::MAX));
        (!problems.is_empty()).then_some(Self { problems })
    }

    /// The problems, in file order.
    #[must_use]
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// Each problem.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigProblem> {
        self.problems.iter()
    }

    /// How many problems.
    #[must_use]
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Never true; for symmetry with `len`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The key of each problem that has one, with indexes.
    pub fn paths(&self) -> impl Iterator<Item = String> + '_ {
        self.problems.iter().filter_map(ConfigProblem::path)
    }

    /// Adds problems found after reading (files that cannot be read, certificates that do not
    /// parse), keeping file order.
    pub fn extend(&mut self, more: impl IntoIterator<Item = ConfigProblem>) {
        self.problems.extend(more);
        self.problems
            .sort_by_key(|problem| problem.line().unwrap_or(usize::MAX));
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

impl From<Problems> for ConfigErrors {
    fn from(problems: Problems) -> Self {
        let problems = problems
            .iter()
            .map(|problem| ConfigProblem::Invalid {
                problem: problem.clone(),
                line: None,
            })
            .collect();
        Self { problems }
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigProblem;
    type IntoIter = std::slice::Iter<'a, ConfigProblem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}
