//! A simulated Graph API on loopback (plain HTTP; the gateway accepts `http://` for loopback
//! only): it takes `POST /{version}/{phone_number_id}/messages`, records every request it
//! accepts with the instant it arrived, answers with a fresh wamid, and injects faults the test
//! scripts: Meta's error objects by code, bare 5xx, latency, and dropped connections. Every
//! send body is checked against Meta's OpenAPI description ([`crate::openapi`]): one that does
//! not conform is answered as Meta does (400, code 100) and listed in
//! [`GraphApi::nonconforming`].
//!
//! It also answers the read of a number, `GET /{version}/{phone_number_id}?fields=...`, with the
//! profile a test set ([`GraphApi::set_number_profile`]) or a healthy verified number, keeping
//! only the fields asked for as Meta does. Reads have their own fault queue
//! ([`GraphApi::push_read_faults`]), so a read never takes a fault scripted for a send.
//!
//! Media (uploads, URLs of customers' media, downloads) are answered in `media.rs`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

mod media;

pub use media::{MediaUpload, sha256_base64};

use crate::error::{HarnessError, HarnessResult};
use crate::loopback::bind_loopback;
use crate::meta::WamidGenerator;
use crate::openapi::check_send_request;

/// The access token the simulated Meta expects (`Authorization: Bearer ...`).
pub const ACCESS_TOKEN: &str = "EAAG-simulated-access-token";

/// What the simulated Meta does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with Meta's error object: HTTP `status`, `error.code`, a title.
    Error {
        /// The HTTP status (Meta uses 400 for most errors, 429 for rate limits...).
        status: u16,
        /// `error.code`.
        code: i64,
        /// `error.message`.
        title: String,
    },
    /// A bare 5xx without Meta's error object (a proxy's answer).
    BareStatus(u16),
    /// Wait this long, then accept.
    Latency(Duration),
    /// Close the connection without answering.
    Drop,
}

impl Fault {
    /// Meta's error `code` with HTTP 400.
    pub fn code(code: i64) -> Self {
        Self::Error {
            status: 400,
            code,
            title: format!("(#{code}) simulated error"),
        }
    }
}

/// A request the simulated Meta accepted.
#[derive(Debug, Clone)]
pub struct AcceptedSend {
    /// The `{phone_number_id}` of the path.
    pub phone_number_id: String,
    /// The request body.
    pub body: Value,
    /// The wamid it was given.
    pub wamid: String,
    /// When it arrived.
    pub at: Instant,
}

/// A request whose body does not conform to Meta's OpenAPI description; answered 400, code 100.
#[derive(Debug, Clone)]
pub struct NonconformingSend {
    /// The `{phone_number_id}` of the path.
    pub phone_number_id: String,
    /// The request body.
    pub body: Value,
    /// Each violation with its JSON path.
    pub violations: Vec<String>,
}

#[derive(Default)]
struct State {
    /// Faults for the next requests, in order; then everything is accepted.
    faults: VecDeque<Fault>,
    /// A fault for every request whose body's recipient (`to` or `recipient`) matches.
    by_recipient: Vec<(String, Fault)>,
    accepted: Vec<AcceptedSend>,
    /// Profiles set by the test, by phone_number_id.
    profiles: HashMap<String, Value>,
    /// Faults for the next number reads, in order.
    read_faults: VecDeque<Fault>,
    /// Every number read that reached it (phone_number_id, query string).
    reads: Vec<(String, String)>,
    /// Every request that reached it, accepted or not (phone_number_id, body).
    requests: Vec<(String, Value)>,
    /// The sends refused because their body does not conform to Meta's OpenAPI description.
    nonconforming: Vec<NonconformingSend>,
    bad_auth: u32,
    /// Wamids marked read.
    read_receipts: Vec<String>,
    /// Uploads and customers' media (see `media.rs`).
    media: media::MediaState,
}

