//! The upstream outbox's batches inside the store: formed in order and kept until settled, so
//! that a redelivery (after a timeout, a restart, a kill -9) carries the same events under the
//! same id; acknowledged (their outbox entries go); or dead-lettered (kept, with why, until an
//! operator retries them).

use redb::{ReadTransaction, ReadableDatabase as _, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::journal::{self, ResolvedEvent};
use super::outbox::OutboxTopic;
use super::request::Command;
use super::tables::{META, META_UPSTREAM_FORMED, OUTBOX, UPSTREAM_BATCHES, UPSTREAM_DEAD};
use super::{JournalWatch, Store, StoreError};
use crate::time::UnixMs;

/// A batch formed for headquarters: the events `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchRange {
    /// Its first event's seq.
    pub first: u64,
    /// Its last event's seq.
    pub last: u64,
}

impl BatchRange {
    /// How many events it holds.
    pub fn len(&self) -> u64 {
        self.last.saturating_sub(self.first).saturating_add(1)
    }

    /// Whether it holds none (never, for a formed batch).
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }
}

/// A batch headquarters refused, kept with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadBatch {
    /// Its first event's seq (the key; not stored in the value).
    #[serde(skip)]
    pub first: u64,
    /// Its last event's seq.
    pub last: u64,
    /// HQ's HTTP status.
    pub status: u16,
    /// What HQ said (the start of its answer), or why the batch could not be delivered.
    pub reason: String,
    /// When it was dead-lettered.
    pub at: UnixMs,
}

/// The wire form of a stored dead batch; the variant is the version.
#[derive(Serialize, Deserialize)]
enum DeadBatchWire {
    V1(DeadBatch),
}

/// What came of a batch's delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// HQ acknowledged it (2xx): its events leave the outbox.
    Acknowledged,
    /// HQ refused it for good (3xx, 4xx but 410): it moves to the dead letters.
    DeadLettered {
        /// HQ's status.
        status: u16,
        /// What HQ said.
        reason: String,
    },
}

/// A change to the upstream outbox, for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum UpstreamChange {
    /// Form the next batch: `first` must follow the last formed one.
    Form(BatchRange),
    /// Settle the formed batch that starts at `first`.
    Settle(u64, BatchOutcome),
    /// Form a dead-lettered batch again, for another delivery.
    Retry(u64),
}

/// An upstream change on its way to the writer; answered with whether it applied.
pub(super) struct UpstreamSubmission {
    pub(super) change: UpstreamChange,
    pub(super) reply: oneshot::Sender<Result<bool, StoreError>>,
}

/// The upstream tables, opened in a write transaction.
pub(super) fn apply(
    txn: &WriteTransaction,
    change: &UpstreamChange,
    now: UnixMs,
) -> Result<(bool, i64), StoreError> {
    let mut batches = txn.open_table(UPSTREAM_BATCHES)?;
    let mut dead = txn.open_table(UPSTREAM_DEAD)?;
    let mut outbox = txn.open_table(OUTBOX)?;
    let mut meta = txn.open_table(META)?;
    let topic = OutboxTopic::Upstream as u8;
    match change {
        UpstreamChange::Form(range) => {
            let formed = meta.get(META_UPSTREAM_FORMED)?.map_or(0, |v| v.value());
            if range.first != formed.saturating_add(1) || range.is_empty() {
                return Ok((false, 0));
            }
            batches.insert(range.first, range.last)?;
            meta.insert(META_UPSTREAM_FORMED, range.last)?;
            Ok((true, 0))
        }
        UpstreamChange::Settle(first, outcome) => {
            let Some(last) = batches.remove(*first)?.map(|last| last.value()) else {
                return Ok((false, 0));
            };
            let mut settled = 0;
            for seq in *first..=last {
                if outbox.remove((topic, seq))?.is_some() {
                    settled += 1;
                }
            }
            if let BatchOutcome::DeadLettered { status, reason } = outcome {
                let batch = DeadBatch {
                    first: *first,
                    last,
                    status: *status,
                    reason: reason.clone(),
                    at: now,
                };
                let bytes = postcard::to_allocvec(&DeadBatchWire::V1(batch)).unwrap_or_default();
                dead.insert(*first, bytes.as_slice())?;
            }
            Ok((true, -settled))
        }
        UpstreamChange::Retry(first) => {
            let Some(batch) = dead
                .remove(*first)?
                .map(|bytes| decode_dead(*first, bytes.value()))
                .transpose()?
            else {
                return Ok((false, 0));
            };
            batches.insert(*first, batch.last)?;
            let mut requeued = 0;
            for seq in *first..=batch.last {
                if outbox.insert((topic, seq), ())?.is_none() {
                    requeued += 1;
                }
            }
            Ok((true, requeued))
        }
    }
}

