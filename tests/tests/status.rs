//! `waygate status` end to end: against a running gateway it prints the summary (uptime,
//! readiness, store use against the quota, chats by state, last commit) and exits 0; with the
//! quota's measure above 90% it says so and exits 1; `--json` prints the status as JSON; a
//! refused token exits 77 without echoing it; a stopped (or killed) gateway is read from its
//! store, and that exits 1.
#![forbid(unsafe_code)]

use std::process::Output;

use serde_json::Value;
use waygate_e2e::GatewayOptions;
use waygate_e2e::suite::{deliver_text, must, start};

/// The smallest quota the configuration allows.
const QUOTA_BYTES: u64 = 1024 * 1024;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[track_caller]
fn assert_exit(output: &Output, code: i32, context: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{context}: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json_of(output: &Output) -> Value {
    must(serde_json::from_slice(&output.stdout))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_gateway_prints_its_summary_and_exits_0() {
    // The token the gateway generates into its data folder is the one `status` finds.
    let options = GatewayOptions {
        secrets_via_env: false,
        ..GatewayOptions::default()
    };
    let mut gateway = start(options).await;
    deliver_text(&gateway, "hello").await;

    let output = must(gateway.status(&[]).await);
    assert_exit(&output, 0, "status of a healthy gateway");
    let text = stdout(&output);
    for part in [
        "is running: healthy\n",
        "  uptime       ",
        "  readiness    ready\n",
        "  store        ",
        "quota (",
        "  chats        1 waiting, 0 active, 0 closed\n",
        "  last commit  20",
        "  entries      inbound log 1, dedupe index 1, dead letters 0\n",
    ] {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
    assert!(!text.contains(gateway.operator_token()), "the token leaked");

    let output = must(gateway.status(&["--json"]).await);
    assert_exit(&output, 0, "status --json");
    let report = json_of(&output);
    assert_eq!(report["ready"], true, "{report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");
    assert_eq!(report["chats"]["waiting"], 1, "{report}");
    assert!(report["store"]["last_commit_at"].is_u64(), "{report}");
    assert!(report["uptime_seconds"].is_u64(), "{report}");

    // Stopped: read from the store, and not healthy.
    must(gateway.stop().await);
    let output = must(gateway.status(&[]).await);
    assert_exit(&output, 1, "status of a stopped gateway");
    let text = stdout(&output);
    assert!(
        text.starts_with("waygate is not running (no listeners.json in "),
        "{text}"
    );
    assert!(
        text.contains("  chats        1 waiting, 0 active, 0 closed\n"),
        "{text}"
    );
    let output = must(gateway.status(&["--json"]).await);
    assert_exit(&output, 1, "status --json of a stopped gateway");
    let stopped = json_of(&output);
    assert_eq!(stopped["running"], false, "{stopped}");
    assert_eq!(stopped["store"]["log_entries"], 1, "{stopped}");
    assert_eq!(stopped["chats"]["waiting"], 1, "{stopped}");
}

#[tokio::test(flavor = "multi_thread")]
async fn over_90_percent_of_the_quota_exits_1_and_says_why() {
    let mut gateway = start(GatewayOptions::with_config(format!(
        "[store]\nquota_bytes = {QUOTA_BYTES}\n"
    )))
    .await;
    let token_file = gateway.dir().join("operator-token");
    must(std::fs::write(&token_file, gateway.operator_token()));
    let token_arg = token_file.display().to_string();
    let args = ["--token-file", token_arg.as_str()];
    assert_exit(
        &must(gateway.status(&args).await),
        0,
        "under the alert level",
    );

    // Files in the data folder count toward the quota; the store measures them when it opens.
    must(gateway.stop().await);
    let ballast = vec![0_u8; usize::try_from(QUOTA_BYTES * 95 / 100).unwrap_or(0)];
    must(std::fs::write(
        gateway.data_dir().join("ballast.bin"),
        ballast,
    ));
    must(gateway.restart().await);

    let output = must(gateway.status(&args).await);
    assert_exit(&output, 1, "over 90% of the quota");
    let text = stdout(&output);
    assert!(text.contains("is running: NOT HEALTHY\n"), "{text}");
    assert!(text.contains("  readiness    ready\n"), "{text}");
    assert!(text.contains("problems:\n  - the store uses 9"), "{text}");
    assert!(text.contains("above 90%"), "{text}");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let output = must(gateway.status(&json_args).await);
    assert_exit(&output, 1, "status --json over 90% of the quota");
    let report = json_of(&output);
    assert_eq!(report["store"]["quota_bytes"], QUOTA_BYTES, "{report}");
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    assert_eq!(problems.len(), 1, "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_exits_77_and_a_killed_gateway_is_read_from_its_store() {
    let mut gateway = start(GatewayOptions::default()).await;
    let token_file = gateway.dir().join("wrong-token");
    let wrong = "not-the-operator-token";
    must(std::fs::write(&token_file, wrong));
    let token_arg = token_file.display().to_string();
    let output = must(gateway.status(&["--token-file", token_arg.as_str()]).await);
    assert_exit(&output, 77, "a wrong token");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refused the operator token"), "{stderr}");
    assert!(
        !stderr.contains(wrong) && output.stdout.is_empty(),
        "{stderr}"
    );

    // A stale listeners.json: nothing listens there any more.
    deliver_text(&gateway, "before the kill").await;
    must(gateway.kill9().await);
    let output = must(gateway.status(&["--token-file", token_arg.as_str()]).await);
    assert_exit(&output, 1, "status after kill -9");
    let text = stdout(&output);
    assert!(
        text.starts_with("waygate is not running (nothing listens at "),
        "{text}"
    );
    assert!(text.contains("inbound log 1,"), "{text}");
}
