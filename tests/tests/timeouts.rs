//! Slow peers: a client that stalls while sending the head or the body is cut off by
//! `header_read_timeout_ms` / `body_read_timeout_ms` (a 408 or a closed connection), and a
//! stalled webhook is stored nowhere.
#![forbid(unsafe_code)]

use waygate_e2e::meta::SIGNATURE_HEADER;
use waygate_e2e::raw_http::RawHttpConnection;
use waygate_e2e::suite::{must, start_with_config, stop_and_export};
use waygate_e2e::tls::ALPN_HTTP1;

const CONFIG: &str = "[public]\nheader_read_timeout_ms = 500\nbody_read_timeout_ms = 500\n";

/// Reads until the gateway answers or closes; failing only if it does neither before the
/// harness's failure-detector deadline.
async fn cut_off(connection: &mut RawHttpConnection) -> String {
    let deadline = waygate_e2e::knobs::operation_deadline();
    match tokio::time::timeout(deadline, connection.read_head()).await {
        Err(_) => {
            panic!("a stalled client was neither answered nor disconnected within {deadline:?}")
        }
        Ok(Ok(head)) => {
            assert!(
                head.status >= 400,
                "a stalled request must not succeed: {head:?}"
            );
            format!("answered {}", head.status)
        }
        Ok(Err(error)) => format!("closed: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_heads_and_bodies_are_cut_off_and_not_stored() {
    let mut gateway = start_with_config(CONFIG).await;
    let meta = gateway.meta().clone();
    let endpoint = must(gateway.public_endpoint_with(rustls::DEFAULT_VERSIONS, &[ALPN_HTTP1]));
    let tls = endpoint.tls.clone().expect("public endpoints use TLS");

    let mut stalled_head = must(RawHttpConnection::connect(endpoint.addr, tls.clone()).await);
    must(
        stalled_head
            .write(b"POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Ty")
            .await,
    );
    let outcome = cut_off(&mut stalled_head).await;
    eprintln!("stalled head: {outcome}");

    let webhook = meta.text_webhook("stalled body");
    let mut stalled_body = must(RawHttpConnection::connect(endpoint.addr, tls).await);
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         {SIGNATURE_HEADER}: {}\r\nContent-Length: {}\r\n\r\n",
        webhook.signature,
        webhook.body.len()
    );
    must(stalled_body.write(head.as_bytes()).await);
    must(
        stalled_body
            .write(&webhook.body[..webhook.body.len() / 2])
            .await,
    );
    let outcome = cut_off(&mut stalled_body).await;
    eprintln!("stalled body: {outcome}");

    // The gateway still serves everyone else.
    let mut connection = must(gateway.connect_public().await);
    let fine = meta.text_webhook("a prompt client");
    assert_eq!(must(connection.post_webhook(&fine).await).status, 200);
    drop(connection);

    let records = stop_and_export(&mut gateway, &[]).await;
    assert!(
        !records
            .iter()
            .any(|record| record["wamid"] == webhook.wamid()),
        "the stalled webhook was stored"
    );
    assert!(records.iter().any(|record| record["wamid"] == fine.wamid()));
}
