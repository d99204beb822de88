//! Locating the `waygate` binary (building it once per test process) and the optional runner
//! (`WAYGATE_RUNNER`, e.g. `qemu-aarch64-static`) that is put in front of it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::error::{HarnessError, HarnessResult};

/// How to launch the gateway: an optional runner command line, then the binary.
#[derive(Debug, Clone)]
pub struct GatewayBinary {
    runner: Vec<String>,
    path: PathBuf,
}

impl GatewayBinary {
    /// The binary named by `WAYGATE_BIN`, or the workspace's debug build (built once per process),
    /// with the runner words from `WAYGATE_RUNNER` in front.
    ///
    /// # Errors
    /// When the build fails or the binary does not exist.
    pub fn get() -> HarnessResult<Self> {
        static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        let path = PATH
            .get_or_init(locate_or_build)
            .clone()
            .map_err(HarnessError::Binary)?;
        Ok(Self {
            runner: runner_words(),
            path,
        })
    }

    /// The path of the binary itself (without the runner).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The runner words (empty when the binary runs natively).
    pub fn runner(&self) -> &[String] {
        &self.runner
    }

    /// A `tokio` command that runs the binary (through the runner, if any) with `args`.
    pub fn command<I, S>(&self, args: I) -> tokio::process::Command
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut words: Vec<OsString> = self.runner.iter().map(OsString::from).collect();
        words.push(self.path.clone().into_os_string());
        words.extend(args.into_iter().map(Into::into));
        let mut iter = words.into_iter();
        let program = iter.next().unwrap_or_default();
        let mut command = tokio::process::Command::new(program);
        command.args(iter);
        command
    }

    /// The same binary started under `umask` (octal, e.g. `0o022`): a POSIX shell sets it and
    /// then `exec`s the runner and binary, so the process is still the one the harness spawned.
    pub fn under_umask(&self, umask: u32) -> Self {
        self.under([
            "sh".into(),
            "-c".into(),
            format!("umask {umask:03o} && exec \"$@\""),
            "sh".into(),
        ])
    }

    /// The same binary started through `words` (a command that ends by `exec`ing the rest of
    /// its arguments, like `setpriv ...`), in front of the runner.
    pub fn under(&self, words: impl IntoIterator<Item = String>) -> Self {
        let mut runner: Vec<String> = words.into_iter().collect();
        runner.extend(self.runner.iter().cloned());
        Self {
            runner,
            path: self.path.clone(),
        }
    }

    /// The same runner with the binary at `path` (a copy installed elsewhere).
    pub fn installed_at(&self, path: PathBuf) -> Self {
        Self {
            runner: self.runner.clone(),
            path,
        }
    }

    /// A printable command line for error messages.
    pub fn describe(&self, args: &[String]) -> String {
        let mut words: Vec<String> = self.runner.clone();
        words.push(self.path.display().to_string());
        words.extend(args.iter().cloned());
        words.join(" ")
    }
}

impl GatewayBinary {
    /// Runs the binary with `args` to completion (stdin closed) and returns its output.
    ///
    /// # Errors
    /// When the process cannot be started.
    pub async fn run(&self, args: &[&str]) -> HarnessResult<std::process::Output> {
        self.command(args)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .map_err(|source| HarnessError::Process {
                what: "run waygate",
                source,
            })
    }
}

/// The words of `WAYGATE_RUNNER` (split on whitespace), empty when unset.
fn runner_words() -> Vec<String> {
    std::env::var("WAYGATE_RUNNER")
        .map(|value| value.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), Path::to_path_buf)
}

/// The cargo target directory (`CARGO_TARGET_DIR`, relative to the workspace when relative).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

fn locate_or_build() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("WAYGATE_BIN") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("WAYGATE_BIN={} is not a file", path.display()))
        };
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .args(["build", "-p", "gateway", "--bin", "waygate"])
        .current_dir(workspace_root())
        .output()
        .map_err(|error| format!("running `{cargo} build -p gateway --bin waygate`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{cargo} build -p gateway --bin waygate` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let path = target_dir().join("debug").join("waygate");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "build succeeded but {} does not exist",
            path.display()
        ))
    }
}
