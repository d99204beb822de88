//! The money inside the store: the append-only credit ledger ([`LEDGER`]), the reservations of
//! queued paid messages (rebuilt from the outbox: they are not entries), and the free tier's
//! count of delivered service messages ([`SERVICE_DELIVERED`]). The writer holds the ledger's
//! state ([`Books`]) and changes it only with the transaction that persists the change.

use std::sync::Arc;

use redb::{ReadTransaction, ReadableTable, Table};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::outbound_record::OutboundMessage;
use super::tables::{LEDGER, OUT_MESSAGES};
use crate::outbound::MessageState;
use crate::pricing::{BillingMonth, CreditSettings, Entry, Ledger, PricingRules};
use crate::time::UnixMs;

/// The ledger's state with the rules it is kept by.
#[derive(Debug, Clone)]
pub(super) struct Books {
    /// Totals and open reservations.
    pub(super) ledger: Ledger,
    /// What Meta charges.
    pub(super) rules: Arc<PricingRules>,
    /// How credits are sold.
    pub(super) credits: CreditSettings,
}

/// The wire form of a ledger entry; the variant is the version.
#[derive(Serialize, Deserialize)]
enum EntryWire {
    V1(Entry),
}

/// Encodes an entry for the store.
pub(super) fn encode_entry(entry: &Entry) -> Vec<u8> {
    postcard::to_allocvec(&EntryWire::V1(entry.clone())).unwrap_or_default()
}

fn decode_entry(seq: u64, bytes: &[u8]) -> Result<Entry, StoreError> {
    match postcard::from_bytes(bytes) {
        Ok(EntryWire::V1(entry)) => Ok(entry),
        Err(error) => Err(StoreError::Record {
            table: "ledger",
            key: seq,
            reason: error.to_string(),
        }),
    }
}

/// Every ledger entry, in order.
pub(super) fn entries(
    table: &impl ReadableTable<u64, &'static [u8]>,
) -> Result<Vec<Entry>, StoreError> {
    let mut entries = Vec::new();
    for row in table.iter()? {
        let (seq, bytes) = row?;
        entries.push(decode_entry(seq.value(), bytes.value())?);
    }
    Ok(entries)
}

/// What a queued message holds of the credits: its estimate, until it is charged or fails.
fn holds(message: &OutboundMessage) -> bool {
    message.cost_micro_usd.is_none()
        && message.estimate_micro_usd > 0
        && matches!(
            message.state,
            MessageState::Queued | MessageState::Sending | MessageState::Sent
        )
}

/// The ledger as the store keeps it: its entries replayed, and a reservation for every paid
/// message not yet charged (queued, being sent, or sent and not yet delivered).
pub(super) fn ledger(
    entries: &impl ReadableTable<u64, &'static [u8]>,
    messages: &impl ReadableTable<u64, &'static [u8]>,
) -> Result<Ledger, StoreError> {
    let replayed = self::entries(entries)?;
    let mut ledger = Ledger::from_entries(&replayed).map_err(|error| StoreError::Record {
        table: "ledger",
        key: 0,
        reason: error.to_string(),
    })?;
    for row in messages.iter()? {
        let (id, bytes) = row?;
        let message =
            OutboundMessage::from_bytes(bytes.value()).map_err(|error| StoreError::Record {
                table: "out_messages",
                key: id.value(),
                reason: error.to_string(),
            })?;
        if holds(&message) {
            // The ledger refuses a reservation it cannot cover; one made when the balance
            // allowed it is kept all the same (a charge may have overdrawn the balance since).
            if ledger
                .reserve(message.id, message.estimate_micro_usd)
                .is_err()
            {
                tracing::warn!(
                    message = message.id,
                    "a queued paid message's reservation is no longer covered by the balance"
                );
            }
        }
    }
    Ok(ledger)
}

/// The ledger and its entries, read.
pub(super) fn read_ledger(txn: &ReadTransaction) -> Result<(Ledger, Vec<Entry>), StoreError> {
    let table = txn.open_table(LEDGER)?;
    let ledger = ledger(&table, &txn.open_table(OUT_MESSAGES)?)?;
    Ok((ledger, entries(&table)?))
}

/// The key of a number's billing month in [`SERVICE_DELIVERED`].
pub(super) fn month_key(at: UnixMs, offset_minutes: i16) -> u32 {
    let month = BillingMonth::month_of(at, offset_minutes);
    month.year() * 100 + u32::from(month.month())
}

/// The tables the books write, opened with the outgoing messages' tables.
pub(super) struct BookTables<'txn> {
    pub(super) entries: Table<'txn, u64, &'static [u8]>,
    pub(super) service: Table<'txn, (&'static str, u32), u64>,
}

impl BookTables<'_> {
    /// Service messages delivered from `number` in the billing month of `at`.
    pub(super) fn service_delivered(
        &self,
        number: &str,
        at: UnixMs,
        offset_minutes: i16,
    ) -> Result<u64, StoreError> {
        let key = (number, month_key(at, offset_minutes));
        Ok(self.service.get(key)?.map_or(0, |count| count.value()))
    }

    /// Counts one more service message delivered from `number` at `at`.
    pub(super) fn count_service(
        &mut self,
        number: &str,
        at: UnixMs,
        offset_minutes: i16,
    ) -> Result<(), StoreError> {
        let key = (number, month_key(at, offset_minutes));
        let count = self.service.get(key)?.map_or(0, |count| count.value());
        self.service.insert(key, count.saturating_add(1))?;
        Ok(())
    }

    /// Persists `entry`.
    pub(super) fn append(&mut self, entry: &Entry) -> Result<(), StoreError> {
        self.entries
            .insert(entry.seq, encode_entry(entry).as_slice())?;
        Ok(())
    }
}
