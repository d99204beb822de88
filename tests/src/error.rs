//! The harness's error type: everything that can go wrong while driving the real binary.

use std::path::PathBuf;

/// An error raised by the harness (not by an assertion of a suite).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// Building or locating the `waygate` binary failed.
    #[error("cannot provide the waygate binary: {0}")]
    Binary(String),
    /// A filesystem operation on a harness-owned path failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What the harness was doing.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Spawning or signalling a child process failed.
    #[error("process {what}: {source}")]
    Process {
        /// Which process operation failed.
        what: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The gateway did not become ready before the deadline.
    #[error("gateway not ready after {waited_ms} ms: {last_problem}")]
    NotReady {
        /// How long the harness waited.
        waited_ms: u128,
        /// The last reason it was not ready yet.
        last_problem: String,
    },
    /// The gateway process exited when it was expected to run.
    #[error("gateway exited unexpectedly ({status})")]
    ExitedEarly {
        /// The exit status as text.
        status: String,
    },
    /// The gateway became ready although it was expected to refuse to start.
    #[error("the gateway started although it was expected to refuse to")]
    StartedAnyway,
    /// An operation needed a running gateway but none was running (or the reverse).
    #[error("gateway state: {0}")]
    State(&'static str),
    /// A command run by the harness (for example `waygate export`) failed.
    #[error("command `{command}` failed ({status}): {stderr}")]
    Command {
        /// The command line.
        command: String,
        /// The exit status as text.
        status: String,
        /// The command's standard error.
        stderr: String,
    },
    /// Output that should have been JSON was not.
    #[error("bad JSON in {context}: {source}")]
    Json {
        /// Where the JSON came from.
        context: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A TLS configuration or handshake problem.
    #[error("TLS: {0}")]
    Tls(String),
    /// A connection or HTTP-level problem.
    #[error("HTTP: {0}")]
    Http(String),
    /// The browser (chromedriver, Chromium, a WebDriver command) failed.
    #[error("browser: {0}")]
    Browser(String),
    /// A wait exceeded its deadline.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Bad input to the harness itself (a corpus file, an argument).
    #[error("invalid input: {0}")]
    Invalid(String),
}

impl HarnessError {
    /// Wraps an I/O error with the action and path it concerned.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// The harness's result type.
pub type HarnessResult<T> = Result<T, HarnessError>;
