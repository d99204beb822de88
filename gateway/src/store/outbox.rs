//! Operators' messages inside the store: queued in the same transaction as the checks that
//! allow them, claimed before each request to Meta, settled with Meta's answer, and moved
//! forward by status webhooks. Every change is one write transaction, so a message's state, its
//! outbox entry and its indexes cannot disagree.
//!
//! The outbox is one table of `(topic, key)` entries: an entry is work a consumer has not
//! finished. The sender to Meta consumes [`OutboxTopic::Meta`]; its key is the message id.

use std::sync::Arc;

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};

use super::StoreError;
use super::books::{BookTables, Books};
use super::chat_access::ChatActionError;
use super::chats::ChatTables;
use super::journal::Recorder;
use super::media::unsendable_attachment;
use super::outbound_record::{OutboundMessage, SendFailure, SettledPricing, UNCERTAIN_REMEDY};
use super::page::{Listed, Page};
use super::request::{
    PurchaseRefusal, SendCheck, SendRefusal, SendRequest, Settlement, StatusUpdate,
};
use super::tables::{
    CHAT_OUTBOUND, IDEMPOTENCY, LEDGER, NUMBER_HOLDS, OUT_MESSAGES, OUT_WAMIDS, OUTBOX, POLICY,
    SERVICE_DELIVERED,
};
use super::templates;
use super::windows::WindowTable;
use super::writer::len_u64;
use crate::chat::{Chat, CustomerId, LifecycleSettings, check_operator_may_write};
use crate::journal::{EventType, NewEvent, message_event};
use crate::outbound::{Hold, MessageState};
use crate::policy::{OutgoingKind, OutgoingMessage, SendVerdict, check_send};
use crate::pricing::{
    Entry, Estimate, EstimateRequest, Market, PricingCategory, SettledCategory, Windows,
    estimate as estimate_cost, market_of, pricing_wire_name,
};
use crate::time::UnixMs;

/// Who consumes an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OutboxTopic {
    /// The sender to Meta: the key is an outgoing message's id.
    Meta = 1,
    /// The sync to headquarters: the key is a journal event's seq.
    Upstream = 2,
}

/// What a new message costs in the accounting besides its record: its outbox, chat and
/// idempotency entries, an upper bound.
const MESSAGE_INDEX_BYTES: u64 = 3 * 24 + 256;

/// The outgoing-message tables, opened once per write transaction, with the books they keep.
pub(super) struct OutboxTables<'txn> {
    /// The ledger as this transaction leaves it: the writer keeps it once the commit succeeded.
    pub(super) books: Books,
    book_tables: BookTables<'txn>,
    messages: Table<'txn, u64, &'static [u8]>,
    holds: Table<'txn, &'static str, &'static [u8]>,
    outbox: Table<'txn, (u8, u64), ()>,
    idempotency: Table<'txn, &'static str, u64>,
    wamids: Table<'txn, &'static str, u64>,
    by_chat: Table<'txn, (u64, u64), ()>,
    /// Where the messages' changes are reported (see [`message_event`]).
    journal: Recorder,
}

/// A message's key in the idempotency index.
fn idempotency_key(operator: &str, key: &str) -> String {
    format!("{operator}\0{key}")
}

