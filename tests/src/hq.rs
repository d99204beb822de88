//! A simulated headquarters (HQ) on loopback (plain HTTP; the gateway allows `http://` to a
//! loopback host only). It takes the gateway's batches, verifies their Standard Webhooks
//! signatures with its own code and clock ([`signature`](HqKey)), records every delivery
//! ([`Received`]), and answers as the test scripts it:
//!
//! - [`Hq::up`] 200; [`Hq::down`] every connection closed unanswered (new ones at once, open
//!   ones cut, a long poll too) on the same port; [`Hq::slow`] 200 after a wait;
//!   [`Hq::failing`] a status (with `Retry-After`) until changed; [`Hq::reject_next`] a status
//!   for the next batches, then as before; [`Hq::gone`] 410 always.
//! - A delivery that does not verify (unsigned, badly signed, more than 5 minutes from HQ's
//!   clock) is answered 401 and recorded with the reason.
//! - HQ's clock is the machine's, or ahead of it (or behind) by what [`Hq::set_clock_ahead`]
//!   says: it dates answers, signs commands and judges batches' timestamps.
//! - Every answer carries a `Date` header from HQ's clock, including `HEAD` and `GET` on the
//!   batches URL (the gateway's clock probe, counted in [`Received::probes`], answered 200, or
//!   410 when gone, whatever is scripted for batches).
//! - `GET /commands?gateway_id=..&after=<id>&wait=<s>` serves the queued commands after
//!   `after`, held up to `wait` seconds (answered early when one is queued), signed with the
//!   same secret ([`Hq::push_command`], [`Hq::push_duplicate`], [`Hq::unsigned_next`],
//!   [`Hq::stale_next`]).
//!
//! Waits ([`Hq::wait_for_events`], [`Hq::wait_until`]) wake on each record, never on a timer.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

mod commands;
mod received;
mod signature;

pub use commands::{AnswerSigning, CommandsRequest};
pub use received::{Batch, Delivery, Event, OrderViolation, Received};
pub use signature::{
    HqKey, TOLERANCE_S, Unverified, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP,
};

use crate::error::{HarnessError, HarnessResult};
use crate::loopback::bind_loopback;

/// The path batches are posted to.
pub const BATCHES_PATH: &str = "/batches";
/// The path commands are polled from.
pub const COMMANDS_PATH: &str = "/commands";
/// How old a stale commands answer's timestamp is.
const STALE_BY_S: i64 = 10 * 60;

/// How HQ answers batches until told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Up,
    Down,
    Slow(Duration),
    Failing {
        status: u16,
        retry_after_s: Option<u64>,
    },
    Gone,
}

/// A scripted answer to one batch: a status and its `Retry-After`.
#[derive(Debug, Clone, Copy)]
struct Scripted {
    status: u16,
    retry_after_s: Option<u64>,
}

/// How HQ answers: its mode and the answers scripted for the next batches.
#[derive(Debug)]
struct Script {
    mode: Mode,
    next: VecDeque<Scripted>,
}

/// What the server's tasks share with the test.
struct Shared {
    key: HqKey,
    script: Mutex<Script>,
    received: Mutex<Received>,
    commands: Mutex<commands::Queue>,
    /// Something was recorded.
    recorded: Notify,
    /// A command was queued, or a fault scripted on the next commands answer.
    queued: Notify,
    /// Bumped by [`Hq::down`]: every open connection closes.
    cut: watch::Sender<u64>,
    /// How far HQ's clock is ahead of the machine's, in seconds (negative: behind).
    clock_ahead_s: AtomicI64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The simulated HQ; stops when dropped.
pub struct Hq {
    address: SocketAddr,
    secret: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Hq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hq")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Drop for Hq {
    fn drop(&mut self) {
        self.task.abort();
        self.shared.cut.send_modify(|generation| *generation += 1);
    }
}

impl Hq {
    /// Starts on a free loopback port with a fresh `whsec_` secret, up.
    ///
    /// # Errors
    /// When it cannot bind.
    pub async fn start() -> HarnessResult<Self> {
        let secret = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(crate::random::random_bytes::<32>())
        );
        Self::start_with_secret(&secret).await
    }

