//! Where the gateway's secrets come from: the app secret (verifies webhook signatures), the
//! verify token (answers Meta's subscription handshake), the default operator's token, the
//! access token (sends messages through Meta's Graph API) and the secret shared with
//! headquarters (signs batches and commands).
//!
//! Precedence: the environment (`WAYGATE_APP_SECRET`, `WAYGATE_VERIFY_TOKEN`,
//! `WAYGATE_OPERATOR_TOKEN`, `WAYGATE_ACCESS_TOKEN`, `WAYGATE_UPSTREAM_SECRET`), then the
//! configuration (inline, file or named variable), then a value generated once into
//! `<data-dir>/secrets/` with mode 0600, except for the access token, which only Meta issues
//! (without one nothing is sent), and the upstream secret, which headquarters shares (without
//! one nothing is synced). Every value is a
//! [`crate::secret::Secret`], read by its readers; it never reaches a log line or an error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use firmware_config::{Config, SecretSource};

use crate::secret::{Resolve as _, Secret, read_env};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Environment variable that sets the app secret.
pub const ENV_APP_SECRET: &str = "WAYGATE_APP_SECRET";
/// Environment variable that sets the verify token.
pub const ENV_VERIFY_TOKEN: &str = "WAYGATE_VERIFY_TOKEN";
/// Environment variable that sets the access token (it overrides `meta.access_token*`).
pub const ENV_ACCESS_TOKEN: &str = "WAYGATE_ACCESS_TOKEN";
/// Environment variable that sets the secret shared with headquarters (it overrides
/// `upstream.secret*`).
pub const ENV_UPSTREAM_SECRET: &str = "WAYGATE_UPSTREAM_SECRET";
/// Environment variable that sets the default operator's bearer token.
pub const ENV_OPERATOR_TOKEN: &str = "WAYGATE_OPERATOR_TOKEN";
/// Where a generated operator token is kept, inside the data folder.
pub const GENERATED_OPERATOR_TOKEN: &str = "secrets/operator_token";
/// Where a generated app secret is kept, inside the data folder.
pub const GENERATED_APP_SECRET: &str = "secrets/app_secret";
/// Where a generated verify token is kept, inside the data folder.
pub const GENERATED_VERIFY_TOKEN: &str = "secrets/verify_token";

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
    /// A configured source or a `WAYGATE_*` variable could not be read.
    #[error("{key}: {source}")]
    Source {
        /// The configuration key or variable (`operators[2].token_file`, `WAYGATE_APP_SECRET`).
        key: String,
        /// What went wrong (never the value).
        #[source]
        source: crate::secret::SecretError,
    },
    /// A configured secret has no source to read it from.
    #[error("{key}: no source to read it from")]
    NoSource {
        /// The configuration key.
        key: String,
    },
    /// The secret generated on an earlier start cannot be read.
    #[error(
        "{0} (generated on an earlier start: give it back to the gateway's user, or remove it to have a new one generated)"
    )]
    Generated(#[source] crate::secret::SecretError),
    /// The generated secret file could not be written.
    #[error("cannot write {path}: {source}")]
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

/// Resolves one secret: the environment variable `env_var` when it is set, then the
/// configuration, then the file generated into the data folder (generated now when missing or
/// empty).
pub fn resolve(
    env_var: &'static str,
    configured: Option<Secret>,
    data_dir: &Path,
    generated_file: &str,
) -> Result<ResolvedSecret, SecretError> {
    use crate::secret::SecretError as Read;
    if let Some(value) = from_override(env_var, |name| std::env::var_os(name))? {
        return Ok(ResolvedSecret {
            value,
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
    match Secret::read_file(&path) {
        Ok(value) => Ok(ResolvedSecret {
            value,
            origin: SecretOrigin::Generated(path),
        }),
        Err(
            Read::FileEmpty { .. }
            | Read::FileUnreadable {
                kind: std::io::ErrorKind::NotFound,
                ..
            },
        ) => generate(path),
        Err(source) => Err(SecretError::Generated(source)),
    }
}

/// The secret in the `WAYGATE_*` variable `env_var` of `env`; `None` when it is unset or empty.
fn from_override(
    env_var: &'static str,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<Secret>, SecretError> {
    use crate::secret::SecretError as Read;
    match read_env(env_var, env) {
        Ok(value) => Ok(Some(value)),
        Err(Read::EnvMissing { .. } | Read::EnvEmpty { .. }) => Ok(None),
        Err(source) => Err(SecretError::Source {
            key: env_var.to_owned(),
            source,
        }),
    }
}

/// The access token that sends messages through Meta's Graph API: `WAYGATE_ACCESS_TOKEN` when
/// it is set, else `meta.access_token*`; `None` when neither is (nothing is sent to Meta). Never
/// generated, and never logged: a [`Secret`]'s `Debug` is redacted.
///
/// # Errors
/// The variable or the configured source cannot be read; the error names the key, never the
/// value.
pub fn access_token(config: &Config) -> Result<Option<Secret>, SecretError> {
    access_token_with(&config.meta.access_token, |name| std::env::var_os(name))
}

/// As [`access_token`], with `env` standing in for the process environment.
///
/// # Errors
/// As [`access_token`].
pub fn access_token_with(
    configured: &SecretSource,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<Secret>, SecretError> {
    if let Some(token) = from_override(ENV_ACCESS_TOKEN, &env)? {
        return Ok(Some(token));
    }
    configured
        .resolve_with(env)
        .map_err(|source| SecretError::Source {
            key: source_key("meta.access_token", configured),
            source,
        })
}

/// The secret shared with headquarters, with where it came from: `WAYGATE_UPSTREAM_SECRET` when
/// it is set, else `upstream.secret*`; `None` when neither is (nothing is synced). Never
/// generated: headquarters and the gateway must hold the same one.
///
/// # Errors
/// The variable or the configured source cannot be read; the error names the key, never the
/// value.
pub fn upstream_secret_with(
    configured: &SecretSource,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<ResolvedSecret>, SecretError> {
    if let Some(value) = from_override(ENV_UPSTREAM_SECRET, &env)? {
        let origin = SecretOrigin::Environment(ENV_UPSTREAM_SECRET);
        return Ok(Some(ResolvedSecret { value, origin }));
    }
    let configured_secret = configured
        .resolve_with(env)
        .map_err(|source| SecretError::Source {
            key: source_key(UPSTREAM_SECRET_KEY, configured),
            source,
        })?;
    Ok(configured_secret.map(|value| ResolvedSecret {
        value,
        origin: SecretOrigin::Config,
    }))
}

/// The configuration key of the upstream secret (`_file` and `_env` follow it).
pub const UPSTREAM_SECRET_KEY: &str = "upstream.secret";

/// Reads the configured `source` (`None` when the gateway is to generate the secret); an
/// error names `key`, the key the source is written under.
pub fn read_configured(
    source: &SecretSource,
    key: impl std::fmt::Display,
) -> Result<Option<Secret>, SecretError> {
    source.resolve().map_err(|error| SecretError::Source {
        key: key.to_string(),
        source: error,
    })
}

/// The key of setting `key` that `source` is written under (`meta.app_secret_file` for a file).
pub fn source_key(key: &str, source: &SecretSource) -> String {
    let suffix = match source {
        SecretSource::File(_) => "_file",
        SecretSource::Env(_) => "_env",
        SecretSource::Generated | SecretSource::Inline(_) => "",
    };
    format!("{key}{suffix}")
}

fn generate(path: PathBuf) -> Result<ResolvedSecret, SecretError> {
    let value = random_token()?;
    let line = Zeroizing::new(format!("{}\n", value.expose()));
    crate::files::write_private(&path, line.as_bytes()).map_err(|source| SecretError::File {
        path: path.clone(),
        source,
    })?;
    Ok(ResolvedSecret {
        value,
        origin: SecretOrigin::GeneratedNow(path),
    })
}

/// 32 random bytes as 64 lower-case hex digits.
pub fn random_token() -> Result<Secret, SecretError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    SystemRandom::new()
        .fill(bytes.as_mut())
        .map_err(|_| SecretError::Random)?;
    Ok(Secret::new(hex::encode(bytes.as_ref())))
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
        assert_eq!(second.value.expose(), first.value.expose());
    }

    #[test]
    fn configuration_beats_generation() {
        let dir = tempfile::tempdir().unwrap();
        let var = "WAYGATE_TEST_UNSET_VARIABLE_FOR_SECRETS";
        let got = resolve(
            var,
            Some(Secret::new("cfg".to_owned())),
            dir.path(),
            GENERATED_APP_SECRET,
        )
        .unwrap();
        assert_eq!(got.value.expose(), "cfg");
        assert!(!dir.path().join(GENERATED_APP_SECRET).exists());
    }

    #[test]
    fn the_access_token_comes_from_the_environment_then_the_configuration_and_is_never_generated() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("access_token");
        std::fs::write(&file, "from-file\n").unwrap();
        let configured =
            SecretSource::File(file.display().to_string().as_str().try_into().unwrap());
        let token = |source: &SecretSource, variable: Option<&str>| {
            let env =
                |name: &str| (name == ENV_ACCESS_TOKEN).then(|| variable.map(OsString::from))?;
            access_token_with(source, env).map(|token| token.map(|t| t.expose().to_owned()))
        };
        assert_eq!(token(&SecretSource::Generated, None).unwrap(), None);
        assert_eq!(token(&SecretSource::Generated, Some("")).unwrap(), None);
        assert_eq!(
            token(&configured, None).unwrap().as_deref(),
            Some("from-file")
        );
        assert_eq!(
            token(&configured, Some("env")).unwrap().as_deref(),
            Some("env")
        );
        let missing = SecretSource::File("/nonexistent/token".try_into().unwrap());
        let error = token(&missing, None).unwrap_err().to_string();
        assert!(error.starts_with("meta.access_token_file: "), "{error}");
        let debug = format!("{:?}", access_token_with(&configured, |_| None));
        assert!(!debug.contains("from-file"), "{debug}");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().count() == 1,
            "nothing generated"
        );
    }

    #[test]
    fn an_unreadable_generated_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let var = "WAYGATE_TEST_UNSET_VARIABLE_FOR_SECRETS";
        std::fs::create_dir_all(dir.path().join(GENERATED_APP_SECRET)).unwrap();
        let error = resolve(var, None, dir.path(), GENERATED_APP_SECRET).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("secrets/app_secret"), "{message}");
        assert!(message.contains("folder"), "{message}");
    }
}
