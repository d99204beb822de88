//! The event stream in process: where it starts (the end, `after`, `Last-Event-ID`), its
//! frames, the `reset` for a seq past the end, the cap on streams, the keep-alive (paused
//! time), a client that stops reading cut off at its buffer, and the end at shutdown.

use std::time::Duration;

use super::*;
use crate::chat::CustomerId;

/// A stream's response body, read frame by frame.
struct Stream {
    body: Body,
}

impl Stream {
    /// Opens `GET path` with `headers`; answers the status and, for a 200, the stream.
    async fn open(
        fixture: &Fixture,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (Answer, Option<Self>) {
        let mut builder = request(Method::GET, path, Some(TOKEN));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response = fixture
            .service
            .clone()
            .handle(builder.body(Body::empty()).unwrap())
            .await;
        let (parts, body) = response.into_parts();
        if parts.status == StatusCode::OK {
            let answer = Answer {
                status: parts.status,
                headers: parts.headers,
                body: Bytes::new(),
            };
            (answer, Some(Self { body }))
        } else {
            let body = body.collect().await.unwrap().to_bytes();
            let answer = Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            };
            (answer, None)
        }
    }

    /// The next frame as text (`None`: the stream ended).
    async fn next(&mut self) -> Option<String> {
        let frame = self.body.frame().await?.unwrap();
        Some(String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap())
    }

    /// The next event frame's seq and JSON, skipping comments.
    async fn next_event(&mut self) -> (u64, Value) {
        loop {
            let frame = self.next().await.expect("the stream ended");
            if frame.starts_with(':') {
                continue;
            }
            return parse_event(&frame);
        }
    }
}

/// `id: <seq>\ndata: <json>\n\n` -> (seq, JSON).
fn parse_event(frame: &str) -> (u64, Value) {
    let mut lines = frame.strip_suffix("\n\n").unwrap().lines();
    let id = lines.next().unwrap().strip_prefix("id: ").unwrap();
    let data = lines.next().unwrap().strip_prefix("data: ").unwrap();
    assert_eq!(lines.next(), None, "one line of data: {frame:?}");
    (id.parse().unwrap(), serde_json::from_str(data).unwrap())
}

