//! What the shell hands the store writer, and what it gets back.

use tokio::sync::oneshot;

use super::StoreError;
use super::chat_access::{ChatAction, ChatActionError};
use super::chats::CustomerMessageInput;
use crate::chat::{BusinessNumber, Chat, CustomerId};
use crate::meta::{TemplateCategoryUpdate, TemplateStatusUpdate};
use crate::time::UnixMs;

/// One event ready for the store: its dedupe key and its encoded log record.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    /// The dedupe key (see [`crate::meta::DedupeKey`]); events whose key is already in the index
    /// are dropped as duplicates.
    pub dedupe_key: Vec<u8>,
    /// The encoded [`super::LogRecord`].
    pub record: Vec<u8>,
    /// What else the event changes, in the same transaction as the append (only when the
    /// event is new, never for a duplicate).
    pub effect: Option<EventEffect>,
}

/// What an event changes besides the inbound log.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventEffect {
    /// A customer's message: it goes to the customer's open chat (or opens one), and opens or
    /// restarts their customer-service window.
    CustomerMessage(CustomerMessageInput),
    /// Meta reports that the business sent a message (a `sent` status): it may answer a free
    /// entry point offer and open its 72 h window, and it resets an active chat's idle timer.
    BusinessMessageSent(BusinessMessageSent),
    /// A `message_template_status_update`, sent by Meta at `at`.
    TemplateStatus {
        /// The update.
        update: TemplateStatusUpdate,
        /// `entry[].time`: when Meta sent it.
        at: UnixMs,
    },
    /// A `template_category_update`, sent by Meta at `at`.
    TemplateCategory {
        /// The update.
        update: TemplateCategoryUpdate,
        /// `entry[].time`: when Meta sent it.
        at: UnixMs,
    },
}

/// A message the business sent to a customer, as its `sent` status reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessMessageSent {
    /// The business number it was sent from.
    pub number: BusinessNumber,
    /// The customer it went to.
    pub customer: CustomerId,
    /// The status's timestamp: when Meta sent it.
    pub sent_at: UnixMs,
}

/// Everything one webhook delivery asks the store to keep, committed atomically.
#[derive(Debug, Default)]
pub struct IngestBatch {
    /// The decoded events, in payload order.
    pub events: Vec<PreparedEvent>,
    /// Encoded [`super::DeadLetter`]s: undecodable bodies or items.
    pub dead_letters: Vec<Vec<u8>>,
}

/// What the store did with an [`IngestBatch`], once it is durable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Events appended to the inbound log.
    pub appended: u32,
    /// Events dropped because their dedupe key was already known.
    pub duplicates: u32,
    /// Dead letters stored.
    pub dead_letters: u32,
    /// The sequence number of the first appended event, if any.
    pub first_seq: Option<u64>,
}

/// A batch in flight to the writer, with the channel its answer goes back on.
pub(super) struct Submission {
    pub(super) batch: IngestBatch,
    pub(super) reply: oneshot::Sender<Result<IngestOutcome, StoreError>>,
}

/// An operator's action on a chat, on its way to the writer.
pub(super) struct ActionSubmission {
    pub(super) chat: u64,
    pub(super) action: ChatAction,
    pub(super) reply: oneshot::Sender<Result<Chat, ChatActionError>>,
}

/// A message to the writer thread.
pub(super) enum Command {
    /// Commit this batch durably, then answer.
    Ingest(Submission),
    /// Close the chats whose deadline has passed (sent about once a second).
    Tick,
    /// Like `Tick`, then answer: the sweep has run (for callers that must know, like tests).
    Sweep(oneshot::Sender<()>),
    /// Apply an operator's action to a chat, durably, then answer.
    Act(ActionSubmission),
    /// Finish everything queued before this, close the database, and stop.
    Close,
}
