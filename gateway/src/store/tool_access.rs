//! Operators' access to their tools while the gateway runs: changes through the writer (each
//! in its own durable transaction, with its journal event; see `writer/tools.rs`), reads
//! through read transactions on the blocking pool.

use redb::{ReadTransaction, ReadableDatabase as _};
use serde::Deserialize;
use tokio::sync::oneshot;

use super::chats::decode_chat;
use super::request::Command;
use super::tables::{ARTICLES, CANNED_RESPONSES, CHAT_MESSAGES, CHATS, INBOUND_LOG};
use super::tool_records::{all_articles, all_canned, decode_article, decode_canned};
use super::tools::{Put, TicketSent, ToolRefusal};
use super::{LogRecord, RecordKind, Store, StoreError};
use crate::chat::Chat;
use crate::tools::{
    Article, ArticleInput, CannedInput, CannedResponse, Lead, Note, TicketRequest, ToolSource,
};

/// How many of a chat's latest messages are looked at for the customer's profile name.
const NAME_LOOKBACK: usize = 50;

/// Where a writer's answer to a tool change goes.
pub(super) type ToolReply<T> = oneshot::Sender<Result<T, ToolRefusal>>;

/// A change to the tools, on its way to the writer with the channel its answer goes back on.
pub(super) enum ToolChange {
    PutCanned {
        id: Option<String>,
        input: CannedInput,
        source: ToolSource,
        reply: ToolReply<Put<CannedResponse>>,
    },
    DeleteCanned {
        id: String,
        reply: ToolReply<CannedResponse>,
    },
    PutArticle {
        id: Option<String>,
        input: ArticleInput,
        source: ToolSource,
        reply: ToolReply<Put<Article>>,
    },
    DeleteArticle {
        id: String,
        reply: ToolReply<Article>,
    },
    AddNote {
        chat: u64,
        author: String,
        text: String,
        reply: ToolReply<Note>,
    },
    SetTags {
        chat: u64,
        by: String,
        tags: Vec<String>,
        reply: ToolReply<Vec<String>>,
    },
    CaptureLead {
        chat: u64,
        by: String,
        lead: Lead,
        reply: ToolReply<Recorded<Lead>>,
    },
    RequestTicket {
        chat: u64,
        by: String,
        request: TicketRequest,
        reply: ToolReply<Recorded<TicketSent>>,
    },
}

impl ToolChange {
    /// Answers `error` without applying the change (the writer is stopping).
    pub(super) fn refuse(self, error: StoreError) {
        let error = ToolRefusal::Store(error);
        match self {
            Self::PutCanned { reply, .. } => drop(reply.send(Err(error))),
            Self::DeleteCanned { reply, .. } => drop(reply.send(Err(error))),
            Self::PutArticle { reply, .. } => drop(reply.send(Err(error))),
            Self::DeleteArticle { reply, .. } => drop(reply.send(Err(error))),
            Self::AddNote { reply, .. } => drop(reply.send(Err(error))),
            Self::SetTags { reply, .. } => drop(reply.send(Err(error))),
            Self::CaptureLead { reply, .. } => drop(reply.send(Err(error))),
            Self::RequestTicket { reply, .. } => drop(reply.send(Err(error))),
        }
    }
}

/// What a change that reports to headquarters did, with its journal event's seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<T> {
    /// What the change answers.
    pub value: T,
    /// The seq of the event it appended.
    pub event_seq: u64,
}

/// What rendering a canned response for a chat takes, from one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderInputs {
    /// The chat.
    pub chat: Chat,
    /// The canned response, if it exists.
    pub canned: Option<CannedResponse>,
    /// The customer's WhatsApp profile name, from their latest message in the chat that
    /// carried one (Meta sends it with each message), if any.
    pub contact_name: Option<String>,
}

