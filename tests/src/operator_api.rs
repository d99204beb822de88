//! Calls to the operator API on the local listener, for the suites that drive it.

use bytes::Bytes;
use http::Method;
use serde_json::Value;

use crate::http_client::{HttpConnection, HttpReply};
use crate::suite::{assert_status, must};

/// One API call with `token` (none: no Authorization header) and an optional JSON body.
pub async fn call(
    connection: &mut HttpConnection,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> HttpReply {
    call_with(connection, method, path, token, &[], body).await
}

/// [`call`] with more request headers.
pub async fn call_with(
    connection: &mut HttpConnection,
    method: Method,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: Option<Value>,
) -> HttpReply {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let mut headers: Vec<(&str, &str)> = extra.to_vec();
    if let Some(value) = &authorization {
        headers.push(("authorization", value.as_str()));
    }
    let body = match body {
        Some(value) => {
            headers.push(("content-type", "application/json"));
            Bytes::from(value.to_string())
        }
        None => Bytes::new(),
    };
    must(connection.request(method, path, &headers, body).await)
}

/// The reply's JSON body, after checking its status and content type.
#[track_caller]
pub fn json_of(reply: &HttpReply, status: u16, context: &str) -> Value {
    assert_status(reply, status, context);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{context}"
    );
    must(serde_json::from_slice(&reply.body))
}

/// Every item of a paged listing (`/api/v1/chats`, `/api/v1/messages`): the `field` array of
/// each page, following `next_after` until the last page.
pub async fn list_all(
    connection: &mut HttpConnection,
    path: &str,
    token: &str,
    field: &str,
) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after = 0;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let page_path = format!("{path}{separator}after={after}");
        let reply = call(connection, Method::GET, &page_path, Some(token), None).await;
        let page = json_of(&reply, 200, &page_path);
        items.extend(page[field].as_array().cloned().unwrap_or_default());
        match page["next_after"].as_u64() {
            Some(next) => after = next,
            None => return items,
        }
    }
}
