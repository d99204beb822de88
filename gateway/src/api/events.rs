//! `GET /api/v1/events`: the journal as Server-Sent Events, for operators' screens.
//!
//! Each event is one `id: <seq>` line and one `data: <JSON>` line (the wire form headquarters
//! receives, [`crate::journal::event_json`], on one line), then a blank line. There is no
//! `event:` field, so a browser's `onmessage` gets every event.
//!
//! # Where a stream starts
//!
//! - After the event named by `Last-Event-ID` (what a browser sends when it reconnects), or
//!   else by `?after=<seq>` (for clients that cannot set headers): nothing is missed and nothing
//!   repeated across a reconnect. `after=0` replays the whole journal that is kept.
//! - Without either: at the journal's current end, with only new events.
//!
//! The stream opens with a comment (`: waygate events after <seq>`) once it is subscribed:
//! every event appended from then on is delivered.
//!
//! # Gaps
//!
//! When events after the requested one were pruned by retention (`store.retention_days`), or
//! the requested seq is past the journal's end (another store), the stream says so with an
//! `event: reset` whose data is `{"reason": "pruned"|"ahead", "requested_after": N,
//! "resumes_after": M}` and goes on from `M` (the oldest event kept, or the end): handle it with
//! `addEventListener("reset", ...)`.
//!
//! # Bounds
//!
//! - At most [`MAX_STREAMS`] streams at once; one more is refused with 503.
//! - Between the reader (pages of [`PAGE_EVENTS`] read from the store) and the response body, a
//!   buffer of [`BUFFER_BYTES`]. The reader reads the next page only once the client has taken
//!   the buffer down to half (the store holds the rest); a client that takes too little for
//!   [`DRAIN_GRACE`], or falls the whole buffer behind, is cut off (its connection closed)
//!   rather than let memory grow. It reconnects with `Last-Event-ID` and misses nothing.
//! - A comment (`: keep-alive`) every [`KEEP_ALIVE`] while no event flows, so that proxies and
//!   clients see a live connection.
//! - A stream ends when the gateway shuts down (after a last comment saying so).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::LocalApi;
use super::error::ApiError;
use super::frame_queue::{FrameSender, Overflow, frame_queue};
use crate::journal::event_json;
use crate::server::CloseConnection;
use crate::store::{ResolvedEvent, Store};

/// The gateway id events carry until [`super::LocalApi::with_events`] is given the real one.
pub const DEFAULT_GATEWAY_ID: &str = "waygate";
/// The most streams served at once.
pub const MAX_STREAMS: usize = 16;
/// How long a stream stays silent before a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How many events the reader takes from the store at once.
pub const PAGE_EVENTS: usize = 256;
/// How long the reader waits for a client behind by half the buffer to take frames before it
/// cuts the client off.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How far (in bytes of frames) a client may fall behind before it is cut off.
pub const BUFFER_BYTES: usize = 256 * 1024;

/// What the event streams share: the gateway's id (in each event's `id`), the shutdown that
/// ends them, and their slots.
#[derive(Debug, Clone)]
pub(super) struct EventStreams {
    gateway_id: Arc<str>,
    shutdown: CancellationToken,
    slots: Arc<Semaphore>,
}

impl EventStreams {
    /// Streams of events named by `gateway_id`, ended by `shutdown`.
    pub(super) fn new(gateway_id: Arc<str>, shutdown: CancellationToken) -> Self {
        Self {
            gateway_id,
            shutdown,
            slots: Arc::new(Semaphore::new(MAX_STREAMS)),
        }
    }

    /// How many streams are open (their readers running).
    #[cfg(test)]
    pub(super) fn open(&self) -> usize {
        MAX_STREAMS - self.slots.available_permits()
    }
}

/// `GET /api/v1/events`'s query.
#[derive(Deserialize)]
pub(super) struct EventsQuery {
    /// Start after this seq (when no `Last-Event-ID` is sent).
    after: Option<String>,
}

