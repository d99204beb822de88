//! `waygate status`, which works whether the gateway runs or not.

use std::process::Output;

use super::Gateway;
use crate::error::HarnessResult;

impl Gateway {
    /// Runs `waygate status --data-dir <data> <args>` to its end and returns its output, whatever
    /// its exit status. The operator token comes from `args` (`--token-file`) or the data folder,
    /// never from this process's environment.
    ///
    /// # Errors
    /// When the command cannot be started.
    pub async fn status(&self, args: &[&str]) -> HarnessResult<Output> {
        self.run_command("status", args).await
    }
}
