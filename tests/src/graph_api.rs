//! A simulated Graph API on loopback (plain HTTP; the gateway accepts `http://` for loopback
//! only): it takes `POST /{version}/{phone_number_id}/messages`, records every request it
//! accepts with the instant it arrived, answers with a fresh wamid, and injects faults the test
//! scripts: Meta's error objects by code, bare 5xx, latency, and dropped connections.

use std::collections::VecDeque;
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

use crate::error::{HarnessError, HarnessResult};
use crate::meta::WamidGenerator;

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

#[derive(Default)]
struct State {
    /// Faults for the next requests, in order; then everything is accepted.
    faults: VecDeque<Fault>,
    /// A fault for every request whose body's recipient (`to` or `recipient`) matches.
    by_recipient: Vec<(String, Fault)>,
    accepted: Vec<AcceptedSend>,
    /// Every request that reached it, accepted or not (phone_number_id, body).
    requests: Vec<(String, Value)>,
    bad_auth: u32,
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
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|error| HarnessError::io("binding", "127.0.0.1:0", error))?;
        let address = listener
            .local_addr()
            .map_err(|error| HarnessError::io("reading the address of", "127.0.0.1:0", error))?;
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
    let authorized = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == format!("Bearer {ACCESS_TOKEN}").as_bytes());
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let [_version, phone_number_id, "messages"] = segments.as_slice() else {
        return Ok(error(404, 100, "Unsupported request (simulated Meta)"));
    };
    if !authorized {
        lock().bad_auth += 1;
        changed.notify_waiters();
        return Ok(error(401, 190, "Invalid OAuth access token"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return Ok(error(400, 100, "Invalid parameter (body is not JSON)"));
    };
    let recipient = recipient_of(&body).to_owned();
    let fault = {
        let mut state = lock();
        state
            .requests
            .push(((*phone_number_id).to_owned(), body.clone()));
        let by_recipient = state
            .by_recipient
            .iter()
            .find(|(to, _)| *to == recipient)
            .map(|(_, fault)| fault.clone());
        by_recipient.or_else(|| state.faults.pop_front())
    };
    changed.notify_waiters();
    match fault {
        Some(Fault::Error {
            status,
            code,
            title,
        }) => return Ok(error(status, code, &title)),
        Some(Fault::BareStatus(status)) => {
            return Ok(reply(status, Bytes::from_static(b"<html>simulated</html>")));
        }
        Some(Fault::Drop) => {
            return Err(std::io::Error::other("simulated dropped connection"));
        }
        Some(Fault::Latency(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    let wamid = wamids.next_wamid();
    {
        let mut state = lock();
        state.accepted.push(AcceptedSend {
            phone_number_id: (*phone_number_id).to_owned(),
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

/// Whom a send body addresses: its `to` (a phone number) or its `recipient` (a BSUID); empty
/// when it has neither.
pub fn recipient_of(body: &Value) -> &str {
    body.get("to")
        .or_else(|| body.get("recipient"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn error(status: u16, code: i64, title: &str) -> Response<Full<Bytes>> {
    let body = json!({"error": {
        "message": title, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": format!("simulated: {title}")},
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
