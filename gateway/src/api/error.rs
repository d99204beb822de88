//! Why the local listener refused a request: one typed error per cause, each with its status
//! and a message a person can act on, answered as `{"error": "<message>"}`.
//!
//! axum's own rejections (bad JSON, a missing or mistyped field, a wrong content type, a body
//! over the limit, a query it cannot decode) are turned into these by the extractors in
//! `extract.rs`; the answers tower-http's layers make (413 before the body is read, 408) by
//! [`framework_answer_as_json`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

use super::departments::UnknownDepartment;
use super::{ENDPOINTS, MAX_BODY_BYTES, REQUEST_DEADLINE};
use crate::chat::Refusal;
use crate::store::{StoreError, ToolRefusal};
use crate::tools::Undefined;

/// A refused request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum ApiError {
    /// No `Authorization` header on a request under `/api/`.
    #[error(
        "this API needs an operator's token: send Authorization: Bearer <token>, or sign in at /console"
    )]
    NoToken,
    /// A console's session cookie of a session that ended (idle, its limit, signed out).
    #[error("the console session ended; sign in again at /console")]
    SessionEnded,
    /// A console's request that changes something without its session's CSRF token.
    #[error(
        "a console request that changes something must carry the page's X-CSRF-Token header; reload the console"
    )]
    NoCsrfToken,
    /// A token that is no operator's.
    #[error("the bearer token is not an operator's token; check the token you were given")]
    WrongToken,
    /// Too many wrong tokens from this client lately: every token is refused for a while.
    #[error(
        "too many wrong tokens from this address; wait {0} s (the Retry-After header) and check the token you were given"
    )]
    TooManyGuesses(u64),
    /// Nothing lives at this path.
    #[error("no endpoint {path}; the local listener serves {ENDPOINTS}")]
    NoEndpoint {
        /// The path asked for.
        path: String,
    },
    /// The path exists, but not for this method (the `Allow` header names the methods).
    #[error("{method} is not allowed on {path}; use a method the Allow header names")]
    MethodNotAllowed {
        /// The method used.
        method: Method,
        /// The path.
        path: String,
    },
    /// No chat has this id (an id that is not a decimal number names no chat either).
    #[error("no chat {0}")]
    NoChat(String),
    /// A paid message the credits do not cover (answered with the estimate and the balance).
    #[error("{reason}")]
    NoCredits {
        /// The refusal, with the amounts in words.
        reason: String,
        /// The message's estimate.
        estimate_micro_usd: u64,
        /// Purchases less charges.
        balance_micro_usd: i64,
        /// The balance less what queued paid messages reserved.
        available_micro_usd: i64,
    },
    /// No outgoing message has this id.
    #[error("no message {0}")]
    NoMessage(String),
    /// No dead-lettered batch to headquarters starts at this event.
    #[error(
        "no dead-lettered batch starts at event {0}; GET /api/v1/status lists them (upstream.dead_batches)"
    )]
    NoDeadBatch(String),
    /// A message was not queued: every reason is named (answered with `reasons`).
    #[error("the message was not sent: {}", .reasons.join("; "))]
    SendRefused {
        /// 409 (the chat), 422 (the rules), 402 (credits).
        status: StatusCode,
        /// Each rule that refused, in words a person can act on.
        reasons: Vec<String>,
    },
    /// The query string is not one the endpoint takes.
    #[error("the query is not valid: {0}")]
    BadQuery(String),
    /// The body is not the JSON the endpoint takes.
    #[error("the request body is not valid: {reason}; send JSON like {example}")]
    BadBody {
        /// What is wrong, naming the field when one is at fault.
        reason: String,
        /// A body the endpoint takes.
        example: &'static str,
    },
    /// A body without `Content-Type: application/json`.
    #[error(
        "the request body must be sent with Content-Type: application/json; send JSON like {example}"
    )]
    NotJson {
        /// A body the endpoint takes.
        example: &'static str,
    },
    /// A body over [`MAX_BODY_BYTES`].
    #[error("the request body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// The request was not complete and answered within [`REQUEST_DEADLINE`].
    #[error(
        "the request did not complete within {} s; send the whole body at once and try again",
        REQUEST_DEADLINE.as_secs()
    )]
    TimedOut,
    /// The connection failed while the body was read.
    #[error("the request body could not be read: {0}")]
    BodyRead(String),
    /// The chat's lifecycle refuses the action (it is closed, another operator serves it...).
    #[error("{0}")]
    Refused(Refusal),
    /// A transfer to a department that is not configured.
    #[error(transparent)]
    UnknownDepartment(#[from] UnknownDepartment),
    /// The store cannot answer now (recovering from a disk error, shutting down).
    #[error("the store cannot answer now ({0}); try again shortly")]
    StoreUnavailable(StoreError),
    /// A tool's change was refused (the status follows the cause: see [`tool_status`]).
    #[error("{0}")]
    Tool(#[from] ToolRefusal),
    /// A canned response cannot be rendered for the chat (answered with `placeholders`).
    #[error("{0}")]
    Undefined(Undefined),
    /// As many event streams are open as the gateway serves.
    #[error(
        "{0} event streams are open, the most the gateway serves at once; close one, or retry later"
    )]
    TooManyStreams(usize),
    /// A `Last-Event-ID` or `after` that is not an event's seq.
    #[error(
        "{0} is not an event's sequence number; send the decimal seq of the last event you received"
    )]
    BadEventId(String),
}

