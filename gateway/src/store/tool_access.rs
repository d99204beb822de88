//! Operators' access to their tools while the gateway runs: changes through the writer (each
//! in its own durable transaction, with its journal event; see `writer/tools.rs`), reads
//! through read transactions on the blocking pool.

use redb::{ReadTransaction, ReadableDatabase as _, ReadableTable as _, WriteTransaction};
use tokio::sync::oneshot;

use super::chats::decode_chat;
use super::contact_profile::contact_profile;
use super::journal::EVENT_OVERHEAD_BYTES;
use super::request::Command;
use super::tables::{ARTICLES, CANNED_RESPONSES, CHATS};
use super::tool_records::{all_articles, all_canned, decode_article, decode_canned};
use super::tools::{Put, TOOL_ENTRY_OVERHEAD_BYTES, TicketSent, ToolRefusal, ToolTables};
use super::transcript::{MAX_TRANSCRIPT_BYTES, read_transcript};
use super::writer::tools::Done;
use super::writer::{Writer, len_u64};
use super::{Store, StoreError};
use crate::chat::Chat;
use crate::time::UnixMs;
use crate::tools::{
    Article, ArticleInput, CannedInput, CannedResponse, Lead, MAX_NOTE_BYTES, MAX_NOTES_PER_CHAT,
    MAX_TOOL_ID_LEN, Note, TicketRequest, ToolSource,
};

/// What a chat-bound event adds besides the texts it quotes: the chat, the customer and the
/// field names (an upper bound, for the quota's check).
const CHAT_EVENT_BYTES: u64 = 2048;

