//! How much work each outbox holds and how old its oldest entry is, for `/metrics`: the Meta
//! outbox (operators' messages still to send) and the upstream outbox (events headquarters has
//! not acknowledged), with the upstream dead letters. One read transaction.

use redb::{ReadTransaction, ReadableDatabase as _, ReadableTableMetadata as _};

use super::outbox::{OutboxTopic, read_message};
use super::tables::{OUTBOX, UPSTREAM_DEAD};
use super::{Store, StoreError, journal};
use crate::time::UnixMs;

/// One outbox's backlog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxBacklog {
    /// Entries waiting.
    pub entries: u64,
    /// When the oldest of them was made (a message queued, an event appended).
    pub oldest_at: Option<UnixMs>,
}

/// Both outboxes' backlogs and the upstream dead letters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlogs {
    /// Operators' messages still to send to Meta.
    pub meta: OutboxBacklog,
    /// Events waiting for headquarters.
    pub upstream: OutboxBacklog,
    /// Batches headquarters refused, kept.
    pub dead_batches: u64,
}

fn read(txn: &ReadTransaction, upstream_entries: u64) -> Result<Backlogs, StoreError> {
    let outbox = txn.open_table(OUTBOX)?;
    let first = |topic: OutboxTopic| -> Result<Option<u64>, StoreError> {
        let topic = topic as u8;
        Ok(outbox
            .range((topic, 0)..=(topic, u64::MAX))?
            .next()
            .transpose()?
            .map(|(key, _)| key.value().1))
    };
    let meta_topic = OutboxTopic::Meta as u8;
    let mut meta_entries = 0;
    for row in outbox.range((meta_topic, 0)..=(meta_topic, u64::MAX))? {
        row?;
        meta_entries += 1;
    }
    let meta_oldest = match first(OutboxTopic::Meta)? {
        Some(id) => read_message(txn, id)?.map(|message| message.created_at),
        None => None,
    };
    let upstream_oldest = journal::oldest_unsent_at(txn)?;
    Ok(Backlogs {
        meta: OutboxBacklog {
            entries: meta_entries,
            oldest_at: meta_oldest,
        },
        upstream: OutboxBacklog {
            entries: upstream_entries,
            oldest_at: upstream_oldest,
        },
        dead_batches: txn.open_table(UPSTREAM_DEAD)?.len()?,
    })
}

impl Store {
    /// Both outboxes' backlogs and the upstream dead letters, now.
    pub async fn backlogs(&self) -> Result<Backlogs, StoreError> {
        let upstream_entries = self.journal.backlog();
        self.read(move |db| read(&db.begin_read()?, upstream_entries))
            .await
    }
}
