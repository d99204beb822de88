//! Connection idleness: how long a connection may wait without a request in progress, and which
//! connection gives way when the listener is full.
//!
//! A connection is idle from the moment it is accepted until a request's head has arrived, and
//! again from the moment its last request was answered. That covers the TLS handshake, a client
//! that never sends a byte, one that sends only part of the HTTP/2 preface (which the protocol
//! detection of an auto HTTP/1.1 + HTTP/2 server would otherwise wait for forever), HTTP/1.1
//! keep-alive between requests, and an HTTP/2 connection with no open stream.
//!
//! - Before its first request a connection may stay idle for the header timeout; after a request,
//!   for the idle timeout.
//! - When every slot is taken, the connection idle the longest is told to close so that a new
//!   one can be served: refusing new connections instead would hand the listener to whoever opens
//!   idle connections first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long connections may stay idle.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdleLimits {
    /// Before the first request's head is complete (from accept).
    pub(super) first_request: Duration,
    /// Between requests, and for an HTTP/2 connection with no open stream.
    pub(super) between_requests: Duration,
}

/// Why a connection was closed for idleness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdleClose {
    /// No request arrived within the limit.
    TimedOut,
    /// The listener was full and this connection had been idle the longest.
    Evicted,
}

/// One connection's activity, shared by its request handler and its watchdog.
#[derive(Debug)]
pub(super) struct Activity {
    /// The instant idle times are measured from.
    epoch: Instant,
    /// Requests whose handler is running.
    in_flight: AtomicU32,
    /// Whether a request has arrived on this connection.
    served: AtomicBool,
    /// When the connection last became idle, in milliseconds after the registry's epoch.
    idle_since_ms: AtomicU64,
    /// Signalled when `in_flight` moves between zero and non-zero.
    changed: Notify,
    /// Cancelled to ask the connection to give way.
    evict: CancellationToken,
    /// Cancelled by a handler to close the connection at once (see [`CloseConnection`]).
    cut: CancellationToken,
}

/// A handle to the connection a request came on, for its handler (found in the request's
/// extensions): [`CloseConnection::close`] closes the connection at once, whatever its response
/// is doing. For an answer that must not wait for a client that stopped reading (an event
/// stream whose client fell behind): hyper polls a response body only while the client reads.
#[derive(Debug, Clone)]
pub struct CloseConnection(CancellationToken);

impl CloseConnection {
    /// Closes the connection now (what the kernel already buffered is still delivered).
    pub fn close(&self) {
        self.0.cancel();
    }
}

impl Activity {
    /// Marks a request as started; the returned guard marks it finished when dropped.
    pub(super) fn request_started(self: &Arc<Self>) -> RequestGuard {
        self.served.store(true, Ordering::Release);
        if self.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            self.changed.notify_waiters();
        }
        RequestGuard {
            activity: Arc::clone(self),
        }
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// The handle a request's handler closes this connection with.
    pub(super) fn closer(&self) -> CloseConnection {
        CloseConnection(self.cut.clone())
    }

    /// Resolves when a handler closed the connection.
    pub(super) async fn closed_by_handler(&self) {
        self.cut.cancelled().await;
    }
}

/// Marks a request as finished when dropped.
#[derive(Debug)]
pub(super) struct RequestGuard {
    activity: Arc<Activity>,
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let activity = &self.activity;
        activity
            .idle_since_ms
            .store(millis_since(activity.epoch), Ordering::Release);
        if activity.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity.changed.notify_waiters();
        }
    }
}

/// The open connections of one listener, for choosing which gives way.
#[derive(Debug)]
pub(super) struct Connections {
    epoch: Instant,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            epoch: Instant::now(),
            open: Mutex::new(HashMap::new()),
        }
    }
}

impl Connections {
    /// Registers a connection accepted now; it is idle until its first request.
    pub(super) fn open(&self, id: u64) -> Arc<Activity> {
        let activity = Arc::new(Activity {
            epoch: self.epoch,
            in_flight: AtomicU32::new(0),
            served: AtomicBool::new(false),
            idle_since_ms: AtomicU64::new(millis_since(self.epoch)),
            changed: Notify::new(),
            evict: CancellationToken::new(),
            cut: CancellationToken::new(),
        });
        self.lock().insert(id, Arc::clone(&activity));
        activity
    }

