//! The operators' tools in the store: canned responses and articles put, numbered and deleted;
//! notes, tags, leads and tickets recorded with their journal events in the same commit; every
//! refusal writing nothing; the configuration's entries reconciled at each open.

use std::sync::Arc;

use super::super::*;
use super::chats::{message, open_at, runtime};
use super::{T0, options, record};
use crate::chat::{BusinessNumber, CustomerId};
use crate::clock::ManualClock;
use crate::tools::{ArticleInput, CannedInput, Configured, Lead, TicketRequest, ToolSource};

fn canned(shortcut: &str, body: &str) -> CannedInput {
    CannedInput {
        shortcut: shortcut.into(),
        body: body.into(),
    }
}

fn article(title: &str) -> ArticleInput {
    ArticleInput {
        title: title.into(),
        body: format!("About {title}"),
        link: None,
    }
}

/// The journal's events after `after`: (type, chat) and their data.
fn events_after(
    store: &Store,
    rt: &tokio::runtime::Runtime,
    after: u64,
) -> Vec<(&'static str, Option<u64>, serde_json::Value)> {
    rt.block_on(store.events_after(after, 100))
        .unwrap()
        .into_iter()
        .map(|e| {
            let data = serde_json::from_str(&e.data).unwrap();
            (e.event.event_type.as_str(), e.event.chat, data)
        })
        .collect()
}

#[test]
fn canned_responses_are_numbered_put_replaced_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    let bytes_before = store.usage().stored_bytes();
    let first = rt
        .block_on(store.put_canned_response(None, canned("hi", "Hello"), ToolSource::Local))
        .unwrap();
    assert_eq!((first.item.id.as_str(), first.created), ("1", true));
    assert_eq!(first.item.updated_at, T0);
    // A PUT may take the next number; a POST skips it.
    rt.block_on(store.put_canned_response(
        Some("2".into()),
        canned("bye", "Goodbye"),
        ToolSource::Hq,
    ))
    .unwrap();
    let third = rt
        .block_on(store.put_canned_response(None, canned("wait", "One moment"), ToolSource::Local))
        .unwrap();
    assert_eq!(third.item.id, "3");
    assert!(store.usage().stored_bytes() > bytes_before);

    // The same shortcut under another id is refused, and nothing is written.
    let taken = rt
        .block_on(store.put_canned_response(None, canned("hi", "Hey"), ToolSource::Local))
        .unwrap_err();
    assert!(
        matches!(&taken, ToolRefusal::ShortcutTaken { id, .. } if id == "1"),
        "{taken}"
    );
    let invalid = rt
        .block_on(store.put_canned_response(
            Some("bad id".into()),
            canned("x", "y"),
            ToolSource::Local,
        ))
        .unwrap_err();
    assert!(matches!(&invalid, ToolRefusal::Invalid(i) if i.field == "id"));
    let all = rt.block_on(store.canned_responses()).unwrap();
    let shortcuts: Vec<&str> = all.iter().map(|c| c.shortcut.as_str()).collect();
    assert_eq!(shortcuts, ["bye", "hi", "wait"], "by shortcut");

    // Replacing keeps the id and may keep its own shortcut.
    let replaced = rt
        .block_on(store.put_canned_response(
            Some("1".into()),
            canned("hi", "Hello {{contact.name}}"),
            ToolSource::Local,
        ))
        .unwrap();
    assert!(!replaced.created);
    let bytes_full = store.usage().stored_bytes();
    let deleted = rt
        .block_on(store.delete_canned_response("1".into()))
        .unwrap();
    assert_eq!(deleted.body, "Hello {{contact.name}}");
    assert!(store.usage().stored_bytes() < bytes_full);
    assert!(matches!(
        rt.block_on(store.delete_canned_response("1".into())),
        Err(ToolRefusal::NoCannedResponse(_))
    ));
    assert_eq!(
        rt.block_on(store.canned_response("1".into())).unwrap(),
        None
    );
    // A deleted number is not given again.
    let next = rt
        .block_on(store.put_canned_response(None, canned("new", "New"), ToolSource::Local))
        .unwrap();
    assert_eq!(next.item.id, "4");
    // Canned responses are not journal events.
    assert_eq!(store.journal().last_seq(), 0);
    drop(writer);
}

