//! Where a secret comes from ([`SecretSource`]) and where an operator's bearer token comes from
//! ([`OperatorToken`]): settings with one key per source, of which at most (or exactly) one is
//! written. Their `Debug` output never shows a secret or a digest.

use core::fmt;

use crate::blob::{CodecError, Decoder, Encoder};
use crate::config::{EnvName, InlineSecret, Path};
use crate::problem::{ProblemKind, ShownValue};
use crate::schema::Meta;
use crate::values::{Flaw, Value};
#[cfg(feature = "std")]
use crate::values::{Toml, fixed};

/// Bytes of a SHA-256 digest.
pub const TOKEN_SHA256_LEN: usize = 32;

/// Where a secret comes from: generated (no key written), or one of its three keys.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// Generated once by the gateway into `data_dir` (mode 0600).
    #[default]
    Generated,
    /// Written in the configuration itself (`app_secret = "..."`).
    Inline(InlineSecret),
    /// Read from a file (`app_secret_file = "/run/secrets/x"`).
    File(Path),
    /// Read from an environment variable (`app_secret_env = "MY_VAR"`).
    Env(EnvName),
}

/// Where an operator's bearer token comes from: exactly one of three keys. Tokens are kept
/// hashed; a file or variable holds the clear token, which the gateway hashes at start.
#[derive(Clone, PartialEq, Eq)]
pub enum OperatorToken {
    /// The SHA-256 of the token (`token_sha256 = "<64 hex digits>"`).
    Sha256([u8; TOKEN_SHA256_LEN]),
    /// A file holding the token itself (`token_file`).
    File(Path),
    /// An environment variable holding the token itself (`token_env`).
    Env(EnvName),
}

impl Default for OperatorToken {
    fn default() -> Self {
        Self::File(Path::new())
    }
}

