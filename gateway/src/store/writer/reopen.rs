//! The writer after a disk error: redb fails every operation once an I/O error has happened,
//! until the database is closed and opened again. The writer closes the file, refuses requests
//! meanwhile (and says why through [`crate::store::StoreHealth`]), and reopens it on the
//! schedule of `recovery.rs`, between commands, until opening (which commits) succeeds.

use std::sync::Arc;
use std::time::Instant;

use redb::Database;
use tokio::sync::mpsc;

use super::{Counters, Writer};
use crate::store::StoreError;
use crate::store::books::Books;
use crate::store::recovery::{self, Recovery};
use crate::store::request::Command;

impl Writer {
    /// The next command, or `None` once every sender is gone. While recovering, reopen
    /// attempts are made when due, between commands.
    pub(super) fn next_command(
        &mut self,
        commands: &mut mpsc::Receiver<Command>,
    ) -> Option<Command> {
        loop {
            let Some(recovery) = &self.recovery else {
                return commands.blocking_recv();
            };
            let wait = recovery.schedule.wait(Instant::now());
            if wait.is_zero() {
                self.try_reopen();
                continue;
            }
            let received = self
                .timer
                .block_on(async { tokio::time::timeout(wait, commands.recv()).await });
            if let Ok(command) = received {
                return command;
            }
        }
    }

    /// The open database, or the refusal while the file is closed after a disk error.
    pub(super) fn db(&self) -> Result<&Database, StoreError> {
        match (&self.db, &self.recovery) {
            (Some(db), _) => Ok(db),
            (None, Some(recovery)) => Err(recovery.refusal()),
            (None, None) => Err(StoreError::WriterGone),
        }
    }

    /// Looks at a failed operation's error: a disk error closes the file and starts recovery.
    pub(super) fn notice(&mut self, error: &StoreError) {
        if self.recovery.is_some() || !error.is_disk_failure() {
            return;
        }
        let recovery = Recovery::start(error, &self.file.data_dir, Instant::now());
        tracing::error!(
            reason = %recovery.reason,
            "the store hit a disk error: it takes no writes (webhooks get 503, /readyz says why) and reopens its file until a commit succeeds again"
        );
        self.shared.health.set_recovering(recovery.status());
        self.shared.slot.clear();
        // The file closes once the reads in progress end.
        self.db = None;
        self.recovery = Some(recovery);
    }

    /// Reopens the file once its file system has some room (opening commits, so it proves the
    /// disk takes writes again): the store then takes writes again; otherwise the next attempt
    /// waits longer.
    fn try_reopen(&mut self) {
        let attempt = self.reopen();
        let Some(recovery) = self.recovery.as_mut() else {
            return;
        };
        match attempt {
            Ok((db, counters, books)) => {
                let failed_attempts = recovery.schedule.failed_attempts();
                self.recovery = None;
                self.shared.slot.put(&db);
                self.db = Some(db);
                // What is on disk is the truth: a commit reported as failed may have landed.
                self.counters = counters;
                self.books = books;
                self.shared.usage.set_stored_bytes(counters.stored_bytes);
                self.shared.health.set_ready();
                tracing::info!(
                    failed_attempts,
                    "the store reopened its file after the disk error and takes writes again"
                );
            }
            Err(reason) => {
                if reason == recovery.reason {
                    tracing::debug!(%reason, "the store file cannot be reopened yet");
                } else {
                    tracing::warn!(%reason, "the store file cannot be reopened yet; retrying");
                }
                recovery.failed(reason, Instant::now());
                self.shared.health.set_recovering(recovery.status());
            }
        }
    }

    /// One reopen attempt; on failure, why, for people.
    fn reopen(&self) -> Result<(Arc<Database>, Counters, Books), String> {
        let data_dir = &self.file.data_dir;
        match self.file.free_bytes() {
            Ok(free) => {
                if let Some(reason) = recovery::lacking_room(free, data_dir) {
                    return Err(reason);
                }
            }
            Err(error) => {
                tracing::debug!(%error, "free space unknown; trying to reopen the store anyway");
            }
        }
        self.file
            .open(self.clock.now_ms())
            .map_err(|error| recovery::reason(&error, data_dir))
    }
}
