//! The messaging rules end to end, with the real binary and signed webhooks: a customer who
//! came from a click-to-WhatsApp ad gets a free entry point offer that the business's `sent`
//! status turns into a 72 h window; the send check answers free-form and template sends
//! (allowed or refused with every reason: the US marketing pause, a paused template, a closed
//! chat); and a signed `message_template_status_update` changes what the API lists and allows.
#![forbid(unsafe_code)]

use http::Method;
use serde_json::{Value, json};
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::{Escaping, Gateway, GatewayOptions};

const US_CUSTOMER: &str = "12125550100"; // New York
const CANADIAN_CUSTOMER: &str = "14165550100"; // Toronto
const HOUR_MS: u64 = 60 * 60 * 1000;

const CONFIG: &str = r#"
[[templates]]
name = "order_update"
language = "en_US"
category = "utility"
parameters = 1
status = "approved"

[[templates]]
name = "spring_sale"
language = "en_US"
category = "marketing"
parameters = 0
status = "approved"

[[pricing.rates]]
market = "CA"
category = "marketing"
micro_usd = 25000
from = 2026-01-01
"#;

/// Posts a signed payload and checks it was taken (200).
async fn deliver(gateway: &Gateway, payload: &Value, context: &str) {
    let webhook = gateway.meta().sign_payload(payload, Escaping::META);
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, context);
}

