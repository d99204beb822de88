//! One thing wrong with a configuration ([`Problem`]) and the bounded list of them that
//! validation returns ([`Problems`]); both work without an allocator.

use core::fmt;

use crate::key_path::KeyPath;
use crate::shown_value::ShownValue;

/// The most problems a [`Problems`] list keeps; further ones are only counted. Every
/// setting outside the arrays can be wrong at once and still fit.
pub const MAX_PROBLEMS: usize = 32;

/// What is wrong, and what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A number outside its allowed range (see [`crate::limits`]).
    OutOfRange {
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
        /// What the number counts.
        unit: &'static str,
        /// Why the range is what it is.
        note: Option<&'static str>,
    },
    /// A text that must not be empty (or blank) is.
    Empty,
    /// A text longer than the fixed capacity that holds it.
    TooLong {
        /// Length of the value, in bytes.
        len: usize,
        /// Capacity, in bytes.
        capacity: usize,
    },
    /// Only one half of the TLS certificate/key pair is set.
    TlsPairIncomplete {
        /// The key that must be set too.
        missing: &'static str,
    },
    /// Both listeners would bind the same port.
    SameAddress {
        /// The other listener's key.
        other: &'static str,
    },
    /// A number smaller than another setting it must cover.
    BelowOther {
        /// The other setting's key.
        other: &'static str,
        /// The other setting's value.
        other_value: u64,
    },
    /// Not a usable environment variable name.
    InvalidEnvName,
    /// A text that is not an IP socket address.
    NotSocketAddr,
    /// A text that is none of the allowed words.
    NotOneOf {
        /// The allowed words.
        allowed: &'static [&'static str],
    },
    /// A value of the wrong TOML type.
    WrongType {
        /// The type the key needs.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// More than one source is set for the same secret.
    ConflictingSources {
        /// The other key set for the same secret.
        other: &'static str,
    },
    /// An array with more entries than the fixed capacity that holds it.
    TooMany {
        /// Entries present.
        len: usize,
        /// Capacity.
        capacity: usize,
    },
    /// A key that has no default is absent.
    Missing,
    /// A text that does not have the required form.
    BadFormat {
        /// The form required, as a phrase completing "must be ...".
        expected: &'static str,
    },
    /// The same value as an earlier entry where values must be unique.
    Duplicate {
        /// The earlier entry.
        first: KeyPath,
        /// The rule that makes it a mistake.
        rule: &'static str,
    },
    /// An operator without a token source.
    NoTokenSource,
    /// An operator with more than one token source.
    ConflictingTokenSources {
        /// The other key set for the same operator.
        other: &'static str,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange {
                min,
                max,
                unit,
                note,
            } => {
                write!(f, "must be between {min} and {max} ({unit}")?;
                if let Some(note) = note {
                    write!(f, "; {note}")?;
                }
                f.write_str(")")
            }
            Self::Empty => f.write_str("must not be empty"),
            Self::TooLong { len, capacity } => {
                write!(f, "must be at most {capacity} bytes long (it is {len})")
            }
            Self::TlsPairIncomplete { missing } => write!(
                f,
                "{missing} must be set too (set both or neither; with neither, a self-signed \
                 certificate is generated in data_dir)"
            ),
            Self::SameAddress { other } => {
                write!(f, "must not use the same port as {other}")
            }
            Self::BelowOther { other, other_value } => {
                write!(f, "must be at least {other} ({other_value})")
            }
            Self::InvalidEnvName => {
                f.write_str("must be an environment variable name (not empty, without '=' or NUL)")
            }
            Self::NotSocketAddr => f.write_str(
                "must be an IP address and port, like \"127.0.0.1:8443\" or \"[::1]:8443\"",
            ),
            Self::NotOneOf { allowed } => {
                f.write_str("must be one of ")?;
                for (index, word) in allowed.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{word:?}")?;
                }
                Ok(())
            }
            Self::WrongType { expected, found } => {
                write!(f, "must be {expected}, found {found}")
            }
            Self::ConflictingSources { other } => write!(
                f,
                "conflicts with {other}: set at most one source for this secret \
                 (none = generated into data_dir)"
            ),
            Self::TooMany { len, capacity } => {
                write!(f, "must have at most {capacity} entries (it has {len})")
            }
            Self::Missing => f.write_str("must be set"),
            Self::BadFormat { expected } => write!(f, "must be {expected}"),
            Self::Duplicate { first, rule } => write!(f, "repeats {first} ({rule})"),
            Self::NoTokenSource => f.write_str(
                "needs a token: set one of token_sha256 (the SHA-256 of the bearer token, \
                 in hex), token_file or token_env",
            ),
            Self::ConflictingTokenSources { other } => write!(
                f,
                "conflicts with {other}: set exactly one of token_sha256, token_file and \
                 token_env"
            ),
        }
    }
}

