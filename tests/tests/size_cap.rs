//! The body cap: exactly 3 MiB is not refused for size, 3 MiB + 1 is 413 and stored nowhere;
//! the cap follows `[public] max_body_bytes`; a client that waits for `100 Continue` with a
//! declared length over the cap is refused at once, without being asked for the body.
#![forbid(unsafe_code)]

use waygate_e2e::export::count_by_wamid;
use waygate_e2e::raw_http::RawHttpConnection;
use waygate_e2e::suite::{assert_status, must, start, start_with_config, stop_and_export};
use waygate_e2e::tls::ALPN_HTTP1;
use waygate_e2e::{Gateway, GatewayOptions};

const THREE_MIB: usize = 3_145_728;

async fn check_cap(gateway: &mut Gateway, cap: usize) {
    let meta = gateway.meta().clone();
    let at_cap = must(meta.sized_text_webhook(cap));
    let over_cap = must(meta.sized_text_webhook(cap + 1));

    let mut connection = must(gateway.connect_public().await);
    let reply = must(connection.post_webhook(&at_cap).await);
    assert_ne!(
        reply.status.as_u16(),
        413,
        "a body of exactly {cap} bytes must not be refused for size"
    );
    let at_cap_accepted = reply.status.as_u16() == 200;

    let mut connection = must(gateway.connect_public().await);
    let reply = must(connection.post_webhook(&over_cap).await);
    assert_status(&reply, 413, &format!("a body of {} bytes", cap + 1));

    let records = stop_and_export(gateway, &[]).await;
    let counts = count_by_wamid(&records, "message");
    assert!(
        !counts.contains_key(over_cap.wamid()),
        "the 413 body was stored"
    );
    if at_cap_accepted {
        assert_eq!(
            counts.get(at_cap.wamid()),
            Some(&1),
            "the accepted {cap}-byte body was not stored once"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_mib_is_the_default_cap() {
    let mut gateway = start(GatewayOptions::default()).await;
    check_cap(&mut gateway, THREE_MIB).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cap_follows_max_body_bytes() {
    let cap = 65_536;
    let mut gateway = start_with_config(&format!("[public]\nmax_body_bytes = {cap}\n")).await;
    check_cap(&mut gateway, cap).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expect_continue_over_the_cap_is_refused_before_the_body() {
    let mut gateway = start(GatewayOptions::default()).await;
    let endpoint = must(gateway.public_endpoint_with(rustls::DEFAULT_VERSIONS, &[ALPN_HTTP1]));
    let tls = endpoint.tls.clone().expect("public endpoints use TLS");
    for (declared, expected) in [(THREE_MIB + 1, 413), (THREE_MIB, 100)] {
        let mut raw = must(RawHttpConnection::connect(endpoint.addr, tls.clone()).await);
        let head = format!(
            "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             x-hub-signature-256: sha256={}\r\nContent-Length: {declared}\r\n\
             Expect: 100-continue\r\n\r\n",
            "0".repeat(64)
        );
        must(raw.write(head.as_bytes()).await);
        let first = must(raw.read_head().await);
        assert_eq!(
            first.status, expected,
            "declared {declared} bytes with Expect: 100-continue: {first:?}"
        );
        if expected == 413 {
            let body = must(raw.read_body(&first).await);
            let text = String::from_utf8_lossy(&body);
            assert!(text.contains("larger than 3145728 bytes"), "{text}");
        }
    }
    let records = stop_and_export(&mut gateway, &[]).await;
    assert!(records.is_empty(), "nothing was delivered: {records:#?}");
}
