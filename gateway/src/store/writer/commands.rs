//! The writer's side of headquarters' commands: each in its own durable transaction with the
//! record that it ran and its result event, through the same table code as the local API.

use redb::WriteTransaction;

use super::{Counters, Writer, begin_durable};
use crate::store::StoreError;
use crate::store::books::Books;
use crate::store::chats::ChatTables;
use crate::store::commands::{
    CommandOutcome, CommandSubmission, HqAction, HqCommand, already_done, chat_refusal, record_done,
};
use crate::store::journal::Recorder;
use crate::store::outbox::OutboxTables;
use crate::store::tool_access::{article_bound, canned_bound, load_chat, note_bound, tags_bound};
use crate::store::tools::{ToolRefusal, ToolTables};
use crate::time::UnixMs;
use crate::tools::{ArticleInput, CannedInput, ToolSource};

/// Who headquarters' tag changes are by.
const HQ_OPERATOR: &str = "hq";

impl Writer {
    /// Carries out each command in its own transaction, then answers it.
    pub(super) fn commit_commands(&mut self, submissions: Vec<CommandSubmission>) {
        for submission in submissions {
            let answer = self.run_command(&submission.command);
            if let Err(error) = &answer {
                self.notice(error);
                tracing::warn!(command = %submission.command.id, %error, "a command from headquarters could not be stored; it will be asked for again");
            }
            let _ = submission.reply.send(answer);
        }
    }

    fn run_command(&mut self, command: &HqCommand) -> Result<CommandOutcome, StoreError> {
        let mut counters = self.counters;
        counters.last_commit_ms = counters.last_commit_ms.max(self.clock.now_ms());
        let txn = begin_durable(self.db()?)?;
        let recorder = Recorder::default();
        let (outcome, books) = if already_done(&txn, &command.id)? {
            (CommandOutcome::AlreadyDone, None)
        } else {
            match &command.action {
                Err(reason) => (CommandOutcome::Refused(reason.clone()), None),
                Ok(action) => self.carry_out(&txn, &recorder, &mut counters, action)?,
            }
        };
        counters.stored_bytes +=
            record_done(&txn, &recorder, command, &outcome, counters.last_commit_ms)?;
        let appended = Self::seal(&txn, &recorder, &mut counters)?;
        txn.commit()?;
        self.published(&counters, appended);
        self.counters = counters;
        if let Some(books) = books {
            self.books = books;
        }
        self.shared.usage.set_stored_bytes(counters.stored_bytes);
        Ok(outcome)
    }

    /// Does what `action` asks in `txn`. Returns the outcome, and the ledger when the action
    /// changed it.
    fn carry_out(
        &self,
        txn: &WriteTransaction,
        recorder: &Recorder,
        counters: &mut Counters,
        action: &HqAction,
    ) -> Result<(CommandOutcome, Option<Books>), StoreError> {
        let now = counters.last_commit_ms;
        let lifecycle = &self.settings.lifecycle;
        match action {
            HqAction::Send(request) => {
                if let Some(full) = self.quota_refusal(counters, request) {
                    return Ok((CommandOutcome::Refused(full.to_string()), None));
                }
                let mut tables = OutboxTables::open(txn, self.books.clone(), recorder)?;
                let queued = tables.enqueue(
                    txn,
                    request,
                    false,
                    now,
                    lifecycle,
                    &mut counters.next_message_id,
                )?;
                Ok(match queued {
                    Ok((message, _created, added)) => {
                        counters.stored_bytes += added;
                        (
                            CommandOutcome::Accepted {
                                message: Some(message.id),
                            },
                            Some(tables.books),
                        )
                    }
                    Err(refusal) => (CommandOutcome::Refused(refusal.to_string()), None),
                })
            }
            HqAction::Chat { chat, action } => {
                let mut chats = ChatTables::open(txn, recorder)?;
                Ok(match chats.act(*chat, action, now, lifecycle) {
                    Ok(Ok(_)) => (CommandOutcome::Accepted { message: None }, None),
                    Ok(Err(refusal)) => (CommandOutcome::Refused(refusal.to_string()), None),
                    Err(error) => (CommandOutcome::Refused(chat_refusal(*chat, error)?), None),
                })
            }
            tool => {
                if let Some(full) = self.quota_full(counters, tool_bound(tool)) {
                    return Ok((CommandOutcome::Refused(full.to_string()), None));
                }
                let (applied, change) = {
                    let mut tools = ToolTables::open(txn, recorder)?;
                    let applied = apply_tool(txn, &mut tools, tool, now);
                    (applied, tools.stored_change())
                };
                match applied {
                    Ok(()) => {
                        counters.stored_bytes = counters
                            .stored_bytes
                            .saturating_add(change.grown)
                            .saturating_sub(change.freed);
                        Ok((CommandOutcome::Accepted { message: None }, None))
                    }
                    Err(ToolRefusal::Store(error)) => Err(error),
                    Err(refusal) => Ok((CommandOutcome::Refused(refusal.to_string()), None)),
                }
            }
        }
    }
}

/// The most bytes a tool command adds, for the quota's check.
fn tool_bound(action: &HqAction) -> u64 {
    match action {
        HqAction::AddNote { author, text, .. } => note_bound(author, text),
        HqAction::SetTags { tags, .. } => tags_bound(tags, HQ_OPERATOR),
        HqAction::PutCanned { shortcut, body, .. } => canned_bound(&CannedInput {
            shortcut: shortcut.clone(),
            body: body.clone(),
        }),
        HqAction::PutArticle {
            title, body, link, ..
        } => article_bound(&ArticleInput {
            title: title.clone(),
            body: body.clone(),
            link: link.clone(),
        }),
        _ => 0,
    }
}

/// Carries out a tool command on `tools` at `now`; a refusal writes nothing.
fn apply_tool(
    txn: &WriteTransaction,
    tools: &mut ToolTables<'_>,
    action: &HqAction,
    now: UnixMs,
) -> Result<(), ToolRefusal> {
    match action {
        HqAction::AddNote { chat, author, text } => {
            tools.add_note(&load_chat(txn, *chat)?, author, text, now)?;
        }
        HqAction::SetTags { chat, tags } => {
            tools.set_tags(&load_chat(txn, *chat)?, tags, HQ_OPERATOR)?;
        }
        HqAction::PutCanned { id, shortcut, body } => {
            let input = CannedInput {
                shortcut: shortcut.clone(),
                body: body.clone(),
            };
            tools.put_canned(Some(id), &input, ToolSource::Hq, now)?;
        }
        HqAction::DeleteCanned(id) => {
            tools.delete_canned(id)?;
        }
        HqAction::PutArticle {
            id,
            title,
            body,
            link,
        } => {
            let input = ArticleInput {
                title: title.clone(),
                body: body.clone(),
                link: link.clone(),
            };
            tools.put_article(Some(id), &input, ToolSource::Hq, now)?;
        }
        HqAction::DeleteArticle(id) => {
            tools.delete_article(id)?;
        }
        HqAction::Send(_) | HqAction::Chat { .. } => {}
    }
    Ok(())
}
