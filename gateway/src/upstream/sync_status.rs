//! What the sync to headquarters is doing, as the sink and the commands client publish it for
//! `GET /api/v1/status` and `waygate status`: whether it sends, and when it waits, why.

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::time::UnixMs;

/// The batch sink's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SinkState {
    /// No `[upstream]` is configured: nothing is sent.
    NotConfigured,
    /// Started; the clock is being measured.
    Starting,
    /// Waiting for a clock it can sign with.
    ClockUntrusted {
        /// Why it is not trusted.
        reason: String,
        /// Since when.
        since: UnixMs,
    },
    /// Sending the backlog.
    Sending,
    /// Everything formed so far is settled; waiting for new events.
    CaughtUp,
    /// HQ failed the batch being sent; it is sent again after a backoff.
    Retrying {
        /// Since when the batch fails.
        since: UnixMs,
        /// Failures in a row.
        failures: u32,
        /// The last failure.
        reason: String,
        /// When the next attempt is due.
        next_attempt_at: UnixMs,
    },
    /// HQ answered 410: the sync stopped until the gateway is restarted.
    Gone {
        /// When.
        since: UnixMs,
        /// What HQ said.
        reason: String,
    },
}

impl SinkState {
    /// Why the sync does not send now, in words; `None` while it sends or is caught up.
    pub fn waiting_reason(&self) -> Option<String> {
        match self {
            Self::NotConfigured => {
                Some("no upstream is configured ([upstream] url): events are kept, not sent".into())
            }
            Self::Starting => Some("starting: measuring the clock against HQ".into()),
            Self::ClockUntrusted { reason, .. } => {
                Some(format!("the clock is not trusted yet: {reason}"))
            }
            Self::Sending | Self::CaughtUp => None,
            Self::Retrying {
                since,
                failures,
                reason,
                ..
            } => Some(format!(
                "HQ is failing ({reason}): retrying since {} ({failures} failures in a row)",
                crate::time::Utc(*since)
            )),
            Self::Gone { since, reason } => Some(format!(
                "HQ answered 410 Gone at {} ({reason}): the sync stopped; restart the gateway once HQ takes it again",
                crate::time::Utc(*since)
            )),
        }
    }
}

/// The commands channel's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CommandsState {
    /// No `upstream.commands_url`.
    NotConfigured,
    /// Polling.
    Polling,
    /// The last poll failed or its answer was refused; polling again after a backoff.
    Failing {
        /// Since when.
        since: UnixMs,
        /// Why.
        reason: String,
    },
}

/// Everything published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncView {
    /// The sink.
    pub sink: SinkState,
    /// The signing clock's offset from the box's clock, in ms, once trusted.
    pub clock_offset_ms: Option<i64>,
    /// When HQ last acknowledged a batch.
    pub last_acknowledged_at: Option<UnixMs>,
    /// The commands channel.
    pub commands: CommandsState,
}

/// The shared view and a way to wake the sink (after a dead batch was put back). Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct SyncHandle {
    view: Arc<Mutex<SyncView>>,
    wake: Arc<Notify>,
}

impl SyncHandle {
    /// The handle of a gateway without an upstream.
    pub fn not_configured() -> Self {
        Self::with(SinkState::NotConfigured, CommandsState::NotConfigured)
    }

    /// The handle of a starting sync; `commands`: whether a commands channel is configured.
    pub fn starting(commands: bool) -> Self {
        let commands = if commands {
            CommandsState::Polling
        } else {
            CommandsState::NotConfigured
        };
        Self::with(SinkState::Starting, commands)
    }

    fn with(sink: SinkState, commands: CommandsState) -> Self {
        Self {
            view: Arc::new(Mutex::new(SyncView {
                sink,
                clock_offset_ms: None,
                last_acknowledged_at: None,
                commands,
            })),
            wake: Arc::new(Notify::new()),
        }
    }

    /// What is published now.
    pub fn view(&self) -> SyncView {
        self.lock().clone()
    }

    /// Whether an upstream is configured.
    pub fn configured(&self) -> bool {
        self.lock().sink != SinkState::NotConfigured
    }

    /// Changes what is published.
    pub fn update(&self, change: impl FnOnce(&mut SyncView)) {
        change(&mut self.lock());
    }

    /// Asks the sink to look at the store's batches again (a dead batch was put back).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when [`Self::wake`] was called.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SyncView> {
        self.view.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_waiting_state_says_why() {
        assert!(
            SinkState::NotConfigured
                .waiting_reason()
                .is_some_and(|why| why.contains("[upstream] url"))
        );
        let retrying = SinkState::Retrying {
            since: 1_767_323_045_000,
            failures: 3,
            reason: "HTTP 503".into(),
            next_attempt_at: 0,
        };
        assert_eq!(
            retrying.waiting_reason().as_deref(),
            Some(
                "HQ is failing (HTTP 503): retrying since 2026-01-02T03:04:05Z (3 failures in a row)"
            )
        );
        let gone = SinkState::Gone {
            since: 1_767_323_045_000,
            reason: "HTTP 410".into(),
        };
        assert!(gone.waiting_reason().is_some_and(|why| why.contains("410")));
        assert_eq!(SinkState::CaughtUp.waiting_reason(), None);
        assert_eq!(SinkState::Sending.waiting_reason(), None);
    }

    #[test]
    fn the_view_serialises_with_its_state_named() {
        let handle = SyncHandle::starting(true);
        handle.update(|view| {
            view.sink = SinkState::ClockUntrusted {
                reason: "no Date".into(),
                since: 5,
            };
        });
        let json = serde_json::to_value(handle.view()).unwrap_or_default();
        assert_eq!(json["sink"]["state"], "clock_untrusted");
        assert_eq!(json["commands"]["state"], "polling");
        assert!(handle.configured());
        assert!(!SyncHandle::not_configured().configured());
    }
}
