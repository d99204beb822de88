//! Who is calling the operator API: bearer tokens, kept only as SHA-256 digests and compared in
//! constant time.
//!
//! Each operator has a name and a token. The gateway keeps the token's SHA-256 digest (from the
//! configuration, a file or the environment) as a [`Secret`]. A presented token is hashed and
//! its digest compared with **every** operator's by [`Secret::matches`] (constant-time; digests
//! all have one length, so not even the token's length shows), without stopping at the first
//! match, so the time taken reveals neither the tokens nor which operator matched.

use crate::secret::Secret;
use ring::digest;

/// The SHA-256 digest of an operator token: what the gateway stores instead of the token.
pub fn token_digest(token: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, token).as_ref());
    out
}

/// One operator: their name and their token's digest.
struct OperatorEntry {
    name: String,
    digest: Secret<[u8; 32]>,
}

/// The operators allowed on the API, by token.
pub struct OperatorAuth {
    operators: Vec<OperatorEntry>,
}

impl OperatorAuth {
    /// Prepares the check for `operators`: (operator name, [`token_digest`] of their token).
    pub fn new(operators: Vec<(String, [u8; 32])>) -> Self {
        let operators = operators
            .into_iter()
            .map(|(name, digest)| OperatorEntry {
                digest: Secret::new(digest),
                name,
            })
            .collect();
        Self { operators }
    }

    /// Whether `name` is one of the operators.
    pub fn knows(&self, name: &str) -> bool {
        self.operators.iter().any(|operator| operator.name == name)
    }

    /// The number of operators who can sign in.
    pub fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// The operator whose token `authorization_header` carries (`Bearer <token>`), or `None`
    /// when the header is missing, uses another scheme, or the token is nobody's.
    pub fn authenticate(&self, authorization_header: Option<&str>) -> Option<&str> {
        let token = bearer_token(authorization_header?)?;
        let presented = token_digest(token.as_bytes());
        let mut operator = None;
        for entry in &self.operators {
            // Every entry is checked, matched or not.
            let matches = entry.digest.matches(&presented);
            if matches && operator.is_none() {
                operator = Some(entry.name.as_str());
            }
        }
        operator
    }
}

/// The token of an `Authorization: Bearer <token>` value (the scheme is case-insensitive, RFC
/// 7235); `None` for another scheme or an empty token.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim_start();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl std::fmt::Debug for OperatorAuth {
    /// Names the operators, never their tokens or digests.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorAuth")
            .field(
                "operators",
                &self
                    .operators
                    .iter()
                    .map(|entry| entry.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> OperatorAuth {
        OperatorAuth::new(vec![
            ("ana".into(), token_digest(b"token-ana")),
            ("ben".into(), token_digest(b"token-ben")),
        ])
    }

    #[test]
    fn the_right_token_names_its_operator() {
        let auth = auth();
        assert_eq!(auth.authenticate(Some("Bearer token-ana")), Some("ana"));
        assert_eq!(auth.authenticate(Some("Bearer token-ben")), Some("ben"));
        assert_eq!(auth.authenticate(Some("bearer token-ben")), Some("ben"));
    }

    #[test]
    fn a_wrong_token_is_nobody() {
        let auth = auth();
        for header in [
            "Bearer token-an",
            "Bearer token-ana2",
            "Bearer TOKEN-ANA",
            "Bearer ",
            "Bearer",
            "Bearer token-ana token-ben",
        ] {
            assert_eq!(auth.authenticate(Some(header)), None, "{header}");
        }
    }

    #[test]
    fn a_missing_header_is_nobody() {
        assert_eq!(auth().authenticate(None), None);
    }

    #[test]
    fn another_scheme_is_nobody() {
        let auth = auth();
        assert_eq!(auth.authenticate(Some("Basic token-ana")), None);
        assert_eq!(auth.authenticate(Some("token-ana")), None);
    }

    #[test]
    fn no_operators_means_nobody_gets_in() {
        let auth = OperatorAuth::new(Vec::new());
        assert_eq!(auth.authenticate(Some("Bearer ")), None);
        assert_eq!(auth.authenticate(Some("Bearer anything")), None);
    }

    #[test]
    fn debug_output_names_operators_but_no_secret() {
        let auth = auth();
        let text = format!("{auth:?}");
        assert!(text.contains("ana") && text.contains("ben"));
        assert!(!text.contains("token-ana"));
        assert!(!text.contains(&hex::encode(token_digest(b"token-ana"))));
    }

    #[test]
    fn the_digest_is_sha256() {
        assert_eq!(
            hex::encode(token_digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
