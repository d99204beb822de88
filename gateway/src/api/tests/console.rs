//! The console's sessions in front of the operator API: sign-in, the cookie standing for the
//! token, the CSRF token on changes, sign-out, and everything 401 signed out.

use super::*;

/// The session cookie a sign-in with `token` hands out (`None`: no cookie).
async fn sign_in(fixture: &Fixture, token: &str) -> (Answer, Option<String>) {
    let answer = fixture
        .call(
            Request::builder()
                .method(Method::POST)
                .uri("/console/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={token}")))
                .unwrap(),
        )
        .await;
    let cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    (answer, cookie)
}

/// A request carrying `cookie` (and `csrf` as `X-CSRF-Token`).
fn with_session(method: Method, path: &str, cookie: &str, csrf: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if let Some(csrf) = csrf {
        builder = builder.header("x-csrf-token", csrf);
    }
    builder.body(Body::empty()).unwrap()
}

/// `POST /console/sign-out` with the session's cookie and CSRF token.
async fn sign_out(fixture: &Fixture, cookie: &str, csrf: &str) -> Answer {
    let request = with_session(Method::POST, "/console/sign-out", cookie, Some(csrf));
    fixture.call(request).await
}

/// The CSRF token in the shell `GET /console` answers with.
async fn csrf_of(fixture: &Fixture, cookie: &str) -> String {
    let answer = fixture
        .call(with_session(Method::GET, "/console", cookie, None))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let page = String::from_utf8(answer.body.to_vec()).unwrap();
    let start = page.find("name=\"csrf-token\" content=\"").unwrap() + 27;
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_owned()
}

#[tokio::test]
async fn signed_out_every_console_and_api_request_is_401() {
    let fixture = Fixture::new();
    let page = fixture.get("/console", None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(String::from_utf8_lossy(&page.body).contains("name=\"token\""));
    assert!(
        page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    for path in ["/console/app.js", "/console/app.css"] {
        assert_eq!(
            fixture.get(path, None).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    for (method, path) in [
        (Method::GET, "/api/v1/chats"),
        (Method::GET, "/api/v1/events"),
        (Method::POST, "/api/v1/chats/1/accept"),
        (Method::POST, "/console/sign-out"),
    ] {
        let answer = fixture
            .call(
                request(method.clone(), path, None)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn a_wrong_token_is_refused_with_the_sign_in_page() {
    let fixture = Fixture::new();
    let (answer, cookie) = sign_in(&fixture, "token-nobody").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none());
    assert!(String::from_utf8_lossy(&answer.body).contains("sign-in-problem"));
}

#[tokio::test]
async fn a_sign_in_from_another_site_is_refused() {
    let fixture = Fixture::new();
    let answer = fixture
        .call(
            Request::builder()
                .method(Method::POST)
                .uri("/console/sign-in")
                .header(header::HOST, "10.0.0.2:8081")
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::from(format!("token={TOKEN}")))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_cookie_stands_for_the_token_and_changes_need_the_csrf_token() {
    let fixture = Fixture::new();
    let (answer, cookie) = sign_in(&fixture, TOKEN).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.headers[header::LOCATION], "/console");
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    let cookie = cookie.unwrap();

    let page = fixture
        .call(with_session(Method::GET, "/console", &cookie, None))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let text = String::from_utf8(page.body.to_vec()).unwrap();
    assert!(text.contains("\"operator\":\"ana\"") && text.contains("\"departments\":[\"sales\"]"));
    assert!(!text.contains(TOKEN), "the page never carries the token");
    for path in ["/console/app.js", "/console/app.css"] {
        let asset = fixture
            .call(with_session(Method::GET, path, &cookie, None))
            .await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
    }
    let chats = fixture
        .call(with_session(Method::GET, "/api/v1/chats", &cookie, None))
        .await;
    assert_eq!(chats.status, StatusCode::OK);

    // A change without the CSRF token, or with a wrong one, is refused before anything runs.
    let csrf = csrf_of(&fixture, &cookie).await;
    for presented in [None, Some("forged")] {
        let answer = fixture
            .call(with_session(
                Method::POST,
                "/api/v1/chats/7/accept",
                &cookie,
                presented,
            ))
            .await;
        assert!(answer.error(StatusCode::FORBIDDEN).contains("X-CSRF-Token"));
    }
    // With it the request reaches the endpoint (no chat 7).
    let answer = fixture
        .call(with_session(
            Method::POST,
            "/api/v1/chats/7/accept",
            &cookie,
            Some(&csrf),
        ))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // Signed out, the cookie is worth nothing.
    let answer = fixture
        .call(with_session(
            Method::POST,
            "/console/sign-out",
            &cookie,
            None,
        ))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "sign-out needs the CSRF token too"
    );
    let answer = sign_out(&fixture, &cookie, &csrf).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let answer = fixture
        .call(with_session(Method::GET, "/api/v1/chats", &cookie, None))
        .await;
    assert!(
        answer
            .error(StatusCode::UNAUTHORIZED)
            .contains("sign in again")
    );
    let page = fixture
        .call(with_session(Method::GET, "/console", &cookie, None))
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(String::from_utf8_lossy(&page.body).contains("sign-in-problem"));
}

#[tokio::test]
async fn a_session_ends_after_its_idle_limit() {
    let fixture = Fixture::new();
    let (_, cookie) = sign_in(&fixture, TOKEN).await;
    let cookie = cookie.unwrap();
    assert_eq!(
        fixture
            .call(with_session(Method::GET, "/api/v1/chats", &cookie, None))
            .await
            .status,
        StatusCode::OK
    );
    fixture.advance(crate::console::SessionLimits::default().idle_ms);
    let answer = fixture
        .call(with_session(Method::GET, "/api/v1/chats", &cookie, None))
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_tokens_is_slowed_to_ten_a_minute() {
    let fixture = Fixture::new();
    for _ in 0..10 {
        let (answer, _) = sign_in(&fixture, "guess").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right token waits now; the answer says how long.
    let (answer, cookie) = sign_in(&fixture, TOKEN).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers[header::RETRY_AFTER], "60");
    assert!(cookie.is_none());
    fixture.advance(60_000);
    let (answer, cookie) = sign_in(&fixture, TOKEN).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(cookie.is_some());
}

/// The console's sessions file as it is now (sign-in and sign-out answer once it is written).
fn file_text(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn a_kiosk_stays_signed_in_across_a_restart_and_a_sign_out_does_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(crate::console::SESSIONS_FILE);
    let console = ConsoleSettings {
        sessions_file: Some(file.clone()),
        ..ConsoleSettings::default()
    };
    let mut fixture = Fixture::new();
    fixture.restart(console.clone());
    let (_, cookie) = sign_in(&fixture, TOKEN).await;
    let cookie = cookie.unwrap();
    let csrf = csrf_of(&fixture, &cookie).await;
    let saved = file_text(&file);
    assert!(saved.contains("\"ana\""), "{saved}");
    let value = cookie.split_once('=').unwrap().1;
    assert!(!saved.contains(value), "the cookie itself was saved");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    fixture.advance(60_000);
    fixture.restart(console.clone());
    assert_eq!(
        csrf_of(&fixture, &cookie).await,
        csrf,
        "the same session, its token kept"
    );
    let out = sign_out(&fixture, &cookie, &csrf).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let saved = file_text(&file);
    assert!(saved.contains("\"sessions\":[]"), "{saved}");

    fixture.restart(console);
    let page = fixture
        .call(with_session(Method::GET, "/console", &cookie, None))
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNAUTHORIZED,
        "signed out stays signed out"
    );
}
