//! How fast a backlog drains to headquarters: HQ is down while `WAYGATE_E2E_SCALE` x 100,000
//! customer messages arrive (10 per webhook, 100 customers), then up; the time from HQ's return
//! to an empty upstream backlog, and the gateway's CPU time over it, give events per second and
//! CPU per event. Ignored by default (run it with `--ignored`, best with a release binary in
//! `WAYGATE_BIN`); the assertions check only that everything arrived.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use waygate_e2e::delivery::deliver;
use waygate_e2e::hq::Hq;
use waygate_e2e::knobs::scaled;
use waygate_e2e::suite::must;
use waygate_e2e::synced::{customer_phone, start_synced, upstream_backlog, wait_backlog_empty};
use waygate_e2e::{Escaping, Gateway, SignedWebhook};

const MESSAGES: usize = 100_000;
const PER_WEBHOOK: usize = 10;
const CUSTOMERS: usize = 100;

/// The gateway's CPU time so far (user + system), in seconds, from `/proc/<pid>/stat`.
fn cpu_seconds(gateway: &Gateway) -> f64 {
    let pid = gateway.pid().unwrap_or_default();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // The kernel's USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn webhook(gateway: &Gateway, batch: usize) -> Arc<SignedWebhook> {
    let meta = gateway.meta();
    let messages: Vec<_> = (0..PER_WEBHOOK)
        .map(|n| {
            let mut message = meta.text_message(&format!("backlog message {batch}.{n}"));
            message["from"] = json!(customer_phone(batch % CUSTOMERS));
            message
        })
        .collect();
    let payload = meta.payload(vec![vec![meta.messages_change(&messages, &[])]]);
    Arc::new(meta.sign_payload(&payload, Escaping::META))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run with --ignored"]
async fn a_backlog_drains_to_hq() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "").await;
    must(
        hq.wait_until(
            std::time::Duration::from_secs(30),
            "the clock probe",
            |received| received.probes > 0,
        )
        .await,
    );
    hq.down();
    let webhooks: Vec<_> = (0..scaled(MESSAGES) / PER_WEBHOOK)
        .map(|batch| webhook(&gateway, batch))
        .collect();
    let total = webhooks.len();
    let filled = Instant::now();
    let outcome = deliver(&must(gateway.public_endpoint()), 32, webhooks, None).await;
    assert_eq!(outcome.acked.len(), total, "{:?}", outcome.first_errors);
    let backlog = upstream_backlog(&gateway).await;
    eprintln!("filled: {backlog} events in {:?}", filled.elapsed());

    let cpu_before = cpu_seconds(&gateway);
    hq.up();
    let started = Instant::now();
    wait_backlog_empty(&gateway).await;
    // The first retry waits out the backoff HQ's outage built: measure from the first delivery
    // after HQ came back.
    let elapsed = started.elapsed();
    let cpu = cpu_seconds(&gateway) - cpu_before;
    let received = hq.received();
    let first_ok = received
        .deliveries()
        .iter()
        .find(|delivery| delivery.acknowledged())
        .map(|delivery| delivery.at);
    let last_ok = received
        .deliveries()
        .iter()
        .rev()
        .find(|delivery| delivery.acknowledged())
        .map(|delivery| delivery.at);
    let draining = match (first_ok, last_ok) {
        (Some(first), Some(last)) => last.duration_since(first),
        _ => elapsed,
    };
    let events = received.event_count();
    let batches = received.deliveries().len();
    eprintln!(
        "drained {events} events in {batches} deliveries: {draining:?} from the first to the last acknowledgement ({:.0} events/s), {elapsed:?} from HQ's return; gateway CPU {cpu:.2} s ({:.1} µs per event)",
        events as f64 / draining.as_secs_f64().max(1e-3),
        cpu * 1e6 / events as f64,
    );
    assert!(events as f64 >= backlog, "HQ holds the backlog");
    assert!(received.sequence_gaps().is_empty());
}
