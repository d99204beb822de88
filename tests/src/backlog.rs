//! A backlog in the outbox, for the sender's suites and its benchmark: customers write (one chat
//! each), the operator queues [`REPLIES_PER_CHAT`] replies in every chat, and only then may the
//! sender send. The gateway first runs without an access token (its sender queues and sends
//! nothing), then restarts with it and finds the whole backlog at once, so nothing is measured
//! while the queue is still filling. Also: reading the replies back at the simulated Meta, and
//! the rate of their arrivals.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::graph_api::{AcceptedSend, GraphApi, recipient_of};
use crate::knobs::ready_deadline;
use crate::meta::BusinessNumber;
use crate::operator_api::{call, json_of};
use crate::suite::{assert_status, must};
use crate::{Escaping, Gateway, GatewayOptions, HttpConnection};

/// Replies the operator queues in each chat.
pub const REPLIES_PER_CHAT: usize = 10;
/// Customers' messages per webhook while the chats open.
const MESSAGES_PER_WEBHOOK: usize = 25;
/// Local API connections that queue replies at once.
const QUEUEING_CONNECTIONS: usize = 4;
/// How the business number sends.
#[derive(Debug, Clone, Copy)]
pub struct Number {
    pub messages_per_second: u32,
    pub strict_order: bool,
}

/// One chat of the workload.
#[derive(Debug)]
pub struct Chat {
    /// The customer's phone number.
    pub customer: String,
    /// The local ids of its replies, in the order the operator sent them.
    pub replies: Vec<u64>,
}

/// The text of the operator's `k`-th reply to `customer`.
pub fn reply_text(customer: &str, k: usize) -> String {
    format!("{customer} #{k}")
}

/// Which reply an accepted send is: its recipient and `k` (see [`reply_text`]).
pub fn reply_of(send: &AcceptedSend) -> (String, usize) {
    let recipient = recipient_of(&send.body).to_owned();
    let text = send.body["text"]["body"].as_str().unwrap_or_default();
    let k = text
        .strip_prefix(&format!("{recipient} #"))
        .and_then(|k| k.parse().ok())
        .unwrap_or_else(|| panic!("a send that is no reply of the workload: {}", send.body));
    (recipient, k)
}

/// The gateway's config: the simulated Meta (with or without the access token) and the
/// business number's `[[numbers]]` entry.
fn config(graph: &GraphApi, business: &str, number: Number, with_token: bool) -> String {
    let meta = if with_token {
        graph.config_toml()
    } else {
        format!("[meta]\ngraph_base_url = \"{}\"\n", graph.base_url())
    };
    format!(
        "{meta}\n[[numbers]]\nphone_number_id = \"{business}\"\nmessages_per_second = {}\nstrict_order = {}\n",
        number.messages_per_second, number.strict_order
    )
}

/// A gateway whose outbox holds `REPLIES_PER_CHAT` replies to each of `customers` customers
/// before its sender may send any (see the module's doc); it has just restarted with the access
/// token. `before_sending` runs before the restart (to script the simulated Meta's faults).
pub async fn queued_backlog(
    graph: &GraphApi,
    number: Number,
    customers: usize,
    before_sending: impl FnOnce(&[Chat]),
) -> (Gateway, Vec<Chat>) {
    // The simulated Meta's webhooks come from its (default) business number.
    let business = BusinessNumber::default().phone_number_id;
    let options = GatewayOptions::with_config(config(graph, &business, number, false));
    let mut gateway = must(Gateway::start(options).await);
    let customers: Vec<String> = (0..customers).map(|i| format!("1650555{i:04}")).collect();
    customers_write(&gateway, &customers).await;
    let chats = queue_replies(&gateway, chat_ids(&gateway, &customers).await).await;
    assert!(
        graph.requests().is_empty(),
        "without an access token nothing is sent"
    );
    before_sending(&chats);
    must(gateway.stop().await);
    must(gateway.set_config(Some(config(graph, &business, number, true))));
    must(gateway.restart().await);
    (gateway, chats)
}

/// Each customer writes once (inside the window): one chat each.
async fn customers_write(gateway: &Gateway, customers: &[String]) {
    let meta = gateway.meta();
    let mut connection = must(gateway.connect_public().await);
    for batch in customers.chunks(MESSAGES_PER_WEBHOOK) {
        let messages: Vec<Value> = batch
            .iter()
            .map(|customer| {
                let mut message = meta.text_message("where is my order?");
                message["from"] = json!(customer);
                message
            })
            .collect();
        let change = meta.messages_change(&messages, &[]);
        let webhook = meta.sign_payload(&meta.payload(vec![vec![change]]), Escaping::META);
        assert_status(
            &must(connection.post_webhook(&webhook).await),
            200,
            "customers' messages",
        );
    }
}

