//! The state machine: `open` starts a chat, `step` moves it. Pure: `now` is a parameter.

use super::event::{ChatEvent, Effect, Transition};
use super::model::{
    BusinessNumber, Chat, ChatId, ChatState, CloseReason, CustomerId, Deadline, DeadlineKind,
    Server,
};
use super::refusal::Refusal;
use super::settings::LifecycleSettings;
use crate::time::UnixMs;

/// Opens a new chat for the customer's first message at `now`.
///
/// With the bot on, the chat starts active with the bot and the bot's idle deadline; otherwise
/// it waits with the unattended deadline. When the first message alone reaches the profanity
/// limit, the chat opens closed (profanity) at `now` and has no deadline.
pub fn open(
    id: ChatId,
    number: BusinessNumber,
    customer: CustomerId,
    department: Option<String>,
    now: UnixMs,
    settings: &LifecycleSettings,
    first_message_profanity_hits: u32,
) -> Transition {
    let (state, deadline_kind) = if settings.bot_enabled {
        let served_by = Server::Bot;
        (ChatState::Active { served_by }, DeadlineKind::BotIdle)
    } else {
        (ChatState::Waiting, DeadlineKind::Unattended)
    };
    let mut next = Next {
        chat: Chat {
            id,
            number,
            customer,
            department,
            state,
            opened_at: now,
            last_customer_message_at: now,
            last_activity_at: now,
            deadline: None,
            profanity_hits: first_message_profanity_hits,
            messages: 1,
        },
        effects: vec![Effect::Opened { at: now }],
    };
    let closes = settings.profanity_limit_reached(first_message_profanity_hits);
    if settings.bot_enabled && !closes {
        next.effects.push(Effect::Assigned {
            server: Server::Bot,
            at: now,
        });
    }
    next.count_profanity(first_message_profanity_hits, 0);
    if closes {
        next.close(CloseReason::Profanity, now);
    } else {
        next.set_deadline(deadline_kind, now, settings);
    }
    next.finish()
}