impl ApiError {
    /// The HTTP status for this error.
    pub(super) const fn status(&self) -> StatusCode {
        match self {
            Self::NoToken | Self::WrongToken | Self::SessionEnded => StatusCode::UNAUTHORIZED,
            Self::NoCsrfToken => StatusCode::FORBIDDEN,
            Self::TooManyGuesses(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::NoEndpoint { .. }
            | Self::NoChat(_)
            | Self::NoMessage(_)
            | Self::NoDeadBatch(_) => StatusCode::NOT_FOUND,
            Self::SendRefused { status, .. } => *status,
            Self::NoCredits { .. } => StatusCode::PAYMENT_REQUIRED,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadQuery(_) | Self::BadBody { .. } | Self::BodyRead(_) => StatusCode::BAD_REQUEST,
            Self::NotJson { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::Refused(_) => StatusCode::CONFLICT,
            Self::UnknownDepartment(_) | Self::Undefined(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::StoreUnavailable(_) | Self::TooManyStreams(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Tool(refusal) => tool_status(refusal),
            Self::BadEventId(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// The status of a tool's refusal: 404 (no such chat, canned response or article), 422 (not
/// within the limits), 409 (a shortcut another canned response has), 503 (the store).
const fn tool_status(refusal: &ToolRefusal) -> StatusCode {
    match refusal {
        ToolRefusal::NoChat(_) | ToolRefusal::NoCannedResponse(_) | ToolRefusal::NoArticle(_) => {
            StatusCode::NOT_FOUND
        }
        ToolRefusal::ShortcutTaken { .. } => StatusCode::CONFLICT,
        ToolRefusal::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::StoreUnavailable(error) | Self::Tool(ToolRefusal::Store(error)) = &self {
            tracing::warn!(%error, "the local API could not reach the store");
        }
        let status = self.status();
        let mut body = serde_json::json!({ "error": self.to_string() });
        match &self {
            Self::SendRefused { reasons, .. } => body["reasons"] = serde_json::json!(reasons),
            Self::NoCredits {
                reason,
                estimate_micro_usd,
                balance_micro_usd,
                available_micro_usd,
            } => {
                body["reasons"] = serde_json::json!([reason]);
                body["estimate_micro_usd"] = serde_json::json!(estimate_micro_usd);
                body["balance_micro_usd"] = serde_json::json!(balance_micro_usd);
                body["available_micro_usd"] = serde_json::json!(available_micro_usd);
            }
            Self::Tool(ToolRefusal::Invalid(invalid)) => {
                body["field"] = serde_json::json!(invalid.field);
            }
            Self::Undefined(undefined) => {
                let names: Vec<&str> = undefined.0.iter().map(|p| p.name.as_str()).collect();
                body["placeholders"] = serde_json::json!(names);
            }
            _ => {}
        }
        let mut response = (status, Json(body)).into_response();
        if let Self::TooManyGuesses(seconds) = self
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The answers tower-http's layers make on their own, in the JSON shape: 413 when the declared
/// length is over the limit (the body is never read) and 408 when the deadline passed. Every
/// other response passes unchanged.
pub(super) async fn framework_answer_as_json(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    match response.status() {
        _ if is_json => response,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge.into_response(),
        StatusCode::REQUEST_TIMEOUT => ApiError::TimedOut.into_response(),
        _ => response,
    }
}
