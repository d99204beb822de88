//! Commands from the simulated headquarters, end to end: the gateway long-polls them, carries
//! them out through the store, and HQ receives each `command.result`:
//!
//! - a `send_message` delivered twice (HQ serves every command again) sends once;
//! - a command on a closed chat comes back refused, with the reason;
//! - an unknown command is still answered (refused, naming the known types);
//! - an unsigned answer is refused whole (counted, nothing carried out) and the command it held
//!   is carried out from the next, signed, answer.
#![forbid(unsafe_code)]

use http::Method;
use serde_json::{Value, json};
use waygate_e2e::delivery::deliver;
use waygate_e2e::hq::{AnswerSigning, Event, Hq};
use waygate_e2e::metrics::{scrape, value};
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;
use waygate_e2e::synced::{
    chat_of, customer_phone, start_synced, status_json, sync_deadline, text_from,
};
use waygate_e2e::{Gateway, HttpConnection};

/// The `command.result` events HQ holds for command `id`.
fn results(hq: &Hq, id: &str) -> Vec<Event> {
    hq.events()
        .into_iter()
        .filter(|event| event.kind == "command.result" && event.data["command_id"] == id)
        .collect()
}

/// Waits until HQ holds the result of command `id`, and returns it.
async fn result_of(hq: &Hq, id: &str) -> Value {
    must(
        hq.wait_until(
            sync_deadline(),
            &format!("the result of {id}"),
            |received| {
                received
                    .events()
                    .iter()
                    .any(|event| event.kind == "command.result" && event.data["command_id"] == id)
            },
        )
        .await,
    );
    results(hq, id)[0].data.clone()
}

async fn customer_chat(gateway: &Gateway, api: &mut HttpConnection, index: usize) -> u64 {
    let phone = customer_phone(index);
    let webhook = text_from(gateway, &phone, "hello");
    let outcome = deliver(&must(gateway.public_endpoint()), 1, vec![webhook], None).await;
    assert_eq!(outcome.acked.len(), 1);
    chat_of(api, gateway.operator_token(), &phone).await
}

async fn messages_of(api: &mut HttpConnection, token: &str, chat: u64) -> Vec<Value> {
    let list = json_of(
        &call(api, Method::GET, "/api/v1/messages", Some(token), None).await,
        200,
        "GET /api/v1/messages",
    );
    list["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter(|message| message["chat"] == chat)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_delivered_twice_sends_once_and_a_closed_chat_refuses_with_the_reason() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "").await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let chat = customer_chat(&gateway, &mut api, 1).await;

    let accept = hq.push_command(json!({"type": "accept", "chat_id": chat}));
    assert_eq!(result_of(&hq, &accept).await["result"], "accepted");
    let send = hq.push_command(json!({
        "type": "send_message", "chat_id": chat,
        "body": {"type": "text", "text": {"body": "Your order is ready"}},
    }));
    let sent = result_of(&hq, &send).await;
    assert_eq!(sent["result"], "accepted", "{sent}");
    assert!(sent["message_id"].as_u64().is_some(), "{sent}");

    // HQ serves every command again: nothing is carried out twice.
    let polls_before = hq.commands_requests().len();
    hq.push_duplicate();
    let close = hq.push_command(json!({"type": "close", "chat_id": chat, "operator": "hq"}));
    assert_eq!(result_of(&hq, &close).await["result"], "accepted");
    assert!(
        hq.commands_requests()[polls_before..]
            .iter()
            .any(|request| request.served.contains(&send)),
        "the send was served again"
    );
    assert_eq!(messages_of(&mut api, &token, chat).await.len(), 1);
    assert_eq!(results(&hq, &send).len(), 1, "one result per command id");
    assert_eq!(results(&hq, &accept).len(), 1);

    let late = hq.push_command(json!({
        "type": "send_message", "chat_id": chat,
        "body": {"type": "text", "text": {"body": "too late"}},
    }));
    let refused = result_of(&hq, &late).await;
    assert_eq!(refused["result"], "refused", "{refused}");
    assert!(
        refused["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("closed")),
        "{refused}"
    );
    let unknown = hq.push_command(json!({"type": "reboot"}));
    let answered = result_of(&hq, &unknown).await;
    assert_eq!(answered["result"], "refused");
    assert!(
        answered["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("send_message"))
    );
    assert_eq!(messages_of(&mut api, &token, chat).await.len(), 1);

    let samples = scrape(&gateway).await;
    assert!(
        value(
            &samples,
            "waygate_upstream_commands_total",
            Some(("result", "already_done"))
        ) >= 1.0
    );
    assert_eq!(
        value(
            &samples,
            "waygate_upstream_commands_total",
            Some(("result", "refused"))
        ),
        2.0
    );
    let polls = hq.commands_requests();
    assert!(
        polls
            .iter()
            .all(|poll| poll.gateway_id.is_some() && poll.wait.as_deref() == Some("25"))
    );
    // The cursor moved with the commands carried out.
    assert!(
        polls
            .iter()
            .any(|poll| poll.after.as_deref() == Some(late.as_str()))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_answer_is_refused_and_its_command_waits_for_a_signed_one() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "").await;
    let mut api = must(gateway.connect_local().await);
    let chat = customer_chat(&gateway, &mut api, 2).await;
    // The poll held now is answered unsigned, with the command.
    must(
        hq.wait_until(sync_deadline(), "a poll", |received| {
            received.polls_started > 0
        })
        .await,
    );
    hq.unsigned_next();
    let accept = hq.push_command(json!({"type": "accept", "chat_id": chat}));
    assert_eq!(result_of(&hq, &accept).await["result"], "accepted");
    let polls = hq.commands_requests();
    let unsigned = polls
        .iter()
        .position(|poll| poll.signing == AnswerSigning::Unsigned)
        .unwrap_or_else(|| panic!("no unsigned answer: {polls:?}"));
    assert!(polls[unsigned].served.contains(&accept));
    // The next poll asked again from the same cursor.
    assert_eq!(polls[unsigned + 1].after, polls[unsigned].after);
    let samples = scrape(&gateway).await;
    assert_eq!(
        value(
            &samples,
            "waygate_upstream_command_answers_refused_total",
            Some(("reason", "unsigned"))
        ),
        1.0
    );
    assert!(gateway.logs().contains("the answer was refused"));
    assert_eq!(results(&hq, &accept).len(), 1);

    // A stale answer is refused the same way.
    hq.stale_next();
    let close = hq.push_command(json!({"type": "close", "chat_id": chat}));
    assert_eq!(result_of(&hq, &close).await["result"], "accepted");
    let samples = scrape(&gateway).await;
    assert_eq!(
        value(
            &samples,
            "waygate_upstream_command_answers_refused_total",
            Some(("reason", "stale"))
        ),
        1.0
    );
    let (code, report) = status_json(&gateway).await;
    assert_eq!(
        report["upstream"]["sync"]["commands"]["state"], "polling",
        "{report}"
    );
    assert_eq!(code, Some(0), "{report}");
}
