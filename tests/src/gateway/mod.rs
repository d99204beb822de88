//! The real `waygate` binary as a child process: start on a temp data folder, readiness,
//! restart, SIGKILL, SIGTERM, exit status, `waygate export`, captured logs.

mod access;
mod export;
mod signals;
mod status;

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tempfile::TempDir;
use tokio::process::Child;

use crate::binary::GatewayBinary;
use crate::error::{HarnessError, HarnessResult};
use crate::knobs::ready_deadline;
use crate::listeners::{LISTENERS_FILE, Listeners, poll_until, probe_readyz, read_listeners};
use crate::meta::MetaSimulator;
use crate::options::{GatewayOptions, Secret};

/// Bytes of each log printed when a test fails.
const LOG_TAIL_BYTES: usize = 48 * 1024;
/// The file in the temp folder that takes the gateway's standard output.
const STDOUT_LOG: &str = "stdout.log";
/// The file in the temp folder that takes the gateway's standard error.
const STDERR_LOG: &str = "stderr.log";

/// A gateway process and its temp folder (`data/`, `waygate.toml`, `stdout.log`, `stderr.log`).
pub struct Gateway {
    binary: GatewayBinary,
    dir: TempDir,
    data_dir: PathBuf,
    config_path: Option<PathBuf>,
    options: GatewayOptions,
    meta: Arc<MetaSimulator>,
    child: Option<Child>,
    listeners: Option<Listeners>,
    certificate: Option<CertificateDer<'static>>,
    runs: u32,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Gateway")
            .field("dir", &self.dir.path())
            .field("listeners", &self.listeners)
            .field("running", &self.child.is_some())
            .field("runs", &self.runs)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Starts a gateway on a fresh temp data folder and waits until it is ready.
    ///
    /// # Errors
    /// When the binary cannot be built, the process cannot start, or it is not ready in time.
    pub async fn start(options: GatewayOptions) -> HarnessResult<Self> {
        let binary = tokio::task::spawn_blocking(GatewayBinary::get)
            .await
            .map_err(|error| HarnessError::Binary(error.to_string()))??;
        let dir = tempfile::Builder::new()
            .prefix("waygate-e2e-")
            .tempdir()
            .map_err(|error| HarnessError::io("creating", std::env::temp_dir(), error))?;
        let data_dir = options
            .data_dir
            .clone()
            .unwrap_or_else(|| dir.path().join("data"));
        std::fs::create_dir_all(&data_dir)
            .map_err(|error| HarnessError::io("creating", &data_dir, error))?;
        let meta = Arc::new(MetaSimulator::new(options.app_secret.expose().as_bytes()));
        let mut gateway = Self {
            binary,
            dir,
            data_dir,
            config_path: None,
            options,
            meta,
            child: None,
            listeners: None,
            certificate: None,
            runs: 0,
        };
        gateway.write_config()?;
        gateway.spawn_and_wait_ready().await?;
        Ok(gateway)
    }

    /// Starts again on the same data folder (the previous process must have exited).
    ///
    /// # Errors
    /// As for [`Self::start`], or [`HarnessError::State`] when still running.
    pub async fn restart(&mut self) -> HarnessResult<()> {
        if self.child.is_some() {
            return Err(HarnessError::State(
                "restart() while the gateway is running",
            ));
        }
        self.spawn_and_wait_ready().await
    }

