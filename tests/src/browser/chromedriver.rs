//! The `chromedriver` process: started on a free loopback port it picks itself (`--port=0`,
//! which it reports on its standard output), ready once `GET /status` says so, ended with its
//! own `/shutdown` (which quits the browsers it started) and then killed if still there.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, ChildStdout};

use crate::error::{HarnessError, HarnessResult};
use crate::http_client::Endpoint;
use crate::knobs::{chromedriver_path, operation_deadline, ready_deadline};
use crate::listeners::poll_until;

/// What chromedriver prints once it listens: "... started successfully on port 41234."
const STARTED_ON_PORT: &str = "started successfully on port ";
/// How long [`ChromeDriver`]'s drop waits for `/shutdown` to be answered (a failure detector:
/// the process is killed either way).
const SHUTDOWN_ON_DROP: Duration = Duration::from_secs(5);

/// A running chromedriver; killed when dropped.
#[derive(Debug)]
pub(super) struct ChromeDriver {
    child: Option<Child>,
    address: SocketAddr,
    log_path: PathBuf,
}

impl ChromeDriver {
    /// Starts chromedriver (`WAYGATE_E2E_CHROMEDRIVER`, default `/usr/bin/chromedriver`) with its
    /// log in `log_path`, and waits until its `/status` reports it ready.
    ///
    /// # Errors
    /// When it is not installed, cannot start, exits, or is not ready within the readiness
    /// deadline.
    pub(super) async fn start(log_path: &Path) -> HarnessResult<Self> {
        let program = chromedriver_path();
        if !program.is_file() {
            return Err(HarnessError::Invalid(format!(
                "{} does not exist: install Debian's chromium and chromium-driver \
                 (`apt-get install chromium chromium-driver`) or set WAYGATE_E2E_CHROMEDRIVER",
                program.display()
            )));
        }
        let mut child = tokio::process::Command::new(&program)
            .arg("--port=0")
            .arg(format!("--log-path={}", log_path.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| HarnessError::Process {
                what: "spawn chromedriver",
                source,
            })?;
        let stdout = child.stdout.take().ok_or(HarnessError::State(
            "chromedriver's standard output was not captured",
        ))?;
        let mut driver = Self {
            child: Some(child),
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_path: log_path.to_path_buf(),
        };
        let port = tokio::time::timeout(ready_deadline(), reported_port(stdout))
            .await
            .map_err(|_elapsed| {
                HarnessError::Timeout(format!(
                    "chromedriver did not report its port within {:?}\n{}",
                    ready_deadline(),
                    driver.log_tail()
                ))
            })??;
        driver.address = SocketAddr::from(([127, 0, 0, 1], port));
        driver.wait_ready().await?;
        Ok(driver)
    }

    /// The URL fantoccini connects to.
    pub(super) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Where it listens, for the commands fantoccini does not have (the performance log).
    pub(super) const fn endpoint(&self) -> Endpoint {
        Endpoint {
            addr: self.address,
            tls: None,
        }
    }

    /// The last lines of its log (the WebDriver commands and their answers), for a failure
    /// message.
    pub(super) fn log_tail(&self) -> String {
        const TAIL: usize = 16 * 1024;
        let text = std::fs::read(&self.log_path).unwrap_or_default();
        let start = text.len().saturating_sub(TAIL);
        format!(
            "----- {} (last {} bytes) -----\n{}",
            self.log_path.display(),
            text.len() - start,
            String::from_utf8_lossy(&text[start..])
        )
    }

    async fn wait_ready(&mut self) -> HarnessResult<()> {
        let endpoint = self.endpoint();
        let child = &mut self.child;
        let ready = poll_until(
            ready_deadline(),
            || still_running(child),
            || probe_status(&endpoint),
        )
        .await;
        ready.map_err(|error| HarnessError::Http(format!("{error}\n{}", self.log_tail())))
    }

    /// Asks chromedriver to quit (it closes its browsers first) and waits for it to exit,
    /// killing it when the operation deadline passes.
    ///
    /// # Errors
    /// When it cannot be waited for.
    pub(super) async fn stop(mut self) -> HarnessResult<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Ok(mut connection) = self.endpoint().connect().await {
            // It may close the connection before answering: the exit below is what counts.
            let _answered = connection.get("/shutdown").await;
        }
        match tokio::time::timeout(operation_deadline(), child.wait()).await {
            Ok(waited) => waited.map(drop).map_err(|source| HarnessError::Process {
                what: "wait for chromedriver",
                source,
            }),
            Err(_elapsed) => {
                child.start_kill().map_err(|source| HarnessError::Process {
                    what: "kill chromedriver",
                    source,
                })?;
                Err(HarnessError::Timeout(format!(
                    "chromedriver did not exit within {:?} of /shutdown; killed",
                    operation_deadline()
                )))
            }
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        // A test that failed half-way: ask for /shutdown so that Chromium is not left behind
        // (killing chromedriver alone orphans it), then kill chromedriver.
        shutdown_blocking(self.address);
        let _killed = child.start_kill();
        if std::thread::panicking() {
            eprintln!("{}", self.log_tail());
        }
    }
}

/// `GET /shutdown` over a blocking socket, answered or not within [`SHUTDOWN_ON_DROP`].
fn shutdown_blocking(address: SocketAddr) {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, SHUTDOWN_ON_DROP) else {
        return;
    };
    let _timeouts = stream
        .set_read_timeout(Some(SHUTDOWN_ON_DROP))
        .and_then(|()| stream.set_write_timeout(Some(SHUTDOWN_ON_DROP)));
    let request = format!("GET /shutdown HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _read = stream.read_to_end(&mut answer);
    }
}

