//! Reading a stopped gateway's store: the inbound log, dead letters, chats, the journal and
//! counters.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use redb::{Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, TableDefinition};

use super::chats::chat_from_bytes;
use super::schema;
use super::snapshot::StoreSnapshot;
use super::tables::{CHATS, DEAD_LETTERS, INBOUND_LOG, JOURNAL};
use super::{DeadLetter, LogRecord, STORE_FILE, StoreError};
use crate::chat::Chat;
use crate::journal::JournalEvent;

/// A read-only view of a store whose gateway is stopped.
pub struct StoreReader {
    db: Opened,
    path: PathBuf,
}

enum Opened {
    ReadOnly(ReadOnlyDatabase),
    /// Opened for writing because the file needed recovery after a crash (kill -9, power cut).
    Repaired(Database),
}

impl StoreReader {
    /// Opens the store in `data_dir`. A file left needing recovery by a crash is recovered first
    /// (`repaired` is then true); a file held by a running gateway is refused, and so is a store
    /// of a schema this waygate cannot read (see `schema.rs`).
    pub fn open(data_dir: &Path) -> Result<(Self, bool), StoreError> {
        let path = data_dir.join(STORE_FILE);
        if !path.exists() {
            return Err(StoreError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no store here; is this the gateway's --data-dir?",
                ),
            });
        }
        let map_open = |source: redb::DatabaseError| match source {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse { path: path.clone() },
            source => StoreError::Open {
                path: path.clone(),
                source,
            },
        };
        let (db, repaired) = match Database::builder().open_read_only(&path) {
            Ok(db) => (Opened::ReadOnly(db), false),
            Err(redb::DatabaseError::RepairAborted) => (
                Opened::Repaired(Database::builder().open(&path).map_err(map_open)?),
                true,
            ),
            Err(other) => return Err(map_open(other)),
        };
        let reader = Self { db, path };
        schema::CURRENT.check_readable(&reader.read()?, &reader.path)?;
        Ok((reader, repaired))
    }

    fn read(&self) -> Result<ReadTransaction, StoreError> {
        Ok(match &self.db {
            Opened::ReadOnly(db) => db.begin_read()?,
            Opened::Repaired(db) => db.begin_read()?,
        })
    }

    /// Visits the inbound log in sequence order, from `from_seq` on.
    pub fn for_each_record(
        &self,
        from_seq: u64,
        visit: impl FnMut(u64, LogRecord) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.for_each(
            INBOUND_LOG,
            "inbound_log",
            from_seq,
            LogRecord::from_bytes,
            visit,
        )
    }

    /// Visits the dead letters in the order they arrived, from `from_seq` on.
    pub fn for_each_dead_letter(
        &self,
        from_seq: u64,
        visit: impl FnMut(u64, DeadLetter) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.for_each(
            DEAD_LETTERS,
            "dead_letters",
            from_seq,
            DeadLetter::from_bytes,
            visit,
        )
    }

    /// Visits the chats in id order (the order they opened), from `from_id` on.
    pub fn for_each_chat(
        &self,
        from_id: u64,
        visit: impl FnMut(u64, Chat) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.for_each(CHATS, "chats", from_id, chat_from_bytes, visit)
    }

    /// Visits the journal in sequence order, from `from_seq` on.
    pub fn for_each_event(
        &self,
        from_seq: u64,
        mut visit: impl FnMut(JournalEvent) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.for_each(
            JOURNAL,
            "journal",
            from_seq,
            |bytes| JournalEvent::from_bytes(0, bytes),
            |seq, event| visit(JournalEvent { seq, ..event }),
        )
    }

    /// Visits a sequence-keyed table of encoded records in key order.
    fn for_each<T>(
        &self,
        definition: TableDefinition<'_, u64, &[u8]>,
        name: &'static str,
        from_seq: u64,
        decode: impl Fn(&[u8]) -> Result<T, postcard::Error>,
        mut visit: impl FnMut(u64, T) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(definition)?;
        for row in table.range(from_seq..)? {
            let (seq, bytes) = row?;
            let seq = seq.value();
            let item = decode(bytes.value()).map_err(|error| StoreError::Record {
                table: name,
                key: seq,
                reason: error.to_string(),
            })?;
            if visit(seq, item).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// The store's counters and its chats by state.
    pub fn snapshot(&self) -> Result<StoreSnapshot, StoreError> {
        StoreSnapshot::read(&self.read()?)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