/// One thing wrong with one key: the key path, the value (rendered, or `<redacted>` for
/// secrets) and what is allowed. Displays as
/// `store.dedupe_retention_hours = 100: must be between 168 and 2160 (hours; Meta retries for 7 days)`
/// or, in an array, `departments[2].name = "support": repeats departments[0].name (...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    path: KeyPath,
    value: ShownValue,
    kind: ProblemKind,
}

impl Problem {
    /// A problem with the plain key `key` whose value is shown as `value`.
    #[must_use]
    pub const fn new(key: &'static str, value: ShownValue, kind: ProblemKind) -> Self {
        Self::at(KeyPath::new(key), value, kind)
    }

    /// A problem with the key `path` (which may hold array indexes).
    #[must_use]
    pub const fn at(path: KeyPath, value: ShownValue, kind: ProblemKind) -> Self {
        Self { path, value, kind }
    }

    /// The key the problem is about, as a [`crate::keys`] constant: the pattern, so
    /// `departments[2].name` gives [`crate::keys::DEPARTMENT_NAME`] (`"departments[].name"`).
    #[must_use]
    pub const fn key(&self) -> &'static str {
        self.path.pattern()
    }

    /// The key with its array indexes (`departments[2].name`).
    #[must_use]
    pub const fn path(&self) -> KeyPath {
        self.path
    }

    /// The value as the report shows it.
    #[must_use]
    pub const fn value(&self) -> &ShownValue {
        &self.value
    }

    /// What is wrong.
    #[must_use]
    pub const fn kind(&self) -> &ProblemKind {
        &self.kind
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        match &self.value {
            ShownValue::Shown(text) => write!(f, " = {text}")?,
            ShownValue::Redacted => f.write_str(" = <redacted>")?,
            ShownValue::Hidden => {}
        }
        write!(f, ": {}", self.kind)
    }
}

/// Every problem validation found (up to [`MAX_PROBLEMS`]; the rest are counted).
/// Displays one problem per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems {
    kept: heapless::Vec<Problem, MAX_PROBLEMS>,
    dropped: usize,
}

impl Problems {
    /// An empty list.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            kept: heapless::Vec::new(),
            dropped: 0,
        }
    }

    /// Adds a problem; past [`MAX_PROBLEMS`] it is only counted.
    pub fn push(&mut self, problem: Problem) {
        if self.kept.push(problem).is_err() {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// The problems kept, in the order found.
    pub fn iter(&self) -> core::slice::Iter<'_, Problem> {
        self.kept.iter()
    }

    /// The problems kept, as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[Problem] {
        &self.kept
    }

    /// How many problems were found, including those not kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.kept.len().saturating_add(self.dropped)
    }

    /// Whether no problem was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many problems were counted but not kept.
    #[must_use]
    pub const fn dropped(&self) -> usize {
        self.dropped
    }

    /// `Ok(())` when empty, else `Err(self)`.
    ///
    /// # Errors
    /// The list itself, when it holds at least one problem.
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded"
    )]
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = core::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.kept.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        if self.dropped > 0 {
            write!(f, "\n... and {} more problems", self.dropped)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;

    #[test]
    fn out_of_range_reads_like_the_spec() {
        let problem = Problem::new(
            keys::STORE_DEDUPE_RETENTION_HOURS,
            ShownValue::display(100),
            ProblemKind::OutOfRange {
                min: 168,
                max: 2160,
                unit: "hours",
                note: Some("Meta retries for 7 days"),
            },
        );
        assert_eq!(
            problem.to_string(),
            "store.dedupe_retention_hours = 100: must be between 168 and 2160 \
             (hours; Meta retries for 7 days)"
        );
    }

    #[test]
    fn redacted_and_hidden_values_print_no_value() {
        let redacted = Problem::new(
            keys::META_APP_SECRET,
            ShownValue::Redacted,
            ProblemKind::Empty,
        );
        assert_eq!(
            redacted.to_string(),
            "meta.app_secret = <redacted>: must not be empty"
        );
        let hidden = Problem::new(
            keys::STORE_MAX_BATCH,
            ShownValue::Hidden,
            ProblemKind::WrongType {
                expected: "an integer",
                found: "a string",
            },
        );
        assert_eq!(
            hidden.to_string(),
            "store.max_batch: must be an integer, found a string"
        );
    }

    #[test]
    fn problems_keep_the_first_ones_and_count_the_rest() {
        let mut problems = Problems::new();
        assert!(problems.clone().into_result().is_ok());
        for _ in 0..MAX_PROBLEMS + 3 {
            problems.push(Problem::new(
                keys::DATA_DIR,
                ShownValue::quoted(""),
                ProblemKind::Empty,
            ));
        }
        assert_eq!(problems.len(), MAX_PROBLEMS + 3);
        assert_eq!(problems.iter().count(), MAX_PROBLEMS);
        assert_eq!(problems.dropped(), 3);
        let text = problems.to_string();
        assert_eq!(text.lines().count(), MAX_PROBLEMS + 1);
        assert!(text.ends_with("... and 3 more problems"));
    }
}
