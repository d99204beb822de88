//! Whether the kernel's clock is synchronised, as far as the gateway can tell without `unsafe`:
//! systemd-timesyncd touches [`TIMESYNC_SYNCHRONIZED`] once it has synchronised the clock (and
//! the kernel's "unsynchronised" status is cleared).
//!
//! Why this file and not `adjtimex(2)`: the crates the gateway already uses (std, rustix) do
//! not wrap `adjtimex`, calling it through `libc` needs `unsafe` (forbidden here), and the
//! crates that wrap it (nix, nc) would add a large dependency for one flag. The boxes run under
//! systemd with timesyncd; a box synchronised by chrony or ntpd is not seen as synchronised here,
//! and its batches are signed once HQ's `Date` has been read (every HTTP server sends one).

use std::path::Path;

/// The file systemd-timesyncd (v239 and later) touches when the clock is synchronised.
pub const TIMESYNC_SYNCHRONIZED: &str = "/run/systemd/timesync/synchronized";

/// Whether `marker` (normally [`TIMESYNC_SYNCHRONIZED`]) says the clock is synchronised.
pub fn synchronised(marker: &Path) -> bool {
    marker.exists()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_marker_file_is_the_word() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("synchronized");
        assert!(!synchronised(&marker));
        std::fs::write(&marker, b"").unwrap();
        assert!(synchronised(&marker));
    }
}
