//! Batched payloads: several entries, changes, messages and statuses in one POST are all stored,
//! each exactly once, in an inbound log with increasing sequence numbers.
#![forbid(unsafe_code)]

use waygate_e2e::export::{check_messages_exactly_once, count_by_wamid, kind};
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};
use waygate_e2e::{Escaping, GatewayOptions, MetaSimulator, SignedWebhook};

/// 2 entries x 2 changes x 3 messages, plus 2 statuses per change, plus an account change.
fn big_batch(meta: &MetaSimulator, account_event: &str) -> SignedWebhook {
    let mut entries = Vec::new();
    for entry in 0..2 {
        let mut changes = Vec::new();
        for change in 0..2 {
            let messages: Vec<_> = (0..3)
                .map(|n| meta.text_message(&format!("entry {entry} change {change} message {n}")))
                .collect();
            let statuses = [
                meta.status(&meta.next_wamid(), "delivered"),
                meta.status(&meta.next_wamid(), "read"),
            ];
            changes.push(meta.messages_change(&messages, &statuses));
        }
        entries.push(changes);
    }
    entries.push(vec![meta.account_update_change(account_event)]);
    meta.sign_payload(&meta.payload(entries), Escaping::META)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_message_and_status_of_a_batch_is_stored_once() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    // Distinct account events: identical account events carry no id and may be deduplicated.
    let batches = [
        big_batch(&meta, "VERIFIED_ACCOUNT"),
        big_batch(&meta, "DISABLED_UPDATE"),
    ];
    let mut connection = must(gateway.connect_public().await);
    for batch in &batches {
        assert_eq!(batch.ids.messages.len(), 12);
        assert_eq!(batch.ids.statuses.len(), 8);
        assert_status(&must(connection.post_webhook(batch).await), 200, "batch");
    }
    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;

    let expected = batches
        .iter()
        .flat_map(|batch| batch.ids.messages.iter().map(String::as_str));
    if let Err(report) = check_messages_exactly_once(&records, expected) {
        panic!("{report}");
    }
    let statuses = count_by_wamid(&records, "status");
    for (wamid, status) in batches.iter().flat_map(|batch| batch.ids.statuses.iter()) {
        assert_eq!(
            statuses.get(wamid.as_str()),
            Some(&1),
            "status {status} of {wamid} not stored once"
        );
    }
    let accounts = records
        .iter()
        .filter(|record| kind(record) == "account")
        .count();
    assert_eq!(
        accounts, 2,
        "each batch's account_update change should be one account record"
    );
    assert_eq!(
        records.len(),
        2 * (12 + 8 + 1),
        "unexpected extra records: {records:#?}"
    );

    let seqs: Vec<u64> = records
        .iter()
        .filter_map(|record| record["seq"].as_u64())
        .collect();
    assert_eq!(seqs.len(), records.len(), "every record has a numeric seq");
    assert!(
        seqs.windows(2).all(|pair| pair[0] < pair[1]),
        "seq must increase: {seqs:?}"
    );
    let first_batch: Vec<&str> = batches[0].ids.messages.iter().map(String::as_str).collect();
    let exported_order: Vec<&str> = records
        .iter()
        .filter(|record| kind(record) == "message")
        .filter_map(|record| record["wamid"].as_str())
        .take(first_batch.len())
        .collect();
    assert_eq!(
        exported_order, first_batch,
        "messages keep their payload order"
    );
}
