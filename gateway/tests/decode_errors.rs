//! Bodies that cannot be used at all, items that are rejected, and shapes that are kept raw.
//! No error message may quote the payload (they go to logs and the dead-letter table).

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use gateway::meta::{
    DecodeError, DecodedWebhook, Event, EventKind, MessageContent, decode_webhook,
};
use serde_json::{Value, json};

/// Text placed in payloads to prove it never reaches an error message.
const SENTINEL: &str = "PRIVATE-SENTINEL";

fn envelope(changes: &Value) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": changes}]})
        .to_string()
}

fn messages_value(value: &Value) -> String {
    envelope(&json!([{"field": "messages", "value": value}]))
}

fn decode(body: &str) -> DecodedWebhook {
    let decoded = decode_webhook(body.as_bytes()).unwrap();
    for rejected in &decoded.rejected {
        assert!(!rejected.error.contains(SENTINEL), "{}", rejected.error);
        assert!(
            body.contains(&rejected.raw),
            "raw is not the exact item text"
        );
        assert!(
            !format!("{rejected:?}").contains(SENTINEL),
            "Debug shows the payload"
        );
    }
    decoded
}

/// Decodes and returns the single rejection (path, error).
fn rejection(body: &str) -> (String, String) {
    let decoded = decode(body);
    let [rejected] = decoded.rejected.as_slice() else {
        panic!("{:?}", decoded.rejected)
    };
    (rejected.path.clone(), rejected.error.clone())
}

fn decode_error(body: &[u8]) -> DecodeError {
    let error = decode_webhook(body).unwrap_err();
    assert!(!error.to_string().contains(SENTINEL), "{error}");
    error
}

