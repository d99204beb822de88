//! Where a secret comes from ([`SecretSource`]) and where an operator's bearer token comes from
//! ([`OperatorToken`]): settings with one key per source, of which at most (or exactly) one is
//! written. Their `Debug` output never shows a secret or a digest.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::config::{EnvName, InlineSecret, Path};
use crate::problem::{ProblemKind, ShownValue};
use crate::schema::Meta;
use crate::values::{Flaw, Value};
#[cfg(feature = "std")]
use crate::values::{Refusal, Toml, read_text};

/// Bytes of a SHA-256 digest.
pub const TOKEN_SHA256_LEN: usize = 32;

/// Where a secret comes from: generated (no key written), or one of its three keys.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[must_use]
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

/// The flaw of a file (suffix 1) or variable (suffix 2) source: an empty path or one with
/// control characters, or a name no variable can have.
fn source_flaw(suffix: usize, text: &str, report: &mut dyn FnMut(Flaw)) {
    let kind = match suffix {
        2 if !is_env_name(text) => ProblemKind::BadFormat {
            expected: "an environment variable name (not empty, without '=' or NUL)",
        },
        2 => return,
        _ if text.is_empty() => ProblemKind::Empty,
        _ if text.chars().any(char::is_control) => ProblemKind::BadFormat {
            expected: "a path without control characters",
        },
        _ => return,
    };
    report(Flaw {
        suffix,
        ..Flaw::new(ShownValue::quoted(text), kind)
    });
}

/// The file or variable source written with key suffix 1 or 2.
#[cfg(feature = "std")]
fn read_source<T>(
    value: &Toml<'_>,
    suffix: usize,
    file: fn(Path) -> T,
    env: fn(EnvName) -> T,
) -> Result<T, ProblemKind> {
    if suffix == 1 {
        read_text(value).map(file)
    } else {
        read_text(value).map(env)
    }
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
        match self {
            Self::Inline(text) if text.is_empty() => {
                report(Flaw::new(ShownValue::Redacted, ProblemKind::Empty));
            }
            Self::Generated | Self::Inline(_) => {}
            Self::File(path) => source_flaw(1, path, report),
            Self::Env(name) => source_flaw(2, name, report),
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, suffix: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        Ok(match suffix {
            0 => read_text(value).map(Self::Inline)?,
            _ => read_source(value, suffix, Self::File, Self::Env)?,
        })
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
        match self {
            Self::Sha256(_) => {}
            Self::File(path) => source_flaw(1, path, report),
            Self::Env(name) => source_flaw(2, name, report),
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, suffix: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        if suffix > 0 {
            return Ok(read_source(value, suffix, Self::File, Self::Env)?);
        }
        let text = value.as_str().unwrap_or_default();
        let hex = text.len() == 2 * TOKEN_SHA256_LEN && text.bytes().all(|b| b.is_ascii_hexdigit());
        let mut digest = [0_u8; TOKEN_SHA256_LEN];
        for (byte, pair) in digest.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = core::str::from_utf8(pair).unwrap_or_default();
            *byte = u8::from_str_radix(pair, 16).unwrap_or_default();
        }
        let expected = "64 hex digits: the SHA-256 of the bearer token, never the token itself";
        Ok(hex
            .then_some(Self::Sha256(digest))
            .ok_or(ProblemKind::BadFormat { expected })?)
    }
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        let (suffix, text) = match self {
            Self::Sha256(digest) => (0, digest.iter().map(|byte| format!("{byte:02x}")).collect()),
            Self::File(text) => (1, text.to_string()),
            Self::Env(text) => (2, text.to_string()),
        };
        Some((suffix, toml::Value::String(text).to_string()))
    }
}
