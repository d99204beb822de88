//! The business numbers, end to end: configured numbers are read from Meta at start and shown
//! with the brief's phone-number problems; a failed read leaves a number `unknown` without
//! holding it; error 190 holds the number (reason and remedy in the API) and nothing more is
//! sent from it until an operator resumes it; the business accounts list their numbers.
#![forbid(unsafe_code)]

use http::Method;
use serde_json::{Value, json};
use waygate_e2e::conversation::{Customer, customer_writes, gateway_for, get_until};
use waygate_e2e::graph_api::{Fault, GraphApi};
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;
use waygate_e2e::{Gateway, HttpConnection};

const WABA: &str = "102290129340398";

async fn start_configured(graph: &GraphApi, pnid: &str) -> Gateway {
    let numbers = format!("[[numbers]]\nphone_number_id = \"{pnid}\"\nwaba_id = \"{WABA}\"\n");
    gateway_for(graph, &numbers).await
}

/// Polls the number `pnid` until `done` holds for its JSON.
async fn number_until(
    api: &mut HttpConnection,
    token: &str,
    pnid: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let of = |list: &Value| {
        list["numbers"]
            .as_array()
            .and_then(|numbers| numbers.iter().find(|n| n["phone_number_id"] == pnid))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let list = get_until(api, token, "/api/v1/numbers", what, |list| done(&of(list))).await;
    of(&list)
}

#[tokio::test(flavor = "multi_thread")]
async fn configured_numbers_are_read_and_their_problems_shown() {
    let graph = must(GraphApi::start().await);
    let pnid = "106540352242922";
    graph.set_number_profile(
        pnid,
        json!({"verified_name": "Kiosk 7", "display_phone_number": "+1 555-078-3881",
               "name_status": "PENDING_REVIEW", "code_verification_status": "VERIFIED",
               "quality_rating": "GREEN", "throughput": {"level": "STANDARD"},
               "platform_type": "CLOUD_API"}),
    );
    let gateway = start_configured(&graph, pnid).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let number = number_until(&mut api, &token, pnid, "was read", |n| {
        n["profile_state"] == "known"
    })
    .await;
    assert_eq!(number["verified_name"], "Kiosk 7", "{number}");
    assert_eq!(number["quality_rating"], "GREEN", "{number}");
    assert_eq!(number["state"], "sending", "{number}");
    assert_eq!(number["configured"], true, "{number}");
    assert_eq!(
        number["problems"][0]["problem"], "name_approval_pending",
        "{number}"
    );
    assert!(
        number["problems"][0]["remedy"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{number}"
    );
    let read = graph.reads();
    assert!(
        read[0].1.contains("verified_name") && read[0].1.contains("quality_rating"),
        "{read:?}"
    );

    let wabas = json_of(
        &call(&mut api, Method::GET, "/api/v1/wabas", Some(&token), None).await,
        200,
        "wabas",
    );
    assert_eq!(wabas["wabas"][0]["waba_id"], WABA, "{wabas}");
    assert_eq!(wabas["wabas"][0]["phone_number_ids"][0], pnid, "{wabas}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_read_leaves_the_number_unknown_and_sending() {
    let graph = must(GraphApi::start().await);
    graph.push_read_faults([Fault::BareStatus(503)]);
    let pnid = "106540352242922";
    let gateway = start_configured(&graph, pnid).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let number = number_until(&mut api, &token, pnid, "had its read fail", |n| {
        n["last_read"] == "failed"
    })
    .await;
    assert_eq!(number["profile_state"], "unknown", "{number}");
    assert_eq!(number["state"], "sending", "{number}");
    // It still sends.
    customer_writes(&gateway, Customer::Phone("16505550101"), 5).await;
    json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/messages",
            Some(&token),
            Some(json!({"type": "text", "text": {"body": "hello"}})),
        )
        .await,
        202,
        "reply",
    );
    must(graph.wait_accepted(1, ready_deadline()).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn error_190_holds_the_number_until_an_operator_resumes_it() {
    let graph = must(GraphApi::start().await);
    graph.push_faults([Fault::Error {
        status: 401,
        code: 190,
        title: "Invalid OAuth access token".into(),
    }]);
    let pnid = "106540352242922";
    let mut gateway = start_configured(&graph, pnid).await;
    let token = gateway.operator_token().to_owned();
    customer_writes(&gateway, Customer::Phone("16505550101"), 5).await;
    customer_writes(&gateway, Customer::Phone("16505550102"), 5).await;
    let mut api = must(gateway.connect_local().await);
    let text = |body: &str| Some(json!({"type": "text", "text": {"body": body}}));
    json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/1/messages",
            Some(&token),
            text("first"),
        )
        .await,
        202,
        "first",
    );
    let held = number_until(&mut api, &token, pnid, "was held", |n| n["state"] == "held").await;
    assert_eq!(held["hold"]["code"], 190, "{held}");
    assert!(
        held["hold"]["remedy"]
            .as_str()
            .is_some_and(|r| r.contains("token")),
        "{held}"
    );
    // Another chat's message waits too: the whole number is held.
    json_of(
        &call(
            &mut api,
            Method::POST,
            "/api/v1/chats/2/messages",
            Some(&token),
            text("second"),
        )
        .await,
        202,
        "second",
    );
    let waiting = number_until(&mut api, &token, pnid, "queued two", |n| {
        n["queue_depth"] == 2
    })
    .await;
    assert_eq!(waiting["state"], "held", "{waiting}");
    assert_eq!(graph.requests().len(), 1, "nothing was sent while held");
    let first = json_of(
        &call(
            &mut api,
            Method::GET,
            "/api/v1/messages/1",
            Some(&token),
            None,
        )
        .await,
        200,
        "first",
    );
    assert_eq!(first["state"], "queued", "{first}");
    assert_eq!(first["error"]["code"], 190, "{first}");

    // The hold outlives a restart: the number is still held, and still nothing is sent.
    must(gateway.stop().await);
    must(gateway.restart().await);
    let mut api = must(gateway.connect_local().await);
    let still = number_until(&mut api, &token, pnid, "held after the restart", |n| {
        n["state"] == "held" && n["queue_depth"] == 2
    })
    .await;
    assert_eq!(still["hold"]["code"], 190, "{still}");
    assert_eq!(
        graph.requests().len(),
        1,
        "nothing was sent after the restart"
    );

    let resumed = json_of(
        &call(
            &mut api,
            Method::POST,
            &format!("/api/v1/numbers/{pnid}/resume"),
            Some(&token),
            None,
        )
        .await,
        200,
        "resume",
    );
    assert_eq!(resumed["lifted"]["code"], 190, "{resumed}");
    must(graph.wait_accepted(2, ready_deadline()).await);
    let number = number_until(&mut api, &token, pnid, "drained", |n| n["queue_depth"] == 0).await;
    assert_eq!(number["state"], "sending", "{number}");
    // Resuming a number that is not held is refused.
    let again = call(
        &mut api,
        Method::POST,
        &format!("/api/v1/numbers/{pnid}/resume"),
        Some(&token),
        None,
    )
    .await;
    json_of(&again, 409, "resume again");
}
