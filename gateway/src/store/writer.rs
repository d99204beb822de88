//! The single writer: it owns every write transaction and group-commits whatever is queued.
//!
//! Webhook handlers send an [`IngestBatch`] with a reply channel. The writer takes the first
//! queued submission, drains up to `max_batch` more without waiting, applies them all in one
//! write transaction (dedupe, append, dead letters, counters), commits with
//! `Durability::Immediate` (one fsync for the whole group), and only then answers each
//! submission. A submission is never answered `Ok` before its data is durable.

mod commands;
mod media;
mod outbound;
mod reopen;
mod retention;
pub(super) mod tools;
mod upstream;

pub use retention::Retention;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use redb::{Database, Durability, ReadableTable, Table, WriteTransaction};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::books::{self, Books};
use super::chat_access::ChatActionError;
use super::chats::ChatTables;
use super::commit_metrics::CommitMetrics;
use super::group::{GroupTables, U64_BYTES, effect_cost_bound};
use super::health::StoreHealth;
use super::journal::{self, JournalWatch, Recorder};
use super::open::StoreFile;
use super::outbox::OutboxTables;
use super::recovery::Recovery;
use super::request::{
    ActionSubmission, Command, IngestBatch, IngestOutcome, PurchaseSubmission, SendSubmission,
    SenderSubmission, Submission,
};
use super::schema;
use super::slot::DbSlot;
use super::tables::{
    ARTICLES, CANNED_RESPONSES, CHAT_DEADLINES, CHAT_MESSAGES, CHAT_NOTES, CHAT_OUTBOUND,
    CHAT_TAGS, CHATS, COMMANDS_DONE, DEAD_LETTERS, DEDUPE, DEDUPE_BY_AGE, IDEMPOTENCY, INBOUND_LOG,
    JOURNAL, LATEST_CHAT, LEDGER, MEDIA, MEDIA_PENDING, MEDIA_RECEIVED, META, META_DEDUPE_ENTRIES,
    META_DUPLICATES_TOTAL, META_LAST_COMMIT_MS, META_NEXT_CHAT_ID, META_NEXT_DEAD_SEQ,
    META_NEXT_EVENT_SEQ, META_NEXT_MESSAGE_ID, META_NEXT_SEQ, META_STORED_BYTES, NUMBER_HOLDS,
    OUT_MESSAGES, OUT_WAMIDS, OUTBOX, POLICY, SERVICE_DELIVERED, TEXT_STATE, UPSTREAM_BATCHES,
    UPSTREAM_DEAD, WINDOWS,
};
use super::templates;
use super::tool_access::ToolJob;
use super::tools::{ConfiguredTools, ToolTables};
use super::usage::SharedUsage;
use crate::chat::{Chat, LifecycleSettings};
use crate::clock::SharedClock;
use crate::policy::TemplateRegistry;

/// How many dedupe entries one expiry pass removes at most, to bound a transaction's size.
const EXPIRY_BATCH: u64 = 10_000;
/// How often (wall-clock ms) the writer looks for expired dedupe entries.
const EXPIRY_INTERVAL_MS: u64 = 60_000;
/// How many due chats one sweep transaction closes at most.
const SWEEP_BATCH: usize = 1_000;

/// The writer's limits.
#[derive(Debug, Clone, Copy)]
pub(super) struct WriterSettings {
    pub(super) quota_bytes: u64,
    pub(super) retention_ms: u64,
    pub(super) dedupe_max_entries: u64,
    pub(super) max_batch: usize,
    pub(super) lifecycle: LifecycleSettings,
    pub(super) retention: Option<Retention>,
}

/// The counters the writer keeps in memory and persists in `meta` with every commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counters {
    pub(super) next_seq: u64,
    pub(super) next_dead_seq: u64,
    pub(super) stored_bytes: u64,
    pub(super) dedupe_entries: u64,
    pub(super) last_commit_ms: u64,
    pub(super) duplicates_total: u64,
    pub(super) next_chat_id: u64,
    pub(super) next_message_id: u64,
    pub(super) next_event_seq: u64,
}

