//! The operators' tools, end to end with the real binary and the simulated Meta: capturing a
//! lead and asking for a ticket from a chat produce `lead.captured` and `ticket.requested`
//! (with the whole transcript: the customer's text and photo, served by the gateway, the
//! operator's reply, the notes and tags), read from the live event stream; a canned response
//! renders its placeholders for a chat, and one with an undefined placeholder is refused (422
//! naming it).
#![forbid(unsafe_code)]

use http::Method;
use serde_json::{Value, json};
use waygate_e2e::conversation::{
    self, Customer, customer_writes, gateway_for, get_until, message_reaches, reply, text,
};
use waygate_e2e::event_stream::{EventStream, Opened, StreamRequest};
use waygate_e2e::graph_api::GraphApi;
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::{Gateway, GatewayOptions, HttpConnection};

/// The customer's phone number.
const CUSTOMER: &str = "16505550101";
/// The customer's profile name, as the simulated Meta sends it.
const PROFILE_NAME: &str = "Sheena Nelson";

/// A PNG-looking photo.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6".to_vec();
    bytes.extend((0..4_000_u32).map(|i| (i % 251) as u8));
    bytes
}

/// `method path` with `body`, answered `status` with JSON.
async fn expect(
    api: &mut HttpConnection,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    json_of(
        &call(api, method, path, Some(token), body).await,
        status,
        path,
    )
}

/// Reads the stream until an event of type `kind`; answers its JSON.
async fn event_of(stream: &mut EventStream, kind: &str) -> Value {
    loop {
        let event = must(stream.next_event(ready_deadline()).await);
        let json = event.json().unwrap_or_default();
        if json["type"] == kind {
            return json;
        }
    }
}

