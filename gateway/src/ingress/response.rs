//! Plain-text responses with a status and a message a person can act on.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

/// The body type every handler answers with.
pub type Reply = Response<Full<Bytes>>;

/// A `text/plain` reply.
pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A reply with a message line (a newline is added).
pub fn message(status: StatusCode, message: &str) -> Reply {
    text(status, format!("{message}\n"))
}

/// 405 with the methods that are allowed.
pub fn method_not_allowed(allowed: &'static str) -> Reply {
    let mut response = message(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method not allowed here; use {allowed}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    response
}

/// 404.
pub fn not_found() -> Reply {
    message(StatusCode::NOT_FOUND, "not found")
}
