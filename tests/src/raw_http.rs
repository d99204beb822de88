//! A hand-driven HTTP/1.1 exchange over TLS, for tests that must control when each byte is
//! sent: e.g. `Expect: 100-continue`, whose interim `100` proves the server has parsed the head
//! and is reading the body — a request that is verifiably in flight.

use std::sync::Arc;

use rustls::ClientConfig;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::{HarnessError, HarnessResult};
use crate::tls::server_name;

/// A response head: status code and headers (names lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    /// The first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One TLS connection driven by hand.
#[derive(Debug)]
pub struct RawHttpConnection {
    stream: BufReader<TlsStream<TcpStream>>,
}

impl RawHttpConnection {
    /// Connects and completes the TLS handshake (offer only `http/1.1` in `config`).
    ///
    /// # Errors
    /// When the connection or handshake fails.
    pub async fn connect(
        addr: std::net::SocketAddr,
        config: Arc<ClientConfig>,
    ) -> HarnessResult<Self> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|error| HarnessError::Http(format!("connect {addr}: {error}")))?;
        let tls = TlsConnector::from(config)
            .connect(server_name(), tcp)
            .await
            .map_err(|error| HarnessError::Tls(format!("handshake: {error}")))?;
        Ok(Self {
            stream: BufReader::new(tls),
        })
    }

    /// Writes bytes and flushes them.
    ///
    /// # Errors
    /// When the write fails.
    pub async fn write(&mut self, bytes: &[u8]) -> HarnessResult<()> {
        let stream = self.stream.get_mut();
        stream
            .write_all(bytes)
            .await
            .map_err(|error| HarnessError::Http(format!("write: {error}")))?;
        stream
            .flush()
            .await
            .map_err(|error| HarnessError::Http(format!("flush: {error}")))
    }

    /// Reads one response head (status line and headers, up to the blank line).
    ///
    /// # Errors
    /// When the connection closes first or the head is malformed.
    pub async fn read_head(&mut self) -> HarnessResult<ResponseHead> {
        let status_line = self.read_line().await?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| HarnessError::Http(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = self.read_line().await?;
            if line.is_empty() {
                return Ok(ResponseHead { status, headers });
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| HarnessError::Http(format!("bad header line {line:?}")))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }

    /// Reads a body of `content-length` bytes as declared in `head` (empty when absent).
    ///
    /// # Errors
    /// When the length is malformed or the connection closes early.
    pub async fn read_body(&mut self, head: &ResponseHead) -> HarnessResult<Vec<u8>> {
        let length = match head.header("content-length") {
            None => 0,
            Some(text) => text
                .parse::<usize>()
                .map_err(|error| HarnessError::Http(format!("content-length {text:?}: {error}")))?,
        };
        let mut body = vec![0_u8; length];
        self.stream
            .read_exact(&mut body)
            .await
            .map_err(|error| HarnessError::Http(format!("reading body: {error}")))?;
        Ok(body)
    }

    async fn read_line(&mut self) -> HarnessResult<String> {
        let mut line = String::new();
        let read = self
            .stream
            .read_line(&mut line)
            .await
            .map_err(|error| HarnessError::Http(format!("reading head: {error}")))?;
        if read == 0 {
            return Err(HarnessError::Http(
                "connection closed before a complete head".to_owned(),
            ));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
