//! Property tests: random event sequences under random clocks (forwards, backwards, exactly at
//! deadlines) keep the lifecycle's promises.
#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;

const BASE: UnixMs = 1_000_000;

/// How the clock moves before an event.
#[derive(Debug, Clone)]
enum Clock {
    /// Forwards by this many milliseconds.
    Forward(u64),
    /// To any reading around the start (often backwards).
    Absolute(u64),
    /// To the current deadline, shifted by -1, 0 or +1 ms (boundaries).
    AtDeadline(i8),
}

/// An action in a sequence.
#[derive(Debug, Clone)]
enum Action {
    /// `step` this event.
    Step(ChatEvent),
    /// Route a customer message with these hits (may open a new chat).
    Route(u32),
}

fn settings_strategy() -> impl Strategy<Value = LifecycleSettings> {
    (0..=50_u64, 0..=50_u64, any::<bool>(), 0..=50_u64, 0..=4_u32).prop_map(
        |(unattended, idle, bot_enabled, bot_idle, profanity_limit)| LifecycleSettings {
            unattended: Span::from_millis(unattended),
            idle: Span::from_millis(idle),
            bot_enabled,
            bot_idle: Span::from_millis(bot_idle),
            profanity_limit,
        },
    )
}

fn operator() -> impl Strategy<Value = String> {
    prop_oneof![Just("aiko"), Just("ben")].prop_map(String::from)
}

fn event_strategy() -> impl Strategy<Value = ChatEvent> {
    prop_oneof![
        4 => (0..=2_u32).prop_map(|profanity_hits| ChatEvent::CustomerMessage { profanity_hits }),
        2 => operator().prop_map(|operator| ChatEvent::OperatorAccept { operator }),
        3 => operator().prop_map(|operator| ChatEvent::OperatorMessage { operator }),
        1 => operator().prop_map(|operator| ChatEvent::OperatorClose { operator }),
        1 => prop_oneof![Just("support"), Just("sales")]
            .prop_map(|department| ChatEvent::Transfer { department: department.into() }),
        3 => Just(ChatEvent::TimerDue),
        2 => Just(ChatEvent::BotMessage),
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        5 => event_strategy().prop_map(Action::Step),
        1 => (0..=2_u32).prop_map(Action::Route),
    ]
}

fn clock_strategy() -> impl Strategy<Value = Clock> {
    prop_oneof![
        4 => (0..=40_u64).prop_map(Clock::Forward),
        1 => (0..=400_u64).prop_map(Clock::Absolute),
        2 => (-1..=1_i8).prop_map(Clock::AtDeadline),
    ]
}

fn advance(now: UnixMs, clock: &Clock, chat: &Chat) -> UnixMs {
    match clock {
        Clock::Forward(ms) => now + ms,
        Clock::Absolute(ms) => BASE - 100 + ms,
        Clock::AtDeadline(shift) => chat.deadline.map_or(now, |deadline| {
            deadline.at.saturating_add_signed(i64::from(*shift))
        }),
    }
}

fn new_chat(id: u64, now: UnixMs, settings: &LifecycleSettings, hits: u32) -> Transition {
    open(
        ChatId(id),
        BusinessNumber("pn".into()),
        CustomerId::WaId("1555".into()),
        Some("support".into()),
        now,
        settings,
        hits,
    )
}

/// When the chat's deadline was last set, and for how long.
#[derive(Debug, Clone, Copy)]
struct LastReset {
    at: UnixMs,
    span: Span,
}

/// (b) every deadline set is exactly `now + span >= now`, the chat holds the last one set, and
/// a deadline that was not reset stays where it was.
fn check_deadlines(
    transition: &Transition,
    now: UnixMs,
    settings: &LifecycleSettings,
    last_reset: &mut Option<LastReset>,
) -> Result<(), TestCaseError> {
    for effect in &transition.effects {
        if let Effect::DeadlineSet { at, kind, .. } = effect {
            let span = kind.span(settings);
            prop_assert_eq!(*at, span.after(now));
            prop_assert!(*at >= now);
            *last_reset = Some(LastReset { at: now, span });
        }
    }
    if let Some(deadline) = transition.chat.deadline {
        let reset = last_reset.unwrap();
        prop_assert_eq!(deadline.at, reset.span.after(reset.at));
        prop_assert!(
            deadline.at >= reset.at,
            "a deadline is never earlier than its last reset"
        );
    }
    Ok(())
}

/// Effects agree with the chat: `Closed` comes last and only when the chat closed in this step.
fn check_effects(before: &Chat, transition: &Transition) -> Result<(), TestCaseError> {
    let closed_here = transition.closed();
    if let Some((reason, at)) = closed_here {
        prop_assert_eq!(
            transition.effects.last(),
            Some(&Effect::Closed { reason, at })
        );
        prop_assert_eq!(&transition.chat.state, &ChatState::Closed { reason, at });
    }
    prop_assert_eq!(
        transition.chat.is_closed(),
        before.is_closed() || closed_here.is_some()
    );
    prop_assert_eq!(
        transition.chat.is_closed(),
        transition.chat.deadline.is_none()
    );
    prop_assert_eq!(transition.chat.id, before.id);
    Ok(())
}

