//! Where readers find the open database. The writer owns the database and puts it here; after a
//! disk error it empties the slot and closes the file, and it puts the reopened one back.

use std::sync::{Arc, PoisonError, RwLock, Weak};

use redb::Database;

/// The writer's current database, as readers see it. Weak: the writer holds the only lasting
/// strong reference, so when the writer drops the database (on close, or to reopen it) the file
/// closes once the reads in progress finish.
#[derive(Debug, Clone, Default)]
pub(super) struct DbSlot(Arc<RwLock<Weak<Database>>>);

impl DbSlot {
    /// The open database, unless the writer has closed it.
    pub(super) fn get(&self) -> Option<Arc<Database>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .upgrade()
    }

    /// Readers use `db` from now on.
    pub(super) fn put(&self, db: &Arc<Database>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::downgrade(db);
    }

    /// Readers find no database until the next [`Self::put`].
    pub(super) fn clear(&self) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Weak::new();
    }
}