impl<'txn> OutboxTables<'txn> {
    pub(super) fn open(
        txn: &'txn WriteTransaction,
        books: Books,
        journal: &Recorder,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            books,
            book_tables: BookTables {
                entries: txn.open_table(LEDGER)?,
                service: txn.open_table(SERVICE_DELIVERED)?,
            },
            messages: txn.open_table(OUT_MESSAGES)?,
            holds: txn.open_table(NUMBER_HOLDS)?,
            outbox: txn.open_table(OUTBOX)?,
            idempotency: txn.open_table(IDEMPOTENCY)?,
            wamids: txn.open_table(OUT_WAMIDS)?,
            by_chat: txn.open_table(CHAT_OUTBOUND)?,
            journal: journal.clone(),
        })
    }

    fn load(&self, id: u64) -> Result<Option<OutboundMessage>, StoreError> {
        match self.messages.get(id)? {
            Some(bytes) => decode(id, bytes.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Writes `message` and reports a change of its state to the journal; returns how many
    /// bytes it grew by (for the quota's measure).
    fn save(&mut self, message: &OutboundMessage) -> Result<u64, StoreError> {
        let bytes = message.to_bytes();
        let (before, state_before) = match self.messages.insert(message.id, bytes.as_slice())? {
            Some(old) => {
                let old = old.value();
                let state = OutboundMessage::from_bytes(old).ok().map(|old| old.state);
                (len_u64(old.len()), Some(state.unwrap_or(message.state)))
            }
            None => (0, None),
        };
        if let Some(event) = message_event(state_before, message) {
            self.journal.record(event);
        }
        Ok(len_u64(bytes.len()).saturating_sub(before))
    }

    /// Queues an operator's message after checking, in this transaction, everything that may
    /// refuse it: the chat (it exists, is open, and the operator serves it), the service
    /// window, the template and the US pause. The same `Idempotency-Key` from the same
    /// operator gets the message it created, and nothing new. Returns the message, whether it
    /// is new, and the bytes it added. A `dry_run` stops after the checks and the estimate:
    /// nothing is written, and the message answered (id 0) is not queued.
    pub(super) fn enqueue(
        &mut self,
        txn: &'txn WriteTransaction,
        request: &SendRequest,
        dry_run: bool,
        now: UnixMs,
        lifecycle: &LifecycleSettings,
        next_id: &mut u64,
    ) -> Result<Result<(OutboundMessage, bool, u64), SendRefusal>, StoreError> {
        if let Some(key) = &request.idempotency_key {
            let index = idempotency_key(&request.operator, key);
            if let Some(id) = self.idempotency.get(index.as_str())?.map(|id| id.value()) {
                let Some(message) = self.load(id)? else {
                    return Ok(Err(SendRefusal::NoMessage(id)));
                };
                if message.chat != request.chat || message.body != request.body {
                    return Ok(Err(SendRefusal::IdempotencyKeyReused { id }));
                }
                return Ok(Ok((message, false, 0)));
            }
        }
        if let Some(old) = request.retry_of {
            match self.retryable(old, now)? {
                Ok(Some(done)) => return Ok(Ok((done, false, 0))),
                Ok(None) => {}
                Err(refusal) => return Ok(Err(refusal)),
            }
        }
        // Every check reads; nothing is written until all of them pass.
        let mut chats = ChatTables::open(txn, &self.journal)?;
        let Some(chat) = chats.get(request.chat)? else {
            return Ok(Err(SendRefusal::NoChat));
        };
        if let Err(refusal) = check_operator_may_write(&chat, &request.operator, now) {
            return Ok(Err(SendRefusal::Chat(refusal)));
        }
        if let Some(reason) = unsendable_attachment(txn, &request.kind, &request.body)? {
            return Ok(Err(SendRefusal::Rules(vec![reason])));
        }
        let window = WindowTable::open(txn)?.state(&chat.number, &chat.customer)?;
        let registry = templates::load(&txn.open_table(POLICY)?)?;
        let outgoing = match &request.check {
            SendCheck::FreeForm => OutgoingMessage::FreeForm,
            SendCheck::Template {
                name,
                language,
                parameters,
            } => OutgoingMessage::Template {
                name,
                language,
                parameters: *parameters,
            },
        };
        let verdict = match check_send(&window, &registry, chat.customer.as_str(), now, outgoing) {
            Ok(verdict) => verdict,
            Err(refusals) => {
                return Ok(Err(SendRefusal::Rules(
                    refusals.iter().map(ToString::to_string).collect(),
                )));
            }
        };
        let estimate = match self.estimate(&chat, &verdict, now)? {
            Ok(estimate) => estimate,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if dry_run {
            return Ok(Ok((
                new_message(0, request, &chat, &estimate, now),
                false,
                0,
            )));
        }
        match chats.operator_message(request.chat, &request.operator, now, lifecycle) {
            Ok(Ok(_)) => {}
            Ok(Err(refusal)) | Err(ChatActionError::Refused(refusal)) => {
                return Ok(Err(SendRefusal::Chat(refusal)));
            }
            Err(ChatActionError::NotFound) => return Ok(Err(SendRefusal::NoChat)),
            Err(ChatActionError::Store(error)) => return Err(error),
        }
        let id = *next_id;
        *next_id = next_id.saturating_add(1);
        // Covered, checked just above in this transaction.
        if let Err(error) = self.books.ledger.reserve(id, estimate.micro_usd) {
            tracing::warn!(message = id, %error, "a reservation was refused after its check");
        }
        let message = new_message(id, request, &chat, &estimate, now);
        let mut added = self.save(&message)? + MESSAGE_INDEX_BYTES;
        self.outbox.insert((OutboxTopic::Meta as u8, id), ())?;
        self.by_chat.insert((request.chat, id), ())?;
        if let Some(key) = &request.idempotency_key {
            self.idempotency
                .insert(idempotency_key(&request.operator, key).as_str(), id)?;
        }
        if let Some(old) = request.retry_of
            && let Some(mut retried) = self.load(old)?
        {
            retried.retried_by = Some(id);
            retried.updated_at = now;
            added += self.save(&retried)?;
        }
        Ok(Ok((message, true, added)))
    }

    /// The message's estimated cost under the rules in force at `now`, and whether the credits
    /// cover it.
    fn estimate(
        &self,
        chat: &Chat,
        verdict: &SendVerdict,
        now: UnixMs,
    ) -> Result<Result<Estimate, SendRefusal>, StoreError> {
        let rules = &self.books.rules;
        let (phone, bsuid) = match &chat.customer {
            CustomerId::WaId(phone) => (Some(phone.as_str()), None),
            CustomerId::Bsuid(bsuid) => (None, Some(bsuid.as_str())),
        };
        let kind = match verdict.category {
            Some(category) => OutgoingKind::Template { category },
            None => OutgoingKind::FreeForm,
        };
        let request = EstimateRequest {
            windows: Windows::of(&verdict.window),
            kind,
            at: now,
            market: market_of(phone, bsuid),
            service_delivered_this_month: self.book_tables.service_delivered(
                chat.number.as_str(),
                now,
                rules.billing_utc_offset_minutes,
            )?,
            service_free_tier_per_month: rules.service_free_tier_per_month,
            rates: &rules.rates,
        };
        let estimate = match estimate_cost(&request) {
            Ok(estimate) => estimate,
            Err(refusal) => return Ok(Err(SendRefusal::Unpriced(refusal))),
        };
        Ok(match self.books.ledger.can_cover(estimate.micro_usd) {
            Ok(()) => Ok(estimate),
            Err(insufficient) => Err(SendRefusal::Credits(insufficient)),
        })
    }

    /// Whether message `old` may be retried now: `Ok(Some(retry))` when it was retried
    /// already (that retry is the answer), `Ok(None)` when a retry may be queued.
    fn retryable(
        &self,
        old: u64,
        now: UnixMs,
    ) -> Result<Result<Option<OutboundMessage>, SendRefusal>, StoreError> {
        let Some(message) = self.load(old)? else {
            return Ok(Err(SendRefusal::NoMessage(old)));
        };
        if let Some(retry) = message.retried_by {
            return Ok(match self.load(retry)? {
                Some(retry) => Ok(Some(retry)),
                None => Err(SendRefusal::NoMessage(retry)),
            });
        }
        if !matches!(
            message.state,
            MessageState::Failed | MessageState::Uncertain
        ) {
            return Ok(Err(SendRefusal::NotRetryable {
                id: old,
                state: message.state,
            }));
        }
        let earliest = message.error.as_ref().and_then(|failure| {
            failure
                .code
                .and_then(|code| crate::outbound::earliest_manual_retry(code, failure.at))
        });
        if let Some(until) = earliest.filter(|&until| now < until) {
            return Ok(Err(SendRefusal::RetryTooSoon { id: old, until }));
        }
        Ok(Ok(None))
    }

    /// Marks a queued message as being sent (before the request to Meta leaves): after a
    /// crash, a message found in this state may or may not have reached Meta. Returns it, or
    /// `None` when it is not queued (settled meanwhile).
    pub(super) fn claim(
        &mut self,
        id: u64,
        now: UnixMs,
    ) -> Result<(Option<OutboundMessage>, u64), StoreError> {
        let Some(mut message) = self.load(id)? else {
            return Ok((None, 0));
        };
        if message.state != MessageState::Queued
            || self.outbox.get((OutboxTopic::Meta as u8, id))?.is_none()
        {
            return Ok((None, 0));
        }
        message.state = MessageState::Sending;
        message.attempts = message.attempts.saturating_add(1);
        message.updated_at = now;
        let added = self.save(&message)?;
        Ok((Some(message), added))
    }

    /// Records what came of a request to Meta. Accepted: the wamid is recorded in this
    /// transaction, with the state, and the chat counts the message (its idle timer restarts).
    pub(super) fn settle(
        &mut self,
        txn: &'txn WriteTransaction,
        id: u64,
        settlement: &Settlement,
        now: UnixMs,
        lifecycle: &LifecycleSettings,
    ) -> Result<(Option<OutboundMessage>, u64), StoreError> {
        let Some(mut message) = self.load(id)? else {
            return Ok((None, 0));
        };
        let mut added = 0;
        message.updated_at = now;
        match settlement {
            Settlement::Accepted { wamid } => {
                // A status webhook may have moved it further already (matched by its
                // callback data before this answer was recorded).
                if matches!(
                    message.state,
                    MessageState::Sending | MessageState::Queued | MessageState::Uncertain
                ) {
                    message.state = MessageState::Sent;
                }
                message.wamid = Some(wamid.clone());
                message.not_before = None;
                self.outbox.remove((OutboxTopic::Meta as u8, id))?;
                self.wamids.insert(wamid.as_str(), id)?;
                added += len_u64(wamid.len()) + 8;
                ChatTables::open(txn, &self.journal)?.business_message(
                    &message.number,
                    &message.customer,
                    now,
                    lifecycle,
                )?;
            }
            Settlement::Retry {
                failure,
                not_before,
            } => {
                message.state = MessageState::Queued;
                message.not_before = Some(*not_before);
                message.error = Some(failure.clone());
            }
            Settlement::Requeue { failure } => {
                message.state = MessageState::Queued;
                message.error = Some(failure.clone());
            }
            Settlement::Uncertain { failure } => {
                self.books.ledger.release(id);
                message.state = MessageState::Uncertain;
                message.error = Some(failure.clone());
                self.outbox.remove((OutboxTopic::Meta as u8, id))?;
            }
            Settlement::Failed { failure } => {
                self.books.ledger.release(id);
                message.state = MessageState::Failed;
                message.error = Some(failure.clone());
                self.outbox.remove((OutboxTopic::Meta as u8, id))?;
            }
        }
        added += self.save(&message)?;
        Ok((Some(message), added))
    }

    /// Messages a stopped gateway left `sending`: Meta may or may not have accepted them. They
    /// become `uncertain`, leave the outbox, and are never sent again without an operator.
    pub(super) fn mark_in_flight_uncertain(&mut self, now: UnixMs) -> Result<u64, StoreError> {
        let pending: Vec<u64> = self
            .outbox
            .range((OutboxTopic::Meta as u8, 0)..=(OutboxTopic::Meta as u8, u64::MAX))?
            .map(|row| row.map(|(key, _)| key.value().1))
            .collect::<Result<_, _>>()?;
        let mut marked = 0;
        for id in pending {
            let Some(mut message) = self.load(id)? else {
                self.outbox.remove((OutboxTopic::Meta as u8, id))?;
                continue;
            };
            if message.state != MessageState::Sending {
                continue;
            }
            message.state = MessageState::Uncertain;
            self.books.ledger.release(id);
            message.updated_at = now;
            message.error = Some(SendFailure {
                code: None,
                title: "the gateway stopped while Meta was being asked to send it".into(),
                details: None,
                remedy: UNCERTAIN_REMEDY.into(),
                at: now,
            });
            self.outbox.remove((OutboxTopic::Meta as u8, id))?;
            self.save(&message)?;
            marked += 1;
        }
        Ok(marked)
    }

    /// Moves a message forward on a status webhook: found by its wamid, or by the callback
    /// data the sender attached (its local id) when the status came before Meta's answer was
    /// recorded. Sent < delivered < read, never backwards; failed is terminal.
    pub(super) fn apply_status(
        &mut self,
        update: &StatusUpdate,
        now: UnixMs,
    ) -> Result<u64, StoreError> {
        let by_wamid = self.wamids.get(update.wamid.as_str())?.map(|id| id.value());
        let Some(id) = by_wamid.or(update.local_id) else {
            return Ok(0);
        };
        let Some(mut message) = self.load(id)? else {
            return Ok(0);
        };
        if message
            .wamid
            .as_deref()
            .is_some_and(|wamid| wamid != update.wamid)
        {
            return Ok(0);
        }
        let Some(next) = message.state.on_status(update.status) else {
            // A status that moves nothing may still carry the price (it comes with `sent` and
            // with one of `delivered` or `read`).
            if let Some(pricing) = &update.pricing
                && message.settled.as_ref() != Some(pricing)
            {
                message.settled = Some(pricing.clone());
                return self.save(&message);
            }
            return Ok(0);
        };
        let mut added = 0;
        if message.wamid.is_none() {
            message.wamid = Some(update.wamid.clone());
            self.wamids.insert(update.wamid.as_str(), id)?;
            added += len_u64(update.wamid.len()) + 8;
        }
        if let Some(pricing) = &update.pricing {
            message.settled = Some(pricing.clone());
        }
        match next {
            MessageState::Failed => {
                message.error = update.failure.clone();
                self.books.ledger.release(id);
            }
            MessageState::Delivered | MessageState::Read if message.cost_micro_usd.is_none() => {
                added += self.settle_cost(&mut message, now)?;
            }
            _ => {}
        }
        // Meta accepted it: it has nothing more to do with the sender.
        self.outbox.remove((OutboxTopic::Meta as u8, id))?;
        message.state = next;
        message.updated_at = now;
        added += self.save(&message)?;
        Ok(added)
    }
}

impl OutboxTables<'_> {
    /// Charges a delivered message its cost, once: what Meta's statuses said of its price (a
    /// free `pricing.type` costs nothing; `regular` costs the rate of its settled category and
    /// market at the send), else the estimate. A delivered service message counts towards its
    /// number's free tier. Returns the bytes added.
    fn settle_cost(
        &mut self,
        message: &mut OutboundMessage,
        now: UnixMs,
    ) -> Result<u64, StoreError> {
        let rules = Arc::clone(&self.books.rules);
        let settled = message.settled.clone();
        let charged = settled.as_ref().and_then(SettledPricing::charged);
        let category = settled
            .as_ref()
            .and_then(|settled| settled.category.clone())
            .unwrap_or_else(|| message.category.clone());
        let cost = match charged {
            Some(false) => 0,
            Some(true) => {
                let market = message.market.as_deref().and_then(Market::new);
                let rate = PricingCategory::from_wire(&category).zip(market).and_then(
                    |(category, market)| rules.rates.rate(market, category, message.created_at),
                );
                rate.unwrap_or(message.estimate_micro_usd)
            }
            None => message.estimate_micro_usd,
        };
        message.cost_micro_usd = Some(cost);
        if category == PricingCategory::Service.as_str() {
            self.book_tables.count_service(
                message.number.as_str(),
                now,
                rules.billing_utc_offset_minutes,
            )?;
        }
        self.books.ledger.release(message.id);
        if cost == 0 {
            return Ok(0);
        }
        let pricing = settled
            .and_then(|settled| settled.kind)
            .unwrap_or_else(|| message.pricing.clone());
        match self
            .books
            .ledger
            .charge(now, message.id, cost, SettledCategory(category), &pricing)
        {
            Ok(entry) => {
                self.book_tables.append(&entry)?;
                self.credits_changed("charge", std::slice::from_ref(&entry));
                Ok(64)
            }
            Err(error) => {
                tracing::error!(message = message.id, %error, "a delivered message's charge could not be recorded");
                Ok(0)
            }
        }
    }

    /// Holds `number` (`Some`) or lifts its hold (`None`), durably: a hold outlives a restart.
    pub(super) fn set_hold(&mut self, number: &str, hold: Option<Hold>) -> Result<u64, StoreError> {
        self.journal.record(NewEvent::json(
            EventType::NumberStateChanged,
            None,
            &serde_json::json!({
                "phone_number_id": number,
                "state": if hold.is_some() { "held" } else { "resumed" },
                "code": hold.map(|hold| hold.code),
                "since": hold.map(|hold| hold.since),
                "remedy": hold.map(|hold| hold.remedy()),
            }),
        ));
        match hold {
            Some(hold) => {
                let bytes = postcard::to_allocvec(&HoldWire::V1(hold)).unwrap_or_default();
                self.holds.insert(number, bytes.as_slice())?;
                Ok(len_u64(number.len() + bytes.len()))
            }
            None => {
                self.holds.remove(number)?;
                Ok(0)
            }
        }
    }

    /// Records a purchase of `credits`: its entry and its fee's, in this transaction.
    pub(super) fn purchase(
        &mut self,
        credits: u64,
        reference: &str,
        now: UnixMs,
    ) -> Result<Result<[Entry; 2], PurchaseRefusal>, StoreError> {
        let entries = match self
            .books
            .ledger
            .purchase(now, credits, reference, self.books.credits)
        {
            Ok(entries) => entries,
            Err(error) => return Ok(Err(PurchaseRefusal::Ledger(error))),
        };
        for entry in &entries {
            self.book_tables.append(entry)?;
        }
        self.credits_changed("purchase", &entries);
        Ok(Ok(entries))
    }

    /// Reports new ledger entries, with the ledger's totals after them.
    fn credits_changed(&self, reason: &str, entries: &[Entry]) {
        self.journal.record(NewEvent::json(
            EventType::CreditsChanged,
            None,
            &serde_json::json!({
                "reason": reason,
                "entries": entries,
                "balance_micro_usd": self.books.ledger.balance(),
                "available_micro_usd": self.books.ledger.available(),
            }),
        ));
    }
}

fn decode(id: u64, bytes: &[u8]) -> Result<OutboundMessage, StoreError> {
    OutboundMessage::from_bytes(bytes).map_err(|error| StoreError::Record {
        table: "out_messages",
        key: id,
        reason: error.to_string(),
    })
}

/// The wire form of a stored hold; the variant is the version.
#[derive(serde::Serialize, serde::Deserialize)]
enum HoldWire {
    V1(Hold),
}

/// The held numbers, with their holds.
pub(super) fn read_holds(txn: &ReadTransaction) -> Result<Vec<(String, Hold)>, StoreError> {
    let table = txn.open_table(NUMBER_HOLDS)?;
    let mut holds = Vec::new();
    for row in table.iter()? {
        let (number, bytes) = row?;
        match postcard::from_bytes(bytes.value()) {
            Ok(HoldWire::V1(hold)) => holds.push((number.value().to_owned(), hold)),
            Err(error) => {
                tracing::warn!(number = number.value(), %error, "a stored hold cannot be read; the number is not held")
            }
        }
    }
    Ok(holds)
}

/// Which messages a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFilter {
    /// Every message.
    All,
    /// Messages in one state.
    State(MessageState),
    /// The messages the sender still has to send (the Meta outbox) with ids above this one,
    /// in id order.
    OutboxAfter(u64),
}

/// One message, read.
pub(super) fn read_message(
    txn: &ReadTransaction,
    id: u64,
) -> Result<Option<OutboundMessage>, StoreError> {
    let table = txn.open_table(OUT_MESSAGES)?;
    let message = match table.get(id)? {
        Some(bytes) => Some(decode(id, bytes.value())?),
        None => None,
    };
    Ok(message)
}

/// The `page` of the messages `filter` admits, for the listing (`OutboxAfter` is the sender's,
/// unpaged: [`list_messages`]).
pub(super) fn page_messages(
    txn: &ReadTransaction,
    filter: MessageFilter,
    page: Page,
) -> Result<Listed<OutboundMessage>, StoreError> {
    let table = txn.open_table(OUT_MESSAGES)?;
    let admitted = table.range(page.ids())?.map(|row| {
        let (id, bytes) = row?;
        let message = decode(id.value(), bytes.value())?;
        let state = MessageFilter::State(message.state);
        Ok((filter == MessageFilter::All || filter == state).then_some(message))
    });
    Listed::collect(page, admitted, Ok)
}

/// The messages `filter` admits, in id order.
pub(super) fn list_messages(
    txn: &ReadTransaction,
    filter: MessageFilter,
) -> Result<Vec<OutboundMessage>, StoreError> {
    let table = txn.open_table(OUT_MESSAGES)?;
    let mut messages = Vec::new();
    if let MessageFilter::OutboxAfter(after) = filter {
        let outbox = txn.open_table(OUTBOX)?;
        let topic = OutboxTopic::Meta as u8;
        for row in outbox.range((topic, after.saturating_add(1))..=(topic, u64::MAX))? {
            let id = row?.0.value().1;
            if let Some(bytes) = table.get(id)? {
                messages.push(decode(id, bytes.value())?);
            }
        }
        return Ok(messages);
    }
    Ok(page_messages(txn, filter, Page::ALL)?.items)
}

/// The messages written in chat `chat`, in id order.
pub(super) fn chat_messages(
    txn: &ReadTransaction,
    chat: u64,
) -> Result<Vec<OutboundMessage>, StoreError> {
    chat_messages_in(
        &txn.open_table(CHAT_OUTBOUND)?,
        &txn.open_table(OUT_MESSAGES)?,
        chat,
    )
}

/// The operators' messages of chat `chat` from the tables `index` ([`CHAT_OUTBOUND`]) and
/// `table` ([`OUT_MESSAGES`]) of either kind of transaction, in the order they were written.
pub(super) fn chat_messages_in(
    index: &impl ReadableTable<(u64, u64), ()>,
    table: &impl ReadableTable<u64, &'static [u8]>,
    chat: u64,
) -> Result<Vec<OutboundMessage>, StoreError> {
    let mut messages = Vec::new();
    for row in index.range((chat, 0)..=(chat, u64::MAX))? {
        let id = row?.0.value().1;
        if let Some(bytes) = table.get(id)? {
            messages.push(decode(id, bytes.value())?);
        }
    }
    Ok(messages)
}

/// Operator message `id` as `request` asks for it in `chat`, priced at `estimate`, queued `now`.
fn new_message(
    id: u64,
    request: &SendRequest,
    chat: &Chat,
    estimate: &Estimate,
    now: UnixMs,
) -> OutboundMessage {
    OutboundMessage {
        id,
        chat: request.chat,
        number: chat.number.clone(),
        customer: chat.customer.clone(),
        operator: request.operator.clone(),
        kind: request.kind.clone(),
        body: request.body.clone(),
        state: MessageState::Queued,
        wamid: None,
        attempts: 0,
        created_at: now,
        updated_at: now,
        not_before: None,
        estimate_micro_usd: estimate.micro_usd,
        pricing: pricing_wire_name(estimate.pricing).to_owned(),
        category: estimate.category.as_str().to_owned(),
        market: estimate.market.map(|market| market.as_str().to_owned()),
        settled: None,
        cost_micro_usd: None,
        error: None,
        idempotency_key: request.idempotency_key.clone(),
        retry_of: request.retry_of,
        retried_by: None,
    }
}
