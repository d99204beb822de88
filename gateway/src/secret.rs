//! Secrets read from where [`SecretSource`] says, held in a [`Secret`] that never prints, is
//! wiped from memory when dropped, and is compared in constant time. The one place that reads a
//! secret from a file or a variable: the gateway's own sources (its `WAYGATE_*` variables and
//! the secrets it generates) read through [`Secret::read_file`] and [`Secret::from_env`] too.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use subtle::ConstantTimeEq as _;
use zeroize::{Zeroize, Zeroizing};

use firmware_config::{SecretSource, is_env_name};

/// The largest secret file read, in bytes.
pub const MAX_SECRET_FILE_BYTES: u64 = 4096;

/// The variable systemd sets to the folder of a service's credentials (`LoadCredential=`).
pub const CREDENTIALS_DIRECTORY: &str = "CREDENTIALS_DIRECTORY";

/// How a secret file's path may begin to name a file in [`CREDENTIALS_DIRECTORY`].
const CREDENTIALS_PREFIXES: [&str; 2] = ["$CREDENTIALS_DIRECTORY/", "${CREDENTIALS_DIRECTORY}/"];

/// A secret: text (`Secret<String>`, the default: tokens, app secrets) or fixed bytes (a
/// token's SHA-256 as `Secret<[u8; 32]>`).
///
/// - `Debug` and `Display` print `Secret(<redacted>)`.
/// - The value is overwritten with zeros when it is dropped (`zeroize`). Copies the operating
///   system or a caller made (the process environment, a buffer read before wrapping) are not.
/// - It has no `==`: [`Secret::matches`] compares in constant time.
#[derive(Clone)]
pub struct Secret<T: Zeroize = String>(Zeroizing<T>);

impl<T: Zeroize + AsRef<[u8]>> Secret<T> {
    /// Wraps `value`.
    #[must_use]
    pub fn new(value: T) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret as bytes (an HMAC key, for instance).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        (*self.0).as_ref()
    }

    /// Whether `candidate` is the secret, in a time that depends only on the lengths: never on
    /// the bytes, nor on where they differ (`subtle`). A candidate of another length is refused
    /// at once, so the time shows whether the length was right; compare digests (fixed length)
    /// where the length itself must stay hidden.
    #[must_use]
    pub fn matches(&self, candidate: &[u8]) -> bool {
        self.as_bytes().ct_eq(candidate).into()
    }
}

impl Secret<String> {
    /// The secret text: the only way to see it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads the secret file at `path` (one trailing newline removed).
    ///
    /// # Errors
    /// An unreadable, empty, oversized or non-UTF-8 file.
    pub fn read_file(path: &Path) -> Result<Self, SecretError> {
        let unreadable = |error: io::Error| SecretError::FileUnreadable {
            path: path.to_owned(),
            kind: error.kind(),
        };
        let file = File::open(path).map_err(unreadable)?;
        // Room for one byte past the limit, so the read never grows (and copies) the buffer.
        let capacity = usize::try_from(MAX_SECRET_FILE_BYTES + 2).unwrap_or(usize::MAX);
        let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
        file.take(MAX_SECRET_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_SECRET_FILE_BYTES) {
            return Err(SecretError::FileTooLarge {
                path: path.to_owned(),
                limit: MAX_SECRET_FILE_BYTES,
            });
        }
        let mut text = match String::from_utf8(std::mem::take(&mut *bytes)) {
            Ok(text) => Zeroizing::new(text),
            Err(error) => {
                error.into_bytes().zeroize();
                return Err(SecretError::FileNotUtf8 {
                    path: path.to_owned(),
                });
            }
        };
        // Editors and `echo` add one.
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.is_empty() {
            return Err(SecretError::FileEmpty {
                path: path.to_owned(),
            });
        }
        Ok(Self(text))
    }

    /// Reads the secret from the process environment's variable `name`.
    ///
    /// # Errors
    /// An invalid name; an unset, empty or non-Unicode variable.
    pub fn from_env(name: &str) -> Result<Self, SecretError> {
        read_env(name, |name| std::env::var_os(name))
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a secret could not be read. Messages name the file or variable, never the contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret file could not be opened or read.
    #[error("cannot read secret file {}: {}", path.display(), firmware_config::IoReason(*kind))]
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
    /// The secret file is in `$CREDENTIALS_DIRECTORY`, and that variable is not set (the
    /// gateway was not started by a systemd unit that loads credentials).
    #[error(
        "secret file {path} is in $CREDENTIALS_DIRECTORY, but the environment variable CREDENTIALS_DIRECTORY is not set: systemd sets it for a unit that loads credentials, so add LoadCredential={credential}:/etc/waygate/credentials/{credential} to the [Service] section of waygate.service, or give the file's full path"
    )]
    CredentialsDirectoryUnset {
        /// The file as configured.
        path: String,
        /// The credential's name: the path after `$CREDENTIALS_DIRECTORY/`.
        credential: String,
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

/// Reading a [`SecretSource`]: the one place a configured secret is read.
pub trait Resolve {
    /// Reads the secret: `Inline` gives it, `File` reads the file (without one trailing
    /// newline; a path beginning `$CREDENTIALS_DIRECTORY/` or `${CREDENTIALS_DIRECTORY}/` is
    /// in the folder that variable names, as systemd's `LoadCredential=` sets it), `Env` reads
    /// the process environment, `Generated` gives `None` (the gateway generates and stores it).
    ///
    /// # Errors
    /// An unreadable, empty, oversized or non-UTF-8 file; a file in `$CREDENTIALS_DIRECTORY`
    /// while that variable is unset; a missing, empty or non-Unicode variable; an empty inline
    /// secret.
    fn resolve(&self) -> Result<Option<Secret>, SecretError> {
        self.resolve_with(|name| std::env::var_os(name))
    }

    /// As [`Self::resolve`], with `env` standing in for the process environment.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    fn resolve_with(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Option<Secret>, SecretError>;
}

impl Resolve for SecretSource {
    fn resolve_with(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Option<Secret>, SecretError> {
        match self {
            Self::Generated => Ok(None),
            Self::Inline(secret) if secret.is_empty() => Err(SecretError::InlineEmpty),
            Self::Inline(secret) => Ok(Some(Secret::new(secret.as_str().to_owned()))),
            Self::File(path) => Secret::read_file(&secret_file_path(path, env)?).map(Some),
            Self::Env(name) => read_env(name, env).map(Some),
        }
    }
}

/// Where the secret file `configured` is: in the folder `$CREDENTIALS_DIRECTORY` names when
/// it begins `$CREDENTIALS_DIRECTORY/` or `${CREDENTIALS_DIRECTORY}/`, else `configured` itself.
///
/// # Errors
/// [`SecretError::CredentialsDirectoryUnset`] when it begins so and the variable is unset or
/// empty.
pub(crate) fn secret_file_path(
    configured: &str,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, SecretError> {
    let Some(credential) = CREDENTIALS_PREFIXES
        .iter()
        .find_map(|prefix| configured.strip_prefix(prefix))
    else {
        return Ok(PathBuf::from(configured));
    };
    match env(CREDENTIALS_DIRECTORY) {
        Some(folder) if !folder.is_empty() => Ok(PathBuf::from(folder).join(credential)),
        _ => Err(SecretError::CredentialsDirectoryUnset {
            path: configured.to_owned(),
            credential: credential.to_owned(),
        }),
    }
}

/// Reads the secret in variable `name` of `env`.
pub(crate) fn read_env(
    name: &str,
    env: impl Fn(&str) -> Option<OsString>,
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
