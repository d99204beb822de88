//! `<data-dir>/listeners.json`, written by the gateway after binding, and readiness polling.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::{HarnessError, HarnessResult};
use crate::http_client::Endpoint;

/// The file name inside the data folder.
pub const LISTENERS_FILE: &str = "listeners.json";

/// The bound addresses and process id the gateway reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Listeners {
    /// The public (TLS) listener.
    pub public: SocketAddr,
    /// The local (plain HTTP) listener.
    pub local: SocketAddr,
    /// The gateway's process id.
    pub pid: u32,
}

/// Reads `listeners.json`: `Ok(None)` while it does not exist or is not complete JSON yet.
///
/// # Errors
/// When the file exists but cannot be read.
pub fn read_listeners(data_dir: &Path) -> HarnessResult<Option<Listeners>> {
    let path = data_dir.join(LISTENERS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(HarnessError::io("reading", path, error)),
    }
}

/// Polls with a short, growing backoff until `probe` yields a value, `alive` reports the
/// process gone, or `deadline` passes.
///
/// `probe` returns `Ok(Some(v))` when done, `Ok(None)` with a reason stored in `last_problem`
/// otherwise.
///
/// # Errors
/// [`HarnessError::NotReady`] at the deadline; whatever `alive` returns when the process died.
pub async fn poll_until<T, P, F, A>(
    deadline: Duration,
    mut alive: A,
    mut probe: P,
) -> HarnessResult<T>
where
    P: FnMut() -> F,
    F: Future<Output = Result<T, String>>,
    A: FnMut() -> HarnessResult<()>,
{
    let started = Instant::now();
    let mut backoff = Duration::from_millis(5);
    loop {
        alive()?;
        let last_problem = match probe().await {
            Ok(value) => return Ok(value),
            Err(problem) => problem,
        };
        if started.elapsed() >= deadline {
            return Err(HarnessError::NotReady {
                waited_ms: started.elapsed().as_millis(),
                last_problem,
            });
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_millis(200));
    }
}

/// One readiness probe: `GET /readyz` on the local listener answers 200.
///
/// # Errors
/// A description of why it is not ready yet.
pub async fn probe_readyz(local: SocketAddr) -> Result<(), String> {
    let endpoint = Endpoint {
        addr: local,
        tls: None,
    };
    let mut connection = endpoint
        .connect()
        .await
        .map_err(|error| error.to_string())?;
    let reply = connection
        .get("/readyz")
        .await
        .map_err(|error| error.to_string())?;
    if reply.status == http::StatusCode::OK {
        Ok(())
    } else {
        Err(format!("/readyz answered {}", reply.status))
    }
}
