//! The local listener's health endpoints: `/healthz` (the process is up) and `/readyz` (the
//! store is open and takes writes, and the listeners are bound; when not, it says why).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{Method, Request, StatusCode};
use hyper::body::Incoming;

use crate::ingress::response::{self, Reply};
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

/// Answers `/healthz` and `/readyz`.
#[derive(Debug, Clone)]
pub struct HealthEndpoint {
    readiness: Readiness,
    store: StoreHealth,
}

impl HealthEndpoint {
    /// An endpoint reporting `readiness` and the store's health.
    pub fn new(readiness: Readiness, store: StoreHealth) -> Self {
        Self { readiness, store }
    }

    /// Routes one request.
    pub fn handle(&self, request: &Request<Incoming>) -> Reply {
        let path = request.uri().path();
        if path != "/healthz" && path != "/readyz" {
            return response::not_found();
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return response::method_not_allowed("GET, HEAD");
        }
        if path == "/healthz" {
            return response::text(StatusCode::OK, "ok\n");
        }
        if !self.readiness.is_ready() {
            return response::message(StatusCode::SERVICE_UNAVAILABLE, "not ready");
        }
        match self.store.recovering() {
            None => response::text(StatusCode::OK, "ready\n"),
            Some(recovery) => response::message(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "not ready: the store is recovering from a disk error and takes no webhooks until a commit succeeds again ({} failed attempts to reopen it so far): {}",
                    recovery.failed_attempts, recovery.reason
                ),
            ),
        }
    }
}
