//! The simulated headquarters on its own, driven by a small Standard Webhooks client written
//! here: a signed batch is verified and recorded, an unsigned, forged or stale one is 401 and
//! recorded with why, scripted failures and 410 are answered with their headers, every answer
//! carries a Date, down closes connections and up reopens the same port, and a commands poll is
//! held until a command is queued, signed (or not, or stale) as scripted.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::Method;
use ring::hmac;
use serde_json::{Value, json};
use waygate_e2e::hq::{AnswerSigning, Hq, Unverified};
use waygate_e2e::suite::must;
use waygate_e2e::{Endpoint, HttpConnection, HttpReply};

const DEADLINE: Duration = Duration::from_secs(10);

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The test's own signer: the key is the base64 after `whsec_`; the signature the base64
/// HMAC-SHA256 of `<id>.<timestamp>.<body>`.
fn signature(secret: &str, id: &str, timestamp: u64, body: &[u8]) -> String {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key_bytes = STANDARD.decode(encoded).unwrap_or_else(|_| secret.into());
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("v1,{}", STANDARD.encode(hmac::sign(&key, &signed)))
}

/// A batch of `events` (seq, chat) from gateway `gw`.
fn batch(events: &[(u64, Option<u64>)]) -> Bytes {
    let events: Vec<Value> = events
        .iter()
        .map(|(seq, chat_id)| {
            json!({"id": format!("gw:{seq}"), "seq": seq, "type": "message.received",
                   "at": "2026-03-01T10:00:00Z", "chat_id": chat_id, "data": {"text": "hi"}})
        })
        .collect();
    Bytes::from(json!({"gateway_id": "gw", "events": events}).to_string())
}

async fn connect(hq: &Hq) -> HttpConnection {
    let endpoint = Endpoint {
        addr: hq.address(),
        tls: None,
    };
    must(endpoint.connect().await)
}

/// Posts `body` to HQ's batches path with the given webhook headers.
async fn post(hq: &Hq, headers: &[(&str, &str)], body: Bytes) -> HttpReply {
    let mut connection = connect(hq).await;
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    must(
        connection
            .request(Method::POST, "/batches", &all, body)
            .await,
    )
}

/// Posts `body` signed with HQ's secret as `id`, at `timestamp`.
async fn post_signed(hq: &Hq, id: &str, timestamp: u64, body: Bytes) -> HttpReply {
    let signed = signature(hq.secret(), id, timestamp, &body);
    let timestamp = timestamp.to_string();
    let headers = [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp.as_str()),
        ("webhook-signature", signed.as_str()),
    ];
    post(hq, &headers, body).await
}

fn assert_dated(reply: &HttpReply) {
    let date = reply
        .header("date")
        .unwrap_or_else(|| panic!("no Date: {reply:?}"));
    let at = httpdate::parse_http_date(date).unwrap_or_else(|error| panic!("{date}: {error}"));
    let skew = at
        .duration_since(SystemTime::now() - Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("Date {date} is in the past"));
    assert!(skew < Duration::from_secs(10), "Date {date} is off");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_batch_is_verified_recorded_and_a_redelivery_keeps_its_id() {
    let hq = must(Hq::start().await);
    assert!(hq.secret().starts_with("whsec_"));
    assert_eq!(hq.batches_url(), format!("http://{}/batches", hq.address()));
    assert!(hq.config_toml().contains(&hq.commands_url()));
    let body = batch(&[(1, Some(7)), (2, Some(7)), (3, None)]);
    let reply = post_signed(&hq, "gw:1-3", unix_now(), body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_dated(&reply);
    must(hq.wait_for_events(3, DEADLINE).await);

    // The acknowledgement was lost: the same batch again, with a new timestamp.
    let again = post_signed(&hq, "gw:1-3", unix_now() + 1, body).await;
    assert_eq!(again.status, 200);
    let received = hq.received();
    let deliveries = received.deliveries_of("gw:1-3");
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|delivery| delivery.verified.is_ok()));
    assert_eq!(deliveries[0].events(), deliveries[1].events());
    let gateway_id = deliveries[0]
        .batch
        .as_ref()
        .map(|batch| batch.gateway_id.as_str());
    assert_eq!(gateway_id, Some("gw"));
    assert_eq!(received.event_count(), 3);
    assert_eq!(received.duplicates(), 3);
    assert!(received.changed_duplicates().is_empty());
    assert!(received.sequence_gaps().is_empty());
    assert!(received.chat_order_violations().is_empty());
    let events = hq.events();
    assert_eq!(events[1].kind, "message.received");
    assert_eq!((events[1].seq, events[1].chat_id), (2, Some(7)));
    assert_eq!(events[1].data["text"], "hi");

    let later = post_signed(&hq, "gw:5-5", unix_now(), batch(&[(5, Some(7))])).await;
    assert_eq!(later.status, 200);
    assert_eq!(hq.received().sequence_gaps(), [4..=4]);
}

