//! The writer's side of the operators' tools: each change (a [`ToolJob`]) is one durable
//! transaction, checked against the quota first, sealed with the journal event it records,
//! then answered (like an operator's action on a chat).

use redb::WriteTransaction;

use super::{Writer, begin_durable};
use crate::store::StoreError;
use crate::store::journal::Recorder;
use crate::store::tool_access::ToolJob;
use crate::store::tools::{ToolRefusal, ToolTables};
use crate::time::UnixMs;

impl Writer {
    /// Runs each tool change in its own transaction; each answers itself.
    pub(super) fn commit_tools(&mut self, jobs: Vec<ToolJob>) {
        for job in jobs {
            job(Some(self));
        }
    }

    /// Runs `apply` on the tool tables in one durable transaction at the commit's time, after
    /// checking that `needed` bytes fit in the quota. A refusal writes nothing; a store failure
    /// is noticed (a disk error starts the recovery).
    pub(in crate::store) fn tool_transaction<T>(
        &mut self,
        needed: u64,
        apply: impl FnOnce(&WriteTransaction, &mut ToolTables<'_>, UnixMs) -> Result<T, ToolRefusal>,
    ) -> Result<Done<T>, ToolRefusal> {
        if let Some(recovery) = &self.recovery {
            return Err(recovery.refusal().into());
        }
        let mut counters = self.counters;
        if let Some(full) = self.quota_full(&counters, needed) {
            return Err(full.into());
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
pub(in crate::store) struct Done<T> {
    pub(in crate::store) value: T,
    pub(in crate::store) last_event: Option<u64>,
}