    /// Starts with the shared secret `secret` (`whsec_<base64>` or raw text).
    ///
    /// # Errors
    /// When it cannot bind, or `secret` is `whsec_` and not base64.
    pub async fn start_with_secret(secret: &str) -> HarnessResult<Self> {
        let key = HqKey::from_secret(secret).map_err(HarnessError::Invalid)?;
        let (listener, address) = bind_loopback().await?;
        let shared = Arc::new(Shared {
            key,
            script: Mutex::new(Script {
                mode: Mode::Up,
                next: VecDeque::new(),
            }),
            received: Mutex::new(Received::default()),
            commands: Mutex::new(commands::Queue::default()),
            recorded: Notify::new(),
            queued: Notify::new(),
            cut: watch::Sender::new(0),
            clock_ahead_s: AtomicI64::new(0),
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(Self {
            address,
            secret: secret.to_owned(),
            shared,
            task,
        })
    }

    /// Where HQ listens.
    pub const fn address(&self) -> SocketAddr {
        self.address
    }

    /// `upstream.url`: where batches are posted.
    pub fn batches_url(&self) -> String {
        format!("http://{}{BATCHES_PATH}", self.address)
    }

    /// `upstream.commands_url`: where commands are polled.
    pub fn commands_url(&self) -> String {
        format!("http://{}{COMMANDS_PATH}", self.address)
    }

    /// The shared secret, as the gateway's configuration writes it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// HQ's key, to sign or check as HQ does.
    pub fn key(&self) -> &HqKey {
        &self.shared.key
    }

    /// The `[upstream]` table that points a gateway here with the shared secret.
    pub fn config_toml(&self) -> String {
        format!(
            "[upstream]\nurl = \"{}\"\nsecret = \"{}\"\ncommands_url = \"{}\"\n",
            self.batches_url(),
            self.secret,
            self.commands_url()
        )
    }

    fn set_mode(&self, mode: Mode) {
        lock(&self.shared.script).mode = mode;
    }

    /// Batches are acknowledged (200), and scripted answers dropped.
    pub fn up(&self) {
        let mut script = lock(&self.shared.script);
        script.mode = Mode::Up;
        script.next.clear();
    }

    /// Back up, refusing the next `count` verified batches with `status` first (set at once, so
    /// no batch slips through between the two).
    pub fn up_rejecting_next(&self, count: usize, status: u16) {
        let mut script = lock(&self.shared.script);
        script.mode = Mode::Up;
        script.next.clear();
        let scripted = Scripted {
            status,
            retry_after_s: None,
        };
        script.next.extend(std::iter::repeat_n(scripted, count));
    }

    /// Every connection is closed without an answer: new ones at once, open ones (idle,
    /// mid-request or holding a poll) now. The port stays HQ's, for [`Self::up`].
    pub fn down(&self) {
        self.set_mode(Mode::Down);
        self.shared.cut.send_modify(|generation| *generation += 1);
    }

    /// Batches are acknowledged after `wait`.
    pub fn slow(&self, wait: Duration) {
        self.set_mode(Mode::Slow(wait));
    }

    /// Batches are answered `status` (with `Retry-After: <s>` when given) until the mode
    /// changes.
    pub fn failing(&self, status: u16, retry_after_s: Option<u64>) {
        self.set_mode(Mode::Failing {
            status,
            retry_after_s,
        });
    }

    /// The next `count` verified batches are answered `status` (with `Retry-After` when given);
    /// then HQ answers as its mode says.
    pub fn failing_next(&self, count: usize, status: u16, retry_after_s: Option<u64>) {
        let scripted = Scripted {
            status,
            retry_after_s,
        };
        lock(&self.shared.script)
            .next
            .extend(std::iter::repeat_n(scripted, count));
    }

    /// The next `count` verified batches are refused with `status` (400 for one the gateway
    /// must dead-letter); then HQ answers as its mode says.
    pub fn reject_next(&self, count: usize, status: u16) {
        self.failing_next(count, status, None);
    }

    /// HQ's clock reads `ahead_s` seconds ahead of the machine's (negative: behind) from now
    /// on: its `Date` headers, its commands' timestamps and its judgment of batches'.
    pub fn set_clock_ahead(&self, ahead_s: i64) {
        self.shared.clock_ahead_s.store(ahead_s, Ordering::SeqCst);
    }

    /// Every batch and poll is answered 410: the endpoint is gone.
    pub fn gone(&self) {
        self.set_mode(Mode::Gone);
    }

    /// Queues a command (`{"type": ..., ...}`); it gets the id `c<n>` unless it has an `id`.
    /// Returns its id. A poll held open answers at once.
    pub fn push_command(&self, command: Value) -> String {
        let id = lock(&self.shared.commands).push(command);
        self.shared.queued.notify_waiters();
        id
    }

    /// The next commands answer ignores its `after` once: every queued command is served again,
    /// with the same ids and bodies (a redelivery the gateway must not carry out twice).
    pub fn push_duplicate(&self) {
        lock(&self.shared.commands).replay_next();
        self.shared.queued.notify_waiters();
    }

    /// The next commands answer goes out without the signature headers.
    pub fn unsigned_next(&self) {
        lock(&self.shared.commands).unsigned_next();
    }

    /// The next commands answer is signed with a timestamp ten minutes old.
    pub fn stale_next(&self) {
        lock(&self.shared.commands).stale_next();
    }

    /// A copy of everything received so far.
    pub fn received(&self) -> Received {
        lock(&self.shared.received).clone()
    }

    /// The events HQ holds (acknowledged, each id once), by sequence number.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.shared.received).events()
    }

    /// Every batch delivery, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.shared.received).deliveries().to_vec()
    }

