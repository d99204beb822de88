//! Idle connections after the TLS handshake: clients that send nothing, only part of the HTTP/2
//! preface, or one byte, over HTTP/1.1, HTTP/2 and no ALPN, fill every connection slot. Each is
//! cut within the header timeout (plus a second), and a real delivery made while they hold the
//! listener is answered 200 within the same time: the longest-idle connection gives way.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use waygate_e2e::suite::{must, start_with_config, stop_and_export};
use waygate_e2e::tls::{ALPN_H2, ALPN_HTTP1, server_name};

const HEADER_TIMEOUT: Duration = Duration::from_millis(3_000);
/// Slots, all taken by idle clients: a third each of HTTP/1.1, HTTP/2 and no ALPN.
const MAX_CONNECTIONS: usize = 30;
/// How late past the header timeout a cut (or the real delivery's answer) may come.
const SLACK: Duration = Duration::from_secs(1);

/// What an idle client sends after its handshake, if anything.
fn idle_bytes(kind: usize) -> &'static [u8] {
    match kind % 3 {
        0 => b"",
        1 => b"PRI * HTTP/2.0\r\n",
        _ => b"P",
    }
}

async fn connect(addr: std::net::SocketAddr, config: Arc<ClientConfig>) -> TlsStream<TcpStream> {
    let tcp = must(TcpStream::connect(addr).await);
    must(TlsConnector::from(config).connect(server_name(), tcp).await)
}

/// Waits until the server closes `stream`; returns when that happened. Fails after `limit`.
async fn closed_within(mut stream: TlsStream<TcpStream>, limit: Duration) -> Instant {
    let mut buffer = [0_u8; 256];
    let outcome = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return Instant::now(),
                // HTTP/2 settings or a GOAWAY may come first: read on until the close.
                Ok(_) => {}
            }
        }
    })
    .await;
    match outcome {
        Ok(at) => at,
        Err(_) => panic!("an idle connection was still open after {limit:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_tls_clients_are_cut_and_a_real_delivery_gets_through_meanwhile() {
    let config = format!(
        "[public]\nheader_read_timeout_ms = {}\nmax_connections = {MAX_CONNECTIONS}\n",
        HEADER_TIMEOUT.as_millis()
    );
    let mut gateway = start_with_config(&config).await;
    let meta = gateway.meta().clone();
    let versions = rustls::DEFAULT_VERSIONS;
    let configs = [
        must(gateway.public_endpoint_with(versions, &[ALPN_HTTP1])),
        must(gateway.public_endpoint_with(versions, &[ALPN_H2])),
        must(gateway.public_endpoint_with(versions, &[])),
    ];

    let mut idle = Vec::new();
    for kind in 0..MAX_CONNECTIONS {
        let endpoint = &configs[kind % 3];
        let tls = endpoint.tls.clone().expect("public endpoints use TLS");
        let opened = Instant::now();
        let mut stream = connect(endpoint.addr, tls).await;
        let bytes = idle_bytes(kind);
        if !bytes.is_empty() {
            must(stream.write_all(bytes).await);
            must(stream.flush().await);
        }
        idle.push((kind, opened, stream));
    }
    let watchers: Vec<_> = idle
        .into_iter()
        .map(|(kind, opened, stream)| {
            tokio::spawn(async move {
                let limit = HEADER_TIMEOUT + SLACK;
                let closed =
                    closed_within(stream, limit + waygate_e2e::knobs::operation_deadline()).await;
                (kind, closed.duration_since(opened))
            })
        })
        .collect();

    // Every slot is held by an idle client; a real delivery still gets through, promptly.
    let webhook = meta.text_webhook("delivered while the listener was full of idle clients");
    let sent = Instant::now();
    let mut connection = must(gateway.connect_public().await);
    let reply = must(connection.post_webhook(&webhook).await);
    let answered = sent.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        answered <= HEADER_TIMEOUT + SLACK,
        "the real delivery waited {answered:?} for a slot"
    );
    drop(connection);

    for watcher in watchers {
        let (kind, open_for) = must(watcher.await);
        assert!(
            open_for <= HEADER_TIMEOUT + SLACK,
            "idle client {kind} (sent {:?}) stayed connected for {open_for:?}",
            String::from_utf8_lossy(idle_bytes(kind))
        );
    }

    let records = stop_and_export(&mut gateway, &[]).await;
    let stored = records
        .iter()
        .filter(|record| record["wamid"] == webhook.wamid())
        .count();
    assert_eq!(stored, 1, "the real delivery is stored exactly once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let mut gateway =
        start_with_config("[public]\nheader_read_timeout_ms = 5000\nidle_timeout_ms = 500\n").await;
    let meta = gateway.meta().clone();
    let endpoint = must(gateway.public_endpoint_with(rustls::DEFAULT_VERSIONS, &[ALPN_HTTP1]));
    let tls = endpoint.tls.clone().expect("public endpoints use TLS");
    let mut stream = connect(endpoint.addr, tls).await;
    let webhook = meta.text_webhook("one request, then silence");
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         {}: {}\r\nContent-Length: {}\r\n\r\n",
        waygate_e2e::meta::SIGNATURE_HEADER,
        webhook.signature,
        webhook.body.len()
    );
    must(stream.write_all(head.as_bytes()).await);
    must(stream.write_all(&webhook.body).await);
    must(stream.flush().await);
    // The answer, then the close well before the 5 s header timeout would have cut it.
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 1024];
    let answered = loop {
        let read = tokio::time::timeout(
            waygate_e2e::knobs::operation_deadline(),
            stream.read(&mut buffer),
        )
        .await;
        let read = must(read.map_err(|_| "no answer"));
        let count = must(read);
        assert!(
            count > 0,
            "closed before answering: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buffer[..count]);
        if seen.windows(4).any(|w| w == b"\r\n\r\n") {
            break Instant::now();
        }
    };
    assert!(
        seen.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&seen)
    );
    let closed = closed_within(stream, waygate_e2e::knobs::operation_deadline()).await;
    let idle_for = closed.duration_since(answered);
    assert!(
        idle_for < Duration::from_millis(5_000),
        "the idle keep-alive connection was held {idle_for:?}: the idle timeout did not apply"
    );
    drop(stop_and_export(&mut gateway, &[]).await);
}
