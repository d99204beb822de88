//! The commands channel: long-polls `GET {upstream.commands_url}?gateway_id=..&after=<last
//! command id>&wait=25` (from behind NAT, the gateway asks), checks the answer's Standard
//! Webhooks signature and timestamp against the signing clock, and carries out its commands in
//! order through the store ([`Store::run_command`]: at most once per id, ever, with the
//! `command.result` event HQ receives in the same transaction).
//!
//! An answer that is unsigned, stale (more than 5 minutes from the signing clock), wrongly
//! signed, or not `{"commands": [...]}` is refused whole: logged, counted, shown in the status,
//! and the poll is made again after a backoff with the same `after` (nothing moved). The
//! cursor is the store's: it moves with each command carried out.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use tokio_util::sync::CancellationToken;

use super::UpstreamSettings;
use super::backoff::Backoff;
use super::client::{HqAnswer, HqClient, HqClientError};
use super::command::{read_answer, read_command};
use super::signature::{SignatureError, verify};
use super::signing_clock::SigningClock;
use super::sync_status::{CommandsState, SyncHandle};
use crate::api::Departments;
use crate::sender::SenderHandle;
use crate::store::{CommandOutcome, Store};
use crate::telemetry::{AnswerRefusal, CommandResult, UpstreamMetrics};

/// How long HQ may hold a poll, in seconds (`wait`).
pub const WAIT_S: u64 = 25;
/// How long a poll may take: HQ's hold plus time for the answer.
const POLL_DEADLINE: Duration = Duration::from_secs(WAIT_S + 10);
/// The largest answer taken; a longer one is refused whole.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// The least time between two polls that brought nothing (an HQ that answers at once).
const EMPTY_POLL_SPACING: Duration = Duration::from_secs(1);

/// The commands client. [`CommandsClient::run`] drives it.
pub struct CommandsClient {
    store: Store,
    client: HqClient,
    settings: Arc<UpstreamSettings>,
    url: http::Uri,
    clock: Arc<SigningClock>,
    handle: SyncHandle,
    metrics: UpstreamMetrics,
    departments: Departments,
    sender: SenderHandle,
}

impl std::fmt::Debug for CommandsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandsClient")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Why a poll brought no commands to carry out.
#[derive(Debug)]
enum PollFailure {
    /// No answer, or not a 2xx.
    Failed(String),
    /// The answer was refused whole.
    Refused(AnswerRefusal, String),
    /// The store could not carry out a command (it is asked for again).
    Store(String),
}

