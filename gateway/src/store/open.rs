//! Opening the store file for writing: at start, and again after a disk error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::Database;

use super::StoreError;
use super::books::Books;
use super::tools::ConfiguredTools;
use super::writer::Counters;
use crate::policy::TemplateRegistry;
use crate::pricing::{CreditSettings, Ledger, PricingRules};
use crate::time::UnixMs;

/// The store file and what opening it for writing takes.
#[derive(Debug, Clone)]
pub(super) struct StoreFile {
    /// The data folder.
    pub(super) data_dir: PathBuf,
    /// The database file inside it.
    pub(super) path: PathBuf,
    /// redb's page cache, in bytes.
    pub(super) cache_bytes: usize,
    /// The configured templates, reconciled with the stored ones on every open.
    pub(super) templates: TemplateRegistry,
    /// What Meta charges, for the books.
    pub(super) pricing: Arc<PricingRules>,
    /// How credits are sold.
    pub(super) credits: CreditSettings,
    /// The configured canned responses and articles, reconciled with the stored ones on every
    /// open.
    pub(super) tools: ConfiguredTools,
}

impl StoreFile {
    /// Opens (or creates) the file, brings it to this waygate's schema (refusing a newer one),
    /// prepares its tables and reads the counters, in one durable commit: an open that returns
    /// `Ok` has written to the disk. `now` dates what the configuration changes. Blocking.
    pub(super) fn open(&self, now: UnixMs) -> Result<(Arc<Database>, Counters, Books), StoreError> {
        let db = open_database(&self.path, self.cache_bytes)?;
        let books = Books {
            ledger: Ledger::new(),
            rules: Arc::clone(&self.pricing),
            credits: self.credits,
        };
        let (counters, books) = Counters::load_or_init(
            &db,
            &self.path,
            self.templates.clone(),
            books,
            &self.tools,
            now,
        )?;
        Ok((Arc::new(db), counters, books))
    }

    /// The space the data folder's file system has free for the gateway (which is not root):
    /// `statvfs`'s available blocks times their size.
    pub(super) fn free_bytes(&self) -> std::io::Result<u64> {
        let stats = rustix::fs::statvfs(&self.data_dir)?;
        Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
    }
}

/// Opens (or creates) the store file, mode 0600 whatever the umask: created empty with that mode
/// before redb fills it, or narrowed if an earlier start left it wider.
fn open_database(path: &Path, cache_bytes: usize) -> Result<Database, StoreError> {
    crate::files::create_private_file(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Database::builder()
        .set_cache_size(cache_bytes)
        .create(path)
        .map_err(|source| match source {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse {
                path: path.to_path_buf(),
            },
            source => StoreError::Open {
                path: path.to_path_buf(),
                source,
            },
        })
}
