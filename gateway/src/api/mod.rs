//! The local listener's API (plain HTTP on the LAN, on axum): health probes for supervisors,
//! metrics for Prometheus, and the operator API, where operators list chats, read one with its
//! messages, and accept, close or transfer it.
//!
//! Every request under `/api/` must carry `Authorization: Bearer <token>` of a configured operator
//! ([`OperatorAuth`]), or the session cookie of the kiosk console ([`crate::console`]; with the
//! session's `X-CSRF-Token` on a POST, PUT or DELETE, else 403); without either the answer is 401,
//! before anything else (even for paths that do not exist, or a wrong method). The acting
//! operator is the one whose token was presented, or who signed in.
//!
//! # Endpoints
//!
//! - `GET /healthz` -> `ok` (text): the process is up.
//! - `GET /readyz` -> `ready`, or 503 `not ready: <reason>` (text).
//! - `GET /console` (and its assets, sign-in and sign-out) -> the kiosk console
//!   ([`crate::console`]).
//! - `GET /metrics` -> every series in the Prometheus text format (no token, like Prometheus
//!   exporters; see [`crate::telemetry::metrics`]).
//! - `GET /api/v1/chats[?state=waiting|active|closed]` -> `{"chats": [chat, ...]}` (no state:
//!   every chat; another state: 400).
//! - `GET /api/v1/chats/{id}` -> `{"chat": chat, "window": window, "messages": [message, ...],
//!   "outbound": [...], "notes": [{"n", "author", "text", "at"}, ...], "tags": [...]}`.
//! - `POST /api/v1/chats/{id}/accept`, `.../close`, `.../transfer` (body
//!   `{"department": "..."}`, a configured department's name) -> `{"chat": chat}` after the
//!   change is durable.
//! - `POST /api/v1/chats/{id}/send-check` (body `{"type": "free_form"}` or `{"type":
//!   "template", "name": "...", "language": "...", "parameters": n}`) -> `{"allowed": bool,
//!   "refusals": ["..."], "pricing": "free_customer_service"|"free_entry_point"|"regular"|null,
//!   "free_of_charge": bool, "category": "UTILITY"|...|null, "estimate_micro_usd": n|null,
//!   "window": window}`: may this message go to the chat's customer now, from the calling
//!   operator, and what will it cost? Answered 200 either way; `refusals` names every rule that
//!   forbids it (the chat is closed or another operator's, the window, the template's status,
//!   the US marketing pause, a price missing from the rate card, credits that do not cover
//!   the estimate). The price and the credits are judged by the store's writer as a real send
//!   would be, with nothing written.
//! - `POST /api/v1/chats/{id}/messages` (Meta's send body without `messaging_product` and `to`;
//!   optional `Idempotency-Key`) -> 202 `{"id", "state": "queued", "estimate_micro_usd",
//!   "pricing", "created"}` once durably in the outbox; refused with `{"error", "reasons"}`:
//!   409 (the chat), 422 (the rules, a text over 4,096 characters, no rate), 402 (credits, with
//!   `estimate_micro_usd`, `balance_micro_usd`, `available_micro_usd`) ([`messages`]).
//! - `POST /api/v1/chats/{id}/read` (`{"message_id": "<wamid>"}`, a customer's message of
//!   the chat): marked read at Meta now (200), or Meta's refusal (502).
//! - `GET /api/v1/messages[?state=...]`, `GET /api/v1/messages/{id}`,
//!   `POST /api/v1/messages/{id}/retry`: operators' messages and their states; a retry is a new
//!   message linked to a failed or uncertain one.
//! - `GET /api/v1/credits`, `POST /api/v1/credits/purchases` (`{"credits", "reference"}`): the
//!   ledger in micro-USD ([`credits`]).
//! - `GET /api/v1/numbers`, `POST /api/v1/numbers/{phone_number_id}/resume`,
//!   `GET /api/v1/wabas`: the business numbers, their holds and queues, and their accounts
//!   ([`numbers`]).
//! - `GET /api/v1/templates` -> `{"templates": [template, ...]}`: the configured templates as
//!   Meta's webhooks left them (status, reason, category now and any announced change).
//! - `GET /api/v1/status` -> [`crate::status::StatusReport`]: version, uptime, readiness (and
//!   why not), the store's use against the quota, chats by state, the last commit, the sync to
//!   headquarters (`upstream`: its state and why it waits, its backlog, its dead-lettered
//!   batches), and the `problems` that make the gateway unhealthy (`waygate status` prints it).
//! - `GET|POST /api/v1/canned-responses`, `GET|PUT|DELETE /api/v1/canned-responses/{id}`
//!   (`{"shortcut", "body"}`; a POST is numbered by the gateway; a PUT creates (201) or
//!   replaces (200)) -> `{"canned_responses": [...]}` or `{"canned_response": {"id",
//!   "shortcut", "body", "source": "config"|"local"|"hq", "updated_at"}}` ([`canned`],
//!   [`catalog`]).
//! - `POST /api/v1/chats/{id}/render` (`{"canned_response": "<id>"}`) -> `{"text"}` with
//!   `{{contact.name}}`, `{{contact.phone}}`, `{{agent.name}}` (the calling operator) and
//!   `{{chat.id}}` filled in, or 422 naming every undefined placeholder (`placeholders`).
//! - `GET /api/v1/articles[?q=words]`, `POST /api/v1/articles`, `GET|PUT|DELETE
//!   /api/v1/articles/{id}` (`{"title", "body", "link"}`): like canned responses; `q` searches
//!   titles and bodies, title matches first ([`articles`]).
//! - `POST /api/v1/chats/{id}/notes` (`{"text"}`, internal) -> 201 `{"note"}`; `PUT
//!   /api/v1/chats/{id}/tags` (`{"tags": [...]}`) -> `{"tags"}`; `POST /api/v1/chats/{id}/lead`
//!   (`{"name", "email", "phone", "company"}`) -> 202 `{"lead", "event_seq"}`; `POST
//!   /api/v1/chats/{id}/ticket` (optional `{"subject", "note"}`) -> 202 `{"event_seq",
//!   "entries", "truncated"}`: each journaled for headquarters (`note.added`, `tags.changed`,
//!   `lead.captured`, `ticket.requested` with the transcript), closed chats included
//!   ([`chat_tools`]).
//! - `GET /api/v1/events[?after=seq]` (or `Last-Event-ID`) -> Server-Sent Events of the
//!   journal ([`events`]).
//! - `GET /api/v1/log/{seq}/media` -> the downloaded file of customer message `seq` (the
//!   reference `message.received` events carry), or 404 saying why there is none.
//! - `POST /api/v1/upstream/dead-batches/{first}/retry` -> 202 `{"first", "last"}`: a batch
//!   headquarters refused is formed again and sent after the batches before it (404 when no
//!   dead-lettered batch starts at `first`).
//!
//! `GET` endpoints answer `HEAD` too. A window is the (number, customer) pair's:
//! `{"free_form_allowed", "template_required", "last_customer_message_at", "closes_at",
//! "free_entry_point": {"entry_point", "state": "offered"|"open", "answer_by", "closes_at",
//! "current"}|null, "summary"}`; it outlives chats.
//!
//! A chat is the object `waygate export --chats` writes (id, number, customer, department, state,
//! reason, closed_at, served_by, opened_at, last_customer_message_at, last_activity_at,
//! deadline_at, deadline_kind, profanity_hits, messages = the count); the list and the detail
//! add `contact`: `{"name", "username"}`, the customer's profile as their messages showed it
//! (each null when none did). A message is
//! `{"seq", "wamid", "timestamp", "type", "content"}` (`timestamp` is Meta's, in Unix seconds).
//! Instants are Unix milliseconds (UTC).
//!
//! # Errors
//!
//! Every refusal is `{"error": "<what to do>"}` ([`error`]): 401 (no or wrong token, with
//! `WWW-Authenticate: Bearer`), 400 (a bad query, or a body that is not the JSON the endpoint
//! takes: the field at fault is named), 404 (no such endpoint or chat; an id that is not a
//! decimal number names no chat and is a 404 too), 405 (wrong method, with `Allow`), 408 (the
//! request was not complete and answered within [`REQUEST_DEADLINE`]), 409 (the lifecycle
//! refuses the action, e.g. the chat is closed: the refusal's reason), 413 (body over
//! [`MAX_BODY_BYTES`]), 415 (a body without `Content-Type: application/json`), 422 (a transfer to
//! a department that is not configured: the configured ones are named; an input over a tool's
//! limits, with `field`), 503 (the store cannot answer now; as many event streams as served).

