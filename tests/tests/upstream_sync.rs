//! The sync to headquarters end to end, with the real binary and the simulated HQ:
//!
//! - **Outage**: HQ down while 2,000 webhooks across 50 chats arrive, with accepts, replies and
//!   a timed close; the backlog gauge rises; HQ back up: it ends with every event, each chat's
//!   in order, no gap in the sequence, any duplicate the same; the gauge falls to 0.
//! - **Kill -9** while a batch is in flight: after the restart the batch comes again with the
//!   same `webhook-id` and the same event ids, and the rest follows.
//! - **Rejection**: a 400 dead-letters one batch, later batches still arrive, `waygate status`
//!   exits 1 naming it; retried by the API, it arrives and the status is healthy again.
//! - **Gone**: a 410 stops the sync with an alert (log, status, metric).
//! - **Clock**: HQ's clock 2 hours ahead of the box: nothing is signed before the offset from
//!   HQ's `Date` is applied (every delivery verifies), and the offset shows in `/metrics`.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use waygate_e2e::conversation::{reply, text};
use waygate_e2e::delivery::deliver;
use waygate_e2e::hq::{Event, Hq, Received};
use waygate_e2e::metrics::{scrape, value};
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::must;
use waygate_e2e::synced::{
    act, chat_of, customer_phone, start_synced, status_json, sync_deadline, text_from,
    upstream_backlog, wait_backlog_empty,
};
use waygate_e2e::{Gateway, SignedWebhook};

const WEBHOOKS: usize = 2_000;
const CHATS: usize = 50;
const CONNECTIONS: usize = 16;

fn hq_holds_every_event(hq: &Hq, gateway: &Gateway) -> Received {
    let received = hq.received();
    let events = received.events();
    let last = events.last().map_or(0, |event| event.seq);
    assert_eq!(
        received.sequence_gaps(),
        Vec::new(),
        "HQ's events have gaps\n{}",
        gateway.logs()
    );
    assert_eq!(
        u64::try_from(events.len()).unwrap_or(0),
        last,
        "HQ holds every seq from 1"
    );
    assert_eq!(received.changed_duplicates(), Vec::<String>::new());
    assert!(
        received.chat_order_violations().is_empty(),
        "{:?}",
        received.chat_order_violations()
    );
    assert!(received.unverified().is_empty(), "an unverified delivery");
    received
}

fn count(events: &[Event], kind: &str) -> usize {
    events.iter().filter(|event| event.kind == kind).count()
}

