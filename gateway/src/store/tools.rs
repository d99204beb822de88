//! The operators' tools inside the store: canned responses, articles, and each chat's notes
//! and tags, changed in a write transaction with the journal events they make (`note.added`,
//! `tags.changed`, `lead.captured`, `ticket.requested`).
//!
//! [`ToolTables`] is a table group like `ChatTables` and `OutboxTables`: the writer's local API
//! path ([`super::writer`]) and headquarters' commands call the same methods inside their own
//! transaction. Every method checks everything before it writes, so a refusal
//! ([`ToolRefusal`]) writes nothing and the transaction may go on.
//!
//! # Tables
//!
//! [`ToolTables::open`] opens [`CANNED_RESPONSES`], [`ARTICLES`], [`CHAT_NOTES`] and
//! [`CHAT_TAGS`] (none of which another group opens). Besides, only
//! [`ToolTables::put_canned`] and [`ToolTables::put_article`] without an id open [`META`], for
//! the call (to number the new entry): do not call them while `META` is open. The chat-bound
//! methods take the chat as the caller read it (a `ChatTables` holds [`super::tables::CHATS`]),
//! and [`ToolTables::request_ticket`] the transcript the caller read with
//! [`super::transcript::read_transcript`] (which opens the message tables, for the call).
//!
//! # Closed chats
//!
//! Notes, tags, leads and tickets are allowed on a closed chat: they are the work an operator
//! does after the conversation (wrap-up notes, a ticket for what was promised).

use redb::{ReadableTable, Table, WriteTransaction};
use serde::Serialize;
use serde_json::value::RawValue;

use super::StoreError;
use super::journal::Recorder;
use super::tables::{
    ARTICLES, CANNED_RESPONSES, CHAT_NOTES, CHAT_TAGS, META, META_NEXT_ARTICLE_ID,
    META_NEXT_CANNED_ID,
};
use super::tool_records::{
    all_articles, all_canned, chat_notes, chat_tags, decode_article, decode_canned, encode,
};
use super::transcript::Transcript;
use super::writer::len_u64;
use crate::chat::{Chat, CustomerId};
use crate::chat_json::ChatJson;
use crate::journal::{EventType, NewEvent};
use crate::time::UnixMs;
use crate::tool_json::NoteJson;
use crate::tools::{
    Article, ArticleInput, CannedInput, CannedResponse, Configured, Invalid, Lead,
    MAX_NOTES_PER_CHAT, Note, TicketRequest, ToolSource, check_note, check_tool_id, normalize_tags,
};

/// What an entry costs in the accounting besides its key and value.
pub(super) const TOOL_ENTRY_OVERHEAD_BYTES: u64 = 16;

/// Why a tool's change was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolRefusal {
    /// There is no chat with that id.
    #[error("no chat {0}")]
    NoChat(u64),
    /// There is no canned response with that id.
    #[error("no canned response {0:?}; list them with GET /api/v1/canned-responses")]
    NoCannedResponse(String),
    /// There is no article with that id.
    #[error("no article {0:?}; list them with GET /api/v1/articles")]
    NoArticle(String),
    /// The input is not within the limits (the field is named).
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// Another canned response has this shortcut.
    #[error(
        "the shortcut {shortcut:?} is canned response {id:?}'s already; choose another shortcut or change that response"
    )]
    ShortcutTaken {
        /// The shortcut.
        shortcut: String,
        /// The canned response that has it.
        id: String,
    },
    /// The chat has as many notes as one chat keeps.
    #[error(
        "chat {chat} has {MAX_NOTES_PER_CHAT} notes, the most one chat keeps; add to a ticket instead"
    )]
    TooManyNotes {
        /// The chat.
        chat: u64,
    },
    /// The store failed (or the quota is reached); nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<redb::StorageError> for ToolRefusal {
    fn from(error: redb::StorageError) -> Self {
        Self::Store(error.into())
    }
}

/// A canned response or article as put, and whether it is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put<T> {
    /// What is stored now.
    pub item: T,
    /// Whether the id was free (`false`: it replaced the entry with that id).
    pub created: bool,
}

