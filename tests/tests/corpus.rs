//! Real third-party payloads: every webhook payload of the shared corpus, signed, gets 200 and
//! its message and status ids reach the export; the corpus's signature vectors verify.
#![forbid(unsafe_code)]

use bytes::Bytes;
use std::collections::BTreeSet;
use waygate_e2e::corpus::{signature_vectors, webhook_payloads};

use serde_json::{Value, json};
use waygate_e2e::export::{count_by_wamid, strings_in};
use waygate_e2e::meta::payload::payload_ids;
use waygate_e2e::suite::{must, start, stop_and_export};
use waygate_e2e::{GatewayOptions, Secret};

#[tokio::test(flavor = "multi_thread")]
async fn every_corpus_payload_signed_gets_200_and_is_exported() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let payloads = must(webhook_payloads());
    let mut connection = must(gateway.connect_public().await);
    let mut failures = Vec::new();
    let mut expected: Vec<(String, bool, String)> = Vec::new();
    for payload in &payloads {
        let webhook = meta.sign_bytes(Bytes::from(payload.body.clone()));
        let reply = match connection.post_webhook(&webhook).await {
            Ok(reply) => reply,
            Err(error) => {
                failures.push(format!("{}: {error}", payload.name));
                connection = must(gateway.connect_public().await);
                continue;
            }
        };
        if reply.status.as_u16() != 200 {
            failures.push(format!(
                "{}: {} {:?}",
                payload.name,
                reply.status,
                reply.text()
            ));
            continue;
        }
        if let Ok(value) = serde_json::from_slice::<Value>(&payload.body) {
            for change in changes(&value) {
                let ids = payload_ids(&envelope_of(change));
                // Only `messages` changes are decoded into message and status records; other
                // fields (calls, ...) may be kept raw, but must be kept.
                let strict = change["field"] == "messages";
                let all = ids
                    .messages
                    .into_iter()
                    .chain(ids.statuses.into_iter().map(|(id, _)| id));
                expected.extend(all.map(|id| (id, strict, payload.name.clone())));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus payloads were not answered 200:\n{}",
        failures.len(),
        payloads.len(),
        failures.join("\n")
    );
    drop(connection);

    let records = stop_and_export(&mut gateway, &[]).await;
    let messages = count_by_wamid(&records, "message");
    let record_ids: BTreeSet<&str> = records
        .iter()
        .filter_map(|record| record["wamid"].as_str())
        .collect();
    let kept_strings: BTreeSet<&str> = records.iter().flat_map(strings_in).collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|(id, strict, _)| {
            !record_ids.contains(id.as_str()) && (*strict || !kept_strings.contains(id.as_str()))
        })
        .map(|(id, strict, name)| {
            let how = if *strict {
                "as a record's wamid"
            } else {
                "anywhere"
            };
            format!("{id} from {name} ({how})")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} corpus ids missing from the export:\n{}",
        missing.len(),
        missing.join("\n")
    );
    let duplicated: Vec<_> = messages.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        duplicated.is_empty(),
        "message wamids exported more than once: {duplicated:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_corpus_signature_vectors_are_accepted() {
    for vector in must(signature_vectors()) {
        let options = GatewayOptions {
            app_secret: Secret::new(vector.app_secret.clone()),
            ..GatewayOptions::default()
        };
        let mut gateway = start(options).await;
        let mut connection = must(gateway.connect_public().await);
        let reply = must(
            connection
                .post_raw(Bytes::from(vector.body.clone()), Some(&vector.header))
                .await,
        );
        assert_eq!(
            reply.status.as_u16(),
            200,
            "{}: {:?}",
            vector.name,
            reply.text()
        );
        drop(connection);
        let inbound = stop_and_export(&mut gateway, &[]).await;
        let dead = must(gateway.export(&["--dead-letters"]).await);
        match serde_json::from_slice::<Value>(&vector.body) {
            Ok(value) => {
                for id in payload_ids(&value).messages {
                    assert!(
                        inbound.iter().any(|record| record["wamid"] == id.as_str()),
                        "{}: message {id} not exported",
                        vector.name
                    );
                }
            }
            Err(_) => {
                let raw = String::from_utf8_lossy(&vector.body);
                assert!(
                    dead.iter().any(|record| record["raw"] == raw.as_ref()),
                    "{}: the undecodable signed body should be dead-lettered: {dead:#?}",
                    vector.name
                );
            }
        }
    }
}

/// Every `entry[].changes[]` of a payload.
fn changes(payload: &Value) -> impl Iterator<Item = &Value> {
    payload["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|entry| entry["changes"].as_array().into_iter().flatten())
}

/// A one-change payload around `change`, for [`payload_ids`].
fn envelope_of(change: &Value) -> Value {
    json!({ "entry": [{ "changes": [change] }] })
}
