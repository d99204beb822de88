//! One thing wrong with a configuration ([`Problem`]), where it is ([`KeyPath`]), and the
//! bounded list of them ([`Problems`]); all work without an allocator.

use core::fmt;

pub use crate::shown_value::ShownValue;

/// The most problems a [`Problems`] list keeps; further ones are only counted.
pub const MAX_PROBLEMS: usize = 32;

/// A key with its array indexes: the pattern `departments[].numbers` with indexes 2 and 0 is
/// `departments[2].numbers[0]`; a suffix names one source of a secret (`meta.app_secret_file`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPath {
    pattern: &'static str,
    suffix: &'static str,
    indexes: [u16; 2],
    len: u8,
}

impl KeyPath {
    /// The path `pattern` with no index yet.
    #[must_use]
    pub const fn new(pattern: &'static str) -> Self {
        Self {
            pattern,
            suffix: "",
            indexes: [0; 2],
            len: 0,
        }
    }

    /// This path with `index` filling its next `[]` (past `u16::MAX` it shows `u16::MAX`).
    #[must_use]
    pub fn at(mut self, index: usize) -> Self {
        if let Some(slot) = self.indexes.get_mut(usize::from(self.len)) {
            *slot = u16::try_from(index).unwrap_or(u16::MAX);
            self.len += 1;
        }
        self
    }

    /// The path of `pattern` with this path's indexes (from an item to its field).
    #[must_use]
    pub const fn with_pattern(self, pattern: &'static str) -> Self {
        Self { pattern, ..self }
    }

    /// This path with the key suffix `suffix` (`"_file"`).
    #[must_use]
    pub const fn with_suffix(self, suffix: &'static str) -> Self {
        Self { suffix, ..self }
    }

    /// The pattern, without indexes or suffix.
    #[must_use]
    pub const fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// The indexes, outermost first.
    #[must_use]
    pub fn indexes(&self) -> &[u16] {
        self.indexes
            .get(..usize::from(self.len))
            .unwrap_or_default()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut indexes = self.indexes().iter();
        for (position, part) in self.pattern.split("[]").enumerate() {
            if position > 0 {
                match indexes.next() {
                    Some(index) => write!(f, "[{index}]")?,
                    None => f.write_str("[]")?,
                }
            }
            f.write_str(part)?;
        }
        f.write_str(self.suffix)?;
        indexes.try_for_each(|index| write!(f, "[{index}]"))
    }
}

/// What is wrong, and what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A number outside its allowed range.
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
    /// An array with more entries than the fixed capacity that holds it.
    TooMany {
        /// Entries present.
        len: usize,
        /// Capacity.
        capacity: usize,
    },
    /// A value of the wrong TOML type.
    WrongType {
        /// The type the key needs.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// A text that does not have the required form.
    BadFormat {
        /// The form, as a phrase completing "must be ...".
        expected: &'static str,
    },
    /// A text that is none of the allowed words.
    NotOneOf {
        /// The allowed words.
        allowed: &'static [&'static str],
    },
    /// A key that has no default is absent.
    Missing,
    /// None of the keys of a setting with several sources is written.
    NoSource {
        /// The setting's name (`token`).
        name: &'static str,
        /// The suffixes of its keys (`_sha256`, `_file`, `_env`), one of which must be written.
        suffixes: &'static [&'static str],
    },
    /// More than one source is written for the same setting.
    ConflictingSources {
        /// The other key written.
        other: KeyPath,
        /// What writing none means, for a setting that may have none; `None` for one that
        /// needs exactly one source (an operator's token).
        unset: Option<&'static str>,
    },
    /// A rule between keys that this value breaks, as a phrase ("needs public.tls_key too").
    Rule(&'static str),
    /// A number smaller than another setting it must cover.
    BelowOther {
        /// The other setting's key.
        other: &'static str,
        /// The other setting's value.
        other_value: u64,
    },
    /// The same value as an earlier entry where values must be unique.
    Duplicate {
        /// The earlier entry.
        first: KeyPath,
        /// The rule that makes it a mistake.
        rule: &'static str,
    },
}

/// Writes `items` as `a, b or c`, each by `write`.
fn write_list<T>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    write: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(if index + 1 == items.len() {
                " or "
            } else {
                ", "
            })?;
        }
        write(f, item)?;
    }
    Ok(())
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
            Self::TooMany { len, capacity } => {
                write!(f, "must have at most {capacity} entries (it has {len})")
            }
            Self::WrongType { expected, found } => write!(f, "must be {expected}, found {found}"),
            Self::BadFormat { expected } => write!(f, "must be {expected}"),
            Self::NotOneOf { allowed } => {
                f.write_str("must be one of ")?;
                write_list(f, allowed, |f, word| write!(f, "{word:?}"))
            }
            Self::Missing => f.write_str("must be set"),
            Self::NoSource { name, suffixes } => {
                f.write_str("needs one of ")?;
                write_list(f, suffixes, |f, suffix| write!(f, "{name}{suffix}"))
            }
            Self::ConflictingSources { other, unset: None } => {
                write!(f, "conflicts with {other}: write exactly one source for it")
            }
            Self::ConflictingSources {
                other,
                unset: Some(unset),
            } => write!(
                f,
                "conflicts with {other}: write at most one source for this secret (with none, \
                 {unset})"
            ),
            Self::Rule(rule) => f.write_str(rule),
            Self::BelowOther { other, other_value } => {
                write!(f, "must be at least {other} ({other_value})")
            }
            Self::Duplicate { first, rule } => write!(f, "repeats {first} ({rule})"),
        }
    }
}

/// One thing wrong with one key: the key path, the value (rendered, or `<redacted>` for
/// secrets) and what is allowed. Displays as
/// `store.dedupe_retention_hours = 100: must be between 168 and 2160 (hours; Meta retries for 7 days)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    path: KeyPath,
    value: ShownValue,
    kind: ProblemKind,
}

impl Problem {
    /// A problem at `path` with the value shown as `value`.
    #[must_use]
    pub const fn at(path: KeyPath, value: ShownValue, kind: ProblemKind) -> Self {
        Self { path, value, kind }
    }

    /// Where the problem is.
    #[must_use]
    pub const fn path(&self) -> KeyPath {
        self.path
    }

    /// The value as shown.
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

/// Every problem found, up to [`MAX_PROBLEMS`]; the rest are counted.
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

    /// Adds `problem`, or counts it when the list is full.
    pub fn push(&mut self, problem: Problem) {
        if self.kept.push(problem).is_err() {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// The problems kept.
    pub fn iter(&self) -> core::slice::Iter<'_, Problem> {
        self.kept.iter()
    }

    /// How many problems were found, kept or not.
    #[must_use]
    pub fn len(&self) -> usize {
        self.kept.len().saturating_add(self.dropped)
    }

    /// Whether none was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many were counted but not kept.
    #[must_use]
    pub const fn dropped(&self) -> usize {
        self.dropped
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
