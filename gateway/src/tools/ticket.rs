//! A request for a ticket at headquarters, made from a chat: an optional subject and note on
//! top of the chat's transcript (which the store adds).

use serde::Deserialize;

use super::{Invalid, MAX_NOTE_BYTES, MAX_TITLE_CHARS, has_control, trimmed};

/// What the operator adds to a ticket request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// A one-line subject (at most [`MAX_TITLE_CHARS`] characters).
    #[serde(default)]
    pub subject: Option<String>,
    /// A note for whoever takes the ticket (at most [`MAX_NOTE_BYTES`] bytes).
    #[serde(default)]
    pub note: Option<String>,
}

impl TicketRequest {
    /// Checks the limits; blank fields are dropped.
    pub fn checked(&self) -> Result<Self, Invalid> {
        let request = Self {
            subject: trimmed(&self.subject),
            note: trimmed(&self.note),
        };
        if let Some(subject) = &request.subject
            && (subject.chars().count() > MAX_TITLE_CHARS || has_control(subject))
        {
            return Err(Invalid::new(
                "subject",
                format!("a subject is one line of at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        if let Some(note) = &request.note
            && note.len() > MAX_NOTE_BYTES
        {
            return Err(Invalid::new(
                "note",
                format!("the note is {} bytes; at most {MAX_NOTE_BYTES}", note.len()),
            ));
        }
        Ok(request)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_request_is_optional_and_bounded() {
        assert_eq!(
            TicketRequest::default().checked().unwrap(),
            TicketRequest::default()
        );
        let request = TicketRequest {
            subject: Some(" Refund ".into()),
            note: Some(" ".into()),
        };
        let kept = request.checked().unwrap();
        assert_eq!(kept.subject.as_deref(), Some("Refund"));
        assert_eq!(kept.note, None);
        let long = TicketRequest {
            subject: Some("s".repeat(MAX_TITLE_CHARS + 1)),
            note: None,
        };
        assert_eq!(long.checked().unwrap_err().field, "subject");
    }
}
