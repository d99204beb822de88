//! `Type=notify`: started with `NOTIFY_SOCKET` naming a datagram socket the test binds, the
//! gateway sends `READY=1` once it is ready, `WATCHDOG=1` again and again when `WATCHDOG_USEC`
//! is set, and `STOPPING=1` when SIGTERM starts its shutdown. Each is awaited as a message on
//! the socket, never slept for.
#![forbid(unsafe_code)]

use std::path::Path;

use tokio::net::UnixDatagram;
use waygate_e2e::GatewayOptions;
use waygate_e2e::knobs::operation_deadline;
use waygate_e2e::suite::{must, start};

/// The watchdog period given to the gateway: it pings every half of it.
const WATCHDOG_USEC: u64 = 2_000_000;

/// The service manager's end of `NOTIFY_SOCKET`, and every line received so far.
struct ServiceManager {
    socket: UnixDatagram,
    received: Vec<String>,
}

impl ServiceManager {
    fn bind(path: &Path) -> Self {
        Self {
            socket: must(UnixDatagram::bind(path)),
            received: Vec::new(),
        }
    }

    /// Receives until a datagram holds the line `line`; fails after the operation deadline.
    async fn expect(&mut self, line: &str) {
        let deadline = operation_deadline();
        let wait = tokio::time::timeout(deadline, async {
            let mut buffer = vec![0_u8; 4096];
            loop {
                let length = must(self.socket.recv(&mut buffer).await);
                let datagram = String::from_utf8_lossy(&buffer[..length]).into_owned();
                let found = datagram.lines().any(|received| received == line);
                self.received.extend(datagram.lines().map(str::to_owned));
                if found {
                    return;
                }
            }
        })
        .await;
        assert!(
            wait.is_ok(),
            "no {line} within {deadline:?}; received: {:?}",
            self.received
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_watchdog_and_stopping_reach_the_notify_socket() {
    let dir = must(tempfile::tempdir());
    let path = dir.path().join("notify.sock");
    let mut manager = ServiceManager::bind(&path);
    let mut gateway = start(GatewayOptions {
        env: vec![
            ("NOTIFY_SOCKET".to_owned(), path.display().to_string()),
            ("WATCHDOG_USEC".to_owned(), WATCHDOG_USEC.to_string()),
        ],
        ..GatewayOptions::default()
    })
    .await;

    manager.expect("READY=1").await;
    let status = manager
        .received
        .iter()
        .find(|line| line.starts_with("STATUS="))
        .cloned()
        .unwrap_or_default();
    let local = must(gateway.listeners()).local.to_string();
    assert!(status.contains(&local), "{status:?} names no {local}");

    // Two pings: the watchdog keeps going, it is not a single message at start.
    manager.expect("WATCHDOG=1").await;
    manager.expect("WATCHDOG=1").await;

    must(gateway.sigterm().await);
    manager.expect("STOPPING=1").await;
    let exit = must(gateway.wait_exit().await);
    assert!(exit.success(), "exit status {exit}");
}
