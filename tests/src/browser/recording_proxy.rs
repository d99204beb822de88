//! The browser's only way out: an HTTP proxy on loopback that records the method and absolute
//! URL of every request Chromium makes, forwards those for the box (the gateway's local
//! listener) with their bodies streamed both ways (an `EventSource` stays open through it), and
//! answers anything else 502 without connecting anywhere: the host's outbound network, cut.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::header::{CONNECTION, HeaderName};
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::error::HarnessResult;
use crate::loopback::bind_loopback;

/// Headers that belong to one hop and are not forwarded (RFC 9110 §7.6.1, and the proxy ones).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
];

/// One request the browser made, as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Its method (`CONNECT` for a tunnel, which is always refused).
    pub method: Method,
    /// The absolute URL it asked for (`host:port` for a `CONNECT`).
    pub url: String,
    /// Whether it was for the box and forwarded there.
    pub forwarded: bool,
    /// The status it was answered with (the box's, or the proxy's 502).
    pub status: Option<u16>,
    /// The answer's `Content-Encoding`, if any.
    pub content_encoding: Option<String>,
    /// The bytes of the answer's body that went through so far.
    pub body_bytes: u64,
}

impl RecordedRequest {
    /// The URL's path (without the query), or the whole URL when it is not absolute.
    pub fn path(&self) -> String {
        match self.url.parse::<Uri>() {
            Ok(uri) if uri.scheme().is_some() => uri.path().to_owned(),
            _ => self.url.clone(),
        }
    }
}

/// A request being recorded: its answer's body bytes are counted as they stream.
#[derive(Debug)]
struct Entry {
    method: Method,
    url: String,
    forwarded: bool,
    status: Option<u16>,
    content_encoding: Option<String>,
    body_bytes: Arc<AtomicU64>,
}

type Log = Arc<Mutex<Vec<Entry>>>;
type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// The recording proxy; stops when dropped.
#[derive(Debug)]
pub struct RecordingProxy {
    address: SocketAddr,
    the_box: SocketAddr,
    log: Log,
    task: JoinHandle<()>,
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RecordingProxy {
    /// Starts on a free loopback port, forwarding only to `the_box` (the gateway's local
    /// listener).
    ///
    /// # Errors
    /// When it cannot bind.
    pub async fn start(the_box: SocketAddr) -> HarnessResult<Self> {
        let (listener, address) = bind_loopback().await?;
        let log: Log = Arc::default();
        let task = tokio::spawn(serve(listener, the_box, Arc::clone(&log)));
        Ok(Self {
            address,
            the_box,
            log,
            task,
        })
    }

    /// Where Chromium sends its requests.
    pub const fn address(&self) -> SocketAddr {
        self.address
    }

    /// The origin of the box, as the browser names it (`http://127.0.0.1:<port>`).
    pub fn box_origin(&self) -> String {
        format!("http://{}", self.the_box)
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log)
            .iter()
            .map(|entry| RecordedRequest {
                method: entry.method.clone(),
                url: entry.url.clone(),
                forwarded: entry.forwarded,
                status: entry.status,
                content_encoding: entry.content_encoding.clone(),
                body_bytes: entry.body_bytes.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// The requests that were not for the box (each answered 502).
    pub fn refused(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|request| !request.forwarded)
            .collect()
    }
}

fn lock(log: &Log) -> std::sync::MutexGuard<'_, Vec<Entry>> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn serve(listener: TcpListener, the_box: SocketAddr, log: Log) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let log = Arc::clone(&log);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let log = Arc::clone(&log);
                async move { Ok::<_, hyper::Error>(handle(request, the_box, &log).await) }
            });
            let _closed = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Records the request, then forwards it to the box or refuses it.
async fn handle(request: Request<Incoming>, the_box: SocketAddr, log: &Log) -> Response<ProxyBody> {
    let uri = request.uri().clone();
    let for_the_box = request.method() != Method::CONNECT
        && uri.scheme_str() == Some("http")
        && uri.authority().map(|a| a.as_str()) == Some(the_box.to_string().as_str());
    let url = if request.method() == Method::CONNECT {
        uri.authority()
            .map_or_else(|| uri.to_string(), ToString::to_string)
    } else {
        uri.to_string()
    };
    let body_bytes = Arc::new(AtomicU64::new(0));
    let index = {
        let mut entries = lock(log);
        entries.push(Entry {
            method: request.method().clone(),
            url: url.clone(),
            forwarded: for_the_box,
            status: None,
            content_encoding: None,
            body_bytes: Arc::clone(&body_bytes),
        });
        entries.len() - 1
    };
    let response = if for_the_box {
        match forward(request, the_box).await {
            Ok(response) => counted(response, body_bytes),
            Err(problem) => refusal(format!("the box did not answer {url}: {problem}")),
        }
    } else {
        refusal(format!(
            "the outbound network is cut in this test: only {the_box} is reachable, not {url}"
        ))
    };
    let mut entries = lock(log);
    if let Some(entry) = entries.get_mut(index) {
        entry.status = Some(response.status().as_u16());
        entry.content_encoding = response
            .headers()
            .get(http::header::CONTENT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
    }
    response
}

/// Sends the request to the box on a new connection (origin-form URI, hop-by-hop headers
/// dropped) and returns its answer with the body still streaming.
async fn forward(
    request: Request<Incoming>,
    the_box: SocketAddr,
) -> Result<Response<Incoming>, String> {
    let (mut parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str)
        .to_owned();
    parts.uri = path
        .parse()
        .map_err(|error| format!("path {path}: {error}"))?;
    strip_hop_by_hop(&mut parts.headers);
    let stream = TcpStream::connect(the_box)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| format!("handshake: {error}"))?;
    tokio::spawn(connection);
    let mut response = sender
        .send_request(Request::from_parts(parts, body))
        .await
        .map_err(|error| format!("request: {error}"))?;
    strip_hop_by_hop(response.headers_mut());
    Ok(response)
}

/// Removes the hop-by-hop headers, and those `Connection` names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The box's answer with its body's bytes counted as they pass.
fn counted(response: Response<Incoming>, body_bytes: Arc<AtomicU64>) -> Response<ProxyBody> {
    response.map(|body| {
        body.map_frame(move |frame| {
            if let Some(data) = frame.data_ref() {
                body_bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
            frame
        })
        .boxed()
    })
}

/// The proxy's own 502, saying why.
fn refusal(reason: String) -> Response<ProxyBody> {
    let mut response = Response::new(
        Full::new(Bytes::from(reason))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(url: &str) -> RecordedRequest {
        RecordedRequest {
            method: Method::GET,
            url: url.to_owned(),
            forwarded: true,
            status: Some(200),
            content_encoding: None,
            body_bytes: 0,
        }
    }

    #[test]
    fn the_path_leaves_out_the_origin_and_the_query() {
        assert_eq!(
            recorded("http://127.0.0.1:8080/api/v1/chats?state=waiting").path(),
            "/api/v1/chats"
        );
        assert_eq!(recorded("http://127.0.0.1:8080/console").path(), "/console");
        assert_eq!(recorded("example.com:443").path(), "example.com:443");
    }

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "connection",
            http::HeaderValue::from_static("keep-alive, x-private"),
        );
        headers.insert("x-private", http::HeaderValue::from_static("1"));
        headers.insert(
            "proxy-connection",
            http::HeaderValue::from_static("keep-alive"),
        );
        headers.insert("accept", http::HeaderValue::from_static("text/html"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1, "{headers:?}");
        assert!(headers.contains_key("accept"));
    }
}
