//! Small helpers for the suites: failing with readable messages, starting and stopping.

use std::fmt::Display;

use serde_json::Value;

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
