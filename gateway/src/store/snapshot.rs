//! The store's figures at one moment, from one read transaction: its counters and watermarks
//! ([`StoreSummary`]) and its chats by state ([`ChatCounts`]). The running gateway reads them for
//! `/metrics` and `/api/v1/status`; `waygate status` reads them from a stopped gateway's store.

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::chats::decode_chat;
use super::tables::{
    CHAT_DEADLINES, CHATS, DEAD_LETTERS, INBOUND_LOG, META, META_DEDUPE_ENTRIES,
    META_DUPLICATES_TOTAL, META_LAST_COMMIT_MS, META_NEXT_SEQ, META_STORED_BYTES,
};
use crate::chat::ChatState;

/// The store's counters and watermarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSummary {
    /// Entries in the inbound log.
    pub log_entries: u64,
    /// The sequence number the next event will get.
    pub next_seq: u64,
    /// Dead letters kept.
    pub dead_letters: u64,
    /// Entries in the dedupe index.
    pub dedupe_entries: u64,
    /// Duplicates dropped since the store was created.
    pub duplicates_total: u64,
    /// Bytes of keys and values the store holds (the store's part of the quota's measure).
    pub stored_bytes: u64,
    /// Wall-clock ms of the last durable commit.
    pub last_commit_ms: u64,
}

/// How many chats are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatCounts {
    /// Waiting for an operator.
    pub waiting: u64,
    /// Served by an operator or the bot.
    pub active: u64,
    /// Closed for good.
    pub closed: u64,
}

/// Both, from one read transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreSnapshot {
    /// The counters and watermarks.
    pub summary: StoreSummary,
    /// The chats by state.
    pub chats: ChatCounts,
}

impl StoreSnapshot {
    /// Reads both in `txn`.
    pub(super) fn read(txn: &ReadTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            summary: summary(txn)?,
            chats: chat_counts(txn)?,
        })
    }
}

fn summary(txn: &ReadTransaction) -> Result<StoreSummary, StoreError> {
    let meta = txn.open_table(META)?;
    let get =
        |key: &str| -> Result<u64, StoreError> { Ok(meta.get(key)?.map_or(0, |v| v.value())) };
    Ok(StoreSummary {
        log_entries: txn.open_table(INBOUND_LOG)?.len()?,
        next_seq: get(META_NEXT_SEQ)?.max(1),
        dead_letters: txn.open_table(DEAD_LETTERS)?.len()?,
        dedupe_entries: get(META_DEDUPE_ENTRIES)?,
        duplicates_total: get(META_DUPLICATES_TOTAL)?,
        stored_bytes: get(META_STORED_BYTES)?,
        last_commit_ms: get(META_LAST_COMMIT_MS)?,
    })
}

/// Every open chat has a deadline and every closed one none (the lifecycle's invariant), so the
/// open chats are the deadline index's entries: only those are read, however many chats closed.
fn chat_counts(txn: &ReadTransaction) -> Result<ChatCounts, StoreError> {
    let chats = txn.open_table(CHATS)?;
    let mut counts = ChatCounts::default();
    for entry in txn.open_table(CHAT_DEADLINES)?.iter()? {
        let (key, _) = entry?;
        let (_, id) = key.value();
        let Some(bytes) = chats.get(id)? else {
            continue;
        };
        match decode_chat(id, bytes.value())?.state {
            ChatState::Waiting => counts.waiting += 1,
            ChatState::Active { .. } => counts.active += 1,
            ChatState::Closed { .. } => {}
        }
    }
    counts.closed = chats.len()?.saturating_sub(counts.waiting + counts.active);
    Ok(counts)
}
