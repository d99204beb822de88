//! A gateway synced with the simulated headquarters ([`crate::hq::Hq`]), for the suites of the
//! sync: started with HQ's `[upstream]` table, customers that write from chosen numbers (so a
//! test decides how many chats there are), and waits that end when `/metrics` says HQ holds
//! everything.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use crate::hq::Hq;
use crate::knobs::ready_deadline;
use crate::metrics::{scrape, value};
use crate::operator_api::{call, json_of};
use crate::suite::must;
use crate::{Escaping, Gateway, GatewayOptions, HttpConnection, SignedWebhook};

/// How long a sync wait may take: HQ's backoff after an outage can reach a minute, and a
/// binary under emulation is slow; at least 4 minutes, or 4 readiness deadlines.
pub fn sync_deadline() -> Duration {
    (ready_deadline() * 4).max(Duration::from_secs(240))
}
/// How often a wait scrapes `/metrics`.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A gateway syncing with `hq`, plus `extra` configuration (lines before any table header go
/// into `[upstream]`), started and ready. Its secrets are generated into its data folder, where
/// `waygate status` finds the operator token.
pub async fn start_synced(hq: &Hq, extra: &str) -> Gateway {
    let options = GatewayOptions {
        config_toml: Some(format!("{}{extra}", hq.config_toml())),
        secrets_via_env: false,
        ..GatewayOptions::default()
    };
    must(Gateway::start(options).await)
}

/// The phone number of customer `index` (`1650777xxxx`).
pub fn customer_phone(index: usize) -> String {
    format!("1650777{:04}", index % 10_000)
}

/// A signed webhook with one text from `phone`.
pub fn text_from(gateway: &Gateway, phone: &str, text: &str) -> Arc<SignedWebhook> {
    let meta = gateway.meta();
    let mut message = meta.text_message(text);
    message["from"] = json!(phone);
    let payload = meta.payload(vec![vec![meta.messages_change(&[message], &[])]]);
    Arc::new(meta.sign_payload(&payload, Escaping::META))
}

/// The events waiting for HQ (`outbox_backlog_entries{outbox="upstream"}`).
pub async fn upstream_backlog(gateway: &Gateway) -> f64 {
    let samples = scrape(gateway).await;
    value(
        &samples,
        "waygate_outbox_backlog_entries",
        Some(("outbox", "upstream")),
    )
}

/// Waits until nothing waits for HQ, and returns how long it took.
pub async fn wait_backlog_empty(gateway: &Gateway) -> Duration {
    let started = Instant::now();
    loop {
        if upstream_backlog(gateway).await == 0.0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < sync_deadline(),
            "the upstream backlog never emptied\n{}",
            gateway.logs()
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// The id of the chat of customer `phone`.
pub async fn chat_of(api: &mut HttpConnection, token: &str, phone: &str) -> u64 {
    let chats = json_of(
        &call(api, Method::GET, "/api/v1/chats", Some(token), None).await,
        200,
        "GET /api/v1/chats",
    );
    chats["chats"]
        .as_array()
        .and_then(|chats| {
            chats
                .iter()
                .find(|chat| chat["customer"] == phone && chat["state"] != "closed")
        })
        .and_then(|chat| chat["id"].as_u64())
        .unwrap_or_else(|| panic!("no open chat of {phone}: {chats}"))
}

/// `POST /api/v1/chats/{chat}/{action}` (accept, close), answered 200.
pub async fn act(api: &mut HttpConnection, token: &str, chat: u64, action: &str) -> Value {
    let path = format!("/api/v1/chats/{chat}/{action}");
    json_of(
        &call(api, Method::POST, &path, Some(token), None).await,
        200,
        &path,
    )
}

/// `waygate status --json` of the running `gateway`: its exit code and report.
pub async fn status_json(gateway: &Gateway) -> (Option<i32>, Value) {
    let output = must(gateway.status(&["--json"]).await);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "waygate status --json: {error}\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}
