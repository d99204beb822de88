//! Standard Webhooks signatures, for the batches the gateway posts to headquarters and the
//! command answers it takes from there.
//!
//! - Three headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
//!   space-separated list of `v1,<base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
//! - The key: the base64 after `whsec_` when the secret starts so, else the secret's bytes.
//! - A receiver accepts when any `v1` signature matches (in constant time) and the timestamp is
//!   within [`TOLERANCE_S`] of its clock either way.
//!
//! Pure: the caller gives the clock (`now_s`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose::STANDARD};
use http::HeaderMap;
use ring::hmac;
use zeroize::Zeroizing;

/// The header naming the message; the same on every delivery of it.
pub const ID_HEADER: &str = "webhook-id";
/// The header with the signing time, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header with the signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The prefix of a secret written in the Standard Webhooks form (`whsec_<base64>`).
pub const SECRET_PREFIX: &str = "whsec_";
/// The version tag of an HMAC-SHA256 signature.
const VERSION: &str = "v1";
/// How far a timestamp may be from the receiver's clock, either way: 5 minutes.
pub const TOLERANCE_S: u64 = 300;

/// Standard base64 that takes the key padded or not (`whsec_` keys are written both ways).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The HMAC key shared with headquarters. Its bytes are wiped when it is dropped; `Debug` never
/// shows them.
#[derive(Clone)]
pub struct SigningKey(Zeroizing<Vec<u8>>);

/// Why a secret is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Nothing to sign with.
    #[error("the secret is empty")]
    Empty,
    /// `whsec_` and then not base64 (the secret itself is never shown).
    #[error(
        "the secret starts with whsec_ but the rest is not base64; write the whsec_ secret as \
         headquarters gave it, or a secret without the whsec_ prefix"
    )]
    NotBase64,
}

impl SigningKey {
    /// The key of `secret`: the base64 after `whsec_`, or the text's bytes.
    ///
    /// # Errors
    /// An empty key, or `whsec_` followed by something that is not base64.
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        let key = match secret.strip_prefix(SECRET_PREFIX) {
            Some(encoded) => Zeroizing::new(
                LENIENT
                    .decode(encoded.trim())
                    .map_err(|_| KeyError::NotBase64)?,
            ),
            None => Zeroizing::new(secret.as_bytes().to_vec()),
        };
        if key.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self(key))
    }

    fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// The `webhook-signature` value for a message: `v1,<base64 HMAC-SHA256>` over
/// `"<id>.<timestamp_s>.<body>"`.
#[must_use]
pub fn sign(key: &SigningKey, id: &str, timestamp_s: u64, body: &[u8]) -> String {
    let mut context = hmac::Context::with_key(&key.hmac_key());
    context.update(id.as_bytes());
    context.update(b".");
    context.update(timestamp_s.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("{VERSION},{}", STANDARD.encode(context.sign()))
}

/// Why a signed message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A header is absent.
    #[error("the {header} header is missing")]
    Missing {
        /// The header.
        header: &'static str,
    },
    /// A header is not what the specification says.
    #[error("the {header} header is malformed: {reason}")]
    Malformed {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timestamp is too far from the clock (a replay, or a clock that is off).
    #[error(
        "the {TIMESTAMP_HEADER} is {skew_s} s from this gateway's clock (at most {TOLERANCE_S} s \
         either way): a replayed message, or a clock that is off"
    )]
    Stale {
        /// The clock minus the timestamp, in seconds (positive: the message is old).
        skew_s: i64,
    },
    /// No `v1` signature matches the message under the key.
    #[error("no v1 signature in {SIGNATURE_HEADER} matches the message under the shared secret")]
    Mismatch,
}

