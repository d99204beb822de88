//! The public endpoint: `GET /webhook` answers Meta's subscription handshake, `POST /webhook`
//! verifies, decodes and durably stores deliveries. Every other path is 404 and every other
//! method 405: the public port serves nothing else.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::secret::Secret;
use http::{HeaderValue, Method, Request, StatusCode, header};
use hyper::body::Incoming;
use tracing::{debug, info, warn};

use super::body::{BodyError, BodyLimits, read_body};
use super::body_budget::BodyBudget;
use super::chat_routing::ChatRouting;
use super::prepare::{NumberNews, Prepared, prepare};
use super::response::{self, Reply};
use crate::clock::SharedClock;
use crate::meta::{DecodeLimits, verify_signature};
use crate::numbers::Board;
use crate::store::{Store, StoreError};
use crate::telemetry::{Refusal, WebhookMetrics};

/// The webhook's path.
pub const WEBHOOK_PATH: &str = "/webhook";
/// Header carrying Meta's HMAC-SHA256 of the body.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// Bodies up to this size are decoded on the request's task; larger ones on the blocking pool.
const DECODE_INLINE_MAX_BYTES: usize = 256 * 1024;
/// What a 503 asks the sender to wait before retrying, in seconds.
const RETRY_AFTER_SECS: &str = "60";

/// The endpoint's configuration and shared state.
pub struct WebhookEndpoint {
    verify_token: Secret,
    app_secrets: Vec<Secret>,
    store: Store,
    metrics: WebhookMetrics,
    clock: SharedClock,
    body_limits: BodyLimits,
    decode_limits: DecodeLimits,
    routing: Arc<ChatRouting>,
    numbers: Arc<Mutex<Board>>,
}

/// The pieces a [`WebhookEndpoint`] is built from.
pub struct WebhookSettings {
    /// The verify token for the handshake (compared in constant time).
    pub verify_token: Secret,
    /// App secrets; a signature by any of them is accepted (several apps may subscribe).
    pub app_secrets: Vec<Secret>,
    /// The largest body accepted.
    pub max_body_bytes: usize,
    /// How long a client may take to send the body.
    pub body_timeout: Duration,
    /// The memory budget shared by every body in flight, in bytes.
    pub inflight_body_bytes: usize,
    /// The most entries, changes and items one delivery may hold.
    pub decode_limits: DecodeLimits,
    /// Profanity lists and departments for customer messages.
    pub routing: Arc<ChatRouting>,
    /// The numbers' registry, told what deliveries say of numbers once they are stored.
    pub numbers: Arc<Mutex<Board>>,
}

impl WebhookEndpoint {
    /// Builds the endpoint.
    pub fn new(
        settings: WebhookSettings,
        store: Store,
        metrics: WebhookMetrics,
        clock: SharedClock,
    ) -> Self {
        Self {
            verify_token: settings.verify_token,
            app_secrets: settings.app_secrets,
            store,
            metrics,
            clock,
            body_limits: BodyLimits {
                max_bytes: settings.max_body_bytes,
                deadline: settings.body_timeout,
                budget: BodyBudget::new(settings.inflight_body_bytes),
            },
            decode_limits: settings.decode_limits,
            routing: settings.routing,
            numbers: settings.numbers,
        }
    }

    /// Routes one request, and counts its answer by status.
    pub async fn handle(&self, request: Request<Incoming>) -> Reply {
        let reply = if request.uri().path() != WEBHOOK_PATH {
            response::not_found()
        } else {
            match *request.method() {
                Method::GET => self.handshake(request.uri().query()),
                Method::POST => self.deliver(request).await,
                _ => response::method_not_allowed("GET, POST"),
            }
        };
        self.metrics.answered(reply.status());
        reply
    }

