//! The console's sessions outlast a restart of the gateway: a kiosk signed in before a SIGTERM
//! (an update) or a kill -9 (a power cut) is still signed in after, with the same CSRF token,
//! and a session that signed out stays out. The sessions file holds no cookie.
#![forbid(unsafe_code)]

use bytes::Bytes;
use http::Method;
use waygate_e2e::console_session::{ConsoleSession, csrf_of, sign_in};
use waygate_e2e::suite::{assert_status, must, start};
use waygate_e2e::{Gateway, GatewayOptions};

/// The shell `/console` answers the session's cookie with: its status and CSRF token.
async fn shell(gateway: &Gateway, session: &ConsoleSession) -> (u16, Option<String>) {
    let mut local = must(gateway.connect_local().await);
    let headers = [("cookie", session.cookie.as_str())];
    let reply = must(
        local
            .request(Method::GET, "/console", &headers, Bytes::new())
            .await,
    );
    (reply.status.as_u16(), csrf_of(&reply.text()))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_stays_signed_in_across_a_stop_and_a_kill_9_until_it_signs_out() {
    let mut gateway = start(GatewayOptions::default()).await;
    let token = gateway.operator_token().to_owned();
    let mut local = must(gateway.connect_local().await);
    let session = must(sign_in(&mut local, &token).await);
    drop(local);
    let saved = must(std::fs::read_to_string(
        gateway.data_dir().join("console-sessions.json"),
    ));
    let value = session.cookie.split_once('=').map(|(_, value)| value);
    assert!(
        !saved.contains(value.unwrap_or("?")),
        "the cookie was saved"
    );

    must(gateway.stop().await);
    must(gateway.restart().await);
    let (status, csrf) = shell(&gateway, &session).await;
    assert_eq!(status, 200, "signed in after a stop");
    assert_eq!(csrf.as_deref(), Some(session.csrf.as_str()));

    must(gateway.kill9().await);
    must(gateway.restart().await);
    let (status, _) = shell(&gateway, &session).await;
    assert_eq!(status, 200, "signed in after a kill -9");

    let mut local = must(gateway.connect_local().await);
    let headers = [
        ("cookie", session.cookie.as_str()),
        ("x-csrf-token", session.csrf.as_str()),
    ];
    let out = must(
        local
            .request(Method::POST, "/console/sign-out", &headers, Bytes::new())
            .await,
    );
    assert_status(&out, 204, "sign-out");
    drop(local);
    must(gateway.kill9().await);
    must(gateway.restart().await);
    let (status, _) = shell(&gateway, &session).await;
    assert_eq!(status, 401, "signed out stays signed out");
}
