//! The writer's side of the operators' tools: each change is one durable transaction, checked
//! against the quota first, sealed with the journal event it records, then answered (like an
//! operator's action on a chat).

use redb::{ReadableTable as _, WriteTransaction};

use super::{Writer, begin_durable, len_u64};
use crate::chat::Chat;
use crate::store::StoreError;
use crate::store::chats::decode_chat;
use crate::store::journal::{EVENT_OVERHEAD_BYTES, Recorder};
use crate::store::tables::CHATS;
use crate::store::tool_access::{Recorded, ToolChange};
use crate::store::tools::{TOOL_ENTRY_OVERHEAD_BYTES, ToolRefusal, ToolTables};
use crate::store::transcript::{MAX_TRANSCRIPT_BYTES, read_transcript};
use crate::time::UnixMs;
use crate::tools::{MAX_NOTE_BYTES, MAX_NOTES_PER_CHAT, MAX_TOOL_ID_LEN};

/// What a chat-bound event adds besides the texts it quotes: the chat, the customer and the
/// field names (an upper bound).
const CHAT_EVENT_BYTES: u64 = 2048;

impl Writer {
    /// Applies each tool change in its own transaction, then answers it.
    pub(super) fn commit_tools(&mut self, changes: Vec<ToolChange>) {
        for change in changes {
            self.commit_tool(change);
        }
    }

    fn commit_tool(&mut self, change: ToolChange) {
        let needed = cost_bound(&change);
        match change {
            ToolChange::PutCanned {
                id,
                input,
                source,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |_, tools, now| {
                    tools.put_canned(id.as_deref(), &input, source, now)
                });
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::DeleteCanned { id, reply } => {
                let answer = self.tool_transaction(needed, |_, tools, _| tools.delete_canned(&id));
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::PutArticle {
                id,
                input,
                source,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |_, tools, now| {
                    tools.put_article(id.as_deref(), &input, source, now)
                });
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::DeleteArticle { id, reply } => {
                let answer = self.tool_transaction(needed, |_, tools, _| tools.delete_article(&id));
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::AddNote {
                chat,
                author,
                text,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |txn, tools, now| {
                    tools.add_note(&load_chat(txn, chat)?, &author, &text, now)
                });
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::SetTags {
                chat,
                by,
                tags,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |txn, tools, _| {
                    tools.set_tags(&load_chat(txn, chat)?, &tags, &by)
                });
                let _ = reply.send(answer.map(|done| done.value));
            }
            ToolChange::CaptureLead {
                chat,
                by,
                lead,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |txn, tools, _| {
                    tools.capture_lead(&load_chat(txn, chat)?, &lead, &by)
                });
                let _ = reply.send(answer.and_then(recorded));
            }
            ToolChange::RequestTicket {
                chat,
                by,
                request,
                reply,
            } => {
                let answer = self.tool_transaction(needed, |txn, tools, _| {
                    let chat = load_chat(txn, chat)?;
                    let transcript = read_transcript(txn, chat.id.0)?;
                    tools.request_ticket(&chat, &transcript, &request, &by)
                });
                let _ = reply.send(answer.and_then(recorded));
            }
        }
    }

