use std::os::unix::fs::PermissionsExt as _;

use super::*;

const SECRET: &str = "hq-shared-secret-do-not-print";

fn config(text: &str) -> Config {
    firmware_config::parse_toml(text).unwrap()
}

/// `WAYGATE_UPSTREAM_SECRET` set to `value`, nothing else in the environment.
fn env(value: Option<&str>) -> impl Fn(&str) -> Option<OsString> {
    let value = value.map(OsString::from);
    move |name: &str| (name == secrets::ENV_UPSTREAM_SECRET).then(|| value.clone())?
}

fn resolve(
    text: &str,
    data_dir: &Path,
    variable: Option<&str>,
) -> Result<Option<UpstreamSettings>, UpstreamSettingsError> {
    UpstreamSettings::resolve_with(&config(text), data_dir, env(variable))
}

#[test]
fn without_a_url_nothing_is_synced_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    assert!(resolve("", dir.path(), None).unwrap().is_none());
    let secret_only = format!("[upstream]\nsecret = \"{SECRET}\"\n");
    assert!(resolve(&secret_only, dir.path(), None).unwrap().is_none());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_settings_come_from_the_configuration_with_a_generated_id_kept_for_later_starts() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[upstream]\nurl = \"http://127.0.0.1:9100/batches\"\nsecret = \"{SECRET}\"\n\
         max_batch_events = 20\nmax_batch_bytes = \"64KiB\"\n\
         commands_url = \"http://127.0.0.1:9100/commands\"\n"
    );
    let first = resolve(&text, dir.path(), None).unwrap().unwrap();
    assert_eq!(first.url, "http://127.0.0.1:9100/batches");
    assert_eq!(
        first
            .commands_url
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("http://127.0.0.1:9100/commands")
    );
    assert_eq!(
        (first.max_batch_events, first.max_batch_bytes),
        (20, 64 << 10)
    );
    let id = &first.gateway_id;
    assert!(
        id.starts_with("wg-") && id.len() == 27 && is_record_id(id),
        "{id}"
    );
    let path = dir.path().join(GATEWAY_ID_FILE);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{id}\n"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let second = resolve(&text, dir.path(), None).unwrap().unwrap();
    assert_eq!(&second.gateway_id, id, "the same id on a later start");
    let other = tempfile::tempdir().unwrap();
    let elsewhere = resolve(&text, other.path(), None).unwrap().unwrap();
    assert_ne!(&elsewhere.gateway_id, id, "another box, another id");
    // The key is the secret's: what it signs verifies with a key made from the same text.
    let signature = crate::upstream::sign(&first.secret, "id", 1, b"{}");
    let same = SigningKey::from_secret(SECRET).unwrap();
    assert_eq!(signature, crate::upstream::sign(&same, "id", 1, b"{}"));
}

#[test]
fn a_configured_gateway_id_is_used_and_nothing_is_generated() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[upstream]\nurl = \"https://hq.example.com/b\"\nsecret = \"{SECRET}\"\n\
         gateway_id = \"store-0042\"\n"
    );
    let settings = resolve(&text, dir.path(), None).unwrap().unwrap();
    assert_eq!(settings.gateway_id, "store-0042");
    assert_eq!(settings.commands_url, None);
    assert_eq!(
        (settings.max_batch_events, settings.max_batch_bytes),
        (500, 1 << 20)
    );
    assert!(!dir.path().join(GATEWAY_ID_FILE).exists());
}

#[test]
fn a_url_needs_a_secret_from_the_configuration_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[upstream]\nurl = \"https://hq.example.com/b\"\n";
    let error = resolve(text, dir.path(), None).unwrap_err();
    assert!(
        matches!(error, UpstreamSettingsError::NoSecret),
        "{error:?}"
    );
    assert_eq!(error.key(), "upstream.url");
    let message = error.to_string();
    for named in ["upstream.url", "upstream.secret", "WAYGATE_UPSTREAM_SECRET"] {
        assert!(message.contains(named), "{message}");
    }
    assert!(
        resolve(text, dir.path(), Some("from-env"))
            .unwrap()
            .is_some()
    );
    // An empty variable does not count: the configuration's secret applies.
    assert!(resolve(text, dir.path(), Some("")).is_err());
}

#[test]
fn the_environment_overrides_the_configured_secret() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[upstream]\nurl = \"https://hq.example.com/b\"\nsecret_file = \"/nonexistent/hq\"\n\
                gateway_id = \"g\"\n";
    let settings = resolve(text, dir.path(), Some("whsec_YWJj"))
        .unwrap()
        .unwrap();
    let abc = SigningKey::from_secret("abc").unwrap();
    assert_eq!(
        crate::upstream::sign(&settings.secret, "i", 1, b""),
        crate::upstream::sign(&abc, "i", 1, b"")
    );
    let error = resolve(text, dir.path(), None).unwrap_err();
    assert_eq!(error.key(), "upstream.secret_file");
    assert!(
        error.to_string().starts_with("upstream.secret_file: "),
        "{error}"
    );
}

#[test]
fn a_whsec_secret_that_is_not_base64_names_its_key_and_never_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[upstream]\nurl = \"https://hq.example.com/b\"\nsecret = \"whsec_$$secret$$\"\n";
    let error = resolve(text, dir.path(), None).unwrap_err();
    assert_eq!(error.key(), "upstream.secret");
    let message = error.to_string();
    assert!(
        message.contains("whsec_") && !message.contains("$$secret$$"),
        "{message}"
    );
    let from_env = resolve(text, dir.path(), Some("whsec_!!")).unwrap_err();
    assert_eq!(from_env.key(), "WAYGATE_UPSTREAM_SECRET");
}

#[test]
fn a_gateway_id_file_that_holds_no_id_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(GATEWAY_ID_FILE), "not an id\n").unwrap();
    let text = format!("[upstream]\nurl = \"https://hq.example.com/b\"\nsecret = \"{SECRET}\"\n");
    let error = resolve(&text, dir.path(), None).unwrap_err();
    assert!(
        matches!(error, UpstreamSettingsError::GatewayIdMalformed { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(GATEWAY_ID_FILE), "{error}");
    assert_eq!(error.key(), "upstream.gateway_id");
}

#[test]
fn the_settings_never_print_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[upstream]\nurl = \"https://hq.example.com/b\"\nsecret = \"{SECRET}\"\ngateway_id = \"g\"\n"
    );
    let settings = resolve(&text, dir.path(), None).unwrap().unwrap();
    let shown = format!("{settings:?}");
    assert!(
        !shown.contains(SECRET) && shown.contains("<redacted>"),
        "{shown}"
    );
}
