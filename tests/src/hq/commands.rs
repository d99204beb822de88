//! The simulated HQ's command queue: commands in insertion order with string ids (`c1`,
//! `c2`... unless the test gives one), served by `GET /commands?gateway_id=..&after=<id>&wait=<s>`
//! as `{"commands": [...]}` after the position of `after`, and the faults a test scripts on the
//! next answer: every command again (a redelivery), no signature, a stale timestamp.

use serde_json::{Value, json};

/// How HQ signed one commands answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerSigning {
    /// The Standard Webhooks headers with HQ's clock.
    Signed,
    /// No signature headers at all.
    Unsigned,
    /// Signed, with a timestamp ten minutes old.
    Stale,
}

/// One commands poll, as HQ saw and answered it.
#[derive(Debug, Clone)]
pub struct CommandsRequest {
    /// The `gateway_id` parameter.
    pub gateway_id: Option<String>,
    /// The `after` parameter (the last command id the gateway holds).
    pub after: Option<String>,
    /// The `wait` parameter as written (seconds).
    pub wait: Option<String>,
    /// The ids of the commands answered, in order.
    pub served: Vec<String>,
    /// How the answer was signed.
    pub signing: AnswerSigning,
    /// The answer's `webhook-id`.
    pub webhook_id: String,
}

impl CommandsRequest {
    /// The poll's parameters, from its query string.
    pub(crate) fn from_query(query: &str) -> Self {
        let mut request = Self {
            gateway_id: None,
            after: None,
            wait: None,
            served: Vec::new(),
            signing: AnswerSigning::Signed,
            webhook_id: String::new(),
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "gateway_id" => &mut request.gateway_id,
                "after" => &mut request.after,
                "wait" => &mut request.wait,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        request
    }

    /// The longest hold the poll asked for, capped at a minute.
    pub(crate) fn wait_s(&self) -> u64 {
        self.wait
            .as_deref()
            .and_then(|wait| wait.parse().ok())
            .unwrap_or(0_u64)
            .min(60)
    }
}

/// The commands and the scripted faults of the next answer.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    commands: Vec<Value>,
    numbered: u64,
    answers: u64,
    replay_next: bool,
    unsigned_next: bool,
    stale_next: bool,
}

impl Queue {
    /// Queues `command`, giving it the id `c<n>` unless it has one; returns the id.
    pub(crate) fn push(&mut self, mut command: Value) -> String {
        self.numbered += 1;
        let id = match command.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let id = format!("c{}", self.numbered);
                if let Some(fields) = command.as_object_mut() {
                    fields.insert("id".to_owned(), json!(id));
                }
                id
            }
        };
        self.commands.push(command);
        id
    }

    /// The next answer serves every command again, ignoring its `after` once.
    pub(crate) const fn replay_next(&mut self) {
        self.replay_next = true;
    }

    /// The next answer goes out without signature headers.
    pub(crate) const fn unsigned_next(&mut self) {
        self.unsigned_next = true;
    }

    /// The next answer is signed with a timestamp ten minutes old.
    pub(crate) const fn stale_next(&mut self) {
        self.stale_next = true;
    }

    /// The commands after `after` (from the start when it is absent, empty or unknown, or when
    /// a replay is scripted).
    pub(crate) fn pending(&self, after: Option<&str>) -> &[Value] {
        let start = match after {
            _ if self.replay_next => 0,
            Some(after) if !after.is_empty() => self
                .commands
                .iter()
                .position(|command| command.get("id").and_then(Value::as_str) == Some(after))
                .map_or(0, |index| index + 1),
            _ => 0,
        };
        self.commands.get(start..).unwrap_or_default()
    }

    /// Makes the answer to `request`: its body, and how it is to be signed (the scripted faults
    /// are used up). Fills in what was served.
    pub(crate) fn answer(&mut self, request: &mut CommandsRequest) -> Vec<u8> {
        let commands = self.pending(request.after.as_deref()).to_vec();
        self.replay_next = false;
        self.answers += 1;
        request.webhook_id = format!("cmd-{}", self.answers);
        request.signing = if std::mem::take(&mut self.unsigned_next) {
            AnswerSigning::Unsigned
        } else if std::mem::take(&mut self.stale_next) {
            AnswerSigning::Stale
        } else {
            AnswerSigning::Signed
        };
        request.served = commands
            .iter()
            .filter_map(|command| command.get("id").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        json!({ "commands": commands }).to_string().into_bytes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn commands_follow_their_cursor_and_a_replay_serves_them_again() {
        let mut queue = Queue::default();
        assert_eq!(queue.push(json!({"type": "accept", "chat_id": 1})), "c1");
        assert_eq!(queue.push(json!({"id": "hq-7", "type": "close"})), "hq-7");
        assert_eq!(queue.push(json!({"type": "accept"})), "c3");
        let ids = |commands: &[Value]| -> Vec<String> {
            commands
                .iter()
                .map(|command| command["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(queue.pending(None)), ["c1", "hq-7", "c3"]);
        assert_eq!(ids(queue.pending(Some(""))), ["c1", "hq-7", "c3"]);
        assert_eq!(ids(queue.pending(Some("hq-7"))), ["c3"]);
        assert!(queue.pending(Some("c3")).is_empty());
        queue.replay_next();
        queue.unsigned_next();
        let mut request = CommandsRequest::from_query("gateway_id=gw%3A1&after=c3&wait=25");
        assert_eq!(request.gateway_id.as_deref(), Some("gw:1"));
        assert_eq!(request.wait_s(), 25);
        let body = queue.answer(&mut request);
        assert_eq!(request.served, ["c1", "hq-7", "c3"]);
        assert_eq!(request.signing, AnswerSigning::Unsigned);
        assert_eq!(request.webhook_id, "cmd-1");
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(answer["commands"][1]["type"], "close");
        let mut next = CommandsRequest::from_query("after=c3");
        queue.answer(&mut next);
        assert!(next.served.is_empty(), "the replay is used up");
        assert_eq!(next.signing, AnswerSigning::Signed);
    }
}