/// The chat id of each customer's chat, in the customers' order.
async fn chat_ids(gateway: &Gateway, customers: &[String]) -> Vec<(u64, String)> {
    let mut api = must(gateway.connect_local().await);
    let token = gateway.operator_token();
    let list = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats", Some(token), None).await,
        200,
        "chat list",
    );
    let by_customer: BTreeMap<&str, u64> = list["chats"]
        .as_array()
        .map(|chats| {
            chats
                .iter()
                .filter_map(|chat| Some((chat["customer"].as_str()?, chat["id"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    customers
        .iter()
        .map(|customer| {
            let id = by_customer
                .get(customer.as_str())
                .unwrap_or_else(|| panic!("no chat for {customer}: {list}"));
            (*id, customer.clone())
        })
        .collect()
}

/// The operator queues `REPLIES_PER_CHAT` replies in each chat, over several connections at
/// once; each chat's replies go in order on one connection.
async fn queue_replies(gateway: &Gateway, chats: Vec<(u64, String)>) -> Vec<Chat> {
    let mut groups: Vec<Vec<(usize, u64, String)>> = vec![Vec::new(); QUEUEING_CONNECTIONS];
    for (index, (id, customer)) in chats.into_iter().enumerate() {
        groups[index % QUEUEING_CONNECTIONS].push((index, id, customer));
    }
    let mut operators = JoinSet::new();
    for group in groups {
        let mut api = must(gateway.connect_local().await);
        let token = gateway.operator_token().to_owned();
        operators.spawn(async move {
            let mut queued = Vec::new();
            for (index, chat, customer) in group {
                let replies = queue_chat(&mut api, &token, chat, &customer).await;
                queued.push((index, Chat { customer, replies }));
            }
            queued
        });
    }
    let mut chats: Vec<(usize, Chat)> = operators.join_all().await.into_iter().flatten().collect();
    chats.sort_by_key(|(index, _)| *index);
    chats.into_iter().map(|(_, chat)| chat).collect()
}

/// Queues one chat's replies, in order; their local ids.
async fn queue_chat(api: &mut HttpConnection, token: &str, chat: u64, customer: &str) -> Vec<u64> {
    let path = format!("/api/v1/chats/{chat}/messages");
    let mut ids = Vec::with_capacity(REPLIES_PER_CHAT);
    for k in 0..REPLIES_PER_CHAT {
        let body = json!({"type": "text", "text": {"body": reply_text(customer, k)}});
        let queued = json_of(
            &call(api, Method::POST, &path, Some(token), Some(body)).await,
            202,
            "reply",
        );
        assert_eq!(queued["state"], "queued", "{queued}");
        ids.push(
            queued["id"]
                .as_u64()
                .unwrap_or_else(|| panic!("no id: {queued}")),
        );
    }
    assert!(ids.is_sorted(), "a chat's replies get growing ids: {ids:?}");
    ids
}

/// Waits until Meta accepted every reply of `chats`, sending at `rate` (the deadline leaves
/// twice the time the rate needs, plus the readiness deadline), and checks that each was
/// accepted exactly once.
pub async fn all_accepted(graph: &GraphApi, chats: &[Chat], rate: u32) -> Vec<AcceptedSend> {
    let total = chats.len() * REPLIES_PER_CHAT;
    let sending = Duration::from_secs_f64(2.0 * total as f64 / f64::from(rate));
    must(graph.wait_accepted(total, sending + ready_deadline()).await);
    let accepted = graph.accepted();
    assert_eq!(accepted.len(), total, "each reply accepted once, no more");
    let mut replies: Vec<(String, usize)> = accepted.iter().map(reply_of).collect();
    replies.sort();
    replies.dedup();
    assert_eq!(replies.len(), total, "no reply accepted twice");
    accepted
}

/// Messages per second over the middle 90 % of `arrivals` (in arrival order): the first and
/// last 5 % are the sender's start and the tail.
pub fn steady_rate(arrivals: &[Instant]) -> f64 {
    let trim = arrivals.len() / 20;
    let (first, last) = (trim, arrivals.len() - 1 - trim);
    rate_between(arrivals, first, last)
}

/// Messages per second from arrival `first` to arrival `last`.
pub fn rate_between(arrivals: &[Instant], first: usize, last: usize) -> f64 {
    let elapsed = arrivals[last].duration_since(arrivals[first]).as_secs_f64();
    assert!(elapsed > 0.0, "arrivals {first}..={last} at one instant");
    (last - first) as f64 / elapsed
}
