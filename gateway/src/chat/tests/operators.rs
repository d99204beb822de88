//! Operators, transfers, profanity and closed chats.

use super::*;

// --- operators ---

#[test]
fn replying_to_a_waiting_chat_accepts_it() {
    let s = settings();
    let t = ok(&opened(&s), reply("aiko"), T0 + MINUTE, &s);
    assert_eq!(t.chat.state, served_by("aiko"));
    assert_eq!(t.chat.messages, 2);
    assert_eq!(t.chat.deadline.unwrap().kind, DeadlineKind::Idle);
    assert!(matches!(t.effects[0], Effect::Assigned { .. }));
}

#[test]
fn another_operators_chat_is_refused_and_the_same_accept_is_a_no_op() {
    let s = settings();
    let chat = ok(&opened(&s), accept("aiko"), T0, &s).chat;
    let refusal = Refusal::ServedByAnotherOperator {
        operator: "aiko".into(),
    };
    for event in [accept("ben"), reply("ben"), close("ben")] {
        assert_eq!(step(&chat, &event, T0 + 1, &s).unwrap_err(), refusal);
    }
    assert!(
        refusal
            .to_string()
            .contains("operator aiko serves this chat")
    );
    let again = ok(&chat, accept("aiko"), T0 + 1, &s);
    assert_eq!(again.chat, chat);
    assert!(again.effects.is_empty());
}

#[test]
fn an_operator_closes_a_chat_at_now() {
    let s = settings();
    let chat = ok(&opened(&s), accept("aiko"), T0, &s).chat;
    let t = ok(&chat, close("aiko"), T0 + HOUR, &s);
    assert_eq!(
        t.chat.state,
        ChatState::Closed {
            reason: CloseReason::Operator,
            at: T0 + HOUR
        }
    );
    assert_eq!(t.chat.deadline, None);
    // A waiting chat can be closed by any operator (spam, duplicates).
    let waiting = ok(&opened(&s), close("ben"), T0 + 1, &s);
    assert_eq!(waiting.closed(), Some((CloseReason::Operator, T0 + 1)));
}

#[test]
fn transfer_makes_an_active_chat_wait_with_a_fresh_unattended_deadline() {
    let s = settings();
    let chat = ok(&opened(&s), accept("aiko"), T0, &s).chat;
    let at = T0 + 3 * HOUR;
    let t = ok(
        &chat,
        ChatEvent::Transfer {
            department: "billing".into(),
        },
        at,
        &s,
    );
    assert_eq!(t.chat.state, ChatState::Waiting);
    assert_eq!(
        t.chat.deadline,
        Some(Deadline {
            at: at + 15 * MINUTE,
            kind: DeadlineKind::Unattended
        })
    );
    // Back to its own department is fine for an active chat, not for one already waiting there.
    let again = step(
        &t.chat,
        &ChatEvent::Transfer {
            department: "billing".into(),
        },
        at + 1,
        &s,
    );
    assert_eq!(
        again.unwrap_err(),
        Refusal::AlreadyWaitingIn {
            department: "billing".into()
        }
    );
    // A new operator there accepts it.
    let accepted = ok(&t.chat, accept("ben"), at + MINUTE, &s).chat;
    assert_eq!(accepted.state, served_by("ben"));
}

// --- profanity ---

#[test]
fn profanity_closes_the_chat_in_the_step_that_reaches_the_limit() {
    let s = settings(); // limit 3
    let chat = ok(&opened(&s), accept("aiko"), T0, &s).chat;
    let one = ok(&chat, customer_says(1), T0 + 1, &s);
    assert_eq!(one.chat.profanity_hits, 1);
    assert_eq!(
        one.effects[0],
        Effect::ProfanityCounted { hits: 1, total: 1 }
    );
    assert!(!one.chat.is_closed());
    let two = ok(&one.chat, customer_says(1), T0 + 2, &s);
    assert!(!two.chat.is_closed());
    let three = ok(&two.chat, customer_says(1), T0 + 3, &s);
    assert_eq!(
        three.effects,
        vec![
            Effect::ProfanityCounted { hits: 1, total: 3 },
            Effect::DeadlineCleared {
                previous: two.chat.deadline.unwrap()
            },
            Effect::Closed {
                reason: CloseReason::Profanity,
                at: T0 + 3
            }
        ]
    );
    assert_eq!(
        three.chat.messages, 4,
        "the message that reached the limit is counted"
    );
}

#[test]
fn one_message_with_many_hits_closes_and_so_can_the_first() {
    let s = settings();
    let t = ok(&opened(&s), customer_says(4), T0 + 1, &s);
    assert_eq!(t.closed(), Some((CloseReason::Profanity, T0 + 1)));
    assert_eq!(t.chat.profanity_hits, 4);

    let first = open(
        ChatId(2),
        number(),
        customer(),
        None,
        T0,
        &bot_settings(),
        3,
    );
    assert_eq!(first.chat.deadline, None);
    assert_eq!(
        first.effects,
        vec![
            Effect::Opened { at: T0 },
            Effect::ProfanityCounted { hits: 3, total: 3 },
            Effect::Closed {
                reason: CloseReason::Profanity,
                at: T0
            }
        ]
    );
}

#[test]
fn a_profanity_limit_of_zero_turns_the_check_off() {
    let s = LifecycleSettings {
        profanity_limit: 0,
        ..settings()
    };
    let t = ok(&opened(&s), customer_says(50), T0 + 1, &s);
    assert!(!t.chat.is_closed());
    assert_eq!(t.chat.profanity_hits, 50);
}

// --- closed chats ---

#[test]
fn a_closed_chat_refuses_everything_with_its_reason_and_ignores_timers() {
    let s = settings();
    let chat = ok(&opened(&s), ChatEvent::TimerDue, T0 + HOUR, &s).chat;
    for event in [
        customer_says(0),
        accept("aiko"),
        reply("aiko"),
        close("aiko"),
        ChatEvent::Transfer {
            department: "x".into(),
        },
        ChatEvent::BotMessage,
    ] {
        let refusal = step(&chat, &event, T0 + 2 * HOUR, &s).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::Closed {
                reason: CloseReason::Missed,
                at: T0 + 15 * MINUTE
            }
        );
    }
    let text = step(&chat, &reply("aiko"), T0, &s).unwrap_err().to_string();
    assert!(
        text.contains("closed (missed) at 2027-01-15T08:15:00Z"),
        "{text}"
    );
    assert!(text.contains("never reopens"), "{text}");
    let timer = ok(&chat, ChatEvent::TimerDue, T0 + 3 * HOUR, &s);
    assert_eq!(timer.chat, chat);
    assert!(timer.effects.is_empty());
}
