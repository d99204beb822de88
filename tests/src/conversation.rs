//! A conversation through the gateway, for the suites of the outbound half: the customer writes
//! (a signed webhook from the simulated Meta), Meta reports a status, the operator replies, and
//! a test waits for a message (or a chat, or a number) to reach a state, polling the local API
//! with the readiness deadline as the limit.

use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use crate::graph_api::GraphApi;
use crate::knobs::ready_deadline;
use crate::operator_api::{call, call_with, json_of};
use crate::suite::{assert_status, must};
use crate::{Escaping, Gateway, GatewayOptions, HttpConnection, HttpReply};

/// How often a wait polls the local API.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// Who the customer is: a phone number, or (without one) a BSUID.
#[derive(Debug, Clone, Copy)]
pub enum Customer<'a> {
    /// Writes from this phone number (`from`).
    Phone(&'a str),
    /// Known only by this BSUID (`from_user_id`, no `from`).
    Bsuid(&'a str),
}

/// A gateway pointed at the simulated Graph API `graph` with its access token, plus `extra`
/// configuration, started and ready.
pub async fn gateway_for(graph: &GraphApi, extra: &str) -> Gateway {
    let config = format!("{}\n{extra}", graph.config_toml());
    must(Gateway::start(GatewayOptions::with_config(config)).await)
}

/// Delivers one customer message, `seconds_ago` seconds old (Meta's `timestamp`). `kind` and
/// `content` are the message's type and its type-specific member (`"text"`, `{"body": ...}`).
pub async fn customer_sends(
    gateway: &Gateway,
    customer: Customer<'_>,
    seconds_ago: u64,
    kind: &str,
    content: Value,
) {
    let meta = gateway.meta();
    let mut message = meta.text_message("placeholder");
    if let Some(object) = message.as_object_mut() {
        object.remove("text");
        object.remove("from");
    }
    message["type"] = json!(kind);
    message[kind] = content;
    message["timestamp"] = json!(meta.now().saturating_sub(seconds_ago).to_string());
    let change = match customer {
        Customer::Phone(phone) => {
            message["from"] = json!(phone);
            meta.messages_change(&[message], &[])
        }
        Customer::Bsuid(bsuid) => {
            message["from_user_id"] = json!(bsuid);
            let mut change = meta.messages_change(&[message], &[]);
            change["value"]["contacts"] = json!([{"user_id": bsuid, "profile": {"name": "Kim"}}]);
            change
        }
    };
    deliver(gateway, change).await;
}

/// Delivers one customer text, `seconds_ago` seconds old.
pub async fn customer_writes(gateway: &Gateway, customer: Customer<'_>, seconds_ago: u64) {
    let text = json!({"body": "where is my order?"});
    customer_sends(gateway, customer, seconds_ago, "text", text).await;
}

/// Delivers one `changes[]` item as a signed webhook, answered 200.
pub async fn deliver(gateway: &Gateway, change: Value) {
    let meta = gateway.meta();
    let webhook = meta.sign_payload(&meta.payload(vec![vec![change]]), Escaping::META);
    let mut connection = must(gateway.connect_public().await);
    assert_status(
        &must(connection.post_webhook(&webhook).await),
        200,
        "webhook",
    );
}

/// Delivers Meta's `status` of the business's message `wamid` (`delivered`, `read`...), priced
/// as `pricing` when given (`{"type": "regular", "category": "utility", ...}`).
pub async fn status_arrives(gateway: &Gateway, wamid: &str, status: &str, pricing: Option<Value>) {
    let meta = gateway.meta();
    let mut item = meta.status(wamid, status);
    if let Some(pricing) = pricing {
        item["pricing"] = pricing;
    }
    deliver(gateway, meta.messages_change(&[], &[item])).await;
}

/// A text body for a reply.
pub fn text(body: &str) -> Value {
    json!({"type": "text", "text": {"body": body}})
}

/// A template body for a reply (no components).
pub fn template(name: &str) -> Value {
    json!({"type": "template", "template": {"name": name, "language": {"code": "en_US"}}})
}

/// `POST /api/v1/chats/{chat}/messages` with `body`.
pub async fn reply(api: &mut HttpConnection, token: &str, chat: u64, body: Value) -> HttpReply {
    let path = format!("/api/v1/chats/{chat}/messages");
    call(api, Method::POST, &path, Some(token), Some(body)).await
}

/// [`reply`] with an `Idempotency-Key`.
pub async fn reply_keyed(
    api: &mut HttpConnection,
    token: &str,
    chat: u64,
    key: &str,
    body: Value,
) -> HttpReply {
    let path = format!("/api/v1/chats/{chat}/messages");
    let key = [("idempotency-key", key)];
    call_with(api, Method::POST, &path, Some(token), &key, Some(body)).await
}

/// `POST /api/v1/credits/purchases` of `credits`, answered 201; the ledger after it.
pub async fn purchase(
    api: &mut HttpConnection,
    token: &str,
    credits: u64,
    reference: &str,
) -> Value {
    let body = json!({"credits": credits, "reference": reference});
    let path = "/api/v1/credits/purchases";
    json_of(
        &call(api, Method::POST, path, Some(token), Some(body)).await,
        201,
        path,
    )
}

/// `GET` `path`, answered 200 with JSON.
pub async fn get(api: &mut HttpConnection, token: &str, path: &str) -> Value {
    json_of(
        &call(api, Method::GET, path, Some(token), None).await,
        200,
        path,
    )
}

/// Polls `path` until `done` holds for its JSON, and returns it; fails the test with `what`
/// and the last answer when the readiness deadline passes first.
pub async fn get_until(
    api: &mut HttpConnection,
    token: &str,
    path: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let found = get(api, token, path).await;
        if done(&found) {
            return found;
        }
        assert!(
            started.elapsed() < ready_deadline(),
            "{path} never {what}: {found}"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Polls message `id` until its `state` is `state`.
pub async fn message_reaches(api: &mut HttpConnection, token: &str, id: u64, state: &str) -> Value {
    let path = format!("/api/v1/messages/{id}");
    get_until(api, token, &path, state, |message| {
        message["state"] == state
    })
    .await
}