mod articles;
mod auth;
mod body;
mod canned;
mod catalog;
mod chat_tools;
mod chats;
mod credits;
mod departments;
mod error;
mod events;
mod extract;
mod frame_queue;
mod gate;
mod health;
mod media;
mod media_error;
mod messages;
mod metrics;
mod numbers;
mod policy_json;
mod send_body;
mod status;
#[cfg(test)]
mod tests;
mod upstream;

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use axum::routing::{get, post, put};
use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri};
use tower::ServiceBuilder;
use tower::ServiceExt as _;
use tower::util::BoxCloneSyncService;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use auth::{OperatorAuth, token_digest};
pub use departments::Departments;
pub use events::{BUFFER_BYTES, DEFAULT_GATEWAY_ID, KEEP_ALIVE, MAX_STREAMS, PAGE_EVENTS};
pub use health::{Health, Readiness};
pub(crate) use send_body::SendBody;

use crate::clock::SharedClock;
use crate::console::{Console, ConsoleSettings};
use crate::guess_limit::PerClient;
use crate::sender::SenderHandle;
use crate::store::Store;
use crate::telemetry::Metrics;
use crate::time::UnixMs;
use crate::upstream::SyncHandle;
use articles::Articles;
use canned::Canned;
use error::ApiError;
use events::EventStreams;
use tokio_util::sync::CancellationToken;

