//! The one shutdown path: SIGTERM or SIGINT resolve a single future.

/// Resolves on the first SIGTERM or SIGINT. If the handlers cannot be installed, it resolves
/// only on Ctrl-C through tokio's portable handler (logged).
pub async fn signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (term, int) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        }
        (term, int) => {
            let error = term.err().or(int.err()).map(|e| e.to_string());
            tracing::warn!(
                ?error,
                "signal handlers unavailable; only Ctrl-C stops the gateway"
            );
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
