//! How a problem report shows a value: rendered and cut to a fixed size, or withheld.

use core::fmt::{self, Write as _};

/// Room for a rendered value in a [`crate::Problem`], in bytes; longer values are cut with `…`.
pub const VALUE_CAPACITY: usize = 64;

/// A value as a problem report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownValue {
    /// The value, rendered (strings quoted), cut to [`VALUE_CAPACITY`] bytes.
    Shown(heapless::String<VALUE_CAPACITY>),
    /// The value is a secret: reports print `<redacted>`.
    Redacted,
    /// The report does not show the value (for instance a value of the wrong type).
    Hidden,
}

impl ShownValue {
    /// Renders `value` with its `Display`, cutting it to [`VALUE_CAPACITY`] bytes.
    pub fn display(value: impl fmt::Display) -> Self {
        let mut out = Truncating::default();
        // `Truncating` never fails; it drops what does not fit.
        let _complete = write!(out, "{value}");
        Self::Shown(out.finish())
    }

    /// Renders the string `text` quoted and escaped, cut to [`VALUE_CAPACITY`] bytes.
    #[must_use]
    pub fn quoted(text: &str) -> Self {
        let mut out = Truncating::default();
        let _complete = write!(out, "{text:?}");
        Self::Shown(out.finish())
    }
}

/// A `fmt::Write` into a fixed string that keeps what fits and marks the cut with `…`.
#[derive(Default)]
struct Truncating {
    out: heapless::String<VALUE_CAPACITY>,
    cut: bool,
}

impl Truncating {
    const ELLIPSIS: char = '…';

    fn finish(mut self) -> heapless::String<VALUE_CAPACITY> {
        if self.cut {
            let room = VALUE_CAPACITY - Self::ELLIPSIS.len_utf8();
            while self.out.len() > room {
                self.out.pop();
            }
            // `room` bytes were freed above, so the ellipsis fits.
            let _fits = self.out.push(Self::ELLIPSIS);
        }
        self.out
    }
}

impl fmt::Write for Truncating {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for ch in text.chars() {
            if self.cut || self.out.push(ch).is_err() {
                self.cut = true;
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_an_ellipsis_on_a_char_boundary() {
        let long = "é".repeat(100);
        let ShownValue::Shown(text) = ShownValue::quoted(&long) else {
            panic!("quoted values are shown");
        };
        assert!(text.len() <= VALUE_CAPACITY);
        assert!(text.starts_with("\"éé"));
        assert!(text.ends_with('…'));
        let ShownValue::Shown(short) = ShownValue::quoted("a\"b") else {
            panic!("quoted values are shown");
        };
        assert_eq!(short, "\"a\\\"b\"");
    }
}
