//! Reading a request body whole, under a size cap and a deadline.
//!
//! A body over the cap is read on and discarded up to the cap again (within the same deadline)
//! before the 413 goes out: answering while the client is still sending makes HTTP/2 clients see
//! a reset stream and HTTP/1.1 clients a broken pipe instead of the status. Past twice the cap,
//! the reader gives up and the connection is closed with the 413.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum BodyError {
    /// The body is larger than allowed.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: usize,
    },
    /// The client did not send the whole body in time.
    #[error("the body was not received within {0:?}")]
    TimedOut(Duration),
    /// The connection failed while reading.
    #[error("the body could not be read: {0}")]
    Read(String),
}

/// Reads the whole body, refusing more than `limit` bytes or a body slower than `deadline`.
/// `declared` is the Content-Length, when the client sent one.
pub(super) async fn read_body(
    body: Incoming,
    limit: usize,
    declared: Option<u64>,
    deadline: Duration,
) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(deadline, read_capped(body, limit, declared)).await {
        Err(_) => Err(BodyError::TimedOut(deadline)),
        Ok(result) => result,
    }
}

async fn read_capped(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, BodyError> {
    let drain_limit = limit.saturating_mul(2);
    if declared.is_some_and(|length| length > drain_limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let capacity = declared.map_or(0, |length| usize::try_from(length).unwrap_or(0).min(limit));
    let mut collected = BytesMut::with_capacity(capacity);
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| BodyError::Read(error.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry nothing we keep
        };
        seen = seen.saturating_add(data.len());
        if seen > drain_limit {
            return Err(BodyError::TooLarge { limit });
        }
        if seen <= limit {
            collected.extend_from_slice(&data);
        }
    }
    if seen > limit {
        return Err(BodyError::TooLarge { limit });
    }
    Ok(collected.freeze())
}
