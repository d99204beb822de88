//! The writer's side of attachments: each change is one durable transaction, checked against
//! the quota first (the files are counted by the data-folder scan; this counts their records).

use super::{Writer, begin_durable};
use crate::store::StoreError;
use crate::store::journal::Recorder;
use crate::store::media::{MediaSubmission, apply_media, media_cost_bound};

impl Writer {
    /// Applies each change to the attachments in its own transaction, then answers it.
    pub(super) fn commit_media(&mut self, submissions: Vec<MediaSubmission>) {
        for submission in submissions {
            let answer = self.apply_media_change(&submission);
            if let Err(error) = &answer
                && !matches!(error, StoreError::QuotaExceeded { .. })
            {
                self.notice(error);
                tracing::warn!(%error, "storing an attachment's record failed; nothing of it was written");
            }
            let _ = submission.reply.send(answer);
        }
    }

    fn apply_media_change(
        &mut self,
        submission: &MediaSubmission,
    ) -> Result<Option<crate::store::MediaRecord>, StoreError> {
        if let Some(recovery) = &self.recovery {
            return Err(recovery.refusal());
        }
        let mut counters = self.counters;
        let needed = media_cost_bound(&submission.update);
        let used = self.shared.usage.other_files_bytes() + counters.stored_bytes;
        if needed > 0 && used.saturating_add(needed) > self.settings.quota_bytes {
            return Err(StoreError::QuotaExceeded {
                used,
                needed,
                quota: self.settings.quota_bytes,
            });
        }
        counters.last_commit_ms = counters.last_commit_ms.max(self.clock.now_ms());
        let txn = begin_durable(self.db()?)?;
        let recorder = Recorder::default();
        let (record, added) =
            apply_media(&txn, &submission.update, counters.last_commit_ms, &recorder)?;
        counters.stored_bytes += added;
        let appended = Self::seal(&txn, &recorder, &mut counters)?;
        txn.commit()?;
        self.published(&counters, appended);
        self.counters = counters;
        self.shared.usage.set_stored_bytes(counters.stored_bytes);
        Ok(record)
    }
}
