//! The local listener's service end to end, in process: the gate, routing, axum's rejections as
//! JSON errors naming what to fix, the body limit and the deadline, on a real store in a temp
//! folder.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::Frame;
use serde_json::Value;

use super::*;
use crate::clock::ManualClock;
use crate::sender::SenderHandle;
use crate::store::StoreWriter;

mod console;
mod events;
mod tools;

const TOKEN: &str = "token-ana";

struct Fixture {
    service: LocalService,
    readiness: Readiness,
    /// The store the API answers from, for what a test sets up behind its back.
    store: Store,
    /// The API itself, for what a test looks at behind its back.
    api: Arc<LocalApi>,
    /// Ends the event streams.
    shutdown: CancellationToken,
    writer: Option<StoreWriter>,
    /// The API's clock.
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let manual = ManualClock::at(1_800_000_000_000);
        let clock: SharedClock = Arc::new(manual.clone());
        let options = crate::settings::store_options(&firmware_config::Config::default()).unwrap();
        let (store, writer) = Store::open(dir.path(), options, Arc::clone(&clock)).unwrap();
        let readiness = Readiness::default();
        readiness.set(true);
        let shutdown = CancellationToken::new();
        let api = build_api(
            &store,
            &manual,
            &readiness,
            &shutdown,
            ConsoleSettings::default(),
        );
        Self {
            service: LocalService::shared(Arc::clone(&api)),
            api,
            readiness,
            store,
            shutdown,
            writer: Some(writer),
            clock: manual,
            _dir: dir,
        }
    }

    /// The API built again over the same store and clock, as after a restart of the gateway,
    /// with its console set up by `console`.
    fn restart(&mut self, console: ConsoleSettings) {
        let api = build_api(
            &self.store,
            &self.clock,
            &self.readiness,
            &self.shutdown,
            console,
        );
        self.service = LocalService::shared(Arc::clone(&api));
        self.api = api;
    }

    /// Moves the API's clock `ms` on.
    fn advance(&self, ms: u64) {
        self.clock.advance(ms);
    }

    async fn call(&self, request: Request<Body>) -> Answer {
        let response = self.service.clone().handle(request).await;
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(
            request(Method::GET, path, token)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// POSTs `body` as JSON with the operator's token.
    async fn post_json(&self, path: &str, body: &str) -> Answer {
        self.call(
            request(Method::POST, path, Some(TOKEN))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            // Off the runtime's workers: closing joins the writer thread.
            std::thread::spawn(move || writer.close());
        }
    }
}

/// The API of the operator `ana` (token [`TOKEN`]) and the department `sales` on `store`.
fn build_api(
    store: &Store,
    clock: &ManualClock,
    readiness: &Readiness,
    shutdown: &CancellationToken,
    console: ConsoleSettings,
) -> Arc<LocalApi> {
    let api = LocalApi::new(
        OperatorAuth::new(vec![("ana".into(), token_digest(TOKEN.as_bytes()))]),
        store.clone(),
        Departments::new(["sales".to_owned()]),
        Arc::new(clock.clone()),
        Health::new(readiness.clone(), store.health().clone()),
        Arc::new(Metrics::new(store.commit_metrics())),
        SenderHandle::detached(),
    );
    let api = api
        .with_events(Arc::from("gw-test"), shutdown.clone())
        .with_console(console);
    Arc::new(api)
}

fn request(method: Method, path: &str, token: Option<&str>) -> http::request::Builder {
    let builder = Request::builder().method(method).uri(path);
    match token {
        Some(token) => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        None => builder,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    /// The `{"error": ...}` message, after checking the status and that the body is JSON.
    #[track_caller]
    fn error(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/json");
        let value: Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(value.as_object().map(|object| object.len()), Some(1));
        value["error"].as_str().unwrap().to_owned()
    }
}

/// A body sent in 4 KiB chunks without a declared length.
struct Chunked(Vec<u8>);

impl hyper::body::Body for Chunked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.0.is_empty() {
            return Poll::Ready(None);
        }
        let at = self.0.len().min(4096);
        let rest = self.0.split_off(at);
        let chunk = std::mem::replace(&mut self.0, rest);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }
}

/// A body that never ends: its sender went quiet.
struct Stalled;

impl hyper::body::Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn the_token_is_checked_before_routing_and_health_needs_none() {
    let fixture = Fixture::new();
    for (method, path, token) in [
        (Method::GET, "/api/v1/chats", None),
        (Method::GET, "/api/v1/chats", Some("token-ben")),
        (Method::DELETE, "/api/v1/chats", None),
        (Method::GET, "/api/v1/no-such-endpoint", None),
        (Method::GET, "/api/", Some("token-an")),
    ] {
        let answer = fixture
            .call(request(method, path, token).body(Body::empty()).unwrap())
            .await;
        let message = answer.error(StatusCode::UNAUTHORIZED);
        assert!(message.contains("token"), "{message}");
        assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
        assert!(!answer.headers.contains_key(header::ALLOW), "{path}");
    }
    let health = fixture.get("/healthz", None).await;
    assert_eq!(
        (health.status, &health.body[..]),
        (StatusCode::OK, &b"ok\n"[..])
    );
}

