//! Canned responses: texts an operator picks by shortcut, with placeholders filled in for the
//! chat at hand (see [`super::render`]).

use serde::{Deserialize, Serialize};

use super::{Invalid, ToolSource};
use crate::time::UnixMs;

/// The longest shortcut, in characters.
pub const MAX_SHORTCUT_CHARS: usize = 32;
/// The longest body, in bytes (a WhatsApp text's limit).
pub const MAX_CANNED_BODY_BYTES: usize = 4096;

/// A canned response as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    /// Its id.
    pub id: String,
    /// What an operator types to pick it (no whitespace; unique).
    pub shortcut: String,
    /// The text, with placeholders such as `{{contact.name}}`.
    pub body: String,
    /// Who put it.
    pub source: ToolSource,
    /// When it was last put.
    pub updated_at: UnixMs,
}

/// What whoever puts a canned response gives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CannedInput {
    /// See [`CannedResponse::shortcut`].
    pub shortcut: String,
    /// See [`CannedResponse::body`].
    pub body: String,
}

impl CannedInput {
    /// Checks the limits: a shortcut of 1 to [`MAX_SHORTCUT_CHARS`] characters without
    /// whitespace or control characters, and a body that is not blank and at most
    /// [`MAX_CANNED_BODY_BYTES`] bytes.
    pub fn check(&self) -> Result<(), Invalid> {
        let chars = self.shortcut.chars().count();
        if chars == 0 || chars > MAX_SHORTCUT_CHARS {
            return Err(Invalid::new(
                "shortcut",
                format!(
                    "a shortcut is 1 to {MAX_SHORTCUT_CHARS} characters (this one has {chars})"
                ),
            ));
        }
        if self
            .shortcut
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Invalid::new(
                "shortcut",
                "a shortcut has no spaces or other whitespace; write it as one word (e.g. \"greeting\" or \"opening-hours\")",
            ));
        }
        if self.body.trim().is_empty() {
            return Err(Invalid::new(
                "body",
                "the body is empty; write the text to send",
            ));
        }
        if self.body.len() > MAX_CANNED_BODY_BYTES {
            return Err(Invalid::new(
                "body",
                format!(
                    "the body is {} bytes; at most {MAX_CANNED_BODY_BYTES} fit in one message",
                    self.body.len()
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn input(shortcut: &str, body: &str) -> CannedInput {
        CannedInput {
            shortcut: shortcut.into(),
            body: body.into(),
        }
    }

    #[test]
    fn the_limits_name_the_field_at_fault() {
        assert!(input("hi", "Hello {{contact.name}}").check().is_ok());
        assert!(input(&"é".repeat(32), "x").check().is_ok());
        assert!(
            input("x", &"a".repeat(MAX_CANNED_BODY_BYTES))
                .check()
                .is_ok()
        );
        for shortcut in ["", "two words", "tab\there", &"x".repeat(33)] {
            assert_eq!(input(shortcut, "x").check().unwrap_err().field, "shortcut");
        }
        for body in ["", "  \n", &"a".repeat(MAX_CANNED_BODY_BYTES + 1)] {
            assert_eq!(input("x", body).check().unwrap_err().field, "body");
        }
    }
}
