//! What `serve` needs beyond a well-formed configuration, checked before anything starts and by
//! `waygate config check`, so both report the same problems, all at once, with their lines:
//! secret and token sources that cannot be read, a certificate and key that do not parse or do
//! not match, word lists that cannot be read, and a log filter tracing refuses.

use std::path::PathBuf;

use firmware_config::{Config, ConfigProblem, KeyLines};

use crate::secret::Resolve as _;
use crate::secrets::source_key;
use tracing_subscriber::EnvFilter;

use crate::chat::ProfanityList;
use crate::ingress::tls::{self, CertificateFiles};

/// Every problem of `config` that only reading its files (or parsing its filter) shows.
#[must_use]
pub fn check(config: &Config, lines: &KeyLines) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    let mut unusable = |key: String, reason: String| {
        let line = lines.line_of(&key);
        problems.push(ConfigProblem::Unusable { key, line, reason });
    };
    let meta = [
        ("meta.app_secret", &config.meta.app_secret),
        ("meta.verify_token", &config.meta.verify_token),
    ];
    for (key, source) in meta {
        if let Err(error) = source.resolve() {
            unusable(source_key(key, source), error.to_string());
        }
    }
    for (index, operator) in config.operators.iter().enumerate() {
        let Some(source) = operator.token.clear_source() else {
            continue;
        };
        let key = source_key(&format!("operators[{index}].token"), &source);
        match source.resolve() {
            Ok(Some(_)) => {}
            Ok(None) => unusable(key, "holds no token".to_owned()),
            Err(error) => unusable(key, error.to_string()),
        }
    }
    if let (Some(cert), Some(key)) = (&config.public.tls_cert, &config.public.tls_key) {
        let files = CertificateFiles {
            cert: PathBuf::from(cert.as_str()),
            key: PathBuf::from(key.as_str()),
            generated: false,
        };
        if let Err(error) = tls::server_config(&files) {
            unusable("public.tls_cert".to_owned(), error.to_string());
        }
    }
    for (index, path) in config.chat.profanity_word_lists.iter().enumerate() {
        let parsed = std::fs::read_to_string(path.as_str())
            .map_err(|error| format!("{path}: {}", firmware_config::IoReason(error.kind())))
            .and_then(|text| {
                ProfanityList::parse(&text).map_err(|error| format!("{path}: {error}"))
            });
        if let Err(reason) = parsed {
            unusable(format!("chat.profanity_word_lists[{index}]"), reason);
        }
    }
    if let Err(error) = EnvFilter::try_new(config.log.filter.as_str()) {
        let reason = format!("not a log filter tracing accepts: {error}");
        unusable("log.filter".to_owned(), reason);
    }
    problems
}
