//! The session cookie: read from a request's `Cookie` headers, written in a `Set-Cookie`.
//!
//! `HttpOnly` (the page's scripts never see it), `SameSite=Strict` (no other site's page sends
//! it), `Path=/` (the console and the API), and `Secure` when the listener has TLS. Its
//! `Max-Age` is the session's absolute limit; the gateway ends it sooner when it is unused.

use http::HeaderMap;
use http::header::COOKIE;

/// The cookie's name.
pub(super) const SESSION_COOKIE: &str = "waygate_session";

/// The session cookie's value among the request's `Cookie` headers, if any.
pub(super) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that hands out `value` for `max_age_seconds`.
pub(super) fn set_session(value: &str, max_age_seconds: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    )
}

/// The `Set-Cookie` value that removes the cookie.
pub(super) fn clear_session(secure: bool) -> String {
    set_session("", 0, secure)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        assert_eq!(
            session_cookie(&headers(&["a=1; waygate_session=abc; b=2"])),
            Some("abc")
        );
        assert_eq!(
            session_cookie(&headers(&["a=1", "waygate_session=\"xyz\""])),
            Some("xyz")
        );
        assert_eq!(session_cookie(&headers(&["waygate_sessionx=abc"])), None);
        assert_eq!(session_cookie(&headers(&["waygate_session="])), None);
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_strict() {
        let cookie = set_session("abc", 86_400, false);
        assert_eq!(
            cookie,
            "waygate_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400"
        );
        assert!(set_session("abc", 1, true).ends_with("; Secure"));
        assert!(clear_session(false).starts_with("waygate_session=; "));
        assert!(clear_session(false).contains("Max-Age=0"));
    }
}
