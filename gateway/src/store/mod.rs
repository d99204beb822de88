//! The store: the only code that touches redb.
//!
//! One writer thread owns write transactions and group-commits batches (see `writer.rs`); the
//! async side talks to it through a bounded channel and awaits a reply that comes only after
//! the data is durable. After a disk error the writer closes the file, reports it through
//! [`StoreHealth`] and reopens it when it can (see `recovery.rs`). Readers ([`reader`]) open the
//! file read-only while the gateway is stopped, for `export` and inspection.

mod backlog;
mod books;
mod chat_access;
mod chats;
mod commands;
mod commit_metrics;
mod contact_profile;
mod error;
mod group;
mod health;
mod journal;
mod media;
mod media_record;
mod open;
mod outbound_record;
mod outbox;
mod page;
pub mod reader;
mod record;
mod recovery;
mod request;
mod schema;
mod slot;
mod snapshot;
mod tables;
mod templates;
mod tool_access;
mod tool_records;
mod tools;
mod transcript;
mod upstream;
pub mod usage;
mod windows;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use redb::{Database, ReadableDatabase as _};
use tokio::sync::{mpsc, oneshot};

pub use backlog::{Backlogs, OutboxBacklog};
pub use chat_access::{ChatAction, ChatActionError, ChatFilter, ChatMessage, ChatView};
pub use chats::CustomerMessageInput;
pub use commands::{CommandOutcome, HqAction, HqCommand};
pub use commit_metrics::CommitMetrics;
pub use contact_profile::ContactProfile;
pub use error::StoreError;
pub use health::{DiskRecovery, StoreHealth};
pub use journal::{JournalWatch, ResolvedEvent};
pub use media::LogMedia;
pub use media_record::{MediaOrigin, MediaRecord, MetaUpload, NewMedia, PendingDownload};
pub use outbound_record::{OutboundMessage, SendFailure, SettledPricing, UNCERTAIN_REMEDY};
pub use outbox::{MessageFilter, OutboxTopic};
pub use page::{Listed, Page};
pub use record::{DeadLetter, DeadLetterRef, LogRecord, RecordKind};
pub use request::{
    BusinessMessageSent, EventEffect, IngestBatch, IngestOutcome, PreparedEvent, PurchaseRefusal,
    Queued, SendCheck, SendRefusal, SendRequest, Settlement, StatusUpdate,
};
pub use snapshot::{ChatCounts, StoreSnapshot, StoreSummary};
pub use tool_access::{Recorded, RenderInputs};
pub use tools::{Put, TicketSent, ToolRefusal};
pub use upstream::{BatchOutcome, BatchRange, DeadBatch, UpstreamState};
pub use usage::{SharedUsage, Usage};

use crate::chat::{Chat, LifecycleSettings};
use crate::clock::SharedClock;
use crate::outbound::Hold;
use crate::policy::TemplateRegistry;
use crate::pricing::{CreditSettings, Entry, Ledger, PricingRules};
use crate::tools::{ArticleInput, CannedInput, Configured};
use open::StoreFile;
use request::{Command, Submission};
use slot::DbSlot;
use tools::ConfiguredTools;
pub use writer::Retention;
use writer::{Writer, WriterSettings, WriterShared};

/// The store file's name inside the data folder.
pub const STORE_FILE: &str = "store.redb";

