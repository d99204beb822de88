//! The store's schema version: stamped in `meta`, checked whenever the file is opened.
//!
//! A store stamped with a newer schema than this waygate's was written by a newer firmware:
//! it is refused, never misread (`serve`, `export` and `status` exit 65). An older store is
//! migrated forward when `serve` opens it for writing: one explicit step per version, all in the
//! opening write transaction, then the stamp is raised. Readers (`export`, `status`) never
//! migrate; they ask for a `serve` first.
//!
//! Schema 1 is the first layout and still the current one (tables added since are created empty
//! on open and every record carries its own version), so the step list is empty: migrating a
//! store of the current schema is the identity. A change that old stores cannot be read with
//! bumps [`SCHEMA_VERSION`] and appends its step, with a test, to [`MIGRATIONS`].

use std::path::Path;

use redb::{ReadTransaction, ReadableTable, TableError, WriteTransaction};

use super::StoreError;
use super::tables::{META, META_SCHEMA_VERSION};

/// The layout version of the tables this waygate reads and writes.
pub(super) const SCHEMA_VERSION: u64 = 1;

/// The schema of the first stores. Every store has been stamped since its first commit, so a
/// store whose `meta` holds data but no stamp is taken to be of this schema.
const FIRST_SCHEMA_VERSION: u64 = 1;

/// One migration step: rewrites a store of schema `from` into schema `from + 1`.
#[derive(Debug, Clone, Copy)]
pub(super) struct MigrationStep {
    /// The schema the step starts from.
    pub(super) from: u64,
    /// What it changes, for the log.
    pub(super) what: &'static str,
    /// The change, inside the opening write transaction.
    pub(super) apply: fn(&WriteTransaction) -> Result<(), StoreError>,
}

/// The steps from [`FIRST_SCHEMA_VERSION`] to [`SCHEMA_VERSION`], in order (none yet).
const MIGRATIONS: &[MigrationStep] = &[];

/// A schema version and the steps that lead to it from the first one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Schema {
    /// Its version.
    pub(super) version: u64,
    /// The first schema any store had.
    pub(super) first: u64,
    /// `steps[i]` migrates from `first + i`; the last one reaches `version`.
    pub(super) steps: &'static [MigrationStep],
}

/// The schema of this waygate.
pub(super) const CURRENT: Schema = Schema {
    version: SCHEMA_VERSION,
    first: FIRST_SCHEMA_VERSION,
    steps: MIGRATIONS,
};

/// What opening a store for writing did to its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Upgrade {
    /// The schema the store had (for a new store, the current one).
    pub(super) found: u64,
    /// How many migration steps ran.
    pub(super) steps: usize,
}

impl Schema {
    /// Brings the store in `txn` (the opening write transaction) to this schema: refuses a
    /// newer one, runs the steps from the one it has, and stamps this version. On an error the
    /// caller drops `txn`, so nothing of it is written.
    pub(super) fn upgrade(
        &self,
        txn: &WriteTransaction,
        path: &Path,
    ) -> Result<Upgrade, StoreError> {
        let found = self.found_version(&txn.open_table(META)?)?;
        let steps = self.steps_from(found, path)?;
        for step in steps {
            tracing::info!(
                from = step.from,
                to = step.from + 1,
                what = step.what,
                "migrating the store's schema"
            );
            (step.apply)(txn)?;
        }
        txn.open_table(META)?
            .insert(META_SCHEMA_VERSION, self.version)?;
        Ok(Upgrade {
            found,
            steps: steps.len(),
        })
    }

    /// Refuses a store a reader of this schema cannot read: a newer one, or an older one not
    /// migrated yet.
    pub(super) fn check_readable(
        &self,
        txn: &ReadTransaction,
        path: &Path,
    ) -> Result<(), StoreError> {
        let found = match txn.open_table(META) {
            Ok(meta) => self.found_version(&meta)?,
            // Created but never committed to: nothing to misread.
            Err(TableError::TableDoesNotExist(_)) => self.version,
            Err(error) => return Err(error.into()),
        };
        if self.steps_from(found, path)?.is_empty() {
            Ok(())
        } else {
            Err(StoreError::SchemaNotMigrated {
                path: path.to_path_buf(),
                found,
                current: self.version,
            })
        }
    }

    /// The steps that bring a store of schema `found` to this one.
    fn steps_from(&self, found: u64, path: &Path) -> Result<&'static [MigrationStep], StoreError> {
        if found > self.version {
            return Err(StoreError::SchemaTooNew {
                path: path.to_path_buf(),
                found,
                supported: self.version,
            });
        }
        found
            .checked_sub(self.first)
            .and_then(|index| usize::try_from(index).ok())
            .and_then(|index| self.steps.get(index..))
            .ok_or_else(|| StoreError::SchemaUnknown {
                path: path.to_path_buf(),
                found,
                first: self.first,
            })
    }

    /// The schema a store's `meta` table says it has: its stamp; for a new store (nothing in
    /// `meta` yet) this one; for a store with data but no stamp the first one.
    fn found_version(
        &self,
        meta: &impl ReadableTable<&'static str, u64>,
    ) -> Result<u64, StoreError> {
        Ok(match meta.get(META_SCHEMA_VERSION)? {
            Some(stamp) => stamp.value(),
            None if meta.is_empty()? => self.version,
            None => self.first,
        })
    }
}

#[cfg(test)]
mod tests;