impl Counters {
    /// Reads the counters, initialising a new store, after bringing the store at `path` to
    /// this waygate's schema (a newer one is refused and nothing is written).
    /// Also carries the template registry forward to `templates`, the configured one, and
    /// brings the canned responses and articles from the configuration in line with `tools`
    /// (dated `now`).
    pub(super) fn load_or_init(
        db: &Database,
        path: &Path,
        templates: TemplateRegistry,
        books: Books,
        tools: &ConfiguredTools,
        now: u64,
    ) -> Result<(Self, Books), StoreError> {
        let txn = begin_durable(db)?;
        schema::CURRENT.upgrade(&txn, path)?;
        let counters = {
            // Create every table so that readers never meet a missing one.
            txn.open_table(INBOUND_LOG)?;
            txn.open_table(DEAD_LETTERS)?;
            txn.open_table(DEDUPE)?;
            txn.open_table(DEDUPE_BY_AGE)?;
            txn.open_table(CHATS)?;
            txn.open_table(LATEST_CHAT)?;
            txn.open_table(CHAT_DEADLINES)?;
            txn.open_table(CHAT_MESSAGES)?;
            txn.open_table(WINDOWS)?;
            txn.open_table(POLICY)?;
            txn.open_table(OUT_MESSAGES)?;
            txn.open_table(OUTBOX)?;
            txn.open_table(IDEMPOTENCY)?;
            txn.open_table(OUT_WAMIDS)?;
            txn.open_table(CHAT_OUTBOUND)?;
            txn.open_table(LEDGER)?;
            txn.open_table(SERVICE_DELIVERED)?;
            txn.open_table(NUMBER_HOLDS)?;
            txn.open_table(MEDIA)?;
            txn.open_table(MEDIA_RECEIVED)?;
            txn.open_table(MEDIA_PENDING)?;
            txn.open_table(JOURNAL)?;
            txn.open_table(UPSTREAM_BATCHES)?;
            txn.open_table(UPSTREAM_DEAD)?;
            txn.open_table(CANNED_RESPONSES)?;
            txn.open_table(ARTICLES)?;
            txn.open_table(CHAT_NOTES)?;
            txn.open_table(CHAT_TAGS)?;
            txn.open_table(COMMANDS_DONE)?;
            txn.open_table(TEXT_STATE)?;
            let meta = txn.open_table(META)?;
            let get = |key: &str| -> Result<Option<u64>, StoreError> {
                Ok(meta.get(key)?.map(|v| v.value()))
            };
            Self {
                next_seq: get(META_NEXT_SEQ)?.unwrap_or(1),
                next_dead_seq: get(META_NEXT_DEAD_SEQ)?.unwrap_or(1),
                stored_bytes: get(META_STORED_BYTES)?.unwrap_or(0),
                dedupe_entries: get(META_DEDUPE_ENTRIES)?.unwrap_or(0),
                last_commit_ms: get(META_LAST_COMMIT_MS)?.unwrap_or(0),
                duplicates_total: get(META_DUPLICATES_TOTAL)?.unwrap_or(0),
                next_chat_id: get(META_NEXT_CHAT_ID)?.unwrap_or(1),
                next_message_id: get(META_NEXT_MESSAGE_ID)?.unwrap_or(1),
                next_event_seq: get(META_NEXT_EVENT_SEQ)?.unwrap_or(1),
            }
        };
        let mut counters = counters;
        templates::reconcile(&txn, templates)?;
        let recorder = Recorder::default();
        let change = {
            let mut configured = ToolTables::open(&txn, &recorder)?;
            configured.reconcile_configured(tools, now.max(counters.last_commit_ms))?;
            configured.stored_change()
        };
        counters.stored_bytes = counters
            .stored_bytes
            .saturating_add(change.grown)
            .saturating_sub(change.freed);
        let uncertain = OutboxTables::open(&txn, books.clone(), &recorder)?
            .mark_in_flight_uncertain(counters.last_commit_ms)?;
        let (_, added) = journal::append(
            &txn,
            &recorder,
            &mut counters.next_event_seq,
            counters.last_commit_ms,
        )?;
        counters.stored_bytes += added;
        counters.save(&mut txn.open_table(META)?)?;
        let ledger = books::ledger(&txn.open_table(LEDGER)?, &txn.open_table(OUT_MESSAGES)?)?;
        if uncertain > 0 {
            tracing::warn!(
                uncertain,
                "messages were being sent when the gateway stopped: Meta may or may not have accepted them; they are marked uncertain and wait for an operator (GET /api/v1/messages?state=uncertain)"
            );
        }
        txn.commit()?;
        Ok((counters, Books { ledger, ..books }))
    }

