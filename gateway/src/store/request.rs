//! What the shell hands the store writer, and what it gets back.

use tokio::sync::oneshot;

use super::StoreError;
use super::chat_access::{ChatAction, ChatActionError};
use super::chats::ChatInput;
use crate::chat::Chat;

/// One event ready for the store: its dedupe key and its encoded log record.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    /// The dedupe key (see [`crate::meta::DedupeKey`]); events whose key is already in the index
    /// are dropped as duplicates.
    pub dedupe_key: Vec<u8>,
    /// The encoded [`super::LogRecord`].
    pub record: Vec<u8>,
    /// For a customer's message: the chat it goes to is found (or opened) in the same
    /// transaction as the append.
    pub chat: Option<ChatInput>,
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
    /// Apply an operator's action to a chat, durably, then answer.
    Act(ActionSubmission),
    /// Finish everything queued before this, close the database, and stop.
    Close,
}
