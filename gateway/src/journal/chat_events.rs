//! Which journal events a chat's change makes: derived from the chat before and after, so that
//! every path that changes a chat (a customer's message, an operator's action, the sweep's
//! timers, a command from headquarters) reports it the same way.

use serde::Serialize;

use super::{EventType, NewEvent};
use crate::chat::{Chat, ChatState, Server};
use crate::chat_json::ChatJson;

#[derive(Serialize)]
struct ChatEventData<'a> {
    chat: ChatJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    served_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_department: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_department: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

fn server_name(server: &Server) -> &str {
    match server {
        Server::Bot => "bot",
        Server::Operator(name) => name,
    }
}

/// The events of `after` replacing `before` (`None`: the chat is new), in the order they
/// happened: opened, transferred, accepted, closed.
pub fn chat_events<'a>(before: Option<&'a Chat>, after: &'a Chat) -> Vec<NewEvent> {
    let chat = Some(after.id.0);
    let data = |served_by, from_department: Option<Option<&'a str>>, reason| ChatEventData {
        chat: ChatJson::new(after),
        served_by,
        from_department,
        to_department: from_department.map(|_| after.department.as_deref()),
        reason,
    };
    let mut events = Vec::new();
    if before.is_none() {
        events.push(NewEvent::json(
            EventType::ChatOpened,
            chat,
            &data(None, None, None),
        ));
    }
    if let Some(before) = before
        && before.department != after.department
    {
        events.push(NewEvent::json(
            EventType::ChatTransferred,
            chat,
            &data(None, Some(before.department.as_deref()), None),
        ));
    }
    let served_before = before.and_then(Chat::served_by);
    if let ChatState::Active { served_by } = &after.state
        && served_before != Some(served_by)
    {
        events.push(NewEvent::json(
            EventType::ChatAccepted,
            chat,
            &data(Some(server_name(served_by)), None, None),
        ));
    }
    let closed_before = before.is_some_and(Chat::is_closed);
    if let ChatState::Closed { reason, .. } = &after.state
        && !closed_before
    {
        events.push(NewEvent::json(
            EventType::ChatClosed,
            chat,
            &data(None, None, Some(reason.as_str())),
        ));
    }
    events
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::chat::{BusinessNumber, ChatId, CloseReason, CustomerId};
    use crate::journal::EventData;

    fn chat(state: ChatState, department: Option<&str>) -> Chat {
        Chat {
            id: ChatId(4),
            number: BusinessNumber(String::from("111")),
            customer: CustomerId::WaId(String::from("15550001")),
            department: department.map(String::from),
            state,
            opened_at: 1_000,
            last_customer_message_at: 1_000,
            last_activity_at: 1_000,
            deadline: None,
            profanity_hits: 0,
            messages: 1,
        }
    }

    fn data(event: &NewEvent) -> serde_json::Value {
        match &event.data {
            EventData::Json(text) => serde_json::from_str(text).unwrap(),
            EventData::Logged { .. } => panic!("chat events carry JSON"),
        }
    }

    fn types(events: &[NewEvent]) -> Vec<&'static str> {
        events.iter().map(|e| e.event_type.as_str()).collect()
    }

    #[test]
    fn a_new_chat_is_opened_and_a_bot_served_one_also_accepted() {
        let waiting = chat(ChatState::Waiting, None);
        assert_eq!(types(&chat_events(None, &waiting)), ["chat.opened"]);
        let bot = chat(
            ChatState::Active {
                served_by: Server::Bot,
            },
            None,
        );
        let events = chat_events(None, &bot);
        assert_eq!(types(&events), ["chat.opened", "chat.accepted"]);
        assert_eq!(data(&events[1])["served_by"], "bot");
        assert_eq!(events[0].chat, Some(4));
    }

    #[test]
    fn accept_transfer_and_close_are_reported_with_their_details() {
        let waiting = chat(ChatState::Waiting, Some("sales"));
        let active = chat(
            ChatState::Active {
                served_by: Server::Operator(String::from("ana")),
            },
            Some("sales"),
        );
        let accepted = chat_events(Some(&waiting), &active);
        assert_eq!(types(&accepted), ["chat.accepted"]);
        assert_eq!(data(&accepted[0])["served_by"], "ana");

        let moved = chat(ChatState::Waiting, Some("repairs"));
        let transferred = chat_events(Some(&active), &moved);
        assert_eq!(types(&transferred), ["chat.transferred"]);
        assert_eq!(data(&transferred[0])["from_department"], "sales");
        assert_eq!(data(&transferred[0])["to_department"], "repairs");

        let closed = chat(
            ChatState::Closed {
                reason: CloseReason::Missed,
                at: 5_000,
            },
            Some("repairs"),
        );
        let events = chat_events(Some(&moved), &closed);
        assert_eq!(types(&events), ["chat.closed"]);
        assert_eq!(data(&events[0])["reason"], "missed");
        assert_eq!(data(&events[0])["chat"]["closed_at"], 5_000);
    }

    #[test]
    fn a_change_that_moves_nothing_reports_nothing() {
        let active = chat(
            ChatState::Active {
                served_by: Server::Operator(String::from("ana")),
            },
            None,
        );
        assert!(chat_events(Some(&active), &active).is_empty());
    }
}
