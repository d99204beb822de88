//! What a test can choose about the gateway it starts: config text, secrets, extra environment,
//! the data folder.

use std::path::PathBuf;

use crate::random::random_hex;

/// A secret string whose `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// A fresh random secret (32 hex characters).
    pub fn random() -> Self {
        Self(random_hex::<16>())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(<redacted>)")
    }
}

/// Options for [`crate::Gateway::start`].
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// TOML config text, written to a file and passed with `--config` (none: no `--config`).
    pub config_toml: Option<String>,
    /// The app secret given through `WAYGATE_APP_SECRET`.
    pub app_secret: Secret,
    /// The verify token given through `WAYGATE_VERIFY_TOKEN`.
    pub verify_token: Secret,
    /// The bearer token of the operator "default" on the local API, given through
    /// `WAYGATE_OPERATOR_TOKEN`.
    pub operator_token: Secret,
    /// Pass the secrets through the environment (default). When false the gateway generates
    /// its own into `<data>/secrets/` on first start and the harness reads them from there.
    pub secrets_via_env: bool,
    /// More environment variables for the child.
    pub env: Vec<(String, String)>,
    /// Start the gateway under this umask (none: the test process's).
    pub umask: Option<u32>,
    /// The data folder to use (created if missing) instead of `data/` in the test's temp folder,
    /// e.g. one on a small file system of the test's own. The test removes it.
    pub data_dir: Option<PathBuf>,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        Self {
            config_toml: None,
            app_secret: Secret::random(),
            verify_token: Secret::random(),
            operator_token: Secret::random(),
            secrets_via_env: true,
            env: Vec::new(),
            umask: None,
            data_dir: None,
        }
    }
}

impl GatewayOptions {
    /// Default options with this config text.
    pub fn with_config(config_toml: impl Into<String>) -> Self {
        Self {
            config_toml: Some(config_toml.into()),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let options = GatewayOptions::default();
        let text = format!("{options:?}");
        assert!(!text.contains(options.app_secret.expose()));
        assert!(!text.contains(options.verify_token.expose()));
        assert!(!text.contains(options.operator_token.expose()));
    }
}