/// Reads chromedriver's standard output until it names its port; the rest is drained in the
/// background so that it never blocks on a full pipe.
async fn reported_port(stdout: ChildStdout) -> HarnessResult<u16> {
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = String::new();
    loop {
        let line = lines
            .next_line()
            .await
            .map_err(|error| HarnessError::io("reading the output of", "chromedriver", error))?;
        let Some(line) = line else {
            return Err(HarnessError::ExitedEarly {
                status: format!("chromedriver closed its output before naming a port:\n{seen}"),
            });
        };
        if let Some(port) = port_of(&line) {
            tokio::spawn(async move { while let Ok(Some(_line)) = lines.next_line().await {} });
            return Ok(port);
        }
        seen.push_str(&line);
        seen.push('\n');
    }
}

/// The port in chromedriver's "started successfully on port N." line.
fn port_of(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once(STARTED_ON_PORT)?;
    rest.trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

/// One readiness probe: `GET /status` answers `{"value": {"ready": true, ...}}`.
async fn probe_status(endpoint: &Endpoint) -> Result<(), String> {
    let mut connection = endpoint
        .connect()
        .await
        .map_err(|error| error.to_string())?;
    let reply = connection
        .get("/status")
        .await
        .map_err(|error| error.to_string())?;
    let status: Value = serde_json::from_slice(&reply.body)
        .map_err(|error| format!("/status is not JSON ({error}): {}", reply.text()))?;
    if status["value"]["ready"] == true {
        Ok(())
    } else {
        Err(format!("/status: {status}"))
    }
}

fn still_running(child: &mut Option<Child>) -> HarnessResult<()> {
    let Some(process) = child.as_mut() else {
        return Err(HarnessError::State("chromedriver not running"));
    };
    match process.try_wait() {
        Ok(None) => Ok(()),
        Ok(Some(status)) => Err(HarnessError::ExitedEarly {
            status: format!("chromedriver {status}"),
        }),
        Err(source) => Err(HarnessError::Process {
            what: "try_wait chromedriver",
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::port_of;

    #[test]
    fn the_port_is_read_from_the_started_line() {
        assert_eq!(
            port_of("ChromeDriver was started successfully on port 37779."),
            Some(37779)
        );
        assert_eq!(
            port_of("Starting ChromeDriver 156.0 (abc) on port 0"),
            None,
            "the first line names the requested port, not the bound one"
        );
    }
}
