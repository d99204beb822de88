//! `/metrics` on the local listener, read as Prometheus reads it (parsed by a text-format parser,
//! not by string matching): it needs no token, the webhook counter for status 200 moves by
//! exactly the number of signed deliveries made, a refused delivery is counted under its own
//! status and reason, and the histograms (ingest latency, group-commit size and latency) and the
//! store's gauges (bytes and quota, dedupe entries, dead letters, chats by state) are there.
#![forbid(unsafe_code)]

use prometheus_parse::Sample;
use serde_json::json;
use waygate_e2e::Escaping;
use waygate_e2e::metrics::{histogram_total, scrape, value};
use waygate_e2e::suite::{assert_status, must, start_with_config};

/// Signed deliveries made between the two scrapes; each from its own customer.
const DELIVERIES: usize = 7;
const QUOTA_BYTES: u64 = 32 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread")]
async fn the_webhook_counter_moves_by_exactly_the_deliveries_made() {
    let gateway = start_with_config(&format!("[store]\nquota_bytes = {QUOTA_BYTES}\n")).await;
    let before = scrape(&gateway).await;
    let ok = |samples: &[Sample]| {
        value(
            samples,
            "waygate_webhook_requests_total",
            Some(("status", "200")),
        )
    };

    let meta = gateway.meta().clone();
    let mut public = must(gateway.connect_public().await);
    for n in 0..DELIVERIES {
        let mut message = meta.text_message(&format!("delivery {n}"));
        message["from"] = json!(format!("1650555{n:04}"));
        let change = meta.messages_change(&[message], &[]);
        let webhook = meta.sign_payload(&meta.payload(vec![vec![change]]), Escaping::META);
        assert_status(&must(public.post_webhook(&webhook).await), 200, "delivery");
    }
    let forged = meta.text_webhook("forged");
    let refused = must(
        public
            .post_raw(forged.body.clone(), Some("sha256=00"))
            .await,
    );
    assert_status(&refused, 401, "a delivery with a wrong signature");
    drop(public);

    let after = scrape(&gateway).await;
    let made = DELIVERIES as f64;
    assert_eq!(ok(&after) - ok(&before), made, "status 200");
    let unauthorized = |samples: &[Sample]| {
        value(
            samples,
            "waygate_webhook_requests_total",
            Some(("status", "401")),
        )
    };
    assert_eq!(
        unauthorized(&after) - unauthorized(&before),
        1.0,
        "status 401"
    );
    let signature = |samples: &[Sample]| {
        value(
            samples,
            "waygate_webhook_refusals_total",
            Some(("reason", "signature")),
        )
    };
    assert_eq!(
        signature(&after) - signature(&before),
        1.0,
        "signature refusals"
    );
    let stored =
        |samples: &[Sample]| value(samples, "waygate_webhook_deliveries_stored_total", None);
    assert_eq!(stored(&after) - stored(&before), made, "deliveries stored");
    let appended = |samples: &[Sample]| {
        value(
            samples,
            "waygate_webhook_events_total",
            Some(("outcome", "appended")),
        )
    };
    assert_eq!(
        appended(&after) - appended(&before),
        made,
        "events appended"
    );

    // Histograms: one ingest latency per stored delivery; every delivery in some group commit.
    let ingest = "waygate_ingest_latency_seconds";
    assert_eq!(
        histogram_total(&after, ingest) - histogram_total(&before, ingest),
        made
    );
    assert!(histogram_total(&after, "waygate_store_commit_size") >= 1.0);
    assert!(histogram_total(&after, "waygate_store_commit_latency_seconds") >= 1.0);
    assert_eq!(
        value(&after, "waygate_store_commit_size_sum", None)
            - value(&before, "waygate_store_commit_size_sum", None),
        made,
        "deliveries per group commit add up to the deliveries"
    );

    // Gauges, read from the store when scraped.
    assert_eq!(
        value(&after, "waygate_store_quota_bytes", None),
        QUOTA_BYTES as f64
    );
    assert!(
        value(&after, "waygate_store_used_bytes", None)
            > value(&before, "waygate_store_used_bytes", None)
    );
    // Growth is measured over a minute at least: a store seconds old has no forecast yet.
    assert_eq!(
        value(&after, "waygate_store_quota_full_in_hours", None),
        f64::INFINITY
    );
    assert_eq!(value(&after, "waygate_dedupe_entries", None), made);
    assert_eq!(value(&after, "waygate_dead_letters", None), 0.0);
    assert_eq!(
        value(&after, "waygate_chats", Some(("state", "waiting"))),
        made
    );
    assert_eq!(
        value(&after, "waygate_chats", Some(("state", "active"))),
        0.0
    );
    assert_eq!(
        value(&after, "waygate_chats", Some(("state", "closed"))),
        0.0
    );
    let build = after
        .iter()
        .find(|sample| sample.metric == "waygate_build_info")
        .unwrap_or_else(|| panic!("no waygate_build_info"));
    assert!(
        build.labels.get("version").is_some_and(|v| !v.is_empty())
            && build.labels.get("commit").is_some_and(|c| !c.is_empty()),
        "{build:?}"
    );
}