    /// Starts again on the same data folder expecting the gateway to refuse to start, and
    /// returns its exit status (its messages are in [`Self::logs`]).
    ///
    /// # Errors
    /// [`HarnessError::StartedAnyway`] when it became ready instead, a timeout when it neither
    /// exits nor becomes ready in time, [`HarnessError::State`] when it is still running.
    pub async fn restart_expecting_exit(&mut self) -> HarnessResult<ExitStatus> {
        if self.child.is_some() {
            return Err(HarnessError::State(
                "restart_expecting_exit() while the gateway is running",
            ));
        }
        self.spawn()?;
        let data_dir = self.data_dir.clone();
        let child = &mut self.child;
        let exited = poll_until(
            ready_deadline(),
            || Ok(()),
            || {
                let exited = exit_status(child);
                let listeners = read_listeners(&data_dir);
                async move {
                    if let Some(status) = exited? {
                        return Ok(Ok(status));
                    }
                    match listeners {
                        Ok(Some(listeners)) if probe_readyz(listeners.local).await.is_ok() => {
                            Ok(Err(HarnessError::StartedAnyway))
                        }
                        _ => Err("still running, not ready".to_owned()),
                    }
                }
            },
        )
        .await;
        let exited = self.with_logs_on_error(exited.and_then(|result| result))?;
        Ok(exited)
    }

    /// Replaces the config text used by the next [`Self::restart`].
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn set_config(&mut self, config_toml: Option<String>) -> HarnessResult<()> {
        self.options.config_toml = config_toml;
        self.write_config()
    }

    /// Starts from `path` on the next restart (a firmware blob, say) instead of the options'
    /// TOML.
    pub fn set_config_path(&mut self, path: PathBuf) {
        self.config_path = Some(path);
    }

    /// The binary under test.
    pub fn binary(&self) -> &GatewayBinary {
        &self.binary
    }

    fn write_config(&mut self) -> HarnessResult<()> {
        self.config_path = match &self.options.config_toml {
            None => None,
            Some(text) => {
                let path = self.dir.path().join("waygate.toml");
                std::fs::write(&path, text)
                    .map_err(|error| HarnessError::io("writing", &path, error))?;
                Some(path)
            }
        };
        Ok(())
    }

    async fn spawn_and_wait_ready(&mut self) -> HarnessResult<()> {
        self.spawn()?;
        let deadline = ready_deadline();
        let data_dir = self.data_dir.clone();
        let listeners = {
            let child = &mut self.child;
            poll_until(
                deadline,
                || check_alive(child),
                || async {
                    match read_listeners(&data_dir) {
                        Ok(Some(listeners)) => Ok(listeners),
                        Ok(None) => Err(format!("{LISTENERS_FILE} not written yet")),
                        Err(error) => Err(error.to_string()),
                    }
                },
            )
            .await
        };
        let listeners = self.with_logs_on_error(listeners)?;
        self.listeners = Some(listeners);
        let ready = {
            let child = &mut self.child;
            poll_until(
                deadline,
                || check_alive(child),
                || probe_readyz(listeners.local),
            )
            .await
        };
        self.with_logs_on_error(ready)?;
        let cert_path = self.cert_path();
        let certificate = CertificateDer::from_pem_file(&cert_path).map_err(|error| {
            HarnessError::Tls(format!("reading {}: {error}", cert_path.display()))
        })?;
        self.certificate = Some(certificate);
        if !self.options.secrets_via_env {
            self.adopt_generated_secrets()?;
        }
        Ok(())
    }

