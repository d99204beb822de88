//! The simulated HQ's own Standard Webhooks code, written apart from the gateway's so that a
//! batch HQ accepts is one any receiver following the specification would accept: the key is
//! the base64 after `whsec_` (or the secret's bytes), a signature is `v1,` and the base64
//! HMAC-SHA256 of `"<webhook-id>.<webhook-timestamp>.<body>"`, and a timestamp more than five
//! minutes from HQ's clock is refused.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use ring::hmac;

/// The message id header (the same on every delivery of a batch).
pub const WEBHOOK_ID: &str = "webhook-id";
/// The signing time header, in Unix seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The signatures header.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// The largest difference between a timestamp and HQ's clock that HQ accepts, in seconds.
pub const TOLERANCE_S: i64 = 5 * 60;

/// HQ's copy of the shared secret.
#[derive(Clone)]
pub struct HqKey(hmac::Key);

impl fmt::Debug for HqKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HqKey(<secret>)")
    }
}

/// Why HQ did not take a delivery as signed by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unverified {
    /// The header is absent or empty.
    Missing(&'static str),
    /// The header is there but unreadable.
    Malformed(&'static str),
    /// The timestamp is this many seconds behind HQ's clock (negative: ahead).
    Stale {
        /// HQ's clock minus the timestamp.
        skew_s: i64,
    },
    /// No `v1` signature is the HMAC of the message.
    Mismatch,
}

impl fmt::Display for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(header) => write!(f, "{header} is missing"),
            Self::Malformed(header) => write!(f, "{header} is malformed"),
            Self::Stale { skew_s } => write!(f, "timestamp {skew_s} s from HQ's clock"),
            Self::Mismatch => f.write_str("no v1 signature matches"),
        }
    }
}

impl HqKey {
    /// The key of `secret` (`whsec_<base64>`, or raw text).
    ///
    /// # Errors
    /// A `whsec_` secret whose rest is not base64.
    pub fn from_secret(secret: &str) -> Result<Self, String> {
        let bytes = match secret.strip_prefix("whsec_") {
            Some(encoded) => STANDARD
                .decode(encoded)
                .map_err(|error| format!("whsec_ secret is not base64: {error}"))?,
            None => secret.as_bytes().to_vec(),
        };
        Ok(Self(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// The `webhook-signature` value HQ writes for its own answers (and the test clients use).
    pub fn sign(&self, webhook_id: &str, timestamp_s: i64, body: &[u8]) -> String {
        let content = signed_content(webhook_id, &timestamp_s.to_string(), body);
        let tag = hmac::sign(&self.0, &content);
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }

    /// Checks a delivery's three headers against `body` and HQ's clock `now_s`.
    ///
    /// # Errors
    /// What is wrong, as HQ tells it.
    pub fn check(&self, headers: &HeaderMap, body: &[u8], now_s: i64) -> Result<(), Unverified> {
        let text = |name: &'static str| match headers.get(name) {
            None => Err(Unverified::Missing(name)),
            Some(value) => match value.to_str() {
                Ok(text) if text.trim().is_empty() => Err(Unverified::Missing(name)),
                Ok(text) => Ok(text),
                Err(_) => Err(Unverified::Malformed(name)),
            },
        };
        let (id, timestamp, signatures) = (
            text(WEBHOOK_ID)?,
            text(WEBHOOK_TIMESTAMP)?,
            text(WEBHOOK_SIGNATURE)?,
        );
        let sent_at = timestamp
            .parse::<i64>()
            .map_err(|_| Unverified::Malformed(WEBHOOK_TIMESTAMP))?;
        let skew_s = now_s.saturating_sub(sent_at);
        if skew_s.abs() > TOLERANCE_S {
            return Err(Unverified::Stale { skew_s });
        }
        let content = signed_content(id, timestamp, body);
        for candidate in signatures.split_whitespace() {
            let Some(encoded) = candidate.strip_prefix("v1,") else {
                continue;
            };
            let Ok(tag) = STANDARD.decode(encoded) else {
                continue;
            };
            if hmac::verify(&self.0, &content, &tag).is_ok() {
                return Ok(());
            }
        }
        Err(Unverified::Mismatch)
    }
}

/// `"<id>.<timestamp>.<body>"`, the bytes a signature covers.
fn signed_content(id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    [id.as_bytes(), timestamp.as_bytes(), body].join(&b'.')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn hq_signs_the_specification_vector() {
        let key = HqKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            key.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
