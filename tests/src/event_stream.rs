//! A client of the gateway's event stream (`GET /api/v1/events`, Server-Sent Events) over a
//! hand-driven HTTP/1.1 connection: the test decides when bytes are read (a client that stops
//! reading is one that does not call [`EventStream::next`]), and how small the connection's
//! receive buffer is.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

use crate::error::{HarnessError, HarnessResult};

/// One message of the stream: what its lines said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseMessage {
    /// The `id:` field (an event's seq).
    pub id: Option<String>,
    /// The `event:` field (none for the journal's events; `reset` for a gap).
    pub event: Option<String>,
    /// The `data:` lines, joined with newlines.
    pub data: Option<String>,
    /// The comment lines (`: ...`), without the colon and space.
    pub comments: Vec<String>,
}

impl SseMessage {
    /// The id as a seq.
    pub fn seq(&self) -> Option<u64> {
        self.id.as_deref().and_then(|id| id.parse().ok())
    }

    /// The data as JSON.
    pub fn json(&self) -> Option<Value> {
        self.data
            .as_deref()
            .and_then(|data| serde_json::from_str(data).ok())
    }

    /// Whether it is one of the journal's events (an id and data, no `event:`).
    pub fn is_event(&self) -> bool {
        self.id.is_some() && self.data.is_some() && self.event.is_none()
    }
}

/// What opening a stream answered.
#[derive(Debug)]
pub enum Opened {
    /// 200: the stream.
    Stream(EventStream),
    /// Another status, with the body.
    Refused {
        /// The status code.
        status: u16,
        /// The body, as text.
        body: String,
    },
}

/// An open event stream.
#[derive(Debug)]
pub struct EventStream {
    reader: BufReader<TcpStream>,
    /// Bytes of the current chunk not read yet (`None`: the body ended).
    chunk_left: Option<usize>,
    /// Body bytes read but not yet parsed into a message.
    pending: Vec<u8>,
}

/// How a stream is opened.
#[derive(Debug, Clone, Default)]
pub struct StreamRequest<'a> {
    /// The operator's token (none: no `Authorization`).
    pub token: Option<&'a str>,
    /// The query string, with its `?` (e.g. `?after=3`).
    pub query: &'a str,
    /// A `Last-Event-ID` header.
    pub last_event_id: Option<u64>,
    /// The connection's receive buffer (`SO_RCVBUF`), for a client whose kernel holds little.
    pub receive_buffer: Option<u32>,
}

