//! Asks a running gateway for `GET /api/v1/status` on its local listener: one HTTP/1.1 request
//! with the operator's token, under a deadline, the answer read whole under a size cap.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::secret::Secret;

/// The status endpoint's path.
pub const STATUS_PATH: &str = "/api/v1/status";
/// How long the whole exchange may take.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// The largest answer read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why no answer came.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Nothing listens at the address: the gateway is not running.
    #[error("nothing listens at {0}")]
    Refused(SocketAddr),
    /// The connection or the exchange failed.
    #[error("{addr}: {reason}")]
    Failed {
        /// The local listener's address.
        addr: SocketAddr,
        /// What failed.
        reason: String,
    },
    /// No answer within [`DEADLINE`].
    #[error("{0} did not answer within {secs} s", secs = DEADLINE.as_secs())]
    TimedOut(SocketAddr),
}

/// The status code and body of `GET /api/v1/status` at `addr` with `token`.
pub async fn fetch(addr: SocketAddr, token: &Secret) -> Result<(StatusCode, Bytes), ClientError> {
    tokio::time::timeout(DEADLINE, exchange(addr, token))
        .await
        .map_err(|_| ClientError::TimedOut(addr))?
}

async fn exchange(addr: SocketAddr, token: &Secret) -> Result<(StatusCode, Bytes), ClientError> {
    let failed = |reason: String| ClientError::Failed { addr, reason };
    let stream = TcpStream::connect(addr).await.map_err(|error| {
        if error.kind() == std::io::ErrorKind::ConnectionRefused {
            ClientError::Refused(addr)
        } else {
            failed(error.to_string())
        }
    })?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| failed(error.to_string()))?;
    let driver = tokio::spawn(connection);
    let request = Request::get(STATUS_PATH)
        .header(header::HOST, addr.to_string())
        .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
        .body(Empty::<Bytes>::new())
        .map_err(|error| failed(error.to_string()))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map_err(|error| failed(format!("reading the answer: {error}")))?
        .to_bytes();
    driver.abort();
    Ok((status, body))
}
