//! Retention end to end, with the real binary and the simulated HQ: with
//! `store.retention_days = 0`, what headquarters acknowledged leaves the store and the store's
//! bytes fall; what it did not (a dead-lettered batch) stays, whole, however old.
#![forbid(unsafe_code)]

use std::time::Instant;

use http::Method;
use serde_json::Value;
use waygate_e2e::hq::Hq;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;
use waygate_e2e::synced::{
    chat_of, customer_phone, start_synced, status_json, sync_deadline, upstream_backlog,
    wait_backlog_empty,
};
use waygate_e2e::{Escaping, Gateway, HttpConnection};

/// Messages each customer writes (in one webhook).
const MESSAGES: usize = 4;
/// Customers (one chat each).
const CUSTOMERS: usize = 6;

/// Customer `index` writes [`MESSAGES`] texts in one webhook: events `chat.opened` and one
/// `message.received` each, in a row.
async fn customer_writes(gateway: &Gateway, index: usize) {
    let meta = gateway.meta();
    let messages: Vec<Value> = (0..MESSAGES)
        .map(|k| {
            let mut message = meta.text_message(&format!("message {k}"));
            message["from"] = customer_phone(index).into();
            message
        })
        .collect();
    let payload = meta.payload(vec![vec![meta.messages_change(&messages, &[])]]);
    let webhook = meta.sign_payload(&payload, Escaping::META);
    let mut connection = must(gateway.connect_public().await);
    let answer = must(connection.post_webhook(&webhook).await);
    assert_eq!(answer.status, 200, "{answer:?}");
}

async fn stored_bytes(gateway: &Gateway) -> u64 {
    let (_, report) = status_json(gateway).await;
    report["store"]["stored_bytes"]
        .as_u64()
        .unwrap_or_else(|| panic!("no store.stored_bytes: {report}"))
}

async fn messages_of(api: &mut HttpConnection, token: &str, chat: u64) -> usize {
    let path = format!("/api/v1/chats/{chat}");
    let view = json_of(
        &call(api, Method::GET, &path, Some(token), None).await,
        200,
        &path,
    );
    view["messages"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_entries_go_and_unacknowledged_ones_stay() {
    let hq = must(Hq::start().await);
    hq.down();
    // One batch per customer's chat: its chat.opened and its messages.
    let per_chat = MESSAGES + 1;
    let gateway = start_synced(
        &hq,
        &format!("max_batch_events = {per_chat}\n[store]\nretention_days = 0\n"),
    )
    .await;
    for index in 0..CUSTOMERS {
        customer_writes(&gateway, index).await;
    }
    let events = CUSTOMERS * per_chat;
    let started = Instant::now();
    while upstream_backlog(&gateway).await < events as f64 {
        assert!(
            started.elapsed() < sync_deadline(),
            "the backlog never filled"
        );
        tokio::task::yield_now().await;
    }
    let full = stored_bytes(&gateway).await;

    // HQ refuses the first batch (the first customer's chat) and takes the rest.
    hq.up_rejecting_next(1, 400);
    wait_backlog_empty(&gateway).await;
    must(
        hq.wait_for_events((CUSTOMERS - 1) * per_chat, sync_deadline())
            .await,
    );
    // The acknowledgements let the retention go: the store's bytes fall.
    let started = Instant::now();
    let mut now = stored_bytes(&gateway).await;
    while now >= full {
        assert!(
            started.elapsed() < sync_deadline(),
            "the store's bytes never fell below {full} (now {now})\n{}",
            gateway.logs()
        );
        tokio::task::yield_now().await;
        now = stored_bytes(&gateway).await;
    }

    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let dead_chat = chat_of(&mut api, &token, &customer_phone(0)).await;
    assert_eq!(
        messages_of(&mut api, &token, dead_chat).await,
        MESSAGES,
        "the dead-lettered chat's messages stay"
    );
    for index in 1..CUSTOMERS {
        let chat = chat_of(&mut api, &token, &customer_phone(index)).await;
        assert_eq!(
            messages_of(&mut api, &token, chat).await,
            0,
            "chat {chat}'s acknowledged messages are pruned"
        );
    }
    // The dead-lettered events are still whole: a retry delivers them with their messages.
    let (_, report) = status_json(&gateway).await;
    let first = report["upstream"]["dead_batches"][0]["first"]
        .as_u64()
        .unwrap_or_else(|| panic!("no dead batch: {report}"));
    let path = format!("/api/v1/upstream/dead-batches/{first}/retry");
    json_of(
        &call(&mut api, Method::POST, &path, Some(&token), None).await,
        202,
        &path,
    );
    must(
        hq.wait_for_events(CUSTOMERS * per_chat, sync_deadline())
            .await,
    );
    let retried: Vec<_> = hq
        .events()
        .into_iter()
        .filter(|event| event.kind == "message.received" && event.data["from"] == customer_phone(0))
        .collect();
    assert_eq!(retried.len(), MESSAGES);
    assert!(
        retried
            .iter()
            .all(|event| event.data["content"] != Value::Null),
        "{retried:?}"
    );
}