#[tokio::test(flavor = "multi_thread")]
async fn unsigned_forged_and_stale_batches_are_401_and_recorded_with_why() {
    let hq = must(Hq::start().await);
    let body = batch(&[(1, Some(1))]);
    let now = unix_now();
    let unsigned = post(&hq, &[], body.clone()).await;
    assert_eq!(unsigned.status, 401);
    assert_dated(&unsigned);

    let forged = signature("whsec_c29tZW9uZSBlbHNl", "gw:1-1", now, &body);
    let timestamp = now.to_string();
    let headers = [
        ("webhook-id", "gw:1-1"),
        ("webhook-timestamp", timestamp.as_str()),
        ("webhook-signature", forged.as_str()),
    ];
    assert_eq!(post(&hq, &headers, body.clone()).await.status, 401);

    let hours_behind = now - 2 * 3600;
    let stale = post_signed(&hq, "gw:1-1", hours_behind, body.clone()).await;
    assert_eq!(stale.status, 401);
    let ahead = post_signed(&hq, "gw:1-1", now + 301, body.clone()).await;
    assert_eq!(ahead.status, 401);

    let received = hq.received();
    let why: Vec<Unverified> = received
        .unverified()
        .iter()
        .filter_map(|delivery| delivery.verified.clone().err())
        .collect();
    assert_eq!(why[0], Unverified::Missing("webhook-id"));
    assert_eq!(why[1], Unverified::Mismatch);
    assert!(
        matches!(why[2], Unverified::Stale { skew_s } if (7_195..=7_205).contains(&skew_s)),
        "{:?}",
        why[2]
    );
    assert!(
        matches!(why[3], Unverified::Stale { skew_s } if skew_s < -300),
        "{:?}",
        why[3]
    );
    assert!(
        received
            .deliveries()
            .iter()
            .all(|delivery| delivery.status == 401)
    );
    assert_eq!(received.event_count(), 0, "nothing unverified is held");
}

