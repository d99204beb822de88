//! Graceful shutdown: on SIGTERM (or SIGINT) the gateway finishes requests in flight, commits,
//! and exits 0; every webhook it acknowledged is in the export.
#![forbid(unsafe_code)]

use std::sync::Arc;

use tokio::sync::Notify;
use waygate_e2e::GatewayOptions;
use waygate_e2e::delivery::{AckTrigger, deliver};
use waygate_e2e::export::check_messages_exactly_once;
use waygate_e2e::knobs::{operation_deadline, scaled};
use waygate_e2e::meta::SIGNATURE_HEADER;
use waygate_e2e::raw_http::RawHttpConnection;
use waygate_e2e::suite::{assert_status, must, start, start_with_config, stop_and_export};
use waygate_e2e::tls::ALPN_HTTP1;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_in_flight_requests_and_exits_0() {
    let mut gateway = start_with_config("[shutdown]\ngrace_ms = 30000\n").await;
    let meta = gateway.meta().clone();

    // A request verifiably in flight: the interim 100 proves the head was parsed and the body
    // is being read.
    let held = meta.text_webhook("held across SIGTERM");
    let tls_endpoint = must(gateway.public_endpoint_with(rustls::DEFAULT_VERSIONS, &[ALPN_HTTP1]));
    let tls = tls_endpoint.tls.clone().expect("public endpoints use TLS");
    let mut raw = must(RawHttpConnection::connect(tls_endpoint.addr, tls).await);
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         {SIGNATURE_HEADER}: {}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        held.signature,
        held.body.len()
    );
    must(raw.write(head.as_bytes()).await);
    let interim = must(raw.read_head().await);
    assert_eq!(
        interim.status, 100,
        "expected 100 Continue before the body: {interim:?}"
    );

    // Background load on 8 connections, so that more requests are in flight at the signal.
    let webhooks: Vec<_> = (0..scaled(2000))
        .map(|n| Arc::new(meta.text_webhook(&format!("load {n}"))))
        .collect();
    let reached = Arc::new(Notify::new());
    let trigger = AckTrigger {
        at: scaled(100).min(webhooks.len()),
        reached: Arc::clone(&reached),
    };
    let endpoint = must(gateway.public_endpoint());
    let load = tokio::spawn(async move { deliver(&endpoint, 8, webhooks, Some(trigger)).await });
    let ready = tokio::time::timeout(operation_deadline(), reached.notified()).await;
    assert!(
        ready.is_ok(),
        "the background load never reached its acknowledgement count\n{}",
        gateway.logs()
    );

    must(gateway.sigterm().await);
    must(raw.write(&held.body).await);
    let head = must(raw.read_head().await);
    let body = must(raw.read_body(&head).await);
    assert_eq!(
        head.status,
        200,
        "the in-flight request must complete with 200 after SIGTERM; body {:?}",
        String::from_utf8_lossy(&body)
    );

    let outcome = must(load.await);
    let status = must(gateway.wait_exit().await);
    assert!(
        status.success(),
        "exit status after SIGTERM: {status}\n{}",
        gateway.logs()
    );
    assert!(
        outcome.other_statuses.keys().all(|status| *status == 503),
        "only 200 (or 503 while stopping) expected: {:?}",
        outcome.other_statuses
    );

    let records = must(gateway.export(&[]).await);
    let acked = outcome
        .acked
        .iter()
        .map(|webhook| webhook.wamid())
        .chain([held.wamid()]);
    if let Err(report) = check_messages_exactly_once(&records, acked) {
        panic!("{report}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_also_stops_cleanly() {
    let mut gateway = start(GatewayOptions::default()).await;
    let webhook = gateway.meta().text_webhook("before SIGINT");
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, "POST");
    drop(connection);
    must(gateway.sigint().await);
    let status = must(gateway.wait_exit().await);
    assert!(
        status.success(),
        "exit status after SIGINT: {status}\n{}",
        gateway.logs()
    );
    let records = must(gateway.export(&[]).await);
    if let Err(report) = check_messages_exactly_once(&records, [webhook.wamid()]) {
        panic!("{report}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_gateway_stops_with_exit_0_and_restarts_on_the_same_store() {
    let mut gateway = start(GatewayOptions::default()).await;
    let first = gateway.meta().text_webhook("first life");
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&first).await), 200, "POST");
    drop(connection);
    let status = must(gateway.stop().await);
    assert!(status.success(), "exit status {status}");
    must(gateway.restart().await);
    let mut connection = must(gateway.connect_public().await);
    // A re-delivery after the restart is still a duplicate.
    assert_status(
        &must(connection.post_webhook(&first).await),
        200,
        "re-delivery after restart",
    );
    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;
    if let Err(report) = check_messages_exactly_once(&records, [first.wamid()]) {
        panic!("{report}");
    }
    assert_eq!(records.len(), 1, "{records:#?}");
}
