//! tracing setup: a filter of targets and levels (`RUST_LOG` wins over the configured filter)
//! and text or JSON lines on stderr. Spans carry connection and request ids; payloads and secrets are never
//! fields.

use tracing_subscriber::filter::{ParseError, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

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
#[error("{origin} {directive:?} is not {reason}")]
pub struct LoggingError {
    /// Where the directive came from: `RUST_LOG` or `log.filter`.
    origin: &'static str,
    directive: String,
    reason: String,
}

/// The filter to use: `RUST_LOG` (`rust_log`) when set and not empty, else the configured one.
fn log_filter(rust_log: Option<String>, configured: &str) -> Result<Targets, LoggingError> {
    let (origin, directive) = match rust_log.filter(|value| !value.is_empty()) {
        Some(value) => ("the environment variable RUST_LOG", value),
        None => ("the configured log.filter", configured.to_owned()),
    };
    let parsed = if firmware_config::is_log_filter(&directive) {
        directive
            .parse()
            .map_err(|error: ParseError| format!("a valid log filter: {error}"))
    } else {
        Err(firmware_config::LOG_FILTER_FORM.to_owned())
    };
    parsed.map_err(|reason| LoggingError {
        origin,
        reason,
        directive,
    })
}

/// Installs the global subscriber. `RUST_LOG`, when set, replaces `filter`.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<(), LoggingError> {
    let targets = log_filter(std::env::var("RUST_LOG").ok(), filter)?;
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE)
        .with_target(false);
    let registry = tracing_subscriber::registry().with(targets);
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = match format {
        LogFormat::Text => registry.with(lines.with_ansi(false)).try_init(),
        LogFormat::Json => registry
            .with(lines.json().with_current_span(true).with_span_list(true))
            .try_init(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_filter_is_named_with_where_it_came_from() {
        let from_env = log_filter(Some("info,=[".to_owned()), "info");
        let message = from_env.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.starts_with(
                "the environment variable RUST_LOG \"info,=[\" is not a log filter: levels"
            ),
            "{message}"
        );
        let configured = log_filter(Some(String::new()), "info,=[");
        let message = configured.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.starts_with("the configured log.filter \"info,=[\""),
            "{message}"
        );
        assert!(log_filter(None, "debug,hyper=warn").is_ok());
    }
}
