//! `waygate status`: asks the running gateway (`GET /api/v1/status` on the local listener named
//! in `listeners.json`, with an operator's token) and prints its status; when the gateway is not
//! running (no `listeners.json`, or nothing listens there), reads its store instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use http::StatusCode;
use serde::Serialize;

use super::client::{self, ClientError};
use super::render;
use super::report::StatusReport;
use crate::clock::{SystemClock, WallClock as _};
use crate::listeners_file::{LISTENERS_FILE, Listeners};
use crate::secret::Secret;
use crate::secrets::{ENV_OPERATOR_TOKEN, GENERATED_OPERATOR_TOKEN};
use crate::store::reader::StoreReader;
use crate::store::{ChatCounts, StoreError, StoreSummary};

/// What `waygate status` was asked.
#[derive(Debug, Clone)]
pub struct StatusOptions {
    /// The gateway's data folder.
    pub data_dir: PathBuf,
    /// Where the operator token is (default: `WAYGATE_OPERATOR_TOKEN`, else the one generated
    /// into the data folder).
    pub token_file: Option<PathBuf>,
    /// Print the raw JSON instead of the summary.
    pub json: bool,
}

/// The verdict, once a status was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Running, ready, and the quota's measure at or below the alert level.
    Healthy,
    /// Not ready, over the alert level, or not running.
    Unhealthy,
}

/// Why no status could be printed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The operator token could not be read (a file that cannot be read or is empty, an empty
    /// variable).
    #[error(
        "cannot read the operator token: {0}; pass --token-file FILE or set {ENV_OPERATOR_TOKEN}"
    )]
    Token(#[source] crate::secret::SecretError),
    /// The gateway refused the token.
    #[error("the gateway refused the operator token from {origin}: {message}")]
    Unauthorized {
        /// Where the token came from.
        origin: String,
        /// The gateway's message.
        message: String,
    },
    /// `listeners.json` could not be read.
    #[error("{}: {source}", .path.display())]
    Listeners {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The running gateway did not answer, or not with a status.
    #[error("the gateway is running but gave no status: {0}")]
    NoStatus(String),
    /// The stopped gateway's store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runtime or the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StatusError {
    /// True when the error itself says the gateway is unhealthy: it runs but does not answer
    /// with its status (a timeout, a 503 while its store is unreadable).
    pub fn means_unhealthy(&self) -> bool {
        matches!(self, Self::NoStatus(_))
    }
}

/// Runs the command, printing to `out`.
pub fn run(options: &StatusOptions, out: &mut impl Write) -> Result<Verdict, StatusError> {
    let listeners =
        Listeners::read(&options.data_dir).map_err(|source| StatusError::Listeners {
            path: options.data_dir.join(LISTENERS_FILE),
            source,
        })?;
    let Some(listeners) = listeners else {
        let why = format!(
            "no {LISTENERS_FILE} in {}: it was stopped",
            options.data_dir.display()
        );
        return stopped(options, &why, out);
    };
    let (token, origin) = operator_token(options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let addr = listeners.local_for_clients();
    let (status, body) = match runtime.block_on(client::fetch(addr, &token)) {
        Ok(answer) => answer,
        // A stale file after a crash: the gateway is gone.
        Err(error @ ClientError::Refused(_)) => return stopped(options, &error.to_string(), out),
        Err(error) => return Err(StatusError::NoStatus(error.to_string())),
    };
    match status {
        StatusCode::OK => {}
        StatusCode::UNAUTHORIZED => {
            return Err(StatusError::Unauthorized {
                origin,
                message: error_message(&body),
            });
        }
        other => {
            return Err(StatusError::NoStatus(format!(
                "{other}: {}",
                error_message(&body)
            )));
        }
    }
    let report: StatusReport = serde_json::from_slice(&body)
        .map_err(|error| StatusError::NoStatus(format!("its answer is not a status: {error}")))?;
    if options.json {
        out.write_all(&body)?;
        if !body.ends_with(b"\n") {
            writeln!(out)?;
        }
    } else {
        write!(out, "{}", render::running(&report, SystemClock.now_ms()))?;
    }
    Ok(if report.is_healthy() {
        Verdict::Healthy
    } else {
        Verdict::Unhealthy
    })
}

/// The status of a stopped gateway, from its store.
fn stopped(
    options: &StatusOptions,
    why: &str,
    out: &mut impl Write,
) -> Result<Verdict, StatusError> {
    let (reader, _) = StoreReader::open(&options.data_dir)?;
    let snapshot = reader.snapshot()?;
    if options.json {
        /// `waygate status --json` for a stopped gateway.
        #[derive(Serialize)]
        struct Stopped<'a> {
            running: bool,
            store: &'a StoreSummary,
            chats: &'a ChatCounts,
        }
        let stopped = Stopped {
            running: false,
            store: &snapshot.summary,
            chats: &snapshot.chats,
        };
        serde_json::to_writer_pretty(&mut *out, &stopped).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let now = SystemClock.now_ms();
        let text = render::stopped(why, &snapshot.summary, &snapshot.chats, now);
        write!(out, "{text}")?;
    }
    Ok(Verdict::Unhealthy)
}

/// The token to present, and where it came from: `--token-file`, else the environment, else
/// the token the gateway generated into the data folder.
fn operator_token(options: &StatusOptions) -> Result<(Secret, String), StatusError> {
    let from_file = |path: &Path| {
        let secret = Secret::read_file(path).map_err(StatusError::Token)?;
        Ok((secret, path.display().to_string()))
    };
    if let Some(path) = &options.token_file {
        return from_file(path);
    }
    if std::env::var_os(ENV_OPERATOR_TOKEN).is_some_and(|value| !value.is_empty()) {
        let secret = Secret::from_env(ENV_OPERATOR_TOKEN).map_err(StatusError::Token)?;
        return Ok((secret, ENV_OPERATOR_TOKEN.to_owned()));
    }
    from_file(&options.data_dir.join(GENERATED_OPERATOR_TOKEN))
}

/// The `error` of a JSON error answer, or the answer as text.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned())
}