/// How the store is sized and bounded, and the configuration it carries state for.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Refuse new data when stored bytes plus other files in the data folder would pass this.
    pub quota_bytes: u64,
    /// Keep dedupe keys at least this long (Meta retries for 7 days).
    pub dedupe_retention_ms: u64,
    /// The dedupe index's entry cap; beyond it the oldest entries go first (and a warning is logged).
    pub dedupe_max_entries: u64,
    /// redb's page cache, in bytes.
    pub cache_bytes: usize,
    /// The most submissions one group commit takes.
    pub max_batch: usize,
    /// The chat lifecycle's limits.
    pub lifecycle: LifecycleSettings,
    /// The configured templates; what webhooks taught about them before a restart is carried
    /// forward (see [`TemplateRegistry::carried_forward`]).
    pub templates: TemplateRegistry,
    /// What Meta charges: messages are estimated by it when queued and charged on delivery.
    pub pricing: PricingRules,
    /// How credits are sold.
    pub credits: CreditSettings,
    /// What is pruned, and when (`None`: nothing is).
    pub retention: Option<Retention>,
    /// The configured canned responses (`[[canned_responses]]`). At every open they replace
    /// the stored ones that came from the configuration, and those no longer configured go;
    /// the ones operators or headquarters put stay.
    pub canned_responses: Vec<Configured<CannedInput>>,
    /// The configured articles (`[[articles]]`), applied like [`Self::canned_responses`].
    pub articles: Vec<Configured<ArticleInput>>,
}

/// A handle to the open store. Cheap to clone; every clone talks to the same writer.
#[derive(Clone)]
pub struct Store {
    commands: mpsc::Sender<Command>,
    /// For read transactions (operators' reads); writes go through the writer only.
    db: DbSlot,
    health: StoreHealth,
    usage: SharedUsage,
    quota_bytes: u64,
    commit_metrics: CommitMetrics,
    journal: JournalWatch,
    path: Arc<PathBuf>,
}

/// Owns the writer thread; [`StoreWriter::close`] finishes queued work and closes the file.
pub struct StoreWriter {
    commands: mpsc::Sender<Command>,
    thread: Option<JoinHandle<()>>,
}

impl Store {
    /// Opens (or creates) the store in `data_dir` and starts its writer thread. Blocking: call
    /// it from a blocking context (`spawn_blocking`) or before the runtime starts.
    pub fn open(
        data_dir: &Path,
        options: StoreOptions,
        clock: SharedClock,
    ) -> Result<(Self, StoreWriter), StoreError> {
        let file = StoreFile {
            data_dir: data_dir.to_path_buf(),
            path: data_dir.join(STORE_FILE),
            cache_bytes: options.cache_bytes,
            templates: options.templates,
            pricing: Arc::new(options.pricing),
            credits: options.credits,
            tools: ConfiguredTools {
                canned: options.canned_responses,
                articles: options.articles,
            },
        };
        let path = file.path.clone();
        let (db, counters, books) = file.open(clock.now_ms())?;
        let backlog = journal::count_backlog(&db.begin_read()?)?;
        let shared = WriterShared {
            slot: DbSlot::default(),
            health: StoreHealth::default(),
            usage: Arc::new(Usage::default()),
            commit_metrics: CommitMetrics::default(),
            journal: JournalWatch::new(counters.next_event_seq.saturating_sub(1), backlog),
        };
        shared
            .usage
            .set_other_files_bytes(usage::scan_other_files(data_dir, &path));
        let settings = WriterSettings {
            quota_bytes: options.quota_bytes,
            retention_ms: options.dedupe_retention_ms,
            dedupe_max_entries: options.dedupe_max_entries,
            max_batch: options.max_batch,
            lifecycle: options.lifecycle,
            retention: options.retention,
        };
        // Room for a few full groups; beyond that, handlers wait (backpressure), they never drop.
        let (commands, receiver) = mpsc::channel(options.max_batch.saturating_mul(4).max(16));
        let store = Self {
            commands: commands.clone(),
            db: shared.slot.clone(),
            health: shared.health.clone(),
            usage: Arc::clone(&shared.usage),
            quota_bytes: options.quota_bytes,
            commit_metrics: shared.commit_metrics.clone(),
            journal: shared.journal.clone(),
            path: Arc::new(path.clone()),
        };
        let writer = Writer::new(file, db, counters, books, shared, settings, clock)?;
        let thread = std::thread::Builder::new()
            .name("waygate-store".into())
            .spawn(move || writer.run(receiver))
            .map_err(|source| StoreError::Io { path, source })?;
        Ok((
            store,
            StoreWriter {
                commands,
                thread: Some(thread),
            },
        ))
    }