/// Checks the Standard Webhooks headers of a message with body `body` received at `now_s`.
///
/// # Errors
/// A header missing or malformed, a timestamp more than [`TOLERANCE_S`] away from `now_s`, or
/// no `v1` signature that matches.
pub fn verify(
    key: &SigningKey,
    headers: &HeaderMap,
    body: &[u8],
    now_s: u64,
) -> Result<(), SignatureError> {
    let id = header(headers, ID_HEADER)?;
    let timestamp = header(headers, TIMESTAMP_HEADER)?;
    let signatures = header(headers, SIGNATURE_HEADER)?;
    let signed_at: u64 = timestamp.parse().map_err(|_| SignatureError::Malformed {
        header: TIMESTAMP_HEADER,
        reason: "not a whole number of seconds since 1970",
    })?;
    let skew_s = i128::from(now_s) - i128::from(signed_at);
    if skew_s.unsigned_abs() > u128::from(TOLERANCE_S) {
        let skew_s = i64::try_from(skew_s).unwrap_or(if skew_s < 0 { i64::MIN } else { i64::MAX });
        return Err(SignatureError::Stale { skew_s });
    }
    let mut message = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    for part in [id.as_bytes(), b".", timestamp.as_bytes(), b".", body] {
        message.extend_from_slice(part);
    }
    let key = key.hmac_key();
    let matches = signatures
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
        .any(|tag| hmac::verify(&key, &message, &tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The text of header `name`.
fn header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, SignatureError> {
    let value = headers
        .get(name)
        .ok_or(SignatureError::Missing { header: name })?;
    let text = value.to_str().map_err(|_| SignatureError::Malformed {
        header: name,
        reason: "not visible ASCII",
    })?;
    if text.trim().is_empty() {
        return Err(SignatureError::Missing { header: name });
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use http::HeaderValue;

    use super::*;

    // The test vector of the Standard Webhooks specification and its reference libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: u64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (ID_HEADER, id),
            (TIMESTAMP_HEADER, timestamp),
            (SIGNATURE_HEADER, signature),
        ] {
            headers.insert(name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn spec_key() -> SigningKey {
        SigningKey::from_secret(SPEC_SECRET).unwrap()
    }

    #[test]
    fn the_specification_vector_signs_and_verifies() {
        assert_eq!(
            sign(&spec_key(), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
        let received = headers(SPEC_ID, "1614265330", SPEC_SIGNATURE);
        assert_eq!(
            verify(&spec_key(), &received, SPEC_BODY, SPEC_TIMESTAMP),
            Ok(())
        );
    }

    #[test]
    fn any_listed_v1_signature_may_match() {
        let rotated = format!("v1,bm9wZQ== v1a,whatever {SPEC_SIGNATURE}");
        let received = headers(SPEC_ID, "1614265330", &rotated);
        assert_eq!(
            verify(&spec_key(), &received, SPEC_BODY, SPEC_TIMESTAMP),
            Ok(())
        );
        let none = headers(SPEC_ID, "1614265330", "v1,bm9wZQ== v2,xyz nocomma");
        assert_eq!(
            verify(&spec_key(), &none, SPEC_BODY, SPEC_TIMESTAMP),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_changed_body_id_timestamp_or_key_does_not_verify() {
        let at = SPEC_TIMESTAMP;
        let mismatch = Err(SignatureError::Mismatch);
        let good = headers(SPEC_ID, "1614265330", SPEC_SIGNATURE);
        assert_eq!(verify(&spec_key(), &good, b"{\"test\": 1}", at), mismatch);
        let other_id = headers("msg_other", "1614265330", SPEC_SIGNATURE);
        assert_eq!(verify(&spec_key(), &other_id, SPEC_BODY, at), mismatch);
        let other_time = headers(SPEC_ID, "1614265331", SPEC_SIGNATURE);
        assert_eq!(verify(&spec_key(), &other_time, SPEC_BODY, at), mismatch);
        // The same text without whsec_ is a raw key: other bytes, another signature.
        let raw = SigningKey::from_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(verify(&raw, &good, SPEC_BODY, at), mismatch);
    }

    #[test]
    fn a_raw_secret_is_its_bytes() {
        let key = SigningKey::from_secret("plain text secret").unwrap();
        let signature = sign(&key, "gw:1-3", 1_700_000_000, b"{}");
        let expected = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, b"plain text secret"),
            b"gw:1-3.1700000000.{}",
        );
        assert_eq!(
            signature,
            format!("v1,{}", STANDARD.encode(expected.as_ref()))
        );
        let received = headers("gw:1-3", "1700000000", &signature);
        assert_eq!(verify(&key, &received, b"{}", 1_700_000_000), Ok(()));
    }

    #[test]
    fn timestamps_more_than_five_minutes_off_either_way_are_stale() {
        let at = SPEC_TIMESTAMP;
        let received = headers(SPEC_ID, "1614265330", SPEC_SIGNATURE);
        for now in [at - 300, at + 300] {
            assert_eq!(verify(&spec_key(), &received, SPEC_BODY, now), Ok(()));
        }
        assert_eq!(
            verify(&spec_key(), &received, SPEC_BODY, at + 301),
            Err(SignatureError::Stale { skew_s: 301 })
        );
        assert_eq!(
            verify(&spec_key(), &received, SPEC_BODY, at - 7_200),
            Err(SignatureError::Stale { skew_s: -7_200 })
        );
        // Staleness is judged before the signature: a wrong one that is also stale says so.
        let forged = headers(SPEC_ID, "1614265330", "v1,bm9wZQ==");
        assert!(matches!(
            verify(&spec_key(), &forged, SPEC_BODY, at + 3_600),
            Err(SignatureError::Stale { .. })
        ));
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let key = spec_key();
        let mut received = headers(SPEC_ID, "1614265330", SPEC_SIGNATURE);
        received.remove(SIGNATURE_HEADER);
        assert_eq!(
            verify(&key, &received, SPEC_BODY, SPEC_TIMESTAMP),
            Err(SignatureError::Missing {
                header: SIGNATURE_HEADER
            })
        );
        let empty_id = headers(" ", "1614265330", SPEC_SIGNATURE);
        assert_eq!(
            verify(&key, &empty_id, SPEC_BODY, SPEC_TIMESTAMP),
            Err(SignatureError::Missing { header: ID_HEADER })
        );
        for timestamp in ["-5", "1614265330.5", "soon"] {
            let received = headers(SPEC_ID, timestamp, SPEC_SIGNATURE);
            let error = verify(&key, &received, SPEC_BODY, SPEC_TIMESTAMP).unwrap_err();
            assert!(
                matches!(
                    error,
                    SignatureError::Malformed {
                        header: TIMESTAMP_HEADER,
                        ..
                    }
                ),
                "{timestamp}: {error:?}"
            );
        }
        let mut binary = headers(SPEC_ID, "1614265330", SPEC_SIGNATURE);
        binary.insert(ID_HEADER, HeaderValue::from_bytes(b"msg_\xff").unwrap());
        assert!(matches!(
            verify(&key, &binary, SPEC_BODY, SPEC_TIMESTAMP),
            Err(SignatureError::Malformed {
                header: ID_HEADER,
                ..
            })
        ));
    }

    #[test]
    fn secrets_that_are_no_key_are_refused_and_never_shown() {
        assert_eq!(SigningKey::from_secret("").unwrap_err(), KeyError::Empty);
        assert_eq!(
            SigningKey::from_secret("whsec_").unwrap_err(),
            KeyError::Empty
        );
        let error = SigningKey::from_secret("whsec_not*base64!").unwrap_err();
        assert_eq!(error, KeyError::NotBase64);
        assert!(!error.to_string().contains("not*base64"), "{error}");
        // Padded or not, the same key.
        let padded = SigningKey::from_secret("whsec_YWJj").unwrap();
        let unpadded = SigningKey::from_secret("whsec_YWI").unwrap();
        assert_eq!(padded.0.as_slice(), b"abc");
        assert_eq!(unpadded.0.as_slice(), b"ab");
        let shown = format!("{:?}", spec_key());
        assert_eq!(shown, "SigningKey(<redacted>)");
    }
}
