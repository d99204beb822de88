//! What the shell hands the store writer, and what it gets back.

use tokio::sync::oneshot;

use super::StoreError;
use super::chat_access::{ChatAction, ChatActionError};
use super::chats::CustomerMessageInput;
use super::outbound_record::{OutboundMessage, SendFailure, SettledPricing};
use crate::chat::{BusinessNumber, Chat, CustomerId, Refusal};
use crate::meta::{TemplateCategoryUpdate, TemplateStatusUpdate};
use crate::outbound::{Hold, MessageState, StatusKind};
use crate::pricing::{Entry, EstimateRefusal, Insufficient, LedgerError};
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
    /// News of a business number or its account from Meta (name, quality, account update):
    /// reported as a `number.state_changed` event with `data`, a JSON object.
    NumberNews {
        /// The event's data.
        data: String,
    },
    /// A status of a message the business sent: it moves the gateway's own message forward
    /// (when it is one), and a `sent` status also counts as the business's message.
    MessageStatus {
        /// What the status says of the message.
        update: StatusUpdate,
        /// For a `sent` status: the business's message as the windows and chats count it.
        sent: Option<BusinessMessageSent>,
    },
}

/// A status webhook about a message the business sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// Meta's id of the message.
    pub wamid: String,
    /// The local message id the sender attached as `biz_opaque_callback_data`, if any.
    pub local_id: Option<u64>,
    /// The status.
    pub status: StatusKind,
    /// For `failed`: Meta's error and what to do about it.
    pub failure: Option<SendFailure>,
    /// The status's `pricing`, when it has one.
    pub pricing: Option<SettledPricing>,
}

/// What the operator's message must pass besides the chat: the window, and for a template its
/// registration and the US pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendCheck {
    /// A non-template message (text, media, reaction).
    FreeForm,
    /// A registered template.
    Template {
        /// Its name.
        name: String,
        /// Its language code.
        language: String,
        /// How many body parameters the send supplies.
        parameters: usize,
    },
}

/// An operator's message on its way to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// The chat it is written in.
    pub chat: u64,
    /// The operator.
    pub operator: String,
    /// The operator's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// Its type (`text`, `template`...).
    pub kind: String,
    /// The body as JSON text (Meta's send body without `messaging_product` and `to`).
    pub body: String,
    /// What the rules check.
    pub check: SendCheck,
    /// The failed or uncertain message it retries.
    pub retry_of: Option<u64>,
}

/// What the store did with a [`SendRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The message (new, or the one an earlier request with the same key created).
    pub message: OutboundMessage,
    /// Whether this request created it.
    pub created: bool,
}

/// Why a message was not queued. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendRefusal {
    /// There is no chat with that id.
    #[error("no chat with that id")]
    NoChat,
    /// There is no message with that id.
    #[error("no message {0}")]
    NoMessage(u64),
    /// The chat's lifecycle refuses (it is closed, another operator serves it...).
    #[error("{0}")]
    Chat(Refusal),
    /// The messaging rules refuse; every rule that does is named.
    #[error("the messaging rules refuse this message: {}", .0.join("; "))]
    Rules(Vec<String>),
    /// The message is charged and cannot be priced (no rate, or no market).
    #[error("{0}")]
    Unpriced(EstimateRefusal),
    /// The credits available do not cover the message's estimate.
    #[error("{0}")]
    Credits(Insufficient),
    /// The same `Idempotency-Key` came with another chat or body.
    #[error(
        "this Idempotency-Key was used for message {id} with another chat or body; use a new key for a new message"
    )]
    IdempotencyKeyReused {
        /// The message the key created.
        id: u64,
    },
    /// Only a failed or uncertain message can be retried.
    #[error("message {id} is {} and cannot be retried; only failed or uncertain messages can", .state.as_str())]
    NotRetryable {
        /// The message.
        id: u64,
        /// Its state.
        state: MessageState,
    },
    /// Meta forbids retrying this failure yet.
    #[error(
        "message {id} cannot be retried before {until} (Unix ms): Meta limits retries of this failure"
    )]
    RetryTooSoon {
        /// The message.
        id: u64,
        /// The earliest retry.
        until: UnixMs,
    },
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What came of a request to Meta for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Meta accepted it and named it `wamid`.
    Accepted {
        /// Meta's id.
        wamid: String,
    },
    /// It will be tried again, not before `not_before`.
    Retry {
        /// Why this attempt failed.
        failure: SendFailure,
        /// The backoff's end.
        not_before: UnixMs,
    },
    /// Back in the queue without a backoff (its number is held, or its recipient slowed down).
    Requeue {
        /// Why it did not go.
        failure: SendFailure,
    },
    /// The request left but no answer came: Meta may have accepted it. It is never sent
    /// again without an operator.
    Uncertain {
        /// What happened.
        failure: SendFailure,
    },
    /// It will not be sent.
    Failed {
        /// Why.
        failure: SendFailure,
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

/// An operator's message on its way to the writer.
pub(super) struct SendSubmission {
    pub(super) request: SendRequest,
    /// Only check and price it: nothing is written, and the answer's message has id 0.
    pub(super) dry_run: bool,
    pub(super) reply: oneshot::Sender<Result<Queued, SendRefusal>>,
}

/// The sender's change to a message: claim it before asking Meta, or settle it after.
pub(super) enum SenderUpdate {
    /// Mark it `sending`; answered with it, or `None` when it is no longer queued.
    Claim(u64),
    /// Record what Meta answered.
    Settle(u64, Settlement),
    /// Hold a number (`Some`), or lift its hold (`None`); answered with `None`.
    Hold(String, Option<Hold>),
}

/// A sender's change on its way to the writer.
pub(super) struct SenderSubmission {
    pub(super) update: SenderUpdate,
    pub(super) reply: oneshot::Sender<Result<Option<OutboundMessage>, StoreError>>,
}

/// A purchase of credits on its way to the writer.
pub(super) struct PurchaseSubmission {
    pub(super) credits: u64,
    pub(super) reference: String,
    pub(super) reply: oneshot::Sender<Result<[Entry; 2], PurchaseRefusal>>,
}

/// Why a purchase was not recorded. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PurchaseRefusal {
    /// The ledger cannot take it (no credits, or a total too large).
    #[error("{0}")]
    Ledger(LedgerError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
    /// Queue an operator's message, durably, then answer.
    Send(SendSubmission),
    /// Claim or settle a message for the sender, durably, then answer.
    Sender(SenderSubmission),
    /// Record a purchase of credits, durably, then answer.
    Purchase(PurchaseSubmission),
    /// Change the attachments, durably, then answer.
    Media(super::media::MediaSubmission),
    /// Form, settle or retry a batch for headquarters, durably, then answer.
    Upstream(super::upstream::UpstreamSubmission),
    /// Change the operators' tools, durably, then answer.
    Tool(super::tool_access::ToolJob),
    /// Carry out a command from headquarters (at most once), durably, then answer.
    Hq(super::commands::CommandSubmission),
    /// Finish everything queued before this, close the database, and stop.
    Close,
}
