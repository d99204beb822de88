//! Lifecycle tests with simulated time, at every boundary: shared fixtures here, the cases by
//! theme in the submodules.
#![allow(clippy::unwrap_used, reason = "tests")]

mod operators;
mod routing;
mod timers;

use super::*;

const T0: UnixMs = 1_800_000_000_000;
const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

fn settings() -> LifecycleSettings {
    LifecycleSettings {
        unattended: Span::from_mins(15),
        idle: Span::from_hours(24),
        bot_enabled: false,
        bot_idle: Span::from_mins(10),
        profanity_limit: 3,
    }
}

fn bot_settings() -> LifecycleSettings {
    LifecycleSettings {
        bot_enabled: true,
        ..settings()
    }
}

fn customer() -> CustomerId {
    CustomerId::WaId("4915112345678".into())
}

fn number() -> BusinessNumber {
    BusinessNumber("106540352242922".into())
}

fn opened(settings: &LifecycleSettings) -> Chat {
    open(
        ChatId(1),
        number(),
        customer(),
        Some("support".into()),
        T0,
        settings,
        0,
    )
    .chat
}

fn ok(chat: &Chat, event: ChatEvent, now: UnixMs, settings: &LifecycleSettings) -> Transition {
    step(chat, &event, now, settings).unwrap()
}

fn accept(operator: &str) -> ChatEvent {
    ChatEvent::OperatorAccept {
        operator: operator.into(),
    }
}

fn reply(operator: &str) -> ChatEvent {
    ChatEvent::OperatorMessage {
        operator: operator.into(),
    }
}

fn close(operator: &str) -> ChatEvent {
    ChatEvent::OperatorClose {
        operator: operator.into(),
    }
}

fn customer_says(profanity_hits: u32) -> ChatEvent {
    ChatEvent::CustomerMessage { profanity_hits }
}

fn served_by(operator: &str) -> ChatState {
    ChatState::Active {
        served_by: Server::Operator(operator.into()),
    }
}

fn message(profanity_hits: u32) -> IncomingMessage {
    IncomingMessage {
        number: number(),
        customer: customer(),
        department: Some("support".into()),
        profanity_hits,
    }
}