    /// Reads the secrets the gateway generated into `<data>/secrets/` and signs with them.
    fn adopt_generated_secrets(&mut self) -> HarnessResult<()> {
        let dir = self.secrets_dir();
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|text| Secret::new(text.trim()))
                .map_err(|error| HarnessError::io("reading", path, error))
        };
        self.options.app_secret = read("app_secret")?;
        self.options.verify_token = read("verify_token")?;
        self.options.operator_token = read("operator_token")?;
        self.meta = Arc::new(MetaSimulator::new(
            self.options.app_secret.expose().as_bytes(),
        ));
        Ok(())
    }

    /// `<data>/secrets`.
    pub fn secrets_dir(&self) -> PathBuf {
        self.data_dir.join("secrets")
    }

    fn with_logs_on_error<T>(&self, result: HarnessResult<T>) -> HarnessResult<T> {
        result.map_err(|error| match error {
            HarnessError::NotReady {
                waited_ms,
                last_problem,
            } => HarnessError::NotReady {
                waited_ms,
                last_problem: format!("{last_problem}\n{}", self.logs()),
            },
            HarnessError::ExitedEarly { status } => HarnessError::ExitedEarly {
                status: format!("{status}\n{}", self.logs()),
            },
            other => other,
        })
    }

    fn spawn(&mut self) -> HarnessResult<()> {
        let stale = self.data_dir.join(LISTENERS_FILE);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(HarnessError::io("removing", stale, error)),
        }
        self.runs += 1;
        let stdout = self.open_log(STDOUT_LOG)?;
        let stderr = self.open_log(STDERR_LOG)?;
        let mut args: Vec<String> = vec![
            "serve".into(),
            "--data-dir".into(),
            self.data_dir.display().to_string(),
            "--public-listen".into(),
            "127.0.0.1:0".into(),
            "--local-listen".into(),
            "127.0.0.1:0".into(),
        ];
        if let Some(config) = &self.config_path {
            args.push("--config".into());
            args.push(config.display().to_string());
        }
        let binary = match self.options.umask {
            Some(umask) => self.binary.under_umask(umask),
            None => self.binary.clone(),
        };
        let mut command = binary.command(&args);
        if self.options.secrets_via_env {
            command
                .env("WAYGATE_APP_SECRET", self.options.app_secret.expose())
                .env("WAYGATE_VERIFY_TOKEN", self.options.verify_token.expose())
                .env(
                    "WAYGATE_OPERATOR_TOKEN",
                    self.options.operator_token.expose(),
                );
        } else {
            command
                .env_remove("WAYGATE_APP_SECRET")
                .env_remove("WAYGATE_VERIFY_TOKEN")
                .env_remove("WAYGATE_OPERATOR_TOKEN");
        }
        // A test run under systemd must not make the gateway talk to the test's service manager.
        for variable in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            command.env_remove(variable);
        }
        command
            .envs(self.options.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true);
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "info");
        }
        let child = command.spawn().map_err(|source| HarnessError::Process {
            what: "spawn",
            source,
        })?;
        self.child = Some(child);
        self.listeners = None;
        Ok(())
    }

    fn open_log(&self, name: &str) -> HarnessResult<File> {
        let path = self.dir.path().join(name);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|error| HarnessError::io("opening", &path, error))?;
        writeln!(file, "===== harness: run {} =====", self.runs)
            .map_err(|error| HarnessError::io("writing", &path, error))?;
        Ok(file)
    }
}

/// The exit status once the process has exited (it is then reaped and forgotten).
fn exit_status(child: &mut Option<Child>) -> Result<Option<ExitStatus>, String> {
    let Some(process) = child.as_mut() else {
        return Err("gateway not running".to_owned());
    };
    match process.try_wait() {
        Ok(None) => Ok(None),
        Ok(Some(status)) => {
            *child = None;
            Ok(Some(status))
        }
        Err(error) => Err(format!("try_wait: {error}")),
    }
}

fn check_alive(child: &mut Option<Child>) -> HarnessResult<()> {
    let Some(process) = child.as_mut() else {
        return Err(HarnessError::State("gateway not running"));
    };
    match process.try_wait() {
        Ok(None) => Ok(()),
        Ok(Some(status)) => {
            *child = None;
            Err(HarnessError::ExitedEarly {
                status: status.to_string(),
            })
        }
        Err(source) => Err(HarnessError::Process {
            what: "try_wait",
            source,
        }),
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _killed = child.start_kill();
        }
        if std::thread::panicking() {
            eprintln!("gateway logs ({:?}):\n{}", self.dir.path(), self.logs());
            if std::env::var_os("WAYGATE_E2E_KEEP").is_some() {
                let kept = self.dir.path().to_path_buf();
                if let Ok(dir) = tempfile::Builder::new().tempdir() {
                    let dir = std::mem::replace(&mut self.dir, dir);
                    let _kept_path = dir.keep();
                    eprintln!("kept {}", kept.display());
                }
            }
        }
    }
}