/// The simulated Graph API; stops when dropped.
pub struct GraphApi {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for GraphApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphApi")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Drop for GraphApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl GraphApi {
    /// Starts on a free loopback port.
    ///
    /// # Errors
    /// When it cannot bind.
    pub async fn start() -> HarnessResult<Self> {
        let (listener, address) = bind_loopback().await?;
        let state = Arc::new(Mutex::new(State::default()));
        let changed = Arc::new(Notify::new());
        let wamids = Arc::new(WamidGenerator::new());
        let task = tokio::spawn(serve(
            listener,
            Arc::clone(&state),
            Arc::clone(&changed),
            wamids,
        ));
        Ok(Self {
            address,
            state,
            changed,
            task,
        })
    }

    /// `meta.graph_base_url` for the gateway.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The `[meta]` settings that point a gateway here with the right token.
    pub fn config_toml(&self) -> String {
        format!(
            "[meta]\ngraph_base_url = \"{}\"\naccess_token = \"{ACCESS_TOKEN}\"\n",
            self.base_url()
        )
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Scripts the next requests' faults, in order.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().faults.extend(faults);
    }

    /// Every request to `recipient` gets `fault` (until [`Self::clear_recipient_faults`]).
    pub fn fault_for_recipient(&self, recipient: &str, fault: Fault) {
        self.state()
            .by_recipient
            .push((recipient.to_owned(), fault));
    }

    /// Lifts the per-recipient faults.
    pub fn clear_recipient_faults(&self) {
        self.state().by_recipient.clear();
    }

    /// The requests accepted so far, in arrival order.
    pub fn accepted(&self) -> Vec<AcceptedSend> {
        self.state().accepted.clone()
    }

    /// Every request that arrived, accepted or not.
    pub fn requests(&self) -> Vec<(String, Value)> {
        self.state().requests.clone()
    }

    /// What `GET /{version}/{phone_number_id}` answers for `phone_number_id` from now on (the
    /// members of Meta's phone number object: `verified_name`, `name_status`,
    /// `code_verification_status`, `throughput: {"level": ...}`, ...).
    pub fn set_number_profile(&self, phone_number_id: &str, profile: Value) {
        self.state()
            .profiles
            .insert(phone_number_id.to_owned(), profile);
    }

    /// Scripts the next number reads' faults, in order.
    pub fn push_read_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().read_faults.extend(faults);
    }

    /// Every number read that arrived: (phone_number_id, query string).
    pub fn reads(&self) -> Vec<(String, String)> {
        self.state().reads.clone()
    }

    /// The sends refused because their body does not conform to Meta's OpenAPI description,
    /// in arrival order (a test asserts this is empty).
    pub fn nonconforming(&self) -> Vec<NonconformingSend> {
        self.state().nonconforming.clone()
    }

    /// The wamids marked read (`status: read`), in arrival order.
    pub fn read_receipts(&self) -> Vec<String> {
        self.state().read_receipts.clone()
    }

    /// Requests that came without the expected bearer token.
    pub fn bad_auth(&self) -> u32 {
        self.state().bad_auth
    }

    /// Waits until at least `count` requests were accepted, or `deadline` passed.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] with how many were accepted.
    pub async fn wait_accepted(&self, count: usize, deadline: Duration) -> HarnessResult<()> {
        self.wait_until(
            deadline,
            |state| state.accepted.len() >= count,
            "accepted sends",
        )
        .await
    }

    /// Waits until at least `count` requests arrived (accepted or not), or `deadline` passed.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`].
    pub async fn wait_requests(&self, count: usize, deadline: Duration) -> HarnessResult<()> {
        self.wait_until(deadline, |state| state.requests.len() >= count, "requests")
            .await
    }

    /// Waits until at least `count` requests to `recipient` (`to` or `recipient` of the body)
    /// arrived, accepted or not, or `deadline` passed.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`].
    pub async fn wait_requests_to(
        &self,
        recipient: &str,
        count: usize,
        deadline: Duration,
    ) -> HarnessResult<()> {
        self.wait_until(
            deadline,
            |state| {
                let to_recipient = state
                    .requests
                    .iter()
                    .filter(|(_, body)| recipient_of(body) == recipient)
                    .count();
                to_recipient >= count
            },
            "requests to one recipient",
        )
        .await
    }

    async fn wait_until(
        &self,
        deadline: Duration,
        done: impl Fn(&State) -> bool,
        what: &'static str,
    ) -> HarnessResult<()> {
        let until = Instant::now() + deadline;
        loop {
            let notified = self.changed.notified();
            if done(&self.state()) {
                return Ok(());
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                let seen = {
                    let state = self.state();
                    (state.requests.len(), state.accepted.len())
                };
                return Err(HarnessError::Timeout(format!(
                    "waiting for {what} at the simulated Meta for {deadline:?} ({} requests, {} accepted)",
                    seen.0, seen.1
                )));
            }
        }
    }
}

