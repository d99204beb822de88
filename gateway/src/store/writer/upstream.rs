//! The writer's side of the upstream outbox: a turn's batch changes (form, settle, retry) are
//! committed in one durable transaction, then each is answered.

use super::{Writer, begin_durable};
use crate::store::StoreError;
use crate::store::upstream::{UpstreamSubmission, apply};

impl Writer {
    /// Applies a turn's upstream changes in one transaction, then answers each.
    pub(super) fn commit_upstream(&mut self, submissions: Vec<UpstreamSubmission>) {
        let result = (|| -> Result<(Vec<bool>, i64), StoreError> {
            let now = self.clock.now_ms().max(self.counters.last_commit_ms);
            let txn = begin_durable(self.db()?)?;
            let mut applied = Vec::with_capacity(submissions.len());
            let mut backlog_change = 0;
            for submission in &submissions {
                let (done, change) = apply(&txn, &submission.change, now)?;
                applied.push(done);
                backlog_change += change;
            }
            txn.commit()?;
            Ok((applied, backlog_change))
        })();
        match result {
            Ok((applied, backlog_change)) => {
                let journal = &self.shared.journal;
                match u64::try_from(backlog_change) {
                    Ok(requeued) => journal.requeued(requeued),
                    Err(_) => journal.settled(backlog_change.unsigned_abs()),
                }
                // Acknowledged events may now be old enough to go.
                self.prune_due = true;
                for (submission, done) in submissions.into_iter().zip(applied) {
                    let _ = submission.reply.send(Ok(done));
                }
            }
            Err(error) => {
                self.notice(&error);
                tracing::warn!(%error, "recording headquarters' batches failed; they will be sent again");
                for submission in submissions {
                    let refusal = match &self.recovery {
                        Some(recovery) => recovery.refusal(),
                        None => StoreError::GroupFailed(error.to_string()),
                    };
                    let _ = submission.reply.send(Err(refusal));
                }
            }
        }
    }
}
