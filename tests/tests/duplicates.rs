//! Duplicates: the same message (wamid) delivered again — sequentially, concurrently on several
//! connections, inside one payload, or inside a different payload — is stored once; statuses
//! dedupe on (wamid, status).
#![forbid(unsafe_code)]

use std::sync::Arc;

use waygate_e2e::export::{check_messages_exactly_once, count_by_wamid, status_name};
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};
use waygate_e2e::{Escaping, GatewayOptions};

#[tokio::test(flavor = "multi_thread")]
async fn the_same_message_delivered_many_ways_is_stored_once() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let mut connection = must(gateway.connect_public().await);

    let sequential = meta.text_webhook("sent three times in a row");
    for attempt in 1..=3 {
        let reply = must(connection.post_webhook(&sequential).await);
        assert_status(&reply, 200, &format!("sequential delivery {attempt}"));
    }

    let concurrent = Arc::new(meta.text_webhook("sent on eight connections at once"));
    let endpoint = must(gateway.public_endpoint());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let endpoint = endpoint.clone();
        let webhook = Arc::clone(&concurrent);
        tasks.push(tokio::spawn(async move {
            let mut connection = must(endpoint.connect().await);
            let mut statuses = Vec::new();
            for _ in 0..3 {
                statuses.push(
                    must(connection.post_webhook(&webhook).await)
                        .status
                        .as_u16(),
                );
            }
            statuses
        }));
    }
    for task in tasks {
        assert_eq!(
            must(task.await),
            [200, 200, 200],
            "every concurrent duplicate is answered 200"
        );
    }

    let message = meta.text_message("twice inside one payload");
    let inside = meta.sign_payload(
        &meta.payload(vec![vec![
            meta.messages_change(&[message.clone(), message.clone()], &[]),
        ]]),
        Escaping::META,
    );
    assert_status(
        &must(connection.post_webhook(&inside).await),
        200,
        "duplicate inside a payload",
    );

    let fresh = meta.text_message("a new message next to an old one");
    let mixed = meta.sign_payload(
        &meta.payload(vec![vec![meta.messages_change(&[message, fresh], &[])]]),
        Escaping::NONE,
    );
    assert_status(
        &must(connection.post_webhook(&mixed).await),
        200,
        "old and new message together",
    );

    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;
    let expected = [
        sequential.wamid(),
        concurrent.wamid(),
        inside.ids.messages[0].as_str(),
        mixed.ids.messages[1].as_str(),
    ];
    if let Err(report) = check_messages_exactly_once(&records, expected) {
        panic!("{report}");
    }
    assert_eq!(
        count_by_wamid(&records, "message").len(),
        expected.len(),
        "unexpected extra messages"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn statuses_dedupe_on_wamid_and_status() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let outbound = meta.next_wamid();
    let mut connection = must(gateway.connect_public().await);
    let mut send_status = async |status: &str| {
        let payload = meta.payload(vec![vec![
            meta.messages_change(&[], &[meta.status(&outbound, status)]),
        ]]);
        let webhook = meta.sign_payload(&payload, Escaping::META);
        assert_status(&must(connection.post_webhook(&webhook).await), 200, status);
    };
    for status in [
        "delivered",
        "delivered",
        "delivered",
        "read",
        "read",
        "delivered",
    ] {
        send_status(status).await;
    }
    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;
    let stored: Vec<_> = records
        .iter()
        .filter(|record| record["kind"] == "status" && record["wamid"] == outbound.as_str())
        .collect();
    assert_eq!(
        stored.len(),
        2,
        "(wamid, delivered) and (wamid, read) should be stored once each: {stored:#?}"
    );
    let mut names: Vec<_> = stored
        .iter()
        .filter_map(|record| status_name(record))
        .collect();
    names.sort_unstable();
    if names.len() == 2 {
        assert_eq!(names, ["delivered", "read"]);
    }
}
