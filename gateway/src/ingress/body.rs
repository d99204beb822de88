//! Reading a request body whole, under a size cap, a deadline and the shared memory budget.
//!
//! A body over the cap is read on and discarded up to the cap again (within the same deadline)
//! before the 413 goes out: answering while the client is still sending makes HTTP/2 clients see
//! a reset stream and HTTP/1.1 clients a broken pipe instead of the status. Past twice the cap,
//! the reader gives up and the connection is closed with the 413. Discarded bytes are not kept,
//! so they take nothing from the budget.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::body_budget::{BodyBudget, BodyReservation, FIRST_STEP_BYTES};

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
    /// The bodies already in flight leave no room for this one.
    #[error("the memory budget for bodies in flight ({budget} bytes) has no room for this one")]
    OverBudget {
        /// The whole budget.
        budget: usize,
    },
    /// The client did not send the whole body in time.
    #[error("the body was not received within {0:?}")]
    TimedOut(Duration),
    /// The connection failed while reading.
    #[error("the body could not be read: {0}")]
    Read(String),
}

/// A body read whole, with the share of the budget it holds.
#[derive(Debug)]
pub(super) struct BudgetedBody {
    /// The bytes.
    pub(super) bytes: Bytes,
    /// Held until the request is answered, also after the bytes are dropped: what was made of
    /// them is still in memory until it is stored.
    pub(super) reservation: BodyReservation,
}

/// How a body may be read.
#[derive(Debug, Clone)]
pub(super) struct BodyLimits {
    /// The cap on one body.
    pub(super) max_bytes: usize,
    /// How long the client may take to send it.
    pub(super) deadline: Duration,
    /// The budget shared by every body in flight.
    pub(super) budget: BodyBudget,
}

/// Reads the whole body, refusing more than the cap, a body slower than the deadline, or one the
/// budget has no room for. `declared` is the Content-Length, when the client sent one: it is
/// reserved before a byte is read, so a body that cannot fit is refused without reading it.
pub(super) async fn read_body(
    body: Incoming,
    limits: &BodyLimits,
    declared: Option<u64>,
) -> Result<BudgetedBody, BodyError> {
    let drain_limit = limits.max_bytes.saturating_mul(2);
    if declared.is_some_and(|length| length > drain_limit as u64) {
        return Err(BodyError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let first = declared.map_or(FIRST_STEP_BYTES, |length| {
        usize::try_from(length).unwrap_or(usize::MAX)
    });
    let reservation = limits
        .budget
        .try_reserve(first.min(limits.max_bytes))
        .ok_or_else(|| limits.over_budget())?;
    let reading = read_capped(body, limits, reservation);
    match tokio::time::timeout(limits.deadline, reading).await {
        Err(_) => Err(BodyError::TimedOut(limits.deadline)),
        Ok(result) => result,
    }
}

impl BodyLimits {
    /// The error for a body the budget has no room for.
    pub(super) fn over_budget(&self) -> BodyError {
        BodyError::OverBudget {
            budget: self.budget.total(),
        }
    }
}

async fn read_capped(
    mut body: Incoming,
    limits: &BodyLimits,
    mut reservation: BodyReservation,
) -> Result<BudgetedBody, BodyError> {
    let limit = limits.max_bytes;
    let drain_limit = limit.saturating_mul(2);
    let mut collected = Vec::new();
    collected.reserve_exact(reservation.bytes());
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
            if !reservation.grow_to(seen, limit) {
                return Err(limits.over_budget());
            }
            collected.reserve_exact(reservation.bytes().saturating_sub(collected.len()));
            collected.extend_from_slice(&data);
        }
    }
    if seen > limit {
        return Err(BodyError::TooLarge { limit });
    }
    Ok(BudgetedBody {
        bytes: Bytes::from(collected),
        reservation,
    })
}