impl OperatorToken {
    /// The file or variable to read the clear token from (then hash it); `None` for
    /// [`Self::Sha256`], which is already hashed.
    #[must_use]
    pub fn clear_source(&self) -> Option<SecretSource> {
        match self {
            Self::Sha256(_) => None,
            Self::File(path) => Some(SecretSource::File(path.clone())),
            Self::Env(name) => Some(SecretSource::Env(name.clone())),
        }
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generated => f.write_str("Generated"),
            Self::Inline(_) => f.write_str("Inline(<redacted>)"),
            Self::File(path) => f.debug_tuple("File").field(&path.as_str()).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(&name.as_str()).finish(),
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

/// Whether `name` can name an environment variable.
pub(crate) fn is_env_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

/// The flaw of a file or variable source: an empty path, or a name no variable can have.
fn source_flaw(suffix: usize, text: &str, is_env: bool) -> Option<Flaw> {
    let kind = if is_env {
        (!is_env_name(text)).then_some(ProblemKind::InvalidEnvName)
    } else {
        text.is_empty().then_some(ProblemKind::Empty)
    };
    kind.map(|kind| Flaw {
        suffix,
        entry: None,
        shown: ShownValue::quoted(text),
        kind,
    })
}

/// The problem of two sources written for one secret: reported at the second.
#[cfg(feature = "std")]
fn conflict(found: &[(usize, &Toml<'_>)]) -> (usize, ProblemKind) {
    // The reader fills in the first key's path; only the second's suffix is known here.
    let second = found.get(1).map_or(0, |(suffix, _)| *suffix);
    let other = crate::problem::KeyPath::new("");
    (second, ProblemKind::ConflictingSources { other })
}

#[cfg(feature = "std")]
fn text_of<const N: usize>(
    suffix: usize,
    value: &Toml<'_>,
) -> Result<heapless::String<N>, (usize, ProblemKind)> {
    let text = value.as_str().ok_or((
        suffix,
        ProblemKind::WrongType {
            expected: "a string",
            found: value.type_str(),
        },
    ))?;
    fixed(text).map_err(|kind| (suffix, kind))
}

impl Value for SecretSource {
    const TYPE: &'static str = "string";
    const SUFFIXES: &'static [&'static str] = &["", "_file", "_env"];
    const SECRET_SUFFIX: Option<usize> = Some(0);

    fn shown(&self) -> ShownValue {
        match self {
            Self::Generated | Self::Inline(_) => ShownValue::Redacted,
            Self::File(text) => ShownValue::quoted(text),
            Self::Env(text) => ShownValue::quoted(text),
        }
    }
    fn check(&self, _: &Meta, report: &mut dyn FnMut(Flaw)) {
        let flaw = match self {
            Self::Generated | Self::Inline(_) => None,
            Self::File(path) => source_flaw(1, path, false),
            Self::Env(name) => source_flaw(2, name, true),
        };
        flaw.into_iter().for_each(report);
    }
    fn encode(&self, out: &mut Encoder<'_>) -> Result<(), CodecError> {
        match self {
            Self::Generated => out.length(0),
            Self::Inline(text) => out.length(1).and_then(|()| out.put(text.as_str())),
            Self::File(text) => out.length(2).and_then(|()| out.put(text.as_str())),
            Self::Env(text) => out.length(3).and_then(|()| out.put(text.as_str())),
        }
    }
    fn decode(input: &mut Decoder<'_>) -> Result<Self, CodecError> {
        Ok(match input.length()? {
            0 => Self::Generated,
            1 => Self::Inline(input.text()?),
            2 => Self::File(input.text()?),
            3 => Self::Env(input.text()?),
            _ => {
                return Err(CodecError("a choice has an unknown tag"));
            }
        })
    }
    #[cfg(feature = "std")]
    fn read(found: &[(usize, &Toml<'_>)], _: &Meta) -> Result<Self, (usize, ProblemKind)> {
        match found {
            [(0, value)] => text_of(0, value).map(Self::Inline),
            [(1, value)] => text_of(1, value).map(Self::File),
            [(_, value)] => text_of(2, value).map(Self::Env),
            _ => Err(conflict(found)),
        }
    }
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        let (suffix, text) = match self {
            Self::Generated => return None,
            Self::Inline(text) => (0, text.as_str()),
            Self::File(text) => (1, text.as_str()),
            Self::Env(text) => (2, text.as_str()),
        };
        Some((suffix, toml::Value::String(text.to_owned()).to_string()))
    }
}

impl Value for OperatorToken {
    const TYPE: &'static str = "string";
    const SUFFIXES: &'static [&'static str] = &["_sha256", "_file", "_env"];
    const SECRET_SUFFIX: Option<usize> = Some(0);

    fn shown(&self) -> ShownValue {
        match self {
            Self::Sha256(_) => ShownValue::Redacted,
            Self::File(text) => ShownValue::quoted(text),
            Self::Env(text) => ShownValue::quoted(text),
        }
    }
    fn check(&self, _: &Meta, report: &mut dyn FnMut(Flaw)) {
        let flaw = match self {
            Self::Sha256(_) => None,
            Self::File(path) => source_flaw(1, path, false),
            Self::Env(name) => source_flaw(2, name, true),
        };
        flaw.into_iter().for_each(report);
    }
    fn encode(&self, out: &mut Encoder<'_>) -> Result<(), CodecError> {
        match self {
            Self::Sha256(digest) => out.length(0).and_then(|()| out.put(digest)),
            Self::File(text) => out.length(1).and_then(|()| out.put(text.as_str())),
            Self::Env(text) => out.length(2).and_then(|()| out.put(text.as_str())),
        }
    }
    fn decode(input: &mut Decoder<'_>) -> Result<Self, CodecError> {
        Ok(match input.length()? {
            0 => Self::Sha256(input.take()?),
            1 => Self::File(input.text()?),
            2 => Self::Env(input.text()?),
            _ => {
                return Err(CodecError("a choice has an unknown tag"));
            }
        })
    }
    #[cfg(feature = "std")]
    fn read(found: &[(usize, &Toml<'_>)], _: &Meta) -> Result<Self, (usize, ProblemKind)> {
        match found {
            [(0, value)] => {
                let text = value.as_str().unwrap_or_default();
                let digest = hex::decode_digest(text).ok_or((
                    0,
                    ProblemKind::BadFormat {
                        expected: "64 hex digits: the SHA-256 of the bearer token",
                    },
                ))?;
                Ok(Self::Sha256(digest))
            }
            [(1, value)] => text_of(1, value).map(Self::File),
            [(_, value)] => text_of(2, value).map(Self::Env),
            _ => Err(conflict(found)),
        }
    }
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        let (suffix, text) = match self {
            Self::Sha256(digest) => (0, hex::encode_digest(digest)),
            Self::File(text) => (1, text.to_string()),
            Self::Env(text) => (2, text.to_string()),
        };
        Some((suffix, toml::Value::String(text).to_string()))
    }
}

/// SHA-256 digests as 64 hex digits.
#[cfg(feature = "std")]
mod hex {
    use super::TOKEN_SHA256_LEN;

    /// The digest written as 64 hex digits (either case), or `None`.
    pub(super) fn decode_digest(text: &str) -> Option<[u8; TOKEN_SHA256_LEN]> {
        let digits = text.as_bytes();
        if digits.len() != 2 * TOKEN_SHA256_LEN || !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let mut out = [0_u8; TOKEN_SHA256_LEN];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = core::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(out)
    }

    /// The digest as 64 lowercase hex digits.
    pub(super) fn encode_digest(digest: &[u8; TOKEN_SHA256_LEN]) -> String {
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}