/// A GET of the chats with `token`, from `peer`.
fn from_peer(peer: &str, token: &str) -> Request<Body> {
    let mut request = request(Method::GET, "/api/v1/chats", Some(token))
        .body(Body::empty())
        .unwrap();
    let peer = crate::server::PeerAddr(peer.parse().unwrap());
    request.extensions_mut().insert(peer);
    request
}

#[tokio::test]
async fn a_client_guessing_tokens_is_refused_every_token_for_a_while_and_only_it() {
    use crate::guess_limit::{MAX_FAILURES, WINDOW_MS};
    let fixture = Fixture::new();
    let guesser = "192.0.2.7:50000";
    for n in 0..MAX_FAILURES {
        let answer = fixture
            .call(from_peer(guesser, &format!("guess-{n}")))
            .await;
        answer.error(StatusCode::UNAUTHORIZED);
    }
    // The right token too: a different answer would tell a right guess.
    let answer = fixture.call(from_peer("192.0.2.7:50001", TOKEN)).await;
    let message = answer.error(StatusCode::TOO_MANY_REQUESTS);
    assert!(message.contains("too many wrong tokens"), "{message}");
    assert_eq!(answer.headers[header::RETRY_AFTER], "60");
    // Another client is not held up.
    let kiosk = fixture.call(from_peer("192.0.2.8:50000", TOKEN)).await;
    assert_eq!(kiosk.status, StatusCode::OK);
    fixture.advance(WINDOW_MS - 1_500);
    let answer = fixture.call(from_peer(guesser, TOKEN)).await;
    answer.error(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers[header::RETRY_AFTER], "2");
    fixture.advance(1_500);
    let answer = fixture.call(from_peer(guesser, TOKEN)).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_json_errors() {
    let fixture = Fixture::new();
    for path in [
        "/",
        "/webhook",
        "/api/v1/nothing",
        "/api/v2/chats",
        "/api/v1/chats/1/reopen",
    ] {
        let message = fixture
            .get(path, Some(TOKEN))
            .await
            .error(StatusCode::NOT_FOUND);
        assert!(
            message.starts_with(&format!("no endpoint {path};")),
            "{message}"
        );
        assert!(message.contains("/api/v1/chats"), "{message}");
    }
    let answer = fixture
        .call(
            request(Method::DELETE, "/api/v1/chats", Some(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let message = answer.error(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        message,
        "DELETE is not allowed on /api/v1/chats; use a method the Allow header names"
    );
    assert_eq!(answer.headers[header::ALLOW], "GET,HEAD");
    let answer = fixture
        .call(
            request(Method::GET, "/api/v1/chats/1/accept", Some(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    answer.error(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers[header::ALLOW], "POST");
    let answer = fixture
        .call(
            request(Method::POST, "/readyz", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    answer.error(StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn chat_ids_that_are_not_numbers_name_no_chat() {
    let fixture = Fixture::new();
    for id in ["42", "abc", "+4", "-1", "99999999999999999999999"] {
        let message = fixture
            .get(&format!("/api/v1/chats/{id}"), Some(TOKEN))
            .await
            .error(StatusCode::NOT_FOUND);
        assert_eq!(message, format!("no chat {id}"));
    }
    let message = fixture
        .post_json("/api/v1/chats/7/accept", "")
        .await
        .error(StatusCode::NOT_FOUND);
    assert_eq!(message, "no chat 7");
}

#[tokio::test]
async fn the_chat_list_takes_an_optional_state() {
    let fixture = Fixture::new();
    for query in [
        "",
        "?state=waiting",
        "?state=active",
        "?state=closed",
        "?other=1",
    ] {
        let answer = fixture
            .get(&format!("/api/v1/chats{query}"), Some(TOKEN))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{query}");
        let value: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(value, serde_json::json!({"chats": []}));
    }
    for query in ["?state=bogus", "?state="] {
        let message = fixture
            .get(&format!("/api/v1/chats{query}"), Some(TOKEN))
            .await
            .error(StatusCode::BAD_REQUEST);
        assert!(
            message.starts_with("the query is not valid: state: unknown variant"),
            "{message}"
        );
        for state in ["state=waiting", "state=active", "state=closed"] {
            assert!(message.contains(state), "{message}");
        }
    }
}

#[tokio::test]
async fn the_chat_and_message_lists_come_in_pages_after_an_id() {
    let fixture = Fixture::new();
    for n in 1..=5 {
        let customer = crate::chat::CustomerId::WaId(format!("11{n}"));
        let message = customer_message(&format!("w{n}"), &customer, None);
        fixture.store.ingest(message).await.unwrap();
    }
    let ids_of = |answer: &Answer| {
        let value: Value = serde_json::from_slice(&answer.body).unwrap();
        let ids: Vec<u64> = value["chats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|chat| chat["id"].as_u64().unwrap())
            .collect();
        (ids, value["next_after"].as_u64())
    };
    let all = fixture.get("/api/v1/chats", Some(TOKEN)).await;
    let (ids, next) = ids_of(&all);
    assert_eq!((ids.len(), next), (5, None));
    let first = fixture.get("/api/v1/chats?limit=2", Some(TOKEN)).await;
    assert_eq!(ids_of(&first), (ids[..2].to_vec(), Some(ids[1])));
    let path = format!("/api/v1/chats?state=waiting&after={}&limit=2", ids[1]);
    let second = fixture.get(&path, Some(TOKEN)).await;
    assert_eq!(ids_of(&second), (ids[2..4].to_vec(), Some(ids[3])));
    let path = format!("/api/v1/chats?after={}&limit=2", ids[3]);
    let last = fixture.get(&path, Some(TOKEN)).await;
    assert_eq!(ids_of(&last), (ids[4..].to_vec(), None));
    for list in ["chats", "messages"] {
        for query in ["limit=0", "limit=1001", "limit=x", "after=-1"] {
            let message = fixture
                .get(&format!("/api/v1/{list}?{query}"), Some(TOKEN))
                .await
                .error(StatusCode::BAD_REQUEST);
            assert!(
                message.contains("limit=1 to 1000"),
                "{list} {query}: {message}"
            );
        }
    }
    let none = fixture.get("/api/v1/messages?limit=1", Some(TOKEN)).await;
    assert_eq!(none.status, StatusCode::OK);
    let value: Value = serde_json::from_slice(&none.body).unwrap();
    assert_eq!(value, serde_json::json!({"messages": []}));
}

#[tokio::test]
async fn a_body_that_is_not_the_json_asked_for_names_the_field_and_shows_an_example() {
    let fixture = Fixture::new();
    let transfer = "/api/v1/chats/1/transfer";
    for (body, expected) in [
        ("{}", "missing field `department` at line 1 column 2"),
        (r#"{"dept": "sales"}"#, "missing field `department`"),
        (
            r#"{"department": 5}"#,
            "department: invalid type: integer `5`, expected a string",
        ),
        ("not json", "expected ident at line 1 column 2"),
        ("", "EOF while parsing a value at line 1 column 0"),
        (r#"{"department": " "}"#, "the department is empty"),
    ] {
        let message = fixture
            .post_json(transfer, body)
            .await
            .error(StatusCode::BAD_REQUEST);
        assert!(
            message.starts_with("the request body is not valid: ") && message.contains(expected),
            "{body}: {message}"
        );
        assert!(
            message.ends_with(r#"send JSON like {"department": "sales"}"#),
            "{message}"
        );
    }
    let send_check = "/api/v1/chats/1/send-check";
    for body in [
        r#"{"type":"fax"}"#,
        r#"{"type":"template","name":"a"}"#,
        r#"{"type":"template","name":"a","language":"en","parameters":-1}"#,
        r#"{"type":"free_form","extra":1}"#,
    ] {
        let message = fixture
            .post_json(send_check, body)
            .await
            .error(StatusCode::BAD_REQUEST);
        assert!(
            message.contains(r#"{"type": "free_form"}"#),
            "{body}: {message}"
        );
    }
}

#[tokio::test]
async fn a_body_without_a_json_content_type_is_refused() {
    let fixture = Fixture::new();
    let answer = fixture
        .call(
            request(Method::POST, "/api/v1/chats/1/transfer", Some(TOKEN))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(r#"{"department": "sales"}"#))
                .unwrap(),
        )
        .await;
    let message = answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        message.contains("Content-Type: application/json"),
        "{message}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_whether_its_length_is_declared_or_not() {
    let fixture = Fixture::new();
    let mut text = String::from(r#"{"department":""#);
    text.push_str(&"x".repeat(MAX_BODY_BYTES));
    text.push_str(r#""}"#);
    let declared = fixture.post_json("/api/v1/chats/1/transfer", &text).await;
    let expected = format!("the request body is larger than {MAX_BODY_BYTES} bytes");
    assert_eq!(declared.error(StatusCode::PAYLOAD_TOO_LARGE), expected);
    // Streamed without a length: refused once the limit is passed.
    let answer = fixture
        .call(
            request(Method::POST, "/api/v1/chats/1/transfer", Some(TOKEN))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::new(Chunked(text.into_bytes())))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.error(StatusCode::PAYLOAD_TOO_LARGE), expected);
}

#[tokio::test(start_paused = true)]
async fn a_request_whose_body_never_ends_is_cut_at_the_deadline() {
    let fixture = Fixture::new();
    let answer = fixture
        .call(
            request(Method::POST, "/api/v1/chats/1/transfer", Some(TOKEN))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::new(Stalled))
                .unwrap(),
        )
        .await;
    let message = answer.error(StatusCode::REQUEST_TIMEOUT);
    assert!(message.contains("10 s"), "{message}");
}

#[tokio::test]
async fn readyz_says_why_the_gateway_is_not_ready() {
    let fixture = Fixture::new();
    let ready = fixture.get("/readyz", None).await;
    assert_eq!(
        (ready.status, &ready.body[..]),
        (StatusCode::OK, &b"ready\n"[..])
    );
    fixture.readiness.set(false);
    let not_ready = fixture.get("/readyz", None).await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        &not_ready.body[..],
        b"not ready: the gateway is starting or shutting down\n"
    );
}

#[tokio::test]
async fn metrics_need_no_token_and_read_the_store_when_scraped() {
    let fixture = Fixture::new();
    let answer = fixture.get("/metrics", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = String::from_utf8(answer.body.to_vec()).unwrap();
    let quota = crate::settings::store_options(&firmware_config::Config::default())
        .unwrap()
        .quota_bytes;
    for line in [
        format!("waygate_store_quota_bytes {quota}"),
        "waygate_chats{state=\"waiting\"} 0".to_owned(),
        "waygate_dead_letters 0".to_owned(),
        "waygate_dedupe_entries 0".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
    }
}

#[tokio::test]
async fn the_status_needs_a_token_and_reports_readiness_and_the_quota() {
    let fixture = Fixture::new();
    fixture
        .get("/api/v1/status", None)
        .await
        .error(StatusCode::UNAUTHORIZED);
    let answer = fixture.get("/api/v1/status", Some(TOKEN)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    let report: crate::status::StatusReport = serde_json::from_slice(&answer.body).unwrap();
    assert!(report.is_healthy(), "{report:?}");
    assert_eq!(report.version, crate::build_info::VERSION);
    let quota = crate::settings::store_options(&firmware_config::Config::default())
        .unwrap()
        .quota_bytes;
    assert_eq!(report.store.quota_bytes, quota);

    fixture.readiness.set(false);
    let answer = fixture.get("/api/v1/status", Some(TOKEN)).await;
    let report: crate::status::StatusReport = serde_json::from_slice(&answer.body).unwrap();
    assert!(!report.ready);
    assert_eq!(
        report.problems,
        ["not ready: the gateway is starting or shutting down"]
    );
}

/// A customer's text `wamid` from `customer` (with their profile `name`, when given), as the
/// webhook endpoint hands it to the store.
fn customer_message(
    wamid: &str,
    customer: &crate::chat::CustomerId,
    name: Option<&str>,
) -> crate::store::IngestBatch {
    use crate::store::{
        CustomerMessageInput, EventEffect, IngestBatch, LogRecord, PreparedEvent, RecordKind,
    };
    let contact = name.map_or(
        serde_json::json!(null),
        |name| serde_json::json!({"profile": {"name": name}}),
    );
    let content = serde_json::json!({"message": {
        "id": wamid, "type": "text", "content": {"text": {"body": "hi"}}, "contact": contact,
    }});
    let record = LogRecord {
        received_at_ms: 1_800_000_000_000,
        kind: RecordKind::Message,
        waba_id: "waba".into(),
        field: "messages".into(),
        phone_number_id: Some("pn".into()),
        wamid: Some(wamid.into()),
        sender: Some(customer.as_str().into()),
        user_id: None,
        timestamp: Some(1_800_000_000),
        type_name: "text".into(),
        content_json: content.to_string(),
    };
    IngestBatch {
        events: vec![PreparedEvent {
            dedupe_key: format!("m:{wamid}").into_bytes(),
            record: record.to_bytes(),
            effect: Some(EventEffect::CustomerMessage(CustomerMessageInput {
                number: crate::chat::BusinessNumber("pn".into()),
                customer: customer.clone(),
                department: None,
                profanity_hits: 0,
                sent_at: None,
                entry_point: None,
            })),
        }],
        dead_letters: Vec::new(),
    }
}

impl Fixture {
    /// `body` as JSON to `path` with `method` and the operator's token.
    async fn send_json(&self, method: Method, path: &str, body: &str) -> Answer {
        self.call(
            request(method, path, Some(TOKEN))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }
}

impl Answer {
    /// The JSON body, after checking the status.
    #[track_caller]
    fn json(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{:?}", self.body);
        serde_json::from_slice(&self.body).unwrap()
    }
}