#[test]
fn bodies_that_are_not_a_whatsapp_webhook() {
    assert!(matches!(decode_error(b""), DecodeError::NotJson { .. }));
    assert!(matches!(
        decode_error(b"PRIVATE-SENTINEL"),
        DecodeError::NotJson { .. }
    ));
    assert_eq!(
        decode_error(b"{\n\"object\": PRIVATE-SENTINEL}"),
        DecodeError::NotJson {
            category: "syntax error",
            line: 2,
            column: 11
        }
    );
    assert_eq!(
        decode_error(b"{\"object\":\"whatsapp_business_account\",\"entry\":["),
        DecodeError::NotJson {
            category: "unexpected end of input",
            line: 1,
            column: 47
        }
    );
    assert!(matches!(
        decode_error(b"{\"object\":\"whatsapp_business_account\",\"entry\":[]} {"),
        DecodeError::NotJson { .. }
    ));
    assert!(matches!(
        decode_error(b"[PRIVATE-SENTINEL"),
        DecodeError::NotJson { .. }
    ));
    // JSON is UTF-8, including members this decoder skips.
    assert_eq!(
        decode_error(b"{\"object\":\"whatsapp_business_account\",\n \"x\":\"\xff\",\"entry\":[]}"),
        DecodeError::NotJson {
            category: "invalid UTF-8",
            line: 2,
            column: 7
        }
    );
    for not_object in [
        &b"[1, 2]"[..],
        b"\"PRIVATE-SENTINEL\"",
        b" 42 ",
        b"null",
        b"true",
    ] {
        assert_eq!(decode_error(not_object), DecodeError::NotAnObject);
    }
    assert_eq!(
        decode_error(br#"{"entry": []}"#),
        DecodeError::MissingObject
    );
    assert_eq!(
        decode_error(br#"{"object": null, "entry": []}"#),
        DecodeError::MissingObject
    );
    for object in [
        r#""page""#,
        r#""PRIVATE-SENTINEL""#,
        "5",
        "{}",
        r#""WHATSAPP_BUSINESS_ACCOUNT""#,
    ] {
        let body = format!(r#"{{"object": {object}, "entry": []}}"#);
        assert_eq!(
            decode_error(body.as_bytes()),
            DecodeError::NotWhatsApp,
            "{object}"
        );
    }
    assert_eq!(
        decode_error(br#"{"object": "whatsapp_business_account"}"#),
        DecodeError::MissingEntry
    );
    for entry in ["{}", r#""PRIVATE-SENTINEL""#, "7"] {
        let body = format!(r#"{{"object": "whatsapp_business_account", "entry": {entry}}}"#);
        assert_eq!(
            decode_error(body.as_bytes()),
            DecodeError::EntryNotArray,
            "{entry}"
        );
    }
    let twice = br#"{"object": "whatsapp_business_account", "object": "x", "entry": []}"#;
    let DecodeError::BadEnvelope { detail } = decode_error(twice) else {
        panic!()
    };
    assert!(detail.starts_with("duplicate field `object`"), "{detail}");
}

#[test]
fn decode_error_messages_say_what_and_where() {
    assert_eq!(
        decode_error(b"{\"a\":").to_string(),
        "webhook body is not valid JSON: unexpected end of input at line 1 column 5"
    );
    assert!(decode_error(b"{}").to_string().contains("(at $.object)"));
    assert!(
        decode_error(br#"{"object":"page"}"#)
            .to_string()
            .contains("not \"whatsapp_business_account\"")
    );
}

#[test]
fn escaped_object_and_empty_entry_are_fine() {
    let body = br#"{"object": "whatsapp\u005fbusiness_account", "entry": []}"#;
    assert_eq!(decode_webhook(body).unwrap(), DecodedWebhook::default());
    let body = br#" {"object": "whatsapp_business_account", "entry": [], "other": 1} "#;
    assert_eq!(decode_webhook(body).unwrap(), DecodedWebhook::default());
}

/// A body with one `messages` change whose value holds `list: [item]`, item given as exact text
/// (so the positions in the expected errors do not depend on how a JSON library orders keys).
fn one_item(list: &str, item: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA","changes":[{{"field":"messages","value":{{"{list}":[{item}]}}}}]}}]}}"#
    )
}

#[test]
fn messages_that_cannot_be_decoded() {
    let path = "entry[0].changes[0].value.messages[0]";
    let cases = [
        (
            r#"{"type":"text","text":{"body":"PRIVATE-SENTINEL"}}"#,
            "missing field `id`",
        ),
        (
            r#"{"id":"","type":"text","text":{"body":"PRIVATE-SENTINEL"}}"#,
            "field `id` is empty",
        ),
        (
            r#"{"id":"w","text":{"body":"PRIVATE-SENTINEL"}}"#,
            "missing field `type`",
        ),
        (
            r#"{"id":"w","type":"text","text":{"b":"PRIVATE-SENTINEL"}}"#,
            "`text`: missing field `body` at line 1 column 55",
        ),
        (
            r#"{"id":"w","type":"text","text":"PRIVATE-SENTINEL"}"#,
            "`text`: invalid type: string, expected struct Text at line 1 column 49",
        ),
        (
            r#"{"id":"w","type":"text","unrelated":"PRIVATE-SENTINEL"}"#,
            "message of type `text` has no `text` object",
        ),
        (
            r#"{"id":"w","type":"text","text":{"body":"x"},
"timestamp":"PRIVATE-SENTINEL"}"#,
            "`timestamp`: invalid value: string, expected an integer or a string of decimal digits at line 2 column 30",
        ),
        (
            r#"{"id":"w","type":"text","text":{"body":"x"},"timestamp":1.5}"#,
            "`timestamp`: invalid type: floating point, expected an integer or a string of decimal digits at line 1 column 59",
        ),
        (
            r#"{"id":"w","type":"image","image":{"mime_type":"PRIVATE-SENTINEL"}}"#,
            "`image`: missing field `id` at line 1 column 65",
        ),
        (
            r#"{"id":"w","type":"interactive","interactive":{"type":"button_reply"}}"#,
            "`interactive`: missing field `button_reply`",
        ),
        (
            r#"{"id":"w","type":"reaction","reaction":{"emoji":"PRIVATE-SENTINEL"}}"#,
            "`reaction`: missing field `message_id` at line 1 column 67",
        ),
        (
            r#"["not","an","object","PRIVATE-SENTINEL"]"#,
            "invalid type: sequence, expected a JSON object at line 1 column 1",
        ),
        (
            r#"{"id":"w","type":"text","text":{"body":"x"},"errors":[{"title":"PRIVATE-SENTINEL"}]}"#,
            "`errors`: missing field `code` at line 1 column 82",
        ),
    ];
    for (message, expected) in cases {
        let (got_path, got_error) = rejection(&one_item("messages", message));
        assert_eq!(
            (got_path.as_str(), got_error.as_str()),
            (path, expected),
            "{message}"
        );
    }
}

#[test]
fn statuses_that_cannot_be_decoded() {
    let path = "entry[0].changes[0].value.statuses[0]";
    let cases = [
        (
            r#"{"status":"read","recipient_id":"PRIVATE-SENTINEL"}"#,
            "missing field `id`",
        ),
        (
            r#"{"id":"w","recipient_id":"PRIVATE-SENTINEL"}"#,
            "missing field `status`",
        ),
        (r#"{"id":"w","status":""}"#, "field `status` is empty"),
        (
            r#"{"id":"w","status":"read","timestamp":"12:00"}"#,
            "`timestamp`: invalid value: string, expected an integer or a string of decimal digits at line 1 column 45",
        ),
        (
            r#"{"id":"w","status":"read","pricing":{"billable":"PRIVATE-SENTINEL"}}"#,
            "`pricing`: invalid type: string, expected a boolean at line 1 column 66",
        ),
    ];
    for (status, expected) in cases {
        let (got_path, got_error) = rejection(&one_item("statuses", status));
        assert_eq!(
            (got_path.as_str(), got_error.as_str()),
            (path, expected),
            "{status}"
        );
    }
}

#[test]
fn broken_entries_changes_and_values() {
    let body = json!({"object": "whatsapp_business_account", "entry": [
        {"changes": [], "note": SENTINEL},
        {"id": "W", "changes": SENTINEL},
        {"id": "W", "changes": [
            {"value": {"messages": []}},
            {"field": "messages"},
            {"field": "messages", "value": SENTINEL},
            {"field": "messages", "value": {"messages": SENTINEL}},
            {"field": "account_update", "value": {"event": 5, "x": SENTINEL}},
            {"field": "messages", "value": {"statuses": [{"id": "ok", "status": "read"}]}}
        ]},
        SENTINEL
    ]})
    .to_string();
    let decoded = decode(&body);
    let rejected: Vec<(&str, &str)> = decoded
        .rejected
        .iter()
        .map(|r| (r.path.as_str(), r.error.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            ("entry[0]", "missing field `id`"),
            (
                "entry[1]",
                "`changes`: invalid type: string, expected a sequence at line 1 column 29"
            ),
            ("entry[2].changes[0]", "missing field `field`"),
            ("entry[2].changes[1]", "missing field `value`"),
            (
                "entry[2].changes[2].value",
                "invalid type: string, expected a JSON object at line 1 column 18"
            ),
            (
                "entry[2].changes[3].value",
                "`messages`: invalid type: string, expected a sequence at line 1 column 30"
            ),
            (
                "entry[2].changes[4].value",
                "invalid type: integer, expected a string at line 1 column 10"
            ),
            (
                "entry[3]",
                "invalid type: string, expected a JSON object at line 1 column 18"
            ),
        ]
    );
    assert_eq!(decoded.events.len(), 1);
    assert_eq!(decoded.events[0].wamid.as_deref(), Some("ok"));
}

#[test]
fn broken_contacts_and_value_errors_are_rejected_alone() {
    let body = messages_value(&json!({
        "contacts": [{"profile": SENTINEL, "wa_id": "1"}],
        "messages": [{"from": "1", "id": "w", "type": "text", "text": {"body": "hi"}}],
        "errors": [{"title": SENTINEL}, {"code": "130429", "title": "Rate limit hit"}]
    }));
    let decoded = decode(&body);
    let rejected: Vec<&str> = decoded.rejected.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        rejected,
        [
            "entry[0].changes[0].value.contacts[0]",
            "entry[0].changes[0].value.errors[0]"
        ]
    );
    let kinds: Vec<EventKind> = decoded.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Message, EventKind::ValueError]);
    let Event::Message(message) = &decoded.events[0].content else {
        panic!()
    };
    assert_eq!(message.contact, None);
    let Event::Error(error) = &decoded.events[1].content else {
        panic!()
    };
    assert_eq!(error.code, 130_429);
}

#[test]
fn unknown_types_and_shapes_are_kept_raw() {
    let body = messages_value(&json!({
        "messages": [
            {"from": "1", "id": "w1", "type": "poll_vote", "poll_vote": {"option": [1, 2]}},
            {"from": "1", "id": "w2", "type": "request_welcome"},
            {"from": "1", "id": "w3", "type": "interactive", "interactive": {"type": "carousel_reply", "carousel_reply": {"id": "c"}, "note": 1}}
        ],
        "reactions_v2": [{"x": 1}]
    }));
    let decoded = decode(&body);
    assert!(decoded.rejected.is_empty());
    let kinds: Vec<(EventKind, &str)> = decoded
        .events
        .iter()
        .map(|e| (e.kind, e.type_name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Message, "poll_vote"),
            (EventKind::Message, "request_welcome"),
            (EventKind::Message, "interactive"),
            (EventKind::Unknown, "messages"),
        ]
    );
    let content = |i: usize| match &decoded.events[i].content {
        Event::Message(m) => m.content.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        content(0),
        MessageContent::Other {
            kind: "poll_vote".into(),
            payload: Some(json!({"option": [1, 2]}))
        }
    );
    assert_eq!(content(1), MessageContent::RequestWelcome);
    let MessageContent::Interactive(interactive) = content(2) else {
        panic!()
    };
    assert_eq!(interactive.reply.kind(), "carousel_reply");
    assert_eq!(interactive.extra["note"], 1);
    let Event::Unknown(change) = &decoded.events[3].content else {
        panic!()
    };
    assert_eq!(change.value["reactions_v2"], json!([{"x": 1}]));

    // A messages change with nothing this decoder knows is kept whole.
    let decoded = decode(&messages_value(&json!({"messaging_product": "whatsapp"})));
    assert_eq!(decoded.events.len(), 1);
    assert_eq!(decoded.events[0].kind, EventKind::Unknown);
}

#[test]
fn members_named_like_added_fields_are_refused() {
    let error = "member `contact` clashes with the decoded field of the same name";
    let message = r#"{"id":"w","type":"text","text":{"body":"x"},"contact":{}}"#;
    assert_eq!(rejection(&one_item("messages", message)).1, error);
    let status = r#"{"id":"w","status":"read","contact":"PRIVATE-SENTINEL"}"#;
    assert_eq!(rejection(&one_item("statuses", status)).1, error);
    let message = r#"{"id":"w","type":"image","image":{"id":"m"},"content":1}"#;
    assert_eq!(
        rejection(&one_item("messages", message)).1,
        "member `content` clashes with the decoded field of the same name"
    );
    let message = r#"{"id":"w","type":"interactive","interactive":{"type":"x","reply":1}}"#;
    assert_eq!(
        rejection(&one_item("messages", message)).1,
        "`interactive`: member `reply` clashes with the decoded field of the same name"
    );
}

#[test]
fn a_null_payload_is_no_payload() {
    let body = one_item("messages", r#"{"id":"w","type":"revoke","revoke":null}"#);
    let decoded = decode(&body);
    let Event::Message(message) = &decoded.events[0].content else {
        panic!()
    };
    assert_eq!(
        message.content,
        MessageContent::Other {
            kind: "revoke".into(),
            payload: None
        }
    );
    assert!(message.extra.is_empty());
    let json = serde_json::to_string(&decoded.events[0].content).unwrap();
    assert_eq!(
        serde_json::from_str::<Event>(&json).unwrap(),
        decoded.events[0].content
    );
}

#[test]
fn a_known_type_without_its_object_is_kept_when_meta_reports_errors() {
    let body = messages_value(&json!({
        "messages": [{"from": "1", "id": "w", "type": "image",
            "errors": [{"code": 131052, "title": "Media download error"}]}]
    }));
    let decoded = decode(&body);
    assert!(decoded.rejected.is_empty());
    let Event::Message(message) = &decoded.events[0].content else {
        panic!()
    };
    assert_eq!(
        message.content,
        MessageContent::Other {
            kind: "image".into(),
            payload: None
        }
    );
    assert_eq!(message.errors[0].code, 131_052);
}

#[test]
fn duplicate_keys_in_an_item_reject_that_item() {
    let body = messages_value(&json!({"messages": [{"id": "PLACEHOLDER"}]})).replace(
        r#""id":"PLACEHOLDER""#,
        r#""id":"a","type":"text","text":{"body":"x"},"id":"b""#,
    );
    let (path, error) = rejection(&body);
    assert_eq!(path, "entry[0].changes[0].value.messages[0]");
    assert!(error.contains("more than once (`id`)"), "{error}");
}
