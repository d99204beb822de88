//! A full disk: when the data folder's file system fills up, the store notices the I/O error,
//! `/readyz` and webhooks answer 503 (webhooks with Retry-After), the store keeps trying to
//! reopen its file and stays unready while the disk is full, and once room returns deliveries
//! are answered 200 again within 5 s, without a restart. Every
//! acknowledged message is in the export exactly once. Needs root (it mounts a small tmpfs as
//! the data folder); skipped otherwise.
#![forbid(unsafe_code)]

use std::fs::File;
use std::io::Write as _;
use std::time::{Duration, Instant};

use waygate_e2e::knobs::operation_deadline;
use waygate_e2e::suite::{
    assert_only_acknowledged_stored_once, assert_retry_after, assert_status, must, start,
    stop_and_export,
};
use waygate_e2e::tmpfs::{Tmpfs, running_as_root};
use waygate_e2e::{GatewayOptions, HttpConnection, HttpReply, SignedWebhook};

/// The tmpfs holding the data folder and the filler.
const TMPFS_BYTES: u64 = 24 * 1024 * 1024;
/// The filler grows by this much between deliveries.
const FILLER_CHUNK: usize = 512 * 1024;
/// Each delivery's body: large enough that the store soon needs new pages.
const BODY_BYTES: usize = 16 * 1024;
/// Failed attempts to reopen the store seen (in `/readyz`) before room is made again.
const MIN_FAILED_ATTEMPTS: u32 = 2;
/// How soon after the filler is deleted deliveries must be answered 200 again.
const RECOVERY_DEADLINE: Duration = Duration::from_secs(5);

/// Posts webhooks over one connection and keeps what was acknowledged and what must be re-sent,
/// as Meta would.
struct Sender {
    connection: HttpConnection,
    acked: Vec<String>,
    refused: Vec<SignedWebhook>,
}

impl Sender {
    async fn post(&mut self, webhook: SignedWebhook) -> HttpReply {
        let reply = must(self.connection.post_webhook(&webhook).await);
        match reply.status.as_u16() {
            200 => self.acked.push(webhook.wamid().to_owned()),
            503 => self.refused.push(webhook),
            other => panic!("unexpected status {other} ({:?})", reply.text()),
        }
        reply
    }
}

/// Appends a chunk to the filler; false once the file system is full.
fn grow(filler: &mut File) -> bool {
    match filler.write_all(&[0x5a_u8; FILLER_CHUNK]) {
        Ok(()) => true,
        Err(error) if error.raw_os_error() == Some(28) => false,
        Err(error) => panic!("writing the filler: {error}"),
    }
}

/// The count in `/readyz`'s "(N failed attempts to reopen it so far)".
fn failed_reopen_attempts(readyz: &str) -> u32 {
    readyz
        .split(" failed attempts")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

#[track_caller]
fn assert_recovery_refusal(reply: &HttpReply, context: &str) {
    assert_status(reply, 503, context);
    assert_retry_after(reply, context);
    assert!(
        reply.text().contains("disk error"),
        "{context}: the body should say the store is recovering from a disk error: {:?}",
        reply.text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_gives_503_and_the_store_recovers_without_a_restart() {
    if !running_as_root() {
        eprintln!("disk_full: skipped: mounting a tmpfs as the data folder needs root");
        return;
    }
    let tmpfs = must(Tmpfs::mount(TMPFS_BYTES));
    let mut gateway = start(GatewayOptions {
        data_dir: Some(tmpfs.path().join("data")),
        ..GatewayOptions::default()
    })
    .await;
    let meta = gateway.meta().clone();
    let pid = gateway.pid();
    let mut sender = Sender {
        connection: must(gateway.connect_public().await),
        acked: Vec::new(),
        refused: Vec::new(),
    };

    // Fill the file system a chunk at a time, delivering between chunks, until one is refused.
    let filler_path = tmpfs.path().join("filler.bin");
    let mut filler = must(File::create(&filler_path));
    let mut room_left = true;
    let started = Instant::now();
    loop {
        if room_left {
            room_left = grow(&mut filler);
        }
        let reply = sender.post(must(meta.sized_text_webhook(BODY_BYTES))).await;
        if reply.status.as_u16() == 503 {
            assert_retry_after(&reply, "the first 503 on a full disk");
            break;
        }
        assert!(
            started.elapsed() < operation_deadline(),
            "no 503 within {:?} although the disk is full (filler full: {})\n{}",
            operation_deadline(),
            !room_left,
            gateway.logs()
        );
    }
    assert!(
        !sender.acked.is_empty(),
        "the disk filled before anything was accepted"
    );

    let mut local = must(gateway.connect_local().await);
    let ready = must(local.get("/readyz").await);
    assert_status(&ready, 503, "/readyz once a commit failed on a full disk");
    assert!(
        ready.text().contains("disk error") && ready.text().contains("space"),
        "/readyz should give the reason (a disk error: no space left): {:?}",
        ready.text()
    );
    assert_status(&must(local.get("/healthz").await), 200, "/healthz");
    let again = sender
        .post(meta.text_webhook("while the disk is full"))
        .await;
    assert_recovery_refusal(&again, "a delivery while the disk is full");

    // The store keeps trying to reopen its file, and stays unready while the disk is full.
    let recovering_since = Instant::now();
    loop {
        let ready = must(local.get("/readyz").await);
        assert_status(&ready, 503, "/readyz while the disk stays full");
        if failed_reopen_attempts(&ready.text()) >= MIN_FAILED_ATTEMPTS {
            break;
        }
        assert!(
            recovering_since.elapsed() < operation_deadline(),
            "fewer than {MIN_FAILED_ATTEMPTS} failed reopen attempts after {:?}: {:?}",
            operation_deadline(),
            ready.text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    drop(filler);
    must(std::fs::remove_file(&filler_path));
    let room_returned = Instant::now();
    loop {
        let reply = sender.post(meta.text_webhook("after room returned")).await;
        if reply.status.as_u16() == 200 {
            break;
        }
        assert!(
            room_returned.elapsed() < RECOVERY_DEADLINE,
            "still 503 {RECOVERY_DEADLINE:?} after room returned: {:?}\n{}",
            reply.text(),
            gateway.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        gateway.pid(),
        pid,
        "the gateway must recover without a restart"
    );
    assert_status(
        &must(local.get("/readyz").await),
        200,
        "/readyz after recovery",
    );

    // Meta re-sends what was refused.
    for webhook in std::mem::take(&mut sender.refused) {
        let reply = sender.post(webhook).await;
        assert_status(&reply, 200, "a refused delivery re-sent after recovery");
    }
    drop(sender.connection);
    drop(local);
    let records = stop_and_export(&mut gateway, &[]).await;
    assert_only_acknowledged_stored_once(&records, &sender.acked);
    drop(gateway);
    drop(tmpfs);
}