impl CommandsClient {
    /// A client of the commands of `settings` (`None` when no `commands_url` is configured),
    /// carrying them out in `store` (transfers checked against `departments`; a queued message
    /// wakes `sender`).
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    #[allow(
        clippy::too_many_arguments,
        reason = "the shell's collaborators, each named"
    )]
    pub fn new(
        store: Store,
        settings: Arc<UpstreamSettings>,
        clock: Arc<SigningClock>,
        handle: SyncHandle,
        metrics: UpstreamMetrics,
        departments: Departments,
        sender: SenderHandle,
    ) -> Result<Option<Self>, HqClientError> {
        let Some(url) = settings.commands_url.clone() else {
            return Ok(None);
        };
        Ok(Some(Self {
            store,
            client: HqClient::new()?,
            settings,
            url,
            clock,
            handle,
            metrics,
            departments,
            sender,
        }))
    }

    /// Polls until `stop`.
    pub async fn run(self, stop: CancellationToken) {
        tracing::info!(url = %self.url, "commands from headquarters: polling");
        let mut backoff = Backoff::default();
        let mut failing_since = None;
        // HQ's answers are judged by the signing clock: none is asked for before it is trusted.
        tokio::select! {
            () = stop.cancelled() => return,
            () = self.clock.wait_trusted() => {}
        }
        loop {
            let started = tokio::time::Instant::now();
            let polled = tokio::select! {
                () = stop.cancelled() => break,
                polled = self.poll_once() => polled,
            };
            let wait = match polled {
                Ok(carried_out) => {
                    backoff.succeeded();
                    if failing_since.take().is_some() {
                        tracing::info!("commands from headquarters: the poll works again");
                    }
                    self.set_state(CommandsState::Polling);
                    if carried_out == 0 {
                        EMPTY_POLL_SPACING.saturating_sub(started.elapsed())
                    } else {
                        Duration::ZERO
                    }
                }
                Err(failure) => {
                    let reason = match failure {
                        PollFailure::Failed(reason) | PollFailure::Store(reason) => reason,
                        PollFailure::Refused(refusal, reason) => {
                            self.metrics.answer_refused(refusal);
                            format!("the answer was refused: {reason}")
                        }
                    };
                    let now = self.clock.wall_ms();
                    let since = *failing_since.get_or_insert(now);
                    let wait = backoff.failed(None, 0, crate::sender::jitter());
                    tracing::warn!(%reason, failures = backoff.failures(), wait_ms = wait, "commands from headquarters: the poll failed; it is made again with the same cursor");
                    self.set_state(CommandsState::Failing { since, reason });
                    Duration::from_millis(wait)
                }
            };
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("commands from headquarters: stopped");
    }

    /// One poll: asks, checks, carries out. Returns how many commands were carried out.
    async fn poll_once(&self) -> Result<usize, PollFailure> {
        if self.clock.now_s().is_none() {
            return Err(PollFailure::Failed(
                "the clock is not trusted yet, so HQ's signed answers cannot be checked".into(),
            ));
        }
        let after = self
            .store
            .command_cursor()
            .await
            .map_err(|error| PollFailure::Store(error.to_string()))?;
        let answer = self.ask(after.as_deref()).await?;
        let commands = self.check(&answer)?;
        let mut carried_out = 0;
        let mut unanswerable = None;
        for value in &commands {
            let command = match read_command(value, &self.departments) {
                Ok(command) => command,
                Err(reason) => {
                    tracing::warn!(%reason, "commands from headquarters: a command cannot be answered and is skipped");
                    unanswerable = Some(reason);
                    continue;
                }
            };
            if let Err(reason) = &command.action {
                tracing::warn!(command = %command.id, command_type = %command.command_type, %reason, "commands from headquarters: a command cannot be carried out; it is refused");
            }
            let id = command.id.clone();
            let outcome = self
                .store
                .run_command(command)
                .await
                .map_err(|error| PollFailure::Store(format!("command {id}: {error}")))?;
            carried_out += 1;
            match outcome {
                CommandOutcome::Accepted { message } => {
                    self.metrics.command(CommandResult::Accepted);
                    tracing::info!(command = %id, message, "commands from headquarters: carried out");
                    if message.is_some() {
                        self.sender.wake();
                    }
                }
                CommandOutcome::Refused(reason) => {
                    self.metrics.command(CommandResult::Refused);
                    tracing::info!(command = %id, %reason, "commands from headquarters: refused");
                }
                CommandOutcome::AlreadyDone => {
                    self.metrics.command(CommandResult::AlreadyDone);
                    tracing::info!(command = %id, "commands from headquarters: carried out before; not again");
                }
            }
        }
        match unanswerable {
            // HQ would serve it again at once: back off instead.
            Some(reason) => Err(PollFailure::Refused(AnswerRefusal::Malformed, reason)),
            None => Ok(carried_out),
        }
    }

    /// `GET {commands_url}?gateway_id=..&after=..&wait=25`.
    async fn ask(&self, after: Option<&str>) -> Result<HqAnswer, PollFailure> {
        let uri = poll_uri(&self.url, &self.settings.gateway_id, after);
        let request = Request::get(uri)
            .body(Full::new(Bytes::new()))
            .map_err(|error| PollFailure::Failed(format!("the poll cannot be made: {error}")))?;
        let answer = self
            .client
            .exchange(request, POLL_DEADLINE, MAX_ANSWER_BYTES)
            .await
            .map_err(|failure| PollFailure::Failed(format!("HQ did not answer: {failure}")))?;
        if !(200..300).contains(&answer.status) {
            return Err(PollFailure::Failed(format!(
                "HQ answered HTTP {}: {}",
                answer.status,
                super::verdict::excerpt(&answer.body)
            )));
        }
        Ok(answer)
    }

    /// The commands of `answer`, once its signature, timestamp and form are checked.
    fn check(&self, answer: &HqAnswer) -> Result<Vec<serde_json::Value>, PollFailure> {
        if answer.truncated {
            return Err(PollFailure::Refused(
                AnswerRefusal::Malformed,
                format!("it is over {MAX_ANSWER_BYTES} bytes"),
            ));
        }
        let now_s = self
            .clock
            .now_s()
            .ok_or_else(|| PollFailure::Failed("the clock is not trusted yet".into()))?;
        verify(&self.settings.secret, &answer.headers, &answer.body, now_s).map_err(|error| {
            let refusal = match error {
                SignatureError::Missing { .. } => AnswerRefusal::Unsigned,
                SignatureError::Stale { .. } => AnswerRefusal::Stale,
                _ => AnswerRefusal::Signature,
            };
            PollFailure::Refused(refusal, error.to_string())
        })?;
        read_answer(&answer.body)
            .map_err(|reason| PollFailure::Refused(AnswerRefusal::Malformed, reason))
    }

    fn set_state(&self, state: CommandsState) {
        self.handle.update(|view| {
            if view.commands != state {
                view.commands = state;
            }
        });
    }
}

/// The poll's URI: `url` with `gateway_id`, `after` (when there is a cursor) and `wait` added
/// to its query.
pub fn poll_uri(url: &http::Uri, gateway_id: &str, after: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("gateway_id", gateway_id);
    query.append_pair("after", after.unwrap_or_default());
    query.append_pair("wait", &WAIT_S.to_string());
    let base = url.to_string();
    let separator = match url.query() {
        Some(existing) if !existing.is_empty() => "&",
        Some(_) => "",
        None => "?",
    };
    format!("{base}{separator}{}", query.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_poll_names_the_gateway_the_cursor_and_the_wait() {
        let url: http::Uri = "https://hq.example.com/commands".parse().unwrap();
        assert_eq!(
            poll_uri(&url, "gw-1", Some("c 7&x")),
            "https://hq.example.com/commands?gateway_id=gw-1&after=c+7%26x&wait=25"
        );
        assert_eq!(
            poll_uri(&url, "gw-1", None),
            "https://hq.example.com/commands?gateway_id=gw-1&after=&wait=25"
        );
        let with_query: http::Uri = "http://127.0.0.1:9/c?token=a".parse().unwrap();
        assert_eq!(
            poll_uri(&with_query, "g", None),
            "http://127.0.0.1:9/c?token=a&gateway_id=g&after=&wait=25"
        );
    }
}
