//! What handlers take from a request, with axum's rejections turned into [`ApiError`]s: a JSON
//! body ([`ApiJson`]), a chat id ([`ChatId`]) or a canned response's or article's id
//! ([`ToolId`]) from the path, and the chat list's filter and page ([`ChatListQuery`]).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::store::{ChatFilter, Page};

/// A request body type, with an example of a body the endpoint takes (for error messages).
pub(super) trait RequestBody: DeserializeOwned {
    /// A valid body, as the person calling would write it.
    const EXAMPLE: &'static str;
}

/// A JSON body of type `T`: sent with `Content-Type: application/json`, within the size limit,
/// and decoding to `T`. Every way it can fail is a [`ApiError`] naming what to fix (the field,
/// with its line and column, when one is at fault).
#[derive(Debug)]
pub(super) struct ApiJson<T>(pub(super) T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: RequestBody,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(body_error(&rejection, T::EXAMPLE)),
        }
    }
}

/// The error for a body axum could not take.
fn body_error(rejection: &JsonRejection, example: &'static str) -> ApiError {
    use axum::extract::rejection::FailedToBufferBody;
    match rejection {
        // serde's own words: "missing field `department` at line 1 column 2", "department:
        // invalid type: integer `5`, expected a string at line 1 column 16".
        JsonRejection::JsonDataError(error) => ApiError::BadBody {
            reason: cause(error),
            example,
        },
        JsonRejection::JsonSyntaxError(error) => ApiError::BadBody {
            reason: cause(error),
            example,
        },
        JsonRejection::MissingJsonContentType(_) => ApiError::NotJson { example },
        JsonRejection::BytesRejection(
            axum::extract::rejection::BytesRejection::FailedToBufferBody(
                FailedToBufferBody::LengthLimitError(_),
            ),
        ) => ApiError::TooLarge,
        other => ApiError::BodyRead(cause(other)),
    }
}

/// The id in `/api/v1/chats/{id}/...`: decimal digits only (no sign, no spaces). Anything else
/// names no chat: 404, like an unknown id (`/api/v1/chats/abc` is a resource that does not
/// exist, not a malformed request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ChatId(pub(super) u64);

impl ChatId {
    fn parse(text: &str) -> Result<Self, ApiError> {
        let digits = !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
        match text.parse() {
            Ok(id) if digits => Ok(Self(id)),
            _ => Err(ApiError::NoChat(text.to_owned())),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ChatId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(text)) => Self::parse(&text),
            // Only a segment that does not percent-decode to UTF-8 gets here.
            Err(_) => Err(ApiError::NoChat(parts.uri.path().to_owned())),
        }
    }
}

/// The id in `/api/v1/messages/{id}/...`: decimal digits only, like [`ChatId`]; anything else
/// names no message (404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MessageId(pub(super) u64);

impl<S: Send + Sync> FromRequestParts<S> for MessageId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match ChatId::from_request_parts(parts, state).await {
            Ok(ChatId(id)) => Ok(Self(id)),
            Err(ApiError::NoChat(text)) => Err(ApiError::NoMessage(text)),
            Err(other) => Err(other),
        }
    }
}

/// The id in `/api/v1/canned-responses/{id}` and `/api/v1/articles/{id}`, as sent (a `PUT`
/// checks it; any other id names nothing, a 404). Only a segment that does not percent-decode
/// to UTF-8 is refused here, as naming nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ToolId(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for ToolId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Self(id)),
            Err(_) => Err(ApiError::NoEndpoint {
                path: parts.uri.path().to_owned(),
            }),
        }
    }
}

/// The most items (chats, messages) one listing answers with (`?limit=`, and without it).
pub(super) const MAX_LISTED: u32 = 1_000;

/// How a listing's `after` and `limit` are written, for its 400.
pub(super) const PAGE_PARAMETERS: &str = "after=<the last id listed> and limit=1 to 1000";

/// The page `after` and `limit` ask for (none: from the first, [`MAX_LISTED`] of them).
///
/// # Errors
/// A limit outside 1 to [`MAX_LISTED`], in words.
pub(super) fn page_of(after: Option<u64>, limit: Option<u32>) -> Result<Page, String> {
    let limit = limit.unwrap_or(MAX_LISTED);
    if !(1..=MAX_LISTED).contains(&limit) {
        return Err(format!("limit={limit} is out of range"));
    }
    Ok(Page {
        after: after.unwrap_or(0),
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
    })
}

/// The chat list's `?state=waiting|active|closed` (no state: every chat), `after=<chat id>`
/// and `limit=<1 to MAX_LISTED>`. Other query parameters are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ChatListQuery {
    /// Which chats.
    pub(super) filter: ChatFilter,
    /// Which part of them.
    pub(super) page: Page,
}

#[derive(Deserialize)]
struct ListParameters {
    state: Option<ChatState>,
    after: Option<u64>,
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ChatState {
    Waiting,
    Active,
    Closed,
}

impl<S: Send + Sync> FromRequestParts<S> for ChatListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<ListParameters>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| query_error(&cause(&rejection)))?;
        let page = page_of(query.after, query.limit).map_err(|cause| query_error(&cause))?;
        let filter = match query.state {
            None => ChatFilter::All,
            Some(ChatState::Waiting) => ChatFilter::Waiting,
            Some(ChatState::Active) => ChatFilter::Active,
            Some(ChatState::Closed) => ChatFilter::Closed,
        };
        Ok(Self { filter, page })
    }
}

fn query_error(cause: &str) -> ApiError {
    ApiError::BadQuery(format!(
        "{cause}; use state=waiting, state=active or state=closed (or no state for every chat), \
         {PAGE_PARAMETERS}"
    ))
}

/// The innermost useful words of an axum rejection: its cause's message when it has one (serde's
/// error, which names the field), else its own.
fn cause(rejection: &dyn std::error::Error) -> String {
    rejection
        .source()
        .map_or_else(|| rejection.to_string(), ToString::to_string)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_chat_id_is_decimal_digits_only() {
        assert_eq!(ChatId::parse("42").unwrap(), ChatId(42));
        assert_eq!(ChatId::parse("007").unwrap(), ChatId(7));
        for text in ["abc", "+4", "-1", "4 2", "", "99999999999999999999999"] {
            let error = ChatId::parse(text).unwrap_err();
            assert_eq!(error.to_string(), format!("no chat {text}"));
        }
    }
}
