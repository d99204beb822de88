//! The commands that work on the data folder (`waygate export` on a stopped gateway, `waygate
//! status` on any), and `export` parsed as JSON Lines.

use std::process::{Output, Stdio};

use serde_json::Value;

use super::Gateway;
use crate::error::{HarnessError, HarnessResult};

impl Gateway {
    /// Runs `waygate export --data-dir <data> <args>` (the gateway must be stopped) and parses
    /// each stdout line as JSON.
    ///
    /// # Errors
    /// When the gateway is running, the command fails, or a line is not JSON.
    pub async fn export(&self, args: &[&str]) -> HarnessResult<Vec<Value>> {
        let output = self.run_offline("export", args).await?;
        if !output.status.success() {
            return Err(HarnessError::Command {
                command: self.binary.describe(&offline_words(self, "export", args)),
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout
            .lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(index, line)| {
                serde_json::from_str(line).map_err(|source| HarnessError::Json {
                    context: format!("export line {}: {line:.200}", index + 1),
                    source,
                })
            })
            .collect()
    }

    /// Runs `waygate <command> --data-dir <data> <args>` (the gateway must be stopped) to its
    /// end and returns its output, whatever its exit status.
    ///
    /// # Errors
    /// When the gateway is running or the command cannot be started.
    pub async fn run_offline(&self, command: &str, args: &[&str]) -> HarnessResult<Output> {
        if self.child.is_some() {
            return Err(HarnessError::State(
                "an offline command while the gateway is running",
            ));
        }
        self.run_command(command, args).await
    }

    /// Runs `waygate <command> --data-dir <data> <args>` to its end, running gateway or not,
    /// without this process's `WAYGATE_OPERATOR_TOKEN`.
    pub(super) async fn run_command(&self, command: &str, args: &[&str]) -> HarnessResult<Output> {
        self.binary
            .command(offline_words(self, command, args))
            .env("RUST_LOG", "warn")
            .env_remove("WAYGATE_OPERATOR_TOKEN")
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|source| HarnessError::Process {
                what: "spawn a waygate command",
                source,
            })
    }
}

fn offline_words(gateway: &Gateway, command: &str, args: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = vec![
        command.to_owned(),
        "--data-dir".into(),
        gateway.data_dir.display().to_string(),
    ];
    words.extend(args.iter().map(|arg| (*arg).to_owned()));
    words
}