/// The largest request body the local listener reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a request may take from its head to its answer (a body sent too slowly is cut).
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// What a 404 names as served.
const ENDPOINTS: &str = "/healthz, /readyz, /metrics, /console, /api/v1/chats, /api/v1/chats/{id}, \
     /api/v1/chats/{id}/accept|close|transfer|send-check|messages|read|render|notes|tags|lead|ticket, \
     /api/v1/canned-responses[/{id}], /api/v1/articles[/{id}], /api/v1/events, \
     /api/v1/log/{seq}/media, /api/v1/messages, \
     /api/v1/messages/{id}, /api/v1/messages/{id}/retry, /api/v1/credits, \
     /api/v1/credits/purchases, /api/v1/media, /api/v1/media/{id}, /api/v1/numbers, \
     /api/v1/numbers/{phone_number_id}/resume, /api/v1/wabas, /api/v1/templates, \
     /api/v1/status and /api/v1/upstream/dead-batches/{first}/retry";

/// What the local API answers from: who may call it, the store it reads and changes chats in,
/// the departments chats can be transferred to, the clock the messaging rules are judged by, the
/// gateway's health and its metrics.
pub struct LocalApi {
    auth: OperatorAuth,
    store: Store,
    departments: Departments,
    clock: SharedClock,
    health: Health,
    metrics: Arc<Metrics>,
    /// The running sender: woken when a message is queued; its holds; resume.
    sender: SenderHandle,
    /// The event streams' gateway id, shutdown and slots.
    events: EventStreams,
    /// The sync to headquarters: its state for the status; woken when a dead batch is put back.
    sync: SyncHandle,
    /// The kiosk console's settings and sessions (a session cookie stands for a token).
    console: Console,
    /// The recent wrong bearer tokens of each client.
    guesses: Mutex<PerClient>,
    /// When the API was built (the gateway starting to serve), by the wall clock...
    started_at: UnixMs,
    /// ...and by a monotonic one, for the uptime.
    started: Instant,
}