/// What a ticket request sent along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketSent {
    /// Transcript entries in the event.
    pub entries: usize,
    /// Older entries left out by the caps (the event says `"truncated": true`).
    pub omitted: usize,
}

/// The canned responses and articles the configuration defines.
#[derive(Debug, Clone, Default)]
pub(super) struct ConfiguredTools {
    pub(super) canned: Vec<Configured<CannedInput>>,
    pub(super) articles: Vec<Configured<ArticleInput>>,
}

/// The bytes a transaction's tool changes added to and removed from the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StoredChange {
    pub(super) grown: u64,
    pub(super) freed: u64,
}

impl StoredChange {
    fn entry(key: usize, value: usize) -> u64 {
        len_u64(key) + len_u64(value) + TOOL_ENTRY_OVERHEAD_BYTES
    }

    fn written(&mut self, key: usize, value: usize, replaced: Option<usize>) {
        self.grown += Self::entry(key, value);
        if let Some(old) = replaced {
            self.freed += Self::entry(key, old);
        }
    }

    fn removed(&mut self, key: usize, value: usize) {
        self.freed += Self::entry(key, value);
    }
}

/// A table of entries keyed by their id (canned responses, articles), with the `META` counter
/// that numbers new ones.
struct KeyedEntries<'txn> {
    table: Table<'txn, &'static str, &'static [u8]>,
    counter: &'static str,
}

impl KeyedEntries<'_> {
    /// `id`, or (for `None`) the next free number under the counter: an id a `PUT` chose is
    /// skipped, and a number is never given twice. Opens `META` for the call; call it once
    /// every check passed.
    fn id_or_next(&self, txn: &WriteTransaction, id: Option<&str>) -> Result<String, StoreError> {
        if let Some(id) = id {
            return Ok(id.to_owned());
        }
        let mut meta = txn.open_table(META)?;
        let mut next = meta.get(self.counter)?.map_or(1, |value| value.value());
        let id = loop {
            let id = next.to_string();
            next = next.saturating_add(1);
            if self.table.get(id.as_str())?.is_none() {
                break id;
            }
        };
        meta.insert(self.counter, next)?;
        Ok(id)
    }

    /// Writes `bytes` as entry `id`; whether the id was free.
    fn write(
        &mut self,
        id: &str,
        bytes: &[u8],
        change: &mut StoredChange,
    ) -> Result<bool, StoreError> {
        let replaced = self.table.insert(id, bytes)?.map(|old| old.value().len());
        change.written(id.len(), bytes.len(), replaced);
        Ok(replaced.is_none())
    }

    /// Removes entry `id`; answers its bytes, if it was there.
    fn remove(
        &mut self,
        id: &str,
        change: &mut StoredChange,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let removed = self.table.remove(id)?.map(|old| old.value().to_vec());
        if let Some(bytes) = &removed {
            change.removed(id.len(), bytes.len());
        }
        Ok(removed)
    }
}

/// The tool tables, opened in a write transaction (see the module docs for which).
pub(super) struct ToolTables<'txn> {
    txn: &'txn WriteTransaction,
    canned: KeyedEntries<'txn>,
    articles: KeyedEntries<'txn>,
    notes: Table<'txn, (u64, u64), &'static [u8]>,
    tags: Table<'txn, u64, &'static [u8]>,
    /// Where the chat-bound changes are reported.
    journal: Recorder,
    change: StoredChange,
}

/// `note.added`'s data.
#[derive(Serialize)]
struct NoteAddedJson<'a> {
    note: NoteJson<'a>,
}

/// `tags.changed`'s data.
#[derive(Serialize)]
struct TagsChangedJson<'a> {
    tags: &'a [String],
    previous: &'a [String],
    by: &'a str,
}

/// The customer, as the tool events name them.
#[derive(Serialize)]
struct CustomerJson<'a> {
    id: &'a str,
    /// `wa_id` (a phone number's WhatsApp id) or `bsuid`.
    kind: &'static str,
}