    /// Every commands poll, in arrival order.
    pub fn commands_requests(&self) -> Vec<CommandsRequest> {
        lock(&self.shared.received).commands_requests.clone()
    }

    /// Waits until HQ holds at least `count` distinct events.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] after `deadline`, with what HQ holds.
    pub async fn wait_for_events(&self, count: usize, deadline: Duration) -> HarnessResult<()> {
        self.wait_until(deadline, "events", |received| {
            received.event_count() >= count
        })
        .await
    }

    /// Waits until `done` holds for what HQ received (checked at each record).
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] after `deadline`, naming `what` and what HQ holds.
    pub async fn wait_until(
        &self,
        deadline: Duration,
        what: &str,
        done: impl Fn(&Received) -> bool,
    ) -> HarnessResult<()> {
        let until = Instant::now() + deadline;
        loop {
            let recorded = self.shared.recorded.notified();
            if done(&lock(&self.shared.received)) {
                return Ok(());
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, recorded).await.is_err() {
                let received = lock(&self.shared.received);
                return Err(HarnessError::Timeout(format!(
                    "waiting for {what} at the simulated HQ for {deadline:?} ({} deliveries, {} \
                     events held, {} polls)",
                    received.deliveries().len(),
                    received.event_count(),
                    received.commands_requests.len()
                )));
            }
        }
    }
}

impl Shared {
    /// HQ's clock.
    fn now(&self) -> SystemTime {
        let ahead_s = self.clock_ahead_s.load(Ordering::SeqCst);
        let by = Duration::from_secs(ahead_s.unsigned_abs());
        let machine = SystemTime::now();
        if ahead_s >= 0 {
            machine + by
        } else {
            machine.checked_sub(by).unwrap_or(UNIX_EPOCH)
        }
    }

    /// HQ's clock, in Unix seconds.
    fn now_s(&self) -> i64 {
        let since_epoch = self.now().duration_since(UNIX_EPOCH).unwrap_or_default();
        i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX)
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if lock(&shared.script).mode == Mode::Down {
            drop(stream);
            continue;
        }
        let mut cut = shared.cut.subscribe();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, Arc::clone(&shared)));
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = cut.changed() => {}
            }
        });
    }
}

type Answer = Result<Response<Full<Bytes>>, std::io::Error>;

/// The answer to one request; an `Err` closes the connection unanswered.
async fn answer(request: Request<Incoming>, shared: Arc<Shared>) -> Answer {
    if lock(&shared.script).mode == Mode::Down {
        return Err(std::io::Error::other("simulated HQ is down"));
    }
    let path = request.uri().path().to_owned();
    match (request.method(), path.as_str()) {
        (&Method::POST, BATCHES_PATH) => batch(request, &shared).await,
        (&Method::HEAD | &Method::GET, BATCHES_PATH) => {
            lock(&shared.received).probes += 1;
            shared.recorded.notify_waiters();
            let gone = lock(&shared.script).mode == Mode::Gone;
            let status = if gone { 410 } else { 200 };
            let body = if request.method() == Method::HEAD {
                Bytes::new()
            } else {
                Bytes::from_static(b"{}")
            };
            Ok(reply(&shared, status, None, body))
        }
        (&Method::GET, COMMANDS_PATH) => {
            let query = request.uri().query().unwrap_or_default().to_owned();
            Ok(commands(&query, &shared).await)
        }
        (_, BATCHES_PATH | COMMANDS_PATH) => Ok(error(&shared, 405, "method not allowed")),
        _ => Ok(error(&shared, 404, "no such path at the simulated HQ")),
    }
}

