//! Operators' access to chats while the gateway runs: reads through read transactions on the
//! blocking pool, actions (accept, close, transfer) through the writer, so each commits with its
//! effects like any other change. (Notes, tags, leads and tickets: `tool_access.rs`.)

use std::ops::ControlFlow;

use redb::{Database, ReadTransaction, ReadableDatabase};

use super::chats::chat_from_bytes;
use super::contact_profile::{ContactProfile, contact_profile};
use super::outbound_record::OutboundMessage;
use super::outbox::chat_messages;
use super::page::{Listed, Page};
use super::tables::{CHAT_MESSAGES, CHAT_NOTES, CHAT_TAGS, CHATS, INBOUND_LOG};
use super::templates::read_registry;
use super::tool_records::{chat_notes, chat_tags};
use super::windows::read_window;
use super::{LogRecord, StoreError};
use crate::chat::{Chat, ChatState, Refusal};
use crate::policy::{TemplateRegistry, WindowState};
use crate::tools::Note;

/// Which chats a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFilter {
    /// Every chat.
    All,
    /// Chats waiting for an operator.
    Waiting,
    /// Chats an operator or the bot serves.
    Active,
    /// Closed chats.
    Closed,
}

impl ChatFilter {
    fn admits(self, chat: &Chat) -> bool {
        matches!(
            (self, &chat.state),
            (Self::All, _)
                | (Self::Waiting, ChatState::Waiting)
                | (Self::Active, ChatState::Active { .. })
                | (Self::Closed, ChatState::Closed { .. })
        )
    }
}

/// What an operator does to a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatAction {
    /// Take the chat (it becomes active, served by this operator).
    Accept {
        /// The operator.
        operator: String,
    },
    /// Close the chat.
    Close {
        /// The operator.
        operator: String,
    },
    /// Send the chat to another department's queue.
    Transfer {
        /// The operator.
        operator: String,
        /// The department.
        department: String,
    },
}

/// Why an action was not applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChatActionError {
    /// There is no chat with that id.
    #[error("no chat with that id")]
    NotFound,
    /// The lifecycle refused the action (the chat is closed, another operator serves it...).
    #[error("{0}")]
    Refused(Refusal),
    /// The store failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One of a chat's messages: its place in the inbound log and its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The inbound log sequence number.
    pub seq: u64,
    /// The stored record.
    pub record: LogRecord,
}

/// The chats `filter` admits, in id order.
pub(super) fn list_chats(db: &Database, filter: ChatFilter) -> Result<Vec<Chat>, StoreError> {
    let listed = each_chat(&db.begin_read()?, filter, Page::ALL, |_, chat| Ok(chat))?;
    Ok(listed.items)
}

/// `make` of each chat `filter` admits in `txn`, in id order.
fn each_chat<T>(
    txn: &ReadTransaction,
    filter: ChatFilter,
    page: Page,
    mut make: impl FnMut(&ReadTransaction, Chat) -> Result<T, StoreError>,
) -> Result<Listed<T>, StoreError> {
    let table = txn.open_table(CHATS)?;
    let admitted = table.range(page.ids())?.map(|row| {
        let (id, bytes) = row?;
        let chat = decode(id.value(), bytes.value())?;
        Ok(filter.admits(&chat).then_some(chat))
    });
    Listed::collect(page, admitted, |chat| make(txn, chat))
}

/// The chats `filter` admits, in id order, each with its customer's profile, from one snapshot.
pub(super) fn list_chats_with_contacts(
    db: &Database,
    filter: ChatFilter,
    page: Page,
) -> Result<Listed<(Chat, ContactProfile)>, StoreError> {
    each_chat(&db.begin_read()?, filter, page, |txn, chat| {
        let profile = contact_profile(txn, chat.id.0)?;
        Ok((chat, profile))
    })
}

/// A chat as an operator reads it: the chat, its messages in log order, and the service
/// window of its (number, customer) pair, all from one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatView {
    /// The chat.
    pub chat: Chat,
    /// Its messages, in log order.
    pub messages: Vec<ChatMessage>,
    /// The operators' messages written in it, in the order they were written.
    pub outbound: Vec<OutboundMessage>,
    /// The service window of the chat's customer on the chat's number (shared by every chat
    /// of that pair: the window outlives chats).
    pub window: WindowState,
    /// The operators' internal notes on it, oldest first.
    pub notes: Vec<Note>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its customer's profile, as their messages showed it.
    pub contact: ContactProfile,
}

/// The chat `id` with its messages and window, if it exists.
pub(super) fn chat_view(db: &Database, id: u64) -> Result<Option<ChatView>, StoreError> {
    view_in(&db.begin_read()?, id)
}

/// The chat `id` as [`chat_view`] reads it and the template registry, from one snapshot: what
/// a send check judges by.
pub(super) fn chat_view_and_templates(
    db: &Database,
    id: u64,
) -> Result<Option<(ChatView, TemplateRegistry)>, StoreError> {
    let txn = db.begin_read()?;
    let Some(view) = view_in(&txn, id)? else {
        return Ok(None);
    };
    Ok(Some((view, read_registry(&txn)?)))
}

fn view_in(txn: &ReadTransaction, id: u64) -> Result<Option<ChatView>, StoreError> {
    let Some(chat) = load(txn, id)? else {
        return Ok(None);
    };
    let window = read_window(txn, &chat.number, &chat.customer)?;
    let index = txn.open_table(CHAT_MESSAGES)?;
    let log = txn.open_table(INBOUND_LOG)?;
    let mut messages = Vec::new();
    let mut failure = None;
    let mut visit = |seq: u64| -> ControlFlow<()> {
        match log.get(seq) {
            Ok(Some(bytes)) => match LogRecord::from_bytes(bytes.value()) {
                Ok(record) => messages.push(ChatMessage { seq, record }),
                Err(error) => failure = Some(record_error("inbound_log", seq, &error)),
            },
            Ok(None) => {}
            Err(error) => failure = Some(error.into()),
        }
        if failure.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    for row in index.range((id, 0)..=(id, u64::MAX))? {
        let (key, ()) = row.map(|(k, v)| (k.value(), v.value()))?;
        if visit(key.1).is_break() {
            break;
        }
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(Some(ChatView {
            outbound: chat_messages(txn, id)?,
            notes: chat_notes(&txn.open_table(CHAT_NOTES)?, id)?,
            tags: chat_tags(&txn.open_table(CHAT_TAGS)?, id)?,
            contact: contact_profile(txn, id)?,
            chat,
            messages,
            window,
        })),
    }
}

fn load(txn: &ReadTransaction, id: u64) -> Result<Option<Chat>, StoreError> {
    let table = txn.open_table(CHATS)?;
    let chat = match table.get(id)? {
        Some(bytes) => Some(decode(id, bytes.value())?),
        None => None,
    };
    Ok(chat)
}

fn decode(id: u64, bytes: &[u8]) -> Result<Chat, StoreError> {
    chat_from_bytes(bytes).map_err(|error| record_error("chats", id, &error))
}

fn record_error(table: &'static str, key: u64, error: &postcard::Error) -> StoreError {
    StoreError::Record {
        table,
        key,
        reason: error.to_string(),
    }
}

/// The template registry as the store keeps it.
pub(super) fn templates(db: &Database) -> Result<TemplateRegistry, StoreError> {
    read_registry(&db.begin_read()?)
}