    fn save(&self, meta: &mut Table<'_, &'static str, u64>) -> Result<(), StoreError> {
        meta.insert(META_NEXT_SEQ, self.next_seq)?;
        meta.insert(META_NEXT_DEAD_SEQ, self.next_dead_seq)?;
        meta.insert(META_STORED_BYTES, self.stored_bytes)?;
        meta.insert(META_DEDUPE_ENTRIES, self.dedupe_entries)?;
        meta.insert(META_LAST_COMMIT_MS, self.last_commit_ms)?;
        meta.insert(META_DUPLICATES_TOTAL, self.duplicates_total)?;
        meta.insert(META_NEXT_CHAT_ID, self.next_chat_id)?;
        meta.insert(META_NEXT_MESSAGE_ID, self.next_message_id)?;
        meta.insert(META_NEXT_EVENT_SEQ, self.next_event_seq)?;
        Ok(())
    }
}

/// What the writer shares with the [`super::Store`] handles.
pub(super) struct WriterShared {
    /// Where readers find the open database.
    pub(super) slot: DbSlot,
    /// Whether the store takes writes; the writer sets it.
    pub(super) health: StoreHealth,
    /// The quota's measure.
    pub(super) usage: SharedUsage,
    /// What the writer measures of its group commits.
    pub(super) commit_metrics: CommitMetrics,
    /// How far the journal goes, for the sink and the event streams.
    pub(super) journal: JournalWatch,
}

/// The writer thread's state.
pub(super) struct Writer {
    /// The open database; `None` while the file is closed after a disk error.
    db: Option<Arc<Database>>,
    file: StoreFile,
    shared: WriterShared,
    /// Set while recovering from a disk error.
    recovery: Option<Recovery>,
    /// Times the waits between reopen attempts: a runtime of the writer's own, for timers only.
    timer: tokio::runtime::Runtime,
    settings: WriterSettings,
    counters: Counters,
    /// The credit ledger's state, as of the last commit.
    books: Books,
    clock: SharedClock,
    last_expiry_ms: u64,
    /// When the last retention pass ran.
    last_prune_ms: u64,
    /// Whether a retention pass should run without waiting for its interval.
    prune_due: bool,
}

/// What one turn of the writer's loop does: everything that was queued, up to a full group.
#[derive(Default)]
struct Turn {
    group: Vec<Submission>,
    actions: Vec<ActionSubmission>,
    sends: Vec<SendSubmission>,
    sender: Vec<SenderSubmission>,
    purchases: Vec<PurchaseSubmission>,
    media: Vec<super::media::MediaSubmission>,
    upstream: Vec<super::upstream::UpstreamSubmission>,
    tools: Vec<ToolJob>,
    commands: Vec<super::commands::CommandSubmission>,
    tick: bool,
    swept: Vec<oneshot::Sender<()>>,
    closing: bool,
}

impl Turn {
    /// Requests in this turn that a group commit takes.
    fn len(&self) -> usize {
        self.group.len() + self.sends.len() + self.sender.len() + self.purchases.len()
    }

    fn take(&mut self, command: Command) {
        match command {
            Command::Ingest(submission) => self.group.push(submission),
            Command::Act(action) => self.actions.push(action),
            Command::Send(send) => self.sends.push(send),
            Command::Sender(update) => self.sender.push(update),
            Command::Purchase(purchase) => self.purchases.push(purchase),
            Command::Media(change) => self.media.push(change),
            Command::Upstream(change) => self.upstream.push(change),
            Command::Tool(change) => self.tools.push(change),
            Command::Hq(command) => self.commands.push(command),
            Command::Tick => self.tick = true,
            Command::Sweep(reply) => {
                self.tick = true;
                self.swept.push(reply);
            }
            Command::Close => self.closing = true,
        }
    }
}