    /// `GET /webhook?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C`.
    fn handshake(&self, query: Option<&str>) -> Reply {
        let (mut mode, mut token, mut challenge) = (None, None, None);
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match name.as_ref() {
                "hub.mode" => mode = Some(value),
                "hub.verify_token" => token = Some(value),
                "hub.challenge" => challenge = Some(value),
                _ => {}
            }
        }
        let token_ok = token.is_some_and(|t| self.verify_token.matches(t.as_bytes()));
        match (mode.as_deref(), challenge) {
            (Some("subscribe"), Some(challenge)) if token_ok => {
                info!("webhook subscription handshake answered");
                response::text(StatusCode::OK, challenge.into_owned())
            }
            _ => {
                warn!("webhook handshake refused: wrong verify token, mode or missing challenge");
                response::message(
                    StatusCode::FORBIDDEN,
                    "handshake refused: hub.mode must be subscribe, hub.verify_token must match the configured verify token, and hub.challenge must be present",
                )
            }
        }
    }

    /// `POST /webhook`: answered 200 only once the delivery is durable.
    async fn deliver(&self, request: Request<Incoming>) -> Reply {
        let (parts, body) = request.into_parts();
        let declared = content_length(&parts.headers);
        if expects_continue(&parts.headers)
            && declared.is_some_and(|length| length > self.body_limits.max_bytes as u64)
        {
            // Refused before `100 Continue`: the client never sends the body.
            return self.too_large();
        }
        let (body, mut reservation) = match read_body(body, &self.body_limits, declared).await {
            Ok(body) => (body.bytes, body.reservation),
            Err(BodyError::TooLarge { .. }) => return self.too_large(),
            Err(error @ BodyError::OverBudget { .. }) => return self.over_budget(&error),
            Err(BodyError::TimedOut(limit)) => {
                warn!(limit_ms = limit.as_millis(), "body not received in time");
                return response::message(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body was not received in time",
                );
            }
            Err(BodyError::Read(reason)) => {
                debug!(%reason, "body read failed");
                return response::message(
                    StatusCode::BAD_REQUEST,
                    "the request body could not be read",
                );
            }
        };
        let header = parts
            .headers
            .get(SIGNATURE_HEADER)
            .map(|value| value.to_str().unwrap_or("\u{fffd}"));
        let secrets: Vec<&[u8]> = self.app_secrets.iter().map(Secret::as_bytes).collect();
        if let Err(error) = verify_signature(&secrets, header, &body) {
            let total = self.metrics.refused(Refusal::Signature);
            warn!(%error, signature_failures = total, bytes = body.len(), "webhook refused: bad signature; nothing stored");
            return response::message(StatusCode::UNAUTHORIZED, &error.to_string());
        }
        if self.store.health().is_recovering() {
            return self.recovering();
        }
        // Decoding costs more than the body: reserve it too, so the budget bounds both. Never
        // more than the whole budget, so a body alone always fits.
        if let Some(cost) = self.decode_limits.decoding_cost(&body) {
            let cost = cost.min(self.body_limits.budget.total());
            if !reservation.grow_to(cost, cost) {
                return self.over_budget(&self.body_limits.over_budget());
            }
        }
        let received_at_ms = self.clock.now_ms();
        let received = Instant::now();
        let Prepared { batch, numbers } = if body.len() > DECODE_INLINE_MAX_BYTES {
            // A large payload takes milliseconds to decode: keep it off the async workers.
            let owned = body.clone();
            let routing = Arc::clone(&self.routing);
            let limits = self.decode_limits;
            match tokio::task::spawn_blocking(move || {
                prepare(&owned, received_at_ms, &routing, limits)
            })
            .await
            {
                Ok(batch) => batch,
                Err(error) => {
                    warn!(%error, "decoding task failed; the delivery was not stored");
                    return unavailable(
                        "the delivery could not be processed; it was not stored, retry later",
                    );
                }
            }
        } else {
            prepare(&body, received_at_ms, &self.routing, self.decode_limits)
        };
        let event_count = batch.events.len();
        match self.store.ingest(batch).await {
            Ok(outcome) => {
                if !numbers.is_empty() {
                    self.tell_numbers(&numbers, received_at_ms);
                }
                let dead_letters_total = self.metrics.stored(&outcome, received.elapsed());
                if outcome.dead_letters > 0 {
                    warn!(
                        stored = outcome.dead_letters,
                        dead_letters_total,
                        "dead letters stored; inspect them with `waygate export --dead-letters`"
                    );
                }
                debug!(
                    events = event_count,
                    appended = outcome.appended,
                    duplicates = outcome.duplicates,
                    first_seq = outcome.first_seq,
                    "webhook stored"
                );
                response::text(StatusCode::OK, "ok\n")
            }
            Err(error @ StoreError::QuotaExceeded { .. }) => {
                let total = self.metrics.refused(Refusal::Quota);
                warn!(%error, quota_refusals = total, "webhook refused with 503: the disk quota is reached; Meta will retry. Free space in the data folder or raise store.quota_bytes");
                unavailable("disk quota reached; the delivery was not stored, retry later")
            }
            Err(StoreError::Recovering { .. }) => self.recovering(),
            Err(error) => {
                self.metrics.refused(Refusal::Store);
                warn!(%error, "webhook refused with 503: the store could not commit it; Meta will retry");
                unavailable(
                    "the store could not commit this delivery; it was not stored, retry later",
                )
            }
        }
    }

    /// Applies what a stored delivery says of numbers to the registry.
    fn tell_numbers(&self, news: &[NumberNews], now: u64) {
        let mut board = self.numbers.lock().unwrap_or_else(PoisonError::into_inner);
        for item in news {
            match (&item.event, &item.phone_number_id) {
                (Some(event), _) => {
                    board.apply(&item.waba_id, event, now);
                }
                (None, Some(id)) => board.saw_number(id, &item.waba_id, None),
                (None, None) => {}
            }
        }
    }

    fn over_budget(&self, error: &BodyError) -> Reply {
        let total = self.metrics.refused(Refusal::OverBudget);
        warn!(%error, over_budget = total, "webhook refused with 503: too many bodies in flight; Meta will retry. See public.inflight_body_bytes");
        unavailable(
            "too many request bodies are in flight; the delivery was not stored, retry later",
        )
    }

    /// 503 while the store recovers from a disk error (`/readyz` on the local listener says
    /// which). Not logged per delivery: the store logs the error and the recovery.
    fn recovering(&self) -> Reply {
        self.metrics.refused(Refusal::Store);
        unavailable(
            "the store is recovering from a disk error (the local /readyz says why); the delivery was not stored, retry later",
        )
    }

    fn too_large(&self) -> Reply {
        self.metrics.refused(Refusal::TooLarge);
        let limit = self.body_limits.max_bytes;
        warn!(limit, "webhook refused: body too large");
        response::message(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {limit} bytes"),
        )
    }
}

fn unavailable(message: &str) -> Reply {
    let mut reply = response::message(StatusCode::SERVICE_UNAVAILABLE, message);
    reply.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    reply
}

/// True when the client waits for `100 Continue` before sending the body.
fn expects_continue(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
