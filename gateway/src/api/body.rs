//! Request bodies of the operator API: read whole under a 64 KiB cap and a deadline, then
//! decoded from JSON.

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;
use serde::Deserialize;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a client has to send its whole body.
const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Why a body was not usable; each has its status and a message a person can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum BodyError {
    /// Over [`MAX_BODY_BYTES`].
    #[error("the request body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// Not received within the deadline.
    #[error("the request body was not received within {} s", BODY_DEADLINE.as_secs())]
    TimedOut,
    /// The connection failed while reading.
    #[error("the request body could not be read: {0}")]
    Read(String),
    /// Not the JSON the endpoint takes.
    #[error("the request body is not valid: {0}; send JSON like {1}")]
    Invalid(String, &'static str),
}

impl BodyError {
    /// The HTTP status for this error.
    pub(super) const fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::Read(_) | Self::Invalid(..) => StatusCode::BAD_REQUEST,
        }
    }
}

/// The body of `POST /api/v1/chats/{id}/transfer`.
#[derive(Debug, Deserialize)]
pub(super) struct TransferRequest {
    /// The department to send the chat to.
    pub(super) department: String,
}

const TRANSFER_EXAMPLE: &str = r#"{"department": "sales"}"#;

/// Reads a whole body (capped, with a deadline) and decodes it with `parse`, e.g.
/// [`parse_transfer`] or [`parse_send_check`].
pub(super) async fn read_request<B, T>(
    body: B,
    parse: fn(&[u8]) -> Result<T, BodyError>,
) -> Result<T, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let bytes = read_capped(body).await?;
    parse(&bytes)
}

/// Decodes a transfer request: a JSON object with a non-empty `department`.
pub(super) fn parse_transfer(bytes: &[u8]) -> Result<TransferRequest, BodyError> {
    let request: TransferRequest = serde_json::from_slice(bytes)
        .map_err(|error| BodyError::Invalid(error.to_string(), TRANSFER_EXAMPLE))?;
    if request.department.trim().is_empty() {
        return Err(BodyError::Invalid(
            "the department is empty".into(),
            TRANSFER_EXAMPLE,
        ));
    }
    Ok(request)
}

/// The body of `POST /api/v1/chats/{id}/send-check`: the message the operator wants to send.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum SendCheckRequest {
    /// Any non-template message. (A struct variant, so that unknown fields are refused.)
    FreeForm {},
    /// A registered template with this many parameters.
    Template {
        /// The template's name.
        name: String,
        /// Its language code.
        language: String,
        /// How many parameters the send would supply.
        #[serde(default)]
        parameters: usize,
    },
}

const SEND_CHECK_EXAMPLE: &str = r#"{"type": "free_form"} or {"type": "template", "name": "order_update", "language": "en_US", "parameters": 2}"#;

/// Decodes a send-check request.
pub(super) fn parse_send_check(bytes: &[u8]) -> Result<SendCheckRequest, BodyError> {
    serde_json::from_slice(bytes)
        .map_err(|error| BodyError::Invalid(error.to_string(), SEND_CHECK_EXAMPLE))
}

async fn read_capped<B>(body: B) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let collected =
        tokio::time::timeout(BODY_DEADLINE, Limited::new(body, MAX_BODY_BYTES).collect())
            .await
            .map_err(|_| BodyError::TimedOut)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge)
        }
        Err(error) => Err(BodyError::Read(error.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use http_body_util::Full;

    use super::*;

    #[tokio::test]
    async fn a_transfer_names_its_department() {
        let body = Full::new(Bytes::from_static(br#"{"department":"sales"}"#));
        assert_eq!(
            read_request(body, parse_transfer).await.unwrap().department,
            "sales"
        );
    }

    #[test]
    fn a_bad_transfer_body_is_refused_with_an_example() {
        for body in [
            &b""[..],
            b"{}",
            b"not json",
            br#"{"department": 5}"#,
            br#"{"department": " "}"#,
        ] {
            let error = parse_transfer(body).unwrap_err();
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            assert!(error.to_string().contains("department"), "{error}");
        }
    }

    #[test]
    fn a_send_check_names_a_free_form_message_or_a_template() {
        assert_eq!(
            parse_send_check(br#"{"type":"free_form"}"#).unwrap(),
            SendCheckRequest::FreeForm {}
        );
        assert_eq!(
            parse_send_check(
                br#"{"type":"template","name":"a","language":"en_US","parameters":2}"#
            )
            .unwrap(),
            SendCheckRequest::Template {
                name: "a".into(),
                language: "en_US".into(),
                parameters: 2
            }
        );
        for body in [
            &b""[..],
            b"{}",
            br#"{"type":"fax"}"#,
            br#"{"type":"template","name":"a"}"#,
            br#"{"type":"template","name":"a","language":"en","parameters":-1}"#,
            br#"{"type":"free_form","extra":1}"#,
            br#"{"type":"template","name":"a","language":"en","paramters":1}"#,
        ] {
            let error = parse_send_check(body).unwrap_err();
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            assert!(error.to_string().contains("free_form"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused() {
        let mut text = String::from(r#"{"department":""#);
        text.push_str(&"x".repeat(MAX_BODY_BYTES));
        text.push_str(r#""}"#);
        let error = read_request(Full::new(Bytes::from(text)), parse_transfer)
            .await
            .unwrap_err();
        assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let at_cap = Full::new(Bytes::from(vec![b' '; MAX_BODY_BYTES]));
        assert_eq!(read_capped(at_cap).await.unwrap().len(), MAX_BODY_BYTES);
    }
}