async fn serve(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    wamids: Arc<WamidGenerator>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (state, changed, wamids) = (
            Arc::clone(&state),
            Arc::clone(&changed),
            Arc::clone(&wamids),
        );
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                answer(
                    request,
                    Arc::clone(&state),
                    Arc::clone(&changed),
                    Arc::clone(&wamids),
                )
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The answer to one request; an `Err` drops the connection.
async fn answer(
    request: Request<Incoming>,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    wamids: Arc<WamidGenerator>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let method = request.method().clone();
    let authorized = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == format!("Bearer {ACCESS_TOKEN}").as_bytes());
    let header = |name: http::header::HeaderName| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (host, content_type) = (
        header(http::header::HOST),
        header(http::header::CONTENT_TYPE),
    );
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let media = media::answer(
        &method,
        &segments,
        authorized,
        &host,
        &content_type,
        &body,
        &mut lock().media,
    );
    if let Some(media) = media {
        changed.notify_waiters();
        return Ok(media);
    }
    let phone_number_id = match (segments.as_slice(), &method) {
        ([_version, phone_number_id, "messages"], _) => *phone_number_id,
        ([_version, phone_number_id], &http::Method::GET) => {
            if !authorized {
                lock().bad_auth += 1;
                changed.notify_waiters();
                return Ok(error(401, 190, "Invalid OAuth access token"));
            }
            return read_number(phone_number_id, &query, &state, &changed).await;
        }
        _ => return Ok(error(404, 100, "Unsupported request (simulated Meta)")),
    };
    if !authorized {
        lock().bad_auth += 1;
        changed.notify_waiters();
        return Ok(error(401, 190, "Invalid OAuth access token"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return Ok(error(400, 100, "Invalid parameter (body is not JSON)"));
    };
    // A read receipt (`status: read`) is not a message: Meta answers `{"success": true}`.
    if body.get("status").and_then(Value::as_str) == Some("read") {
        let wamid = body
            .get("message_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp")
            || wamid.is_empty()
        {
            return Ok(error(400, 100, "(#100) Invalid parameter (read receipt)"));
        }
        lock().read_receipts.push(wamid.to_owned());
        changed.notify_waiters();
        return Ok(reply(200, Bytes::from_static(br#"{"success":true}"#)));
    }
    let recipient = recipient_of(&body).to_owned();
    let conformance = check_send_request(&body);
    let fault = {
        let mut state = lock();
        state
            .requests
            .push((phone_number_id.to_owned(), body.clone()));
        if let Err(violations) = conformance {
            let details = violations.join("; ");
            state.nonconforming.push(NonconformingSend {
                phone_number_id: phone_number_id.to_owned(),
                body,
                violations,
            });
            drop(state);
            changed.notify_waiters();
            return Ok(error_with_details(
                400,
                100,
                "(#100) Invalid parameter",
                &details,
            ));
        }
        let by_recipient = state
            .by_recipient
            .iter()
            .find(|(to, _)| *to == recipient)
            .map(|(_, fault)| fault.clone());
        by_recipient.or_else(|| state.faults.pop_front())
    };
    changed.notify_waiters();
    if let Some(answer) = fault_answer(fault).await {
        return answer;
    }
    let wamid = wamids.next_wamid();
    {
        let mut state = lock();
        state.accepted.push(AcceptedSend {
            phone_number_id: phone_number_id.to_owned(),
            body,
            wamid: wamid.clone(),
            at: Instant::now(),
        });
    }
    changed.notify_waiters();
    let answer = json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": recipient, "wa_id": recipient}],
        "messages": [{"id": wamid, "message_status": "accepted"}],
    });
    Ok(reply(200, Bytes::from(answer.to_string())))
}

/// The answer a fault makes instead of the normal one (after a latency fault: none, the
/// request proceeds).
async fn fault_answer(
    fault: Option<Fault>,
) -> Option<Result<Response<Full<Bytes>>, std::io::Error>> {
    match fault? {
        Fault::Error {
            status,
            code,
            title,
        } => Some(Ok(error(status, code, &title))),
        Fault::BareStatus(status) => Some(Ok(reply(
            status,
            Bytes::from_static(b"<html>simulated</html>"),
        ))),
        Fault::Drop => Some(Err(std::io::Error::other("simulated dropped connection"))),
        Fault::Latency(wait) => {
            tokio::time::sleep(wait).await;
            None
        }
    }
}

/// A healthy number: verified, its name approved, on the Cloud API.
fn healthy_profile(phone_number_id: &str) -> Value {
    json!({
        "verified_name": "Simulated Shop",
        "display_phone_number": "+1 631-555-0100",
        "name_status": "APPROVED",
        "code_verification_status": "VERIFIED",
        "quality_rating": "GREEN",
        "throughput": {"level": "STANDARD"},
        "platform_type": "CLOUD_API",
        "id": phone_number_id,
    })
}

/// The answer to `GET /{version}/{phone_number_id}?fields=...`: the profile's fields asked
/// for, and `id`.
async fn read_number(
    phone_number_id: &str,
    query: &str,
    state: &Mutex<State>,
    changed: &Notify,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (profile, fault) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .reads
            .push((phone_number_id.to_owned(), query.to_owned()));
        let profile = state
            .profiles
            .get(phone_number_id)
            .cloned()
            .unwrap_or_else(|| healthy_profile(phone_number_id));
        (profile, state.read_faults.pop_front())
    };
    changed.notify_waiters();
    if let Some(answer) = fault_answer(fault).await {
        return answer;
    }
    let fields: Option<Vec<String>> = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("fields="))
        .map(|value| {
            value
                .replace("%2C", ",")
                .split(',')
                .map(str::to_owned)
                .collect()
        });
    let mut answer = serde_json::Map::new();
    if let Value::Object(members) = profile {
        for (name, value) in members {
            if name == "id" || fields.as_ref().is_none_or(|fields| fields.contains(&name)) {
                answer.insert(name, value);
            }
        }
    }
    answer.entry("id").or_insert_with(|| json!(phone_number_id));
    Ok(reply(200, Bytes::from(Value::Object(answer).to_string())))
}

/// Whom a send body addresses: its `to` (a phone number) or its `recipient` (a BSUID); empty
/// when it has neither.
pub fn recipient_of(body: &Value) -> &str {
    body.get("to")
        .or_else(|| body.get("recipient"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn error(status: u16, code: i64, title: &str) -> Response<Full<Bytes>> {
    error_with_details(status, code, title, &format!("simulated: {title}"))
}

fn error_with_details(status: u16, code: i64, title: &str, details: &str) -> Response<Full<Bytes>> {
    let body = json!({"error": {
        "message": title, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "simulated"
    }});
    reply(status, Bytes::from(body.to_string()))
}

fn reply(status: u16, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// `GET {path}` at `api` with `bearer`: the status and the JSON body.
    async fn get(api: &GraphApi, path: &str, bearer: &str) -> (u16, Value) {
        let stream = tokio::net::TcpStream::connect(api.address).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let request = Request::get(path)
            .header(http::header::HOST, api.address.to_string())
            .header(http::header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    const FIELDS: &str = "/v24.0/101?fields=name_status,throughput,code_verification_status";

    #[tokio::test]
    async fn a_number_reads_healthy_until_the_test_sets_its_profile() {
        let api = GraphApi::start().await.unwrap();
        let (status, healthy) = get(&api, FIELDS, ACCESS_TOKEN).await;
        assert_eq!(status, 200);
        assert_eq!(
            healthy,
            json!({"name_status": "APPROVED", "throughput": {"level": "STANDARD"},
                   "code_verification_status": "VERIFIED", "id": "101"})
        );
        api.set_number_profile(
            "101",
            json!({"name_status": "DECLINED", "verified_name": "X"}),
        );
        let (_, declined) = get(&api, FIELDS, ACCESS_TOKEN).await;
        assert_eq!(declined, json!({"name_status": "DECLINED", "id": "101"}));
        let (_, everything) = get(&api, "/v24.0/101", ACCESS_TOKEN).await;
        assert_eq!(everything["verified_name"], "X");
        assert_eq!(api.reads().len(), 3);
        assert_eq!(api.reads()[0].1, FIELDS.split_once('?').unwrap().1);
        assert!(api.requests().is_empty(), "reads are not sends");
    }

    #[tokio::test]
    async fn reads_take_their_own_faults_and_check_the_token() {
        let api = GraphApi::start().await.unwrap();
        api.push_faults([Fault::code(131_000)]);
        api.push_read_faults([Fault::code(100)]);
        let (status, refused) = get(&api, FIELDS, ACCESS_TOKEN).await;
        assert_eq!(
            (status, refused["error"]["code"].as_i64()),
            (400, Some(100))
        );
        let (status, _) = get(&api, FIELDS, ACCESS_TOKEN).await;
        assert_eq!(status, 200);
        let (status, _) = get(&api, FIELDS, "wrong").await;
        assert_eq!((status, api.bad_auth()), (401, 1));
        assert_eq!(
            api.state().faults.len(),
            1,
            "the send's fault is still there"
        );
    }

    /// Posts `body` to the simulated Meta; (status, answer).
    async fn send(graph: &GraphApi, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let request = format!(
            "POST /v23.0/1065/messages HTTP/1.1\r\nhost: graph\r\nauthorization: Bearer \
             {ACCESS_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(graph.address).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
            .await
            .unwrap();
        let status = answer[9..12].parse().unwrap();
        let (_, json) = answer.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(json).unwrap())
    }

    #[tokio::test]
    async fn a_body_that_does_not_conform_is_refused_as_meta_does_and_listed() {
        let graph = GraphApi::start().await.unwrap();
        let mut body = json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "16505550101", "type": "text", "text": {"body": "hi"},
        });
        let (status, _) = send(&graph, &body).await;
        assert_eq!(status, 200);
        body.as_object_mut().unwrap().remove("recipient_type");
        let (status, answer) = send(&graph, &body).await;
        assert_eq!(status, 400);
        assert_eq!(answer["error"]["code"], 100);
        assert_eq!(
            answer["error"]["error_data"]["details"],
            "$.recipient_type: required, missing"
        );
        let refused = graph.nonconforming();
        assert_eq!(refused.len(), 1);
        assert_eq!(
            refused[0].violations,
            ["$.recipient_type: required, missing"]
        );
        assert_eq!((graph.accepted().len(), graph.requests().len()), (1, 2));
    }
}
