//! What `serve` needs beyond a well-formed configuration, checked before anything starts and by
//! `waygate config check`, so both report the same problems, all at once, with their lines:
//! secret and token sources that cannot be read, an upstream URL without a secret or a secret
//! that is no key, a certificate and key that do not parse or do not match, extra trust roots
//! that do not parse and word lists that cannot be read.
//!
//! One difference: `config check`, run by hand, cannot see the credentials systemd passes only
//! to the service (`$CREDENTIALS_DIRECTORY`), so it names those secret files as not checked
//! instead of refusing them; `serve` refuses them.

use std::ffi::OsString;

use firmware_config::{Config, ConfigProblem, KeyLines};

use crate::secret::{Resolve as _, SecretError, secret_file_path};
use crate::secrets::{self, source_key};
use crate::upstream::UpstreamSettingsError;
use crate::upstream::settings::signing_key_with;

use crate::ca_file::add_ca_file;
use crate::chat::ProfanityList;
use crate::ingress::tls::{self, CertificateFiles};

/// Who checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checker {
    /// `serve`: every secret must be readable now.
    Serve,
    /// `config check`: secret files in an unset `$CREDENTIALS_DIRECTORY` are left to systemd.
    ConfigCheck,
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Every problem, each with its key and line.
    pub problems: Vec<ConfigProblem>,
    /// The keys of secret files `config check` left to systemd's credentials.
    pub left_to_systemd: Vec<String>,
}

/// Every problem of `config` that only reading its files (or parsing its filter) shows.
#[must_use]
pub fn check(config: &Config, lines: &KeyLines, checker: Checker) -> Findings {
    check_with(config, lines, checker, |name| std::env::var_os(name))
}

/// As [`check`], with `env` standing in for the process environment.
#[must_use]
pub fn check_with(
    config: &Config,
    lines: &KeyLines,
    checker: Checker,
    env: impl Fn(&str) -> Option<OsString>,
) -> Findings {
    let mut found = Collector {
        checker,
        unusable: Vec::new(),
        left_to_systemd: Vec::new(),
    };
    let meta = [
        ("meta.app_secret", &config.meta.app_secret),
        ("meta.verify_token", &config.meta.verify_token),
        ("meta.access_token", &config.meta.access_token),
    ];
    for (key, source) in meta {
        if let Err(error) = source.resolve_with(&env) {
            found.refused(source_key(key, source), error);
        }
    }
    match signing_key_with(config, &env) {
        Ok(_) => {}
        Err(UpstreamSettingsError::Secret(secrets::SecretError::Source { key, source })) => {
            found.refused(key, source);
        }
        Err(error) => found.unusable(error.key(), error.to_string()),
    }
    for (index, operator) in config.operators.iter().enumerate() {
        let Some(source) = operator.token.clear_source() else {
            continue;
        };
        let key = source_key(&format!("operators[{index}].token"), &source);
        match source.resolve_with(&env) {
            Ok(Some(_)) => {}
            Ok(None) => found.unusable(key, "holds no token".to_owned()),
            Err(error) => found.refused(key, error),
        }
    }
    if let (Some(cert), Some(key)) = (&config.public.tls_cert, &config.public.tls_key) {
        let mut file = |key: &str, configured: &str| match secret_file_path(configured, &env) {
            Ok(path) => Some(path),
            Err(error) => {
                found.refused(key.to_owned(), error);
                None
            }
        };
        let files = (file("public.tls_cert", cert), file("public.tls_key", key));
        if let (Some(cert), Some(key)) = files {
            let files = CertificateFiles {
                cert,
                key,
                generated: false,
            };
            if let Err(error) = tls::server_config(&files) {
                found.unusable("public.tls_cert".to_owned(), error.to_string());
            }
        }
    }
    if let Some(ca_file) = &config.meta.ca_file {
        let mut roots = rustls::RootCertStore::empty();
        if let Err(error) = add_ca_file(&mut roots, std::path::Path::new(ca_file.as_str())) {
            found.unusable("meta.ca_file".to_owned(), error.to_string());
        }
    }
    for (index, path) in config.chat.profanity_word_lists.iter().enumerate() {
        let parsed = std::fs::read_to_string(path.as_str())
            .map_err(|error| format!("{path}: {}", firmware_config::IoReason(error.kind())))
            .and_then(|text| {
                ProfanityList::parse(&text).map_err(|error| format!("{path}: {error}"))
            });
        if let Err(reason) = parsed {
            found.unusable(format!("chat.profanity_word_lists[{index}]"), reason);
        }
    }
    let problems = found.unusable.into_iter().map(|(key, reason)| {
        let line = lines.line_of(&key);
        ConfigProblem::Unusable { key, line, reason }
    });
    Findings {
        problems: problems.collect(),
        left_to_systemd: found.left_to_systemd,
    }
}

/// What the check finds, before lines are attached.
struct Collector {
    checker: Checker,
    unusable: Vec<(String, String)>,
    left_to_systemd: Vec<String>,
}

impl Collector {
    fn unusable(&mut self, key: String, reason: String) {
        self.unusable.push((key, reason));
    }

