//! What sending costs, end to end: an approved template outside the window goes out and is
//! charged per the rate card; without credits a paid message is refused (402) with its estimate
//! and the balance, and after a purchase it goes out, the ledger showing the purchase, its fee
//! and the charge; marketing templates to US numbers are refused while a Canadian (+1 416)
//! number gets them; and once a number's delivered service messages reach the monthly free
//! tier, the next free-form reply is estimated at the market's `service` rate.
#![forbid(unsafe_code)]

use http::Method;
use serde_json::{Value, json};
use waygate_e2e::conversation::{
    Customer, customer_writes, gateway_for, get, message_reaches, purchase, reply, status_arrives,
    template, text,
};
use waygate_e2e::graph_api::GraphApi;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;
use waygate_e2e::{Gateway, HttpConnection};

/// A US customer (area code 650).
const US_CUSTOMER: &str = "16505550101";
/// A Canadian customer (area code 416).
const CA_CUSTOMER: &str = "14165550123";

/// Templates, rates from before the test, and a window-closing unattended limit long enough.
const PRICED: &str = r#"
[chat]
unattended_close_seconds = "31d"

[[templates]]
name = "order_update"
language = "en_US"
category = "utility"
status = "approved"

[[templates]]
name = "spring_sale"
language = "en_US"
category = "marketing"
status = "approved"

[[pricing.rates]]
market = "US"
category = "utility"
micro_usd = 8000
from = 2026-01-01

[[pricing.rates]]
market = "CA"
category = "marketing"
micro_usd = 25000
from = 2026-01-01

[[pricing.rates]]
market = "US"
category = "service"
micro_usd = 4000
from = 2026-01-01
"#;

async fn start_with(graph: &GraphApi, extra: &str) -> Gateway {
    gateway_for(graph, &format!("{PRICED}\n{extra}")).await
}

/// A `delivered` status for `wamid`, priced as `kind` / `category`.
async fn delivered(gateway: &Gateway, wamid: &str, kind: &str, category: &str) {
    let pricing = json!({"billable": kind == "regular", "pricing_model": "PMP", "type": kind, "category": category});
    status_arrives(gateway, wamid, "delivered", Some(pricing)).await;
}

/// `POST /api/v1/chats/1/send-check` of English template `name` without parameters.
async fn send_check(api: &mut HttpConnection, token: &str, name: &str) -> Value {
    let body = json!({"type": "template", "name": name, "language": "en_US"});
    let path = "/api/v1/chats/1/send-check";
    json_of(
        &call(api, Method::POST, path, Some(token), Some(body)).await,
        200,
        path,
    )
}

