//! Headquarters as the gateway uses it ([`UpstreamSettings`]): `[upstream]` of the
//! configuration with its secret read (`WAYGATE_UPSTREAM_SECRET` first) and made a key, its URLs
//! parsed, and the gateway's id, configured or generated once into the data folder.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use firmware_config::{Config, is_record_id};
use ring::rand::{SecureRandom as _, SystemRandom};

use crate::secrets::{self, SecretOrigin, UPSTREAM_SECRET_KEY, source_key};
use crate::upstream::signature::{KeyError, SigningKey};

/// Where a generated gateway id is kept, inside the data folder.
pub const GATEWAY_ID_FILE: &str = "gateway_id";
/// How a generated gateway id begins (then 24 hex digits).
const GENERATED_ID_PREFIX: &str = "wg-";

/// What the gateway needs to sync with headquarters. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    /// Where batches are posted (`upstream.url`).
    pub url: http::Uri,
    /// The key that signs batches and verifies command answers.
    pub secret: SigningKey,
    /// This gateway's name at HQ: `upstream.gateway_id`, or the one generated into the data
    /// folder.
    pub gateway_id: String,
    /// Events in one batch at most.
    pub max_batch_events: usize,
    /// Bytes of one batch's body at most.
    pub max_batch_bytes: usize,
    /// Where commands are long-polled from; `None`: no commands.
    pub commands_url: Option<http::Uri>,
}

/// Why the configuration does not make settings for headquarters. Messages name keys, files
/// and variables, never the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamSettingsError {
    /// `upstream.url` is set and nothing gives the secret that signs the batches.
    #[error(
        "upstream.url is set but no upstream secret is: write upstream.secret, \
         upstream.secret_file or upstream.secret_env (or set {}), the secret headquarters \
         shares to verify the batches",
        secrets::ENV_UPSTREAM_SECRET
    )]
    NoSecret,
    /// The secret's source cannot be read.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// The secret is not a key.
    #[error("{key}: {source}")]
    Key {
        /// The key or variable the secret came from.
        key: String,
        /// Why it is not a key.
        #[source]
        source: KeyError,
    },
    /// A URL that passed the configuration's check but not the HTTP client's.
    #[error("{key}: not a URL the HTTP client takes: {reason}")]
    Url {
        /// `upstream.url` or `upstream.commands_url`.
        key: &'static str,
        /// The parser's words.
        reason: String,
    },
    /// The gateway id file cannot be read or written.
    #[error("{}: {source}", path.display())]
    GatewayIdFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The gateway id file holds something else.
    #[error(
        "{} does not hold a gateway id (1 to 64 letters, digits, '.', '_' or '-'): set \
         upstream.gateway_id, or remove the file to have one generated (HQ will then see a new \
         gateway)",
        path.display()
    )]
    GatewayIdMalformed {
        /// The file.
        path: PathBuf,
    },
    /// The system random generator failed (generating the gateway id).
    #[error("the system random number generator failed")]
    Random,
}

impl UpstreamSettingsError {
    /// The configuration key (or variable, or file) the problem is in, for a report with lines.
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            Self::NoSecret => "upstream.url".to_owned(),
            Self::Secret(
                secrets::SecretError::Source { key, .. } | secrets::SecretError::NoSource { key },
            ) => key.clone(),
            Self::Key { key, .. } => key.clone(),
            Self::Url { key, .. } => (*key).to_owned(),
            Self::Secret(_) => UPSTREAM_SECRET_KEY.to_owned(),
            Self::GatewayIdFile { .. } | Self::GatewayIdMalformed { .. } | Self::Random => {
                "upstream.gateway_id".to_owned()
            }
        }
    }
}