impl Store {
    /// Sends `change` (made with its reply channel) to the writer and waits for its answer.
    async fn change_tools<T>(
        &self,
        change: impl FnOnce(ToolReply<T>) -> ToolChange,
    ) -> Result<T, ToolRefusal> {
        let (reply, answer) = oneshot::channel();
        self.send_command(Command::Tool(change(reply))).await?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Puts canned response `id` (`None`: a new one, numbered by the store) as `source`,
    /// durably.
    pub async fn put_canned_response(
        &self,
        id: Option<String>,
        input: CannedInput,
        source: ToolSource,
    ) -> Result<Put<CannedResponse>, ToolRefusal> {
        self.change_tools(|reply| ToolChange::PutCanned {
            id,
            input,
            source,
            reply,
        })
        .await
    }

    /// Deletes canned response `id`, durably; answers what it was.
    pub async fn delete_canned_response(&self, id: String) -> Result<CannedResponse, ToolRefusal> {
        self.change_tools(|reply| ToolChange::DeleteCanned { id, reply })
            .await
    }

    /// Puts article `id` (`None`: a new one, numbered by the store) as `source`, durably.
    pub async fn put_article(
        &self,
        id: Option<String>,
        input: ArticleInput,
        source: ToolSource,
    ) -> Result<Put<Article>, ToolRefusal> {
        self.change_tools(|reply| ToolChange::PutArticle {
            id,
            input,
            source,
            reply,
        })
        .await
    }

    /// Deletes article `id`, durably; answers what it was.
    pub async fn delete_article(&self, id: String) -> Result<Article, ToolRefusal> {
        self.change_tools(|reply| ToolChange::DeleteArticle { id, reply })
            .await
    }

    /// Adds `author`'s note to chat `chat`, durably, with its `note.added` event.
    pub async fn add_note(
        &self,
        chat: u64,
        author: String,
        text: String,
    ) -> Result<Note, ToolRefusal> {
        self.change_tools(|reply| ToolChange::AddNote {
            chat,
            author,
            text,
            reply,
        })
        .await
    }

    /// Sets chat `chat`'s tags for `by`, durably, with a `tags.changed` event when they
    /// changed; answers the tags as kept.
    pub async fn set_tags(
        &self,
        chat: u64,
        by: String,
        tags: Vec<String>,
    ) -> Result<Vec<String>, ToolRefusal> {
        self.change_tools(|reply| ToolChange::SetTags {
            chat,
            by,
            tags,
            reply,
        })
        .await
    }

    /// Reports a lead `by` captured from chat `chat` (`lead.captured`), durably.
    pub async fn capture_lead(
        &self,
        chat: u64,
        by: String,
        lead: Lead,
    ) -> Result<Recorded<Lead>, ToolRefusal> {
        self.change_tools(|reply| ToolChange::CaptureLead {
            chat,
            by,
            lead,
            reply,
        })
        .await
    }

    /// Reports a ticket `by` requested from chat `chat`, with its transcript
    /// (`ticket.requested`), durably.
    pub async fn request_ticket(
        &self,
        chat: u64,
        by: String,
        request: TicketRequest,
    ) -> Result<Recorded<TicketSent>, ToolRefusal> {
        self.change_tools(|reply| ToolChange::RequestTicket {
            chat,
            by,
            request,
            reply,
        })
        .await
    }

    /// Every canned response, by shortcut.
    pub async fn canned_responses(&self) -> Result<Vec<CannedResponse>, StoreError> {
        self.read(|db| {
            let mut all = all_canned(&db.begin_read()?.open_table(CANNED_RESPONSES)?)?;
            all.sort_by(|a, b| a.shortcut.cmp(&b.shortcut));
            Ok(all)
        })
        .await
    }

    /// Canned response `id`, if it exists.
    pub async fn canned_response(&self, id: String) -> Result<Option<CannedResponse>, StoreError> {
        self.read(move |db| read_canned(&db.begin_read()?, &id))
            .await
    }

    /// Every article, by title.
    pub async fn articles(&self) -> Result<Vec<Article>, StoreError> {
        self.read(|db| {
            let mut all = all_articles(&db.begin_read()?.open_table(ARTICLES)?)?;
            all.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
            Ok(all)
        })
        .await
    }

    /// Article `id`, if it exists.
    pub async fn article(&self, id: String) -> Result<Option<Article>, StoreError> {
        self.read(move |db| {
            let table = db.begin_read()?.open_table(ARTICLES)?;
            let article = match table.get(id.as_str())? {
                Some(bytes) => Some(decode_article(&id, bytes.value())?),
                None => None,
            };
            Ok(article)
        })
        .await
    }

    /// Chat `chat`, canned response `canned` and the customer's profile name, from one
    /// snapshot; `None` when there is no such chat.
    pub async fn render_inputs(
        &self,
        chat: u64,
        canned: String,
    ) -> Result<Option<RenderInputs>, StoreError> {
        self.read(move |db| {
            let txn = db.begin_read()?;
            let Some(bytes) = txn
                .open_table(CHATS)?
                .get(chat)?
                .map(|b| b.value().to_vec())
            else {
                return Ok(None);
            };
            Ok(Some(RenderInputs {
                chat: decode_chat(chat, &bytes)?,
                canned: read_canned(&txn, &canned)?,
                contact_name: contact_name(&txn, chat)?,
            }))
        })
        .await
    }
}

fn read_canned(txn: &ReadTransaction, id: &str) -> Result<Option<CannedResponse>, StoreError> {
    match txn.open_table(CANNED_RESPONSES)?.get(id)? {
        Some(bytes) => decode_canned(id, bytes.value()).map(Some),
        None => Ok(None),
    }
}

/// A logged message's content as far as the profile name: `{"message": {"contact":
/// {"profile": {"name": ...}}}}` (the decoded `Event`, whose other members are ignored).
#[derive(Deserialize)]
struct LoggedContent {
    message: Option<LoggedMessage>,
}

#[derive(Deserialize)]
struct LoggedMessage {
    contact: Option<LoggedContact>,
}

#[derive(Deserialize)]
struct LoggedContact {
    profile: Option<LoggedProfile>,
}

#[derive(Deserialize)]
struct LoggedProfile {
    name: Option<String>,
}

/// The profile name in the latest of chat `chat`'s last [`NAME_LOOKBACK`] messages that has
/// one (Meta sends the sender's `contacts[].profile.name` with each message; the inbound log
/// keeps it).
fn contact_name(txn: &ReadTransaction, chat: u64) -> Result<Option<String>, StoreError> {
    let index = txn.open_table(CHAT_MESSAGES)?;
    let log = txn.open_table(INBOUND_LOG)?;
    for row in index
        .range((chat, 0)..=(chat, u64::MAX))?
        .rev()
        .take(NAME_LOOKBACK)
    {
        let seq = row?.0.value().1;
        let Some(bytes) = log.get(seq)? else {
            continue;
        };
        let Ok(record) = LogRecord::from_bytes(bytes.value()) else {
            continue;
        };
        if record.kind != RecordKind::Message {
            continue;
        }
        let name = serde_json::from_str::<LoggedContent>(&record.content_json)
            .ok()
            .and_then(|content| content.message?.contact?.profile?.name)
            .filter(|name| !name.trim().is_empty());
        if name.is_some() {
            return Ok(name);
        }
    }
    Ok(None)
}
