//! The systemd unit in `dist/systemd/`: `systemd-analyze verify` accepts it, `systemd-analyze
//! security` rates it 2.5 or lower, and installed as its header says (in a temp folder standing
//! in for `/`) the gateway starts as an unprivileged user with its secrets from
//! `$CREDENTIALS_DIRECTORY`, answers `/readyz`, the handshake and a signed delivery, and stops
//! cleanly on SIGTERM. Without `$CREDENTIALS_DIRECTORY` it refuses to start and says what to add
//! to the unit.
//!
//! A test that cannot run here (no `systemd-analyze`; root without `setpriv`) says so and
//! passes, except in CI (`CI` set), which installs what it needs and where it fails instead.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use waygate_e2e::binary::{GatewayBinary, workspace_root};
use waygate_e2e::http_client::Endpoint;
use waygate_e2e::knobs::{operation_deadline, ready_deadline};
use waygate_e2e::listeners::{Listeners, poll_until, probe_readyz, read_listeners};
use waygate_e2e::random::random_hex;
use waygate_e2e::suite::{assert_status, must, skip_unless_ci};
use waygate_e2e::systemd_unit::{CONFIG_FILE, InstallRoot, ServiceUser, Unit, find_command};
use waygate_e2e::tls::{ALPN_HTTP1, ServerTrust, default_client_config};
use waygate_e2e::{HarnessError, MetaSimulator};

/// The highest `systemd-analyze security` exposure the unit may have.
const MAX_EXPOSURE: f64 = 2.5;

async fn gateway_binary() -> GatewayBinary {
    must(must(tokio::task::spawn_blocking(GatewayBinary::get).await))
}

/// Runs `systemd-analyze` with `args`, or `None` (after saying why) when it is not installed.
async fn systemd_analyze(args: &[&str]) -> Option<Output> {
    let Some(program) = find_command("systemd-analyze") else {
        skip_unless_ci("systemd-analyze is not installed (Debian: apt-get install systemd)");
        return None;
    };
    Some(must(
        tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await,
    ))
}

/// The unit as installed, with `ExecStart=` naming the binary under test (verify wants it to
/// exist), in `dir`.
async fn unit_with_binary(dir: &Path) -> PathBuf {
    let unit = must(Unit::load());
    let binary = gateway_binary().await;
    let path = dir.join("waygate.service");
    must(std::fs::write(
        &path,
        must(unit.with_program(binary.path())),
    ));
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn systemd_analyze_verify_accepts_the_unit() {
    let dir = must(tempfile::tempdir());
    let path = unit_with_binary(dir.path()).await;
    let path_text = path.display().to_string();
    let Some(output) = systemd_analyze(&["verify", &path_text]).await else {
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "verify failed:\n{stderr}");
    let about_the_unit: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("waygate.service"))
        .collect();
    assert!(about_the_unit.is_empty(), "verify warns:\n{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn systemd_analyze_security_rates_the_unit_2_5_or_lower() {
    let dir = must(tempfile::tempdir());
    let path = unit_with_binary(dir.path()).await;
    let path_text = path.display().to_string();
    let Some(output) = systemd_analyze(&["security", "--offline=true", &path_text]).await else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // "→ Overall exposure level for waygate.service: 1.1 OK 🙂"
    let exposure = stdout
        .lines()
        .find_map(|line| line.split_once("Overall exposure level for waygate.service:"))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|number| number.parse::<f64>().ok());
    let Some(exposure) = exposure else {
        panic!("no overall exposure in the output:\n{stdout}\n{stderr}");
    };
    assert!(
        exposure <= MAX_EXPOSURE,
        "exposure {exposure} is above {MAX_EXPOSURE}:\n{stdout}"
    );
}

#[test]
fn the_readme_gives_the_install_steps_of_the_units_header() {
    let unit = must(Unit::load());
    let steps = unit.install_steps();
    assert!(steps.len() >= 5, "the unit's header lists no install steps");
    let readme = must(std::fs::read_to_string(workspace_root().join("README.md")));
    let block = format!("```sh\n{}\n```", steps.join("\n"));
    assert!(
        readme.contains(&block),
        "README.md lacks the unit header's install steps, as one block:\n{block}"
    );
}

/// The unprivileged user and the install, or `None` (after saying why) when no unprivileged user
/// can run the gateway here.
async fn install(unit: &Unit) -> Option<(InstallRoot, ServiceUser, HashMap<String, String>)> {
    let probe = must(tempfile::tempdir());
    let user = match ServiceUser::choose(probe.path()) {
        Ok(user) => user,
        Err(reason) => {
            skip_unless_ci(&reason);
            return None;
        }
    };
    let secrets: HashMap<String, String> = must(unit.credentials())
        .into_iter()
        .map(|(name, _)| (name.to_owned(), random_hex::<16>()))
        .collect();
    let binary = gateway_binary().await;
    let installed = must(InstallRoot::install(unit, &binary, &user, |name| {
        secrets.get(name).cloned().unwrap_or_default()
    }));
    Some((installed, user, secrets))
}

/// The `data_dir` the installed configuration names.
fn configured_data_dir(installed: &InstallRoot) -> String {
    let text = must(std::fs::read_to_string(
        installed.inside("/etc/waygate/waygate.toml"),
    ));
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with("data_dir"));
    let value = line
        .and_then(|line| line.split_once('='))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned());
    value.unwrap_or_else(|| panic!("{CONFIG_FILE} sets no data_dir"))
}

/// The real user id of process `pid`.
fn process_uid(pid: u32) -> u32 {
    let status = must(std::fs::read_to_string(format!("/proc/{pid}/status")));
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|uid| uid.parse().ok());
    uid.unwrap_or_else(|| panic!("no Uid in /proc/{pid}/status"))
}

