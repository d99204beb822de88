//! Small helpers for the suites: failing with readable messages, starting and stopping.

use std::fmt::Display;

use serde_json::Value;

use crate::export::check_messages_exactly_once;
use crate::gateway::Gateway;
use crate::http_client::HttpReply;
use crate::options::GatewayOptions;

/// Unwraps a harness result, failing the test with the error's `Display` text (which keeps the
/// gateway's log tail readable, unlike `Debug`).
///
/// # Panics
/// When `result` is an error: that is the test failing.
#[track_caller]
pub fn must<T, E: Display>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        #[allow(clippy::panic, reason = "a harness failure fails the test")]
        Err(error) => panic!("{error}"),
    }
}

/// Starts a gateway, failing the test if it does not become ready.
pub async fn start(options: GatewayOptions) -> Gateway {
    must(Gateway::start(options).await)
}

/// Starts a gateway with default options and this config text.
pub async fn start_with_config(config_toml: &str) -> Gateway {
    start(GatewayOptions::with_config(config_toml)).await
}

/// Delivers one signed text message on a new public connection, asserting it is answered 200.
pub async fn deliver_text(gateway: &Gateway, text: &str) {
    let webhook = gateway.meta().text_webhook(text);
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, text);
}

/// Asserts a reply's status, showing the body on failure.
#[track_caller]
pub fn assert_status(reply: &HttpReply, expected: u16, context: &str) {
    assert_eq!(
        reply.status.as_u16(),
        expected,
        "{context}: expected {expected}, got {} with body {:?}",
        reply.status,
        reply.text()
    );
}

/// Asserts that a reply (a 503) carries a non-empty `Retry-After`.
#[track_caller]
pub fn assert_retry_after(reply: &HttpReply, context: &str) {
    assert!(
        reply
            .header("retry-after")
            .is_some_and(|value| !value.trim().is_empty()),
        "{context}: a 503 must carry Retry-After; headers: {:?}",
        reply.headers
    );
}

/// Asserts that the export holds the message of every acknowledged wamid exactly once, and no
/// other record: what was refused (and never acknowledged since) must not be stored.
#[track_caller]
#[allow(clippy::panic, reason = "a failed check fails the test")]
pub fn assert_only_acknowledged_stored_once(records: &[Value], acked: &[String]) {
    if let Err(report) = check_messages_exactly_once(records, acked.iter().map(String::as_str)) {
        panic!("{report}");
    }
    assert_eq!(
        records.len(),
        acked.len(),
        "only acknowledged webhooks may be stored"
    );
}

/// SIGTERM, assert exit code 0, then `waygate export` with `args`.
pub async fn stop_and_export(gateway: &mut Gateway, args: &[&str]) -> Vec<Value> {
    let status = must(gateway.stop().await);
    assert!(
        status.success(),
        "gateway exited with {status} after SIGTERM\n{}",
        gateway.logs()
    );
    must(gateway.export(args).await)
}

/// Skips a test that cannot run here, saying why; in CI (`CI` set) it fails instead, since CI
/// installs what the suite needs.
///
/// # Panics
/// In CI.
pub fn skip_unless_ci(reason: &str) {
    let in_ci = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
    assert!(!in_ci, "cannot run in CI: {reason}");
    eprintln!("SKIPPED: {reason}");
}