impl std::fmt::Debug for LocalApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalApi")
            .field("auth", &self.auth)
            .field("store", &self.store.path())
            .field("departments", &self.departments)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

impl LocalApi {
    /// An API for the operators of `auth` on `store`, transferring chats between
    /// `departments`, judging windows by `clock`, reporting `health` and `metrics`.
    pub fn new(
        auth: OperatorAuth,
        store: Store,
        departments: Departments,
        clock: SharedClock,
        health: Health,
        metrics: Arc<Metrics>,
        sender: SenderHandle,
    ) -> Self {
        Self {
            auth,
            store,
            departments,
            sender,
            events: EventStreams::new(Arc::from(DEFAULT_GATEWAY_ID), CancellationToken::new()),
            sync: SyncHandle::not_configured(),
            console: Console::new(ConsoleSettings::default()),
            guesses: Mutex::new(PerClient::default()),
            started_at: clock.now_ms(),
            started: Instant::now(),
            clock,
            health,
            metrics,
        }
    }

    /// The API with its event streams naming events `<gateway_id>:<seq>` and ending when
    /// `shutdown` is cancelled (without this: [`DEFAULT_GATEWAY_ID`], and streams that end only
    /// with their clients).
    #[must_use]
    pub fn with_events(mut self, gateway_id: Arc<str>, shutdown: CancellationToken) -> Self {
        self.events = EventStreams::new(gateway_id, shutdown);
        self
    }

    /// The API of a gateway that syncs with headquarters through `sync`.
    #[must_use]
    pub fn with_sync(mut self, sync: SyncHandle) -> Self {
        self.sync = sync;
        self
    }

    /// The API with the kiosk console set up by `settings` (without this: the defaults), and
    /// the sessions it saved before a restart back.
    #[must_use]
    pub fn with_console(mut self, settings: ConsoleSettings) -> Self {
        self.console = Console::new(settings);
        let restored = self
            .console
            .restore_sessions(self.now(), |name| self.auth.knows(name));
        if restored > 0 {
            tracing::info!(
                sessions = restored,
                "the console's sessions are back from before the restart"
            );
        }
        self
    }

    /// The time by the API's clock.
    pub(crate) fn now(&self) -> UnixMs {
        self.clock.now_ms()
    }

    /// The recent wrong bearer tokens of each client.
    fn guesses(&self) -> MutexGuard<'_, PerClient> {
        self.guesses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kiosk console.
    pub(crate) const fn console(&self) -> &Console {
        &self.console
    }

    /// The departments chats can be transferred to.
    pub(crate) fn department_names(&self) -> Vec<String> {
        self.departments.names().to_vec()
    }

    /// The journal's last sequence number (0: none yet).
    pub(crate) fn journal_last_seq(&self) -> u64 {
        self.store.journal().last_seq()
    }

    /// The operator whose token an `Authorization` value (`Bearer <token>`) carries.
    pub(crate) fn operator_of(&self, authorization: &str) -> Option<&str> {
        self.auth.authenticate(Some(authorization))
    }
}

/// The local listener's service: the routes, the operator gate, the body limit, the deadline and
/// the request logs. Cheap to clone.
#[derive(Clone)]
pub struct LocalService(BoxCloneSyncService<Request<Body>, Response, Infallible>);

impl std::fmt::Debug for LocalService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalService")
    }
}

impl LocalService {
    /// The service answering from `api`.
    pub fn new(api: LocalApi) -> Self {
        Self::shared(Arc::new(api))
    }

