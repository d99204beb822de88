//! Target `webhook_decode`: the webhook decoder on arbitrary bytes.
//!
//! Whatever decodes: every item is accounted for ([`crate::webhook_accounting`]); each rejected
//! item names its path and why, and keeps text that is in the body; each event's content
//! round-trips through its JSON form (what `export` prints and HQ reads). No error, of a rejected
//! item or of a refused body, shows payload text (they go to logs and the dead-letter table):
//! [`CANARY`] stands for it.

use gateway::meta::{DecodedWebhook, Event, decode_webhook};

/// Payload text that no error may show. The JSON dictionary and the seed `canary.json` put it in
/// values and member names; its `-` keeps it from being a member name the decoder may quote.
pub const CANARY: &str = "PRIVATE-CANARY";

/// Runs the target on `body`.
pub fn run(body: &[u8]) {
    match decode_webhook(body) {
        Ok(decoded) => check(body, &decoded),
        Err(error) => check_error_text(&error.to_string()),
    }
}

fn check_error_text(error: &str) {
    assert!(
        !error.contains(CANARY),
        "an error shows payload text: {error}"
    );
}

/// The invariants of `decoded`, the decoding of `body`.
pub fn check(body: &[u8], decoded: &DecodedWebhook) {
    let text = std::str::from_utf8(body).expect("the decoder accepted a body that is not UTF-8");
    for rejected in &decoded.rejected {
        assert!(
            !rejected.path.is_empty() && !rejected.error.is_empty(),
            "a rejected item without its path or error: {rejected:?}"
        );
        check_error_text(&rejected.error);
        assert!(
            text.contains(&rejected.raw),
            "rejected item {} keeps text that is not in the body",
            rejected.path
        );
    }
    for event in &decoded.events {
        let json = serde_json::to_string(&event.content).expect("decoded content serialises");
        let back: Event = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("decoded content's JSON does not read back ({e}): {json}"));
        assert_eq!(
            back, event.content,
            "decoded content changes through JSON: {json}"
        );
    }
    if let Some(problem) = crate::webhook_accounting::mismatch(text, decoded) {
        panic!("{problem}");
    }
}
