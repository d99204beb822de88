//! Target `config_toml`: the configuration's TOML loader on arbitrary text.
//!
//! Whatever loads passes [`crate::config_round_trip`]. Whatever does not gets at least one
//! problem, and no problem shows an inline secret or an operator's token digest.

use firmware_config::{ConfigErrors, parse_toml};
use toml::{Table, Value};

/// Secrets shorter than this are not looked for in messages: they would match ordinary words.
const MIN_SECRET_LEN: usize = 8;

/// Runs the target on `data` (read as UTF-8, invalid sequences replaced).
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse_toml(&text) {
        Ok(config) => crate::config_round_trip::check(&config),
        Err(errors) => {
            assert!(
                !errors.is_empty(),
                "a refused configuration without a problem"
            );
            check_no_secret_shown(&text, &errors);
        }
    }
}

fn check_no_secret_shown(text: &str, errors: &ConfigErrors) {
    let shown = errors.to_string();
    for secret in secrets_in(text) {
        if secret.len() >= MIN_SECRET_LEN
            && shown.contains(&secret)
            && shows_its_value(text, &secret)
        {
            panic!("a configuration error shows a secret:\n{shown}");
        }
    }
}

/// Whether the errors show the secret's value rather than words that happen to equal it:
/// written once in `text`, replaced by a marker of the same length, the marker is shown.
fn shows_its_value(text: &str, secret: &str) -> bool {
    if text.matches(secret).count() != 1 {
        return false;
    }
    let marker = "Q".repeat(secret.len());
    parse_toml(&text.replacen(secret, &marker, 1))
        .is_err_and(|errors| errors.to_string().contains(&marker))
}

/// The inline secrets and operator token digests written in `text`, when it is TOML.
fn secrets_in(text: &str) -> Vec<String> {
    let Ok(root) = text.parse::<Table>() else {
        return Vec::new();
    };
    let mut secrets = Vec::new();
    for path in ["meta.app_secret", "meta.verify_token"] {
        if let Some((table, key)) = path.split_once('.')
            && let Some(Value::String(secret)) = root.get(table).and_then(|t| t.get(key))
        {
            secrets.push(secret.clone());
        }
    }
    if let Some((array, key)) = "operators[].token_sha256".split_once("[].")
        && let Some(Value::Array(entries)) = root.get(array)
    {
        secrets.extend(entries.iter().filter_map(|entry| match entry.get(key) {
            Some(Value::String(digest)) => Some(digest.clone()),
            _ => None,
        }));
    }
    secrets
}
