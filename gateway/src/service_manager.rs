//! Telling the service manager (systemd, `Type=notify`) how the gateway is: `READY=1` once both
//! listeners are bound and the store is open, `STOPPING=1` when shutdown begins, and
//! `WATCHDOG=1` every half `WATCHDOG_USEC` while the store writer is alive.
//!
//! **Alive** means: the store writer thread took a sweep request off its queue and answered it
//! within a quarter of `WATCHDOG_USEC`. The request waits behind everything queued before it,
//! so a writer that is stuck (a commit hung on a dead disk, a deadlock) or hopelessly behind
//! stops the pings, and systemd restarts the gateway (`Restart=on-failure`). A writer that is
//! recovering from a full disk still answers, so it is alive: a restart would not free the
//! disk, and `/readyz` already says why writes are refused. The pings come from a task on the
//! async runtime, so a runtime that no longer runs tasks stops them too.
//!
//! Without `NOTIFY_SOCKET` (not started by systemd) nothing is sent and no watchdog runs.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::store::{Store, StoreError};

/// The variable that names the service manager's notification socket.
const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// The service manager this process reports to, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceManager {
    /// `WATCHDOG_USEC`: how long systemd waits for a `WATCHDOG=1` before it kills the gateway.
    watchdog: Option<Duration>,
}

impl ServiceManager {
    /// The service manager named by `NOTIFY_SOCKET`, or `None` when it is unset.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(NOTIFY_SOCKET)?;
        Some(Self {
            watchdog: sd_notify::watchdog_enabled(),
        })
    }

    /// Reports the gateway ready: both listeners bound, the store open.
    pub fn ready(&self, public: SocketAddr, local: SocketAddr) {
        let status = format!("ready: webhooks on {public}, local API on {local}");
        send(&[NotifyState::Ready, NotifyState::Status(&status)]);
    }

    /// Reports that shutdown has begun.
    pub fn stopping(&self) {
        send(&[
            NotifyState::Stopping,
            NotifyState::Status("stopping: finishing requests in flight"),
        ]);
    }

    /// Sends `WATCHDOG=1` every half watchdog period while `store`'s writer is alive (see the
    /// module's documentation), until `stop`. Returns at once when systemd set no watchdog.
    pub async fn watchdog(self, store: Store, stop: CancellationToken) {
        let Some(period) = self.watchdog else {
            return;
        };
        debug!(?period, "systemd watchdog on");
        feed_while_alive(
            period,
            || store.sweep(),
            || send(&[NotifyState::Watchdog]),
            stop,
        )
        .await;
    }
}

/// Every `period / 2`, asks `probe` and calls `feed` when it answers `Ok` within `period / 4`;
/// until `stop`. A feed is then never more than `3 * period / 4` after the one before.
async fn feed_while_alive<P, F>(
    period: Duration,
    mut probe: impl FnMut() -> P,
    mut feed: F,
    stop: CancellationToken,
) where
    P: Future<Output = Result<(), StoreError>>,
    F: FnMut(),
{
    let deadline = period / 4;
    let mut ticks = tokio::time::interval(period / 2);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.cancelled() => return,
        }
        let answer = tokio::select! {
            answer = tokio::time::timeout(deadline, probe()) => answer,
            () = stop.cancelled() => return,
        };
        match answer {
            Ok(Ok(())) => feed(),
            Ok(Err(error)) => {
                warn!(%error, "the store writer is gone; systemd's watchdog is not fed");
            }
            Err(_) => warn!(
                ?deadline,
                "the store writer did not answer in time; systemd's watchdog is not fed"
            ),
        }
    }
}

/// Sends `states` to the service manager; a failure is logged (systemd then sees no readiness
/// or no watchdog, and says so in `systemctl status`).
fn send(states: &[NotifyState<'_>]) {
    if let Err(error) = sd_notify::notify(states) {
        warn!(%error, "cannot notify systemd through NOTIFY_SOCKET");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    const PERIOD: Duration = Duration::from_secs(4);

    /// Runs the loop for `run_for` (paused time) with `probe` and returns how often it fed.
    async fn feeds<P>(probe: impl FnMut() -> P + Send + 'static, run_for: Duration) -> u32
    where
        P: Future<Output = Result<(), StoreError>> + Send + 'static,
    {
        let fed = Arc::new(AtomicU32::new(0));
        let stop = CancellationToken::new();
        let counter = Arc::clone(&fed);
        let task = tokio::spawn(feed_while_alive(
            PERIOD,
            probe,
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
            },
            stop.clone(),
        ));
        tokio::time::sleep(run_for).await;
        stop.cancel();
        let _ = task.await;
        fed.load(Ordering::SeqCst)
    }

    #[tokio::test(start_paused = true)]
    async fn an_answering_writer_feeds_every_half_period() {
        // Ticks at 0, 2, 4, 6 and 8 s.
        let fed = feeds(|| async { Ok(()) }, Duration::from_millis(9_000)).await;
        assert_eq!(fed, 5);
    }

    #[tokio::test(start_paused = true)]
    async fn a_writer_slower_than_a_quarter_period_feeds_nothing() {
        let slow = || async {
            tokio::time::sleep(PERIOD / 4 + Duration::from_millis(1)).await;
            Ok(())
        };
        assert_eq!(feeds(slow, Duration::from_secs(20)).await, 0);
        let stuck = || std::future::pending::<Result<(), StoreError>>();
        assert_eq!(feeds(stuck, Duration::from_secs(20)).await, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_gone_writer_feeds_nothing() {
        let gone = || async { Err(StoreError::WriterGone) };
        assert_eq!(feeds(gone, Duration::from_secs(20)).await, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_writer_that_answers_just_in_time_feeds() {
        let prompt_enough = || async {
            tokio::time::sleep(PERIOD / 4 - Duration::from_millis(1)).await;
            Ok(())
        };
        // Ticks at 0, 2 and 4 s, each answered 0.999 s later.
        assert_eq!(feeds(prompt_enough, Duration::from_millis(5_500)).await, 3);
    }
}