#[tokio::test(flavor = "multi_thread")]
async fn scripted_failures_rejections_and_gone_are_answered_with_their_headers() {
    let hq = must(Hq::start().await);
    let send = |seq: u64| {
        let hq = &hq;
        async move {
            let id = format!("gw:{seq}-{seq}");
            post_signed(hq, &id, unix_now(), batch(&[(seq, None)])).await
        }
    };
    hq.reject_next(1, 400);
    assert_eq!(send(1).await.status, 400);
    assert_eq!(send(2).await.status, 200, "one rejection, then up");

    hq.failing(503, Some(7));
    let unavailable = send(3).await;
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.header("retry-after"), Some("7"));
    assert_dated(&unavailable);
    assert_eq!(send(3).await.status, 503, "until changed");
    hq.failing_next(1, 429, Some(2));
    let slow_down = send(3).await;
    assert_eq!(
        (slow_down.status.as_u16(), slow_down.header("retry-after")),
        (429, Some("2"))
    );

    hq.up();
    assert_eq!(send(3).await.status, 200);
    hq.slow(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(send(4).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    hq.gone();
    let gone = send(5).await;
    assert_eq!(gone.status, 410);
    assert_dated(&gone);
    let mut connection = connect(&hq).await;
    let probe = must(
        connection
            .request(Method::HEAD, "/batches", &[], Bytes::new())
            .await,
    );
    assert_eq!(probe.status, 410);
    assert_dated(&probe);

    let received = hq.received();
    let statuses: Vec<u16> = received.deliveries().iter().map(|d| d.status).collect();
    assert_eq!(statuses, [400, 200, 503, 503, 429, 200, 200, 410]);
    assert_eq!(
        received.event_count(),
        3,
        "seq 2, 3 and 4 were acknowledged"
    );
    assert_eq!(received.probes, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clock_probe_gets_a_date_and_down_closes_connections_until_up() {
    let hq = must(Hq::start().await);
    let mut connection = connect(&hq).await;
    for method in [Method::HEAD, Method::GET] {
        let probe = must(
            connection
                .request(method, "/batches", &[], Bytes::new())
                .await,
        );
        assert_eq!(probe.status, 200);
        assert_dated(&probe);
    }

    hq.down();
    // The open connection is cut, and a new one is closed unanswered.
    assert!(connection.get("/batches").await.is_err());
    let endpoint = Endpoint {
        addr: hq.address(),
        tls: None,
    };
    let refused = match endpoint.connect().await {
        Ok(mut fresh) => fresh.get("/batches").await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a connection while down gets no answer");

    hq.up();
    let body = batch(&[(1, None)]);
    assert_eq!(
        post_signed(&hq, "gw:1-1", unix_now(), body).await.status,
        200
    );
    assert_eq!(hq.received().probes, 2);
}

/// Polls HQ's commands: the reply, and its commands' ids.
async fn poll(hq: &Hq, query: &str) -> (HttpReply, Vec<String>) {
    let mut connection = connect(hq).await;
    let reply = must(connection.get(&format!("/commands?{query}")).await);
    let answer: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    let ids = answer["commands"]
        .as_array()
        .map(|commands| {
            commands
                .iter()
                .filter_map(|command| command["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (reply, ids)
}

/// Checks a commands answer's signature with the test's own signer.
fn signed_by(hq: &Hq, reply: &HttpReply) -> Option<u64> {
    let id = reply.header("webhook-id")?;
    let timestamp: u64 = reply.header("webhook-timestamp")?.parse().ok()?;
    let expected = signature(hq.secret(), id, timestamp, &reply.body);
    (reply.header("webhook-signature") == Some(expected.as_str())).then_some(timestamp)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_poll_answers_early_when_a_command_is_queued_signed_as_scripted() {
    let hq = must(Hq::start().await);
    let (empty, ids) = poll(&hq, "gateway_id=gw&wait=0").await;
    assert_eq!(empty.status, 200);
    assert!(ids.is_empty());
    assert!(signed_by(&hq, &empty).is_some(), "{:?}", empty.headers);
    assert_dated(&empty);

    let held = {
        let hq = &hq;
        async move {
            let started = Instant::now();
            let (reply, ids) = poll(hq, "gateway_id=gw&after=&wait=30").await;
            (reply, ids, started.elapsed())
        }
    };
    let push = async {
        must(
            hq.wait_until(DEADLINE, "a held poll", |received| {
                received.polls_started >= 2
            })
            .await,
        );
        hq.push_command(json!({"type": "accept", "chat_id": 3}))
    };
    let ((reply, ids, waited), pushed) = tokio::join!(held, push);
    assert_eq!(pushed, "c1");
    assert_eq!(ids, ["c1"]);
    assert!(
        waited < Duration::from_secs(10),
        "answered early: {waited:?}"
    );
    let signed_at = signed_by(&hq, &reply).unwrap_or_else(|| panic!("{:?}", reply.headers));
    assert!(signed_at.abs_diff(unix_now()) <= 5);

    assert_eq!(
        hq.push_command(json!({"id": "hq-2", "type": "close"})),
        "hq-2"
    );
    let (_, after_first) = poll(&hq, "gateway_id=gw&after=c1&wait=0").await;
    assert_eq!(after_first, ["hq-2"]);

    hq.push_duplicate();
    let (_, replayed) = poll(&hq, "gateway_id=gw&after=hq-2&wait=5").await;
    assert_eq!(replayed, ["c1", "hq-2"], "the same commands again");

    hq.unsigned_next();
    let (unsigned, _) = poll(&hq, "gateway_id=gw&after=hq-2&wait=0").await;
    assert!(unsigned.header("webhook-signature").is_none());
    assert!(unsigned.header("webhook-id").is_none());

    hq.stale_next();
    let (stale, _) = poll(&hq, "gateway_id=gw&after=hq-2&wait=0").await;
    let stale_at = signed_by(&hq, &stale).unwrap_or_else(|| panic!("{:?}", stale.headers));
    assert!((595..=605).contains(&(unix_now() - stale_at)), "{stale_at}");

    let requests = hq.commands_requests();
    let signing: Vec<AnswerSigning> = requests.iter().map(|request| request.signing).collect();
    use AnswerSigning::{Signed, Stale, Unsigned};
    assert_eq!(signing, [Signed, Signed, Signed, Signed, Unsigned, Stale]);
    assert_eq!(requests[1].after.as_deref(), Some(""));
    assert_eq!(requests[1].wait.as_deref(), Some("30"));
    assert_eq!(requests[2].gateway_id.as_deref(), Some("gw"));
    assert_eq!(requests[3].served, ["c1", "hq-2"]);
    assert_eq!(requests[1].webhook_id, "cmd-2");
}