/// Applies `event` at `now` to `chat`.
///
/// - A closed chat never changes: [`ChatEvent::TimerDue`] leaves it as it is (a late or repeated
///   sweep is harmless), any other event is refused with [`Refusal::Closed`].
/// - A chat whose deadline has passed (`now >= deadline`) is as good as closed at that
///   deadline: `TimerDue` closes it with the deadline as the close time, any other event is
///   refused as closed (the sweep persists the same close). Route a customer message with
///   [`route_customer_message`](super::route_customer_message) instead: it closes the overdue
///   chat and opens a new one.
/// - Otherwise see the module documentation for each event.
pub fn step(
    chat: &Chat,
    event: &ChatEvent,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Result<Transition, Refusal> {
    if let ChatState::Closed { reason, at } = chat.state {
        return match event {
            ChatEvent::TimerDue => Ok(Transition::unchanged(chat)),
            _ => Err(Refusal::Closed { reason, at }),
        };
    }
    if let Some(due) = chat.due_deadline(now) {
        return match event {
            ChatEvent::TimerDue => Ok(close_overdue(chat, due)),
            _ => Err(Refusal::Closed {
                reason: due.kind.close_reason(),
                at: due.at,
            }),
        };
    }
    match event {
        ChatEvent::TimerDue => Ok(Transition::unchanged(chat)),
        ChatEvent::CustomerMessage { profanity_hits } => {
            Ok(customer_message(chat, *profanity_hits, now, settings))
        }
        ChatEvent::OperatorAccept { operator } => operator_accept(chat, operator, now, settings),
        ChatEvent::OperatorMessage { operator } => operator_message(chat, operator, now, settings),
        ChatEvent::OperatorClose { operator } => operator_close(chat, operator, now),
        ChatEvent::Transfer { department } => transfer(chat, department, now, settings),
        ChatEvent::BotMessage => bot_message(chat, now, settings),
    }
}

/// Whether `operator` may write in `chat` at `now`, without changing it: the same refusals
/// as [`step`] with [`ChatEvent::OperatorMessage`] (closed or overdue, or served by another
/// operator). For asking before sending.
pub fn check_operator_may_write(chat: &Chat, operator: &str, now: UnixMs) -> Result<(), Refusal> {
    if let ChatState::Closed { reason, at } = chat.state {
        return Err(Refusal::Closed { reason, at });
    }
    if let Some(due) = chat.due_deadline(now) {
        return Err(Refusal::Closed {
            reason: due.kind.close_reason(),
            at: due.at,
        });
    }
    check_operator(chat, operator).map(|_| ())
}

/// Closes a chat whose deadline `due` has passed, at the deadline.
pub(super) fn close_overdue(chat: &Chat, due: Deadline) -> Transition {
    let mut next = Next::from(chat);
    next.close(due.kind.close_reason(), due.at);
    next.finish()
}

/// The customer wrote to an open chat that is not overdue (the caller checked both).
pub(super) fn customer_message(
    chat: &Chat,
    hits: u32,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Transition {
    let mut next = Next::from(chat);
    next.record_message(now);
    next.chat.last_customer_message_at = now;
    let total = chat.profanity_hits.saturating_add(hits);
    next.chat.profanity_hits = total;
    next.count_profanity(hits, chat.profanity_hits);
    if settings.profanity_limit_reached(total) {
        next.close(CloseReason::Profanity, now);
    } else if let Some(kind) = idle_kind(&chat.state) {
        next.set_deadline(kind, now, settings);
    }
    // Waiting: the unattended deadline stays where it is.
    next.finish()
}

fn operator_accept(
    chat: &Chat,
    operator: &str,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Result<Transition, Refusal> {
    if check_operator(chat, operator)? == Serving::Already {
        return Ok(Transition::unchanged(chat));
    }
    let mut next = Next::from(chat);
    next.chat.last_activity_at = now;
    next.assign(operator, now);
    next.set_deadline(DeadlineKind::Idle, now, settings);
    Ok(next.finish())
}

fn operator_message(
    chat: &Chat,
    operator: &str,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Result<Transition, Refusal> {
    let serving = check_operator(chat, operator)?;
    let mut next = Next::from(chat);
    if serving == Serving::NotYet {
        // Replying to a waiting chat (or to the bot's) is accepting it.
        next.assign(operator, now);
    }
    next.record_message(now);
    next.set_deadline(DeadlineKind::Idle, now, settings);
    Ok(next.finish())
}

fn operator_close(chat: &Chat, operator: &str, now: UnixMs) -> Result<Transition, Refusal> {
    check_operator(chat, operator)?;
    let mut next = Next::from(chat);
    next.close(CloseReason::Operator, now);
    Ok(next.finish())
}

fn transfer(
    chat: &Chat,
    department: &str,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Result<Transition, Refusal> {
    if chat.state == ChatState::Waiting && chat.department.as_deref() == Some(department) {
        return Err(Refusal::AlreadyWaitingIn {
            department: department.to_owned(),
        });
    }
    let mut next = Next::from(chat);
    let from = next.chat.department.replace(department.to_owned());
    next.chat.state = ChatState::Waiting;
    next.effects.push(Effect::Transferred {
        from,
        to: department.to_owned(),
        at: now,
    });
    next.set_deadline(DeadlineKind::Unattended, now, settings);
    Ok(next.finish())
}

fn bot_message(
    chat: &Chat,
    now: UnixMs,
    settings: &LifecycleSettings,
) -> Result<Transition, Refusal> {
    if chat.served_by() != Some(&Server::Bot) {
        return Err(Refusal::BotNotServing);
    }
    let mut next = Next::from(chat);
    next.record_message(now);
    next.set_deadline(DeadlineKind::BotIdle, now, settings);
    Ok(next.finish())
}

/// The idle timer of an active chat's server; `None` while it waits.
fn idle_kind(state: &ChatState) -> Option<DeadlineKind> {
    match state {
        ChatState::Active {
            served_by: Server::Bot,
        } => Some(DeadlineKind::BotIdle),
        ChatState::Active {
            served_by: Server::Operator(_),
        } => Some(DeadlineKind::Idle),
        ChatState::Waiting | ChatState::Closed { .. } => None,
    }
}

/// Whether an operator already serves a chat they act on.
#[derive(Debug, PartialEq, Eq)]
enum Serving {
    /// They serve it.
    Already,
    /// It waits or the bot serves it: any operator may take it.
    NotYet,
}

/// An operator-served chat is its operator's: others are refused.
fn check_operator(chat: &Chat, operator: &str) -> Result<Serving, Refusal> {
    match chat.served_by() {
        Some(Server::Operator(serving)) if serving == operator => Ok(Serving::Already),
        Some(Server::Operator(serving)) => Err(Refusal::ServedByAnotherOperator {
            operator: serving.clone(),
        }),
        Some(Server::Bot) | None => Ok(Serving::NotYet),
    }
}

/// A chat being changed, with the effects so far.
struct Next {
    chat: Chat,
    effects: Vec<Effect>,
}

impl From<&Chat> for Next {
    fn from(chat: &Chat) -> Self {
        Self {
            chat: chat.clone(),
            effects: Vec::new(),
        }
    }
}

impl Next {
    fn finish(self) -> Transition {
        Transition {
            chat: self.chat,
            effects: self.effects,
        }
    }

    fn record_message(&mut self, now: UnixMs) {
        self.chat.messages = self.chat.messages.saturating_add(1);
        self.chat.last_activity_at = now;
    }

    fn count_profanity(&mut self, hits: u32, before: u32) {
        if hits > 0 {
            self.effects.push(Effect::ProfanityCounted {
                hits,
                total: before.saturating_add(hits),
            });
        }
    }

    fn assign(&mut self, operator: &str, now: UnixMs) {
        let server = Server::Operator(operator.to_owned());
        self.chat.state = ChatState::Active {
            served_by: server.clone(),
        };
        self.effects.push(Effect::Assigned { server, at: now });
    }

    /// Restarts the `kind` timer at `now`: the deadline is exactly `now + span`.
    fn set_deadline(&mut self, kind: DeadlineKind, now: UnixMs, settings: &LifecycleSettings) {
        let deadline = Deadline {
            at: kind.span(settings).after(now),
            kind,
        };
        let previous = self.chat.deadline.replace(deadline);
        if previous != Some(deadline) {
            self.effects.push(Effect::DeadlineSet {
                at: deadline.at,
                kind,
                previous,
            });
        }
    }

    fn close(&mut self, reason: CloseReason, at: UnixMs) {
        if let Some(previous) = self.chat.deadline.take() {
            self.effects.push(Effect::DeadlineCleared { previous });
        }
        self.chat.state = ChatState::Closed { reason, at };
        self.effects.push(Effect::Closed { reason, at });
    }
}
