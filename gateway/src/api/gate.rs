//! The gate in front of the operator API: every request under `/api/` must carry an operator's
//! bearer token, or a console's session cookie (with the session's CSRF token on a request that
//! changes something), checked before anything else (routing included), so that an unknown path or a
//! wrong method without a token is a 401 too and reveals nothing. The operator found is handed
//! to the handlers as [`Operator`]. A client that sends too many wrong bearer tokens is refused
//! every token for a while ([`crate::guess_limit`]).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header;
use http::request::Parts;

use super::LocalApi;
use super::error::ApiError;
use crate::console::CookieCaller;
use crate::guess_limit::Client;
use crate::server::PeerAddr;

/// Where the operator API lives; everything under it needs a token.
pub(super) const GATED_PREFIX: &str = "/api/";

/// The operator who presented the request's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Operator(pub(super) String);

/// The middleware: lets requests outside [`GATED_PREFIX`] through, and the others only with an
/// operator's token.
pub(super) async fn require_operator(
    State(api): State<Arc<LocalApi>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with(GATED_PREFIX) {
        return next.run(request).await;
    }
    let authorization = request.headers().get(header::AUTHORIZATION);
    let operator = if let Some(authorization) = authorization {
        let peer = request.extensions().get::<PeerAddr>().map(|peer| peer.0);
        let client = Client::of(peer);
        let now = api.now();
        if let Some(wait_ms) = api.guesses().wait(client, now) {
            return ApiError::TooManyGuesses(wait_ms.div_ceil(1_000)).into_response();
        }
        // A header that is not visible ASCII cannot hold a token we issued.
        let presented = authorization.to_str().unwrap_or_default();
        match api.auth.authenticate(Some(presented)) {
            Some(name) => Operator(name.to_owned()),
            None => {
                api.guesses().failed(client, now);
                return ApiError::WrongToken.into_response();
            }
        }
    } else {
        // A console's session cookie stands for its operator's token.
        let now = api.now();
        match api
            .console()
            .caller(request.method(), request.headers(), now)
        {
            CookieCaller::Operator(name) => Operator(name),
            CookieCaller::NoCsrf => return ApiError::NoCsrfToken.into_response(),
            CookieCaller::Ended => return ApiError::SessionEnded.into_response(),
            CookieCaller::None => return ApiError::NoToken.into_response(),
        }
    };
    request.extensions_mut().insert(operator);
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        // Set by the gate for every request under /api/; a handler outside it has no operator.
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(ApiError::NoToken)
    }
}