/// A text from `from`, maybe with an ad referral; returns Meta's timestamp in seconds.
async fn customer_writes(gateway: &Gateway, from: &str, referral: Option<Value>) -> u64 {
    let meta = gateway.meta();
    let mut message = meta.text_message("hi, I saw your ad");
    message["from"] = json!(from);
    if let Some(referral) = referral {
        message["referral"] = referral;
    }
    let timestamp = message["timestamp"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or(0);
    let payload = meta.payload(vec![vec![meta.messages_change(&[message], &[])]]);
    deliver(gateway, &payload, "customer message").await;
    timestamp
}

/// The id of `customer`'s chat.
async fn chat_of(gateway: &Gateway, customer: &str) -> u64 {
    let mut api = must(gateway.connect_local().await);
    let token = Some(gateway.operator_token());
    let list = json_of(
        &call(&mut api, Method::GET, "/api/v1/chats", token, None).await,
        200,
        "list",
    );
    list["chats"]
        .as_array()
        .and_then(|chats| chats.iter().find(|chat| chat["customer"] == customer))
        .and_then(|chat| chat["id"].as_u64())
        .unwrap_or_else(|| panic!("no chat for {customer}: {list}"))
}

async fn get(gateway: &Gateway, path: &str) -> Value {
    let mut api = must(gateway.connect_local().await);
    let reply = call(
        &mut api,
        Method::GET,
        path,
        Some(gateway.operator_token()),
        None,
    )
    .await;
    json_of(&reply, 200, path)
}

async fn send_check(gateway: &Gateway, chat: u64, body: Value) -> Value {
    let mut api = must(gateway.connect_local().await);
    let path = format!("/api/v1/chats/{chat}/send-check");
    let reply = call(
        &mut api,
        Method::POST,
        &path,
        Some(gateway.operator_token()),
        Some(body),
    )
    .await;
    json_of(&reply, 200, &path)
}

fn template(name: &str, parameters: u32) -> Value {
    json!({"type": "template", "name": name, "language": "en_US", "parameters": parameters})
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answered_ad_opens_a_free_window_and_marketing_to_the_us_is_refused() {
    let gateway = start(GatewayOptions::with_config(CONFIG)).await;
    let referral = json!({
        "source_url": "https://fb.me/ad",
        "source_id": "120200000000",
        "source_type": "ad",
        "headline": "Spring sale",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"
    });
    let wrote = customer_writes(&gateway, US_CUSTOMER, Some(referral)).await * 1000;
    let chat = chat_of(&gateway, US_CUSTOMER).await;

    let detail = get(&gateway, &format!("/api/v1/chats/{chat}")).await;
    let window = &detail["window"];
    assert_eq!(window["free_form_allowed"], true, "{detail}");
    assert_eq!(window["closes_at"].as_u64(), Some(wrote + 24 * HOUR_MS));
    let offer = &window["free_entry_point"];
    assert_eq!(offer["entry_point"], "click_to_whatsapp_ad", "{detail}");
    assert_eq!(offer["state"], "offered", "{detail}");
    assert_eq!(offer["answer_by"].as_u64(), Some(wrote + 24 * HOUR_MS));

    // Answering now is free (it opens the free entry point window).
    let free_form = send_check(&gateway, chat, json!({"type": "free_form"})).await;
    assert_eq!(free_form["allowed"], true, "{free_form}");
    assert_eq!(free_form["pricing"], "free_entry_point", "{free_form}");

    // Marketing to a US number is refused, naming the pause; utility is fine.
    let sale = send_check(&gateway, chat, template("spring_sale", 0)).await;
    assert_eq!(sale["allowed"], false, "{sale}");
    let reasons = sale["refusals"].to_string();
    assert!(
        reasons.contains("paused") && reasons.contains("US"),
        "{sale}"
    );
    let update = send_check(&gateway, chat, template("order_update", 1)).await;
    assert_eq!(update["allowed"], true, "{update}");
    assert_eq!(update["category"], "UTILITY", "{update}");

    // The business's reply leaves Meta: its `sent` status opens the 72 h window.
    let meta = gateway.meta();
    let answered = meta.now();
    let mut status = meta.status(&meta.next_wamid(), "sent");
    status["recipient_id"] = json!(US_CUSTOMER);
    status["timestamp"] = json!(answered.to_string());
    let payload = meta.payload(vec![vec![meta.messages_change(&[], &[status])]]);
    deliver(&gateway, &payload, "sent status").await;
    let detail = get(&gateway, &format!("/api/v1/chats/{chat}")).await;
    let window = &detail["window"]["free_entry_point"];
    assert_eq!(window["state"], "open", "{detail}");
    assert_eq!(
        window["closes_at"].as_u64(),
        Some(answered * 1000 + 72 * HOUR_MS),
        "{detail}"
    );

    // A Canadian customer may get the marketing template (charged: no entry point), once the
    // credits cover its price; the check names the price either way.
    customer_writes(&gateway, CANADIAN_CUSTOMER, None).await;
    let canadian = chat_of(&gateway, CANADIAN_CUSTOMER).await;
    let sale = send_check(&gateway, canadian, template("spring_sale", 0)).await;
    assert_eq!(sale["allowed"], false, "no credits yet: {sale}");
    assert_eq!(sale["estimate_micro_usd"], 25_000, "{sale}");
    let mut api = must(gateway.connect_local().await);
    let purchase = json!({"credits": 1, "reference": "inv-1"});
    let path = "/api/v1/credits/purchases";
    let token = Some(gateway.operator_token());
    json_of(
        &call(&mut api, Method::POST, path, token, Some(purchase)).await,
        201,
        path,
    );
    let sale = send_check(&gateway, canadian, template("spring_sale", 0)).await;
    assert_eq!(sale["allowed"], true, "{sale}");
    assert_eq!(sale["pricing"], "regular", "{sale}");
    assert_eq!(sale["free_of_charge"], false, "{sale}");
    assert_eq!(sale["estimate_micro_usd"], 25_000, "{sale}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_status_webhook_changes_what_may_be_sent() {
    let gateway = start(GatewayOptions::with_config(CONFIG)).await;
    customer_writes(&gateway, CANADIAN_CUSTOMER, None).await;
    let chat = chat_of(&gateway, CANADIAN_CUSTOMER).await;

    let templates = get(&gateway, "/api/v1/templates").await;
    let listed = templates["templates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed.len(), 2, "{templates}");
    assert!(
        listed
            .iter()
            .all(|t| t["status"] == "APPROVED" && t["sendable"] == true)
    );

    let meta = gateway.meta();
    let now = meta.now();
    let change = json!({
        "field": "message_template_status_update",
        "value": {
            "event": "PAUSED",
            "message_template_id": 1_689_556_908_129_832_u64,
            "message_template_name": "order_update",
            "message_template_language": "en_US",
            "reason": "NONE",
            "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours."}
        }
    });
    let payload = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": meta.business().waba_id, "time": now, "changes": [change]}]
    });
    deliver(&gateway, &payload, "template status").await;

    let templates = get(&gateway, "/api/v1/templates").await;
    let order = templates["templates"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == "order_update"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(order["status"], "PAUSED", "{templates}");
    assert_eq!(order["sendable"], false, "{templates}");
    assert_eq!(
        order["status_since"].as_u64(),
        Some(now * 1000),
        "{templates}"
    );
    assert_eq!(order["meta_id"], "1689556908129832", "{templates}");

    let check = send_check(&gateway, chat, template("order_update", 1)).await;
    assert_eq!(check["allowed"], false, "{check}");
    assert!(check["refusals"].to_string().contains("PAUSED"), "{check}");
    // An unknown template and a wrong parameter count are refused with what to do.
    let unknown = send_check(&gateway, chat, template("nope", 0)).await;
    assert_eq!(unknown["allowed"], false, "{unknown}");
    let wrong = send_check(&gateway, chat, template("spring_sale", 3)).await;
    assert!(wrong["refusals"].to_string().contains('0'), "{wrong}");

    // A body that names no message is a 400 with an example.
    let mut api = must(gateway.connect_local().await);
    let path = format!("/api/v1/chats/{chat}/send-check");
    let token = Some(gateway.operator_token());
    let bad = call(
        &mut api,
        Method::POST,
        &path,
        token,
        Some(json!({"type": "fax"})),
    )
    .await;
    let error = json_of(&bad, 400, "bad send-check body");
    assert!(error["error"].to_string().contains("free_form"), "{error}");

    // Once the chat is closed nothing may be sent in it, whatever the window says.
    let close = format!("/api/v1/chats/{chat}/close");
    json_of(
        &call(&mut api, Method::POST, &close, token, None).await,
        200,
        "close",
    );
    let closed = send_check(&gateway, chat, json!({"type": "free_form"})).await;
    assert_eq!(closed["allowed"], false, "{closed}");
    assert!(
        closed["refusals"][0].to_string().contains("closed"),
        "{closed}"
    );
    assert_eq!(closed["window"]["free_form_allowed"], true, "{closed}");
}
