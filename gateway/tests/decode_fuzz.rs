//! The decoder never panics: random bytes, byte-level mutations of real payloads, and
//! structural mutations (any node replaced by any JSON value). Whatever decodes still
//! round-trips, and rejected items still carry their exact text.

#![allow(clippy::unwrap_used, reason = "tests")]

mod decode_common;

use std::sync::LazyLock;

use gateway::meta::{Event, decode_webhook, verify_signature};
use proptest::prelude::*;
use serde_json::{Value, json};

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    decode_common::webhook_payloads()
        .into_iter()
        .map(|p| p.body)
        .collect()
});

/// Decodes `body` and checks the properties every outcome must have.
fn check(body: &[u8]) {
    let Ok(decoded) = decode_webhook(body) else {
        return;
    };
    let text = std::str::from_utf8(body).unwrap();
    for rejected in &decoded.rejected {
        assert!(text.contains(&rejected.raw), "raw is not from the body");
        assert!(!rejected.path.is_empty() && !rejected.error.is_empty());
    }
    for event in &decoded.events {
        let json = serde_json::to_string(&event.content).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event.content, "{json}");
    }
}

/// Bytes that move a JSON document between meaningful states.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"\\",
    b"null",
    b"true",
    b"0",
    b"-1",
    b"1.5e308",
    b"\"\"",
    b"{}",
    b"[]",
    b"\\u0000",
    b"\xff",
    b"\xc3\xa9",
    b"\"type\":\"text\"",
    b"\"id\":1",
    b"99999999999999999999",
    b"\"timestamp\":\"x\"",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Insert(at, token)),
        (any::<usize>(), 1usize..16).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Replace(at, byte)),
    ]
}

fn apply(body: &mut Vec<u8>, edit: &Edit) {
    if body.is_empty() {
        return;
    }
    match *edit {
        Edit::Insert(at, token) => {
            let at = at % (body.len() + 1);
            body.splice(at..at, TOKENS[token].iter().copied());
        }
        Edit::Delete(at, len) => {
            let at = at % body.len();
            let end = (at + len).min(body.len());
            body.drain(at..end);
        }
        Edit::Replace(at, byte) => {
            let at = at % body.len();
            body[at] = byte;
        }
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "[0-9]{0,20}".prop_map(Value::from),
        "-?[0-9]{1,3}\\.[0-9]{1,8}".prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(json!("text")),
        Just(json!("interactive")),
        Just(json!("whatsapp_business_account")),
    ]
}

fn any_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("type".to_owned()),
                    Just("body".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("contact".to_owned()),
                    Just("content".to_owned()),
                    Just("extra".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Replaces the `target`-th node (pre-order, modulo the node count) with `replacement`.
fn replace_node(root: &mut Value, target: usize, replacement: Value) {
    fn count(value: &Value) -> usize {
        1 + match value {
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(value: &mut Value, target: &mut usize, replacement: &mut Option<Value>) {
        if *target == 0 {
            if let Some(new) = replacement.take() {
                *value = new;
            }
            return;
        }
        *target -= 1;
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, target, replacement)),
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, target, replacement)),
            _ => {}
        }
    }
    let mut target = target % count(root);
    walk(root, &mut target, &mut Some(replacement));
}

proptest! {
    // 512 cases per property; PROPTEST_CASES=N runs more (or fewer).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn random_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&body);
        let _ = verify_signature(&[b"secret"], std::str::from_utf8(&body).ok(), &body);
    }

    #[test]
    fn random_json_never_panics(value in any_value()) {
        check(value.to_string().as_bytes());
        let envelope = json!({"object": "whatsapp_business_account", "entry": [value]});
        check(envelope.to_string().as_bytes());
    }

    #[test]
    fn byte_mutations_of_real_payloads_never_panic(
        index in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut body = CORPUS[index % CORPUS.len()].clone();
        for edit in &edits {
            apply(&mut body, edit);
        }
        check(&body);
    }

    #[test]
    fn structural_mutations_of_real_payloads_never_panic(
        index in any::<usize>(),
        target in any::<usize>(),
        replacement in any_value(),
    ) {
        let mut value: Value = serde_json::from_slice(&CORPUS[index % CORPUS.len()]).unwrap();
        replace_node(&mut value, target, replacement);
        check(value.to_string().as_bytes());
    }
}

#[test]
fn deep_nesting_and_huge_objects_are_handled() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(decode_webhook(deep.as_bytes()).is_err());
    let nested = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"W","changes":[{{"field":"x","value":{}1{}}}]}}]}}"#,
        "[".repeat(120),
        "]".repeat(120)
    );
    check(nested.as_bytes());
    let keys: Vec<String> = (0..15_000).map(|i| format!(r#""k{i}":{i}"#)).collect();
    let wide = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"W","changes":[{{"field":"messages","value":{{"messages":[{{"id":"w","type":"text","text":{{"body":"b"}},{}}}]}}}}]}}]}}"#,
        keys.join(",")
    );
    let decoded = decode_webhook(wide.as_bytes()).unwrap();
    let Event::Message(message) = &decoded.events[0].content else {
        unreachable!("a text message")
    };
    assert_eq!(message.extra.len(), 15_000);
}
