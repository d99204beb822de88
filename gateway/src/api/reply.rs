//! JSON replies: a value with a status, or `{"error": "..."}` with a message a person can act on.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;

use crate::ingress::response::Reply;

/// `value` as JSON with `status`.
pub(super) fn json(status: StatusCode, value: &impl Serialize) -> Reply {
    match serde_json::to_vec(value) {
        Ok(mut body) => {
            body.push(b'\n');
            with_json_body(status, body)
        }
        // Only a map with non-string keys fails; none of the API's types has one.
        Err(error) => error_reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the reply could not be written as JSON: {error}"),
        ),
    }
}

/// `{"error": message}` with `status`.
pub(super) fn error_reply(status: StatusCode, message: &str) -> Reply {
    let body = serde_json::json!({ "error": message }).to_string();
    with_json_body(status, format!("{body}\n"))
}

/// 401 with `WWW-Authenticate: Bearer`.
pub(super) fn unauthorized(message: &str) -> Reply {
    let mut reply = error_reply(StatusCode::UNAUTHORIZED, message);
    reply
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    reply
}

/// 405 with the `Allow` header.
pub(super) fn method_not_allowed(allowed: &'static str, message: &str) -> Reply {
    let mut reply = error_reply(StatusCode::METHOD_NOT_ALLOWED, message);
    reply
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    reply
}

fn with_json_body(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn body_json(reply: Reply) -> serde_json::Value {
        let bytes = reply.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn errors_are_json_with_a_message() {
        let reply = error_reply(StatusCode::NOT_FOUND, "no chat \"42\"");
        assert_eq!(reply.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            reply.headers()[header::CONTENT_TYPE],
            HeaderValue::from_static("application/json")
        );
        assert_eq!(
            body_json(reply).await,
            serde_json::json!({"error": "no chat \"42\""})
        );
    }

    #[tokio::test]
    async fn unauthorized_asks_for_a_bearer_token() {
        let reply = unauthorized("missing token");
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(reply.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(body_json(reply).await["error"], "missing token");
    }

    #[tokio::test]
    async fn method_not_allowed_names_the_method() {
        let reply = method_not_allowed("POST", "use POST");
        assert_eq!(reply.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.headers()[header::ALLOW], "POST");
    }
}