/// (c) a chat that is not closed has a way to close: its timer at the deadline closes it with
/// the deadline as the close time, and before that an operator can close it.
fn check_can_close(chat: &Chat, settings: &LifecycleSettings) -> Result<(), TestCaseError> {
    if chat.is_closed() {
        return Ok(());
    }
    let deadline = chat.deadline.unwrap();
    let timer = step(chat, &ChatEvent::TimerDue, deadline.at, settings).unwrap();
    prop_assert_eq!(
        timer.closed(),
        Some((deadline.kind.close_reason(), deadline.at))
    );
    if deadline.at > 0 {
        let operator = match chat.served_by() {
            Some(Server::Operator(name)) => name.clone(),
            Some(Server::Bot) | None => "someone".into(),
        };
        let now = deadline.at - 1;
        let closed = step(chat, &ChatEvent::OperatorClose { operator }, now, settings).unwrap();
        prop_assert_eq!(closed.closed(), Some((CloseReason::Operator, now)));
    }
    Ok(())
}

/// (a) a closed chat never changes: refused with its own reason, or left bit-identical.
fn check_closed_never_changes(
    before: &Chat,
    result: &Result<Transition, Refusal>,
) -> Result<(), TestCaseError> {
    let ChatState::Closed { reason, at } = before.state else {
        return Ok(());
    };
    match result {
        Err(refusal) => prop_assert_eq!(refusal, &Refusal::Closed { reason, at }),
        Ok(transition) => {
            prop_assert!(transition.effects.is_empty());
            prop_assert_eq!(
                postcard::to_stdvec(&transition.chat).unwrap(),
                postcard::to_stdvec(before).unwrap()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lifecycle_keeps_its_promises(
        settings in settings_strategy(),
        first_hits in 0..=2_u32,
        actions in proptest::collection::vec((clock_strategy(), action_strategy()), 1..60),
    ) {
        let mut now = BASE;
        let opened = new_chat(1, now, &settings, first_hits);
        let mut last_reset = None;
        check_deadlines(&opened, now, &settings, &mut last_reset)?;
        let mut chat = opened.chat;
        let mut next_id = 2;
        check_can_close(&chat, &settings)?;

        for (clock, action) in &actions {
            now = advance(now, clock, &chat);
            match action {
                Action::Step(event) => {
                    let result = step(&chat, event, now, &settings);
                    if let ChatEvent::OperatorMessage { operator } = event {
                        // Asking first gives the same answer as writing.
                        prop_assert_eq!(
                            check_operator_may_write(&chat, operator, now).err(),
                            result.as_ref().err().cloned()
                        );
                    }
                    check_closed_never_changes(&chat, &result)?;
                    let Ok(transition) = result else { continue };
                    check_effects(&chat, &transition)?;
                    check_deadlines(&transition, now, &settings, &mut last_reset)?;
                    if let ChatEvent::TimerDue = event
                        && let Some((_, at)) = transition.closed()
                    {
                        // A timer closes at the deadline, never later than asked and never early.
                        prop_assert_eq!(Some(at), chat.deadline.map(|deadline| deadline.at));
                        prop_assert!(at <= now);
                    }
                    chat = transition.chat;
                }
                Action::Route(hits) => {
                    let message = IncomingMessage {
                        number: chat.number.clone(),
                        customer: chat.customer.clone(),
                        department: Some("support".into()),
                        profanity_hits: *hits,
                    };
                    let mut allocated = None;
                    let route = route_customer_message(Some(&chat), message, now, &settings, || {
                        allocated = Some(ChatId(next_id));
                        ChatId(next_id)
                    })
                    .unwrap();
                    match route {
                        ChatRoute::Existing(transition) => {
                            prop_assert!(allocated.is_none());
                            prop_assert!(!chat.is_closed());
                            check_effects(&chat, &transition)?;
                            check_deadlines(&transition, now, &settings, &mut last_reset)?;
                            chat = transition.chat;
                        }
                        ChatRoute::Opened { expired, opened } => {
                            // Only a closed or overdue chat gives way, and never reopens.
                            prop_assert_eq!(allocated, Some(ChatId(next_id)));
                            prop_assert_ne!(opened.chat.id, chat.id);
                            match expired {
                                Some(expired) => {
                                    let due = chat.due_deadline(now).unwrap();
                                    prop_assert_eq!(
                                        expired.closed(),
                                        Some((due.kind.close_reason(), due.at))
                                    );
                                }
                                None => prop_assert!(chat.is_closed()),
                            }
                            next_id += 1;
                            last_reset = None;
                            check_deadlines(&opened, now, &settings, &mut last_reset)?;
                            chat = opened.chat;
                        }
                    }
                }
            }
            check_can_close(&chat, &settings)?;
        }
    }
}
