//! Routing customer messages, identities, names and the stored form.

use super::*;

// --- routing ---

#[test]
fn a_first_message_opens_a_chat() {
    let route = route_customer_message(None, message(0), T0, &settings(), || ChatId(9)).unwrap();
    let ChatRoute::Opened { expired, opened } = route else {
        panic!("expected a new chat, got {route:?}");
    };
    assert_eq!(expired, None);
    assert_eq!(opened.chat.id, ChatId(9));
    assert_eq!(opened.chat.department.as_deref(), Some("support"));
}

#[test]
fn a_message_to_an_open_chat_steps_it_without_allocating_an_id() {
    let s = settings();
    let chat = opened(&s);
    let route = route_customer_message(Some(&chat), message(1), T0 + 1, &s, || {
        panic!("no id must be allocated")
    })
    .unwrap();
    let ChatRoute::Existing(t) = route else {
        panic!("expected the open chat, got {route:?}");
    };
    assert_eq!(t.chat.id, chat.id);
    assert_eq!(t.chat.profanity_hits, 1);
}

#[test]
fn a_message_to_a_closed_chat_opens_a_new_chat_and_the_old_stays_closed() {
    let s = settings();
    let old = ok(&opened(&s), close("aiko"), T0 + MINUTE, &s).chat;
    let snapshot = old.clone();
    let route =
        route_customer_message(Some(&old), message(0), T0 + HOUR, &s, || ChatId(2)).unwrap();
    let ChatRoute::Opened { expired, opened } = route else {
        panic!("expected a new chat, got {route:?}");
    };
    assert_eq!(expired, None);
    assert_eq!(opened.chat.id, ChatId(2));
    assert_ne!(opened.chat.id, old.id);
    assert_eq!(opened.chat.state, ChatState::Waiting);
    assert_eq!(opened.chat.opened_at, T0 + HOUR);
    assert_eq!(old, snapshot);
}

#[test]
fn a_message_to_an_overdue_chat_closes_it_at_its_deadline_and_opens_a_new_one() {
    let s = settings();
    let chat = opened(&s);
    let now = T0 + 2 * HOUR;
    let route = route_customer_message(Some(&chat), message(0), now, &s, || ChatId(2)).unwrap();
    let ChatRoute::Opened {
        expired: Some(expired),
        opened,
    } = route
    else {
        panic!("expected the overdue chat closed and a new one, got {route:?}");
    };
    assert_eq!(expired.chat.id, chat.id);
    assert_eq!(
        expired.closed(),
        Some((CloseReason::Missed, T0 + 15 * MINUTE))
    );
    assert_eq!(opened.chat.id, ChatId(2));
    assert_eq!(opened.chat.opened_at, now);
}

#[test]
fn routing_refuses_another_customers_chat() {
    let s = settings();
    let chat = opened(&s);
    let other = IncomingMessage {
        customer: CustomerId::Bsuid("US.13491208655302741918".into()),
        ..message(0)
    };
    let error = route_customer_message(Some(&chat), other, T0, &s, || ChatId(2)).unwrap_err();
    assert_eq!(error, RouteMismatch { chat: ChatId(1) });
}

// --- identities, names, storage ---

#[test]
fn the_customer_is_the_wa_id_else_the_bsuid() {
    assert_eq!(
        CustomerId::from_ids(Some("4915112345678"), Some("US.1349")),
        Some(CustomerId::WaId("4915112345678".into()))
    );
    assert_eq!(
        CustomerId::from_ids(None, Some("US.1349")),
        Some(CustomerId::Bsuid("US.1349".into()))
    );
    assert_eq!(
        CustomerId::from_ids(Some(" "), Some("US.1349")),
        Some(CustomerId::Bsuid("US.1349".into()))
    );
    assert_eq!(CustomerId::from_ids(None, Some("")), None);
    assert_eq!(CustomerId::from_ids(None, None), None);
}

#[test]
fn close_reasons_have_stable_names() {
    let names: Vec<_> = [
        CloseReason::Missed,
        CloseReason::Idle,
        CloseReason::BotIdle,
        CloseReason::Operator,
        CloseReason::Profanity,
    ]
    .iter()
    .map(|reason| reason.as_str())
    .collect();
    assert_eq!(
        names,
        ["missed", "idle", "bot-idle", "operator", "profanity"]
    );
    assert_eq!(
        serde_json::to_string(&CloseReason::BotIdle).unwrap(),
        "\"bot-idle\""
    );
}

#[test]
fn chats_round_trip_through_postcard_and_json() {
    let s = settings();
    let active = ok(&opened(&s), accept("aiko"), T0 + 1, &s);
    let closed = ok(&active.chat, close("aiko"), T0 + 2, &s);
    for chat in [opened(&s), active.chat, closed.chat.clone()] {
        let bytes = postcard::to_stdvec(&chat).unwrap();
        assert_eq!(postcard::from_bytes::<Chat>(&bytes).unwrap(), chat);
        let json = serde_json::to_string(&chat).unwrap();
        assert_eq!(serde_json::from_str::<Chat>(&json).unwrap(), chat);
    }
    let bytes = postcard::to_stdvec(&closed.effects).unwrap();
    assert_eq!(
        postcard::from_bytes::<Vec<Effect>>(&bytes).unwrap(),
        closed.effects
    );
    // A truncated record is an error, not a panic.
    let bytes = postcard::to_stdvec(&closed.chat).unwrap();
    assert!(postcard::from_bytes::<Chat>(&bytes[..bytes.len() - 1]).is_err());
}
