//! Ending the gateway process: SIGKILL, SIGTERM/SIGINT through `kill`, waiting for the exit.

use std::process::ExitStatus;

use super::Gateway;
use crate::error::{HarnessError, HarnessResult};
use crate::knobs::operation_deadline;

impl Gateway {
    /// Sends SIGKILL and reaps the process.
    ///
    /// # Errors
    /// When no process is running or it cannot be killed.
    pub async fn kill9(&mut self) -> HarnessResult<ExitStatus> {
        let mut child = self
            .child
            .take()
            .ok_or(HarnessError::State("kill9() without a running gateway"))?;
        child.start_kill().map_err(|source| HarnessError::Process {
            what: "SIGKILL",
            source,
        })?;
        child.wait().await.map_err(|source| HarnessError::Process {
            what: "wait after SIGKILL",
            source,
        })
    }

    /// Sends SIGTERM (through the `kill` command); the process keeps running until it exits.
    ///
    /// # Errors
    /// When no process is running or `kill` fails.
    pub async fn sigterm(&self) -> HarnessResult<()> {
        self.signal("-TERM").await
    }

    /// Sends SIGINT (through the `kill` command).
    ///
    /// # Errors
    /// As for [`Self::sigterm`].
    pub async fn sigint(&self) -> HarnessResult<()> {
        self.signal("-INT").await
    }

    async fn signal(&self, flag: &str) -> HarnessResult<()> {
        let pid = self
            .pid()
            .ok_or(HarnessError::State("signal without a running gateway"))?;
        let status = tokio::process::Command::new("kill")
            .args([flag, &pid.to_string()])
            .status()
            .await
            .map_err(|source| HarnessError::Process {
                what: "kill",
                source,
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(HarnessError::Command {
                command: format!("kill {flag} {pid}"),
                status: status.to_string(),
                stderr: String::new(),
            })
        }
    }

    /// Waits for the process to exit (failing after the operation deadline) and returns its status.
    ///
    /// # Errors
    /// When no process is running, or it has not exited by the deadline (it is then killed).
    pub async fn wait_exit(&mut self) -> HarnessResult<ExitStatus> {
        let mut child = self
            .child
            .take()
            .ok_or(HarnessError::State("wait_exit() without a running gateway"))?;
        let deadline = operation_deadline();
        match tokio::time::timeout(deadline, child.wait()).await {
            Ok(status) => status.map_err(|source| HarnessError::Process {
                what: "wait",
                source,
            }),
            Err(_) => {
                let _killed = child.start_kill();
                let _reaped = child.wait().await;
                Err(HarnessError::Timeout(format!(
                    "gateway did not exit within {deadline:?}\n{}",
                    self.logs()
                )))
            }
        }
    }

    /// SIGTERM, then wait for the exit.
    ///
    /// # Errors
    /// As for [`Self::sigterm`] and [`Self::wait_exit`].
    pub async fn stop(&mut self) -> HarnessResult<ExitStatus> {
        self.sigterm().await?;
        self.wait_exit().await
    }
}