async fn credits(api: &mut HttpConnection, token: &str) -> Value {
    get(api, token, "/api/v1/credits").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_outside_the_window_needs_credits_and_is_charged_per_the_rate_card() {
    let graph = must(GraphApi::start().await);
    let gateway = start_with(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(US_CUSTOMER), 25 * 3600).await;
    let mut api = must(gateway.connect_local().await);

    // Before sending, the check names the price and that the credits do not cover it.
    let check = send_check(&mut api, &token, "order_update").await;
    assert_eq!(check["allowed"], false, "{check}");
    assert_eq!(check["estimate_micro_usd"], 8000, "{check}");
    assert_eq!(check["pricing"], Value::Null, "{check}");
    assert!(
        check["refusals"][0]
            .as_str()
            .unwrap_or_default()
            .contains("credits"),
        "{check}"
    );

    // No credits: refused with the estimate and the balance.
    let refusal = json_of(
        &reply(&mut api, &token, 1, template("order_update")).await,
        402,
        "no credits",
    );
    assert_eq!(refusal["estimate_micro_usd"], 8000, "{refusal}");
    assert_eq!(refusal["balance_micro_usd"], 0, "{refusal}");
    assert!(graph.requests().is_empty());

    // 10 credits at 2 USD: 20 USD, and a 3% fee of 0.60 USD recorded apart.
    let bought = purchase(&mut api, &token, 10, "inv-1").await;
    assert_eq!(bought["balance_micro_usd"], 20_000_000, "{bought}");
    assert_eq!(bought["fees_micro_usd"], 600_000, "{bought}");

    let check = send_check(&mut api, &token, "order_update").await;
    assert_eq!(check["allowed"], true, "{check}");
    assert_eq!(check["estimate_micro_usd"], 8000, "{check}");
    assert_eq!(check["pricing"], "regular", "{check}");
    assert_eq!(
        credits(&mut api, &token).await["reserved_micro_usd"],
        0,
        "a check reserves nothing"
    );
    let queued = json_of(
        &reply(&mut api, &token, 1, template("order_update")).await,
        202,
        "template",
    );
    assert_eq!(queued["estimate_micro_usd"], 8000, "{queued}");
    assert_eq!(queued["pricing"], "regular", "{queued}");
    let id = queued["id"].as_u64().unwrap_or(0);
    let sent = message_reaches(&mut api, &token, id, "sent").await;
    assert_eq!(credits(&mut api, &token).await["reserved_micro_usd"], 8000);
    let wamid = sent["wamid"].as_str().unwrap_or_default().to_owned();
    let request = &graph.accepted()[0];
    assert_eq!(request.body["template"]["name"], "order_update");

    delivered(&gateway, &wamid, "regular", "utility").await;
    let charged = message_reaches(&mut api, &token, id, "delivered").await;
    assert_eq!(charged["cost_micro_usd"], 8000, "{charged}");
    let ledger = credits(&mut api, &token).await;
    assert_eq!(ledger["balance_micro_usd"], 20_000_000 - 8000, "{ledger}");
    assert_eq!(ledger["reserved_micro_usd"], 0, "{ledger}");
    let kinds: Vec<&str> = ledger["ledger"]
        .as_array()
        .map(|entries| entries.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["purchase", "fee", "charge"], "{ledger}");
    assert_eq!(ledger["ledger"][2]["message"], id, "{ledger}");
    // A second delivered (or read) status charges nothing more.
    delivered(&gateway, &wamid, "regular", "utility").await;
    assert_eq!(credits(&mut api, &token).await["charged_micro_usd"], 8000);
}

#[tokio::test(flavor = "multi_thread")]
async fn marketing_to_a_us_number_is_refused_and_to_a_canadian_one_goes_out() {
    let graph = must(GraphApi::start().await);
    let gateway = start_with(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(US_CUSTOMER), 60).await;
    customer_writes(&gateway, Customer::Phone(CA_CUSTOMER), 60).await;
    let mut api = must(gateway.connect_local().await);
    purchase(&mut api, &token, 5, "inv-2").await;
    let refusal = json_of(
        &reply(&mut api, &token, 1, template("spring_sale")).await,
        422,
        "US marketing",
    );
    let reasons = refusal["reasons"].to_string();
    assert!(
        reasons.contains("US") || reasons.contains("United States"),
        "{refusal}"
    );
    let queued = json_of(
        &reply(&mut api, &token, 2, template("spring_sale")).await,
        202,
        "CA marketing",
    );
    assert_eq!(queued["estimate_micro_usd"], 25000, "{queued}");
    message_reaches(&mut api, &token, queued["id"].as_u64().unwrap_or(0), "sent").await;
    let accepted = graph.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].body["to"], CA_CUSTOMER);
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_free_tier_a_free_form_reply_is_estimated_at_the_service_rate() {
    let graph = must(GraphApi::start().await);
    let gateway = start_with(&graph, "[pricing]\nservice_free_tier_per_month = 3\n").await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone(US_CUSTOMER), 60).await;
    let mut api = must(gateway.connect_local().await);
    for n in 0..3 {
        let queued = json_of(
            &reply(&mut api, &token, 1, text(&format!("reply {n}"))).await,
            202,
            "free reply",
        );
        assert_eq!(queued["estimate_micro_usd"], 0, "{queued}");
        assert_eq!(queued["pricing"], "free_customer_service", "{queued}");
        let id = queued["id"].as_u64().unwrap_or(0);
        let sent = message_reaches(&mut api, &token, id, "sent").await;
        let wamid = sent["wamid"].as_str().unwrap_or_default().to_owned();
        delivered(&gateway, &wamid, "free_customer_service", "service").await;
        message_reaches(&mut api, &token, id, "delivered").await;
    }
    // The tier is used up: the 4th is charged at the US service rate, which needs credits.
    let refusal = json_of(
        &reply(&mut api, &token, 1, text("reply 3")).await,
        402,
        "past the tier",
    );
    assert_eq!(refusal["estimate_micro_usd"], 4000, "{refusal}");
    purchase(&mut api, &token, 1, "inv-3").await;
    let queued = json_of(
        &reply(&mut api, &token, 1, text("reply 3")).await,
        202,
        "paid reply",
    );
    assert_eq!(queued["estimate_micro_usd"], 4000, "{queued}");
    assert_eq!(queued["pricing"], "regular", "{queued}");
}
