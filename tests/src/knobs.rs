//! Environment knobs of the suites: the workload scale, the readiness deadline, and the browser
//! the console suites drive (where it is, where its screenshots go).

use std::path::PathBuf;
use std::time::Duration;

use crate::binary::workspace_root;

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

/// The Chromium the console suites start (`WAYGATE_E2E_CHROMIUM`, default the browser of
/// Debian's package chromium, `/usr/lib/chromium/chromium`: its launcher `/usr/bin/chromium`
/// adds Debian's flags, Google API keys and remote extensions among them, which only make the
/// browser call home more).
pub fn chromium_path() -> PathBuf {
    path_from("WAYGATE_E2E_CHROMIUM", "/usr/lib/chromium/chromium")
}

/// The chromedriver that starts it (`WAYGATE_E2E_CHROMEDRIVER`, default Debian's
/// `/usr/bin/chromedriver`, from the package chromium-driver).
pub fn chromedriver_path() -> PathBuf {
    path_from("WAYGATE_E2E_CHROMEDRIVER", "/usr/bin/chromedriver")
}

/// Where the console suites write their screenshots (`WAYGATE_E2E_SCREENSHOTS`, relative to
/// the workspace root; e.g. `docs/console`). Unset: they are taken and checked, not written,
/// so that a test run leaves the committed ones alone.
pub fn screenshots_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("WAYGATE_E2E_SCREENSHOTS")?);
    Some(if dir.is_absolute() {
        dir
    } else {
        workspace_root().join(dir)
    })
}

fn path_from(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
}
