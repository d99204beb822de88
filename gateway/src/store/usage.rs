//! Disk-quota accounting: the bytes the store holds plus the other files in the data folder.
//!
//! The redb file never shrinks and grows in large steps, so its length says little about what is
//! stored. The store instead counts the bytes of keys and values it keeps (persisted in the
//! `meta` table, so the count survives restarts), and a background scan adds the size of every
//! other regular file in the data folder (certificates, exports, media, anything an operator put
//! there). Room returns when either shrinks: an operator removes files, or the store drops data.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sizes the quota compares against, shared between the writer and the folder scanner.
#[derive(Debug, Default)]
pub struct Usage {
    stored_bytes: AtomicU64,
    other_files_bytes: AtomicU64,
}

impl Usage {
    /// Bytes of keys and values the store keeps.
    pub fn stored_bytes(&self) -> u64 {
        self.stored_bytes.load(Ordering::Relaxed)
    }

    /// Bytes of the other regular files in the data folder, as of the last scan.
    pub fn other_files_bytes(&self) -> u64 {
        self.other_files_bytes.load(Ordering::Relaxed)
    }

    /// The total the quota is compared with.
    pub fn total(&self) -> u64 {
        self.stored_bytes().saturating_add(self.other_files_bytes())
    }

    pub(super) fn set_stored_bytes(&self, bytes: u64) {
        self.stored_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Records the result of a folder scan.
    pub fn set_other_files_bytes(&self, bytes: u64) {
        self.other_files_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Counts a file just written to the data folder before the next scan finds it (the scan
    /// then replaces the measure, so the file is never counted twice).
    pub fn add_other_files_bytes(&self, bytes: u64) {
        let _ =
            self.other_files_bytes
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                    Some(total.saturating_add(bytes))
                });
    }
}

/// Sums the sizes of the regular files under `dir`, except `skip` (the store file itself).
/// Unreadable entries are skipped: the scan is an estimate that must never fail the gateway.
pub fn scan_other_files(dir: &Path, skip: &Path) -> u64 {
    let mut total = 0u64;
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(path);
            } else if meta.is_file() && path != skip {
                total = total.saturating_add(meta.len());
            }
        }
    }
    total
}

/// Shared handle type.
pub type SharedUsage = Arc<Usage>;

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn scan_counts_nested_files_and_skips_the_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), [0u8; 100]).unwrap();
        std::fs::create_dir(dir.path().join("tls")).unwrap();
        std::fs::write(dir.path().join("tls/cert.pem"), [0u8; 23]).unwrap();
        let store = dir.path().join("store.redb");
        std::fs::write(&store, [0u8; 5000]).unwrap();
        assert_eq!(scan_other_files(dir.path(), &store), 123);
    }
}
