//! The gateway's memory as the kernel counts it (`/proc/<pid>/status`): resident now, and the
//! peak since the process started (`VmHWM`, which no later release can lower: a test that reads
//! it after an attack sees the worst moment of the attack).
//!
//! Under a runner (`WAYGATE_RUNNER`, e.g. qemu-user) the process is the emulator: its counts
//! include the emulator's own memory, so suites compare growth from a baseline there.

use std::path::PathBuf;

use crate::error::{HarnessError, HarnessResult};

/// Resident memory of one process, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident now (`VmRSS`).
    pub resident: u64,
    /// The highest resident size so far (`VmHWM`).
    pub peak: u64,
}

/// Reads the memory of process `pid`.
///
/// # Errors
/// When `/proc/<pid>/status` cannot be read or lacks the two lines.
pub fn memory_of(pid: u32) -> HarnessResult<Memory> {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(&path).map_err(|source| HarnessError::Io {
        action: "reading",
        path: path.clone(),
        source,
    })?;
    let kib = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|number| number.trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
            .ok_or_else(|| HarnessError::Http(format!("{} has no {name} line", path.display())))
    };
    Ok(Memory {
        resident: kib("VmRSS:")?,
        peak: kib("VmHWM:")?,
    })
}

/// Mebibytes, for messages.
pub fn mib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "a message")]
    let value = bytes as f64 / 1_048_576.0;
    format!("{value:.1} MiB")
}
