//! Commands from headquarters inside the store: each runs through the same table code as the
//! local API, in one transaction with the record that it ran and its `command.result` event, so
//! a command id is carried out at most once, ever, and headquarters always learns the result.

use redb::{ReadableDatabase as _, ReadableTable, WriteTransaction};
use serde::Serialize;
use tokio::sync::oneshot;

use super::chat_access::{ChatAction, ChatActionError};
use super::journal::Recorder;
use super::request::{Command, SendRequest};
use super::tables::{COMMANDS_DONE, TEXT_COMMAND_CURSOR, TEXT_STATE};
use super::{Store, StoreError};
use crate::journal::{EventType, NewEvent};
use crate::time::UnixMs;

/// What a command from headquarters asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HqAction {
    /// `send_message`: an operator's message, as the local send API queues it.
    Send(SendRequest),
    /// `accept`, `close`, `transfer`.
    Chat {
        /// The chat.
        chat: u64,
        /// What to do.
        action: ChatAction,
    },
    /// `add_note`.
    AddNote {
        /// The chat.
        chat: u64,
        /// Who wrote it.
        author: String,
        /// The note.
        text: String,
    },
    /// `set_tags`.
    SetTags {
        /// The chat.
        chat: u64,
        /// Its tags from now on.
        tags: Vec<String>,
    },
    /// `put_canned_response`.
    PutCanned {
        /// Its id.
        id: String,
        /// What an operator types to find it.
        shortcut: String,
        /// Its text, with placeholders.
        body: String,
    },
    /// `delete_canned_response`.
    DeleteCanned(String),
    /// `put_article`.
    PutArticle {
        /// Its id.
        id: String,
        /// Its title.
        title: String,
        /// Its text.
        body: String,
        /// Where to read more.
        link: Option<String>,
    },
    /// `delete_article`.
    DeleteArticle(String),
}

impl HqAction {
    /// The chat the command is about, if any.
    pub fn chat(&self) -> Option<u64> {
        match self {
            Self::Send(request) => Some(request.chat),
            Self::Chat { chat, .. } | Self::AddNote { chat, .. } | Self::SetTags { chat, .. } => {
                Some(*chat)
            }
            Self::PutCanned { .. }
            | Self::DeleteCanned(_)
            | Self::PutArticle { .. }
            | Self::DeleteArticle(_) => None,
        }
    }
}

/// A command from headquarters: its id, its type's wire name, and what it asks for (or why it
/// cannot be understood: it is then refused with that reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HqCommand {
    /// HQ's id of the command.
    pub id: String,
    /// Its `type` as HQ wrote it.
    pub command_type: String,
    /// What it asks for, or why it was not understood.
    pub action: Result<HqAction, String>,
}

/// What came of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// It was carried out.
    Accepted {
        /// The message it queued, for `send_message`.
        message: Option<u64>,
    },
    /// It was refused, for this reason.
    Refused(String),
    /// A command with this id ran before: nothing was done again.
    AlreadyDone,
}

/// A command on its way to the writer.
pub(super) struct CommandSubmission {
    pub(super) command: HqCommand,
    pub(super) reply: oneshot::Sender<Result<CommandOutcome, StoreError>>,
}

/// The data of a `command.result` event.
#[derive(Serialize)]
struct ResultJson<'a> {
    command_id: &'a str,
    #[serde(rename = "type")]
    command_type: &'a str,
    /// `accepted` or `refused`.
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<u64>,
}

/// Whether command `id` ran before, in this transaction's view.
pub(super) fn already_done(txn: &WriteTransaction, id: &str) -> Result<bool, StoreError> {
    Ok(txn.open_table(COMMANDS_DONE)?.get(id)?.is_some())
}

/// Records that `command` ran at `now` with `outcome` (its result event included), and moves
/// the cursor to it.
pub(super) fn record_done(
    txn: &WriteTransaction,
    recorder: &Recorder,
    command: &HqCommand,
    outcome: &CommandOutcome,
    now: UnixMs,
) -> Result<u64, StoreError> {
    txn.open_table(TEXT_STATE)?
        .insert(TEXT_COMMAND_CURSOR, command.id.as_str())?;
    if *outcome == CommandOutcome::AlreadyDone {
        return Ok(0);
    }
    txn.open_table(COMMANDS_DONE)?
        .insert(command.id.as_str(), now)?;
    let (result, reason, message_id) = match outcome {
        CommandOutcome::Accepted { message } => ("accepted", None, *message),
        CommandOutcome::Refused(reason) => ("refused", Some(reason.as_str()), None),
        CommandOutcome::AlreadyDone => ("accepted", None, None),
    };
    recorder.record(NewEvent::json(
        EventType::CommandResult,
        command.action.as_ref().ok().and_then(HqAction::chat),
        &ResultJson {
            command_id: &command.id,
            command_type: &command.command_type,
            result,
            reason,
            message_id,
        },
    ));
    Ok(u64::try_from(command.id.len()).unwrap_or(u64::MAX) + 8)
}

/// Why a chat action was refused, for a `command.result`.
pub(super) fn chat_refusal(chat: u64, error: ChatActionError) -> Result<String, StoreError> {
    match error {
        ChatActionError::NotFound => Ok(format!("there is no chat {chat}")),
        ChatActionError::Refused(refusal) => Ok(refusal.to_string()),
        ChatActionError::Store(error) => Err(error),
    }
}

impl Store {
    /// Carries out a command from headquarters, at most once per id, ever: answered once it and
    /// its `command.result` event are durable (or with [`CommandOutcome::AlreadyDone`]).
    pub async fn run_command(&self, command: HqCommand) -> Result<CommandOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send_command(Command::Hq(CommandSubmission { command, reply }))
            .await?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The id of the last command from headquarters that was handled (the long poll's `after`).
    pub async fn command_cursor(&self) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(TEXT_STATE)?;
            Ok(table
                .get(TEXT_COMMAND_CURSOR)?
                .map(|id| id.value().to_owned()))
        })
        .await
    }
}
