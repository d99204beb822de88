//! Dead letters: a signed body that cannot be decoded is kept (200 + dead-letter table); an
//! unsigned one is refused (401) and kept nowhere.
#![forbid(unsafe_code)]

use bytes::Bytes;
use waygate_e2e::GatewayOptions;
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};

#[tokio::test(flavor = "multi_thread")]
async fn signed_garbage_is_dead_lettered_and_unsigned_garbage_is_refused() {
    let mut gateway = start(GatewayOptions::default()).await;
    let meta = gateway.meta().clone();
    let signed_garbage = [
        "this is not JSON at all".to_owned(),
        r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":"#.to_owned(),
        format!("[1,2,3] trailing {}", meta.next_wamid()),
    ];
    let unsigned_garbage = format!("unsigned garbage {}", meta.next_wamid());

    for body in &signed_garbage {
        let mut connection = must(gateway.connect_public().await);
        let webhook = meta.sign_bytes(Bytes::from(body.clone()));
        let reply = must(connection.post_webhook(&webhook).await);
        assert_status(&reply, 200, &format!("signed garbage {body:?}"));
    }
    let mut connection = must(gateway.connect_public().await);
    let reply = must(
        connection
            .post_raw(Bytes::from(unsigned_garbage.clone()), None)
            .await,
    );
    assert_status(&reply, 401, "unsigned garbage");
    drop(connection);

    let inbound = stop_and_export(&mut gateway, &[]).await;
    assert!(
        inbound.is_empty(),
        "garbage must not reach the inbound log: {inbound:#?}"
    );
    let dead = must(gateway.export(&["--dead-letters"]).await);
    for body in &signed_garbage {
        let matching: Vec<_> = dead
            .iter()
            .filter(|record| record["raw"] == body.as_str())
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{body:?} should be dead-lettered once; dead letters: {dead:#?}"
        );
        let record = matching[0];
        assert!(record["seq"].is_u64(), "dead letter without seq: {record}");
        assert!(
            record["received_at_ms"].is_u64(),
            "dead letter without received_at_ms: {record}"
        );
        assert!(
            record["error"]
                .as_str()
                .is_some_and(|error| !error.is_empty()),
            "dead letter without an error description: {record}"
        );
    }
    assert!(
        !dead
            .iter()
            .any(|record| record["raw"] == unsigned_garbage.as_str()),
        "the unsigned body was stored"
    );
    assert_eq!(
        dead.len(),
        signed_garbage.len(),
        "unexpected dead letters: {dead:#?}"
    );
}
