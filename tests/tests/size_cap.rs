//! The body cap: exactly 3 MiB is not refused for size, 3 MiB + 1 is 413 and stored nowhere;
//! the cap follows `[public] max_body_bytes`.
#![forbid(unsafe_code)]

use waygate_e2e::export::count_by_wamid;
use waygate_e2e::suite::{assert_status, must, start, start_with_config, stop_and_export};
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
