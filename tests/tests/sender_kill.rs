//! Exactly once towards Meta, as far as a process can know, through kill -9: with a backlog of
//! replies being sent (Meta answering with random latency, many requests in flight), the
//! gateway is killed, restarted, and left to drain. Then, counting what the simulated Meta
//! accepted per message (by the callback data the gateway attaches): no queued message is lost
//! (each ends `sent` or `uncertain`), none is accepted twice, every `sent` one was accepted once,
//! and the API lists the uncertain ones.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use http::Method;
use serde_json::Value;
use waygate_e2e::backlog::{Number, queued_backlog};
use waygate_e2e::graph_api::{Fault, GraphApi};
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::random::random_in;
use waygate_e2e::suite::must;

/// Customers (one chat each); the backlog holds 10 replies per chat.
const CUSTOMERS: usize = 20;

/// The local message id in a send's callback data (`waygate:<id>`).
fn local_id(body: &Value) -> Option<u64> {
    body["biz_opaque_callback_data"]
        .as_str()?
        .strip_prefix("waygate:")?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_during_sending_loses_nothing_and_sends_nothing_twice() {
    let graph = must(GraphApi::start().await);
    let number = Number {
        messages_per_second: 100,
        strict_order: true,
    };
    let (mut gateway, chats) = queued_backlog(&graph, number, CUSTOMERS, |chats| {
        // Every request before the kill takes 20 to 120 ms: many are in flight at any time.
        let total: usize = chats.iter().map(|chat| chat.replies.len()).sum();
        graph.push_faults((0..total).map(|_| {
            Fault::Latency(Duration::from_millis(
                u64::try_from(random_in(20, 120)).unwrap_or(20),
            ))
        }));
    })
    .await;
    let total: usize = chats.iter().map(|chat| chat.replies.len()).sum();
    // Kill once a third of the backlog has reached Meta.
    must(graph.wait_requests(total / 3, ready_deadline()).await);
    must(gateway.kill9().await);
    must(gateway.restart().await);

    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    // Drained: nothing queued or being sent.
    let started = Instant::now();
    let messages = loop {
        let list = json_of(
            &call(
                &mut api,
                Method::GET,
                "/api/v1/messages",
                Some(&token),
                None,
            )
            .await,
            200,
            "messages",
        );
        let messages = list["messages"].as_array().cloned().unwrap_or_default();
        if messages
            .iter()
            .all(|m| m["state"] == "sent" || m["state"] == "uncertain")
        {
            break messages;
        }
        assert!(
            started.elapsed() < ready_deadline() * 2,
            "the backlog never drained: {list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(messages.len(), total, "no queued message is lost");

    let mut accepted: BTreeMap<u64, usize> = BTreeMap::new();
    for send in graph.accepted() {
        let id = local_id(&send.body).unwrap_or(0);
        *accepted.entry(id).or_default() += 1;
    }
    let mut uncertain = Vec::new();
    for message in &messages {
        let id = message["id"].as_u64().unwrap_or(0);
        let times = accepted.get(&id).copied().unwrap_or(0);
        assert!(
            times <= 1,
            "message {id} was accepted {times} times: {message}"
        );
        match message["state"].as_str() {
            Some("sent") => assert_eq!(times, 1, "a sent message was accepted once: {message}"),
            _ => uncertain.push(id),
        }
    }
    let listed = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/messages?state=uncertain",
            Some(&token),
            None,
        )
        .await,
        200,
        "uncertain",
    );
    let listed: Vec<u64> = listed["messages"]
        .as_array()
        .map(|list| list.iter().filter_map(|m| m["id"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(listed, uncertain, "the API lists the uncertain ones");
    eprintln!(
        "{total} messages: {} sent, {} uncertain (in flight at the kill)",
        total - uncertain.len(),
        uncertain.len()
    );
    assert!(graph.nonconforming().is_empty());
}
