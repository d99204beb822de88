//! Commands from headquarters in the store: carried out at most once per id, each with its
//! `command.result` event in the same transaction, and the cursor kept for the next poll.

use super::super::*;
use super::T0;
use super::chats::{MIN_MS, message, open_at, runtime};
use crate::clock::ManualClock;

fn send(id: &str, chat: u64) -> HqCommand {
    HqCommand {
        id: id.into(),
        command_type: "send_message".into(),
        action: Ok(HqAction::Send(SendRequest {
            chat,
            operator: "hq".into(),
            idempotency_key: None,
            kind: "text".into(),
            body: r#"{"type":"text","text":{"body":"hello"}}"#.into(),
            check: SendCheck::FreeForm,
            retry_of: None,
        })),
    }
}

#[test]
fn a_send_naming_an_attachment_that_is_not_there_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    for (id, media, reason) in [
        ("c1", "99", "no attachment 99: upload the file"),
        ("c2", "x9", "image.id \"x9\" is not a local media id"),
    ] {
        let mut command = send(id, 1);
        if let Ok(HqAction::Send(request)) = &mut command.action {
            request.kind = "image".into();
            request.body = format!(r#"{{"type":"image","image":{{"id":"{media}"}}}}"#);
        }
        let outcome = rt.block_on(store.run_command(command)).unwrap();
        let CommandOutcome::Refused(refusal) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(refusal.contains(reason), "{refusal}");
    }
    assert!(
        rt.block_on(store.messages(MessageFilter::All))
            .unwrap()
            .is_empty()
    );
    writer.close();
}

fn results(events: &[ResolvedEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter(|e| e.event.event_type.as_str() == "command.result")
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect()
}

#[test]
fn a_command_runs_once_and_its_result_is_journaled_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    assert_eq!(rt.block_on(store.command_cursor()).unwrap(), None);
    let first = rt.block_on(store.run_command(send("c1", 1))).unwrap();
    assert_eq!(first, CommandOutcome::Accepted { message: Some(1) });
    writer.close();

    // Delivered again after a restart: nothing is done again.
    let (store, writer) = open_at(dir.path(), &clock);
    let again = rt.block_on(store.run_command(send("c1", 1))).unwrap();
    assert_eq!(again, CommandOutcome::AlreadyDone);
    let queued = rt.block_on(store.messages(MessageFilter::All)).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        rt.block_on(store.command_cursor()).unwrap().as_deref(),
        Some("c1")
    );
    let events = rt.block_on(store.events_after(0, 100)).unwrap();
    let results = results(&events);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["command_id"], "c1");
    assert_eq!(results[0]["result"], "accepted");
    assert_eq!(results[0]["message_id"], 1);
    // The queued message and the accept it implied come before the result.
    let types: Vec<&str> = events.iter().map(|e| e.event.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "chat.opened",
            "message.received",
            "chat.accepted",
            "message.queued",
            "command.result"
        ]
    );
    writer.close();
}

#[test]
fn a_command_on_a_closed_chat_or_not_understood_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    // Unattended for 15 minutes: it closes as missed.
    clock.advance(16 * MIN_MS);
    rt.block_on(store.sweep()).unwrap();
    let refused = rt.block_on(store.run_command(send("c2", 1))).unwrap();
    let CommandOutcome::Refused(reason) = refused else {
        panic!("a closed chat takes no message: {refused:?}");
    };
    assert!(reason.contains("closed"), "{reason}");
    let garbled = HqCommand {
        id: "c3".into(),
        command_type: "dance".into(),
        action: Err("unknown command type \"dance\"".into()),
    };
    assert!(matches!(
        rt.block_on(store.run_command(garbled)).unwrap(),
        CommandOutcome::Refused(_)
    ));
    let missing = HqCommand {
        id: "c4".into(),
        command_type: "close".into(),
        action: Ok(HqAction::Chat {
            chat: 99,
            action: ChatAction::Close {
                operator: "hq".into(),
            },
        }),
    };
    assert_eq!(
        rt.block_on(store.run_command(missing)).unwrap(),
        CommandOutcome::Refused("there is no chat 99".into())
    );
    let events = rt.block_on(store.events_after(0, 100)).unwrap();
    let results = results(&events);
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["result"] == "refused"));
    assert_eq!(results[0]["reason"], serde_json::json!(reason));
    assert!(
        rt.block_on(store.messages(MessageFilter::All))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        rt.block_on(store.command_cursor()).unwrap().as_deref(),
        Some("c4")
    );
    writer.close();
}

#[test]
fn headquarters_pushes_tools_down_and_notes_and_tags_chats() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    let command = |id: &str, command_type: &str, action: HqAction| HqCommand {
        id: id.into(),
        command_type: command_type.into(),
        action: Ok(action),
    };
    let run = |c: HqCommand| rt.block_on(store.run_command(c)).unwrap();
    let accepted = CommandOutcome::Accepted { message: None };
    let put = HqAction::PutCanned {
        id: "greeting".into(),
        shortcut: "/hi".into(),
        body: "Hello {{contact.name}}".into(),
    };
    assert_eq!(run(command("c1", "put_canned_response", put)), accepted);
    let canned = rt
        .block_on(store.canned_response("greeting".into()))
        .unwrap()
        .unwrap();
    assert_eq!(
        (canned.shortcut.as_str(), canned.source),
        ("/hi", crate::tools::ToolSource::Hq)
    );
    let note = HqAction::AddNote {
        chat: 1,
        author: "hq".into(),
        text: "VIP customer".into(),
    };
    assert_eq!(run(command("c2", "add_note", note)), accepted);
    let tags = HqAction::SetTags {
        chat: 1,
        tags: vec!["vip".into()],
    };
    assert_eq!(run(command("c3", "set_tags", tags)), accepted);
    // Refusals: nothing to delete, and a note on a chat that does not exist.
    let missing = run(command(
        "c4",
        "delete_article",
        HqAction::DeleteArticle("nope".into()),
    ));
    assert!(
        matches!(missing, CommandOutcome::Refused(ref r) if r.contains("nope")),
        "{missing:?}"
    );
    let nowhere = HqAction::AddNote {
        chat: 9,
        author: "hq".into(),
        text: "x".into(),
    };
    assert_eq!(
        run(command("c5", "add_note", nowhere)),
        CommandOutcome::Refused("no chat 9".into())
    );
    let events = rt.block_on(store.events_after(0, 100)).unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "chat.opened",
            "message.received",
            "command.result",
            "note.added",
            "command.result",
            "tags.changed",
            "command.result",
            "command.result",
            "command.result",
        ]
    );
    writer.close();
}
