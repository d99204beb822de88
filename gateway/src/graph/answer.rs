//! What Meta's answer to a send means: accepted with its wamid, or Meta's error object (the
//! code decides, never the HTTP status), or a failure on the way.

use serde::Deserialize;

use crate::meta::GraphError;

/// Meta accepted the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendAccepted {
    /// Meta's id of the message.
    pub wamid: String,
}

/// Why a request to Meta did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum GraphFailure {
    /// Meta answered with its error object.
    #[error("Meta refused it (HTTP {status}): error {}{}", .error.code, .error.title.as_deref().or(.error.message.as_deref()).map(|title| format!(" ({title})")).unwrap_or_default())]
    Meta {
        /// The HTTP status (for the log only).
        status: u16,
        /// Meta's error.
        error: Box<GraphError>,
    },
    /// The request did not leave: the connection could not be made. Meta has not seen it.
    #[error("Meta could not be reached: {0}")]
    NotSent(String),
    /// The request left but no answer came (timeout, connection dropped): Meta may have
    /// accepted it.
    #[error("no answer from Meta: {0}")]
    NoAnswer(String),
    /// An answer that is neither success nor Meta's error shape.
    #[error("an answer Meta does not give (HTTP {status}): {reason}")]
    Unreadable {
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
}

#[derive(Deserialize)]
struct Success {
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: String,
}

#[derive(Deserialize)]
struct Failure {
    error: GraphError,
}

/// Reads Meta's answer to a send.
pub(super) fn read_send_answer(status: u16, body: &[u8]) -> Result<SendAccepted, GraphFailure> {
    if (200..300).contains(&status) {
        return match serde_json::from_slice::<Success>(body) {
            Ok(Success { messages }) => match messages.into_iter().next() {
                Some(message) if !message.id.is_empty() => Ok(SendAccepted { wamid: message.id }),
                _ => Err(GraphFailure::Unreadable {
                    status,
                    reason: "no message id in messages[]".into(),
                }),
            },
            Err(error) => Err(GraphFailure::Unreadable {
                status,
                reason: error.to_string(),
            }),
        };
    }
    read_error(status, body)
}

/// Reads Meta's error object from a failed answer.
pub(super) fn read_error<T>(status: u16, body: &[u8]) -> Result<T, GraphFailure> {
    match serde_json::from_slice::<Failure>(body) {
        Ok(Failure { error }) => Err(GraphFailure::Meta {
            status,
            error: Box::new(error),
        }),
        // A proxy's 502 page, an empty 503: nothing says Meta refused it.
        Err(_) if status >= 500 || status == 429 => Err(GraphFailure::NotSent(format!(
            "HTTP {status} without Meta's error object (a proxy's or load balancer's answer)"
        ))),
        Err(error) => Err(GraphFailure::Unreadable {
            status,
            reason: error.to_string(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_success_names_the_wamid() {
        let body = br#"{"messaging_product":"whatsapp","contacts":[{"input":"1","wa_id":"1"}],
                        "messages":[{"id":"wamid.HBg","message_status":"accepted"}]}"#;
        assert_eq!(read_send_answer(200, body).unwrap().wamid, "wamid.HBg");
    }

    #[test]
    fn an_error_is_read_by_its_code_whatever_the_status() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException",
                        "code":131047,"error_data":{"messaging_product":"whatsapp","details":"More than 24 hours"},
                        "fbtrace_id":"A"}}"#;
        match read_send_answer(400, body).unwrap_err() {
            GraphFailure::Meta { error, .. } => {
                assert_eq!(error.code, 131_047);
                assert_eq!(error.details(), Some("More than 24 hours"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bare_5xx_is_a_failure_on_the_way() {
        assert!(matches!(
            read_send_answer(502, b"<html>bad gateway</html>").unwrap_err(),
            GraphFailure::NotSent(_)
        ));
        assert!(matches!(
            read_send_answer(200, b"{}").unwrap_err(),
            GraphFailure::Unreadable { .. }
        ));
    }
}
