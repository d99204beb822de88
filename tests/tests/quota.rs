//! Disk quota: when usage (store + other files in the data folder) would pass `[store]
//! quota_bytes`, POST /webhook answers 503 with Retry-After and stores nothing; when room
//! returns it accepts again without a restart. Reached two ways: a ballast file, and filling the
//! store itself.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use waygate_e2e::knobs::operation_deadline;
use waygate_e2e::suite::{
    assert_only_acknowledged_stored_once, assert_retry_after, assert_status, must,
    start_with_config, stop_and_export,
};
use waygate_e2e::{Gateway, HttpReply, SignedWebhook};

const MIB: usize = 1024 * 1024;

fn write_ballast(path: &Path, bytes: usize) {
    // Real bytes, not a sparse file: usage must not depend on how it is measured.
    must(std::fs::write(path, vec![0x5a_u8; bytes]));
}

/// Tracks what was acknowledged and what must be re-sent, as Meta would.
#[derive(Default)]
struct Sender {
    acked: Vec<String>,
    refused: Vec<SignedWebhook>,
}

impl Sender {
    async fn post(&mut self, gateway: &Gateway, webhook: SignedWebhook) -> HttpReply {
        let mut connection = must(gateway.connect_public().await);
        let reply = must(connection.post_webhook(&webhook).await);
        match reply.status.as_u16() {
            200 => self.acked.push(webhook.wamid().to_owned()),
            503 => self.refused.push(webhook),
            other => panic!("unexpected status {other} ({:?})", reply.text()),
        }
        reply
    }

    /// Posts fresh webhooks from `make` until one gets 503 (bounded by the deadline).
    async fn until_refused(
        &mut self,
        gateway: &Gateway,
        mut make: impl FnMut() -> SignedWebhook,
    ) -> HttpReply {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(10);
        loop {
            let reply = self.post(gateway, make()).await;
            if reply.status.as_u16() == 503 {
                return reply;
            }
            assert!(
                started.elapsed() < operation_deadline(),
                "no 503 within {:?} although usage is over the quota\n{}",
                operation_deadline(),
                gateway.logs()
            );
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_millis(200));
        }
    }

    /// Re-sends the first refused webhook until it is accepted (bounded), then all the others.
    async fn until_recovered(&mut self, gateway: &Gateway) {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(10);
        let mut pending = std::mem::take(&mut self.refused);
        while let Some(webhook) = pending.pop() {
            let reply = self.post(gateway, webhook).await;
            if reply.status.as_u16() == 503 {
                pending.extend(self.refused.pop());
                assert!(
                    started.elapsed() < operation_deadline(),
                    "still 503 {:?} after room returned\n{}",
                    operation_deadline(),
                    gateway.logs()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_millis(200));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ballast_file_over_the_quota_gives_503_until_it_is_removed() {
    let quota = 16 * MIB;
    let mut gateway = start_with_config(&format!("[store]\nquota_bytes = {quota}\n")).await;
    let meta = gateway.meta().clone();
    let mut sender = Sender::default();
    for n in 0..5 {
        let reply = sender
            .post(&gateway, meta.text_webhook("before the ballast"))
            .await;
        assert_status(
            &reply,
            200,
            &format!("POST {n} before the ballast (store alone over {quota} bytes?)"),
        );
    }

    let ballast: PathBuf = gateway.data_dir().join("ballast.bin");
    write_ballast(&ballast, quota);
    let refused = sender
        .until_refused(&gateway, || meta.text_webhook("with the ballast"))
        .await;
    assert_retry_after(&refused, "a POST over the quota");
    let again = sender.post(&gateway, meta.text_webhook("still over")).await;
    assert_status(&again, 503, "a POST while still over the quota");
    assert_retry_after(&again, "a POST still over the quota");
    let mut local = must(gateway.connect_local().await);
    assert_status(
        &must(local.get("/healthz").await),
        200,
        "/healthz while over the quota",
    );

    must(std::fs::remove_file(&ballast));
    sender.until_recovered(&gateway).await;
    let after = sender
        .post(&gateway, meta.text_webhook("after the ballast"))
        .await;
    assert_status(&after, 200, "a fresh POST after recovery");

    let records = stop_and_export(&mut gateway, &[]).await;
    assert_only_acknowledged_stored_once(&records, &sender.acked);
}

#[tokio::test(flavor = "multi_thread")]
async fn filling_the_store_gives_503_and_freeing_room_recovers() {
    let quota = 8 * MIB;
    let body_bytes = 64 * 1024;
    let mut gateway = start_with_config(&format!("[store]\nquota_bytes = {quota}\n")).await;
    let meta = gateway.meta().clone();
    // Half the quota is a ballast, so that deleting it frees room without a restart.
    let ballast = gateway.data_dir().join("ballast.bin");
    write_ballast(&ballast, quota / 2);

    let mut sender = Sender::default();
    let cap = 4 * quota / body_bytes;
    let mut refused = None;
    for _ in 0..cap {
        let reply = sender
            .post(&gateway, must(meta.sized_text_webhook(body_bytes)))
            .await;
        if reply.status.as_u16() == 503 {
            refused = Some(reply);
            break;
        }
    }
    let Some(refused) = refused else {
        panic!(
            "{cap} webhooks of {body_bytes} bytes never hit the {quota}-byte quota\n{}",
            gateway.logs()
        );
    };
    assert_retry_after(&refused, "a POST over the quota");
    assert!(
        !sender.acked.is_empty(),
        "the store filled before accepting anything"
    );
    let mut local = must(gateway.connect_local().await);
    assert_status(
        &must(local.get("/healthz").await),
        200,
        "/healthz with a full store",
    );

    must(std::fs::remove_file(&ballast));
    sender.until_recovered(&gateway).await;

    let records = stop_and_export(&mut gateway, &[]).await;
    assert_only_acknowledged_stored_once(&records, &sender.acked);
}
