//! Which endpoint a request names: method, path and query to a [`Route`], or the error reply's
//! status and message. Pure: no store, no body.
//!
//! A chat id that is not a decimal number names no chat: it is answered 404 like an unknown id
//! (`/api/v1/chats/abc` is a resource that does not exist, not a malformed request).

use http::{Method, StatusCode};

use crate::store::ChatFilter;

/// The path every endpoint lives under.
pub const API_PREFIX: &str = "/api/v1/";

/// An endpoint and its arguments.
#[derive(Debug)]
pub(super) enum Route {
    /// `GET /api/v1/chats[?state=...]`.
    ListChats(ChatFilter),
    /// `GET /api/v1/chats/{id}`.
    ChatDetail(u64),
    /// `POST /api/v1/chats/{id}/accept`.
    Accept(u64),
    /// `POST /api/v1/chats/{id}/close`.
    Close(u64),
    /// `POST /api/v1/chats/{id}/transfer` with `{"department": "..."}`.
    Transfer(u64),
    /// `POST /api/v1/chats/{id}/send-check` with the message to check.
    SendCheck(u64),
    /// `GET /api/v1/templates`.
    Templates,
}

/// Why a request names no endpoint it can use.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RouteError {
    /// Nothing lives at this path (or the chat id is not a number).
    NotFound(String),
    /// The path exists but not for this method; the allowed one.
    MethodNotAllowed(&'static str),
    /// The query is not one the endpoint takes.
    BadQuery(String),
}

impl RouteError {
    /// The HTTP status for this error.
    pub(super) const fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadQuery(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The message for the person calling.
    pub(super) fn message(&self) -> String {
        match self {
            Self::NotFound(message) | Self::BadQuery(message) => message.clone(),
            Self::MethodNotAllowed(allowed) => {
                format!("method not allowed here; use {allowed}")
            }
        }
    }
}

/// The route for `method` on `path` with `query`.
pub(super) fn route(method: &Method, path: &str, query: Option<&str>) -> Result<Route, RouteError> {
    let unknown = || {
        RouteError::NotFound(format!(
            "no endpoint {path}; the API serves {API_PREFIX}chats, {API_PREFIX}chats/{{id}}, \
             {API_PREFIX}chats/{{id}}/accept|close|transfer|send-check and {API_PREFIX}templates"
        ))
    };
    let rest = path.strip_prefix(API_PREFIX).ok_or_else(unknown)?;
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["chats"] => {
            require(method, &Method::GET, "GET")?;
            Ok(Route::ListChats(chat_filter(query)?))
        }
        ["templates"] => {
            require(method, &Method::GET, "GET")?;
            Ok(Route::Templates)
        }
        ["chats", id] => {
            let id = chat_id(id)?;
            require(method, &Method::GET, "GET")?;
            Ok(Route::ChatDetail(id))
        }
        ["chats", id, action] => {
            let make: fn(u64) -> Route = match *action {
                "accept" => Route::Accept,
                "close" => Route::Close,
                "transfer" => Route::Transfer,
                "send-check" => Route::SendCheck,
                _ => return Err(unknown()),
            };
            let id = chat_id(id)?;
            require(method, &Method::POST, "POST")?;
            Ok(make(id))
        }
        _ => Err(unknown()),
    }
}

fn require(method: &Method, expected: &Method, allowed: &'static str) -> Result<(), RouteError> {
    if method == expected {
        Ok(())
    } else {
        Err(RouteError::MethodNotAllowed(allowed))
    }
}

/// A chat id: decimal digits only (no sign, no spaces).
fn chat_id(text: &str) -> Result<u64, RouteError> {
    let not_found = || RouteError::NotFound(format!("no chat {text}"));
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(not_found());
    }
    text.parse().map_err(|_| not_found())
}

/// The `state` query parameter: absent means every chat.
fn chat_filter(query: Option<&str>) -> Result<ChatFilter, RouteError> {
    let mut filter = ChatFilter::All;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key != "state" {
            continue;
        }
        filter = match value.as_ref() {
            "waiting" => ChatFilter::Waiting,
            "active" => ChatFilter::Active,
            "closed" => ChatFilter::Closed,
            other => {
                return Err(RouteError::BadQuery(format!(
                    "unknown chat state {other:?}; use state=waiting, state=active or \
                     state=closed, or no state for every chat"
                )));
            }
        };
    }
    Ok(filter)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_chat_list_takes_an_optional_state() {
        let get = Method::GET;
        assert!(matches!(
            route(&get, "/api/v1/chats", None),
            Ok(Route::ListChats(ChatFilter::All))
        ));
        assert!(matches!(
            route(&get, "/api/v1/chats/", Some("state=waiting")),
            Ok(Route::ListChats(ChatFilter::Waiting))
        ));
        assert!(matches!(
            route(&get, "/api/v1/chats", Some("state=active")),
            Ok(Route::ListChats(ChatFilter::Active))
        ));
        assert!(matches!(
            route(&get, "/api/v1/chats", Some("state=closed")),
            Ok(Route::ListChats(ChatFilter::Closed))
        ));
        let error = route(&get, "/api/v1/chats", Some("state=bogus")).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert!(error.message().contains("waiting"), "{}", error.message());
        assert!(route(&get, "/api/v1/chats", Some("state=")).is_err());
    }

    #[test]
    fn chat_ids_and_actions() {
        assert!(matches!(
            route(&Method::GET, "/api/v1/chats/42", None),
            Ok(Route::ChatDetail(42))
        ));
        assert!(matches!(
            route(&Method::POST, "/api/v1/chats/42/accept", None),
            Ok(Route::Accept(42))
        ));
        assert!(matches!(
            route(&Method::POST, "/api/v1/chats/42/close", None),
            Ok(Route::Close(42))
        ));
        assert!(matches!(
            route(&Method::POST, "/api/v1/chats/42/transfer", None),
            Ok(Route::Transfer(42))
        ));
        assert!(matches!(
            route(&Method::POST, "/api/v1/chats/42/send-check", None),
            Ok(Route::SendCheck(42))
        ));
        assert!(matches!(
            route(&Method::GET, "/api/v1/templates", None),
            Ok(Route::Templates)
        ));
    }

    #[test]
    fn an_id_that_is_not_a_number_names_no_chat() {
        for id in ["abc", "+4", "-1", "4 2", "99999999999999999999999"] {
            let error = route(&Method::GET, &format!("/api/v1/chats/{id}"), None).unwrap_err();
            assert_eq!(error, RouteError::NotFound(format!("no chat {id}")));
        }
    }

    #[test]
    fn wrong_methods_and_unknown_paths() {
        let error = route(&Method::POST, "/api/v1/chats/1", None).unwrap_err();
        assert_eq!(error, RouteError::MethodNotAllowed("GET"));
        let error = route(&Method::GET, "/api/v1/chats/1/accept", None).unwrap_err();
        assert_eq!(error, RouteError::MethodNotAllowed("POST"));
        let error = route(&Method::DELETE, "/api/v1/chats", None).unwrap_err();
        assert_eq!(error.status(), StatusCode::METHOD_NOT_ALLOWED);
        for path in [
            "/api/",
            "/api/v2/chats",
            "/api/v1/chat",
            "/api/v1/chats/1/reopen",
            "/api/v1/chats/1/accept/x",
        ] {
            let error = route(&Method::GET, path, None).unwrap_err();
            assert_eq!(error.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}
