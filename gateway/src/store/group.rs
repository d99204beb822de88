//! The tables one group commit writes, and how a new event's effect (see [`EventEffect`])
//! lands in them: chats, service windows and the template registry change in the same
//! transaction as the event's append, so a crash keeps both or neither.

use redb::{Table, WriteTransaction};

use super::StoreError;
use super::books::Books;
use super::chats::ChatTables;
use super::journal::Recorder;
use super::outbox::OutboxTables;
use super::request::{EventEffect, StatusUpdate};
use super::tables::{DEAD_LETTERS, DEDUPE, DEDUPE_BY_AGE, INBOUND_LOG, POLICY};
use super::templates;
use super::windows::WindowTable;
use crate::chat::LifecycleSettings;
use crate::journal::{EventData, EventType, NewEvent};
use crate::policy::{TemplateRegistry, UpdateOutcome};
use crate::time::UnixMs;

/// Fixed bytes a stored u64 key or value costs in the accounting.
pub(super) const U64_BYTES: u64 = 8;
/// What a new chat costs in the accounting (its record and index entries), an upper bound.
const NEW_CHAT_BYTES: u64 = 384;
/// What one message's entry in its chat's message index costs in the accounting.
const CHAT_MESSAGE_BYTES: u64 = 2 * U64_BYTES;
/// What a new (number, customer) service window costs in the accounting, an upper bound.
const NEW_WINDOW_BYTES: u64 = 160;

/// What a status can add to the gateway's own message: its wamid index entry and the growth of
/// its record, an upper bound (a failure's texts are counted apart).
const STATUS_INDEX_BYTES: u64 = 2 * 256;

/// The bytes a failed status's texts can add to a message record.
fn status_failure_bytes(update: &StatusUpdate) -> u64 {
    update.failure.as_ref().map_or(0, |failure| {
        let texts = failure.title.len()
            + failure.remedy.len()
            + failure.details.as_ref().map_or(0, String::len);
        u64::try_from(texts).unwrap_or(u64::MAX).saturating_add(32)
    })
}

/// The tables one group writes, opened once per transaction.
pub(super) struct GroupTables<'txn> {
    pub(super) dedupe: Table<'txn, &'static [u8], u64>,
    pub(super) by_age: Table<'txn, (u64, &'static [u8]), ()>,
    pub(super) log: Table<'txn, u64, &'static [u8]>,
    pub(super) dead: Table<'txn, u64, &'static [u8]>,
    chats: ChatTables<'txn>,
    windows: WindowTable<'txn>,
    policy: Table<'txn, &'static str, &'static [u8]>,
    txn: &'txn WriteTransaction,
    /// The ledger as the group found it; cloned into `outbox` only when a status needs it.
    books: &'txn Books,
    /// Opened at the group's first status of a business message: most groups have none, and
    /// they neither open these tables nor copy the ledger.
    outbox: Option<OutboxTables<'txn>>,
    journal: Recorder,
}