impl<'a> CustomerJson<'a> {
    fn new(customer: &'a CustomerId) -> Self {
        Self {
            id: customer.as_str(),
            kind: match customer {
                CustomerId::WaId(_) => "wa_id",
                CustomerId::Bsuid(_) => "bsuid",
            },
        }
    }
}

/// `lead.captured`'s data.
#[derive(Serialize)]
struct LeadCapturedJson<'a> {
    lead: &'a Lead,
    customer: CustomerJson<'a>,
    chat: ChatJson<'a>,
    captured_by: &'a str,
}

/// `ticket.requested`'s data.
#[derive(Serialize)]
struct TicketRequestedJson<'a> {
    subject: Option<&'a str>,
    note: Option<&'a str>,
    requested_by: &'a str,
    customer: CustomerJson<'a>,
    chat: ChatJson<'a>,
    tags: &'a [String],
    notes: Vec<NoteJson<'a>>,
    /// The customer's and the operators' messages, oldest first.
    transcript: &'a [Box<RawValue>],
    /// Whether older entries were left out (`omitted` of them).
    truncated: bool,
    omitted: usize,
}

impl<'txn> ToolTables<'txn> {
    /// Opens the tool tables in `txn`; chat-bound changes are reported to `journal`.
    pub(super) fn open(
        txn: &'txn WriteTransaction,
        journal: &Recorder,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            txn,
            canned: KeyedEntries {
                table: txn.open_table(CANNED_RESPONSES)?,
                counter: META_NEXT_CANNED_ID,
            },
            articles: KeyedEntries {
                table: txn.open_table(ARTICLES)?,
                counter: META_NEXT_ARTICLE_ID,
            },
            notes: txn.open_table(CHAT_NOTES)?,
            tags: txn.open_table(CHAT_TAGS)?,
            journal: journal.clone(),
            change: StoredChange::default(),
        })
    }

    /// The bytes this group's changes added and removed so far (for the quota's measure).
    pub(super) fn stored_change(&self) -> StoredChange {
        self.change
    }

    /// Puts canned response `id` (`None`: a new one, numbered by the store) from `input`, as
    /// `source` at `now`. Refused when the id or the input is not within the limits, or when
    /// another canned response has the shortcut.
    pub(super) fn put_canned(
        &mut self,
        id: Option<&str>,
        input: &CannedInput,
        source: ToolSource,
        now: UnixMs,
    ) -> Result<Put<CannedResponse>, ToolRefusal> {
        if let Some(id) = id {
            check_tool_id(id)?;
        }
        input.check()?;
        if let Some(holder) = all_canned(&self.canned.table)?
            .into_iter()
            .find(|other| other.shortcut == input.shortcut && Some(other.id.as_str()) != id)
        {
            return Err(ToolRefusal::ShortcutTaken {
                shortcut: input.shortcut.clone(),
                id: holder.id,
            });
        }
        let item = CannedResponse {
            id: self.canned.id_or_next(self.txn, id)?,
            shortcut: input.shortcut.clone(),
            body: input.body.clone(),
            source,
            updated_at: now,
        };
        let created = self
            .canned
            .write(&item.id, &encode(&item), &mut self.change)?;
        Ok(Put { item, created })
    }

    /// Deletes canned response `id`; answers what it was.
    pub(super) fn delete_canned(&mut self, id: &str) -> Result<CannedResponse, ToolRefusal> {
        match self.canned.remove(id, &mut self.change)? {
            Some(bytes) => Ok(decode_canned(id, &bytes)?),
            None => Err(ToolRefusal::NoCannedResponse(id.to_owned())),
        }
    }

    /// Puts article `id` (`None`: a new one, numbered by the store) from `input`, as `source`
    /// at `now`. Refused when the id or the input is not within the limits.
    pub(super) fn put_article(
        &mut self,
        id: Option<&str>,
        input: &ArticleInput,
        source: ToolSource,
        now: UnixMs,
    ) -> Result<Put<Article>, ToolRefusal> {
        if let Some(id) = id {
            check_tool_id(id)?;
        }
        input.check()?;
        let item = Article {
            id: self.articles.id_or_next(self.txn, id)?,
            title: input.title.clone(),
            body: input.body.clone(),
            link: input.link.clone(),
            source,
            updated_at: now,
        };
        let created = self
            .articles
            .write(&item.id, &encode(&item), &mut self.change)?;
        Ok(Put { item, created })
    }

    /// Deletes article `id`; answers what it was.
    pub(super) fn delete_article(&mut self, id: &str) -> Result<Article, ToolRefusal> {
        match self.articles.remove(id, &mut self.change)? {
            Some(bytes) => Ok(decode_article(id, &bytes)?),
            None => Err(ToolRefusal::NoArticle(id.to_owned())),
        }
    }

    /// Adds a note by `author` to `chat` at `now`, and reports it (`note.added`).
    pub(super) fn add_note(
        &mut self,
        chat: &Chat,
        author: &str,
        text: &str,
        now: UnixMs,
    ) -> Result<Note, ToolRefusal> {
        check_note(text)?;
        let id = chat.id.0;
        let last = self
            .notes
            .range((id, 0)..=(id, u64::MAX))?
            .next_back()
            .transpose()?
            .map_or(0, |(key, _)| key.value().1);
        if last >= MAX_NOTES_PER_CHAT {
            return Err(ToolRefusal::TooManyNotes { chat: id });
        }
        let note = Note {
            n: last + 1,
            author: author.to_owned(),
            text: text.to_owned(),
            at: now,
        };
        let bytes = encode(&note);
        self.notes.insert((id, note.n), bytes.as_slice())?;
        self.change.written(16, bytes.len(), None);
        self.journal.record(NewEvent::json(
            EventType::NoteAdded,
            Some(id),
            &NoteAddedJson {
                note: NoteJson::new(&note),
            },
        ));
        Ok(note)
    }

    /// Sets `chat`'s tags to `tags` (trimmed, deduplicated: see [`normalize_tags`]) for `by`,
    /// and reports a change (`tags.changed`; the same tags again change nothing). Answers the
    /// tags as kept.
    pub(super) fn set_tags(
        &mut self,
        chat: &Chat,
        tags: &[String],
        by: &str,
    ) -> Result<Vec<String>, ToolRefusal> {
        let tags = normalize_tags(tags)?;
        let id = chat.id.0;
        let previous = chat_tags(&self.tags, id)?;
        if previous == tags {
            return Ok(tags);
        }
        let replaced = if tags.is_empty() {
            self.tags.remove(id)?.map(|old| old.value().len())
        } else {
            let bytes = encode(&tags);
            let replaced = self
                .tags
                .insert(id, bytes.as_slice())?
                .map(|old| old.value().len());
            self.change.grown += StoredChange::entry(8, bytes.len());
            replaced
        };
        if let Some(old) = replaced {
            self.change.removed(8, old);
        }
        self.journal.record(NewEvent::json(
            EventType::TagsChanged,
            Some(id),
            &TagsChangedJson {
                tags: &tags,
                previous: &previous,
                by,
            },
        ));
        Ok(tags)
    }

    /// Reports a lead `by` captured from `chat` (`lead.captured`, with the chat and the
    /// customer). Answers the lead as sent (trimmed: see [`Lead::checked`]). Nothing else is
    /// kept: headquarters follows leads up.
    pub(super) fn capture_lead(
        &mut self,
        chat: &Chat,
        lead: &Lead,
        by: &str,
    ) -> Result<Lead, ToolRefusal> {
        let lead = lead.checked()?;
        self.journal.record(NewEvent::json(
            EventType::LeadCaptured,
            Some(chat.id.0),
            &LeadCapturedJson {
                lead: &lead,
                customer: CustomerJson::new(&chat.customer),
                chat: ChatJson::new(chat),
                captured_by: by,
            },
        ));
        Ok(lead)
    }

    /// Reports a ticket `by` requested from `chat` (`ticket.requested`): the request, the chat,
    /// its customer, tags and notes, and `transcript`.
    pub(super) fn request_ticket(
        &mut self,
        chat: &Chat,
        transcript: &Transcript,
        request: &TicketRequest,
        by: &str,
    ) -> Result<TicketSent, ToolRefusal> {
        let request = request.checked()?;
        let id = chat.id.0;
        let tags = chat_tags(&self.tags, id)?;
        let notes = chat_notes(&self.notes, id)?;
        self.journal.record(NewEvent::json(
            EventType::TicketRequested,
            Some(id),
            &TicketRequestedJson {
                subject: request.subject.as_deref(),
                note: request.note.as_deref(),
                requested_by: by,
                customer: CustomerJson::new(&chat.customer),
                chat: ChatJson::new(chat),
                tags: &tags,
                notes: notes.iter().map(NoteJson::new).collect(),
                transcript: &transcript.entries,
                truncated: transcript.omitted > 0,
                omitted: transcript.omitted,
            },
        ));
        Ok(TicketSent {
            entries: transcript.entries.len(),
            omitted: transcript.omitted,
        })
    }

    /// Brings the entries of source `config` in line with the configuration at `now`: each
    /// configured entry replaces a stored one of the same id from the configuration (or is
    /// added), stored ones the configuration no longer has are removed, and entries operators
    /// or headquarters put are kept (one with a configured id wins over the configuration,
    /// which is logged). A configured entry that is not within the limits, or whose shortcut
    /// another canned response has, is skipped with a warning.
    pub(super) fn reconcile_configured(
        &mut self,
        tools: &ConfiguredTools,
        now: UnixMs,
    ) -> Result<(), StoreError> {
        let (canned, articles) = (&tools.canned, &tools.articles);
        let stored = all_canned(&self.canned.table)?;
        for old in stored.iter().filter(|old| old.source == ToolSource::Config) {
            if !canned.iter().any(|new| new.id == old.id) {
                configured("canned response", &old.id, self.delete_canned(&old.id))?;
            }
        }
        for new in canned {
            let unchanged = match stored.iter().find(|old| old.id == new.id) {
                Some(old) if old.source != ToolSource::Config => {
                    overridden("canned response", old.source, &new.id);
                    true
                }
                Some(old) => old.shortcut == new.item.shortcut && old.body == new.item.body,
                None => false,
            };
            if !unchanged {
                let put = self.put_canned(Some(&new.id), &new.item, ToolSource::Config, now);
                configured("canned response", &new.id, put)?;
            }
        }
        let stored = all_articles(&self.articles.table)?;
        for old in stored.iter().filter(|old| old.source == ToolSource::Config) {
            if !articles.iter().any(|new| new.id == old.id) {
                configured("article", &old.id, self.delete_article(&old.id))?;
            }
        }
        for new in articles {
            let unchanged = match stored.iter().find(|old| old.id == new.id) {
                Some(old) if old.source != ToolSource::Config => {
                    overridden("article", old.source, &new.id);
                    true
                }
                Some(old) => {
                    (&old.title, &old.body, &old.link)
                        == (&new.item.title, &new.item.body, &new.item.link)
                }
                None => false,
            };
            if !unchanged {
                let put = self.put_article(Some(&new.id), &new.item, ToolSource::Config, now);
                configured("article", &new.id, put)?;
            }
        }
        Ok(())
    }
}

/// The store's failure in `result` of applying the configured `what` `id`; a refusal is
/// logged and skipped.
fn configured<T>(what: &str, id: &str, result: Result<T, ToolRefusal>) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(ToolRefusal::Store(error)) => Err(error),
        Err(refusal) => {
            tracing::warn!(what, id, %refusal, "a configured entry was skipped; fix it in the configuration");
            Ok(())
        }
    }
}

/// Logs that the configured `what` `id` is overridden by one `source` put.
fn overridden(what: &str, source: ToolSource, id: &str) {
    tracing::info!(
        what,
        id,
        source = source.as_str(),
        "a configured entry is overridden by one put later through the API or by headquarters; that one is kept"
    );
}