#[test]
fn articles_are_put_found_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    let returns = rt
        .block_on(store.put_article(None, article("Returns"), ToolSource::Local))
        .unwrap();
    rt.block_on(store.put_article(
        Some("hours".into()),
        article("Opening hours"),
        ToolSource::Hq,
    ))
    .unwrap();
    let titles: Vec<String> = rt
        .block_on(store.articles())
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert_eq!(titles, ["Opening hours", "Returns"]);
    let bad_link = ArticleInput {
        link: Some("shop.example".into()),
        ..article("x")
    };
    assert!(matches!(
        rt.block_on(store.put_article(None, bad_link, ToolSource::Local)),
        Err(ToolRefusal::Invalid(ref i)) if i.field == "link"
    ));
    let found = rt.block_on(store.article("hours".into())).unwrap().unwrap();
    assert_eq!(found.source, ToolSource::Hq);
    rt.block_on(store.delete_article(returns.item.id.clone()))
        .unwrap();
    assert!(matches!(
        rt.block_on(store.delete_article(returns.item.id)),
        Err(ToolRefusal::NoArticle(_))
    ));
    assert_eq!(rt.block_on(store.articles()).unwrap().len(), 1);
    drop(writer);
}

#[test]
fn notes_and_tags_are_journaled_with_the_change_and_refusals_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    let start = store.journal().last_seq();

    let note = rt
        .block_on(store.add_note(1, "ana".into(), "asked about a refund".into()))
        .unwrap();
    assert_eq!((note.n, note.at), (1, T0));
    let tags = rt
        .block_on(store.set_tags(
            1,
            "ana".into(),
            vec![" vip".into(), "VIP".into(), "refund".into()],
        ))
        .unwrap();
    assert_eq!(tags, ["vip", "refund"]);
    // The same tags again change nothing and report nothing.
    rt.block_on(store.set_tags(1, "bo".into(), vec!["vip".into(), "refund".into()]))
        .unwrap();
    let events = events_after(&store, &rt, start);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!((events[0].0, events[0].1), ("note.added", Some(1)));
    assert_eq!(events[0].2["note"]["text"], "asked about a refund");
    assert_eq!(events[0].2["note"]["author"], "ana");
    assert_eq!(events[0].2["note"]["n"], 1);
    assert_eq!((events[1].0, events[1].1), ("tags.changed", Some(1)));
    assert_eq!(events[1].2["tags"], serde_json::json!(["vip", "refund"]));
    assert_eq!(events[1].2["previous"], serde_json::json!([]));

    // Refusals: nothing written, nothing journaled.
    let seq = store.journal().last_seq();
    assert!(matches!(
        rt.block_on(store.add_note(1, "ana".into(), "  ".into())),
        Err(ToolRefusal::Invalid(_))
    ));
    assert!(matches!(
        rt.block_on(store.add_note(9, "ana".into(), "hi".into())),
        Err(ToolRefusal::NoChat(9))
    ));
    assert!(matches!(
        rt.block_on(store.set_tags(1, "ana".into(), vec!["x".repeat(40)])),
        Err(ToolRefusal::Invalid(ref i)) if i.field == "tags[0]"
    ));
    assert_eq!(store.journal().last_seq(), seq);
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    assert_eq!(view.notes.len(), 1);
    assert_eq!(view.tags, ["vip", "refund"]);

    // A closed chat still takes notes and tags (the wrap-up).
    rt.block_on(store.act_on_chat(
        1,
        ChatAction::Close {
            operator: "ana".into(),
        },
    ))
    .unwrap();
    let second = rt
        .block_on(store.add_note(1, "ana".into(), "refund promised".into()))
        .unwrap();
    assert_eq!(second.n, 2);
    rt.block_on(store.set_tags(1, "ana".into(), Vec::new()))
        .unwrap();
    let view = rt.block_on(store.chat_view(1)).unwrap().unwrap();
    assert_eq!(view.notes.len(), 2);
    assert!(view.tags.is_empty());
    drop(writer);
}

