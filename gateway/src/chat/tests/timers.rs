//! Opening and the three timers (unattended, idle, bot idle), at their boundaries.

use super::*;

// --- opening ---

#[test]
fn a_new_chat_waits_with_the_unattended_deadline() {
    let t = open(ChatId(7), number(), customer(), None, T0, &settings(), 0);
    assert_eq!(t.chat.state, ChatState::Waiting);
    assert_eq!(t.chat.id, ChatId(7));
    assert_eq!(t.chat.messages, 1);
    assert_eq!(
        (t.chat.opened_at, t.chat.last_customer_message_at),
        (T0, T0)
    );
    let deadline = Deadline {
        at: T0 + 15 * MINUTE,
        kind: DeadlineKind::Unattended,
    };
    assert_eq!(t.chat.deadline, Some(deadline));
    assert_eq!(
        t.effects,
        vec![
            Effect::Opened { at: T0 },
            Effect::DeadlineSet {
                at: deadline.at,
                kind: DeadlineKind::Unattended,
                previous: None
            }
        ]
    );
}

#[test]
fn with_the_bot_on_a_new_chat_is_served_by_the_bot_with_its_idle_deadline() {
    let t = open(
        ChatId(1),
        number(),
        customer(),
        None,
        T0,
        &bot_settings(),
        0,
    );
    assert_eq!(
        t.chat.state,
        ChatState::Active {
            served_by: Server::Bot
        }
    );
    assert_eq!(
        t.chat.deadline,
        Some(Deadline {
            at: T0 + 10 * MINUTE,
            kind: DeadlineKind::BotIdle
        })
    );
    assert_eq!(
        t.effects[..2],
        [
            Effect::Opened { at: T0 },
            Effect::Assigned {
                server: Server::Bot,
                at: T0
            }
        ]
    );
}

// --- the unattended limit ---

#[test]
fn unattended_closes_at_exactly_15_minutes_not_a_millisecond_before() {
    let chat = opened(&settings());
    let before = ok(
        &chat,
        ChatEvent::TimerDue,
        T0 + 15 * MINUTE - 1,
        &settings(),
    );
    assert_eq!(before.chat, chat, "14m59.999s: nothing changes");
    assert!(before.effects.is_empty());

    let at = ok(&chat, ChatEvent::TimerDue, T0 + 15 * MINUTE, &settings());
    assert_eq!(
        at.chat.state,
        ChatState::Closed {
            reason: CloseReason::Missed,
            at: T0 + 15 * MINUTE
        }
    );
    assert_eq!(at.chat.deadline, None);
    assert_eq!(at.closed(), Some((CloseReason::Missed, T0 + 15 * MINUTE)));
    assert_eq!(
        at.effects,
        vec![
            Effect::DeadlineCleared {
                previous: chat.deadline.unwrap()
            },
            Effect::Closed {
                reason: CloseReason::Missed,
                at: T0 + 15 * MINUTE
            }
        ]
    );
}

#[test]
fn customer_messages_do_not_extend_the_unattended_deadline() {
    let chat = opened(&settings());
    let t = ok(&chat, customer_says(0), T0 + 14 * MINUTE, &settings());
    assert_eq!(t.chat.deadline, chat.deadline);
    assert!(t.effects.is_empty());
    assert_eq!(t.chat.messages, 2);
    assert_eq!(t.chat.last_customer_message_at, T0 + 14 * MINUTE);
    let closed = ok(&t.chat, ChatEvent::TimerDue, T0 + 15 * MINUTE, &settings());
    assert_eq!(
        closed.closed(),
        Some((CloseReason::Missed, T0 + 15 * MINUTE))
    );
}

#[test]
fn an_overdue_chat_closes_at_its_deadline_not_when_the_sweep_runs() {
    let chat = opened(&settings());
    // The box was off for three days.
    let t = ok(&chat, ChatEvent::TimerDue, T0 + 72 * HOUR, &settings());
    assert_eq!(t.closed(), Some((CloseReason::Missed, T0 + 15 * MINUTE)));
}

// --- the idle limit ---