    /// A file that could not be read: a problem, unless `config check` leaves it to systemd.
    fn refused(&mut self, key: String, error: SecretError) {
        match error {
            SecretError::CredentialsDirectoryUnset { .. }
                if self.checker == Checker::ConfigCheck =>
            {
                self.left_to_systemd.push(key);
            }
            error => self.unusable(key, error.to_string()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use firmware_config::SecretSource;

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
        let check = |config: &Config| check(config, &KeyLines::default(), Checker::Serve).problems;
        assert_eq!(check(&with_tls(&cert_a, &key_a)), []);
        let problems = check(&with_tls(&cert_a, &key_b));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path().as_deref(), Some("public.tls_cert"));
        let text = problems[0].to_string();
        assert!(text.contains("cannot be used together"), "{text}");
    }

    #[test]
    fn a_missing_word_list_is_named() {
        let mut config = Config::default();
        config
            .chat
            .profanity_word_lists
            .push("/nonexistent/words.txt".try_into().unwrap())
            .unwrap();
        let keys: Vec<_> = check(&config, &KeyLines::default(), Checker::Serve)
            .problems
            .iter()
            .filter_map(ConfigProblem::path)
            .collect();
        assert_eq!(keys, ["chat.profanity_word_lists[0]"]);
    }

    #[test]
    fn config_check_leaves_credentials_to_systemd_and_serve_does_not() {
        let mut config = Config::default();
        config.meta.app_secret =
            SecretSource::File("$CREDENTIALS_DIRECTORY/app_secret".try_into().unwrap());
        let unset = |_: &str| None;
        let checked = check_with(&config, &KeyLines::default(), Checker::ConfigCheck, unset);
        assert_eq!(checked.problems, []);
        assert_eq!(checked.left_to_systemd, ["meta.app_secret_file"]);
        let served = check_with(&config, &KeyLines::default(), Checker::Serve, unset);
        assert_eq!(served.problems.len(), 1, "{:?}", served.problems);
        assert!(served.left_to_systemd.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let set = |_: &str| Some(dir.path().as_os_str().to_owned());
        let missing = check_with(&config, &KeyLines::default(), Checker::ConfigCheck, set);
        assert_eq!(
            missing.problems.len(),
            1,
            "a set directory without the file is a problem"
        );
    }

    #[test]
    fn the_access_token_file_and_the_trust_roots_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pair(dir.path(), "ca");
        let mut config = Config::default();
        config.meta.access_token =
            SecretSource::File("$CREDENTIALS_DIRECTORY/access_token".try_into().unwrap());
        config.meta.ca_file = Some(cert.as_str().try_into().unwrap());
        let set = |_: &str| Some(dir.path().as_os_str().to_owned());
        let keys = |config: &Config| -> Vec<String> {
            let found = check_with(config, &KeyLines::default(), Checker::Serve, set);
            found
                .problems
                .iter()
                .filter_map(ConfigProblem::path)
                .collect()
        };
        assert_eq!(keys(&config), ["meta.access_token_file"]);
        std::fs::write(dir.path().join("access_token"), "token\n").unwrap();
        assert_eq!(keys(&config), Vec::<String>::new());
        for not_roots in [key.as_str(), "/nonexistent/ca.pem"] {
            config.meta.ca_file = Some(not_roots.try_into().unwrap());
            assert_eq!(keys(&config), ["meta.ca_file"], "{not_roots}");
        }
        let unset = |_: &str| None;
        let checked = check_with(&config, &KeyLines::default(), Checker::ConfigCheck, unset);
        assert_eq!(checked.left_to_systemd, ["meta.access_token_file"]);
    }

    #[test]
    fn an_upstream_url_needs_a_secret_that_is_a_key() {
        let keys = |text: &str, variable: Option<&str>| -> Vec<String> {
            let config = firmware_config::parse_toml(text).unwrap();
            let env = |name: &str| {
                (name == secrets::ENV_UPSTREAM_SECRET).then(|| variable.map(OsString::from))?
            };
            let found = check_with(&config, &KeyLines::default(), Checker::Serve, env);
            found
                .problems
                .iter()
                .filter_map(ConfigProblem::path)
                .collect()
        };
        let url = "[upstream]\nurl = \"https://hq.example.com/batches\"\n";
        assert_eq!(keys(url, None), ["upstream.url"]);
        assert_eq!(keys(url, Some("whsec_YWJj")), Vec::<String>::new());
        assert_eq!(
            keys(&format!("{url}secret = \"s\"\n"), None),
            Vec::<String>::new()
        );
        let not_base64 = format!("{url}secret = \"whsec_***\"\n");
        assert_eq!(keys(&not_base64, None), ["upstream.secret"]);
        let missing = format!("{url}secret_file = \"/nonexistent/hq\"\n");
        assert_eq!(keys(&missing, None), ["upstream.secret_file"]);
        let unset = |_: &str| None;
        let credential = format!("{url}secret_file = \"$CREDENTIALS_DIRECTORY/hq\"\n");
        let config = firmware_config::parse_toml(&credential).unwrap();
        let checked = check_with(&config, &KeyLines::default(), Checker::ConfigCheck, unset);
        assert_eq!(checked.problems, []);
        assert_eq!(checked.left_to_systemd, ["upstream.secret_file"]);
    }

    #[test]
    fn tls_files_may_come_from_systemds_credentials() {
        let dir = tempfile::tempdir().unwrap();
        pair(dir.path(), "tls");
        let config = with_tls(
            "$CREDENTIALS_DIRECTORY/tls.crt",
            "${CREDENTIALS_DIRECTORY}/tls.key",
        );
        let lines = KeyLines::default();
        let set = |_: &str| Some(dir.path().as_os_str().to_owned());
        assert_eq!(
            check_with(&config, &lines, Checker::Serve, set).problems,
            []
        );
        let unset = |_: &str| None;
        let checked = check_with(&config, &lines, Checker::ConfigCheck, unset);
        assert_eq!(checked.problems, []);
        assert_eq!(
            checked.left_to_systemd,
            ["public.tls_cert", "public.tls_key"]
        );
        let served = check_with(&config, &lines, Checker::Serve, unset);
        let keys: Vec<_> = served
            .problems
            .iter()
            .filter_map(ConfigProblem::path)
            .collect();
        assert_eq!(keys, ["public.tls_cert", "public.tls_key"]);
    }
}
