//! `waygate export` against the gateway's data folder, parsed as JSON Lines.

use std::process::Stdio;

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
        if self.child.is_some() {
            return Err(HarnessError::State("export() while the gateway is running"));
        }
        let mut words: Vec<String> = vec![
            "export".into(),
            "--data-dir".into(),
            self.data_dir.display().to_string(),
        ];
        words.extend(args.iter().map(|arg| (*arg).to_owned()));
        let output = self
            .binary
            .command(&words)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|source| HarnessError::Process {
                what: "spawn export",
                source,
            })?;
        if !output.status.success() {
            return Err(HarnessError::Command {
                command: self.binary.describe(&words),
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
}
