//! The HTTP client to headquarters: one pooled HTTPS client ([`crate::https_client`]) for the
//! clock probe, the batches and the commands' long poll. Every exchange has a deadline, and only
//! the start of an answer is kept (the rest is never read into memory).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Request};
use http_body_util::{BodyExt as _, Full};

use crate::https_client::{PooledClient, pooled_client, transport_reason, webpki_roots};

/// The HQ client. Cheap to clone.
#[derive(Clone)]
pub struct HqClient {
    http: PooledClient<Full<Bytes>>,
}

impl std::fmt::Debug for HqClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HqClient")
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the TLS client to headquarters cannot be configured: {0}")]
pub struct HqClientError(#[from] rustls::Error);

/// HQ's answer.
#[derive(Debug, Clone)]
pub struct HqAnswer {
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: HeaderMap,
    /// The start of its body.
    pub body: Bytes,
    /// Whether the body went on past what was kept.
    pub truncated: bool,
}

impl HqAnswer {
    /// Header `name` as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HqFailure {
    /// Not within the deadline.
    #[error("no answer within {} s", .0.as_secs())]
    TimedOut(Duration),
    /// The connection failed.
    #[error("{0}")]
    Network(String),
}

impl HqClient {
    /// A client trusting the webpki roots.
    ///
    /// # Errors
    /// rustls refused the configuration.
    pub fn new() -> Result<Self, HqClientError> {
        Ok(Self {
            http: pooled_client(webpki_roots())?,
        })
    }

    /// Sends `request` and reads its answer within `deadline`, keeping at most `keep_bytes` of
    /// the body.
    pub async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
        deadline: Duration,
        keep_bytes: usize,
    ) -> Result<HqAnswer, HqFailure> {
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|error| HqFailure::Network(transport_reason(&error)))?;
            let (parts, mut body) = response.into_parts();
            let mut kept = BytesMut::new();
            let mut truncated = false;
            while let Some(frame) = body.frame().await {
                let frame = frame
                    .map_err(|error| HqFailure::Network(format!("reading the answer: {error}")))?;
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                let room = keep_bytes - kept.len();
                if data.len() > room {
                    kept.extend_from_slice(&data[..room]);
                    truncated = true;
                    break;
                }
                kept.extend_from_slice(&data);
            }
            Ok(HqAnswer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: kept.freeze(),
                truncated,
            })
        };
        tokio::time::timeout(deadline, exchange)
            .await
            .map_err(|_| HqFailure::TimedOut(deadline))?
    }
}
