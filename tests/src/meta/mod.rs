//! A simulated Meta: builds realistic webhook payloads with unique wamids, serialises them as
//! Meta does, and signs them.

pub mod escape;
pub mod ids;
pub mod payload;
pub mod signature;

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::Value;

pub use escape::Escaping;
pub use ids::WamidGenerator;
pub use payload::{BusinessNumber, PayloadIds};
pub use signature::{SIGNATURE_HEADER, WebhookSigner};

use crate::error::{HarnessError, HarnessResult};

/// A webhook ready to POST: the exact body bytes, its signature header value, and the ids it
/// carries.
#[derive(Debug, Clone)]
pub struct SignedWebhook {
    /// The raw body as sent.
    pub body: Bytes,
    /// The `X-Hub-Signature-256` value.
    pub signature: String,
    /// The message wamids and status pairs in the body.
    pub ids: PayloadIds,
}

impl SignedWebhook {
    /// The first message wamid (the only one for single-message webhooks).
    pub fn wamid(&self) -> &str {
        self.ids.messages.first().map_or("", String::as_str)
    }
}

/// The simulated Meta for one app secret and one business number.
#[derive(Debug)]
pub struct MetaSimulator {
    signer: WebhookSigner,
    business: BusinessNumber,
    wamids: WamidGenerator,
}

impl MetaSimulator {
    /// A simulated Meta that signs with `app_secret`.
    pub fn new(app_secret: &[u8]) -> Self {
        Self {
            signer: WebhookSigner::new(app_secret),
            business: BusinessNumber::default(),
            wamids: WamidGenerator::new(),
        }
    }

    /// The business number the payloads are addressed to.
    pub fn business(&self) -> &BusinessNumber {
        &self.business
    }

    /// The signer (for signing arbitrary bytes).
    pub fn signer(&self) -> &WebhookSigner {
        &self.signer
    }

    /// A fresh unique wamid.
    pub fn next_wamid(&self) -> String {
        self.wamids.next_wamid()
    }

    /// The current Unix time in seconds (what Meta puts in `timestamp`).
    pub fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }

    /// A text message object with a fresh wamid and a varying sender.
    pub fn text_message(&self, text: &str) -> Value {
        let index = self.wamids.issued();
        let wamid = self.wamids.next_wamid();
        let sender = self.wamids.sender_for(index);
        payload::text_message(&wamid, &sender, self.now(), text)
    }

    /// A status object for `wamid`.
    pub fn status(&self, wamid: &str, status: &str) -> Value {
        payload::status(wamid, status, "16505551234", self.now())
    }

    /// A `messages` change carrying `messages` and `statuses`.
    pub fn messages_change(&self, messages: &[Value], statuses: &[Value]) -> Value {
        payload::messages_change(&self.business, messages, statuses)
    }

    /// An `account_update` change.
    pub fn account_update_change(&self, event: &str) -> Value {
        payload::account_update_change(&self.business, event)
    }

    /// A full payload: one entry per item of `entries`, each with those changes.
    pub fn payload(&self, entries: Vec<Vec<Value>>) -> Value {
        payload::envelope(
            entries
                .into_iter()
                .map(|changes| payload::entry(&self.business, changes, None))
                .collect(),
        )
    }

    /// Serialises `payload` with `escaping` and signs the resulting bytes.
    pub fn sign_payload(&self, payload: &Value, escaping: Escaping) -> SignedWebhook {
        let body = escape::to_meta_json(payload, escaping);
        let mut signed = self.sign_bytes(Bytes::from(body));
        signed.ids = payload::payload_ids(payload);
        signed
    }

    /// Signs raw bytes (which need not be JSON); the ids are read if the bytes are a payload.
    pub fn sign_bytes(&self, body: Bytes) -> SignedWebhook {
        let ids = serde_json::from_slice::<Value>(&body)
            .map(|value| payload::payload_ids(&value))
            .unwrap_or_default();
        SignedWebhook {
            signature: self.signer.header_value(&body),
            body,
            ids,
        }
    }

    /// A signed webhook with one text message (fresh wamid), serialised with Meta's escapes.
    pub fn text_webhook(&self, text: &str) -> SignedWebhook {
        let message = self.text_message(text);
        let payload = self.payload(vec![vec![self.messages_change(&[message], &[])]]);
        self.sign_payload(&payload, Escaping::META)
    }

    /// A signed single-text-message webhook whose body is exactly `total_bytes` long (the text is
    /// padded with ASCII letters).
    ///
    /// # Errors
    /// When `total_bytes` is smaller than the payload without text.
    pub fn sized_text_webhook(&self, total_bytes: usize) -> HarnessResult<SignedWebhook> {
        let mut message = self.text_message("");
        let empty = self.payload(vec![vec![self.messages_change(&[message.clone()], &[])]]);
        let overhead = escape::to_meta_json(&empty, Escaping::META).len();
        let padding = total_bytes.checked_sub(overhead).ok_or_else(|| {
            HarnessError::Invalid(format!(
                "a text webhook needs at least {overhead} bytes, asked for {total_bytes}"
            ))
        })?;
        message["text"]["body"] = Value::String("x".repeat(padding));
        let payload = self.payload(vec![vec![self.messages_change(&[message], &[])]]);
        let signed = self.sign_payload(&payload, Escaping::META);
        if signed.body.len() == total_bytes {
            Ok(signed)
        } else {
            Err(HarnessError::Invalid(format!(
                "sized webhook came out at {} bytes instead of {total_bytes}",
                signed.body.len()
            )))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn sized_webhook_has_the_exact_size_and_a_valid_signature() {
        let meta = MetaSimulator::new(b"secret");
        let webhook = meta.sized_text_webhook(4096).unwrap();
        assert_eq!(webhook.body.len(), 4096);
        assert_eq!(
            webhook.signature,
            WebhookSigner::new(b"secret").header_value(&webhook.body)
        );
        assert_eq!(webhook.ids.messages.len(), 1);
    }

    #[test]
    fn text_webhooks_carry_distinct_wamids() {
        let meta = MetaSimulator::new(b"secret");
        assert_ne!(
            meta.text_webhook("a").wamid(),
            meta.text_webhook("a").wamid()
        );
    }
}
