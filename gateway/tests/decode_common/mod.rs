//! Shared helpers for the decoder tests: where the corpus is, and every webhook payload in it.
//!
//! The corpus is `tests/corpus/` in the repository (sources, commits and licences in its README).
//! `WAYGATE_CORPUS` overrides the location.

#![allow(dead_code, reason = "each test crate uses a different subset")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a broken corpus is a test failure"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::LazyLock;

use gateway::meta::{DecodedWebhook, Event, InboundEvent, Message, Status, decode_webhook};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The corpus directory.
pub(crate) fn corpus_dir() -> PathBuf {
    std::env::var_os("WAYGATE_CORPUS").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus")),
        PathBuf::from,
    )
}

/// The bytes of a corpus file (path relative to the corpus directory).
pub(crate) fn read(relative: &str) -> Vec<u8> {
    let path = corpus_dir().join(relative);
    fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "corpus file {} unreadable ({e}); set WAYGATE_CORPUS to the corpus directory",
            path.display()
        )
    })
}

/// One webhook body from the corpus.
#[derive(Debug, Clone)]
pub(crate) struct Payload {
    /// Where it comes from, e.g. `pywa/updates/message.json:text`.
    pub(crate) name: String,
    /// The exact JSON text.
    pub(crate) body: Vec<u8>,
}

#[derive(Deserialize)]
struct NamedPayload {
    name: String,
    payload: Box<RawValue>,
}

#[derive(Deserialize)]
struct FactoryPayload {
    test: String,
    index: u32,
    payload: Box<RawValue>,
}

fn keyed(relative: &str, out: &mut Vec<Payload>) {
    let bytes = read(relative);
    let map: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(&bytes).unwrap();
    for (key, payload) in map {
        out.push(Payload {
            name: format!("{relative}:{key}"),
            body: payload.get().as_bytes().to_vec(),
        });
    }
}

fn files_in(relative_dir: &str) -> Vec<String> {
    let dir = corpus_dir().join(relative_dir);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus directory {} unreadable ({e})", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// The Java corpus file that is invalid JSON upstream (a stray trailing `{`).
pub(crate) const INVALID_JAVA_FILE: &str =
    "whatsapp-business-java-api/src/test/resources/deserialization/textMessageStatusRead.json";

/// Every webhook payload in the corpus (all FILES.md webhook sources), except the one invalid
/// upstream file ([`INVALID_JAVA_FILE`]). Read once per test binary.
pub(crate) fn webhook_payloads() -> Vec<Payload> {
    static ALL: LazyLock<Vec<Payload>> = LazyLock::new(load_webhook_payloads);
    ALL.clone()
}

fn load_webhook_payloads() -> Vec<Payload> {
    let mut out = Vec::new();
    for file in files_in("pywa/tests/data/updates") {
        keyed(&format!("pywa/tests/data/updates/{file}"), &mut out);
    }
    let list: Vec<NamedPayload> =
        serde_json::from_slice(&read("whatsapp-api-js/payload_examples_v25.json")).unwrap();
    for (index, item) in list.into_iter().enumerate() {
        out.push(Payload {
            name: format!(
                "whatsapp-api-js/payload_examples_v25.json[{index}]:{}",
                item.name
            ),
            body: item.payload.get().as_bytes().to_vec(),
        });
    }
    for file in files_in("whatsapp-api-js/test/payloads/v25") {
        let relative = format!("whatsapp-api-js/test/payloads/v25/{file}");
        out.push(Payload {
            body: read(&relative),
            name: relative,
        });
    }
    let java = "whatsapp-business-java-api/src/test/resources/deserialization";
    for file in files_in(java) {
        let relative = format!("{java}/{file}");
        if relative != INVALID_JAVA_FILE {
            out.push(Payload {
                body: read(&relative),
                name: relative,
            });
        }
    }
    let factory: Vec<FactoryPayload> = serde_json::from_slice(&read(
        "whatsapp-cloud-api/notification_factory_payloads.json",
    ))
    .unwrap();
    for (position, item) in factory.into_iter().enumerate() {
        out.push(Payload {
            name: format!(
                "whatsapp-cloud-api/notification_factory_payloads.json[{position}]:{}#{}",
                item.test, item.index
            ),
            body: item.payload.get().as_bytes().to_vec(),
        });
    }
    keyed("openapi/extracted/webhook_examples.json", &mut out);
    out
}

/// The payload whose name ends with `suffix` (exactly one must match).
pub(crate) fn payload(suffix: &str) -> Payload {
    let mut matches: Vec<Payload> = webhook_payloads()
        .into_iter()
        .filter(|p| p.name.ends_with(suffix))
        .collect();
    assert_eq!(
        matches.len(),
        1,
        "payloads named *{suffix}: {}",
        matches.len()
    );
    matches.remove(0)
}

/// Decodes a corpus payload; the envelope must be usable.
pub(crate) fn decode(payload: &Payload) -> DecodedWebhook {
    decode_webhook(&payload.body)
        .unwrap_or_else(|e| panic!("{}: whole payload refused: {e}", payload.name))
}

/// The single event of the payload named `suffix` (which must reject nothing).
pub(crate) fn only_event(suffix: &str) -> InboundEvent {
    let decoded = decode(&payload(suffix));
    assert!(
        decoded.rejected.is_empty(),
        "{suffix}: {:?}",
        decoded.rejected
    );
    assert_eq!(decoded.events.len(), 1, "{suffix}");
    decoded.events.into_iter().next().unwrap()
}

/// The message inside a message event.
pub(crate) fn as_message(event: &InboundEvent) -> &Message {
    match &event.content {
        Event::Message(message) => message,
        other => panic!("not a message: {other:?}"),
    }
}

/// The status inside a status event.
pub(crate) fn as_status(event: &InboundEvent) -> &Status {
    match &event.content {
        Event::Status(status) => status,
        other => panic!("not a status: {other:?}"),
    }
}