async fn customer_writes(fixture: &Fixture, wamid: &str) {
    let customer = CustomerId::WaId("111".into());
    fixture
        .store
        .ingest(customer_message(wamid, &customer, Some("Kim")))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_stream_starts_at_the_end_or_where_asked_and_resumes_without_gaps() {
    let fixture = Fixture::new();
    customer_writes(&fixture, "w1").await; // 1 chat.opened, 2 message.received
    let (answer, stream) = Stream::open(&fixture, "/api/v1/events", &[]).await;
    assert_eq!(answer.headers[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-cache");
    let mut live = stream.unwrap();
    assert_eq!(live.next().await.unwrap(), ": waygate events after 2\n\n");
    customer_writes(&fixture, "w2").await;
    let (seq, event) = live.next_event().await;
    assert_eq!(seq, 3);
    assert_eq!(event["id"], "gw-test:3");
    assert_eq!(event["type"], "message.received");
    assert_eq!(event["chat_id"], 1);
    assert_eq!(event["data"]["wamid"], "w2");

    // From the start, and resumed after seq 1 (the header wins over the query).
    let (_, replay) = Stream::open(&fixture, "/api/v1/events?after=0", &[]).await;
    let mut replay = replay.unwrap();
    let seqs = [
        replay.next_event().await.0,
        replay.next_event().await.0,
        replay.next_event().await.0,
    ];
    assert_eq!(seqs, [1, 2, 3]);
    let (_, resumed) = Stream::open(
        &fixture,
        "/api/v1/events?after=0",
        &[("last-event-id", "1")],
    )
    .await;
    let mut resumed = resumed.unwrap();
    assert_eq!(
        resumed.next().await.unwrap(),
        ": waygate events after 1\n\n"
    );
    assert_eq!(resumed.next_event().await.0, 2);

    for bad in ["?after=x", "?after=-1"] {
        let (answer, _) = Stream::open(&fixture, &format!("/api/v1/events{bad}"), &[]).await;
        let message = answer.error(StatusCode::BAD_REQUEST);
        assert!(message.contains("sequence number"), "{message}");
    }
}

#[tokio::test]
async fn a_seq_past_the_end_is_reset_to_the_end() {
    let fixture = Fixture::new();
    customer_writes(&fixture, "w1").await;
    let (_, stream) = Stream::open(&fixture, "/api/v1/events", &[("last-event-id", "99")]).await;
    let mut stream = stream.unwrap();
    assert_eq!(
        stream.next().await.unwrap(),
        ": waygate events after 99\n\n"
    );
    let reset = stream.next().await.unwrap();
    assert_eq!(
        reset,
        "event: reset\ndata: {\"reason\":\"ahead\",\"requested_after\":99,\"resumes_after\":2}\n\n"
    );
    customer_writes(&fixture, "w2").await;
    assert_eq!(stream.next_event().await.0, 3);
}

#[tokio::test]
async fn streams_are_capped_and_a_closed_one_frees_its_slot() {
    let fixture = Fixture::new();
    let mut open = Vec::new();
    for _ in 0..MAX_STREAMS {
        let (_, stream) = Stream::open(&fixture, "/api/v1/events", &[]).await;
        let mut stream = stream.unwrap();
        stream.next().await.unwrap();
        open.push(stream);
    }
    let (answer, _) = Stream::open(&fixture, "/api/v1/events", &[]).await;
    let message = answer.error(StatusCode::SERVICE_UNAVAILABLE);
    assert!(message.contains("event streams are open"), "{message}");
    // A client goes away: its reader notices while it waits, and the slot is free again.
    drop(open.pop());
    wait_until(|| fixture.api.events.open() < MAX_STREAMS).await;
    let (answer, _) = Stream::open(&fixture, "/api/v1/events", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_at_its_buffer() {
    let fixture = Fixture::new();
    let (_, stream) = Stream::open(&fixture, "/api/v1/events", &[]).await;
    let mut stalled = stream.unwrap();
    // More events than the buffer holds (each frame is a few hundred bytes).
    let customer = CustomerId::WaId("111".into());
    let mut batch = crate::store::IngestBatch::default();
    for n in 0..BUFFER_BYTES / 200 {
        let message = customer_message(&format!("w{n}"), &customer, Some("Kim"));
        batch.events.extend(message.events);
    }
    fixture.store.ingest(batch).await.unwrap();
    // The reader gave up on the client: its slot is free.
    wait_until(|| fixture.api.events.open() == 0).await;
    let mut last = 0;
    let mut bytes = 0;
    while let Some(frame) = stalled.next().await {
        bytes += frame.len();
        if frame.starts_with("id: ") {
            last = parse_event(&frame).0;
        }
    }
    assert!(
        last > 0 && last < fixture.store.journal().last_seq(),
        "{last}"
    );
    assert!(bytes <= BUFFER_BYTES + 4096, "{bytes} bytes were held");
    // The gateway goes on: a new stream resumes where the old one stopped.
    let after = last.to_string();
    let (_, resumed) = Stream::open(
        &fixture,
        "/api/v1/events",
        &[("last-event-id", after.as_str())],
    )
    .await;
    assert_eq!(resumed.unwrap().next_event().await.0, last + 1);
}

#[tokio::test(start_paused = true)]
async fn a_quiet_stream_gets_a_keep_alive_and_ends_at_shutdown() {
    let fixture = Fixture::new();
    let (_, stream) = Stream::open(&fixture, "/api/v1/events", &[]).await;
    let mut stream = stream.unwrap();
    stream.next().await.unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(stream.next().await.unwrap(), ": keep-alive\n\n");
    assert!(started.elapsed() >= KEEP_ALIVE, "{:?}", started.elapsed());
    fixture.shutdown.cancel();
    let last = stream.next().await.unwrap();
    assert!(last.contains("shutting down"), "{last}");
    assert_eq!(stream.next().await, None, "the stream ends");
}

/// Polls `done` until it holds; fails the test after a generous deadline.
async fn wait_until(done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "never happened");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
