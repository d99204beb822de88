//! Configuration files as `config check` and `serve` read them: every problem at once, with its
//! line, the files a setting names included, exit status 78 from both; and a firmware blob made
//! by `config encode` that `serve --config` boots from.
#![forbid(unsafe_code)]

use waygate_e2e::GatewayOptions;
use waygate_e2e::suite::{assert_status, must, start};

/// A file with four problems: a secret file that does not exist (line 4), a value out of
/// range (line 8), an unknown key (line 9) and a log filter that is not one (line 12).
const FOUR_PROBLEMS: &str = r#"data_dir = "DATA"

[meta]
app_secret_file = "/nonexistent/waygate/app_secret"

[store]
quota_bytes = "2GiB"
max_batch = 0
colour = "blue"

[log]
filter = "info,[[[not a filter"
"#;

const EXPECTED_LINES: [&str; 4] = [
    "line 4: meta.app_secret_file: cannot read secret file /nonexistent/waygate/app_secret: no such file",
    "line 8: store.max_batch = 0: must be between 1 and 10000",
    "line 9: store.colour: unknown key",
    "line 12: log.filter = \"info,[[[not a filter\": must be a log filter",
];

#[tokio::test(flavor = "multi_thread")]
async fn check_and_serve_report_the_same_four_problems_with_their_lines() {
    let binary = must(must(
        tokio::task::spawn_blocking(waygate_e2e::binary::GatewayBinary::get).await,
    ));
    let dir = must(tempfile::tempdir());
    let data = dir.path().join("data");
    let path = dir.path().join("waygate.toml");
    must(std::fs::write(
        &path,
        FOUR_PROBLEMS.replace("DATA", &data.display().to_string()),
    ));
    let path = path.display().to_string();
    for args in [
        vec!["config", "check", &path],
        vec!["serve", "--config", &path],
    ] {
        let output = must(binary.run(&args).await);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(78), "{args:?}: {stderr}");
        assert!(stderr.contains("4 problems"), "{args:?}: {stderr}");
        let mut at = 0;
        for line in EXPECTED_LINES {
            let found = stderr[at..].find(line);
            assert!(
                found.is_some(),
                "{args:?}: `{line}` missing or out of order in:\n{stderr}"
            );
            at += found.unwrap_or_default();
        }
    }
    assert!(
        !data.exists(),
        "a refused configuration must not create the data folder"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_boots_from_a_blob_made_by_config_encode() {
    let options = GatewayOptions::with_config(
        "[store]\nmax_batch = 64\n[chat]\nidle_close_seconds = \"30m\"\n",
    );
    let mut gateway = start(options).await;
    assert!(must(gateway.stop().await).success());
    let toml = gateway.dir().join("waygate.toml").display().to_string();
    let blob = gateway.dir().join("waygate.blob");
    let blob_text = blob.display().to_string();
    let encoded = must(
        gateway
            .binary()
            .run(&["config", "encode", &toml, "-o", &blob_text])
            .await,
    );
    assert!(
        encoded.status.success(),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    let checked = must(gateway.binary().run(&["config", "check", &blob_text]).await);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );

    gateway.set_config_path(blob);
    must(gateway.restart().await);
    let mut connection = must(gateway.connect_public().await);
    let webhook = gateway
        .meta()
        .text_webhook("delivered to a gateway booted from a blob");
    assert_status(
        &must(connection.post_webhook(&webhook).await),
        200,
        "POST after a blob boot",
    );
    assert!(must(gateway.stop().await).success());
}

/// An upstream URL without a secret, a gateway id with a space and a commands URL over plain
/// HTTP to another host: each at its line, from `config check` and `serve` alike.
const UPSTREAM_PROBLEMS: &str = r#"data_dir = "DATA"

[upstream]
url = "https://hq.example.com/batches"
gateway_id = "store 12"
commands_url = "http://hq.example.com/commands"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_without_a_secret_is_refused_naming_the_keys_to_write() {
    let binary = must(must(
        tokio::task::spawn_blocking(waygate_e2e::binary::GatewayBinary::get).await,
    ));
    let dir = must(tempfile::tempdir());
    let data = dir.path().join("data");
    let path = dir.path().join("waygate.toml");
    let text = UPSTREAM_PROBLEMS.replace("DATA", &data.display().to_string());
    must(std::fs::write(&path, text));
    let path = path.display().to_string();
    for args in [
        vec!["config", "check", &path],
        vec!["serve", "--config", &path],
    ] {
        let output = must(binary.run(&args).await);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(78), "{args:?}: {stderr}");
        for expected in [
            "line 4: upstream.url: upstream.url is set but no upstream secret is: write \
             upstream.secret, upstream.secret_file or upstream.secret_env (or set \
             WAYGATE_UPSTREAM_SECRET)",
            "line 5: upstream.gateway_id = \"store 12\": must be 1 to 64 letters, digits",
            "line 6: upstream.commands_url = \"http://hq.example.com/commands\": must be an \
             https:// URL",
        ] {
            assert!(
                stderr.contains(expected),
                "{args:?}: `{expected}` in:\n{stderr}"
            );
        }
    }
    assert!(
        !data.exists(),
        "nothing is generated for a refused configuration"
    );
}
