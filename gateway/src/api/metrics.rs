//! `GET /metrics`: every series of the gateway's registry ([`crate::telemetry::metrics`]) in the
//! Prometheus text format. Like Prometheus exporters, it needs no token: the local listener
//! serves the LAN, and the metrics hold counts, never message content or secrets.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header;

use super::LocalApi;
use crate::telemetry::metrics;

/// The store's gauges are read at each scrape. When the store cannot answer (it is recovering
/// from a disk error), they keep their last values and the rest is served all the same.
pub(super) async fn metrics(State(api): State<Arc<LocalApi>>) -> Response {
    match api.store.snapshot().await {
        Ok(snapshot) => api.metrics.set_store(
            &snapshot,
            api.store.usage().total(),
            api.store.quota_bytes(),
        ),
        Err(error) => tracing::debug!(%error, "/metrics: the store's figures are not current"),
    }
    match api.store.backlogs().await {
        Ok(backlogs) => api.metrics.set_backlogs(&backlogs, api.clock.now_ms()),
        Err(error) => tracing::debug!(%error, "/metrics: the outboxes' figures are not current"),
    }
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        api.metrics.encode(),
    )
        .into_response()
}