    /// Runs `apply` on the tool tables in one durable transaction at the commit's time, after
    /// checking that `needed` bytes fit in the quota. A refusal writes nothing; a store failure
    /// is noticed (a disk error starts the recovery).
    fn tool_transaction<T>(
        &mut self,
        needed: u64,
        apply: impl FnOnce(&WriteTransaction, &mut ToolTables<'_>, UnixMs) -> Result<T, ToolRefusal>,
    ) -> Result<Done<T>, ToolRefusal> {
        if let Some(recovery) = &self.recovery {
            return Err(recovery.refusal().into());
        }
        let mut counters = self.counters;
        let used = self.shared.usage.other_files_bytes() + counters.stored_bytes;
        if used.saturating_add(needed) > self.settings.quota_bytes {
            return Err(StoreError::QuotaExceeded {
                used,
                needed,
                quota: self.settings.quota_bytes,
            }
            .into());
        }
        counters.last_commit_ms = counters.last_commit_ms.max(self.clock.now_ms());
        let now = counters.last_commit_ms;
        let result = (|| -> Result<Result<(T, u64), ToolRefusal>, StoreError> {
            let txn = begin_durable(self.db()?)?;
            let recorder = Recorder::default();
            let (applied, change) = {
                let mut tools = ToolTables::open(&txn, &recorder)?;
                let applied = apply(&txn, &mut tools, now);
                (applied, tools.stored_change())
            };
            let value = match applied {
                Ok(value) => value,
                Err(ToolRefusal::Store(error)) => return Err(error),
                Err(refusal) => {
                    txn.abort()?;
                    return Ok(Err(refusal));
                }
            };
            counters.stored_bytes = counters
                .stored_bytes
                .saturating_add(change.grown)
                .saturating_sub(change.freed);
            let appended = Self::seal(&txn, &recorder, &mut counters)?;
            txn.commit()?;
            Ok(Ok((value, appended)))
        })();
        match result {
            Ok(Ok((value, appended))) => {
                self.published(&counters, appended);
                self.counters = counters;
                self.shared.usage.set_stored_bytes(counters.stored_bytes);
                Ok(Done {
                    value,
                    last_event: (appended > 0).then(|| counters.next_event_seq.saturating_sub(1)),
                })
            }
            Ok(Err(refusal)) => Err(refusal),
            Err(error) => {
                self.notice(&error);
                tracing::warn!(%error, "an operator's tool change failed; nothing of it was written");
                Err(match &self.recovery {
                    Some(recovery) => recovery.refusal(),
                    None => error,
                }
                .into())
            }
        }
    }
}

/// What a tool transaction answered, and the seq of the last event it appended.
struct Done<T> {
    value: T,
    last_event: Option<u64>,
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

/// Chat `id` as stored, or [`ToolRefusal::NoChat`]. Opens [`CHATS`] for the call.
fn load_chat(txn: &WriteTransaction, id: u64) -> Result<Chat, ToolRefusal> {
    let chats = txn.open_table(CHATS).map_err(StoreError::from)?;
    let bytes = chats.get(id).map_err(StoreError::from)?;
    match bytes {
        Some(bytes) => Ok(decode_chat(id, bytes.value())?),
        None => Err(ToolRefusal::NoChat(id)),
    }
}

/// The most bytes `change` can add to the store (its entry, or its event), for the quota's
/// check before anything is written.
fn cost_bound(change: &ToolChange) -> u64 {
    let texts = |texts: &[&str]| texts.iter().map(|text| len_u64(text.len())).sum::<u64>();
    let entry = len_u64(MAX_TOOL_ID_LEN) + TOOL_ENTRY_OVERHEAD_BYTES + 64;
    let event = EVENT_OVERHEAD_BYTES + CHAT_EVENT_BYTES;
    match change {
        ToolChange::DeleteCanned { .. } | ToolChange::DeleteArticle { .. } => 0,
        ToolChange::PutCanned { input, .. } => entry + texts(&[&input.shortcut, &input.body]),
        ToolChange::PutArticle { input, .. } => {
            let link = input.link.as_deref().unwrap_or_default();
            entry + texts(&[&input.title, &input.body, link])
        }
        // The note twice: its entry and its event.
        ToolChange::AddNote { author, text, .. } => {
            entry + event + 2 * texts(&[author.as_str(), text.as_str()])
        }
        ToolChange::SetTags { tags, by, .. } => {
            let tags: u64 = tags.iter().map(|tag| len_u64(tag.len()) + 8).sum();
            entry + event + 3 * tags + texts(&[by.as_str()])
        }
        ToolChange::CaptureLead { lead, by, .. } => {
            let fields = [
                text_of(&lead.name),
                text_of(&lead.email),
                text_of(&lead.phone),
                text_of(&lead.company),
                by.as_str(),
            ];
            event + texts(&fields)
        }
        ToolChange::RequestTicket { request, by, .. } => {
            let notes = MAX_NOTES_PER_CHAT * len_u64(MAX_NOTE_BYTES + 128);
            event
                + len_u64(MAX_TRANSCRIPT_BYTES)
                + notes
                + texts(&[
                    text_of(&request.subject),
                    text_of(&request.note),
                    by.as_str(),
                ])
        }
    }
}

/// An optional text, empty when absent.
fn text_of(field: &Option<String>) -> &str {
    field.as_deref().unwrap_or_default()
}
