//! POST /webhook signatures: HMAC-SHA256 over the raw bytes. Bodies with Meta's `\/` and
//! `\u00e9` escapes verify over the escaped bytes; anything unsigned or mis-signed is 401 and
//! stored nowhere.
#![forbid(unsafe_code)]

use bytes::Bytes;
use waygate_e2e::export::{count_by_wamid, strings_in};
use waygate_e2e::meta::{WebhookSigner, escape::to_meta_json};
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};
use waygate_e2e::{Escaping, GatewayOptions};

const ESCAPED_TEXT: &str = "See https://example.com/a/b — café é ñ 😀";

#[tokio::test(flavor = "multi_thread")]
async fn signed_bodies_are_accepted_and_escaped_text_is_stored_decoded() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let mut connection = must(gateway.connect_public().await);

    let plain = meta.text_webhook("a plain ascii message");
    assert_status(
        &must(connection.post_webhook(&plain).await),
        200,
        "plain signed webhook",
    );

    let payload = meta.payload(vec![vec![
        meta.messages_change(&[meta.text_message(ESCAPED_TEXT)], &[]),
    ]]);
    let escaped = meta.sign_payload(&payload, Escaping::META);
    let raw = String::from_utf8_lossy(&escaped.body).into_owned();
    assert!(
        raw.contains(r"https:\/\/example.com\/a\/b"),
        "test body must carry \\/ escapes: {raw}"
    );
    assert!(
        raw.contains(r"caf\u00e9"),
        "test body must carry \\u00e9 escapes: {raw}"
    );
    assert!(raw.is_ascii(), "Meta-escaped bodies are pure ASCII");
    assert_status(
        &must(connection.post_webhook(&escaped).await),
        200,
        "Meta-escaped body",
    );

    let payload = meta.payload(vec![vec![
        meta.messages_change(&[meta.text_message(ESCAPED_TEXT)], &[]),
    ]]);
    let unescaped = meta.sign_payload(&payload, Escaping::NONE);
    assert_status(
        &must(connection.post_webhook(&unescaped).await),
        200,
        "raw UTF-8 body",
    );

    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;
    let counts = count_by_wamid(&records, "message");
    for webhook in [&plain, &escaped, &unescaped] {
        assert_eq!(
            counts.get(webhook.wamid()),
            Some(&1),
            "{} not exported once",
            webhook.wamid()
        );
    }
    for webhook in [&escaped, &unescaped] {
        let record = records
            .iter()
            .find(|record| record["wamid"] == webhook.wamid())
            .expect("record exists (checked above)");
        let strings = strings_in(&record["content"]);
        assert!(
            strings.contains(&ESCAPED_TEXT),
            "export should hold the decoded text {ESCAPED_TEXT:?} (with / and é), got {strings:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_wrong_signatures_get_401_and_nothing_is_stored() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let mut rejected = Vec::new();
    let post = async |case: &str, body: Bytes, signature: Option<String>| {
        let mut connection = must(gateway.connect_public().await);
        let reply = must(connection.post_raw(body, signature.as_deref()).await);
        assert_status(&reply, 401, case);
    };

    let webhook = meta.text_webhook("unsigned");
    post("missing header", webhook.body.clone(), None).await;
    rejected.push(webhook.wamid().to_owned());

    let webhook = meta.text_webhook("wrong secret");
    let wrong = WebhookSigner::new(b"not-the-app-secret").header_value(&webhook.body);
    post("wrong secret", webhook.body.clone(), Some(wrong)).await;
    rejected.push(webhook.wamid().to_owned());

    let webhook = meta.text_webhook("tampered body");
    let tampered = String::from_utf8_lossy(&webhook.body).replace("tampered body", "tampered bodY");
    post(
        "tampered body",
        Bytes::from(tampered),
        Some(webhook.signature.clone()),
    )
    .await;
    rejected.push(webhook.wamid().to_owned());

    let webhook = meta.text_webhook("no prefix");
    let bare_hex = webhook.signature.trim_start_matches("sha256=").to_owned();
    post("hex without sha256=", webhook.body.clone(), Some(bare_hex)).await;
    rejected.push(webhook.wamid().to_owned());

    let webhook = meta.text_webhook("sha1 prefix");
    let sha1 = webhook.signature.replace("sha256=", "sha1=");
    post("sha1= prefix", webhook.body.clone(), Some(sha1)).await;
    rejected.push(webhook.wamid().to_owned());

    let webhook = meta.text_webhook("empty");
    post("empty header", webhook.body.clone(), Some(String::new())).await;
    post(
        "sha256= only",
        webhook.body.clone(),
        Some("sha256=".to_owned()),
    )
    .await;
    post(
        "not hex",
        webhook.body.clone(),
        Some(format!("sha256={}", "zz".repeat(32))),
    )
    .await;
    let short = webhook.signature[..webhook.signature.len() - 2].to_owned();
    post("truncated signature", webhook.body.clone(), Some(short)).await;
    rejected.push(webhook.wamid().to_owned());

    // The classic bug: signing the re-serialised (unescaped) JSON while the wire carries escapes.
    let payload = meta.payload(vec![vec![
        meta.messages_change(&[meta.text_message(ESCAPED_TEXT)], &[]),
    ]]);
    let wire = to_meta_json(&payload, Escaping::META);
    let reserialised = to_meta_json(&payload, Escaping::NONE);
    let signature = meta.signer().header_value(reserialised.as_bytes());
    post(
        "signature over re-serialised JSON",
        Bytes::from(wire),
        Some(signature),
    )
    .await;
    rejected.push(waygate_e2e::meta::payload::payload_ids(&payload).messages[0].clone());

    let records = stop_and_export(&mut gateway, &[]).await;
    for wamid in &rejected {
        assert!(
            !records
                .iter()
                .any(|record| record["wamid"] == wamid.as_str()),
            "a rejected webhook was stored: {wamid}"
        );
    }
    let dead = must(gateway.export(&["--dead-letters"]).await);
    assert!(
        dead.is_empty(),
        "401s must not reach the dead-letter table: {dead:?}"
    );
}