#[test]
fn idle_closes_at_exactly_24_hours_after_the_last_message_from_either_side() {
    let s = settings();
    let accepted = ok(&opened(&s), accept("aiko"), T0 + MINUTE, &s).chat;
    assert_eq!(accepted.state, served_by("aiko"));
    assert_eq!(
        accepted.deadline,
        Some(Deadline {
            at: T0 + MINUTE + 24 * HOUR,
            kind: DeadlineKind::Idle
        })
    );
    // The customer writes: the timer restarts.
    let t1 = T0 + 2 * HOUR;
    let after_customer = ok(&accepted, customer_says(0), t1, &s).chat;
    assert_eq!(after_customer.deadline.unwrap().at, t1 + 24 * HOUR);
    // The operator writes: it restarts again.
    let t2 = T0 + 5 * HOUR;
    let after_operator = ok(&after_customer, reply("aiko"), t2, &s);
    assert_eq!(
        after_operator.effects,
        vec![Effect::DeadlineSet {
            at: t2 + 24 * HOUR,
            kind: DeadlineKind::Idle,
            previous: after_customer.deadline
        }]
    );
    let chat = after_operator.chat;
    let early = ok(&chat, ChatEvent::TimerDue, t2 + 24 * HOUR - 1, &s);
    assert_eq!(early.chat, chat);
    let due = ok(&chat, ChatEvent::TimerDue, t2 + 24 * HOUR, &s);
    assert_eq!(due.closed(), Some((CloseReason::Idle, t2 + 24 * HOUR)));
}

#[test]
fn a_message_one_millisecond_before_the_idle_deadline_keeps_the_chat_open() {
    let s = settings();
    let chat = ok(&opened(&s), accept("aiko"), T0, &s).chat;
    let last = T0 + 24 * HOUR - 1;
    let t = ok(&chat, customer_says(0), last, &s);
    assert_eq!(t.chat.deadline.unwrap().at, last + 24 * HOUR);
    // At the deadline it is too late: the chat is closed (idle) at its deadline.
    let late = step(&chat, &customer_says(0), T0 + 24 * HOUR, &s).unwrap_err();
    assert_eq!(
        late,
        Refusal::Closed {
            reason: CloseReason::Idle,
            at: T0 + 24 * HOUR
        }
    );
}

// --- the bot ---

#[test]
fn the_bot_idle_limit_replaces_the_idle_limit_while_the_bot_serves() {
    let s = bot_settings();
    let chat = opened(&s);
    let t1 = T0 + 5 * MINUTE;
    let after_customer = ok(&chat, customer_says(0), t1, &s).chat;
    assert_eq!(
        after_customer.deadline,
        Some(Deadline {
            at: t1 + 10 * MINUTE,
            kind: DeadlineKind::BotIdle
        })
    );
    let t2 = t1 + MINUTE;
    let after_bot = ok(&after_customer, ChatEvent::BotMessage, t2, &s).chat;
    assert_eq!(after_bot.deadline.unwrap().at, t2 + 10 * MINUTE);
    assert_eq!(after_bot.messages, 3);
    assert_eq!(
        ok(&after_bot, ChatEvent::TimerDue, t2 + 10 * MINUTE - 1, &s).chat,
        after_bot
    );
    let due = ok(&after_bot, ChatEvent::TimerDue, t2 + 10 * MINUTE, &s);
    assert_eq!(due.closed(), Some((CloseReason::BotIdle, t2 + 10 * MINUTE)));
}

#[test]
fn an_operator_takes_over_from_the_bot_and_the_idle_limit_applies() {
    let s = bot_settings();
    let chat = opened(&s);
    let t = ok(&chat, accept("aiko"), T0 + MINUTE, &s);
    assert_eq!(t.chat.state, served_by("aiko"));
    assert_eq!(
        t.effects,
        vec![
            Effect::Assigned {
                server: Server::Operator("aiko".into()),
                at: T0 + MINUTE
            },
            Effect::DeadlineSet {
                at: T0 + MINUTE + 24 * HOUR,
                kind: DeadlineKind::Idle,
                previous: chat.deadline
            }
        ]
    );
    // The customer's messages now reset the operator's idle timer.
    let later = ok(&t.chat, customer_says(0), T0 + HOUR, &s).chat;
    assert_eq!(later.deadline.unwrap().kind, DeadlineKind::Idle);
    // And the bot no longer writes in it.
    assert_eq!(
        step(&later, &ChatEvent::BotMessage, T0 + HOUR, &s).unwrap_err(),
        Refusal::BotNotServing
    );
}

#[test]
fn the_bot_hands_over_by_transfer_to_a_department() {
    let s = bot_settings();
    let chat = opened(&s);
    let t = ok(
        &chat,
        ChatEvent::Transfer {
            department: "sales".into(),
        },
        T0 + MINUTE,
        &s,
    );
    assert_eq!(t.chat.state, ChatState::Waiting);
    assert_eq!(t.chat.department.as_deref(), Some("sales"));
    assert_eq!(
        t.chat.deadline,
        Some(Deadline {
            at: T0 + MINUTE + 15 * MINUTE,
            kind: DeadlineKind::Unattended
        })
    );
    assert_eq!(
        t.effects[0],
        Effect::Transferred {
            from: Some("support".into()),
            to: "sales".into(),
            at: T0 + MINUTE
        }
    );
}
