//! Kill -9 under load: at least 5,000 unique webhooks over at least 32 keep-alive connections;
//! SIGKILL twice part-way through (after a random number of acknowledgements), restart, re-send
//! what was not acknowledged (as Meta would), finish, stop, export. Every webhook answered 200 is
//! in the export exactly once and no message appears twice at all.
//!
//! `WAYGATE_E2E_SCALE` scales the webhook count; `WAYGATE_E2E_KILL_AT=1500,3200` fixes the kill
//! points (cumulative acknowledgements) to replay a failure.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Notify;
use waygate_e2e::delivery::{AckTrigger, DeliveryOutcome, deliver};
use waygate_e2e::export::check_messages_exactly_once;
use waygate_e2e::knobs::{operation_deadline, scaled};
use waygate_e2e::random::random_in;
use waygate_e2e::suite::{must, start, stop_and_export};
use waygate_e2e::{Gateway, GatewayOptions, SignedWebhook};

const CONNECTIONS: usize = 32;
const WEBHOOKS: usize = 5_000;

/// Kill points as cumulative acknowledgement counts, increasing, all below `total`.
fn kill_points(total: usize) -> Vec<usize> {
    if let Ok(text) = std::env::var("WAYGATE_E2E_KILL_AT") {
        let points: Vec<usize> = text
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        assert!(
            points.windows(2).all(|pair| pair[0] < pair[1]) && points.iter().all(|p| *p < total),
            "WAYGATE_E2E_KILL_AT must be increasing and below {total}: {text}"
        );
        return points;
    }
    // Between 20% and 40%, then between 55% and 80% of the total (1,000..2,000 and
    // 2,750..4,000 at the default 5,000).
    let first = random_in(total / 5, total * 2 / 5);
    let second = random_in(total * 11 / 20, total * 4 / 5).max(first + 1);
    vec![first, second]
}

/// Delivers `pending` until `kill_at` more acknowledgements have arrived, then SIGKILLs.
async fn deliver_then_kill(
    gateway: &mut Gateway,
    pending: Vec<Arc<SignedWebhook>>,
    kill_after: usize,
) -> DeliveryOutcome {
    let reached = Arc::new(Notify::new());
    let trigger = AckTrigger {
        at: kill_after,
        reached: Arc::clone(&reached),
    };
    let endpoint = must(gateway.public_endpoint());
    let delivery =
        tokio::spawn(async move { deliver(&endpoint, CONNECTIONS, pending, Some(trigger)).await });
    let fired = tokio::time::timeout(operation_deadline() * 5, reached.notified()).await;
    assert!(
        fired.is_ok(),
        "the kill point ({kill_after} more acks) was never reached\n{}",
        gateway.logs()
    );
    must(gateway.kill9().await);
    let outcome = must(tokio::time::timeout(operation_deadline(), delivery).await);
    must(outcome)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_webhook_survives_two_kill9s_under_load() {
    let total = scaled(WEBHOOKS);
    let points = kill_points(total);
    eprintln!(
        "kill -9 test: {total} webhooks, {CONNECTIONS} connections, kill points {points:?} (WAYGATE_E2E_KILL_AT to replay)"
    );
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let all: Vec<Arc<SignedWebhook>> = (0..total)
        .map(|n| Arc::new(meta.text_webhook(&format!("kill test message {n} / café"))))
        .collect();

    let mut acked: Vec<Arc<SignedWebhook>> = Vec::new();
    let mut pending = all.clone();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for point in &points {
        let kill_after = point.saturating_sub(acked.len()).max(1);
        let outcome = deliver_then_kill(&mut gateway, pending, kill_after).await;
        eprintln!(
            "killed after {} acknowledgements in this phase; {} to re-send; transport errors {} {:?}",
            outcome.acked.len(),
            outcome.unacked.len(),
            outcome.transport_errors,
            outcome.first_errors
        );
        for (status, count) in &outcome.other_statuses {
            *statuses.entry(*status).or_insert(0) += count;
        }
        acked.extend(outcome.acked);
        pending = outcome.unacked;
        must(gateway.restart().await);
    }

    // Finish: re-send the unacknowledged ones until all are acknowledged (a few rounds at most).
    for round in 0..5 {
        if pending.is_empty() {
            break;
        }
        let endpoint = must(gateway.public_endpoint());
        let outcome = deliver(&endpoint, CONNECTIONS, pending, None).await;
        for (status, count) in &outcome.other_statuses {
            *statuses.entry(*status).or_insert(0) += count;
        }
        assert!(
            outcome.transport_errors == 0 || round < 4,
            "transport errors against a running gateway: {:?}",
            outcome.first_errors
        );
        acked.extend(outcome.acked);
        pending = outcome.unacked;
    }
    assert!(
        pending.is_empty(),
        "{} webhooks were never acknowledged; statuses {statuses:?}",
        pending.len()
    );
    assert!(
        statuses.is_empty(),
        "valid signed webhooks got non-200 answers: {statuses:?}"
    );

    // Checked before anything acknowledged is sent again, so a re-delivery cannot mask a loss.
    let records = stop_and_export(&mut gateway, &[]).await;
    assert_eq!(
        acked.len(),
        total,
        "each webhook is acknowledged once by the harness"
    );
    if let Err(report) =
        check_messages_exactly_once(&records, acked.iter().map(|webhook| webhook.wamid()))
    {
        panic!("kill points {points:?}: {report}");
    }
    assert_eq!(
        records.len(),
        total,
        "the export holds exactly the {total} messages"
    );
    // The chats were routed in the same transactions: across the crashes, every stored message
    // is counted in exactly one chat, and no customer has two open chats.
    let chats = must(gateway.export(&["--chats"]).await);
    let counted: u64 = chats
        .iter()
        .map(|chat| chat["messages"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(counted, total as u64, "messages counted in chats");
    let mut open_customers: Vec<&str> = chats
        .iter()
        .filter(|chat| chat["state"] != "closed")
        .filter_map(|chat| chat["customer"].as_str())
        .collect();
    let open = open_customers.len();
    open_customers.sort_unstable();
    open_customers.dedup();
    assert_eq!(
        open,
        open_customers.len(),
        "one open chat per customer at most"
    );

    // Meta also re-delivers acknowledged webhooks (up to 7 days): after the crashes and
    // restarts, a sample of them is answered 200 and still stored once.
    must(gateway.restart().await);
    let endpoint = must(gateway.public_endpoint());
    let resend: Vec<_> = acked.iter().step_by(50).cloned().collect();
    let outcome = deliver(&endpoint, CONNECTIONS, resend, None).await;
    assert!(
        outcome.unacked.is_empty(),
        "re-delivered duplicates were not answered 200: {:?}",
        outcome.other_statuses
    );
    let records = stop_and_export(&mut gateway, &[]).await;
    if let Err(report) =
        check_messages_exactly_once(&records, acked.iter().map(|webhook| webhook.wamid()))
    {
        panic!("after re-delivering acknowledged webhooks: {report}");
    }
    assert_eq!(records.len(), total, "re-deliveries added nothing");
}
