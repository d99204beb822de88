//! Whether the store takes writes. The writer sets it; `/readyz` and the webhook read it, so a
//! disk error is reported (and deliveries refused up front) while the store reopens its file.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The store's health, shared by the writer and whoever answers for the gateway. Cheap to
/// clone; every clone sees the same state.
#[derive(Debug, Clone, Default)]
pub struct StoreHealth(Arc<Mutex<Option<DiskRecovery>>>);

/// A disk error the store is recovering from: its file is closed and being reopened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskRecovery {
    /// The disk error, or why the last attempt to reopen the file failed.
    pub reason: String,
    /// How many attempts to reopen the file have failed so far.
    pub failed_attempts: u32,
}

impl StoreHealth {
    /// The disk error the store is recovering from, or `None` when it takes writes.
    pub fn recovering(&self) -> Option<DiskRecovery> {
        self.state().clone()
    }

    /// True while the store recovers from a disk error.
    pub fn is_recovering(&self) -> bool {
        self.state().is_some()
    }

    /// The store's file is closed after a disk error and being reopened.
    pub(super) fn set_recovering(&self, recovery: DiskRecovery) {
        *self.state() = Some(recovery);
    }

    /// The store takes writes again.
    pub(super) fn set_ready(&self) {
        *self.state() = None;
    }

    fn state(&self) -> MutexGuard<'_, Option<DiskRecovery>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
