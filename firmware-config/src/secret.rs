//! Secrets read from where [`SecretSource`] says, held in a [`Secret`] that never prints.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::PathBuf;

use crate::sources::{SecretSource, is_env_name};

/// The largest secret file read, in bytes.
pub const MAX_SECRET_FILE_BYTES: u64 = 4096;

/// A secret's text. `Debug` and `Display` print `Secret(<redacted>)`; the bytes are
/// overwritten (best effort) when it is dropped. It has no `==`: compare with
/// [`Secret::matches`], whose time does not depend on where the bytes differ.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps `text`.
    #[must_use]
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The secret text: the only way to see it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret as bytes (an HMAC key, for instance).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Compares with `candidate` in time that depends only on the lengths, not on where
    /// the bytes differ (for checking a verify token).
    #[must_use]
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let secret = self.as_bytes();
        if secret.len() != candidate.len() {
            return false;
        }
        let difference = secret
            .iter()
            .zip(candidate)
            .fold(0_u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        std::hint::black_box(&bytes);
    }
}

/// Why a secret could not be read. Messages name the file or variable, never the contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret file could not be opened or read.
    #[error("cannot read secret file {}: {}", path.display(), crate::IoReason(*kind))]
    FileUnreadable {
        /// The file.
        path: PathBuf,
        /// Why, as the operating system put it.
        kind: io::ErrorKind,
    },
    /// The secret file is empty (after removing one trailing newline).
    #[error("secret file {} is empty", path.display())]
    FileEmpty {
        /// The file.
        path: PathBuf,
    },
    /// The secret file is larger than [`MAX_SECRET_FILE_BYTES`].
    #[error("secret file {} is larger than {limit} bytes; is it the right file?", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The largest size read.
        limit: u64,
    },
    /// The secret file is not UTF-8 text.
    #[error("secret file {} is not UTF-8 text", path.display())]
    FileNotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The environment variable is not set.
    #[error("environment variable {name} is not set")]
    EnvMissing {
        /// The variable.
        name: String,
    },
    /// The environment variable is set but empty.
    #[error("environment variable {name} is empty")]
    EnvEmpty {
        /// The variable.
        name: String,
    },
    /// The environment variable's value is not Unicode.
    #[error("environment variable {name} is not valid Unicode")]
    EnvNotUnicode {
        /// The variable.
        name: String,
    },
    /// The name cannot name an environment variable (empty, or holds `=` or NUL).
    #[error("{name:?} is not an environment variable name")]
    EnvNameInvalid {
        /// The name.
        name: String,
    },
    /// The inline secret is empty.
    #[error("the inline secret is empty")]
    InlineEmpty,
}

impl SecretSource {
    /// Reads the secret: `Inline` gives it, `File` reads the file (without one trailing
    /// newline), `Env` reads the process environment, `Generated` gives `None` (the gateway
    /// generates and stores it).
    ///
    /// # Errors
    /// An unreadable, empty, oversized or non-UTF-8 file; a missing, empty or non-Unicode
    /// variable; an empty inline secret.
    pub fn resolve(&self) -> Result<Option<Secret>, SecretError> {
        self.resolve_with(|name| std::env::var_os(name))
    }

    /// As [`Self::resolve`], with `env` standing in for the process environment.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    pub fn resolve_with(
        &self,
        env: impl FnOnce(&str) -> Option<OsString>,
    ) -> Result<Option<Secret>, SecretError> {
        match self {
            Self::Generated => Ok(None),
            Self::Inline(secret) if secret.is_empty() => Err(SecretError::InlineEmpty),
            Self::Inline(secret) => Ok(Some(Secret::new(secret.as_str().to_owned()))),
            Self::File(path) => read_secret_file(path.as_str().as_ref()).map(Some),
            Self::Env(name) => read_secret_env(name, env).map(Some),
        }
    }
}

fn read_secret_file(path: &std::path::Path) -> Result<Secret, SecretError> {
    let unreadable = |error: io::Error| SecretError::FileUnreadable {
        path: path.to_owned(),
        kind: error.kind(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_SECRET_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_SECRET_FILE_BYTES) {
        bytes.fill(0);
        return Err(SecretError::FileTooLarge {
            path: path.to_owned(),
            limit: MAX_SECRET_FILE_BYTES,
        });
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => Secret::new(text),
        Err(error) => {
            error.into_bytes().fill(0);
            return Err(SecretError::FileNotUtf8 {
                path: path.to_owned(),
            });
        }
    };
    trim_one_newline(&mut text.0);
    if text.0.is_empty() {
        return Err(SecretError::FileEmpty {
            path: path.to_owned(),
        });
    }
    Ok(text)
}

/// Removes one trailing `\n` (or `\r\n`), as editors and `echo` add.
fn trim_one_newline(text: &mut String) {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
}

fn read_secret_env(
    name: &str,
    env: impl FnOnce(&str) -> Option<OsString>,
) -> Result<Secret, SecretError> {
    let name_owned = || name.to_owned();
    if !is_env_name(name) {
        return Err(SecretError::EnvNameInvalid { name: name_owned() });
    }
    let value = env(name).ok_or_else(|| SecretError::EnvMissing { name: name_owned() })?;
    let value = value
        .into_string()
        .map_err(|_| SecretError::EnvNotUnicode { name: name_owned() })?;
    if value.is_empty() {
        return Err(SecretError::EnvEmpty { name: name_owned() });
    }
    Ok(Secret::new(value))
}