impl EventStream {
    /// Opens a stream on the local listener at `addr`.
    ///
    /// # Errors
    /// When the connection or the response head fails.
    pub async fn open(addr: SocketAddr, request: &StreamRequest<'_>) -> HarnessResult<Opened> {
        let http =
            |what: &str, error: std::io::Error| HarnessError::Http(format!("{what}: {error}"));
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .map_err(|error| http("socket", error))?;
        if let Some(bytes) = request.receive_buffer {
            socket
                .set_recv_buffer_size(bytes)
                .map_err(|error| http("SO_RCVBUF", error))?;
        }
        let mut stream = socket
            .connect(addr)
            .await
            .map_err(|error| http("connect", error))?;
        let mut head = format!(
            "GET /api/v1/events{} HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\n",
            request.query
        );
        if let Some(token) = request.token {
            head.push_str(&format!("authorization: Bearer {token}\r\n"));
        }
        if let Some(id) = request.last_event_id {
            head.push_str(&format!("last-event-id: {id}\r\n"));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|error| http("write", error))?;
        let mut reader = BufReader::new(stream);
        let status = read_line(&mut reader)
            .await?
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| HarnessError::Http("bad status line".to_owned()))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            let line = read_line(&mut reader).await?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((&line, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.trim().eq_ignore_ascii_case("chunked"),
                _ => {}
            }
        }
        if status != 200 {
            let mut body = vec![0_u8; length.unwrap_or(0)];
            reader
                .read_exact(&mut body)
                .await
                .map_err(|error| http("body", error))?;
            return Ok(Opened::Refused {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        if !chunked {
            return Err(HarnessError::Http(
                "an event stream must be chunked".to_owned(),
            ));
        }
        Ok(Opened::Stream(Self {
            reader,
            chunk_left: Some(0),
            pending: Vec::new(),
        }))
    }

    /// The next message; `None` when the stream ended (the gateway closed it).
    ///
    /// # Errors
    /// When the body is not well-formed chunks (a connection closed or reset is an end).
    pub async fn next(&mut self) -> HarnessResult<Option<SseMessage>> {
        loop {
            if let Some(message) = self.take_message() {
                return Ok(Some(message));
            }
            if !self.read_body().await? {
                return Ok(None);
            }
        }
    }

    /// [`Self::next`] within `deadline`.
    ///
    /// # Errors
    /// When nothing arrives in time, or the connection fails.
    pub async fn next_within(&mut self, deadline: Duration) -> HarnessResult<Option<SseMessage>> {
        tokio::time::timeout(deadline, self.next())
            .await
            .map_err(|_| HarnessError::Http(format!("no event within {deadline:?}")))?
    }

    /// The next journal event (skipping comments), within `deadline`.
    ///
    /// # Errors
    /// When the stream ends or nothing arrives in time.
    pub async fn next_event(&mut self, deadline: Duration) -> HarnessResult<SseMessage> {
        let started = tokio::time::Instant::now();
        loop {
            let left = deadline.saturating_sub(started.elapsed());
            match self.next_within(left).await? {
                Some(message) if message.is_event() => return Ok(message),
                Some(_) => {}
                None => return Err(HarnessError::Http("the stream ended".to_owned())),
            }
        }
    }

    /// A complete message from the bytes read, if there is one.
    fn take_message(&mut self) -> Option<SseMessage> {
        let end = self.pending.windows(2).position(|pair| pair == b"\n\n")?;
        let block: Vec<u8> = self.pending.drain(..end + 2).collect();
        let text = String::from_utf8_lossy(&block);
        let mut message = SseMessage::default();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                message.comments.push(comment.trim_start().to_owned());
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
            match field {
                "id" => message.id = Some(value),
                "event" => message.event = Some(value),
                "data" => {
                    message.data = Some(match message.data.take() {
                        Some(data) => format!("{data}\n{value}"),
                        None => value,
                    });
                }
                _ => {}
            }
        }
        Some(message)
    }

    /// Reads more of the chunked body into `pending`; false when it ended (the last chunk, or
    /// the connection closed or was reset).
    async fn read_body(&mut self) -> HarnessResult<bool> {
        let Some(left) = self.chunk_left else {
            return Ok(false);
        };
        if left == 0 {
            let line = match read_line(&mut self.reader).await {
                Ok(line) if line.is_empty() => read_line(&mut self.reader).await,
                other => other,
            };
            let Ok(line) = line else {
                self.chunk_left = None;
                return Ok(false);
            };
            let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| HarnessError::Http(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                self.chunk_left = None;
                return Ok(false);
            }
            self.chunk_left = Some(size);
            return Ok(true);
        }
        let mut buffer = vec![0_u8; left.min(16 * 1024)];
        match self.reader.read(&mut buffer).await {
            Ok(0) | Err(_) => {
                self.chunk_left = None;
                Ok(false)
            }
            Ok(read) => {
                self.pending.extend_from_slice(&buffer[..read]);
                self.chunk_left = Some(left - read);
                Ok(true)
            }
        }
    }
}

async fn read_line(reader: &mut BufReader<TcpStream>) -> HarnessResult<String> {
    let mut line = String::new();
    let read = reader
        .read_line(&mut line)
        .await
        .map_err(|error| HarnessError::Http(format!("read: {error}")))?;
    if read == 0 {
        return Err(HarnessError::Http("the connection closed".to_owned()));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
