//! Constant-time comparison of a presented secret (verify token, bearer token) with the
//! expected one.
//!
//! The expected value is kept only as an HMAC-SHA256 tag under a key drawn at start-up; a
//! candidate is checked with `ring::hmac::verify`, whose tag comparison is constant-time. The
//! time taken therefore reveals neither the expected value nor its length.

use ring::hmac;
use ring::rand::SystemRandom;

/// Holds a keyed digest of the expected secret, never the secret itself.
pub struct SecretMatcher {
    key: hmac::Key,
    expected_tag: hmac::Tag,
}

impl SecretMatcher {
    /// Prepares a matcher for `expected`.
    pub fn new(expected: &[u8]) -> Result<Self, crate::secrets::SecretError> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .map_err(|_| crate::secrets::SecretError::Random)?;
        let expected_tag = hmac::sign(&key, expected);
        Ok(Self { key, expected_tag })
    }

    /// True when `candidate` equals the expected secret.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        hmac::verify(&self.key, candidate, self.expected_tag.as_ref()).is_ok()
    }
}

impl std::fmt::Debug for SecretMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretMatcher(<redacted>)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::SecretMatcher;

    #[test]
    fn matches_only_the_exact_value() {
        let matcher = SecretMatcher::new(b"token-123").unwrap();
        assert!(matcher.matches(b"token-123"));
        for wrong in [&b""[..], b"token-12", b"token-1234", b"TOKEN-123"] {
            assert!(!matcher.matches(wrong));
        }
    }
}
