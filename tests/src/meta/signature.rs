//! Meta's `X-Hub-Signature-256`: `sha256=` + lowercase hex HMAC-SHA256 of the raw body.

use ring::hmac;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Signs webhook bodies with an app secret, as Meta does.
#[derive(Clone)]
pub struct WebhookSigner {
    key: hmac::Key,
}

impl WebhookSigner {
    /// A signer for `app_secret`.
    pub fn new(app_secret: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, app_secret),
        }
    }

    /// The header value for `body`: `sha256=<64 lowercase hex>`.
    pub fn header_value(&self, body: &[u8]) -> String {
        format!(
            "sha256={}",
            hex::encode(hmac::sign(&self.key, body).as_ref())
        )
    }
}

impl std::fmt::Debug for WebhookSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("WebhookSigner(<secret>)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn matches_the_pywa_vector() {
        let corpus = crate::corpus::corpus_dir();
        let vector: serde_json::Value = serde_json::from_slice(
            &std::fs::read(corpus.join("pywa/signature_vector.json")).unwrap(),
        )
        .unwrap();
        let body = std::fs::read(corpus.join("pywa/signature_vector_body.bin")).unwrap();
        let signer = WebhookSigner::new(vector["app_secret"].as_str().unwrap().as_bytes());
        assert_eq!(
            signer.header_value(&body),
            vector["x_hub_signature_256"].as_str().unwrap()
        );
    }

    #[test]
    fn different_secrets_give_different_signatures() {
        let body = b"{}";
        assert_ne!(
            WebhookSigner::new(b"a").header_value(body),
            WebhookSigner::new(b"b").header_value(body)
        );
    }
}
