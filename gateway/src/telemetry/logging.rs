//! tracing setup: an env-filter (`RUST_LOG` wins over the configured filter) and text or JSON
//! lines on stderr. Spans carry connection and request ids; payloads and secrets are never
//! fields.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, with the current span and its parents.
    Json,
}

/// The filter directive could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("log filter {directive:?} is not valid: {reason}")]
pub struct LoggingError {
    directive: String,
    reason: String,
}

/// Installs the global subscriber. `RUST_LOG`, when set, replaces `filter`.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<(), LoggingError> {
    let directive = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| filter.to_owned());
    let env_filter = EnvFilter::try_new(&directive).map_err(|error| LoggingError {
        directive: directive.clone(),
        reason: error.to_string(),
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE)
        .with_target(false);
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
    Ok(())
}