#[test]
fn a_lead_and_a_ticket_carry_the_chat_the_customer_and_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    rt.block_on(store.ingest(message("w1", "111"))).unwrap();
    clock.advance(1_000);
    rt.block_on(store.send(SendRequest {
        chat: 1,
        operator: "ana".into(),
        idempotency_key: None,
        kind: "text".into(),
        body: r#"{"type":"text","text":{"body":"on its way"}}"#.into(),
        check: SendCheck::FreeForm,
        retry_of: None,
    }))
    .unwrap();
    rt.block_on(store.add_note(1, "ana".into(), "VIP".into()))
        .unwrap();
    let start = store.journal().last_seq();

    let refused = Lead {
        email: Some("not an address".into()),
        ..Lead::default()
    };
    assert!(matches!(
        rt.block_on(store.capture_lead(1, "ana".into(), refused)),
        Err(ToolRefusal::Invalid(ref i)) if i.field == "email"
    ));
    assert_eq!(
        store.journal().last_seq(),
        start,
        "a refusal journals nothing"
    );
    let lead = Lead {
        name: Some(" Sheena ".into()),
        email: Some("sheena@shop.example".into()),
        ..Lead::default()
    };
    let captured = rt
        .block_on(store.capture_lead(1, "ana".into(), lead))
        .unwrap();
    assert_eq!(captured.event_seq, start + 1);
    assert_eq!(captured.value.name.as_deref(), Some("Sheena"));

    let ticket = rt
        .block_on(store.request_ticket(
            1,
            "ana".into(),
            TicketRequest {
                subject: Some("Late order".into()),
                note: None,
            },
        ))
        .unwrap();
    assert_eq!(ticket.event_seq, start + 2);
    assert_eq!((ticket.value.entries, ticket.value.omitted), (2, 0));

    let events = events_after(&store, &rt, start);
    let (kind, chat, lead) = &events[0];
    assert_eq!((*kind, *chat), ("lead.captured", Some(1)));
    assert_eq!(lead["lead"]["name"], "Sheena");
    assert_eq!(lead["customer"]["id"], "111");
    assert_eq!(lead["customer"]["kind"], "wa_id");
    assert_eq!(lead["chat"]["id"], 1);
    assert_eq!(lead["captured_by"], "ana");

    let (kind, _, ticket) = &events[1];
    assert_eq!(*kind, "ticket.requested");
    assert_eq!(ticket["subject"], "Late order");
    assert_eq!(ticket["requested_by"], "ana");
    assert_eq!(ticket["truncated"], false);
    assert_eq!(ticket["notes"][0]["text"], "VIP");
    let transcript = ticket["transcript"].as_array().unwrap();
    assert_eq!(transcript.len(), 2);
    assert_eq!(transcript[0]["from"], "customer");
    assert_eq!(transcript[0]["message"]["wamid"], "w1");
    assert_eq!(transcript[0]["message"]["log_seq"], 1);
    assert_eq!(transcript[1]["from"], "operator");
    assert_eq!(transcript[1]["message"]["operator"], "ana");
    assert_eq!(
        transcript[1]["message"]["body"]["text"]["body"],
        "on its way"
    );
    assert!(transcript[0]["at"].as_u64() <= transcript[1]["at"].as_u64());

    assert!(matches!(
        rt.block_on(store.request_ticket(5, "ana".into(), TicketRequest::default())),
        Err(ToolRefusal::NoChat(5))
    ));
    drop(writer);
}

