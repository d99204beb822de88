//! GET /webhook verification handshake: the challenge is echoed exactly for the right token and
//! mode; everything else is 403.
#![forbid(unsafe_code)]

use waygate_e2e::GatewayOptions;
use waygate_e2e::suite::{assert_status, must, start};

#[tokio::test(flavor = "multi_thread")]
async fn the_challenge_is_echoed_exactly_for_the_right_token() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.options().verify_token.expose().to_owned();
    let mut connection = must(gateway.connect_public().await);
    for challenge in ["1158201444", "0", "abc-XYZ_123.~", "9999999999999999999999"] {
        let reply = must(
            connection
                .get(&format!(
                    "/webhook?hub.mode=subscribe&hub.verify_token={token}&hub.challenge={challenge}"
                ))
                .await,
        );
        assert_status(
            &reply,
            200,
            &format!("handshake with challenge {challenge}"),
        );
        assert_eq!(
            reply.body,
            challenge.as_bytes(),
            "the body must be exactly the challenge"
        );
        let content_type = reply.header("content-type").unwrap_or("");
        assert!(
            content_type.starts_with("text/plain"),
            "content-type should be text/plain, got {content_type:?}"
        );
    }
    // Parameter order does not matter.
    let reply = must(
        connection
            .get(&format!(
                "/webhook?hub.challenge=42&hub.verify_token={token}&hub.mode=subscribe"
            ))
            .await,
    );
    assert_status(&reply, 200, "handshake with reordered parameters");
    assert_eq!(reply.body, "42".as_bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_token_wrong_mode_or_missing_parameters_get_403() {
    let gateway = start(GatewayOptions::default()).await;
    let token = gateway.options().verify_token.expose().to_owned();
    let wrong = format!("{token}x");
    let prefix = &token[..token.len() - 1];
    let cases = [
        (
            "wrong token",
            format!("hub.mode=subscribe&hub.verify_token={wrong}&hub.challenge=1"),
        ),
        (
            "token prefix",
            format!("hub.mode=subscribe&hub.verify_token={prefix}&hub.challenge=1"),
        ),
        (
            "empty token",
            "hub.mode=subscribe&hub.verify_token=&hub.challenge=1".to_owned(),
        ),
        (
            "wrong mode",
            format!("hub.mode=unsubscribe&hub.verify_token={token}&hub.challenge=1"),
        ),
        (
            "empty mode",
            format!("hub.mode=&hub.verify_token={token}&hub.challenge=1"),
        ),
        (
            "missing mode",
            format!("hub.verify_token={token}&hub.challenge=1"),
        ),
        (
            "missing token",
            "hub.mode=subscribe&hub.challenge=1".to_owned(),
        ),
        (
            "missing challenge",
            format!("hub.mode=subscribe&hub.verify_token={token}"),
        ),
        ("no query", String::new()),
        (
            "underscored names",
            format!("hub_mode=subscribe&hub_verify_token={token}&hub_challenge=1"),
        ),
    ];
    for (case, query) in cases {
        // A fresh connection per case: a 403 may close the connection.
        let mut connection = must(gateway.connect_public().await);
        let path = if query.is_empty() {
            "/webhook".to_owned()
        } else {
            format!("/webhook?{query}")
        };
        let reply = must(connection.get(&path).await);
        assert_status(&reply, 403, case);
        assert_ne!(
            reply.body,
            "1".as_bytes(),
            "{case}: the challenge must not be echoed"
        );
    }
}