impl<'txn> GroupTables<'txn> {
    pub(super) fn open(
        txn: &'txn WriteTransaction,
        books: &'txn Books,
        journal: &Recorder,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            dedupe: txn.open_table(DEDUPE)?,
            by_age: txn.open_table(DEDUPE_BY_AGE)?,
            log: txn.open_table(INBOUND_LOG)?,
            dead: txn.open_table(DEAD_LETTERS)?,
            chats: ChatTables::open(txn, journal)?,
            windows: WindowTable::open(txn)?,
            policy: txn.open_table(POLICY)?,
            txn,
            books,
            outbox: None,
            journal: journal.clone(),
        })
    }

    /// The outgoing messages' tables, opened on first use.
    fn outbox(&mut self) -> Result<&mut OutboxTables<'txn>, StoreError> {
        if self.outbox.is_none() {
            self.outbox = Some(OutboxTables::open(
                self.txn,
                self.books.clone(),
                &self.journal,
            )?);
        }
        // Set just above.
        self.outbox.as_mut().ok_or(StoreError::WriterGone)
    }

    /// The ledger as this group leaves it, when one of its statuses changed it.
    pub(super) fn into_books(self) -> Option<Books> {
        self.outbox.map(|outbox| outbox.books)
    }

    /// Applies the effect of the new event appended as `seq`, at the commit's time `now`.
    /// Returns how many of [`effect_cost_bound`]'s bytes it did not use (a chat or window
    /// rewritten in place costs nothing new).
    pub(super) fn apply_effect(
        &mut self,
        effect: &EventEffect,
        seq: u64,
        now: UnixMs,
        lifecycle: &LifecycleSettings,
        next_chat_id: &mut u64,
    ) -> Result<u64, StoreError> {
        let mut unused = 0;
        match effect {
            EventEffect::CustomerMessage(input) => {
                let created = self.windows.on_customer_message(
                    &input.number,
                    &input.customer,
                    input.sent_at.unwrap_or(now),
                    input.entry_point,
                )?;
                if !created {
                    unused += NEW_WINDOW_BYTES;
                }
                if !self
                    .chats
                    .route(input.clone(), seq, now, lifecycle, next_chat_id)?
                {
                    unused += NEW_CHAT_BYTES;
                }
            }
            EventEffect::MessageStatus { update, sent } => {
                let added = self.outbox()?.apply_status(update, now)?;
                unused += (STATUS_INDEX_BYTES + status_failure_bytes(update)).saturating_sub(added);
                match sent {
                    Some(sent) => {
                        let created = self.windows.on_business_message(
                            &sent.number,
                            &sent.customer,
                            sent.sent_at,
                        )?;
                        if !created {
                            unused += NEW_WINDOW_BYTES;
                        }
                        self.chats.business_message(
                            &sent.number,
                            &sent.customer,
                            now,
                            lifecycle,
                        )?;
                    }
                    None => unused += NEW_WINDOW_BYTES,
                }
            }
            EventEffect::NumberNews { data } => {
                self.journal.record(NewEvent {
                    event_type: EventType::NumberStateChanged,
                    chat: None,
                    data: EventData::Json(data.clone()),
                });
            }
            EventEffect::TemplateStatus { update, at } => {
                if self.update_templates(|registry| registry.apply_status_update(update, *at))? {
                    self.template_changed(serde_json::json!({ "status_update": update, "at": at }));
                }
            }
            EventEffect::TemplateCategory { update, at } => {
                if self.update_templates(|registry| registry.apply_category_update(update, *at))? {
                    self.template_changed(
                        serde_json::json!({ "category_update": update, "at": at }),
                    );
                }
            }
        }
        Ok(unused)
    }

    /// Reports a template update that applied.
    fn template_changed(&self, data: serde_json::Value) {
        self.journal.record(NewEvent::json(
            EventType::TemplateStatusChanged,
            None,
            &data,
        ));
    }

    /// Loads the stored registry, applies `change`, and stores it back when it applied;
    /// returns whether it did. An update about a template the configuration does not register
    /// is logged, not kept: the event itself is in the inbound log either way.
    fn update_templates(
        &mut self,
        change: impl FnOnce(&mut TemplateRegistry) -> Result<UpdateOutcome, crate::policy::UpdateError>,
    ) -> Result<bool, StoreError> {
        let mut registry = templates::load(&self.policy)?;
        match change(&mut registry) {
            Ok(UpdateOutcome::Applied) => {
                templates::save(&mut self.policy, &registry)?;
                return Ok(true);
            }
            Ok(UpdateOutcome::Stale { applied_at }) => {
                tracing::info!(
                    applied_at,
                    "a template update older than the one applied was ignored"
                );
            }
            Err(error) => {
                tracing::info!(%error, "a template update was not applied");
            }
        }
        Ok(false)
    }
}

/// The most bytes an event's effect can add to the store, for the quota's check before
/// anything is written.
pub(super) fn effect_cost_bound(effect: Option<&EventEffect>) -> u64 {
    match effect {
        Some(EventEffect::CustomerMessage(_)) => {
            NEW_CHAT_BYTES + CHAT_MESSAGE_BYTES + NEW_WINDOW_BYTES
        }
        Some(EventEffect::MessageStatus { update, .. }) => {
            NEW_WINDOW_BYTES + STATUS_INDEX_BYTES + status_failure_bytes(update)
        }
        // The journal counts the bytes of its events itself.
        Some(
            EventEffect::TemplateStatus { .. }
            | EventEffect::TemplateCategory { .. }
            | EventEffect::NumberNews { .. },
        )
        | None => 0,
    }
}