fn logs(dir: &Path) -> String {
    ["stdout.log", "stderr.log"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            format!("----- {name} -----\n{text}")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn installed_as_the_steps_say_it_runs_unprivileged_with_credentials_and_is_ready() {
    let unit = must(Unit::load());
    let Some((installed, user, secrets)) = install(&unit).await else {
        return;
    };
    assert_eq!(
        configured_data_dir(&installed),
        format!("/var/lib/{}", must(unit.value("StateDirectory"))),
        "{CONFIG_FILE}'s data_dir is not the unit's StateDirectory="
    );
    let mut args = must(installed.exec_start_args(&unit));
    args.extend(
        [
            "--data-dir",
            &installed.state_dir.display().to_string(),
            "--public-listen",
            "127.0.0.1:0",
            "--local-listen",
            "127.0.0.1:0",
        ]
        .map(str::to_owned),
    );
    let log_dir = must(tempfile::tempdir());
    let mut command = must(installed.command(&unit, &args));
    command
        .stdin(Stdio::null())
        .stdout(must(std::fs::File::create(
            log_dir.path().join("stdout.log"),
        )))
        .stderr(must(std::fs::File::create(
            log_dir.path().join("stderr.log"),
        )))
        .kill_on_drop(true);
    let mut child = must(command.spawn());

    let state_dir = installed.state_dir.clone();
    let ready: Result<Listeners, HarnessError> = poll_until(
        ready_deadline(),
        || match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(HarnessError::ExitedEarly {
                status: status.to_string(),
            }),
            Err(source) => Err(HarnessError::Process {
                what: "try_wait",
                source,
            }),
        },
        || {
            let listeners = read_listeners(&state_dir);
            async move {
                let listeners = listeners
                    .map_err(|error| error.to_string())?
                    .ok_or("listeners.json not written yet")?;
                probe_readyz(listeners.local).await?;
                Ok(listeners)
            }
        },
    )
    .await;
    let listeners = ready.unwrap_or_else(|error| panic!("{error}\n{}", logs(log_dir.path())));

    assert_eq!(
        process_uid(listeners.pid),
        user.uid,
        "the gateway runs as the wrong user"
    );
    let store = must(std::fs::metadata(installed.state_dir.join("store.redb")));
    assert_eq!(store.uid(), user.uid, "store.redb belongs to another user");
    assert_eq!(store.permissions().mode() & 0o777, 0o600);

    // The verify token and the app secret came from the credentials.
    let trust = must(ServerTrust::pinned_from_pem(
        &installed.state_dir.join("tls/cert.pem"),
    ));
    let public = Endpoint {
        addr: listeners.public,
        tls: Some(must(default_client_config(trust, &[ALPN_HTTP1]))),
    };
    let mut connection = must(public.connect().await);
    let verify_token = &secrets["verify_token"];
    let reply = must(
        connection
            .get(&format!(
                "/webhook?hub.mode=subscribe&hub.verify_token={verify_token}&hub.challenge=4711"
            ))
            .await,
    );
    assert_status(&reply, 200, "handshake with the verify token credential");
    assert_eq!(reply.text(), "4711");
    let meta = MetaSimulator::new(secrets["app_secret"].as_bytes());
    let webhook = meta.text_webhook("signed with the app secret credential");
    assert_status(
        &must(connection.post_webhook(&webhook).await),
        200,
        "POST signed with the app secret credential",
    );
    drop(connection);

    let kill = must(
        tokio::process::Command::new("kill")
            .args(["-TERM", &listeners.pid.to_string()])
            .status()
            .await,
    );
    assert!(kill.success(), "kill -TERM {}", listeners.pid);
    let exit = tokio::time::timeout(operation_deadline(), child.wait()).await;
    let exit =
        must(exit.unwrap_or_else(|_| panic!("no exit after SIGTERM\n{}", logs(log_dir.path()))));
    assert!(
        exit.success(),
        "exit status {exit}\n{}",
        logs(log_dir.path())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_credentials_directory_it_says_what_to_add_to_the_unit() {
    let unit = must(Unit::load());
    let Some((installed, _user, _secrets)) = install(&unit).await else {
        return;
    };
    let args = must(installed.exec_start_args(&unit));
    let mut command = must(installed.command(&unit, &args));
    command
        .env_remove("CREDENTIALS_DIRECTORY")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(operation_deadline(), command.output()).await;
    let output = must(output.unwrap_or_else(|_| panic!("serve neither started nor exited")));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(78), "{stderr}");
    for needed in [
        "meta.app_secret_file",
        "$CREDENTIALS_DIRECTORY/app_secret",
        "CREDENTIALS_DIRECTORY is not set",
        "LoadCredential=app_secret:/etc/waygate/credentials/app_secret",
    ] {
        assert!(
            stderr.contains(needed),
            "{needed:?} missing from:\n{stderr}"
        );
    }
}

/// The unit's header says to `config check` the installed file after editing it: run by hand,
/// outside the service, it passes and names the secret files it leaves to systemd.
#[tokio::test(flavor = "multi_thread")]
async fn config_check_of_the_installed_file_passes_outside_the_service() {
    let unit = must(Unit::load());
    let Some((installed, _user, _secrets)) = install(&unit).await else {
        return;
    };
    let binary = gateway_binary().await;
    let config = installed
        .inside("/etc/waygate/waygate.toml")
        .display()
        .to_string();
    let mut command = binary.command(["config", "check", config.as_str()]);
    command
        .env_remove("CREDENTIALS_DIRECTORY")
        .stdin(Stdio::null());
    let output = must(command.output().await);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("valid"), "{stdout}");
    for key in ["meta.app_secret_file", "meta.verify_token_file"] {
        assert!(stdout.contains(key), "{key} not named in:\n{stdout}");
    }
}