impl Writer {
    /// A writer for `file`, opened as `db` with `counters`.
    pub(super) fn new(
        file: StoreFile,
        db: Arc<Database>,
        counters: Counters,
        books: Books,
        shared: WriterShared,
        settings: WriterSettings,
        clock: SharedClock,
    ) -> Result<Self, StoreError> {
        let timer = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|source| StoreError::Io {
                path: file.path.clone(),
                source,
            })?;
        shared.usage.set_stored_bytes(counters.stored_bytes);
        shared.slot.put(&db);
        Ok(Self {
            db: Some(db),
            file,
            shared,
            recovery: None,
            timer,
            settings,
            counters,
            books,
            clock,
            last_expiry_ms: 0,
            last_prune_ms: 0,
            prune_due: false,
        })
    }

    /// Runs until a [`Command::Close`] arrives or every sender is gone; then closes the
    /// database cleanly.
    pub(super) fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        // Chats that became overdue while the gateway was down close now, at their deadlines.
        self.sweep();
        while let Some(first) = self.next_command(&mut commands) {
            let mut turn = Turn::default();
            turn.take(first);
            while !turn.closing && turn.len() < self.settings.max_batch {
                match commands.try_recv() {
                    Ok(next) => turn.take(next),
                    Err(_) => break,
                }
            }
            let closing = turn.closing;
            self.perform(turn);
            if closing {
                break;
            }
        }
        // Anything still queued after Close is answered, not dropped silently.
        commands.close();
        while let Ok(command) = commands.try_recv() {
            match command {
                Command::Ingest(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone));
                }
                Command::Act(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone.into()));
                }
                Command::Send(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone.into()));
                }
                Command::Sender(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone));
                }
                Command::Purchase(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone.into()));
                }
                Command::Media(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone));
                }
                Command::Upstream(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone));
                }
                Command::Tool(late) => late(None),
                Command::Hq(late) => {
                    let _ = late.reply.send(Err(StoreError::WriterGone));
                }
                Command::Tick | Command::Sweep(_) | Command::Close => {}
            }
        }
        self.shared.slot.clear();
        tracing::debug!(next_seq = self.counters.next_seq, "store writer closed");
    }

    /// Does one turn's work and answers every request in it.
    fn perform(&mut self, turn: Turn) {
        let Turn {
            mut group,
            actions,
            sends,
            sender,
            purchases,
            media,
            upstream,
            tools,
            commands,
            tick,
            swept,
            closing: _,
        } = turn;
        if !group.is_empty() {
            self.commit_group(&mut group);
        }
        if !sends.is_empty() || !sender.is_empty() || !purchases.is_empty() {
            self.commit_outbound(sends, sender, purchases);
        }
        if !media.is_empty() {
            self.commit_media(media);
        }
        if !upstream.is_empty() {
            self.commit_upstream(upstream);
        }
        if !commands.is_empty() {
            self.commit_commands(commands);
        }
        for action in actions {
            let result = self.act(&action);
            let _ = action.reply.send(result);
        }
        if !tools.is_empty() {
            self.commit_tools(tools);
        }
        if tick {
            self.sweep();
        }
        if let Err(error) = self.expire_dedupe_entries() {
            tracing::warn!(%error, "dedupe expiry pass failed; will retry");
        }
        self.prune();
        // Answered once the turn's housekeeping (expiry, retention) is done too.
        for reply in swept {
            let _ = reply.send(());
        }
    }

    /// Applies a group in one transaction and answers every member.
    fn commit_group(&mut self, group: &mut Vec<Submission>) {
        let now_ms = self.clock.now_ms();
        let mut counters = self.counters;
        counters.last_commit_ms = counters.last_commit_ms.max(now_ms);
        let started = std::time::Instant::now();
        type Outcomes = Vec<Result<IngestOutcome, StoreError>>;
        let result = (|| -> Result<(Outcomes, Option<Books>, u64), StoreError> {
            let txn = begin_durable(self.db()?)?;
            let recorder = Recorder::default();
            let (outcomes, books) = {
                let mut tables = GroupTables::open(&txn, &self.books, &recorder)?;
                let mut outcomes = Vec::with_capacity(group.len());
                for submission in group.iter() {
                    outcomes.push(self.apply(&mut tables, &mut counters, &submission.batch)?);
                }
                (outcomes, tables.into_books())
            };
            let appended = Self::seal(&txn, &recorder, &mut counters)?;
            txn.commit()?;
            Ok((outcomes, books, appended))
        })();
        match result {
            Ok((outcomes, books, appended)) => {
                self.published(&counters, appended);
                if let Some(books) = books {
                    self.books = books;
                }
                let metrics = &self.shared.commit_metrics;
                metrics.latency.observe(started.elapsed().as_secs_f64());
                metrics.size.observe(group.len() as f64);
                self.counters = counters;
                self.shared.usage.set_stored_bytes(counters.stored_bytes);
                for (submission, outcome) in group.drain(..).zip(outcomes) {
                    let _ = submission.reply.send(outcome);
                }
            }
            Err(error) => {
                self.notice(&error);
                if let Some(recovery) = &self.recovery {
                    for submission in group.drain(..) {
                        let _ = submission.reply.send(Err(recovery.refusal()));
                    }
                    return;
                }
                tracing::error!(%error, requests = group.len(), "store commit failed; the senders will retry");
                for submission in group.drain(..) {
                    let _ = submission
                        .reply
                        .send(Err(StoreError::GroupFailed(error.to_string())));
                }
            }
        }
    }

    /// Applies one submission. A quota refusal refuses this submission only (returned as the
    /// inner `Err`); a storage failure aborts the whole group (outer `Err`).
    fn apply(
        &self,
        tables: &mut GroupTables<'_>,
        counters: &mut Counters,
        batch: &IngestBatch,
    ) -> Result<Result<IngestOutcome, StoreError>, StoreError> {
        // Pass 1: which events are new, and what they cost.
        let mut fresh = Vec::with_capacity(batch.events.len());
        let mut seen_here: HashSet<&[u8]> = HashSet::new();
        let mut needed = 0u64;
        for (index, event) in batch.events.iter().enumerate() {
            let key = event.dedupe_key.as_slice();
            if !seen_here.insert(key) || tables.dedupe.get(key)?.is_some() {
                continue;
            }
            fresh.push(index);
            // Upper bound: the check cannot know yet whether a chat or a window will open.
            needed += event_cost(key.len(), event.record.len())
                + effect_cost_bound(event.effect.as_ref());
        }
        needed += batch
            .dead_letters
            .iter()
            .map(|letter| U64_BYTES + len_u64(letter.len()))
            .sum::<u64>();
        let used = self.shared.usage.other_files_bytes() + counters.stored_bytes;
        if needed > 0 && used.saturating_add(needed) > self.settings.quota_bytes {
            return Ok(Err(StoreError::QuotaExceeded {
                used,
                needed,
                quota: self.settings.quota_bytes,
            }));
        }
        // Pass 2: write.
        let mut outcome = IngestOutcome {
            duplicates: u32::try_from(batch.events.len() - fresh.len()).unwrap_or(u32::MAX),
            ..IngestOutcome::default()
        };
        let seen_ms = counters.last_commit_ms;
        for index in fresh {
            let event = &batch.events[index];
            let key = event.dedupe_key.as_slice();
            tables.dedupe.insert(key, seen_ms)?;
            tables.by_age.insert((seen_ms, key), ())?;
            tables
                .log
                .insert(counters.next_seq, event.record.as_slice())?;
            outcome.first_seq.get_or_insert(counters.next_seq);
            let seq = counters.next_seq;
            counters.next_seq += 1;
            if let Some(effect) = &event.effect {
                needed -= tables.apply_effect(
                    effect,
                    seq,
                    seen_ms,
                    &self.settings.lifecycle,
                    &mut counters.next_chat_id,
                )?;
            }
            counters.dedupe_entries += 1;
            outcome.appended += 1;
        }
        for letter in &batch.dead_letters {
            tables
                .dead
                .insert(counters.next_dead_seq, letter.as_slice())?;
            counters.next_dead_seq += 1;
            outcome.dead_letters += 1;
        }
        counters.stored_bytes += needed;
        counters.duplicates_total += u64::from(outcome.duplicates);
        Ok(Ok(outcome))
    }

    /// Applies an operator's action in its own durable transaction. A refusal changes nothing
    /// (except closing an overdue chat at its deadline, which is committed).
    fn act(&mut self, submission: &ActionSubmission) -> Result<Chat, ChatActionError> {
        let result = self.try_act(submission);
        if let Err(ChatActionError::Store(error)) = &result {
            self.notice(error);
        }
        result
    }

    fn try_act(&mut self, submission: &ActionSubmission) -> Result<Chat, ChatActionError> {
        let mut counters = self.counters;
        counters.last_commit_ms = counters.last_commit_ms.max(self.clock.now_ms());
        let txn = begin_durable(self.db()?)?;
        let recorder = Recorder::default();
        let outcome = {
            let mut chats = ChatTables::open(&txn, &recorder)?;
            chats.act(
                submission.chat,
                &submission.action,
                counters.last_commit_ms,
                &self.settings.lifecycle,
            )?
        };
        let appended = Self::seal(&txn, &recorder, &mut counters)?;
        txn.commit().map_err(StoreError::from)?;
        self.published(&counters, appended);
        self.counters = counters;
        outcome.map_err(ChatActionError::Refused)
    }

    /// Closes the chats whose deadline has passed, each at its deadline, in durable
    /// transactions of at most [`SWEEP_BATCH`]. Does nothing while the clock reads earlier than
    /// the last commit: a box that booted without a real-time clock fires no timer until its
    /// clock has caught up, and a clock that jumped back closes nothing early.
    fn sweep(&mut self) {
        while self.recovery.is_none() {
            match self.sweep_once() {
                Ok(due) if due >= SWEEP_BATCH => continue,
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(%error, "chat sweep failed; will retry on the next tick");
                    self.notice(&error);
                    return;
                }
            }
        }
    }

    /// One sweep transaction; returns how many due deadline entries it handled (at most
    /// [`SWEEP_BATCH`]: more may be due).
    fn sweep_once(&mut self) -> Result<usize, StoreError> {
        let now_ms = self.clock.now_ms();
        if now_ms < self.counters.last_commit_ms {
            return Ok(0);
        }
        let txn = begin_durable(self.db()?)?;
        let recorder = Recorder::default();
        let (due, closed) = {
            let mut chats = ChatTables::open(&txn, &recorder)?;
            match chats.next_deadline()? {
                Some(at) if at <= now_ms => {
                    chats.close_due(now_ms, &self.settings.lifecycle, SWEEP_BATCH)?
                }
                _ => (0, 0),
            }
        };
        if due == 0 {
            txn.abort()?;
            return Ok(0);
        }
        let mut counters = self.counters;
        counters.last_commit_ms = now_ms;
        let appended = Self::seal(&txn, &recorder, &mut counters)?;
        txn.commit()?;
        self.published(&counters, appended);
        self.counters = counters;
        if closed > 0 {
            tracing::info!(closed, "chats closed by their timers");
        }
        Ok(due)
    }

    /// Removes dedupe entries older than the retention, and the oldest ones beyond the entry
    /// cap, at most [`EXPIRY_BATCH`] per pass. Does nothing while the clock reads earlier than
    /// the last commit: a clock that jumped back must not make anything look newer or older.
    fn expire_dedupe_entries(&mut self) -> Result<(), StoreError> {
        if self.recovery.is_some() {
            return Ok(());
        }
        let result = self.try_expire_dedupe_entries();
        if let Err(error) = &result {
            self.notice(error);
        }
        result
    }

    fn try_expire_dedupe_entries(&mut self) -> Result<(), StoreError> {
        let now_ms = self.clock.now_ms();
        let over_cap = self.counters.dedupe_entries > self.settings.dedupe_max_entries;
        let interval_due = now_ms >= self.last_expiry_ms.saturating_add(EXPIRY_INTERVAL_MS);
        if (!interval_due && !over_cap) || now_ms < self.counters.last_commit_ms {
            return Ok(());
        }
        self.last_expiry_ms = now_ms;
        let horizon_ms = now_ms.saturating_sub(self.settings.retention_ms);
        let excess = self
            .counters
            .dedupe_entries
            .saturating_sub(self.settings.dedupe_max_entries);
        let mut counters = self.counters;
        let txn = begin_durable(self.db()?)?;
        let removed = {
            let mut by_age = txn.open_table(DEDUPE_BY_AGE)?;
            let mut dedupe = txn.open_table(DEDUPE)?;
            let mut removed = 0u64;
            let mut evicted_early = 0u64;
            while removed < EXPIRY_BATCH {
                let Some((age_key, ())) = by_age.first()?.map(|(k, v)| (k.value().0, v.value()))
                else {
                    break;
                };
                let expired = age_key < horizon_ms;
                if !expired && removed >= excess {
                    break;
                }
                let Some(entry) = by_age.pop_first()? else {
                    break;
                };
                let (seen_ms, key) = entry.0.value();
                let key = key.to_vec();
                drop(entry);
                dedupe.remove(key.as_slice())?;
                counters.stored_bytes = counters
                    .stored_bytes
                    .saturating_sub(2 * (U64_BYTES + len_u64(key.len())));
                counters.dedupe_entries = counters.dedupe_entries.saturating_sub(1);
                removed += 1;
                if seen_ms >= horizon_ms {
                    evicted_early += 1;
                }
            }
            if evicted_early > 0 {
                tracing::warn!(
                    evicted_early,
                    cap = self.settings.dedupe_max_entries,
                    "dedupe index reached its entry cap: the oldest entries were dropped before their retention ended; raise store.dedupe_max_entries"
                );
            }
            removed
        };
        if removed == 0 {
            txn.abort()?;
            return Ok(());
        }
        counters.save(&mut txn.open_table(META)?)?;
        txn.commit()?;
        tracing::debug!(removed, "expired dedupe entries");
        self.counters = counters;
        self.shared.usage.set_stored_bytes(counters.stored_bytes);
        Ok(())
    }
}

