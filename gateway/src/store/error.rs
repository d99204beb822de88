//! The store's typed error: every redb failure is mapped into one enum at the store boundary.

use std::path::PathBuf;

/// Everything that can go wrong inside the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open the store at {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What redb reported.
        #[source]
        source: redb::DatabaseError,
    },
    /// The database file is held by a running gateway.
    #[error(
        "the store at {path} is in use by a running gateway; stop it first (export and inspection work on a stopped gateway)"
    )]
    InUse {
        /// The database file.
        path: PathBuf,
    },
    /// The store was written by a newer schema than this waygate reads (a newer firmware).
    #[error(
        "the store at {path} was written by schema {found}; this waygate reads schema {supported} and older — a newer firmware wrote it; upgrade waygate or restore a backup"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The store's schema.
        found: u64,
        /// The newest schema this waygate reads.
        supported: u64,
    },
    /// The store has an older schema, which only `serve` migrates.
    #[error(
        "the store at {path} has schema {found}; this waygate reads schema {current}: start `waygate serve` on it once to migrate it, then retry"
    )]
    SchemaNotMigrated {
        /// The database file.
        path: PathBuf,
        /// The store's schema.
        found: u64,
        /// This waygate's schema.
        current: u64,
    },
    /// The store's stamp names a schema older than any waygate wrote.
    #[error(
        "the store at {path} is stamped with schema {found}, older than any waygate wrote (the first is {first}); restore a backup"
    )]
    SchemaUnknown {
        /// The database file.
        path: PathBuf,
        /// The stamp.
        found: u64,
        /// The first schema.
        first: u64,
    },
    /// A transaction could not be started.
    #[error("store transaction failed to start: {0}")]
    Transaction(#[from] redb::TransactionError),
    /// The transaction's durability could not be set.
    #[error("store transaction durability could not be set: {0}")]
    Durability(#[from] redb::SetDurabilityError),
    /// A table could not be opened.
    #[error("store table failed to open: {0}")]
    Table(#[from] redb::TableError),
    /// Reading or writing a table failed.
    #[error("store I/O failed: {0}")]
    Storage(#[from] redb::StorageError),
    /// The durable commit failed; nothing of the batch is on disk.
    #[error("store commit failed: {0}")]
    Commit(#[from] redb::CommitError),
    /// A stored record could not be decoded (corruption, or written by a newer version).
    #[error("stored record {table}[{key}] cannot be decoded: {reason}")]
    Record {
        /// The table holding the record.
        table: &'static str,
        /// The record's key.
        key: u64,
        /// Why it failed.
        reason: String,
    },
    /// A stored entry whose key is not a number could not be decoded.
    #[error("a stored entry in {table} cannot be decoded: {reason}")]
    Entry {
        /// The table holding the entry.
        table: &'static str,
        /// Which entry, for people (never personal data), and why it failed.
        reason: String,
    },
    /// Accepting the batch would pass the configured disk quota.
    #[error("disk quota reached: {used} bytes used + {needed} needed > quota {quota} bytes")]
    QuotaExceeded {
        /// Bytes in use now.
        used: u64,
        /// Bytes this request needs.
        needed: u64,
        /// The configured quota.
        quota: u64,
    },
    /// The group this request was committed with failed; nothing of it is on disk.
    #[error("the store could not commit this request ({0}); it was not stored, retry")]
    GroupFailed(String),
    /// The store closed its file after a disk error and is reopening it; nothing was stored.
    #[error(
        "the store is recovering from a disk error ({reason}); nothing was stored, retry shortly"
    )]
    Recovering {
        /// The disk error, or why the last attempt to reopen failed.
        reason: String,
    },
    /// The writer thread has stopped (shutdown in progress, or it failed).
    #[error("the store writer has stopped")]
    WriterGone,
    /// A file next to the store could not be read or written.
    #[error("store file operation on {path} failed: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when the condition is temporary and the sender should retry later (Meta does).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::QuotaExceeded { .. }
                | Self::WriterGone
                | Self::GroupFailed(_)
                | Self::Recovering { .. }
        )
    }

    /// True when the store's schema is one this waygate cannot use as it is (the data, not
    /// the disk, is the problem: sysexits `EX_DATAERR`).
    pub fn is_schema_mismatch(&self) -> bool {
        matches!(
            self,
            Self::SchemaTooNew { .. } | Self::SchemaNotMigrated { .. } | Self::SchemaUnknown { .. }
        )
    }

    /// True when the file failed under redb (an I/O error, which redb latches: every later
    /// operation fails until the database is closed and opened again).
    pub(super) fn is_disk_failure(&self) -> bool {
        matches!(
            self.storage_error(),
            Some(
                redb::StorageError::Io(_)
                    | redb::StorageError::PreviousIo
                    | redb::StorageError::DatabaseClosed
            )
        )
    }

    /// The operating system's error behind this one, if there is one.
    pub(super) fn io_error(&self) -> Option<&std::io::Error> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => match self.storage_error() {
                Some(redb::StorageError::Io(source)) => Some(source),
                _ => None,
            },
        }
    }

    /// The storage layer's error behind this one, if there is one.
    fn storage_error(&self) -> Option<&redb::StorageError> {
        match self {
            Self::Storage(storage)
            | Self::Transaction(redb::TransactionError::Storage(storage))
            | Self::Table(redb::TableError::Storage(storage))
            | Self::Commit(redb::CommitError::Storage(storage))
            | Self::Open {
                source: redb::DatabaseError::Storage(storage),
                ..
            } => Some(storage),
            _ => None,
        }
    }
}