    /// Sends a batch to the writer and waits until it is durable (or refused).
    pub async fn ingest(&self, batch: IngestBatch) -> Result<IngestOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Ingest(Submission { batch, reply }))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The chats `filter` admits, in id order.
    pub async fn list_chats(&self, filter: ChatFilter) -> Result<Vec<Chat>, StoreError> {
        self.read(move |db| chat_access::list_chats(db, filter))
            .await
    }

    /// The `page` of the chats `filter` admits, in id order, each with its customer's profile.
    pub async fn list_chats_with_contacts(
        &self,
        filter: ChatFilter,
        page: Page,
    ) -> Result<Listed<(Chat, ContactProfile)>, StoreError> {
        self.read(move |db| chat_access::list_chats_with_contacts(db, filter, page))
            .await
    }

    /// A chat with its messages and service window, if it exists.
    pub async fn chat_view(&self, id: u64) -> Result<Option<ChatView>, StoreError> {
        self.read(move |db| chat_access::chat_view(db, id)).await
    }

    /// A chat with its messages and window, and the template registry, from one snapshot.
    pub async fn chat_view_and_templates(
        &self,
        id: u64,
    ) -> Result<Option<(ChatView, TemplateRegistry)>, StoreError> {
        self.read(move |db| chat_access::chat_view_and_templates(db, id))
            .await
    }

    /// The template registry: the configured templates as Meta's webhooks left them.
    pub async fn templates(&self) -> Result<TemplateRegistry, StoreError> {
        self.read(chat_access::templates).await
    }

    /// The store's counters and its chats by state, from one read transaction.
    pub async fn snapshot(&self) -> Result<StoreSnapshot, StoreError> {
        self.read(|db| StoreSnapshot::read(&db.begin_read()?)).await
    }

    /// Hands `command` to the writer (waiting for room in its queue).
    async fn send_command(&self, command: Command) -> Result<(), StoreError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| StoreError::WriterGone)
    }

    /// Runs `read` on the blocking pool with the open database.
    pub(super) async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let slot = self.db.clone();
        let health = self.health.clone();
        tokio::task::spawn_blocking(move || {
            let db = slot.get().ok_or_else(|| match health.recovering() {
                Some(recovery) => StoreError::Recovering {
                    reason: recovery.reason,
                },
                None => StoreError::WriterGone,
            })?;
            read(&db)
        })
        .await
        .map_err(|_| StoreError::WriterGone)?
    }

    /// Applies an operator's action through the writer; answered once it is durable.
    pub async fn act_on_chat(&self, id: u64, action: ChatAction) -> Result<Chat, ChatActionError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Act(request::ActionSubmission {
                chat: id,
                action,
                reply,
            }))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Queues an operator's message after the checks that may refuse it, all in one durable
    /// transaction; answered once it is in the outbox (or refused, with nothing written).
    pub async fn send(&self, request: SendRequest) -> Result<Queued, SendRefusal> {
        self.submit_send(request, false).await
    }

    /// What [`Store::send`] would answer now, with nothing written: the refusal, or the
    /// message as it would be queued (id 0), with its estimate. For the credits, the check runs
    /// in the writer like a real send.
    pub async fn price(&self, request: SendRequest) -> Result<Queued, SendRefusal> {
        self.submit_send(request, true).await
    }

    async fn submit_send(
        &self,
        request: SendRequest,
        dry_run: bool,
    ) -> Result<Queued, SendRefusal> {
        let (reply, answer) = oneshot::channel();
        let submission = request::SendSubmission {
            request,
            dry_run,
            reply,
        };
        self.commands
            .send(Command::Send(submission))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Marks queued message `id` as being sent, durably, before the request to Meta leaves.
    /// `None` when it is no longer queued.
    pub async fn claim(&self, id: u64) -> Result<Option<OutboundMessage>, StoreError> {
        self.sender_update(request::SenderUpdate::Claim(id)).await
    }

    /// Records what came of the request to Meta for message `id`, durably.
    pub async fn settle(
        &self,
        id: u64,
        settlement: Settlement,
    ) -> Result<Option<OutboundMessage>, StoreError> {
        self.sender_update(request::SenderUpdate::Settle(id, settlement))
            .await
    }

    /// Holds `number` (`Some`) or lifts its hold (`None`), durably.
    pub async fn set_hold(&self, number: &str, hold: Option<Hold>) -> Result<(), StoreError> {
        self.sender_update(request::SenderUpdate::Hold(number.to_owned(), hold))
            .await
            .map(|_| ())
    }

    /// The held numbers, with their holds.
    pub async fn holds(&self) -> Result<Vec<(String, Hold)>, StoreError> {
        self.read(|db| outbox::read_holds(&db.begin_read()?)).await
    }

    async fn sender_update(
        &self,
        update: request::SenderUpdate,
    ) -> Result<Option<OutboundMessage>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Sender(request::SenderSubmission { update, reply }))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Records a purchase of `credits` made upstream (`reference`: an invoice or payment id),
    /// with its fee, durably.
    pub async fn purchase(
        &self,
        credits: u64,
        reference: String,
    ) -> Result<[Entry; 2], PurchaseRefusal> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Purchase(request::PurchaseSubmission {
                credits,
                reference,
                reply,
            }))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The credit ledger (its totals and the reservations of queued paid messages) and its
    /// entries, from one snapshot.
    pub async fn ledger(&self) -> Result<(Ledger, Vec<Entry>), StoreError> {
        self.read(|db| books::read_ledger(&db.begin_read()?)).await
    }

    /// Outgoing message `id`, if it exists.
    pub async fn message(&self, id: u64) -> Result<Option<OutboundMessage>, StoreError> {
        self.read(move |db| outbox::read_message(&db.begin_read()?, id))
            .await
    }

    /// The `page` of the outgoing messages `filter` admits (every one, or those in a state), in
    /// id order.
    pub async fn messages_page(
        &self,
        filter: MessageFilter,
        page: Page,
    ) -> Result<Listed<OutboundMessage>, StoreError> {
        self.read(move |db| outbox::page_messages(&db.begin_read()?, filter, page))
            .await
    }

    /// The outgoing messages `filter` admits, in id order.
    pub async fn messages(
        &self,
        filter: MessageFilter,
    ) -> Result<Vec<OutboundMessage>, StoreError> {
        self.read(move |db| outbox::list_messages(&db.begin_read()?, filter))
            .await
    }

    /// Asks the writer to close the chats whose deadline has passed. Never waits: when the
    /// writer is busy, its queue already guarantees another look soon.
    pub fn tick(&self) {
        let _ = self.commands.try_send(Command::Tick);
    }

    /// Closes the chats whose deadline has passed and returns once the sweep has run (after
    /// everything queued before it).
    pub async fn sweep(&self) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Sweep(reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)
    }

    /// Whether the store takes writes (or is recovering from a disk error, and why).
    pub fn health(&self) -> &StoreHealth {
        &self.health
    }

    /// The quota's current measure.
    pub fn usage(&self) -> &SharedUsage {
        &self.usage
    }

    /// The quota: new data is refused when the measure would pass it.
    pub fn quota_bytes(&self) -> u64 {
        self.quota_bytes
    }

    /// The writer's group-commit histograms.
    pub fn commit_metrics(&self) -> &CommitMetrics {
        &self.commit_metrics
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl StoreWriter {
    /// Lets the writer finish everything queued, closes the database and joins the thread.
    /// Blocking: call it from a blocking context, never on an async worker thread.
    pub fn close(mut self) {
        if let Some(thread) = self.thread.take() {
            // If the channel is full this waits for room: queued work is finished first.
            let _ = self.commands.blocking_send(Command::Close);
            if thread.join().is_err() {
                tracing::error!("the store writer thread panicked");
            }
        }
    }
}

impl Drop for StoreWriter {
    /// Dropping without [`StoreWriter::close`] asks the writer to stop after its queue but does
    /// not wait (a drop may run on an async thread, which must not block).
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.commands.try_send(Command::Close);
        }
    }
}

#[cfg(test)]
mod tests;
