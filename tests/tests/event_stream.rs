//! The live event stream (`GET /api/v1/events`), end to end with the real binary: it shows a
//! new chat, its messages (the customer's and the operator's) and its close in the order they
//! happened, and a client that reconnects with `Last-Event-ID` misses nothing and sees nothing
//! twice; a client that stops reading is cut off at its buffer while the gateway, and a client
//! that keeps reading, go on; an open stream ends at shutdown without holding it.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use http::Method;
use serde_json::Value;
use waygate_e2e::conversation::{
    Customer, customer_writes, gateway_for, message_reaches, reply, text,
};
use waygate_e2e::event_stream::{EventStream, Opened, SseMessage, StreamRequest};
use waygate_e2e::graph_api::GraphApi;
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::{Escaping, Gateway, GatewayOptions};

/// The customer's phone number.
const CUSTOMER: &str = "16505550101";

/// Opens a stream with `request` (the gateway's operator token), expecting 200.
async fn open(gateway: &Gateway, request: StreamRequest<'_>) -> EventStream {
    let addr = must(gateway.listeners()).local;
    let request = StreamRequest {
        token: Some(gateway.operator_token()),
        ..request
    };
    match must(EventStream::open(addr, &request).await) {
        Opened::Stream(stream) => stream,
        Opened::Refused { status, body } => panic!("the stream was refused: {status} {body}"),
    }
}

/// The stream's opening comment (`waygate events after <seq>`): the seq it starts after.
async fn opening(stream: &mut EventStream) -> u64 {
    let first = must(stream.next_within(ready_deadline()).await).expect("the stream ended");
    let comment = first.comments.first().cloned().unwrap_or_default();
    comment
        .strip_prefix("waygate events after ")
        .and_then(|seq| seq.parse().ok())
        .unwrap_or_else(|| panic!("not an opening comment: {first:?}"))
}

/// An event's type and JSON.
fn kind(event: &SseMessage) -> (String, Value) {
    let json = event.json().expect("JSON data");
    (json["type"].as_str().unwrap_or_default().to_owned(), json)
}

/// Reads events until one of type `last` (inclusive).
async fn events_through(stream: &mut EventStream, last: &str) -> Vec<SseMessage> {
    let mut events = Vec::new();
    loop {
        let event = must(stream.next_event(ready_deadline()).await);
        let done = kind(&event).0 == last;
        events.push(event);
        if done {
            return events;
        }
    }
}

/// Checks that `events` have consecutive seqs from `after + 1`, and `<gateway>:<seq>` ids.
#[track_caller]
fn assert_consecutive(events: &[SseMessage], after: u64) {
    for (index, event) in events.iter().enumerate() {
        let seq = after + 1 + index as u64;
        assert_eq!(event.seq(), Some(seq), "{events:?}");
        let json = event.json().unwrap_or_default();
        assert_eq!(json["seq"], seq);
        let id = json["id"].as_str().unwrap_or_default();
        assert!(id.ends_with(&format!(":{seq}")), "{id}");
    }
}

fn types(events: &[SseMessage]) -> Vec<String> {
    events.iter().map(|event| kind(event).0).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_shows_a_chat_in_order_and_resumes_after_a_reconnect() {
    let graph = must(GraphApi::start().await);
    let gateway = gateway_for(&graph, "").await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);

    let mut first = open(&gateway, StreamRequest::default()).await;
    let start = opening(&mut first).await;
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 5).await;
    let accepted = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/1/accept",
        Some(&token),
        None,
    );
    json_of(&accepted.await, 200, "accept");
    let before = events_through(&mut first, "chat.accepted").await;
    assert_eq!(
        types(&before),
        ["chat.opened", "message.received", "chat.accepted"]
    );
    assert_consecutive(&before, start);
    let (_, received) = kind(&before[1]);
    assert_eq!(received["chat_id"], 1);
    assert_eq!(received["data"]["from"], CUSTOMER);
    let content = &received["data"]["content"]["message"]["content"];
    assert_eq!(content["text"]["body"], "where is my order?", "{received}");
    // The client goes away.
    let seen = before.last().and_then(SseMessage::seq).unwrap_or_default();
    drop(first);

    // Meanwhile: the operator replies (sent by Meta), the customer writes again, the chat closes.
    let queued = json_of(
        &reply(&mut api, &token, 1, text("on its way")).await,
        202,
        "reply",
    );
    message_reaches(&mut api, &token, queued["id"].as_u64().unwrap_or(0), "sent").await;
    customer_writes(&gateway, Customer::Phone(CUSTOMER), 1).await;
    let closed = call(
        &mut api,
        Method::POST,
        "/api/v1/chats/1/close",
        Some(&token),
        None,
    );
    json_of(&closed.await, 200, "close");

    // Reconnected with Last-Event-ID: exactly what happened since, in order.
    let mut again = open(
        &gateway,
        StreamRequest {
            last_event_id: Some(seen),
            ..StreamRequest::default()
        },
    )
    .await;
    assert_eq!(opening(&mut again).await, seen);
    let after = events_through(&mut again, "chat.closed").await;
    assert_eq!(
        types(&after),
        [
            "message.queued",
            "message.sent",
            "message.received",
            "chat.closed"
        ]
    );
    assert_consecutive(&after, seen);
    let (_, closed) = kind(&after[3]);
    assert_eq!(closed["data"]["reason"], "operator");
    let (_, sent) = kind(&after[1]);
    assert_eq!(sent["data"]["body"]["text"]["body"], "on its way");

    // A replay from the start is the two parts, nothing missing, nothing twice.
    let mut replay = open(
        &gateway,
        StreamRequest {
            query: "?after=0",
            ..StreamRequest::default()
        },
    )
    .await;
    opening(&mut replay).await;
    let all = events_through(&mut replay, "chat.closed").await;
    assert_consecutive(&all, 0);
    let parts: Vec<Option<u64>> = before.iter().chain(&after).map(SseMessage::seq).collect();
    let whole: Vec<Option<u64>> = all
        .iter()
        .skip(start as usize)
        .map(SseMessage::seq)
        .collect();
    assert_eq!(parts, whole);

    // The stream is the API's: no token, no stream.
    let addr = must(gateway.listeners()).local;
    match must(EventStream::open(addr, &StreamRequest::default()).await) {
        Opened::Refused { status, .. } => assert_eq!(status, 401),
        Opened::Stream(_) => panic!("a stream without a token"),
    }

    // An open stream does not hold the shutdown: it says goodbye and ends within the grace.
    let mut gateway = gateway;
    let status = must(gateway.stop().await);
    assert!(status.success(), "{status}");
    let logs = gateway.logs();
    assert!(!logs.contains("grace period over"), "{logs}");
    let mut goodbye = Vec::new();
    while let Some(message) = must(replay.next_within(ready_deadline()).await) {
        goodbye.extend(message.comments);
    }
    assert!(
        goodbye
            .iter()
            .any(|comment| comment.contains("shutting down")),
        "{goodbye:?}"
    );
}

