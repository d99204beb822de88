//! The console's routes: the shell, its assets, sign-in and sign-out (see the [module
//! documentation](super)).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use super::assets::{ASSETS, Asset, CONTENT_SECURITY_POLICY};
use super::boot::{Boot, attachment_policy, shell};
use super::cookie::{clear_session, session_cookie, set_session};
use super::sign_in_page::{Language, SignInProblem, content_security_policy, sign_in_page};
use super::{CSRF_HEADER, CookieCaller};
use crate::api::LocalApi;
use crate::build_info::VERSION;

/// The console's routes, to merge into the local listener's.
pub fn routes() -> Router<Arc<LocalApi>> {
    let mut router = Router::new()
        .route("/console", get(page))
        .route("/console/", get(page))
        .route("/console/sign-in", post(sign_in))
        .route("/console/sign-out", post(sign_out));
    for asset in ASSETS {
        // Each asset's validator is computed once, when the routes are made.
        let etag = etag(asset.body);
        router = router.route(
            asset.path,
            get(move |state, headers| serve(state, headers, asset, etag.clone())),
        );
    }
    router
}

/// `GET /console`: the shell for a live session, else the sign-in page (401).
async fn page(
    State(api): State<Arc<LocalApi>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let now = api.now();
    let console = api.console();
    let Some(found) = console.session(&headers, now) else {
        if session_cookie(&headers).is_none() {
            return signed_out(&headers, query.as_deref(), None);
        }
        let problem = Some(SignInProblem::SessionEnded);
        let mut response = signed_out(&headers, query.as_deref(), problem);
        // The browser forgets the ended session's cookie.
        let clear = clear_session(console.settings.secure_cookies);
        if let Ok(value) = HeaderValue::from_str(&clear) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return response;
    };
    let departments = api.department_names();
    let boot = Boot {
        operator: &found.operator,
        csrf: &found.csrf,
        after: api.journal_last_seq(),
        time_zone: &console.time_zone,
        departments: &departments,
        session_expires_at: found.expires_at,
        now,
        version: VERSION,
        attachments: attachment_policy(),
    };
    let mut response = html(StatusCode::OK, shell(&boot), CONTENT_SECURITY_POLICY);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /console/app.css|app.js`: the asset for a live session (401 without).
async fn serve(
    State(api): State<Arc<LocalApi>>,
    headers: HeaderMap,
    asset: Asset,
    etag: HeaderValue,
) -> Response {
    if api.console().session(&headers, api.now()).is_none() {
        return (StatusCode::UNAUTHORIZED, "sign in at /console first\n").into_response();
    }
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value == etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, asset.body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::ETAG, etag);
    response
}

/// `POST /console/sign-in`: the form's token exchanged for a session cookie.
async fn sign_in(
    State(api): State<Arc<LocalApi>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if is_cross_site(&headers) {
        let mut response = signed_out(&headers, query.as_deref(), Some(SignInProblem::CrossSite));
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    }
    let now = api.now();
    let console = api.console();
    if let Some(wait_ms) = console.sign_in_wait(now) {
        let mut response = signed_out(
            &headers,
            query.as_deref(),
            Some(SignInProblem::TooManyFailures),
        );
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(value) = HeaderValue::from_str(&wait_ms.div_ceil(1_000).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let token = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let operator = api
        .operator_of(&format!("Bearer {token}"))
        .map(str::to_owned);
    let Some(operator) = operator else {
        console.sign_in_failed(now);
        tracing::warn!("a wrong token was typed at the console's sign-in");
        return signed_out(&headers, query.as_deref(), Some(SignInProblem::WrongToken));
    };
    let Some(session) = console.sign_in(&operator, now).await else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the system's random source failed; try again\n",
        )
            .into_response();
    };
    tracing::info!(operator = %operator, "an operator signed in to the console");
    let max_age = console.settings.limits.max_ms / 1_000;
    let cookie = set_session(&session, max_age, console.settings.secure_cookies);
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/console"));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// `POST /console/sign-out`: the session ended (it needs the session's CSRF token).
async fn sign_out(State(api): State<Arc<LocalApi>>, headers: HeaderMap) -> Response {
    let console = api.console();
    let now = api.now();
    let status = match console.caller(&http::Method::POST, &headers, now) {
        CookieCaller::Operator(operator) => {
            console.sign_out(&headers, now).await;
            tracing::info!(operator = %operator, "an operator signed out of the console");
            StatusCode::NO_CONTENT
        }
        CookieCaller::NoCsrf => {
            return (
                StatusCode::FORBIDDEN,
                format!("sign-out needs the page's {CSRF_HEADER} header; reload the console\n"),
            )
                .into_response();
        }
        CookieCaller::None | CookieCaller::Ended => StatusCode::UNAUTHORIZED,
    };
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&clear_session(console.settings.secure_cookies)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The sign-in page, 401, in the language the request asks for.
fn signed_out(
    headers: &HeaderMap,
    query: Option<&str>,
    problem: Option<SignInProblem>,
) -> Response {
    let lang = query.and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .map(|(_, value)| value.into_owned())
    });
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let language = Language::choose(lang.as_deref(), accept);
    let mut response = html(
        StatusCode::UNAUTHORIZED,
        sign_in_page(language, problem),
        content_security_policy(),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An HTML answer with its security headers.
fn html(status: StatusCode, body: String, policy: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Whether the request came from another site's page: the browser says so in
/// `Sec-Fetch-Site` (every current browser sends it; it is trusted over `Origin`, which a page
/// without referrers sends as `null`), else its `Origin` is not this host.
fn is_cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|value| value.to_str().unwrap_or("cross-site"));
    if let Some(site) = fetch_site {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        None => false,
        Some(Ok(origin)) => {
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            origin_host.is_none() || origin_host != host
        }
        Some(Err(_)) => true,
    }
}

/// A strong validator of an asset's bytes.
fn etag(body: &str) -> HeaderValue {
    let digest = ring::digest::digest(&ring::digest::SHA256, body.as_bytes());
    let tag = format!("\"{}\"", hex::encode(&digest.as_ref()[..12]));
    // Quotes and hex digits only: always a valid header value.
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_form_from_the_page_itself_is_same_site() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[
            ("host", "10.0.0.2:8081"),
            ("origin", "http://10.0.0.2:8081"),
            ("sec-fetch-site", "same-origin"),
        ])));
        // Chromium posts a form from a page without referrers with Origin: null.
        assert!(!is_cross_site(&headers(&[
            ("host", "10.0.0.2:8081"),
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
        ])));
    }

    #[test]
    fn a_form_from_another_site_is_cross_site() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[
            ("host", "10.0.0.2:8081"),
            ("origin", "http://10.0.0.2:8081"),
            ("sec-fetch-site", "same-site"),
        ])));
        assert!(is_cross_site(&headers(&[
            ("host", "10.0.0.2:8081"),
            ("origin", "http://evil.example"),
        ])));
        assert!(is_cross_site(&headers(&[
            ("host", "10.0.0.2:8081"),
            ("origin", "null"),
        ])));
    }
}