impl Writer {
    /// Appends the events `recorder` holds to the journal and saves the counters: the last
    /// step of a transaction before its commit. Returns how many events it appended.
    fn seal(
        txn: &WriteTransaction,
        recorder: &Recorder,
        counters: &mut Counters,
    ) -> Result<u64, StoreError> {
        let (events, added) = journal::append(
            txn,
            recorder,
            &mut counters.next_event_seq,
            counters.last_commit_ms,
        )?;
        counters.stored_bytes += added;
        counters.save(&mut txn.open_table(META)?)?;
        Ok(len_u64(events.len()))
    }

    /// Tells the journal's readers what a commit with `counters` appended.
    fn published(&self, counters: &Counters, appended: u64) {
        if appended > 0 {
            self.shared
                .journal
                .appended(counters.next_event_seq.saturating_sub(1), appended);
        }
    }
}

/// A write transaction whose commit returns only once it is on disk. redb's default is the
/// same; saying so keeps the promise independent of a default.
fn begin_durable(db: &Database) -> Result<WriteTransaction, StoreError> {
    let mut txn = db.begin_write()?;
    txn.set_durability(Durability::Immediate)?;
    Ok(txn)
}

/// The bytes one new event adds: its dedupe entry, its age-index entry and its log record.
fn event_cost(key_len: usize, record_len: usize) -> u64 {
    let key = len_u64(key_len);
    (key + U64_BYTES) * 2 + U64_BYTES + len_u64(record_len)
}

pub(super) fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}