async fn open_stream(gateway: &Gateway) -> EventStream {
    let request = StreamRequest {
        token: Some(gateway.operator_token()),
        ..StreamRequest::default()
    };
    match must(EventStream::open(must(gateway.listeners()).local, &request).await) {
        Opened::Stream(stream) => stream,
        Opened::Refused { status, body } => panic!("the stream was refused: {status} {body}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_and_a_ticket_reach_the_journal_with_the_transcript() {
    let graph = must(GraphApi::start().await);
    let photo = photo();
    let sha256 = graph.register_inbound_media("2003383421387001", &photo, "image/png");
    let gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let mut stream = open_stream(&gateway).await;

    // The customer writes and sends a photo; the operator replies, notes and tags.
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 10).await;
    let image = json!({"id": "2003383421387001", "mime_type": "image/png", "sha256": sha256});
    conversation::customer_sends(&gateway, Customer::Phone(CUSTOMER), 5, "image", image).await;
    let chat = get_until(&mut api, &token, "/api/v1/chats/1", "downloaded", |chat| {
        chat["messages"][1].get("media_id").is_some()
    })
    .await;
    let photo_seq = chat["messages"][1]["seq"].as_u64().unwrap_or(0);
    let text_seq = chat["messages"][0]["seq"].as_u64().unwrap_or(0);
    let queued = json_of(
        &reply(&mut api, &token, 1, text("I will open a ticket")).await,
        202,
        "reply",
    );
    message_reaches(&mut api, &token, queued["id"].as_u64().unwrap_or(0), "sent").await;
    let note = json!({"text": "the parcel arrived crushed"});
    expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/notes",
        Some(note),
        201,
    )
    .await;
    let tags = json!({"tags": ["damaged", " VIP ", "vip"]});
    let kept = expect(
        &mut api,
        &token,
        Method::PUT,
        "/api/v1/chats/1/tags",
        Some(tags),
        200,
    )
    .await;
    assert_eq!(kept["tags"], json!(["damaged", "VIP"]));

    // The lead.
    let lead = json!({"name": PROFILE_NAME, "email": "sheena@example.com", "phone": "+1 650 555 0101", "company": "Nelson & Co"});
    let captured = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/lead",
        Some(lead),
        202,
    )
    .await;
    let refused = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/lead",
        Some(json!({"email": "sheena at example"})),
        422,
    )
    .await;
    assert_eq!(refused["field"], "email", "{refused}");
    // The ticket.
    let ticket = json!({"subject": "Crushed parcel", "note": "wants a replacement"});
    let requested = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/ticket",
        Some(ticket),
        202,
    )
    .await;
    assert_eq!(requested["entries"], 3, "{requested}");
    assert_eq!(requested["truncated"], false);

    let lead = event_of(&mut stream, "lead.captured").await;
    assert_eq!(lead["seq"], captured["event_seq"]);
    assert_eq!(lead["chat_id"], 1);
    assert_eq!(lead["data"]["lead"]["email"], "sheena@example.com");
    assert_eq!(lead["data"]["lead"]["company"], "Nelson & Co");
    assert_eq!(lead["data"]["customer"]["id"], CUSTOMER);
    assert_eq!(lead["data"]["chat"]["id"], 1);
    assert_eq!(lead["data"]["captured_by"], "default");

    let ticket = event_of(&mut stream, "ticket.requested").await;
    assert_eq!(ticket["seq"], requested["event_seq"]);
    let data = &ticket["data"];
    assert_eq!(data["subject"], "Crushed parcel");
    assert_eq!(data["note"], "wants a replacement");
    assert_eq!(data["requested_by"], "default");
    assert_eq!(data["customer"]["id"], CUSTOMER);
    assert_eq!(data["tags"], json!(["damaged", "VIP"]));
    assert_eq!(data["notes"][0]["text"], "the parcel arrived crushed");
    assert_eq!(data["truncated"], false);
    let transcript = data["transcript"].as_array().cloned().unwrap_or_default();
    let from: Vec<&str> = transcript
        .iter()
        .map(|e| e["from"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(from, ["customer", "customer", "operator"], "{data}");
    assert_eq!(transcript[0]["message"]["log_seq"], text_seq);
    assert!(transcript[0]["message"].get("media").is_none());
    assert_eq!(transcript[1]["message"]["type"], "image");
    let href = transcript[1]["message"]["media"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(href, format!("/api/v1/log/{photo_seq}/media"));
    assert_eq!(transcript[2]["message"]["operator"], "default");
    assert_eq!(
        transcript[2]["message"]["body"]["text"]["body"],
        "I will open a ticket"
    );

    // The media reference is served by the gateway; a text has none.
    let served = call(&mut api, Method::GET, &href, Some(&token), None).await;
    assert_status(&served, 200, &href);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert!(served.body[..] == photo[..], "the customer's photo");
    let none = format!("/api/v1/log/{text_seq}/media");
    let refused = call(&mut api, Method::GET, &none, Some(&token), None).await;
    assert_status(&refused, 404, &none);
    assert!(
        refused.text().contains("not a message with a file"),
        "{}",
        refused.text()
    );

    // The chat shows its notes and tags.
    let chat = expect(&mut api, &token, Method::GET, "/api/v1/chats/1", None, 200).await;
    assert_eq!(chat["notes"][0]["author"], "default");
    assert_eq!(chat["tags"], json!(["damaged", "VIP"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_canned_response_renders_its_placeholders_and_an_undefined_one_is_refused() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 5).await;
    customer_writes(&gateway, Customer::Bsuid("US.13491208655302741918"), 5).await;

    let greeting = json!({"shortcut": "greeting", "body": "Hi {{contact.name}}, this is {{agent.name}} (chat {{chat.id}}); we will call {{ contact.phone }}."});
    let put = expect(
        &mut api,
        &token,
        Method::PUT,
        "/api/v1/canned-responses/greeting",
        Some(greeting),
        201,
    )
    .await;
    assert_eq!(put["canned_response"]["source"], "local");
    let render = |id: &str| Some(json!({"canned_response": id}));
    let rendered = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/render",
        render("greeting"),
        200,
    )
    .await;
    assert_eq!(
        rendered["text"],
        format!("Hi {PROFILE_NAME}, this is default (chat 1); we will call +{CUSTOMER}.")
    );

    // The BSUID-only customer has no phone number; {{order.id}} is no placeholder.
    let refused = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/2/render",
        render("greeting"),
        422,
    )
    .await;
    assert_eq!(
        refused["placeholders"],
        json!(["contact.phone"]),
        "{refused}"
    );
    let odd = json!({"shortcut": "order", "body": "Your order {{order.id}} is on its way, {{contact.name}}"});
    let created = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/canned-responses",
        Some(odd),
        201,
    )
    .await;
    let id = created["canned_response"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refused = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/2/render",
        render(&id),
        422,
    )
    .await;
    assert_eq!(refused["placeholders"], json!(["order.id"]), "{refused}");
    let message = refused["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("{{order.id}} is not a placeholder"),
        "{message}"
    );

    // The list, and the limits.
    let list = expect(
        &mut api,
        &token,
        Method::GET,
        "/api/v1/canned-responses",
        None,
        200,
    )
    .await;
    assert_eq!(list["canned_responses"].as_array().map(Vec::len), Some(2));
    let bad = json!({"shortcut": "two words", "body": "x"});
    let refused = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/canned-responses",
        Some(bad),
        422,
    )
    .await;
    assert_eq!(refused["field"], "shortcut");
    let path = format!("/api/v1/canned-responses/{id}");
    expect(&mut api, &token, Method::DELETE, &path, None, 200).await;
    let gone = expect(
        &mut api,
        &token,
        Method::POST,
        "/api/v1/chats/1/render",
        render(&id),
        404,
    )
    .await;
    assert!(
        gone["error"]
            .as_str()
            .unwrap_or_default()
            .contains("no canned response")
    );
}