    /// Forgets a closed connection.
    pub(super) fn close(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Asks the connection that has been idle the longest to close. False when every connection
    /// has a request in progress (they end within their own deadlines).
    pub(super) fn evict_longest_idle(&self) -> bool {
        let open = self.lock();
        let longest = open
            .values()
            .filter(|activity| activity.is_idle() && !activity.evict.is_cancelled())
            .min_by_key(|activity| activity.idle_since_ms.load(Ordering::Acquire));
        match longest {
            Some(activity) => {
                activity.evict.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // The map stays consistent even if a holder panicked: every change is one call.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Resolves when the connection has been idle past its limit, or was evicted while idle.
    /// Never resolves while a request is in progress.
    pub(super) async fn watch(&self, activity: &Activity, limits: IdleLimits) -> IdleClose {
        loop {
            let changed = activity.changed.notified();
            tokio::pin!(changed);
            // Register for the next change before reading the state it changes.
            changed.as_mut().enable();
            if !activity.is_idle() {
                changed.await;
                continue;
            }
            let limit = if activity.served.load(Ordering::Acquire) {
                limits.between_requests
            } else {
                limits.first_request
            };
            let since = activity.idle_since_ms.load(Ordering::Acquire);
            let deadline = self.epoch + Duration::from_millis(since) + limit;
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    if activity.is_idle()
                        && activity.idle_since_ms.load(Ordering::Acquire) == since
                    {
                        return IdleClose::TimedOut;
                    }
                }
                () = activity.evict.cancelled() => {
                    if activity.is_idle() {
                        return IdleClose::Evicted;
                    }
                    // A request arrived meanwhile: it is served; the listener waits for a slot.
                    changed.await;
                }
                () = &mut changed => {}
            }
        }
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    const LIMITS: IdleLimits = IdleLimits {
        first_request: Duration::from_secs(3),
        between_requests: Duration::from_secs(30),
    };

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_a_request_closes_at_the_first_request_limit() {
        let connections = Connections::default();
        let activity = connections.open(1);
        let start = Instant::now();
        assert_eq!(
            connections.watch(&activity, LIMITS).await,
            IdleClose::TimedOut
        );
        assert_eq!(start.elapsed(), LIMITS.first_request);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_progress_is_never_cut_and_idleness_restarts_when_it_ends() {
        let connections = Arc::new(Connections::default());
        let activity = connections.open(1);
        let guard = activity.request_started();
        let watcher = {
            let connections = Arc::clone(&connections);
            let activity = Arc::clone(&activity);
            tokio::spawn(async move { connections.watch(&activity, LIMITS).await })
        };
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(!watcher.is_finished(), "cut while a request was running");
        let ended = Instant::now();
        drop(guard);
        assert_eq!(watcher.await.unwrap(), IdleClose::TimedOut);
        // Between requests the longer limit applies, counted from the end of the request.
        let waited = ended.elapsed();
        assert!(
            waited >= LIMITS.between_requests
                && waited < LIMITS.between_requests + Duration::from_millis(2),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_longest_idle_connection_gives_way_and_a_busy_one_never_does() {
        let connections = Arc::new(Connections::default());
        let oldest = connections.open(1);
        tokio::time::advance(Duration::from_millis(500)).await;
        let busy = connections.open(2);
        let _request = busy.request_started();
        tokio::time::advance(Duration::from_millis(500)).await;
        let newer = connections.open(3);
        assert!(connections.evict_longest_idle());
        assert_eq!(connections.watch(&oldest, LIMITS).await, IdleClose::Evicted);
        connections.close(1);
        // Next in line is the newer idle one, not the busy one.
        assert!(connections.evict_longest_idle());
        assert!(newer.evict.is_cancelled());
        assert!(!busy.evict.is_cancelled());
        connections.close(3);
        assert!(
            !connections.evict_longest_idle(),
            "only a busy connection is left"
        );
    }
}
