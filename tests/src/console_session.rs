//! A console session over plain HTTP, as a browser gets one: the operator token posted to
//! `/console/sign-in` as a form, the session cookie from its 303, and the CSRF token from the
//! shell `/console` then serves (`<meta name="csrf-token">`).

use bytes::Bytes;
use http::Method;

use crate::error::{HarnessError, HarnessResult};
use crate::http_client::{HttpConnection, HttpReply};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "waygate_session";

/// A signed-in console session.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    /// The `Set-Cookie` header the sign-in answered with, whole (attributes included).
    pub set_cookie: String,
    /// `waygate_session=<value>`, as a `Cookie` header sends it back.
    pub cookie: String,
    /// The session's CSRF token (for `X-CSRF-Token`).
    pub csrf: String,
}

/// Posts `token` to `/console/sign-in` as the sign-in form does.
///
/// # Errors
/// When the request fails.
pub async fn post_sign_in(
    connection: &mut HttpConnection,
    token: &str,
) -> HarnessResult<HttpReply> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .finish();
    connection
        .request(
            Method::POST,
            "/console/sign-in",
            &[("content-type", "application/x-www-form-urlencoded")],
            Bytes::from(body),
        )
        .await
}

/// Signs in with `token` and reads the session's CSRF token from the shell.
///
/// # Errors
/// When the sign-in is not answered 303 with the session cookie, or the shell is not served
/// with a CSRF token.
pub async fn sign_in(
    connection: &mut HttpConnection,
    token: &str,
) -> HarnessResult<ConsoleSession> {
    let reply = post_sign_in(connection, token).await?;
    let set_cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(str::to_owned);
    let Some(set_cookie) = set_cookie.filter(|_| reply.status.as_u16() == 303) else {
        return Err(HarnessError::Http(format!(
            "sign-in: expected 303 with {SESSION_COOKIE}, got {} {:?}: {}",
            reply.status,
            reply.headers,
            reply.text()
        )));
    };
    let cookie = set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let shell = connection
        .request(
            Method::GET,
            "/console",
            &[("cookie", &cookie)],
            Bytes::new(),
        )
        .await?;
    let csrf = csrf_of(&shell.text()).ok_or_else(|| {
        HarnessError::Http(format!(
            "/console answered {} without <meta name=\"csrf-token\">: {}",
            shell.status,
            shell.text()
        ))
    })?;
    Ok(ConsoleSession {
        set_cookie,
        cookie,
        csrf,
    })
}

/// The `content` of `<meta name="csrf-token" content="...">` in the shell.
pub fn csrf_of(html: &str) -> Option<String> {
    const MARK: &str = r#"<meta name="csrf-token" content=""#;
    let start = html.find(MARK)? + MARK.len();
    let length = html[start..].find('"')?;
    Some(html[start..start + length].to_owned())
}

#[cfg(test)]
mod tests {
    use super::csrf_of;

    #[test]
    fn the_csrf_token_is_read_from_the_meta_tag() {
        let html = r#"<head><meta name="csrf-token" content="abc-123"><script>"#;
        assert_eq!(csrf_of(html).as_deref(), Some("abc-123"));
        assert_eq!(csrf_of("<head></head>"), None);
    }
}