/// `GET /api/v1/events`.
pub(super) async fn stream(
    State(api): State<Arc<LocalApi>>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
    closer: Option<Extension<CloseConnection>>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::BadQuery(format!(
            "{rejection}; resume with ?after=<seq> (or a Last-Event-ID header), or send no query for new events only"
        ))
    })?;
    let last_event_id = headers
        .get("last-event-id")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned())
        .filter(|value| !value.is_empty());
    let requested = match last_event_id.or(query.after) {
        Some(text) => Some(parse_seq(&text)?),
        None => None,
    };
    let streams = &api.events;
    let permit = Arc::clone(&streams.slots)
        .try_acquire_owned()
        .map_err(|_| ApiError::TooManyStreams(MAX_STREAMS))?;
    let (frames, body) = frame_queue(BUFFER_BYTES);
    let pump = Pump {
        store: api.store.clone(),
        gateway_id: Arc::clone(&streams.gateway_id),
        frames,
        shutdown: streams.shutdown.clone(),
        cursor: requested.unwrap_or_else(|| api.store.journal().last_seq()),
        requested: requested.is_some(),
        _permit: permit,
    };
    let closer = closer.map(|Extension(closer)| closer);
    tokio::spawn(pump.run(closer));
    let mut response = Response::new(Body::new(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Reverse proxies must not hold events back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// An event's seq as a client sends it back.
fn parse_seq(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>()
        .ok()
        .filter(|_| text.bytes().all(|byte| byte.is_ascii_digit()))
        .ok_or_else(|| ApiError::BadEventId(format!("{text:?}")))
}

/// Why a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// The client closed the connection.
    ClientGone,
    /// The client fell behind by more than the buffer.
    FellBehind,
    /// The gateway is shutting down.
    Shutdown,
    /// The store could not be read (or stopped).
    Store(String),
}

impl From<Overflow> for Ending {
    fn from(overflow: Overflow) -> Self {
        match overflow {
            Overflow::Full => Self::FellBehind,
            Overflow::Closed => Self::ClientGone,
        }
    }
}

/// One stream's reader: from the store to the frame queue.
struct Pump {
    store: Store,
    gateway_id: Arc<str>,
    frames: FrameSender,
    shutdown: CancellationToken,
    /// The last seq sent (or the one the stream starts after).
    cursor: u64,
    /// Whether the client named where to start (else it starts at the end).
    requested: bool,
    _permit: OwnedSemaphorePermit,
}

impl Pump {
    /// Streams until the stream ends; a client that fell behind has its connection closed by
    /// `closer` (without one, the body ends after what is buffered).
    async fn run(mut self, closer: Option<CloseConnection>) {
        let Err(ending) = self.pump().await;
        match &ending {
            Ending::FellBehind => {
                tracing::warn!(
                    after = self.cursor,
                    buffer_bytes = BUFFER_BYTES,
                    "an event stream's client fell behind its buffer and was cut off; it resumes with Last-Event-ID"
                );
                if let Some(closer) = closer {
                    closer.close();
                }
            }
            Ending::Store(error) => {
                tracing::warn!(%error, "an event stream ended: the store could not be read");
            }
            Ending::ClientGone | Ending::Shutdown => {
                tracing::debug!(?ending, after = self.cursor, "an event stream ended");
            }
        }
    }

    async fn pump(&mut self) -> Result<Infallible, Ending> {
        let mut appended = self.store.journal().subscribe();
        let end = *appended.borrow_and_update();
        self.push(comment(&format!("waygate events after {}", self.cursor)))?;
        if self.requested && self.cursor > end {
            self.push(reset_frame("ahead", self.cursor, end))?;
            self.cursor = end;
        }
        let mut keep_alive = tokio::time::interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
        keep_alive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            if self.shutdown.is_cancelled() {
                return Err(self.shut_down());
            }
            // Catching up from the store, wait for the client to take what is queued: the
            // store holds the rest, so only a client that takes nothing for a while is cut off.
            if !self.frames.room(DRAIN_GRACE).await {
                return Err(Overflow::Full.into());
            }
            // Marked seen before the read: an append after it wakes the wait below.
            appended.borrow_and_update();
            let page = self
                .store
                .events_after(self.cursor, PAGE_EVENTS)
                .await
                .map_err(|error| self.store_failed(error.to_string()))?;
            if page.is_empty() {
                tokio::select! {
                    () = self.shutdown.cancelled() => return Err(self.shut_down()),
                    () = self.frames.closed() => return Err(Ending::ClientGone),
                    changed = appended.changed() => if changed.is_err() {
                        return Err(self.store_failed(String::from("the store stopped")));
                    },
                    _ = keep_alive.tick() => self.push(comment("keep-alive"))?,
                }
                continue;
            }
            for event in &page {
                let seq = event.event.seq;
                if seq > self.cursor.saturating_add(1) {
                    self.push(reset_frame("pruned", self.cursor, seq - 1))?;
                }
                self.push(event_frame(&self.gateway_id, event))?;
                self.cursor = seq;
            }
            keep_alive.reset();
        }
    }

    fn push(&self, frame: Bytes) -> Result<(), Ending> {
        self.frames.push(frame).map_err(Ending::from)
    }

    /// The last words before a shutdown ends the stream (best effort).
    fn shut_down(&self) -> Ending {
        let _ = self.push(comment(
            "the gateway is shutting down; reconnect with Last-Event-ID",
        ));
        Ending::Shutdown
    }

    /// The last words when the store cannot be read (best effort).
    fn store_failed(&self, error: String) -> Ending {
        let _ = self.push(comment(&format!(
            "the store cannot be read now ({error}); reconnect with Last-Event-ID"
        )));
        Ending::Store(error)
    }
}

/// An event as a frame: `id: <seq>`, `data: <JSON on one line>`, a blank line.
fn event_frame(gateway_id: &str, event: &ResolvedEvent) -> Bytes {
    let json = event_json(gateway_id, &event.event, &event.data);
    Bytes::from(format!("id: {}\ndata: {json}\n\n", event.event.seq))
}

/// A comment line (ignored by clients; it keeps the connection alive and tells people).
fn comment(text: &str) -> Bytes {
    Bytes::from(format!(": {}\n\n", text.replace(['\r', '\n'], " ")))
}

/// An `event: reset`: the stream goes on after `resumes_after`, not after `requested_after`.
fn reset_frame(reason: &'static str, requested_after: u64, resumes_after: u64) -> Bytes {
    #[derive(Serialize)]
    struct Reset {
        reason: &'static str,
        requested_after: u64,
        resumes_after: u64,
    }
    let data = serde_json::to_string(&Reset {
        reason,
        requested_after,
        resumes_after,
    })
    .unwrap_or_default();
    Bytes::from(format!("event: reset\ndata: {data}\n\n"))
}
