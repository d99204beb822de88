//! The benchmark tools themselves: `waygate-load` against `bare-server` (no gateway needed) and
//! against the gateway, checking the counts they report.
#![forbid(unsafe_code)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use waygate_e2e::GatewayOptions;
use waygate_e2e::knobs::operation_deadline;
use waygate_e2e::listeners::poll_until;
use waygate_e2e::suite::{must, start, stop_and_export};

async fn run_load(url: &str, secret: &str, ca: &Path, extra: &[&str]) -> Value {
    let ca = ca.display().to_string();
    let mut args = vec!["--url", url, "--ca", &ca, "--json"];
    args.extend_from_slice(extra);
    let output = must(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_waygate-load"))
            .args(&args)
            .env("WAYGATE_APP_SECRET", secret)
            .stdin(Stdio::null())
            .output()
            .await,
    );
    assert!(
        output.status.success(),
        "waygate-load {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    must(serde_json::from_slice(&output.stdout))
}

#[tokio::test(flavor = "multi_thread")]
async fn waygate_load_against_bare_server_counts_every_request() {
    let dir = must(tempfile::tempdir());
    let addr_file = dir.path().join("addr");
    let cert = dir.path().join("cert.pem");
    let mut server = must(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_bare-server"))
            .arg("--addr-file")
            .arg(&addr_file)
            .arg("--write-cert")
            .arg(&cert)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn(),
    );
    let addr = must(
        poll_until(
            operation_deadline(),
            || Ok(()),
            || async { std::fs::read_to_string(&addr_file).map_err(|error| error.to_string()) },
        )
        .await,
    );
    let url = format!("https://{addr}/webhook");

    let report = run_load(
        &url,
        "s",
        &cert,
        &["--connections", "8", "--requests", "400"],
    )
    .await;
    assert_eq!(report["requests"], 400, "{report}");
    assert_eq!(report["ok"], 400, "{report}");
    assert_eq!(report["transport_errors"], 0, "{report}");
    assert!(
        report["latency_ms"]["p50"]
            .as_f64()
            .is_some_and(|p50| p50 > 0.0),
        "{report}"
    );
    assert!(
        report["requests_per_s"]
            .as_f64()
            .is_some_and(|rps| rps > 0.0),
        "{report}"
    );

    let report = run_load(
        &url,
        "s",
        &cert,
        &[
            "--connections",
            "2",
            "--requests",
            "20",
            "--body-bytes",
            "4000000",
        ],
    )
    .await;
    assert_eq!(
        report["ok"], 0,
        "bodies over the bare server's 3 MiB cap: {report}"
    );

    let report = run_load(
        &url,
        "s",
        &cert,
        &["--connections", "4", "--duration", "0.5"],
    )
    .await;
    assert!(report["ok"].as_u64().is_some_and(|ok| ok > 0), "{report}");

    must(server.start_kill());
    let _exited = tokio::time::timeout(Duration::from_secs(30), server.wait()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn waygate_load_against_the_gateway_stores_every_request() {
    let mut gateway = start(GatewayOptions::default()).await;
    let url = format!("https://{}/webhook", must(gateway.public_addr()));
    let secret = gateway.options().app_secret.expose().to_owned();
    let cert = gateway.cert_path();

    let report = run_load(
        &url,
        &secret,
        &cert,
        &["--connections", "8", "--requests", "300"],
    )
    .await;
    assert_eq!(report["ok"], 300, "{report}\n{}", gateway.logs());
    let report = run_load(
        &url,
        "wrong-secret",
        &cert,
        &["--connections", "2", "--requests", "10"],
    )
    .await;
    assert_eq!(
        report["non_200"]["401"], 10,
        "a wrong secret must show as 401s: {report}"
    );

    let records = stop_and_export(&mut gateway, &[]).await;
    assert_eq!(
        records.len(),
        300,
        "every acknowledged load request is stored once"
    );
}