/// A tool change on its way to the writer: run with the writer (in a transaction of its own,
/// answering its caller), or with `None` when the writer is stopping (answering that).
pub(super) type ToolJob = Box<dyn FnOnce(Option<&mut Writer>) + Send>;

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
    /// Runs `apply` on the tool tables in the writer's transaction, after checking that
    /// `needed` bytes fit in the quota, and waits until it is durable (or refused).
    async fn run_tool<T: Send + 'static>(
        &self,
        needed: u64,
        apply: impl FnOnce(&WriteTransaction, &mut ToolTables<'_>, UnixMs) -> Result<T, ToolRefusal>
        + Send
        + 'static,
    ) -> Result<Done<T>, ToolRefusal> {
        let (reply, answer) = oneshot::channel();
        let job: ToolJob = Box::new(move |writer| {
            let answer = match writer {
                Some(writer) => writer.tool_transaction(needed, apply),
                None => Err(StoreError::WriterGone.into()),
            };
            let _ = reply.send(answer);
        });
        self.send_command(Command::Tool(job)).await?;
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
        self.run_tool(canned_bound(&input), move |_, tools, now| {
            tools.put_canned(id.as_deref(), &input, source, now)
        })
        .await
        .map(|done| done.value)
    }

    /// Deletes canned response `id`, durably; answers what it was.
    pub async fn delete_canned_response(&self, id: String) -> Result<CannedResponse, ToolRefusal> {
        self.run_tool(0, move |_, tools, _| tools.delete_canned(&id))
            .await
            .map(|done| done.value)
    }

    /// Puts article `id` (`None`: a new one, numbered by the store) as `source`, durably.
    pub async fn put_article(
        &self,
        id: Option<String>,
        input: ArticleInput,
        source: ToolSource,
    ) -> Result<Put<Article>, ToolRefusal> {
        self.run_tool(article_bound(&input), move |_, tools, now| {
            tools.put_article(id.as_deref(), &input, source, now)
        })
        .await
        .map(|done| done.value)
    }

    /// Deletes article `id`, durably; answers what it was.
    pub async fn delete_article(&self, id: String) -> Result<Article, ToolRefusal> {
        self.run_tool(0, move |_, tools, _| tools.delete_article(&id))
            .await
            .map(|done| done.value)
    }

    /// Adds `author`'s note to chat `chat`, durably, with its `note.added` event.
    pub async fn add_note(
        &self,
        chat: u64,
        author: String,
        text: String,
    ) -> Result<Note, ToolRefusal> {
        self.run_tool(note_bound(&author, &text), move |txn, tools, now| {
            tools.add_note(&load_chat(txn, chat)?, &author, &text, now)
        })
        .await
        .map(|done| done.value)
    }

    /// Sets chat `chat`'s tags for `by`, durably, with a `tags.changed` event when they
    /// changed; answers the tags as kept.
    pub async fn set_tags(
        &self,
        chat: u64,
        by: String,
        tags: Vec<String>,
    ) -> Result<Vec<String>, ToolRefusal> {
        self.run_tool(tags_bound(&tags, &by), move |txn, tools, _| {
            tools.set_tags(&load_chat(txn, chat)?, &tags, &by)
        })
        .await
        .map(|done| done.value)
    }

    /// Reports a lead `by` captured from chat `chat` (`lead.captured`), durably.
    pub async fn capture_lead(
        &self,
        chat: u64,
        by: String,
        lead: Lead,
    ) -> Result<Recorded<Lead>, ToolRefusal> {
        let fields = [&lead.name, &lead.email, &lead.phone, &lead.company];
        let mut texts: Vec<&str> = fields.iter().filter_map(|f| f.as_deref()).collect();
        texts.push(&by);
        let needed = event_bound(&texts);
        self.run_tool(needed, move |txn, tools, _| {
            tools.capture_lead(&load_chat(txn, chat)?, &lead, &by)
        })
        .await
        .and_then(recorded)
    }

    /// Reports a ticket `by` requested from chat `chat`, with its transcript
    /// (`ticket.requested`), durably.
    pub async fn request_ticket(
        &self,
        chat: u64,
        by: String,
        request: TicketRequest,
    ) -> Result<Recorded<TicketSent>, ToolRefusal> {
        let fields = [&request.subject, &request.note];
        let mut texts: Vec<&str> = fields.iter().filter_map(|f| f.as_deref()).collect();
        texts.push(&by);
        let notes = MAX_NOTES_PER_CHAT * len_u64(MAX_NOTE_BYTES + 128);
        let needed = event_bound(&texts) + len_u64(MAX_TRANSCRIPT_BYTES) + notes;
        self.run_tool(needed, move |txn, tools, _| {
            let chat = load_chat(txn, chat)?;
            let transcript = read_transcript(txn, chat.id.0)?;
            tools.request_ticket(&chat, &transcript, &request, &by)
        })
        .await
        .and_then(recorded)
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
                contact_name: contact_profile(&txn, chat)?.name,
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

/// The most bytes putting canned response `input` adds.
pub(super) fn canned_bound(input: &CannedInput) -> u64 {
    entry_bound(&[&input.shortcut, &input.body])
}

/// The most bytes putting article `input` adds.
pub(super) fn article_bound(input: &ArticleInput) -> u64 {
    let link = input.link.as_deref().unwrap_or_default();
    entry_bound(&[&input.title, &input.body, link])
}

/// The most bytes a note adds: the note twice, its entry and its event.
pub(super) fn note_bound(author: &str, text: &str) -> u64 {
    entry_bound(&[author, text]) + event_bound(&[author, text])
}

/// The most bytes setting `tags` adds: the tags three times, the entry and the event's new
/// and previous lists.
pub(super) fn tags_bound(tags: &[String], by: &str) -> u64 {
    let texts: Vec<&str> = tags.iter().map(String::as_str).collect();
    entry_bound(&texts) + 2 * event_bound(&texts) + len_u64(by.len())
}

/// The most bytes a new entry quoting `texts` adds (its id, texts and fixed fields), for the
/// quota's check before a tool change (headquarters' commands check the same way).
pub(super) fn entry_bound(texts: &[&str]) -> u64 {
    len_u64(MAX_TOOL_ID_LEN) + TOOL_ENTRY_OVERHEAD_BYTES + 64 + texts_len(texts)
}

/// The most bytes a chat-bound event quoting `texts` adds.
pub(super) fn event_bound(texts: &[&str]) -> u64 {
    EVENT_OVERHEAD_BYTES + CHAT_EVENT_BYTES + texts_len(texts)
}

fn texts_len(texts: &[&str]) -> u64 {
    texts.iter().map(|text| len_u64(text.len())).sum()
}

/// A change that must have appended its event.
fn recorded<T>(done: Done<T>) -> Result<Recorded<T>, ToolRefusal> {
    match done.last_event {
        Some(event_seq) => Ok(Recorded {
            value: done.value,
            event_seq,
        }),
        None => Err(StoreError::GroupFailed(String::from("no event was appended")).into()),
    }
}

/// Chat `id` as stored, or [`ToolRefusal::NoChat`]: what the chat-bound [`ToolTables`]
/// methods take. Opens [`CHATS`] for the call (not while a `ChatTables` is open).
pub(super) fn load_chat(txn: &WriteTransaction, id: u64) -> Result<Chat, ToolRefusal> {
    let chats = txn.open_table(CHATS).map_err(StoreError::from)?;
    let bytes = chats.get(id).map_err(StoreError::from)?;
    match bytes {
        Some(bytes) => Ok(decode_chat(id, bytes.value())?),
        None => Err(ToolRefusal::NoChat(id)),
    }
}
