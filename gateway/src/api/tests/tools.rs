//! The operators' tools through the local API: canned responses and articles with their limits,
//! rendering with every placeholder and the refusal of undefined ones, notes, tags, leads and
//! tickets on a chat (shown in the chat), each refusal a JSON error naming what to fix.

use super::*;
use crate::chat::CustomerId;

fn wa_id(id: &str) -> CustomerId {
    CustomerId::WaId(id.into())
}

#[tokio::test]
async fn canned_responses_are_created_put_listed_and_deleted() {
    let fixture = Fixture::new();
    let created = fixture
        .post_json(
            "/api/v1/canned-responses",
            r#"{"shortcut": "hi", "body": "Hello {{contact.name}}"}"#,
        )
        .await
        .json(StatusCode::CREATED);
    assert_eq!(created["canned_response"]["id"], "1");
    assert_eq!(created["canned_response"]["source"], "local");
    let path = "/api/v1/canned-responses/bye";
    let put = fixture
        .send_json(Method::PUT, path, r#"{"shortcut": "bye", "body": "Bye"}"#)
        .await;
    assert_eq!(
        put.json(StatusCode::CREATED)["canned_response"]["id"],
        "bye"
    );
    let replaced = fixture
        .send_json(
            Method::PUT,
            path,
            r#"{"shortcut": "bye", "body": "Goodbye"}"#,
        )
        .await
        .json(StatusCode::OK);
    assert_eq!(replaced["canned_response"]["body"], "Goodbye");
    let list = fixture
        .get("/api/v1/canned-responses", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    let shortcuts: Vec<&str> = list["canned_responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, ["bye", "hi"]);

    // Limits: 422 naming the field; a shortcut in use: 409 naming its holder.
    for (body, field) in [
        (r#"{"shortcut": "two words", "body": "x"}"#, "shortcut"),
        (r#"{"shortcut": "", "body": "x"}"#, "shortcut"),
        (r#"{"shortcut": "ok", "body": " "}"#, "body"),
    ] {
        let refused = fixture
            .post_json("/api/v1/canned-responses", body)
            .await
            .json(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused["field"], field, "{refused}");
        assert!(refused["error"].as_str().unwrap().starts_with(field));
    }
    let long = format!(r#"{{"shortcut": "long", "body": "{}"}}"#, "a".repeat(4097));
    let refused = fixture
        .post_json("/api/v1/canned-responses", &long)
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "body");
    let taken = fixture
        .post_json(
            "/api/v1/canned-responses",
            r#"{"shortcut": "hi", "body": "x"}"#,
        )
        .await
        .error(StatusCode::CONFLICT);
    assert!(taken.contains("\"1\""), "{taken}");
    let bad_id = fixture
        .send_json(
            Method::PUT,
            "/api/v1/canned-responses/a%20b",
            r#"{"shortcut": "ab", "body": "x"}"#,
        )
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_id["field"], "id");

    let deleted = fixture
        .call(
            request(Method::DELETE, path, Some(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json(StatusCode::OK);
    assert_eq!(deleted["canned_response"]["id"], "bye");
    let gone = fixture
        .get(path, Some(TOKEN))
        .await
        .error(StatusCode::NOT_FOUND);
    assert!(gone.starts_with("no canned response \"bye\""), "{gone}");
}

/// Chat 1 of a customer named Sheena with a phone number, chat 2 of a BSUID without a name.
async fn two_customers() -> Fixture {
    let fixture = Fixture::new();
    fixture
        .store
        .ingest(customer_message(
            "w1",
            &wa_id("16505550101"),
            Some("Sheena"),
        ))
        .await
        .unwrap();
    let bsuid = CustomerId::Bsuid("US.1349".into());
    fixture
        .store
        .ingest(customer_message("w2", &bsuid, None))
        .await
        .unwrap();
    fixture
}

#[tokio::test]
async fn chats_name_their_customer_by_profile() {
    let fixture = two_customers().await;
    let list = fixture
        .get("/api/v1/chats?state=waiting", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    assert_eq!(list["chats"][0]["contact"]["name"], "Sheena", "{list}");
    assert_eq!(list["chats"][1]["contact"]["name"], Value::Null);
    let detail = fixture
        .get("/api/v1/chats/1", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    assert_eq!(detail["chat"]["contact"]["name"], "Sheena", "{detail}");
}

#[tokio::test]
async fn a_canned_response_renders_every_placeholder_and_refuses_undefined_ones() {
    let fixture = two_customers().await;
    let all = r#"{"shortcut": "all", "body": "Hi {{contact.name}} ({{ contact.phone }}), {{agent.name}} here on chat {{chat.id}}."}"#;
    fixture
        .send_json(Method::PUT, "/api/v1/canned-responses/all", all)
        .await
        .json(StatusCode::CREATED);
    let rendered = fixture
        .post_json("/api/v1/chats/1/render", r#"{"canned_response": "all"}"#)
        .await
        .json(StatusCode::OK);
    assert_eq!(
        rendered["text"],
        "Hi Sheena (+16505550101), ana here on chat 1."
    );

    // Chat 2's customer has no name known and no phone number; {{foo}} is no placeholder.
    let odd = r#"{"shortcut": "odd", "body": "{{foo}} {{contact.name}} {{contact.phone}}"}"#;
    fixture
        .send_json(Method::PUT, "/api/v1/canned-responses/odd", odd)
        .await
        .json(StatusCode::CREATED);
    let refused = fixture
        .post_json("/api/v1/chats/2/render", r#"{"canned_response": "odd"}"#)
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused["placeholders"],
        serde_json::json!(["foo", "contact.name", "contact.phone"])
    );
    let message = refused["error"].as_str().unwrap();
    assert!(
        message.contains("{{foo}} is not a placeholder"),
        "{message}"
    );
    assert!(message.contains("BSUID"), "{message}");
    // On chat 1 only {{foo}} is undefined.
    let refused = fixture
        .post_json("/api/v1/chats/1/render", r#"{"canned_response": "odd"}"#)
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["placeholders"], serde_json::json!(["foo"]));

    let missing = fixture
        .post_json("/api/v1/chats/1/render", r#"{"canned_response": "nope"}"#)
        .await
        .error(StatusCode::NOT_FOUND);
    assert!(missing.starts_with("no canned response"), "{missing}");
    let no_chat = fixture
        .post_json("/api/v1/chats/9/render", r#"{"canned_response": "all"}"#)
        .await
        .error(StatusCode::NOT_FOUND);
    assert_eq!(no_chat, "no chat 9");
}

#[tokio::test]
async fn articles_are_searched_by_title_first() {
    let fixture = Fixture::new();
    for body in [
        r#"{"title": "Opening hours", "body": "Returns desk opens at nine"}"#,
        r#"{"title": "Returns", "body": "Thirty days", "link": "https://shop.example/returns"}"#,
    ] {
        fixture
            .post_json("/api/v1/articles", body)
            .await
            .json(StatusCode::CREATED);
    }
    let found = fixture
        .get("/api/v1/articles?q=RETURNS", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    let titles: Vec<&str> = found["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Returns", "Opening hours"]);
    assert_eq!(found["articles"][0]["link"], "https://shop.example/returns");
    let none = fixture
        .get("/api/v1/articles?q=warranty", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    assert_eq!(none["articles"], serde_json::json!([]));
    let refused = fixture
        .send_json(
            Method::PUT,
            "/api/v1/articles/x",
            r#"{"title": "x", "link": "ftp://x"}"#,
        )
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "link");
    let deleted = fixture
        .call(
            request(Method::DELETE, "/api/v1/articles/1", Some(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json(StatusCode::OK);
    assert_eq!(deleted["article"]["title"], "Opening hours");
}

#[tokio::test]
async fn notes_tags_leads_and_tickets_on_a_chat() {
    let fixture = Fixture::new();
    fixture
        .store
        .ingest(customer_message("w1", &wa_id("111"), Some("Kim")))
        .await
        .unwrap();
    let note = fixture
        .post_json("/api/v1/chats/1/notes", r#"{"text": "wants a refund"}"#)
        .await
        .json(StatusCode::CREATED);
    assert_eq!(note["note"]["author"], "ana");
    assert_eq!(note["note"]["n"], 1);
    let tags = fixture
        .send_json(
            Method::PUT,
            "/api/v1/chats/1/tags",
            r#"{"tags": [" vip ", "VIP", "refund"]}"#,
        )
        .await
        .json(StatusCode::OK);
    assert_eq!(tags["tags"], serde_json::json!(["vip", "refund"]));
    let refused = fixture
        .send_json(
            Method::PUT,
            "/api/v1/chats/1/tags",
            r#"{"tags": ["ok", ""]}"#,
        )
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "tags[1]");

    let lead = fixture
        .post_json(
            "/api/v1/chats/1/lead",
            r#"{"name": "Kim", "email": "kim@example.com"}"#,
        )
        .await
        .json(StatusCode::ACCEPTED);
    assert_eq!(lead["lead"]["email"], "kim@example.com");
    let refused = fixture
        .post_json("/api/v1/chats/1/lead", r#"{"name": " "}"#)
        .await
        .json(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "lead");

    // A ticket without a body, and one with a subject.
    let ticket = fixture
        .call(
            request(Method::POST, "/api/v1/chats/1/ticket", Some(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json(StatusCode::ACCEPTED);
    assert_eq!(ticket["entries"], 1);
    assert_eq!(ticket["truncated"], false);
    assert!(ticket["event_seq"].as_u64() > lead["event_seq"].as_u64());
    fixture
        .post_json("/api/v1/chats/1/ticket", r#"{"subject": "Refund"}"#)
        .await
        .json(StatusCode::ACCEPTED);
    let bad = fixture
        .post_json("/api/v1/chats/1/ticket", r#"{"subjcet": "Refund"}"#)
        .await
        .error(StatusCode::BAD_REQUEST);
    assert!(bad.contains("subjcet"), "{bad}");
    let no_chat = fixture
        .post_json("/api/v1/chats/4/notes", r#"{"text": "x"}"#)
        .await
        .error(StatusCode::NOT_FOUND);
    assert_eq!(no_chat, "no chat 4");

    let chat = fixture
        .get("/api/v1/chats/1", Some(TOKEN))
        .await
        .json(StatusCode::OK);
    assert_eq!(chat["notes"][0]["text"], "wants a refund");
    assert_eq!(chat["tags"], serde_json::json!(["vip", "refund"]));
}
