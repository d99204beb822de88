//! The accept loop shared by the public (TLS, HTTP/1.1 + HTTP/2) and local (plain HTTP/1.1)
//! listeners.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, info_span, warn};

use super::busy_body::BusyBody;
use super::idle::{Activity, Connections, IdleClose, IdleLimits};

/// Largest buffer an HTTP/1.1 connection reads into (request heads must fit in it). hyper's
/// default is about 400 KiB, which a thousand connections would multiply.
const HTTP1_MAX_BUF_BYTES: usize = 64 * 1024;

/// Which protocols a listener speaks.
#[derive(Clone)]
pub enum Protocols {
    /// TLS with ALPN: HTTP/2 or HTTP/1.1.
    Tls(TlsAcceptor),
    /// Plain HTTP/1.1 (the local listener).
    PlainHttp1,
}

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; at the limit the connection idle the longest gives way to a
    /// new one, and when none is idle the listener waits for one to close.
    pub max_connections: usize,
    /// Deadline for the TLS handshake.
    pub handshake_timeout: Duration,
    /// Deadline, from accept, for the first request's head to be complete; also the deadline for
    /// each later request's head once its first byte arrived (HTTP/1.1).
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress after its first one.
    pub idle_timeout: Duration,
    /// Concurrent streams per HTTP/2 connection.
    pub http2_max_concurrent_streams: u32,
}

static CONNECTION_IDS: AtomicU64 = AtomicU64::new(1);
static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// Serves `listener` until `shutdown` is cancelled, then lets open connections finish their
/// requests and returns once they have all closed. The caller bounds that wait (grace period).
pub async fn serve<H, F, B>(
    name: &'static str,
    listener: TcpListener,
    protocols: Protocols,
    limits: ConnectionLimits,
    handler: H,
    shutdown: CancellationToken,
) where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = Arc::new(Connections::default());
    let graceful = GracefulShutdown::new();
    let tasks = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // EMFILE and friends: back off briefly instead of spinning.
                    warn!(listener = name, %error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let permit = match Arc::clone(&slots).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if connections.evict_longest_idle() {
                    debug!(
                        listener = name,
                        "at the connection limit: the longest-idle connection gives way"
                    );
                } else {
                    warn!(
                        listener = name,
                        limit = limits.max_connections,
                        "at the connection limit with every connection busy; waiting for one to finish"
                    );
                }
                tokio::select! {
                    permit = Arc::clone(&slots).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = shutdown.cancelled() => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let id = CONNECTION_IDS.fetch_add(1, Ordering::Relaxed);
        let span = info_span!("conn", listener = name, id, %peer);
        let watcher = graceful.watcher();
        let protocols = protocols.clone();
        let handler = handler.clone();
        let shutdown = shutdown.clone();
        let connections = Arc::clone(&connections);
        let activity = connections.open(id);
        tasks.spawn(
            async move {
                let _permit = permit;
                let idle = IdleLimits {
                    first_request: limits.header_read_timeout,
                    between_requests: limits.idle_timeout,
                };
                let serving = serve_connection(
                    (stream, PeerAddr(peer)),
                    protocols,
                    limits,
                    handler,
                    watcher,
                    shutdown,
                    Arc::clone(&activity),
                );
                tokio::select! {
                    () = serving => {}
                    reason = connections.watch(&activity, idle) => match reason {
                        IdleClose::TimedOut => debug!("closed: no request within its deadline"),
                        IdleClose::Evicted => debug!("closed: idle the longest while the listener was full"),
                    },
                    () = activity.closed_by_handler() => debug!("closed by its handler"),
                }
                connections.close(id);
            }
            .instrument(span),
        );
    }
    drop(listener);
    tasks.close();
    graceful.shutdown().await;
    tasks.wait().await;
}

/// The address a request came from (a request extension), for what is counted per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::SocketAddr);

async fn serve_connection<H, F, B>(
    (stream, peer): (TcpStream, PeerAddr),
    protocols: Protocols,
    limits: ConnectionLimits,
    handler: H,
    watcher: hyper_util::server::graceful::Watcher,
    shutdown: CancellationToken,
    activity: Arc<Activity>,
) where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let service = service_fn(move |mut request: Request<Incoming>| {
        // The head is complete: the connection is busy until the answer has been sent.
        let busy = activity.request_started();
        request.extensions_mut().insert(activity.closer());
        request.extensions_mut().insert(peer);
        let handler = handler.clone();
        let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
        // The path only: a query string can carry the verify token.
        let span =
            info_span!("request", id, method = %request.method(), path = %request.uri().path());
        async move {
            let reply = handler(request).await;
            Ok::<_, Infallible>(reply.map(|body| BusyBody::new(body, busy)))
        }
        .instrument(span)
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(HTTP1_MAX_BUF_BYTES)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.http2_max_concurrent_streams)
        .keep_alive_interval(Some(limits.header_read_timeout))
        .keep_alive_timeout(limits.header_read_timeout);
    let result = match protocols {
        Protocols::Tls(acceptor) => {
            let handshake = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream));
            let tls = tokio::select! {
                outcome = handshake => match outcome {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(error)) => {
                        debug!(%error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        debug!("TLS handshake timed out");
                        return;
                    }
                },
                () = shutdown.cancelled() => return,
            };
            let connection = builder
                .serve_connection(TokioIo::new(tls), service)
                .into_owned();
            watcher.watch(connection).await
        }
        Protocols::PlainHttp1 => {
            let builder = builder.http1_only();
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .into_owned();
            watcher.watch(connection).await
        }
    };
    if let Err(error) = result {
        debug!(%error, "connection ended with an error");
    }
}
