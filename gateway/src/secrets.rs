//! The gateway's two Meta secrets: the app secret (verifies webhook signatures) and the verify
//! token (answers Meta's subscription handshake).
//!
//! Precedence: the environment (`WAYGATE_APP_SECRET`, `WAYGATE_VERIFY_TOKEN`), then the
//! configuration (inline, file or named variable), then a value generated once into
//! `<data-dir>/secrets/` with mode 0600. Secret values never reach a log line or an error.

use std::fmt;
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};

/// Environment variable that sets the app secret.
pub const ENV_APP_SECRET: &str = "WAYGATE_APP_SECRET";
/// Environment variable that sets the verify token.
pub const ENV_VERIFY_TOKEN: &str = "WAYGATE_VERIFY_TOKEN";
/// Environment variable that sets the default operator's bearer token.
pub const ENV_OPERATOR_TOKEN: &str = "WAYGATE_OPERATOR_TOKEN";
/// Where a generated operator token is kept, inside the data folder.
pub const GENERATED_OPERATOR_TOKEN: &str = "secrets/operator_token";
/// Where a generated app secret is kept, inside the data folder.
pub const GENERATED_APP_SECRET: &str = "secrets/app_secret";
/// Where a generated verify token is kept, inside the data folder.
pub const GENERATED_VERIFY_TOKEN: &str = "secrets/verify_token";

/// A secret value. Debug and Display never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it (HMAC keys, comparisons).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where a secret came from (logged instead of the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretOrigin {
    /// An environment variable.
    Environment(&'static str),
    /// The configuration file.
    Config,
    /// Generated on this start into the data folder.
    GeneratedNow(PathBuf),
    /// Read from the data folder, generated on an earlier start.
    Generated(PathBuf),
}

/// A secret and its origin.
#[derive(Debug, Clone)]
pub struct ResolvedSecret {
    /// The value.
    pub value: Secret,
    /// Where it came from.
    pub origin: SecretOrigin,
}

/// Why a secret could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The configured source failed (file unreadable, variable unset...).
    #[error("{key}: {reason}")]
    Source {
        /// The configuration key.
        key: &'static str,
        /// What went wrong (never the value).
        reason: String,
    },
    /// The generated secret file could not be read or written.
    #[error("cannot use {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// Resolves one secret: environment, then configuration, then the generated file.
pub fn resolve(
    env_var: &'static str,
    configured: Option<Secret>,
    data_dir: &Path,
    generated_file: &str,
) -> Result<ResolvedSecret, SecretError> {
    if let Ok(value) = std::env::var(env_var)
        && !value.is_empty()
    {
        return Ok(ResolvedSecret {
            value: Secret::new(value),
            origin: SecretOrigin::Environment(env_var),
        });
    }
    if let Some(value) = configured {
        return Ok(ResolvedSecret {
            value,
            origin: SecretOrigin::Config,
        });
    }
    let path = data_dir.join(generated_file);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(ResolvedSecret {
            value: Secret::new(text.trim().to_owned()),
            origin: SecretOrigin::Generated(path),
        }),
        Ok(_) => generate(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => generate(path),
        Err(source) => Err(SecretError::File { path, source }),
    }
}

fn generate(path: PathBuf) -> Result<ResolvedSecret, SecretError> {
    let value = random_token()?;
    crate::files::write_private(&path, format!("{value}\n").as_bytes()).map_err(|source| {
        SecretError::File {
            path: path.clone(),
            source,
        }
    })?;
    Ok(ResolvedSecret {
        value: Secret::new(value),
        origin: SecretOrigin::GeneratedNow(path),
    })
}

/// 32 random bytes as 64 lower-case hex digits.
pub fn random_token() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SecretError::Random)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn generated_once_with_owner_only_mode_then_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let var = "WAYGATE_TEST_UNSET_VARIABLE_FOR_SECRETS";
        let first = resolve(var, None, dir.path(), GENERATED_VERIFY_TOKEN).unwrap();
        assert!(matches!(first.origin, SecretOrigin::GeneratedNow(_)));
        assert_eq!(first.value.expose().len(), 64);
        let path = dir.path().join(GENERATED_VERIFY_TOKEN);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let second = resolve(var, None, dir.path(), GENERATED_VERIFY_TOKEN).unwrap();
        assert!(matches!(second.origin, SecretOrigin::Generated(_)));
        assert_eq!(second.value, first.value);
    }

    #[test]
    fn configuration_beats_generation() {
        let dir = tempfile::tempdir().unwrap();
        let var = "WAYGATE_TEST_UNSET_VARIABLE_FOR_SECRETS";
        let got = resolve(
            var,
            Some(Secret::new("cfg")),
            dir.path(),
            GENERATED_APP_SECRET,
        )
        .unwrap();
        assert_eq!(got.value.expose(), "cfg");
        assert!(!dir.path().join(GENERATED_APP_SECRET).exists());
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?} {secret}").contains("hunter2"));
    }
}