impl UpstreamSettings {
    /// The settings for headquarters, or `None` when `upstream.url` is unset (no sync). The
    /// gateway id is generated into `data_dir` on the first start without
    /// `upstream.gateway_id`, and read back on later starts.
    ///
    /// # Errors
    /// A url without a secret, a secret that cannot be read or is no key, a URL the HTTP client
    /// refuses, a gateway id file that cannot be read, written or holds no id.
    pub fn resolve(
        config: &Config,
        data_dir: &Path,
    ) -> Result<Option<Self>, UpstreamSettingsError> {
        Self::resolve_with(config, data_dir, |name| std::env::var_os(name))
    }

    /// As [`Self::resolve`], with `env` standing in for the process environment.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    pub fn resolve_with(
        config: &Config,
        data_dir: &Path,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Option<Self>, UpstreamSettingsError> {
        let upstream = &config.upstream;
        let secret = signing_key_with(config, env)?;
        let (Some(url), Some(secret)) = (&upstream.url, secret) else {
            return Ok(None);
        };
        let commands_url = upstream
            .commands_url
            .as_ref()
            .map(|url| parse_url("upstream.commands_url", url))
            .transpose()?;
        Ok(Some(Self {
            url: parse_url("upstream.url", url)?,
            secret,
            gateway_id: gateway_id(config, data_dir)?,
            max_batch_events: usize::try_from(upstream.max_batch_events).unwrap_or(usize::MAX),
            max_batch_bytes: usize::try_from(upstream.max_batch_bytes).unwrap_or(usize::MAX),
            commands_url,
        }))
    }
}

/// The key shared with headquarters, read from `WAYGATE_UPSTREAM_SECRET` or `upstream.secret*`
/// (`None` when neither is set), checked as `serve` and `config check` both need it: it must be
/// a key, and `upstream.url` needs one. Writes nothing.
///
/// # Errors
/// The secret cannot be read or is no key; `upstream.url` is set without a secret.
pub fn signing_key_with(
    config: &Config,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<SigningKey>, UpstreamSettingsError> {
    let configured = &config.upstream.secret;
    let Some(secret) = secrets::upstream_secret_with(configured, env)? else {
        return match config.upstream.url {
            Some(_) => Err(UpstreamSettingsError::NoSecret),
            None => Ok(None),
        };
    };
    let key = match secret.origin {
        SecretOrigin::Environment(variable) => variable.to_owned(),
        _ => source_key(UPSTREAM_SECRET_KEY, configured),
    };
    SigningKey::from_secret(secret.value.expose())
        .map(Some)
        .map_err(|source| UpstreamSettingsError::Key { key, source })
}

fn parse_url(key: &'static str, url: &str) -> Result<http::Uri, UpstreamSettingsError> {
    url.parse()
        .map_err(|error: http::uri::InvalidUri| UpstreamSettingsError::Url {
            key,
            reason: error.to_string(),
        })
}

/// The gateway's id (events are `<gateway_id>:<seq>`, for headquarters and the local event
/// stream alike): `upstream.gateway_id`, or the id in `<data_dir>/gateway_id`, generated there
/// (mode 0600) on the first start.
///
/// # Errors
/// The id file cannot be read or written, or holds no id.
pub fn gateway_id(config: &Config, data_dir: &Path) -> Result<String, UpstreamSettingsError> {
    if let Some(id) = &config.upstream.gateway_id {
        return Ok(id.as_str().to_owned());
    }
    let path = data_dir.join(GATEWAY_ID_FILE);
    let file_error = |source| UpstreamSettingsError::GatewayIdFile {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let id = text.trim_end_matches(['\n', '\r']);
            if is_record_id(id) {
                Ok(id.to_owned())
            } else {
                Err(UpstreamSettingsError::GatewayIdMalformed { path })
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let id = generated_id()?;
            crate::files::write_private(&path, format!("{id}\n").as_bytes()).map_err(file_error)?;
            Ok(id)
        }
        Err(error) => Err(file_error(error)),
    }
}

/// `wg-` and 12 random bytes in hex.
fn generated_id() -> Result<String, UpstreamSettingsError> {
    let mut bytes = [0_u8; 12];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| UpstreamSettingsError::Random)?;
    Ok(format!("{GENERATED_ID_PREFIX}{}", hex::encode(bytes)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
