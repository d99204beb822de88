//! `/healthz` (the process is up) and `/readyz` (the listeners are bound, the store is open and
//! takes writes; when not, it says why), in plain text for probes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use http::StatusCode;

use super::LocalApi;
use crate::store::StoreHealth;

/// Whether the gateway is ready to take webhooks. Set once everything is up, cleared when
/// shutdown begins.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the gateway ready or not.
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::SeqCst);
    }

    /// True when ready.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What readiness depends on: the gateway's own flag and the store's health.
#[derive(Debug, Clone)]
pub struct Health {
    readiness: Readiness,
    store: StoreHealth,
}

impl Health {
    /// Health from `readiness` and the store's health.
    pub fn new(readiness: Readiness, store: StoreHealth) -> Self {
        Self { readiness, store }
    }

    /// Why the gateway takes no webhooks now, or `None` when it is ready.
    pub fn not_ready_reason(&self) -> Option<String> {
        if !self.readiness.is_ready() {
            return Some("the gateway is starting or shutting down".to_owned());
        }
        self.store.recovering().map(|recovery| {
            format!(
                "the store is recovering from a disk error and takes no webhooks until a commit succeeds again ({} failed attempts to reopen it so far): {}",
                recovery.failed_attempts, recovery.reason
            )
        })
    }
}

/// `GET /healthz`.
pub(super) async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok\n")
}

/// `GET /readyz`: 200 `ready`, or 503 `not ready: <reason>`.
pub(super) async fn readyz(State(api): State<Arc<LocalApi>>) -> (StatusCode, String) {
    match api.health.not_ready_reason() {
        None => (StatusCode::OK, "ready\n".to_owned()),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
    }
}
