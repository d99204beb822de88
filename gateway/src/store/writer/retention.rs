//! Retention: the oldest journal events, and the customers' messages they show, leave the store
//! once they are older than `store.retention_days` and headquarters acknowledged them (or, with
//! no headquarters, once they are older). Each pass is one bounded transaction, so the store
//! levels off under steady traffic instead of growing to its quota.
//!
//! Never pruned: an event still in the upstream outbox (while a headquarters is configured), an
//! event of a dead-lettered batch or the record it shows (a retry sends them again), and an
//! inbound record the media downloader has not looked at yet.

use std::collections::HashSet;

use redb::{ReadableTable, WriteTransaction};

use super::{Writer, begin_durable, len_u64};
use crate::journal::{EventData, JournalEvent};
use crate::store::StoreError;
use crate::store::group::U64_BYTES;
use crate::store::journal::{EVENT_OVERHEAD_BYTES, decode_event};
use crate::store::outbox::OutboxTopic;
use crate::store::tables::{
    CHAT_MESSAGES, INBOUND_LOG, JOURNAL, META, META_MEDIA_SCAN_SEQ, OUTBOX, UPSTREAM_DEAD,
};
use crate::store::upstream::read_dead_ranges;
use crate::time::UnixMs;

/// How many journal events one pass looks at, at most.
const PRUNE_BATCH: usize = 5_000;
/// How often (wall-clock ms) the writer prunes when nothing asks it to sooner.
const PRUNE_INTERVAL_MS: u64 = 60_000;
/// What one message's entry in its chat's index costs in the accounting.
const CHAT_MESSAGE_BYTES: u64 = 2 * U64_BYTES;

/// What the store keeps, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Events and customers' messages older than this may go.
    pub after_ms: u64,
    /// Whether an event must also have been acknowledged by headquarters (a headquarters is
    /// configured).
    pub wait_for_upstream: bool,
}

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Pruned {
    events: u64,
    records: u64,
    bytes: u64,
    /// Events that left the upstream outbox (no headquarters: nobody will send them).
    unsent: u64,
    /// Whether the pass stopped at its limit (more may be due).
    full: bool,
}

impl Writer {
    /// Prunes when a pass is due: an interval passed, a batch was acknowledged, or the last
    /// pass stopped at its limit. Does nothing while the clock reads earlier than the last
    /// commit.
    pub(super) fn prune(&mut self) {
        let Some(retention) = self.settings.retention else {
            return;
        };
        if self.recovery.is_some() {
            return;
        }
        let now = self.clock.now_ms();
        let interval_due = now >= self.last_prune_ms.saturating_add(PRUNE_INTERVAL_MS);
        if !(interval_due || self.prune_due) || now < self.counters.last_commit_ms {
            return;
        }
        self.last_prune_ms = now;
        match self.prune_once(retention, now) {
            Ok(pruned) => {
                self.prune_due = pruned.full;
                if pruned.events + pruned.records > 0 {
                    tracing::debug!(
                        events = pruned.events,
                        records = pruned.records,
                        "pruned what the retention lets go"
                    );
                }
            }
            Err(error) => {
                self.prune_due = false;
                tracing::warn!(%error, "the retention pass failed; will retry");
                self.notice(&error);
            }
        }
    }

    fn prune_once(&mut self, retention: Retention, now: UnixMs) -> Result<Pruned, StoreError> {
        let horizon = now.saturating_sub(retention.after_ms);
        let txn = begin_durable(self.db()?)?;
        let pruned = prune_tables(&txn, retention, horizon)?;
        if pruned.events + pruned.records == 0 {
            txn.abort()?;
            return Ok(pruned);
        }
        let mut counters = self.counters;
        counters.stored_bytes = counters.stored_bytes.saturating_sub(pruned.bytes);
        counters.save(&mut txn.open_table(META)?)?;
        txn.commit()?;
        self.counters = counters;
        self.shared.usage.set_stored_bytes(counters.stored_bytes);
        self.shared.journal.settled(pruned.unsent);
        Ok(pruned)
    }
}

/// One pass over the journal's oldest events.
fn prune_tables(
    txn: &WriteTransaction,
    retention: Retention,
    horizon: UnixMs,
) -> Result<Pruned, StoreError> {
    let dead = read_dead_ranges(&txn.open_table(UPSTREAM_DEAD)?)?;
    let mut journal = txn.open_table(JOURNAL)?;
    let mut outbox = txn.open_table(OUTBOX)?;
    let mut log = txn.open_table(INBOUND_LOG)?;
    let mut chat_messages = txn.open_table(CHAT_MESSAGES)?;
    let media_scanned = txn
        .open_table(META)?
        .get(META_MEDIA_SCAN_SEQ)?
        .map_or(0, |seq| seq.value());
    let is_dead = |seq: u64| {
        dead.iter()
            .any(|&(first, last)| (first..=last).contains(&seq))
    };
    // The records dead-lettered events show: a retry must find them.
    let mut kept_records = HashSet::new();
    for &(first, last) in &dead {
        for row in journal.range(first..=last)? {
            let (seq, bytes) = row?;
            if let Ok(event) = JournalEvent::from_bytes(seq.value(), bytes.value())
                && let EventData::Logged { log_seq } = event.data
            {
                kept_records.insert(log_seq);
            }
        }
    }
    let mut pruned = Pruned::default();
    let mut candidates = Vec::new();
    for row in journal.iter()? {
        if candidates.len() >= PRUNE_BATCH {
            pruned.full = true;
            break;
        }
        let (seq, bytes) = row?;
        let seq = seq.value();
        let event = decode_event(seq, bytes.value())?;
        if event.at >= horizon {
            break;
        }
        if is_dead(seq) {
            continue;
        }
        let unsent = outbox.get((OutboxTopic::Upstream as u8, seq))?.is_some();
        if unsent && retention.wait_for_upstream {
            break;
        }
        if let EventData::Logged { log_seq } = event.data
            && log_seq > media_scanned
        {
            break;
        }
        candidates.push((event, len_u64(bytes.value().len()), unsent));
    }
    for (event, stored_len, unsent) in candidates {
        journal.remove(event.seq)?;
        pruned.events += 1;
        pruned.bytes += EVENT_OVERHEAD_BYTES + stored_len;
        if unsent {
            outbox.remove((OutboxTopic::Upstream as u8, event.seq))?;
            pruned.unsent += 1;
        }
        let EventData::Logged { log_seq } = event.data else {
            continue;
        };
        if let Some(chat) = event.chat
            && chat_messages.remove((chat, log_seq))?.is_some()
        {
            pruned.bytes += CHAT_MESSAGE_BYTES;
        }
        // The record, and the older records no event shows (statuses, account changes).
        let older: Vec<(u64, u64)> = log
            .range(..=log_seq)?
            .map(|row| row.map(|(seq, bytes)| (seq.value(), len_u64(bytes.value().len()))))
            .collect::<Result<_, _>>()?;
        for (seq, len) in older {
            if kept_records.contains(&seq) {
                continue;
            }
            log.remove(seq)?;
            pruned.records += 1;
            pruned.bytes += U64_BYTES + len;
        }
    }
    Ok(pruned)
}
