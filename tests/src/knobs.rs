//! Environment knobs of the suites: the workload scale and the readiness deadline.

use std::time::Duration;

/// The workload multiplier from `WAYGATE_E2E_SCALE` (default 1.0; ignored unless positive).
pub fn scale() -> f64 {
    std::env::var("WAYGATE_E2E_SCALE")
        .ok()
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|value| value.is_finite() && *value > 0.0)
        .unwrap_or(1.0)
}

/// `base` multiplied by [`scale`], at least 1.
pub fn scaled(base: usize) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "workload sizes are small positive numbers"
    )]
    let value = (base as f64 * scale()).round() as usize;
    value.max(1)
}

/// How long to wait for the gateway to become ready (`WAYGATE_E2E_READY_SECS`, default 60 s;
/// generous because the binary may run under qemu-user).
pub fn ready_deadline() -> Duration {
    let seconds = std::env::var("WAYGATE_E2E_READY_SECS")
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(seconds)
}

/// The deadline for anything a healthy gateway does promptly (exit after SIGTERM, a request,
/// the quota rescan): a failure detector, never a timing assertion. Scales with the readiness one.
pub fn operation_deadline() -> Duration {
    ready_deadline()
}
