//! First start with no secrets given: the gateway generates its app secret, verify token
//! (mode 0600) and a self-signed certificate into the data folder, uses them, and keeps them
//! across restarts. Standard output that is not a terminal (the journal, a file) is told where
//! the generated secrets are kept, never their values.
#![forbid(unsafe_code)]

use std::os::unix::fs::PermissionsExt;

use waygate_e2e::GatewayOptions;
use waygate_e2e::export::check_messages_exactly_once;
use waygate_e2e::suite::{assert_status, must, start, stop_and_export};

#[tokio::test(flavor = "multi_thread")]
async fn generated_secrets_and_certificate_work_and_survive_a_restart() {
    let options = GatewayOptions {
        secrets_via_env: false,
        ..GatewayOptions::default()
    };
    let mut gateway = start(options).await;
    for name in ["app_secret", "verify_token"] {
        let path = gateway.secrets_dir().join(name);
        let metadata = must(std::fs::metadata(&path));
        let mode = metadata.permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
        let text = must(std::fs::read_to_string(&path));
        assert!(
            text.trim().len() >= 16,
            "{name} is too short to be a secret"
        );
    }
    assert!(
        gateway.data_dir().join("tls/key.pem").is_file(),
        "tls/key.pem missing"
    );
    let secret = gateway.options().app_secret.clone();
    let token = gateway.options().verify_token.expose().to_owned();
    let cert = must(std::fs::read(gateway.cert_path()));

    let mut connection = must(gateway.connect_public().await);
    let reply = must(
        connection
            .get(&format!(
                "/webhook?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=5"
            ))
            .await,
    );
    assert_status(&reply, 200, "handshake with the generated verify token");
    let first = gateway
        .meta()
        .text_webhook("signed with the generated secret");
    assert_status(
        &must(connection.post_webhook(&first).await),
        200,
        "POST signed with the generated secret",
    );
    drop(connection);

    let status = must(gateway.stop().await);
    assert!(status.success(), "exit status {status}");
    must(gateway.restart().await);
    assert_eq!(
        gateway.options().app_secret,
        secret,
        "the app secret changed across a restart"
    );
    assert_eq!(
        must(std::fs::read(gateway.cert_path())),
        cert,
        "the certificate changed across a restart"
    );
    let second = gateway.meta().text_webhook("after the restart");
    let mut connection = must(gateway.connect_public().await);
    assert_status(
        &must(connection.post_webhook(&second).await),
        200,
        "POST after restart",
    );
    drop(connection);

    let records = stop_and_export(&mut gateway, &[]).await;
    if let Err(report) = check_messages_exactly_once(&records, [first.wamid(), second.wamid()]) {
        panic!("{report}");
    }
}

/// The harness sends standard output to a file, as systemd sends it to the journal.
#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_the_first_start_names_the_secret_files_not_the_values() {
    let options = GatewayOptions {
        secrets_via_env: false,
        ..GatewayOptions::default()
    };
    let mut gateway = start(options).await;
    let status = must(gateway.stop().await);
    assert!(status.success(), "exit status {status}");
    let stdout = must(std::fs::read_to_string(gateway.stdout_path()));
    let stderr = must(std::fs::read_to_string(gateway.stderr_path()));
    for name in ["app_secret", "verify_token", "operator_token"] {
        let path = gateway.secrets_dir().join(name);
        let value = must(std::fs::read_to_string(&path));
        let value = value.trim();
        assert!(value.len() >= 16, "{name} is too short to be a secret");
        assert!(!stdout.contains(value), "the generated {name} is in stdout");
        assert!(!stderr.contains(value), "the generated {name} is in stderr");
        let named = format!("kept in {}; read it with: cat ", path.display());
        assert!(
            stdout.contains(&named),
            "stdout does not say where the {name} is ({named:?}):\n{stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn config_check_exits_0_on_valid_and_78_on_invalid() {
    let binary = must(tokio::task::spawn_blocking(waygate_e2e::binary::GatewayBinary::get).await);
    let binary = must(binary);
    let dir = must(tempfile::tempdir());
    let cases = [
        (
            "valid",
            "[store]\nquota_bytes = 16777216\n[shutdown]\ngrace_ms = 5000\n",
            0,
        ),
        ("empty file (all defaults)", "", 0),
        ("quota below 1 MiB", "[store]\nquota_bytes = 1000\n", 78),
        ("not TOML", "this is = = not toml [", 78),
        ("wrong type", "[public]\nmax_body_bytes = \"big\"\n", 78),
    ];
    for (case, text, expected) in cases {
        let path = dir.path().join("waygate.toml");
        must(std::fs::write(&path, text));
        let path_text = path.display().to_string();
        let output = must(binary.run(&["config", "check", &path_text]).await);
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{case}: `waygate config check` exit code; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn version_names_the_git_commit() {
    let binary = must(tokio::task::spawn_blocking(waygate_e2e::binary::GatewayBinary::get).await);
    let binary = must(binary);
    let output = must(binary.run(&["--version"]).await);
    assert!(output.status.success(), "`waygate --version` failed");
    let text = String::from_utf8_lossy(&output.stdout);
    let commit = text
        .split("(commit ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_default();
    assert!(
        text.starts_with(&format!("waygate {} ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    // Built from a checkout (as here and in CI) it is the commit's short hash; `unknown` only
    // without git.
    assert!(
        commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
        "no commit in {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fatal_error_is_reported_once() {
    let binary = must(tokio::task::spawn_blocking(waygate_e2e::binary::GatewayBinary::get).await);
    let binary = must(binary);
    let dir = must(tempfile::tempdir());
    // The public port is taken: serve cannot start.
    let taken = must(std::net::TcpListener::bind("127.0.0.1:0"));
    let public = must(taken.local_addr()).to_string();
    let data_dir = dir.path().join("data").display().to_string();
    let args = [
        "serve",
        "--data-dir",
        &data_dir,
        "--public-listen",
        &public,
        "--local-listen",
        "127.0.0.1:0",
    ];
    let output = must(binary.run(&args).await);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(70), "{stderr}");
    let reports = stderr
        .matches(&format!("cannot listen on {public}"))
        .count();
    assert_eq!(reports, 1, "the error is reported once: {stderr}");
    drop(taken);
}
