//! `GET /api/v1/status` (an operator's token needed): the gateway's status as
//! [`StatusReport`] JSON, for `waygate status` and monitoring. Answered 200 whether healthy or
//! not (`problems` says what is wrong); 503 only when the store cannot be read at all.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::LocalApi;
use super::error::ApiError;
use super::gate::Operator;
use crate::status::{StatusInputs, StatusReport, UpstreamStatus};

pub(super) async fn status(
    State(api): State<Arc<LocalApi>>,
    _: Operator,
) -> Result<Response, ApiError> {
    let snapshot = api
        .store
        .snapshot()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let sync = api.sync.view();
    let upstream = if api.sync.configured() {
        let state = api
            .store
            .upstream_state()
            .await
            .map_err(ApiError::StoreUnavailable)?;
        UpstreamStatus::new(
            sync,
            api.store.journal().backlog(),
            state.oldest_at,
            &state.dead,
        )
    } else {
        UpstreamStatus::default()
    };
    let report = StatusReport::new(StatusInputs {
        started_at: api.started_at,
        uptime_seconds: api.started.elapsed().as_secs(),
        not_ready_reason: api.health.not_ready_reason(),
        snapshot,
        used_bytes: api.store.usage().total(),
        quota_bytes: api.store.quota_bytes(),
        upstream,
        now: api.clock.now_ms(),
    });
    Ok(Json(report).into_response())
}