/// A batch: verified, recorded, answered as scripted.
async fn batch(request: Request<Incoming>, shared: &Shared) -> Answer {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let verified = shared.key.check(&parts.headers, &body, shared.now_s());
    let batch = verified
        .is_ok()
        .then(|| serde_json::from_slice::<Batch>(&body).ok())
        .flatten();
    let (status, retry_after_s, wait) = {
        let mut script = lock(&shared.script);
        match (&verified, script.mode) {
            (_, Mode::Gone) => (410, None, None),
            (Err(_), _) => (401, None, None),
            _ if batch.is_none() => (400, None, None),
            (Ok(()), mode) => match (script.next.pop_front(), mode) {
                (Some(scripted), _) => (scripted.status, scripted.retry_after_s, None),
                (
                    None,
                    Mode::Failing {
                        status,
                        retry_after_s,
                    },
                ) => (status, retry_after_s, None),
                (None, Mode::Slow(wait)) => (200, None, Some(wait)),
                (None, Mode::Up | Mode::Down | Mode::Gone) => (200, None, None),
            },
        }
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let answer = match (&verified, &batch) {
        (Err(why), _) => json!({"error": format!("unverified: {why}")}),
        (Ok(()), None) => json!({"error": "the body is not a batch"}),
        (Ok(()), Some(batch)) => json!({"received": batch.events.len()}),
    };
    lock(&shared.received).record(Delivery {
        webhook_id: header(WEBHOOK_ID),
        timestamp: header(WEBHOOK_TIMESTAMP),
        verified,
        status,
        batch,
        body_bytes: body.len(),
        at: Instant::now(),
    });
    shared.recorded.notify_waiters();
    if let Some(wait) = wait {
        tokio::time::sleep(wait).await;
    }
    Ok(reply(
        shared,
        status,
        retry_after_s,
        Bytes::from(answer.to_string()),
    ))
}

/// A commands poll: held until a command is pending or `wait` passed, then answered signed as
/// scripted.
async fn commands(query: &str, shared: &Shared) -> Response<Full<Bytes>> {
    let mut request = CommandsRequest::from_query(query);
    if lock(&shared.script).mode == Mode::Gone {
        return error(shared, 410, "gone");
    }
    lock(&shared.received).polls_started += 1;
    shared.recorded.notify_waiters();
    let until = Instant::now() + Duration::from_secs(request.wait_s());
    loop {
        let queued = shared.queued.notified();
        let pending = !lock(&shared.commands)
            .pending(request.after.as_deref())
            .is_empty();
        let left = until.saturating_duration_since(Instant::now());
        if pending || left.is_zero() || tokio::time::timeout(left, queued).await.is_err() {
            break;
        }
    }
    let body = lock(&shared.commands).answer(&mut request);
    let mut response = reply(shared, 200, None, Bytes::from(body.clone()));
    let timestamp = match request.signing {
        AnswerSigning::Unsigned => None,
        AnswerSigning::Signed => Some(shared.now_s()),
        AnswerSigning::Stale => Some(shared.now_s() - STALE_BY_S),
    };
    if let Some(timestamp) = timestamp {
        let signature = shared.key.sign(&request.webhook_id, timestamp, &body);
        for (name, value) in [
            (WEBHOOK_ID, request.webhook_id.clone()),
            (WEBHOOK_TIMESTAMP, timestamp.to_string()),
            (WEBHOOK_SIGNATURE, signature),
        ] {
            if let Ok(value) = HeaderValue::try_from(value) {
                response.headers_mut().insert(name, value);
            }
        }
    }
    lock(&shared.received).commands_requests.push(request);
    shared.recorded.notify_waiters();
    response
}

fn error(shared: &Shared, status: u16, message: &str) -> Response<Full<Bytes>> {
    let body = json!({ "error": message }).to_string();
    reply(shared, status, None, Bytes::from(body))
}

/// A JSON answer with HQ's `Date`, and `Retry-After` when given.
fn reply(
    shared: &Shared,
    status: u16,
    retry_after_s: Option<u64>,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(date) = HeaderValue::try_from(httpdate::fmt_http_date(shared.now())) {
        headers.insert(http::header::DATE, date);
    }
    if let Some(seconds) = retry_after_s {
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