async fn deliver_all(gateway: &Gateway, webhooks: Vec<Arc<SignedWebhook>>) {
    let total = webhooks.len();
    let outcome = deliver(
        &must(gateway.public_endpoint()),
        CONNECTIONS,
        webhooks,
        None,
    )
    .await;
    assert_eq!(outcome.acked.len(), total, "{:?}", outcome.first_errors);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_an_outage_hq_holds_every_event_in_order_without_gaps() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "[chat]\nidle_close_seconds = 60\n").await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    // The clock is measured while HQ is up; then it goes down.
    must(
        hq.wait_until(sync_deadline(), "the clock probe", |received| {
            received.probes > 0
        })
        .await,
    );
    hq.down();

    // The chat that closes on its timer: accepted first, idle for 60 s while HQ is down.
    let idle_phone = customer_phone(9_999);
    deliver_all(&gateway, vec![text_from(&gateway, &idle_phone, "hello?")]).await;
    let idle_chat = chat_of(&mut api, &token, &idle_phone).await;
    act(&mut api, &token, idle_chat, "accept").await;
    let accepted_at = Instant::now();

    let webhooks = (0..WEBHOOKS)
        .map(|n| {
            text_from(
                &gateway,
                &customer_phone(n % CHATS),
                &format!("message {n}"),
            )
        })
        .collect();
    deliver_all(&gateway, webhooks).await;
    for index in 0..10 {
        let chat = chat_of(&mut api, &token, &customer_phone(index)).await;
        act(&mut api, &token, chat, "accept").await;
        if index < 5 {
            let answer = reply(&mut api, &token, chat, text("on its way")).await;
            assert_eq!(answer.status, 202, "{}", answer.text());
        }
    }
    let path = format!("/api/v1/chats/{idle_chat}");
    loop {
        let chat = json_of(
            &call(&mut api, Method::GET, &path, Some(&token), None).await,
            200,
            &path,
        );
        if chat["chat"]["state"] == "closed" {
            assert_eq!(chat["chat"]["reason"], "idle");
            break;
        }
        assert!(
            accepted_at.elapsed() < sync_deadline(),
            "the idle chat never closed: {chat}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let backlog = upstream_backlog(&gateway).await;
    assert!(
        backlog >= (WEBHOOKS + CHATS) as f64,
        "the backlog gauge rose while HQ was down: {backlog}"
    );
    let samples = scrape(&gateway).await;
    assert!(
        value(
            &samples,
            "waygate_outbox_oldest_age_seconds",
            Some(("outbox", "upstream"))
        ) > 0.0
    );
    assert!(
        value(
            &samples,
            "waygate_upstream_batches_total",
            Some(("result", "retried"))
        ) >= 1.0
    );
    let (code, report) = status_json(&gateway).await;
    assert_eq!(
        report["upstream"]["sync"]["sink"]["state"], "retrying",
        "{report}"
    );
    assert!(
        report["upstream"]["waiting"]
            .as_str()
            .is_some_and(|why| why.contains("retrying since"))
    );
    assert_eq!(code, Some(0), "a young backlog is not a problem: {report}");

    hq.up();
    let drained = wait_backlog_empty(&gateway).await;
    eprintln!("outage: the backlog drained {drained:?} after HQ came back");
    let received = hq_holds_every_event(&hq, &gateway);
    let events = received.events();
    assert_eq!(count(&events, "message.received"), WEBHOOKS + 1);
    assert_eq!(count(&events, "chat.opened"), CHATS + 1);
    assert!(count(&events, "chat.accepted") >= 11);
    assert_eq!(count(&events, "message.queued"), 5);
    let closes: Vec<&Event> = events
        .iter()
        .filter(|event| event.kind == "chat.closed")
        .collect();
    assert!(
        closes
            .iter()
            .any(|event| event.chat_id == Some(idle_chat) && event.data["reason"] == "idle"),
        "{closes:?}"
    );
    // Each chat's story starts with its opening.
    let mut first: BTreeMap<u64, &str> = BTreeMap::new();
    for event in &events {
        if let Some(chat) = event.chat_id {
            first.entry(chat).or_insert(event.kind.as_str());
        }
    }
    assert!(
        first.values().all(|kind| *kind == "chat.opened"),
        "{first:?}"
    );
    let samples = scrape(&gateway).await;
    assert_eq!(
        value(
            &samples,
            "waygate_outbox_oldest_age_seconds",
            Some(("outbox", "upstream"))
        ),
        0.0
    );
    assert!(
        value(&samples, "waygate_upstream_events_acknowledged_total", None)
            >= (WEBHOOKS + CHATS) as f64
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_in_flight_at_a_kill9_comes_again_whole_after_the_restart() {
    let hq = must(Hq::start().await);
    let mut gateway = start_synced(&hq, "max_batch_events = 50\n").await;
    hq.slow(Duration::from_secs(30));
    let webhooks: Vec<_> = (0..200)
        .map(|n| text_from(&gateway, &customer_phone(n % 20), &format!("before {n}")))
        .collect();
    deliver_all(&gateway, webhooks).await;
    must(
        hq.wait_until(sync_deadline(), "a batch in flight", |received| {
            !received.deliveries().is_empty()
        })
        .await,
    );
    must(gateway.kill9().await);
    let in_flight = hq.deliveries()[0].clone();
    let id = in_flight.webhook_id.clone().unwrap_or_default();
    let ids: Vec<String> = in_flight
        .events()
        .iter()
        .map(|event| event.id.clone())
        .collect();
    assert!(!ids.is_empty(), "the batch in flight carried events");

    hq.up();
    must(gateway.restart().await);
    let more: Vec<_> = (0..100)
        .map(|n| text_from(&gateway, &customer_phone(n % 20), &format!("after {n}")))
        .collect();
    deliver_all(&gateway, more).await;
    wait_backlog_empty(&gateway).await;
    let received = hq_holds_every_event(&hq, &gateway);
    let again = received.deliveries_of(&id);
    assert!(again.len() >= 2, "batch {id} was not delivered again");
    for delivery in &again {
        let redelivered: Vec<&str> = delivery
            .events()
            .iter()
            .map(|event| event.id.as_str())
            .collect();
        assert_eq!(redelivered, ids, "batch {id} changed");
    }
    assert_eq!(count(&received.events(), "message.received"), 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_batch_is_dead_lettered_the_sync_goes_on_and_status_says_so() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "").await;
    hq.reject_next(1, 400);
    deliver_all(
        &gateway,
        vec![text_from(&gateway, &customer_phone(1), "first")],
    )
    .await;
    must(
        hq.wait_until(sync_deadline(), "the rejected batch", |received| {
            received
                .deliveries()
                .iter()
                .any(|delivery| delivery.status == 400)
        })
        .await,
    );
    deliver_all(
        &gateway,
        vec![text_from(&gateway, &customer_phone(2), "second")],
    )
    .await;
    wait_backlog_empty(&gateway).await;
    let rejected = hq
        .deliveries()
        .into_iter()
        .find(|delivery| delivery.status == 400)
        .unwrap_or_else(|| panic!("no rejected delivery"));
    let later = hq.events();
    assert!(
        later
            .iter()
            .any(|event| event.data["from"] == customer_phone(2)),
        "the later batch arrived: {later:?}"
    );
    assert!(
        later
            .iter()
            .all(|event| !rejected.events().iter().any(|dead| dead.id == event.id))
    );

    let (code, report) = status_json(&gateway).await;
    assert_eq!(code, Some(1), "dead-lettering is unhealthy: {report}");
    assert_eq!(report["upstream"]["dead_batch_count"], 1);
    let first = report["upstream"]["dead_batches"][0]["first"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(report["upstream"]["dead_batches"][0]["status"], 400);
    assert!(
        report["problems"]
            .as_array()
            .is_some_and(|problems| problems.iter().any(|problem| problem
                .as_str()
                .is_some_and(|text| text.contains("dead letters")))),
        "{report}"
    );
    let text = must(gateway.status(&[]).await);
    assert!(String::from_utf8_lossy(&text.stdout).contains("1 dead-lettered batches"));
    assert!(gateway.logs().contains("headquarters refused a batch"));
    let samples = scrape(&gateway).await;
    assert_eq!(value(&samples, "waygate_upstream_dead_batches", None), 1.0);
    assert_eq!(
        value(
            &samples,
            "waygate_upstream_batches_total",
            Some(("result", "dead_lettered"))
        ),
        1.0
    );

    // Retried by the API, it arrives; the gateway is healthy again.
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);
    let path = format!("/api/v1/upstream/dead-batches/{first}/retry");
    json_of(
        &call(&mut api, Method::POST, &path, Some(&token), None).await,
        202,
        &path,
    );
    let missing = json_of(
        &call(&mut api, Method::POST, &path, Some(&token), None).await,
        404,
        &path,
    );
    assert!(
        missing["error"]
            .as_str()
            .is_some_and(|error| error.contains("no dead-lettered batch"))
    );
    must(
        hq.wait_until(sync_deadline(), "the retried batch", |received| {
            received.event_count() >= rejected.events().len() + later.len()
        })
        .await,
    );
    hq_holds_every_event(&hq, &gateway);
    let (code, report) = status_json(&gateway).await;
    assert_eq!(code, Some(0), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_stops_the_sync_with_an_alert() {
    let hq = must(Hq::start().await);
    let gateway = start_synced(&hq, "").await;
    hq.gone();
    deliver_all(
        &gateway,
        vec![text_from(&gateway, &customer_phone(1), "hi")],
    )
    .await;
    let started = Instant::now();
    let report = loop {
        let (code, report) = status_json(&gateway).await;
        if report["upstream"]["sync"]["sink"]["state"] == "gone" {
            assert_eq!(code, Some(1), "{report}");
            break report;
        }
        assert!(started.elapsed() < sync_deadline(), "never gone: {report}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        report["upstream"]["waiting"]
            .as_str()
            .is_some_and(|why| why.contains("410")),
        "{report}"
    );
    assert!(gateway.logs().contains("headquarters answered 410 Gone"));
    let posted = hq.deliveries().len();
    deliver_all(
        &gateway,
        vec![text_from(&gateway, &customer_phone(2), "still here")],
    )
    .await;
    let samples = scrape(&gateway).await;
    assert_eq!(
        value(
            &samples,
            "waygate_upstream_batches_total",
            Some(("result", "gone"))
        ),
        1.0
    );
    assert!(upstream_backlog(&gateway).await >= 2.0, "events are kept");
    assert_eq!(hq.deliveries().len(), posted, "nothing more was posted");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_hq_two_hours_ahead_nothing_is_signed_before_the_offset() {
    let hq = must(Hq::start().await);
    hq.set_clock_ahead(2 * 3_600);
    let gateway = start_synced(&hq, "").await;
    let webhooks = (0..20)
        .map(|n| text_from(&gateway, &customer_phone(n), "hi"))
        .collect();
    deliver_all(&gateway, webhooks).await;
    wait_backlog_empty(&gateway).await;
    let received = hq_holds_every_event(&hq, &gateway);
    assert!(received.probes >= 1, "the clock was probed");
    assert!(
        received
            .deliveries()
            .iter()
            .all(|delivery| delivery.verified.is_ok())
    );
    let samples = scrape(&gateway).await;
    let offset = value(&samples, "waygate_upstream_clock_offset_seconds", None);
    assert!((7_190.0..=7_210.0).contains(&offset), "offset {offset}");
    let (_, report) = status_json(&gateway).await;
    let offset_ms = report["upstream"]["sync"]["clock_offset_ms"]
        .as_i64()
        .unwrap_or(0);
    assert!((7_190_000..=7_210_000).contains(&offset_ms), "{report}");
}
