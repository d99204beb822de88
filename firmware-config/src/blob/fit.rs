//! Copies decoded wire values into the configuration's fixed capacities ([`Fit`]), reporting
//! each that does not fit instead of stopping at the first.

use crate::key_path::KeyPath;
use crate::problem::{Problem, ProblemKind, Problems};
use crate::shown_value::ShownValue;

/// Copies wire strings and lists into fixed-capacity ones, reporting those that do not fit.
pub(super) struct Fit<'p> {
    problems: &'p mut Problems,
}

impl<'p> Fit<'p> {
    /// A fitter that reports to `problems`.
    pub(super) const fn new(problems: &'p mut Problems) -> Self {
        Self { problems }
    }

    /// `text` in `N` bytes, or empty (and reported) when it is longer.
    pub(super) fn text<const N: usize>(
        &mut self,
        key: impl Into<KeyPath>,
        text: &str,
    ) -> heapless::String<N> {
        self.checked(key, text, ShownValue::quoted(text))
    }

    /// As [`Self::text`], showing the value as `shown` (`Redacted` for a secret).
    pub(super) fn checked<const N: usize>(
        &mut self,
        key: impl Into<KeyPath>,
        text: &str,
        shown: ShownValue,
    ) -> heapless::String<N> {
        heapless::String::try_from(text).unwrap_or_else(|_| {
            self.problems.push(Problem::at(
                key.into(),
                shown,
                ProblemKind::TooLong {
                    len: text.len(),
                    capacity: N,
                },
            ));
            heapless::String::new()
        })
    }

    /// Reports that the list at `key` had `len` entries where `capacity` fit.
    pub(super) fn too_many(&mut self, key: impl Into<KeyPath>, len: usize, capacity: usize) {
        self.problems.push(Problem::at(
            key.into(),
            ShownValue::Hidden,
            ProblemKind::TooMany { len, capacity },
        ));
    }
}
