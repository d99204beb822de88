//! The writer's side of operators' messages: new messages and the sender's claims and
//! settlements of one turn are committed in one durable transaction, then each is answered.

use redb::WriteTransaction;

use super::{Counters, Writer, begin_durable, len_u64};
use crate::pricing::Entry;
use crate::store::StoreError;
use crate::store::books::Books;
use crate::store::journal::Recorder;
use crate::store::outbound_record::OutboundMessage;
use crate::store::outbox::OutboxTables;
use crate::store::request::{
    PurchaseRefusal, PurchaseSubmission, Queued, SendRefusal, SendRequest, SendSubmission,
    SenderSubmission, SenderUpdate,
};

/// The most a new message adds to the store besides its body, for the quota's check.
const MESSAGE_OVERHEAD_BYTES: u64 = 1024;

type SendAnswer = Result<Queued, SendRefusal>;
type UpdateAnswer = Result<Option<OutboundMessage>, StoreError>;
type PurchaseAnswer = Result<[Entry; 2], PurchaseRefusal>;
type Answers = (Vec<SendAnswer>, Vec<UpdateAnswer>, Vec<PurchaseAnswer>);

impl Writer {
    /// Applies a turn's new messages and sender updates in one transaction, then answers each.
    pub(super) fn commit_outbound(
        &mut self,
        sends: Vec<SendSubmission>,
        updates: Vec<SenderSubmission>,
        purchases: Vec<PurchaseSubmission>,
    ) {
        let mut counters = self.counters;
        counters.last_commit_ms = counters.last_commit_ms.max(self.clock.now_ms());
        let result = (|| -> Result<(Answers, Books, u64), StoreError> {
            let txn = begin_durable(self.db()?)?;
            let recorder = Recorder::default();
            let (answers, books) = {
                let mut tables = OutboxTables::open(&txn, self.books.clone(), &recorder)?;
                let answers = self.apply_outbound(
                    &txn,
                    &mut tables,
                    &mut counters,
                    &sends,
                    &updates,
                    &purchases,
                )?;
                (answers, tables.books)
            };
            let appended = Self::seal(&txn, &recorder, &mut counters)?;
            txn.commit()?;
            Ok((answers, books, appended))
        })();
        match result {
            Ok(((send_answers, update_answers, purchase_answers), books, appended)) => {
                self.published(&counters, appended);
                self.counters = counters;
                self.books = books;
                for (purchase, answer) in purchases.into_iter().zip(purchase_answers) {
                    let _ = purchase.reply.send(answer);
                }
                self.shared.usage.set_stored_bytes(counters.stored_bytes);
                for (send, answer) in sends.into_iter().zip(send_answers) {
                    let _ = send.reply.send(answer);
                }
                for (update, answer) in updates.into_iter().zip(update_answers) {
                    let _ = update.reply.send(answer);
                }
            }
            Err(error) => {
                self.notice(&error);
                let refusal = || match &self.recovery {
                    Some(recovery) => recovery.refusal(),
                    None => StoreError::GroupFailed(error.to_string()),
                };
                tracing::warn!(%error, "storing operators' messages failed; nothing of them was written");
                for send in sends {
                    let _ = send.reply.send(Err(refusal().into()));
                }
                for update in updates {
                    let _ = update.reply.send(Err(refusal()));
                }
                for purchase in purchases {
                    let _ = purchase.reply.send(Err(refusal().into()));
                }
            }
        }
    }

    /// The quota's refusal of a new message, when the store has no room for it.
    pub(super) fn quota_refusal(
        &self,
        counters: &Counters,
        request: &SendRequest,
    ) -> Option<StoreError> {
        self.quota_full(
            counters,
            len_u64(request.body.len()) + MESSAGE_OVERHEAD_BYTES,
        )
    }

    /// The quota's refusal of `needed` more bytes, when the store has no room for them.
    pub(super) fn quota_full(&self, counters: &Counters, needed: u64) -> Option<StoreError> {
        let used = self.shared.usage.other_files_bytes() + counters.stored_bytes;
        (used.saturating_add(needed) > self.settings.quota_bytes).then_some(
            StoreError::QuotaExceeded {
                used,
                needed,
                quota: self.settings.quota_bytes,
            },
        )
    }

    fn apply_outbound<'txn>(
        &self,
        txn: &'txn WriteTransaction,
        tables: &mut OutboxTables<'txn>,
        counters: &mut Counters,
        sends: &[SendSubmission],
        updates: &[SenderSubmission],
        purchases: &[PurchaseSubmission],
    ) -> Result<Answers, StoreError> {
        let now = counters.last_commit_ms;
        let lifecycle = &self.settings.lifecycle;
        let mut send_answers = Vec::with_capacity(sends.len());
        for send in sends {
            if let Some(full) = self.quota_refusal(counters, &send.request) {
                send_answers.push(Err(SendRefusal::Store(full)));
                continue;
            }
            let answer = tables.enqueue(
                txn,
                &send.request,
                send.dry_run,
                now,
                lifecycle,
                &mut counters.next_message_id,
            )?;
            send_answers.push(answer.map(|(message, created, added)| {
                counters.stored_bytes += added;
                Queued { message, created }
            }));
        }
        let mut update_answers = Vec::with_capacity(updates.len());
        for update in updates {
            let (message, added) = match &update.update {
                SenderUpdate::Claim(id) => tables.claim(*id, now)?,
                SenderUpdate::Hold(number, hold) => (None, tables.set_hold(number, *hold)?),
                SenderUpdate::Settle(id, settlement) => {
                    tables.settle(txn, *id, settlement, now, lifecycle)?
                }
            };
            counters.stored_bytes += added;
            update_answers.push(Ok(message));
        }
        let mut purchase_answers = Vec::with_capacity(purchases.len());
        for purchase in purchases {
            let answer = tables.purchase(purchase.credits, &purchase.reference, now)?;
            if answer.is_ok() {
                counters.stored_bytes += 2 * (len_u64(purchase.reference.len()) + 64);
            }
            purchase_answers.push(answer);
        }
        Ok((send_answers, update_answers, purchase_answers))
    }
}
