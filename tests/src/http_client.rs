//! A keep-alive HTTP client over one connection (plain TCP or TLS; HTTP/1.1 or HTTP/2 as ALPN
//! decides), returning status, headers and the whole body.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::error::{HarnessError, HarnessResult};
use crate::meta::{SIGNATURE_HEADER, SignedWebhook};
use crate::tls::{ALPN_H2, server_name};

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl HttpReply {
    /// A header as text, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where to connect: an address, and TLS settings for HTTPS (none for plain HTTP).
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The socket address.
    pub addr: SocketAddr,
    /// The TLS client configuration, or `None` for plain HTTP.
    pub tls: Option<Arc<ClientConfig>>,
}

enum Sender {
    Http1(http1::SendRequest<Full<Bytes>>),
    Http2(http2::SendRequest<Full<Bytes>>),
}

/// One open connection.
pub struct HttpConnection {
    sender: Sender,
    alpn: Option<Vec<u8>>,
    authority: String,
    scheme: &'static str,
    request_timeout: Duration,
}

impl std::fmt::Debug for HttpConnection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpConnection")
            .field("authority", &self.authority)
            .field("alpn", &self.alpn.as_deref().map(String::from_utf8_lossy))
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// Opens a connection: TCP, then TLS if configured; HTTP/2 when ALPN chose `h2`.
    ///
    /// # Errors
    /// When the TCP connect, the TLS handshake or the HTTP handshake fails.
    pub async fn connect(&self) -> HarnessResult<HttpConnection> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|error| HarnessError::Http(format!("connect {}: {error}", self.addr)))?;
        self.over(tcp).await
    }

    /// Opens a connection as [`Self::connect`] does, from the local address `source` (another
    /// loopback address, `127.0.0.2`, for a second client).
    ///
    /// # Errors
    /// When binding, the TCP connect or a handshake fails.
    pub async fn connect_from(&self, source: std::net::IpAddr) -> HarnessResult<HttpConnection> {
        let failed = |error: std::io::Error| {
            HarnessError::Http(format!("connect {} from {source}: {error}", self.addr))
        };
        let socket = match source {
            std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .map_err(failed)?;
        socket.bind((source, 0).into()).map_err(failed)?;
        let tcp = socket.connect(self.addr).await.map_err(failed)?;
        self.over(tcp).await
    }

    async fn over(&self, tcp: TcpStream) -> HarnessResult<HttpConnection> {
        // Latency matters more than packet count for request/response traffic.
        tcp.set_nodelay(true)
            .map_err(|error| HarnessError::Http(format!("set_nodelay: {error}")))?;
        let authority = format!("localhost:{}", self.addr.port());
        match &self.tls {
            None => handshake(tcp, None, authority, "http").await,
            Some(config) => {
                let tls = TlsConnector::from(Arc::clone(config))
                    .connect(server_name(), tcp)
                    .await
                    .map_err(|error| {
                        HarnessError::Tls(format!("handshake with {}: {error}", self.addr))
                    })?;
                let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                handshake(tls, alpn, authority, "https").await
            }
        }
    }
}

async fn handshake<I>(
    io: I,
    alpn: Option<Vec<u8>>,
    authority: String,
    scheme: &'static str,
) -> HarnessResult<HttpConnection>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let sender = if alpn.as_deref() == Some(ALPN_H2) {
        let (sender, connection) = http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(|error| HarnessError::Http(format!("h2 handshake: {error}")))?;
        tokio::spawn(async move {
            // The connection ends with an error when the peer goes away; requests report it.
            let _ended = connection.await;
        });
        Sender::Http2(sender)
    } else {
        let (sender, connection) = http1::handshake(io)
            .await
            .map_err(|error| HarnessError::Http(format!("http/1.1 handshake: {error}")))?;
        tokio::spawn(async move {
            let _ended = connection.await;
        });
        Sender::Http1(sender)
    };
    Ok(HttpConnection {
        sender,
        alpn,
        authority,
        scheme,
        request_timeout: crate::knobs::operation_deadline(),
    })
}

impl HttpConnection {
    /// The ALPN protocol the server chose (`None` for plain HTTP or no ALPN).
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// Whether this connection speaks HTTP/2.
    pub fn is_http2(&self) -> bool {
        matches!(self.sender, Sender::Http2(_))
    }

    /// Sends one request and reads the whole response.
    ///
    /// # Errors
    /// When the connection fails, closes, or the response does not arrive within the
    /// operation deadline.
    pub async fn request(
        &mut self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> HarnessResult<HttpReply> {
        let uri = match self.sender {
            Sender::Http1(_) => path_and_query.to_owned(),
            Sender::Http2(_) => format!("{}://{}{path_and_query}", self.scheme, self.authority),
        };
        let mut builder = Request::builder().method(method).uri(uri);
        if let Sender::Http1(_) = self.sender {
            builder = builder.header(http::header::HOST, self.authority.as_str());
        }
        let mut request = builder
            .body(Full::new(body))
            .map_err(|error| HarnessError::Http(format!("building request: {error}")))?;
        for (name, value) in headers {
            let name = HeaderName::try_from(*name)
                .map_err(|error| HarnessError::Http(format!("header name {name:?}: {error}")))?;
            let value = HeaderValue::try_from(*value)
                .map_err(|error| HarnessError::Http(format!("header value: {error}")))?;
            request.headers_mut().append(name, value);
        }
        let deadline = self.request_timeout;
        tokio::time::timeout(deadline, self.send(request))
            .await
            .map_err(|_| HarnessError::Timeout(format!("no response within {deadline:?}")))?
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) -> HarnessResult<HttpReply> {
        let response = match &mut self.sender {
            Sender::Http1(sender) => {
                sender.ready().await.map_err(|error| {
                    HarnessError::Http(format!("connection not ready: {error}"))
                })?;
                sender.send_request(request).await
            }
            Sender::Http2(sender) => {
                sender.ready().await.map_err(|error| {
                    HarnessError::Http(format!("connection not ready: {error}"))
                })?;
                sender.send_request(request).await
            }
        }
        .map_err(|error| HarnessError::Http(format!("request failed: {error}")))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|error| HarnessError::Http(format!("reading body: {error}")))?
            .to_bytes();
        Ok(HttpReply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// `GET path_and_query`.
    ///
    /// # Errors
    /// See [`Self::request`].
    pub async fn get(&mut self, path_and_query: &str) -> HarnessResult<HttpReply> {
        self.request(Method::GET, path_and_query, &[], Bytes::new())
            .await
    }

    /// POSTs a signed webhook to `/webhook` with its signature and a JSON content type.
    ///
    /// # Errors
    /// See [`Self::request`].
    pub async fn post_webhook(&mut self, webhook: &SignedWebhook) -> HarnessResult<HttpReply> {
        self.request(
            Method::POST,
            "/webhook",
            &[
                ("content-type", "application/json"),
                (SIGNATURE_HEADER, webhook.signature.as_str()),
            ],
            webhook.body.clone(),
        )
        .await
    }

    /// POSTs `body` to `/webhook` with the given signature header value (or none).
    ///
    /// # Errors
    /// See [`Self::request`].
    pub async fn post_raw(
        &mut self,
        body: Bytes,
        signature: Option<&str>,
    ) -> HarnessResult<HttpReply> {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(signature) = signature {
            headers.push((SIGNATURE_HEADER, signature));
        }
        self.request(Method::POST, "/webhook", &headers, body).await
    }
}