fn decode_dead(first: u64, bytes: &[u8]) -> Result<DeadBatch, StoreError> {
    match postcard::from_bytes(bytes) {
        Ok(DeadBatchWire::V1(batch)) => Ok(DeadBatch { first, ..batch }),
        Err(error) => Err(StoreError::Record {
            table: "upstream_dead",
            key: first,
            reason: error.to_string(),
        }),
    }
}

/// The event ranges of the dead-lettered batches, oldest first.
pub(super) fn read_dead_ranges(
    table: &impl ReadableTable<u64, &'static [u8]>,
) -> Result<Vec<(u64, u64)>, StoreError> {
    let mut ranges = Vec::new();
    for row in table.iter()? {
        let (first, bytes) = row?;
        let first = first.value();
        ranges.push((first, decode_dead(first, bytes.value())?.last));
    }
    Ok(ranges)
}

/// The dead-lettered batches, oldest first.
pub(super) fn read_dead(txn: &ReadTransaction) -> Result<Vec<DeadBatch>, StoreError> {
    let table = txn.open_table(UPSTREAM_DEAD)?;
    let mut batches = Vec::new();
    for row in table.iter()? {
        let (first, bytes) = row?;
        batches.push(decode_dead(first.value(), bytes.value())?);
    }
    Ok(batches)
}

/// Where the upstream outbox stands, from one snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamState {
    /// Formed batches not yet settled, oldest first: they go before anything new.
    pub formed: Vec<BatchRange>,
    /// The last event put in a batch (0: none).
    pub formed_through: u64,
    /// When the oldest event still in the outbox was appended, if any is.
    pub oldest_at: Option<UnixMs>,
    /// Dead-lettered batches.
    pub dead: Vec<DeadBatch>,
}

fn read_state(txn: &ReadTransaction) -> Result<UpstreamState, StoreError> {
    let batches = txn.open_table(UPSTREAM_BATCHES)?;
    let mut formed = Vec::new();
    for row in batches.iter()? {
        let (first, last) = row?;
        formed.push(BatchRange {
            first: first.value(),
            last: last.value(),
        });
    }
    let meta = txn.open_table(META)?;
    let formed_through = meta.get(META_UPSTREAM_FORMED)?.map_or(0, |v| v.value());
    Ok(UpstreamState {
        formed,
        formed_through,
        oldest_at: journal::oldest_unsent_at(txn)?,
        dead: read_dead(txn)?,
    })
}

impl Store {
    /// How far the journal goes and how many events wait for headquarters.
    pub fn journal(&self) -> &JournalWatch {
        &self.journal
    }

    /// Up to `limit` events after seq `after`, in order, with their data resolved.
    pub async fn events_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ResolvedEvent>, StoreError> {
        self.read(move |db| journal::read_events(&db.begin_read()?, after, limit))
            .await
    }

    /// The events of batch `range`, in order, with their data resolved.
    pub async fn batch_events(&self, range: BatchRange) -> Result<Vec<ResolvedEvent>, StoreError> {
        let limit = usize::try_from(range.len()).unwrap_or(usize::MAX);
        self.read(move |db| journal::read_range(&db.begin_read()?, range.first, range.last, limit))
            .await
    }

    /// Where the upstream outbox stands.
    pub async fn upstream_state(&self) -> Result<UpstreamState, StoreError> {
        self.read(|db| read_state(&db.begin_read()?)).await
    }

    /// Forms the next batch, durably: it never changes after this. `false` when `range` does
    /// not follow the last formed batch.
    pub async fn form_batch(&self, range: BatchRange) -> Result<bool, StoreError> {
        self.upstream_change(UpstreamChange::Form(range)).await
    }

    /// Settles the formed batch starting at `first`, durably. `false` when there is none.
    pub async fn settle_batch(
        &self,
        first: u64,
        outcome: BatchOutcome,
    ) -> Result<bool, StoreError> {
        self.upstream_change(UpstreamChange::Settle(first, outcome))
            .await
    }

    /// Forms dead-lettered batch `first` again, for another delivery. `false` when there is
    /// no such dead letter.
    pub async fn retry_dead_batch(&self, first: u64) -> Result<bool, StoreError> {
        self.upstream_change(UpstreamChange::Retry(first)).await
    }

    async fn upstream_change(&self, change: UpstreamChange) -> Result<bool, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send_command(Command::Upstream(UpstreamSubmission { change, reply }))
            .await?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}
