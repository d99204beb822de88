//! Internal notes on a chat: written by operators (or headquarters) for each other, never sent
//! to the customer.

use serde::{Deserialize, Serialize};

use super::Invalid;
use crate::time::UnixMs;

/// The longest note, in bytes.
pub const MAX_NOTE_BYTES: usize = 4096;
/// The most notes one chat keeps.
pub const MAX_NOTES_PER_CHAT: u64 = 100;

/// A note on a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Its number in its chat, from 1 (the store's key; not stored in the value).
    #[serde(skip)]
    pub n: u64,
    /// Who wrote it (an operator's name, or headquarters).
    pub author: String,
    /// What it says.
    pub text: String,
    /// When it was written.
    pub at: UnixMs,
}

/// Checks a note's text: not blank, at most [`MAX_NOTE_BYTES`] bytes.
pub fn check_note(text: &str) -> Result<(), Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new(
            "text",
            "the note is empty; write what to note",
        ));
    }
    if text.len() > MAX_NOTE_BYTES {
        return Err(Invalid::new(
            "text",
            format!(
                "the note is {} bytes; at most {MAX_NOTE_BYTES} are kept (split it)",
                text.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_has_text_within_the_limit() {
        assert!(check_note("call back after 5").is_ok());
        for text in ["", " \n ", &"n".repeat(MAX_NOTE_BYTES + 1)] {
            assert!(check_note(text).is_err());
        }
    }
}