#[test]
fn rendering_reads_the_customer_s_profile_name_from_their_messages() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (store, writer) = open_at(dir.path(), &clock);
    let rt = runtime();
    let mut named = message("w1", "111");
    named.events[0].record = LogRecord {
        content_json: r#"{"message":{"id":"w1","type":"text","content":{"text":{"body":"hi"}},"contact":{"profile":{"name":"Sheena Nelson"},"wa_id":"111"}}}"#.into(),
        ..record("w1")
    }
    .to_bytes();
    rt.block_on(store.ingest(named)).unwrap();
    // A later message without a contact does not hide the name.
    rt.block_on(store.ingest(message("w2", "111"))).unwrap();
    rt.block_on(store.put_canned_response(
        Some("hi".into()),
        canned("hi", "Hi {{contact.name}}"),
        ToolSource::Local,
    ))
    .unwrap();
    let inputs = rt
        .block_on(store.render_inputs(1, "hi".into()))
        .unwrap()
        .unwrap();
    assert_eq!(inputs.contact_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(inputs.canned.unwrap().body, "Hi {{contact.name}}");
    assert_eq!(inputs.chat.customer, CustomerId::WaId("111".into()));
    assert_eq!(inputs.chat.number, BusinessNumber("pn".into()));
    let unnamed = rt
        .block_on(store.render_inputs(1, "nope".into()))
        .unwrap()
        .unwrap();
    assert_eq!(unnamed.canned, None);
    assert_eq!(
        rt.block_on(store.render_inputs(7, "hi".into())).unwrap(),
        None
    );
    drop(writer);
}

#[test]
fn configured_entries_are_reconciled_at_each_open_and_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let configured = |entries: &[(&str, &str)], articles: &[&str]| StoreOptions {
        canned_responses: entries
            .iter()
            .map(|(id, body)| Configured {
                id: (*id).into(),
                item: canned(id, body),
            })
            .collect(),
        articles: articles
            .iter()
            .map(|id| Configured {
                id: (*id).into(),
                item: article(id),
            })
            .collect(),
        ..options()
    };
    let open = |options| Store::open(dir.path(), options, Arc::new(clock.clone())).unwrap();
    let rt = runtime();
    let (store, writer) = open(configured(&[("a", "A"), ("b", "B"), ("c", "C")], &["faq"]));
    let all = rt.block_on(store.canned_responses()).unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|c| c.source == ToolSource::Config));
    // An operator changes b and adds d.
    rt.block_on(store.put_canned_response(Some("b".into()), canned("b", "B!"), ToolSource::Local))
        .unwrap();
    rt.block_on(store.put_canned_response(Some("d".into()), canned("d", "D"), ToolSource::Local))
        .unwrap();
    writer.close();

    // The configuration changes a, drops b and c, and keeps no article.
    clock.advance(5_000);
    let (store, writer) = open(configured(&[("a", "A2"), ("b", "B3")], &[]));
    let all = rt.block_on(store.canned_responses()).unwrap();
    let kept: Vec<(&str, &str, ToolSource)> = all
        .iter()
        .map(|c| (c.id.as_str(), c.body.as_str(), c.source))
        .collect();
    assert_eq!(
        kept,
        [
            ("a", "A2", ToolSource::Config),
            ("b", "B!", ToolSource::Local),
            ("d", "D", ToolSource::Local),
        ]
    );
    assert_eq!(all[0].updated_at, T0 + 5_000);
    assert!(rt.block_on(store.articles()).unwrap().is_empty());
    writer.close();

    // Unchanged configuration: nothing is rewritten.
    clock.advance(5_000);
    let (store, writer) = open(configured(&[("a", "A2")], &[]));
    let a = rt
        .block_on(store.canned_response("a".into()))
        .unwrap()
        .unwrap();
    assert_eq!(a.updated_at, T0 + 5_000);
    drop(writer);
}
