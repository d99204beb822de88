//! Chats end to end: signed customer messages open waiting chats (one per customer and business
//! number), later messages join them, a BSUID-only customer gets a chat of their own, and a
//! customer who reaches the profanity limit has their chat closed; their next message opens a new
//! chat. Checked through `waygate export --chats`.
#![forbid(unsafe_code)]

use serde_json::{Value, json};
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};
use waygate_e2e::{Escaping, Gateway, GatewayOptions};

/// Delivers one text message from `from` (a phone number) or, with `from: None`, from a
/// BSUID-only customer `user_id`.
async fn send(gateway: &Gateway, from: Option<&str>, user_id: Option<&str>, text: &str) {
    let meta = gateway.meta();
    let mut message = meta.text_message(text);
    match from {
        Some(from) => message["from"] = json!(from),
        None => {
            if let Some(object) = message.as_object_mut() {
                object.remove("from");
            }
        }
    }
    if let Some(user_id) = user_id {
        message["from_user_id"] = json!(user_id);
    }
    let mut change = meta.messages_change(&[message], &[]);
    if from.is_none() {
        change["contacts"] = json!([{ "profile": { "name": "BSUID user" }, "user_id": user_id }]);
    }
    let webhook = meta.sign_payload(&meta.payload(vec![vec![change]]), Escaping::META);
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, text);
}

fn chats_of<'a>(chats: &'a [Value], customer: &str) -> Vec<&'a Value> {
    chats
        .iter()
        .filter(|chat| chat["customer"] == customer)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_messages_open_and_join_waiting_chats() {
    let mut gateway = start(GatewayOptions::default()).await;
    send(&gateway, Some("16505550001"), None, "hello").await;
    send(&gateway, Some("16505550001"), None, "anyone there?").await;
    send(
        &gateway,
        Some("16505550002"),
        None,
        "hi from another customer",
    )
    .await;
    send(
        &gateway,
        None,
        Some("US.13491208655302741918"),
        "no phone number shown",
    )
    .await;
    let chats = stop_and_export(&mut gateway, &["--chats"]).await;
    assert_eq!(chats.len(), 3, "{chats:#?}");

    let first = chats_of(&chats, "16505550001");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["state"], "waiting");
    assert_eq!(first[0]["messages"], 2);
    assert_eq!(first[0]["deadline_kind"], "unattended");
    let opened = first[0]["opened_at"].as_u64().unwrap_or(0);
    let deadline = first[0]["deadline_at"].as_u64().unwrap_or(0);
    assert_eq!(
        deadline - opened,
        3_600_000,
        "default unattended limit: 1 h"
    );

    assert_eq!(chats_of(&chats, "16505550002").len(), 1);
    let bsuid = chats_of(&chats, "US.13491208655302741918");
    assert_eq!(bsuid.len(), 1, "a BSUID-only customer is a customer too");
}

#[tokio::test(flavor = "multi_thread")]
async fn profanity_over_the_limit_closes_the_chat_and_the_next_message_opens_a_new_one() {
    let words = must(tempfile::tempdir());
    let list = words.path().join("fr.txt");
    must(std::fs::write(&list, "# French\nmerde\n"));
    let config = format!(
        "[chat]\nprofanity_limit = 2\nprofanity_word_lists = [{:?}]\n",
        list.display().to_string()
    );
    let mut gateway = start(GatewayOptions::with_config(config)).await;
    let customer = "16505550003";
    send(&gateway, Some(customer), None, "bonjour").await;
    send(&gateway, Some(customer), None, "oh MÈRDE").await;
    send(&gateway, Some(customer), None, "merde alors").await; // the second hit: closes
    send(&gateway, Some(customer), None, "sorry").await; // opens a new chat
    let chats = stop_and_export(&mut gateway, &["--chats"]).await;
    let mine = chats_of(&chats, customer);
    assert_eq!(mine.len(), 2, "{chats:#?}");
    assert_eq!(mine[0]["state"], "closed");
    assert_eq!(mine[0]["reason"], "profanity");
    assert_eq!(mine[0]["profanity_hits"], 2);
    assert_eq!(mine[0]["messages"], 3);
    assert_eq!(mine[1]["state"], "waiting");
    assert_eq!(mine[1]["messages"], 1);
    assert!(mine[1]["id"].as_u64() > mine[0]["id"].as_u64());
}
