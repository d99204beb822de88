//! Who may use the local operator API ([`Operator`]), and where their bearer token comes
//! from ([`OperatorToken`]). Tokens are stored hashed: the configuration holds the token's
//! SHA-256, or names a file or variable that the gateway reads and hashes at start.

use core::fmt;

use crate::chat_settings::NAME_CAPACITY;
use crate::config::{EnvName, Path, SecretSource};

/// Most operators (`[[operators]]`).
pub const MAX_OPERATORS: usize = 32;
/// Bytes of a SHA-256 digest.
pub const TOKEN_SHA256_LEN: usize = 32;

/// An operator's name ([`NAME_CAPACITY`] bytes).
pub type OperatorName = heapless::String<NAME_CAPACITY>;

/// One operator of the local API (`[[operators]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Unique, not blank; names the operator in logs and the chat history.
    pub name: OperatorName,
    /// Where the bearer token comes from. Its `Debug` output never shows the digest.
    pub token: OperatorToken,
}

/// Where an operator's bearer token comes from: exactly one source.
#[derive(Clone, PartialEq, Eq)]
pub enum OperatorToken {
    /// The SHA-256 of the token (TOML `token_sha256 = "<64 hex digits>"`).
    Sha256([u8; TOKEN_SHA256_LEN]),
    /// A file holding the token itself (TOML `token_file`); the gateway hashes it at start.
    File(Path),
    /// An environment variable holding the token itself (TOML `token_env`).
    Env(EnvName),
}

impl OperatorToken {
    /// The file or variable to read the clear token from (then hash it); `None` for
    /// [`Self::Sha256`], which is already hashed. Resolve it with `SecretSource::resolve`.
    #[must_use]
    pub fn clear_source(&self) -> Option<SecretSource> {
        match self {
            Self::Sha256(_) => None,
            Self::File(path) => Some(SecretSource::File(path.clone())),
            Self::Env(name) => Some(SecretSource::Env(name.clone())),
        }
    }
}

/// The digest is withheld: a digest of a weak token can be guessed offline.
impl fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sha256(_) => f.write_str("Sha256(<redacted>)"),
            Self::File(path) => f.debug_tuple("File").field(&path.as_str()).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(&name.as_str()).finish(),
        }
    }
}

/// The digest written as 64 hex digits (either case), or `None`.
#[cfg(feature = "std")]
pub(crate) fn sha256_from_hex(text: &str) -> Option<[u8; TOKEN_SHA256_LEN]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * TOKEN_SHA256_LEN {
        return None;
    }
    let mut out = [0_u8; TOKEN_SHA256_LEN];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let [high, low] = pair else {
            return None;
        };
        *byte = (hex_value(*high)? << 4) | hex_value(*low)?;
    }
    Some(out)
}

#[cfg(feature = "std")]
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The digest as 64 lowercase hex digits.
#[cfg(feature = "std")]
pub(crate) struct Sha256Hex<'a>(pub(crate) &'a [u8; TOKEN_SHA256_LEN]);

#[cfg(feature = "std")]
impl fmt::Display for Sha256Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "std")]
    fn hex_digests_read_in_either_case_and_write_lowercase() {
        let text = "9F86D081884C7D659A2FEAA0C55AD015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let digest = sha256_from_hex(text);
        assert_eq!(digest.map(|d| d[0]), Some(0x9f));
        assert_eq!(digest.map(|d| d[31]), Some(0x08));
        let written = digest.map(|d| Sha256Hex(&d).to_string());
        assert_eq!(written.as_deref(), Some(text.to_ascii_lowercase().as_str()));
        assert_eq!(sha256_from_hex(&text[..62]), None);
        assert_eq!(sha256_from_hex(&format!("{}zz", &text[..62])), None);
        assert_eq!(sha256_from_hex(""), None);
        assert_eq!(sha256_from_hex(&"é".repeat(32)), None);
    }

    #[test]
    fn the_digest_never_prints_and_only_clear_tokens_have_a_source() {
        let token = OperatorToken::Sha256([0xab; 32]);
        assert_eq!(format!("{token:?}"), "Sha256(<redacted>)");
        assert_eq!(token.clear_source(), None);
        let env = OperatorToken::Env(EnvName::try_from("KIOSK_TOKEN").unwrap_or_default());
        assert_eq!(
            env.clear_source(),
            Some(SecretSource::Env(
                EnvName::try_from("KIOSK_TOKEN").unwrap_or_default()
            ))
        );
    }
}