    /// The service answering from `api`, which the caller keeps a handle to.
    fn shared(api: Arc<LocalApi>) -> Self {
        let routes = Router::new()
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .route("/metrics", get(metrics::metrics))
            .route("/api/v1/chats", get(chats::list))
            .route("/api/v1/chats/{id}", get(chats::detail))
            .route("/api/v1/chats/{id}/accept", post(chats::accept))
            .route("/api/v1/chats/{id}/close", post(chats::close))
            .route("/api/v1/chats/{id}/transfer", post(chats::transfer))
            .route("/api/v1/chats/{id}/send-check", post(chats::send_check))
            .route("/api/v1/chats/{id}/messages", post(messages::send))
            .route("/api/v1/chats/{id}/read", post(messages::mark_read))
            .route("/api/v1/messages", get(messages::list))
            .route("/api/v1/messages/{id}", get(messages::detail))
            .route("/api/v1/messages/{id}/retry", post(messages::retry))
            .route("/api/v1/credits", get(credits::credits))
            .route("/api/v1/credits/purchases", post(credits::purchase))
            .route("/api/v1/numbers", get(numbers::list))
            .route(
                "/api/v1/numbers/{phone_number_id}/resume",
                post(numbers::resume),
            )
            .route("/api/v1/wabas", get(numbers::wabas))
            .route("/api/v1/templates", get(chats::templates))
            .route("/api/v1/status", get(status::status))
            .route(
                "/api/v1/canned-responses",
                get(canned::list).post(catalog::create::<Canned>),
            )
            .route(
                "/api/v1/canned-responses/{id}",
                get(catalog::detail::<Canned>)
                    .put(catalog::replace::<Canned>)
                    .delete(catalog::delete::<Canned>),
            )
            .route("/api/v1/chats/{id}/render", post(canned::render_for_chat))
            .route(
                "/api/v1/articles",
                get(articles::list).post(catalog::create::<Articles>),
            )
            .route(
                "/api/v1/articles/{id}",
                get(catalog::detail::<Articles>)
                    .put(catalog::replace::<Articles>)
                    .delete(catalog::delete::<Articles>),
            )
            .route("/api/v1/chats/{id}/notes", post(chat_tools::add_note))
            .route("/api/v1/chats/{id}/tags", put(chat_tools::set_tags))
            .route("/api/v1/chats/{id}/lead", post(chat_tools::capture_lead))
            .route(
                "/api/v1/chats/{id}/ticket",
                post(chat_tools::request_ticket),
            )
            .route("/api/v1/events", get(events::stream))
            .route(
                "/api/v1/upstream/dead-batches/{first}/retry",
                post(upstream::retry_dead_batch),
            )
            .merge(crate::console::routes())
            .fallback(no_endpoint)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_DEADLINE,
            ))
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
            // After the listener's limit and deadline: attachments have their own.
            .merge(media::routes())
            .with_state(Arc::clone(&api));
        // The request span is the accept loop's (it carries the request id): the trace layer
        // logs the answer's status and latency in it.
        let trace = TraceLayer::new_for_http()
            .make_span_with(|_: &Request<Body>| tracing::Span::current())
            .on_request(())
            .on_response(
                DefaultOnResponse::new()
                    .level(Level::DEBUG)
                    .latency_unit(tower_http::LatencyUnit::Millis),
            )
            .on_failure(
                |_: ServerErrorsFailureClass, _: Duration, _: &tracing::Span| {
                    // 5xx answers are logged where they arise (the store's warnings).
                },
            );
        let service = ServiceBuilder::new()
            .map_response(|response: Response<_>| response.map(Body::new))
            .layer(trace)
            .layer(axum::middleware::map_response(
                error::framework_answer_as_json,
            ))
            .layer(axum::middleware::from_fn_with_state(
                api,
                gate::require_operator,
            ))
            .service(routes);
        Self(BoxCloneSyncService::new(service))
    }

    /// Answers one request.
    pub async fn handle<B>(self, request: Request<B>) -> Response
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        match self.0.oneshot(request.map(Body::new)).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

async fn no_endpoint(uri: Uri) -> ApiError {
    ApiError::NoEndpoint {
        path: uri.path().to_owned(),
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method,
        path: uri.path().to_owned(),
    }
}
