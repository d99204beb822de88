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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// Writes a fresh self-signed pair into `dir` as `<name>.crt` and `<name>.key`.
    fn pair(dir: &std::path::Path, name: &str) -> (String, String) {
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = dir.join(format!("{name}.crt"));
        let key = dir.join(format!("{name}.key"));
        std::fs::write(&cert, pair.cert.pem()).unwrap();
        std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
        (cert.display().to_string(), key.display().to_string())
    }

    fn with_tls(cert: &str, key: &str) -> Config {
        let mut config = Config::default();
        config.public.tls_cert = Some(cert.try_into().unwrap());
        config.public.tls_key = Some(key.try_into().unwrap());
        config
    }

    #[test]
    fn a_certificate_and_the_key_of_another_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert_a, key_a) = pair(dir.path(), "a");
        let (_, key_b) = pair(dir.path(), "b");
        assert_eq!(check(&with_tls(&cert_a, &key_a), &KeyLines::default()), []);
        let problems = check(&with_tls(&cert_a, &key_b), &KeyLines::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path().as_deref(), Some("public.tls_cert"));
        let text = problems[0].to_string();
        assert!(text.contains("cannot be used together"), "{text}");
    }

    #[test]
    fn a_missing_word_list_and_a_bad_filter_are_each_named() {
        let mut config = Config::default();
        config
            .chat
            .profanity_word_lists
            .push("/nonexistent/words.txt".try_into().unwrap())
            .unwrap();
        config.log.filter = "info,[[[".try_into().unwrap();
        let keys: Vec<_> = check(&config, &KeyLines::default())
            .iter()
            .filter_map(ConfigProblem::path)
            .collect();
        assert_eq!(keys, ["chat.profanity_word_lists[0]", "log.filter"]);
    }
}
