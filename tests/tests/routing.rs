//! Routing and transport: the public listener is HTTPS only (TLS 1.2 and 1.3, ALPN h2 and
//! http/1.1) and serves only /webhook; the local listener serves /healthz and /readyz only.
#![forbid(unsafe_code)]

use bytes::Bytes;
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::tls::{ALPN_H2, ALPN_HTTP1};
use waygate_e2e::{Endpoint, GatewayOptions};

#[tokio::test(flavor = "multi_thread")]
async fn the_public_listener_serves_only_the_webhook() {
    let gateway = start(GatewayOptions::default()).await;
    for path in [
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/chats",
        "/webhook/",
        "/webhook/x",
        "/webhooks",
        "/WEBHOOK",
    ] {
        let mut connection = must(gateway.connect_public().await);
        assert_status(
            &must(connection.get(path).await),
            404,
            &format!("public GET {path}"),
        );
    }
    let mut connection = must(gateway.connect_public().await);
    let reply = must(
        connection
            .request(Method::POST, "/other", &[], Bytes::from_static(b"{}"))
            .await,
    );
    assert_status(&reply, 404, "public POST /other");
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let mut connection = must(gateway.connect_public().await);
        let reply = must(
            connection
                .request(method.clone(), "/webhook", &[], Bytes::new())
                .await,
        );
        assert_status(&reply, 405, &format!("public {method} /webhook"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_listener_serves_only_health() {
    let gateway = start(GatewayOptions::default()).await;
    let mut connection = must(gateway.connect_local().await);
    assert_status(
        &must(connection.get("/healthz").await),
        200,
        "local /healthz",
    );
    assert_status(&must(connection.get("/readyz").await), 200, "local /readyz");
    let token = gateway.options().verify_token.expose().to_owned();
    let handshake = format!("/webhook?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=7");
    for path in ["/", "/webhook", handshake.as_str(), "/nope"] {
        let mut connection = must(gateway.connect_local().await);
        assert_status(
            &must(connection.get(path).await),
            404,
            &format!("local GET {path}"),
        );
    }
    let meta = gateway.meta().clone();
    let webhook = meta.text_webhook("to the wrong listener");
    let mut connection = must(gateway.connect_local().await);
    let reply = must(connection.post_webhook(&webhook).await);
    assert_status(&reply, 404, "local POST /webhook");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_listener_speaks_tls_12_and_13_with_h2_and_http1() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.options().verify_token.expose().to_owned();
    let handshake =
        format!("/webhook?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=99");
    let meta = gateway.meta().clone();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        for (alpn, expect_h2) in [(ALPN_H2, true), (ALPN_HTTP1, false)] {
            let case = format!(
                "{:?} ALPN {}",
                version.version,
                String::from_utf8_lossy(alpn)
            );
            let endpoint = must(gateway.public_endpoint_with(&[version], &[alpn]));
            let mut connection = must(endpoint.connect().await);
            assert_eq!(
                connection.alpn_protocol(),
                Some(alpn),
                "{case}: negotiated ALPN"
            );
            assert_eq!(connection.is_http2(), expect_h2, "{case}");
            let reply = must(connection.get(&handshake).await);
            assert_status(&reply, 200, &format!("{case}: GET handshake"));
            assert_eq!(reply.body, "99".as_bytes(), "{case}");
            let reply = must(connection.post_webhook(&meta.text_webhook(&case)).await);
            assert_status(&reply, 200, &format!("{case}: POST webhook"));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_on_the_public_port_gets_no_http_answer() {
    let gateway = start(GatewayOptions::default()).await;
    let addr = must(gateway.public_addr());
    let mut stream = must(tokio::net::TcpStream::connect(addr).await);
    must(
        stream
            .write_all(b"GET /webhook HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await,
    );
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        waygate_e2e::knobs::operation_deadline(),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(
        read.is_ok(),
        "the gateway neither answered nor closed a plaintext connection"
    );
    assert!(
        !answer.starts_with(b"HTTP/1.1 200") && !answer.starts_with(b"HTTP/1.1 403"),
        "plaintext HTTP was served: {:?}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_other_than_the_gateways_is_rejected_by_the_pinned_client() {
    // Guards the harness itself: pinning must be able to fail.
    let gateway = start(GatewayOptions::default()).await;
    let other = must(rcgen::generate_simple_self_signed(vec![
        "localhost".to_owned(),
    ]));
    let tls = must(waygate_e2e::tls::default_client_config(
        waygate_e2e::tls::ServerTrust::Pinned(vec![other.cert.der().clone()]),
        &[ALPN_HTTP1],
    ));
    let endpoint = Endpoint {
        addr: must(gateway.public_addr()),
        tls: Some(tls),
    };
    assert!(
        endpoint.connect().await.is_err(),
        "a client pinned to another certificate connected"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn listeners_json_names_the_serving_process() {
    let gateway = start(GatewayOptions::default()).await;
    let listeners = must(gateway.listeners());
    assert_eq!(Some(listeners.pid), gateway.pid(), "listeners.json pid");
    assert!(listeners.public.ip().is_loopback() && listeners.public.port() != 0);
    assert!(listeners.local.ip().is_loopback() && listeners.local.port() != 0);
    assert_ne!(listeners.public, listeners.local);
}
