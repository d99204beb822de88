//! Operators' replies, end to end with the real binary and a simulated Graph API: a reply inside
//! the window reaches Meta once (the same `Idempotency-Key` twice sends once), with `to` for a
//! phone number and `recipient` for a BSUID-only customer; delivered and read statuses reach the
//! message and its chat; a text outside the window is refused (422) with its reason; Meta's
//! retryable errors are retried until accepted, its final ones fail with a remedy the chat
//! shows; and a message in flight when the gateway is killed is reported `uncertain`, never
//! sent again by itself.
#![forbid(unsafe_code)]

use std::time::Duration;

use http::Method;
use serde_json::json;
use waygate_e2e::conversation::{
    Customer, customer_writes, gateway_for, get, message_reaches, reply_keyed, status_arrives, text,
};
use waygate_e2e::graph_api::{Fault, GraphApi};
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;

/// The customer's phone number.
const CUSTOMER: &str = "16505550101";

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_reaches_meta_once_and_its_statuses_reach_the_chat() {
    let graph = must(GraphApi::start().await);
    let gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 5).await;
    let mut api = must(gateway.connect_local().await);

    let first = json_of(
        &reply_keyed(&mut api, &token, 1, "reply-1", text("on its way")).await,
        202,
        "reply",
    );
    assert_eq!(first["state"], "queued", "{first}");
    assert_eq!(first["pricing"], "free_customer_service", "{first}");
    let id = first["id"].as_u64().unwrap_or(0);
    // The same key again: the same message, nothing new.
    let again = json_of(
        &reply_keyed(&mut api, &token, 1, "reply-1", text("on its way")).await,
        202,
        "the same reply again",
    );
    assert_eq!(again["id"], first["id"], "{again}");
    assert_eq!(again["created"], false, "{again}");

    let sent = message_reaches(&mut api, &token, id, "sent").await;
    let wamid = sent["wamid"].as_str().unwrap_or_default().to_owned();
    let accepted = graph.accepted();
    assert_eq!(accepted.len(), 1, "exactly one send reached Meta");
    let request = &accepted[0];
    assert_eq!(request.wamid, wamid);
    assert_eq!(
        request.phone_number_id,
        gateway.meta().business().phone_number_id
    );
    assert_eq!(request.body["messaging_product"], "whatsapp");
    assert_eq!(request.body["to"], CUSTOMER);
    assert!(request.body.get("recipient").is_none());
    assert_eq!(request.body["text"]["body"], "on its way");
    assert_eq!(graph.bad_auth(), 0);

    status_arrives(&gateway, &wamid, "delivered", None).await;
    status_arrives(&gateway, &wamid, "read", None).await;
    // A late `sent` does not move it back.
    status_arrives(&gateway, &wamid, "sent", None).await;
    assert_eq!(
        get(&mut api, &token, &format!("/api/v1/messages/{id}")).await["state"],
        "read"
    );
    let chat = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats/1", Some(&token), None).await,
        200,
        "chat",
    );
    let outbound = &chat["outbound"][0];
    assert_eq!(outbound["state"], "read", "{chat}");
    assert_eq!(outbound["operator"], "default", "{chat}");
    assert_eq!(
        chat["chat"]["state"], "active",
        "replying accepted the chat: {chat}"
    );
    assert_eq!(graph.requests().len(), 1, "still one request");

    // The operator marks the customer's message read.
    let customer_wamid = chat["messages"][0]["wamid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let read = json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/read",
            Some(&token),
            Some(json!({"message_id": customer_wamid})),
        )
        .await,
        200,
        "mark read",
    );
    assert_eq!(read["read"], true, "{read}");
    assert_eq!(graph.read_receipts(), [customer_wamid]);
    let wrong = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/1/read",
        Some(&token),
        Some(json!({"message_id": wamid})),
    )
    .await;
    json_of(&wrong, 422, "our own message is not the customer's");
    assert!(
        graph.nonconforming().is_empty(),
        "{:?}",
        graph.nonconforming()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bsuid_only_customer_is_addressed_with_recipient() {
    let graph = must(GraphApi::start().await);
    let gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Bsuid("US.13491208655302741918"), 5).await;
    let mut api = must(gateway.connect_local().await);
    let queued = json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/messages",
            Some(&token),
            Some(text("hello Kim")),
        )
        .await,
        202,
        "reply to a BSUID",
    );
    message_reaches(&mut api, &token, queued["id"].as_u64().unwrap_or(0), "sent").await;
    let request = &graph.accepted()[0];
    assert_eq!(request.body["recipient"], "US.13491208655302741918");
    assert!(request.body.get("to").is_none(), "{}", request.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_the_window_a_text_is_refused_with_its_reason() {
    let graph = must(GraphApi::start().await);
    let gateway = gateway_for(&graph, "[chat]\nunattended_close_seconds = \"31d\"\n").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 25 * 3600).await;
    let mut api = must(gateway.connect_local().await);
    let reply = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/1/messages",
        Some(&token),
        Some(text("sorry for the wait")),
    )
    .await;
    let refusal = json_of(&reply, 422, "a text after the window");
    let reasons = refusal["reasons"].as_array().cloned().unwrap_or_default();
    assert!(
        reasons
            .iter()
            .any(|reason| reason.as_str().is_some_and(|r| r.contains("template"))),
        "{refusal}"
    );
    // A body that addresses someone itself is refused, naming the member.
    let reply = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/1/messages",
        Some(&token),
        Some(json!({"type": "text", "to": "1", "text": {"body": "x"}})),
    )
    .await;
    let refusal = json_of(&reply, 400, "to in the body");
    assert!(
        refusal["error"]
            .as_str()
            .is_some_and(|e| e.contains("`to`")),
        "{refusal}"
    );
    assert!(graph.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn retryable_errors_are_retried_and_final_ones_fail_with_a_remedy() {
    let graph = must(GraphApi::start().await);
    graph.push_faults([
        Fault::code(130_429),
        Fault::BareStatus(503),
        Fault::code(131_047),
    ]);
    let gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 5).await;
    let mut api = must(gateway.connect_local().await);
    // 130429 then a bare 503: retried; then 131047: failed for good.
    let queued = json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/messages",
            Some(&token),
            Some(text("first")),
        )
        .await,
        202,
        "reply",
    );
    let id = queued["id"].as_u64().unwrap_or(0);
    let failed = message_reaches(&mut api, &token, id, "failed").await;
    assert_eq!(failed["attempts"], 3, "{failed}");
    assert_eq!(failed["error"]["code"], 131_047, "{failed}");
    assert!(
        failed["error"]["remedy"]
            .as_str()
            .is_some_and(|r| r.contains("template")),
        "{failed}"
    );
    let chat = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats/1", Some(&token), None).await,
        200,
        "chat",
    );
    assert_eq!(chat["outbound"][0]["error"]["code"], 131_047, "{chat}");
    // The next one is accepted at once.
    let queued = json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/messages",
            Some(&token),
            Some(text("second")),
        )
        .await,
        202,
        "second reply",
    );
    let sent = message_reaches(&mut api, &token, queued["id"].as_u64().unwrap_or(0), "sent").await;
    assert_eq!(sent["attempts"], 1, "{sent}");
    // A retry of the failed one is a new message linked to it.
    let retry = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/messages/{id}/retry"),
            Some(&token),
            None,
        )
        .await,
        202,
        "retry",
    );
    assert_ne!(retry["id"], json!(id));
    let retried =
        message_reaches(&mut api, &token, retry["id"].as_u64().unwrap_or(0), "sent").await;
    assert_eq!(retried["retry_of"], json!(id), "{retried}");
    assert_eq!(
        get(&mut api, &token, &format!("/api/v1/messages/{id}")).await["retried_by"],
        retried["id"]
    );
    assert_eq!(graph.accepted().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_in_flight_when_the_gateway_is_killed_is_uncertain_and_not_resent() {
    let graph = must(GraphApi::start().await);
    // Meta takes its time: the gateway is killed while the request is open.
    graph.push_faults([Fault::Latency(Duration::from_secs(600))]);
    let mut gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 5).await;
    {
        let mut api = must(gateway.connect_local().await);
        json_of(
            &call(
                &mut api,
                Method::POST,
                "/api/v1/chats/1/messages",
                Some(&token),
                Some(text("in flight")),
            )
            .await,
            202,
            "reply",
        );
        json_of(
            &call(
                &mut api,
                Method::POST,
                "/api/v1/chats/1/messages",
                Some(&token),
                Some(text("queued behind it")),
            )
            .await,
            202,
            "second reply",
        );
    }
    must(graph.wait_requests(1, ready_deadline()).await);
    must(gateway.kill9().await);
    must(gateway.restart().await);
    let mut api = must(gateway.connect_local().await);
    let uncertain = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/messages?state=uncertain",
            Some(&token),
            None,
        )
        .await,
        200,
        "uncertain list",
    );
    let listed = uncertain["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed.len(), 1, "{uncertain}");
    assert_eq!(listed[0]["id"], 1, "{uncertain}");
    // The message queued behind it was never in flight: it is sent after the restart.
    let sent = message_reaches(&mut api, &token, 2, "sent").await;
    assert_eq!(sent["attempts"], 1, "{sent}");
    // Nothing sent the uncertain one again.
    let to_first = graph
        .requests()
        .iter()
        .filter(|(_, body)| body["text"]["body"] == "in flight")
        .count();
    assert_eq!(to_first, 1);
}
