//! `POST /api/v1/upstream/dead-batches/{first}/retry`: a batch headquarters refused (kept as a
//! dead letter with HQ's reason) is formed again, with the same events and id, and the sync is
//! woken to send it once it has nothing else in hand.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::LocalApi;
use super::error::ApiError;
use super::gate::Operator;

pub(super) async fn retry_dead_batch(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    Path(first): Path<String>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct Retried {
        first: u64,
        last: u64,
    }
    let not_found = || ApiError::NoDeadBatch(first.clone());
    let seq = first
        .parse::<u64>()
        .ok()
        .filter(|_| first.bytes().all(|byte| byte.is_ascii_digit()))
        .ok_or_else(not_found)?;
    let state = api
        .store
        .upstream_state()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let batch = state
        .dead
        .iter()
        .find(|batch| batch.first == seq)
        .ok_or_else(not_found)?;
    let last = batch.last;
    if !api
        .store
        .retry_dead_batch(seq)
        .await
        .map_err(ApiError::StoreUnavailable)?
    {
        return Err(not_found());
    }
    tracing::info!(first = seq, last, %operator, "a dead-lettered batch is sent to headquarters again");
    api.sync.wake();
    Ok((StatusCode::ACCEPTED, Json(Retried { first: seq, last })).into_response())
}