/// A webhook of `count` customers' texts (from varying senders).
fn many_texts(gateway: &Gateway, count: usize) -> waygate_e2e::SignedWebhook {
    let meta = gateway.meta();
    let messages: Vec<Value> = (0..count)
        .map(|n| meta.text_message(&format!("message {n} of a busy minute")))
        .collect();
    let payload = meta.payload(vec![vec![meta.messages_change(&messages, &[])]]);
    meta.sign_payload(&payload, Escaping::META)
}

/// Whether the gateway logged that a stream's client was cut off.
fn cut_off_logged(gateway: &Gateway) -> bool {
    std::fs::read_to_string(gateway.stderr_path())
        .unwrap_or_default()
        .contains("fell behind its buffer and was cut off")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_is_cut_off_while_the_gateway_goes_on() {
    let gateway = start(GatewayOptions::default()).await;
    // A client that reads the opening and then nothing, with a small kernel buffer.
    let mut stalled = open(
        &gateway,
        StreamRequest {
            receive_buffer: Some(4096),
            ..StreamRequest::default()
        },
    )
    .await;
    let start = opening(&mut stalled).await;
    // A client that keeps reading, in its own task, until it has passed where the journal
    // ends (told once the traffic is over).
    let mut reader = open(&gateway, StreamRequest::default()).await;
    opening(&mut reader).await;
    let (end_sender, end) = tokio::sync::watch::channel(u64::MAX);
    let keeps_up = tokio::spawn(async move {
        let mut seqs = Vec::new();
        loop {
            let seq = must(reader.next_event(ready_deadline()).await)
                .seq()
                .unwrap_or(0);
            seqs.push(seq);
            if seq >= *end.borrow() {
                return seqs;
            }
        }
    });

    // Busy traffic until the gateway gives up on the stalled client.
    let started = Instant::now();
    let mut public = must(gateway.connect_public().await);
    while !cut_off_logged(&gateway) {
        assert!(
            started.elapsed() < ready_deadline() * 2,
            "the stalled client was never cut off:\n{}",
            gateway.logs()
        );
        let webhook = many_texts(&gateway, 200);
        assert_status(
            &must(public.post_webhook(&webhook).await),
            200,
            "busy traffic",
        );
    }

    // The gateway goes on: healthy, taking webhooks, streaming to the client that reads.
    let mut api = must(gateway.connect_local().await);
    let health = call(&mut api, Method::GET, "/healthz", None, None).await;
    assert_status(&health, 200, "healthz after the cut-off");
    let webhook = many_texts(&gateway, 3);
    assert_status(
        &must(public.post_webhook(&webhook).await),
        200,
        "after the cut-off",
    );
    let mut probe = open(&gateway, StreamRequest::default()).await;
    let last = opening(&mut probe).await;
    must(
        end_sender
            .send(last)
            .map_err(|_| "the reader stopped early"),
    );
    // One more event, in case the reader already waits past `last`.
    let webhook = many_texts(&gateway, 1);
    assert_status(
        &must(public.post_webhook(&webhook).await),
        200,
        "a last one",
    );
    let seqs = must(
        tokio::time::timeout(ready_deadline(), keeps_up)
            .await
            .map_err(|_| "the reading client fell behind"),
    )
    .unwrap_or_default();
    let expected: Vec<u64> = (start + 1..start + 1 + seqs.len() as u64).collect();
    assert_eq!(
        seqs, expected,
        "the reading client saw every event once, in order"
    );
    assert!(seqs.last().copied().unwrap_or(0) >= last, "{last}");

    // The stalled client reads again: what was buffered for it, then the end of the stream.
    let mut seen = start;
    let deadline = Instant::now() + ready_deadline();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match must(stalled.next_within(left).await) {
            Some(message) => {
                if let Some(seq) = message.seq() {
                    assert_eq!(seq, seen + 1, "no gap before the cut");
                    seen = seq;
                }
            }
            None => break,
        }
    }
    assert!(
        seen < last,
        "the stalled client was cut off before the end ({seen} of {last})"
    );
    // It resumes where it was cut, and misses nothing.
    let mut resumed = open(
        &gateway,
        StreamRequest {
            last_event_id: Some(seen),
            ..StreamRequest::default()
        },
    )
    .await;
    opening(&mut resumed).await;
    let next = must(resumed.next_event(Duration::from_secs(30)).await);
    assert_eq!(next.seq(), Some(seen + 1));
}
