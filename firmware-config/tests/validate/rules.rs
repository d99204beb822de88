//! The rules between keys, texts that must not be empty, and every problem at once.

use firmware_config::{
    Config, EnvName, KeyPath, MAX_PROBLEMS, Path, Problem, ProblemKind, Problems, SecretSource,
    ShownValue,
};

use crate::{kinds, paths, problems};

fn path(text: &str) -> Path {
    Path::try_from(text).unwrap()
}

#[test]
fn the_body_budget_must_cover_one_body() {
    let mut config = Config::default();
    config.public.inflight_body_bytes = config.public.max_body_bytes - 1;
    assert_eq!(paths(&config), ["public.inflight_body_bytes"]);
    let text = config.validate().unwrap_err().to_string();
    assert!(
        text.contains("must be at least public.max_body_bytes (3145728)"),
        "{text}"
    );
    config.public.inflight_body_bytes = config.public.max_body_bytes;
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn a_console_session_lasts_at_least_its_idle_limit() {
    let mut config = Config::default();
    config.console.session_max_hours = 7;
    assert_eq!(
        problems(&config),
        ["console.session_max_hours = 7: must be at least console.session_idle_seconds (28800)"]
    );
    config.console.session_max_hours = 8;
    assert_eq!(config.validate(), Ok(()));
    config.console.session_idle_seconds = 8 * 3_600 + 1;
    assert_eq!(paths(&config), ["console.session_max_hours"]);
    // A limit out of its range is reported once, for its range.
    config.console.session_max_hours = 0;
    assert_eq!(paths(&config), ["console.session_max_hours"]);
}

#[test]
fn certificate_without_key_and_key_without_certificate() {
    let mut config = Config::default();
    config.public.tls_cert = Some(path("/etc/waygate/cert.pem"));
    assert_eq!(
        kinds(&config),
        [(
            "public.tls_cert".to_owned(),
            ProblemKind::Rule(
                "needs public.tls_key too (set both or neither; with neither, a self-signed \
                 certificate is generated in data_dir)"
            )
        )]
    );
    config.public.tls_cert = None;
    config.public.tls_key = Some(path("/etc/waygate/key.pem"));
    assert_eq!(paths(&config), ["public.tls_key"]);
    config.public.tls_cert = Some(path("/etc/waygate/cert.pem"));
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn empty_texts_are_refused() {
    let mut config = Config {
        data_dir: Path::new(),
        ..Config::default()
    };
    config.log.filter = "  ".try_into().unwrap();
    config.meta.verify_token = SecretSource::File(Path::new());
    config.public.tls_cert = Some(Path::new());
    config.public.tls_key = Some(path("/k"));
    assert_eq!(
        paths(&config),
        [
            "data_dir",
            "public.tls_cert",
            "meta.verify_token_file",
            "log.filter"
        ]
    );
}

#[test]
fn environment_variable_names_are_checked() {
    for (name, ok) in [
        ("MY_SECRET", true),
        ("", false),
        ("A=B", false),
        ("A\0", false),
    ] {
        let mut config = Config::default();
        config.meta.app_secret = SecretSource::Env(EnvName::try_from(name).unwrap());
        assert_eq!(config.validate().is_ok(), ok, "{name:?}");
        if !ok {
            assert_eq!(
                kinds(&config),
                [(
                    "meta.app_secret_env".to_owned(),
                    ProblemKind::BadFormat {
                        expected: "an environment variable name (not empty, without '=' or NUL)"
                    }
                )]
            );
        }
    }
}

#[test]
fn listeners_on_the_same_port_collide_unless_port_zero() {
    let cases = [
        ("127.0.0.1:9000", "127.0.0.1:9000", true),
        ("0.0.0.0:9000", "127.0.0.1:9000", true),
        ("127.0.0.1:9000", "[::]:9000", true),
        ("127.0.0.1:9000", "127.0.0.2:9000", false),
        ("127.0.0.1:9000", "127.0.0.1:9001", false),
        ("127.0.0.1:0", "127.0.0.1:0", false),
    ];
    for (public, local, collide) in cases {
        let mut config = Config::default();
        config.public.listen = public.parse().unwrap();
        config.local.listen = local.parse().unwrap();
        let found = paths(&config);
        assert_eq!(!found.is_empty(), collide, "{public} {local}");
        if collide {
            assert_eq!(found, ["local.listen"]);
        }
    }
}

#[test]
fn inline_secrets_never_print() {
    let mut config = Config::default();
    config.meta.app_secret = SecretSource::Inline("hunter2-super-secret".try_into().unwrap());
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("Inline(<redacted>)"), "{debug}");
}

#[test]
fn an_empty_inline_secret_is_reported_redacted() {
    let mut config = Config::default();
    config.meta.verify_token = SecretSource::Inline(heapless::String::new());
    let problems = config.validate().unwrap_err();
    assert_eq!(
        problems.to_string(),
        "meta.verify_token = <redacted>: must not be empty"
    );
}

#[test]
fn all_problems_are_reported_at_once_in_key_order() {
    let mut config = Config::default();
    config.public.max_connections = 0;
    config.store.max_batch = 0;
    config.shutdown.grace_ms = 600_001;
    config.log.filter = heapless::String::new();
    assert_eq!(
        paths(&config),
        [
            "public.max_connections",
            "store.max_batch",
            "shutdown.grace_ms",
            "log.filter"
        ]
    );
}

#[test]
fn every_problem_at_once_fits_the_list() {
    let mut config = Config {
        data_dir: Path::new(),
        ..Config::default()
    };
    config.public.tls_cert = Some(Path::new());
    config.public.max_connections = 0;
    config.public.max_body_bytes = 0;
    config.public.header_read_timeout_ms = 0;
    config.public.body_read_timeout_ms = 0;
    config.public.tls_handshake_timeout_ms = 0;
    config.public.http2_max_concurrent_streams = 0;
    config.public.idle_timeout_ms = 0;
    config.public.inflight_body_bytes = 0;
    config.public.max_delivery_entries = 0;
    config.public.max_delivery_changes = 0;
    config.public.max_delivery_items = 0;
    config.local.listen = config.public.listen;
    config.meta.app_secret = SecretSource::File(Path::new());
    config.meta.verify_token = SecretSource::Env(EnvName::new());
    config.store.quota_bytes = 0;
    config.store.dedupe_retention_hours = 0;
    config.store.dedupe_max_entries = 0;
    config.store.cache_bytes = 0;
    config.store.max_batch = 0;
    config.shutdown.grace_ms = u32::MAX;
    config.log.filter = heapless::String::new();
    config.chat.unattended_close_seconds = 0;
    config.chat.idle_close_seconds = 0;
    config.chat.bot_idle_close_seconds = 0;
    config.chat.profanity_limit = 0;
    config.console.session_idle_seconds = 0;
    config.console.session_max_hours = 0;
    let problems = config.validate().unwrap_err();
    // 28 settings, the certificate without its key and the shared port.
    assert_eq!(problems.len(), 30, "{problems}");
    assert_eq!(problems.dropped(), 0);
    assert!(problems.len() <= MAX_PROBLEMS);
}

#[test]
fn problems_keep_the_first_ones_and_count_the_rest() {
    let mut problems = Problems::new();
    assert!(problems.is_empty());
    for _ in 0..MAX_PROBLEMS + 3 {
        let path = KeyPath::new("data_dir");
        problems.push(Problem::at(
            path,
            ShownValue::quoted(""),
            ProblemKind::Empty,
        ));
    }
    assert_eq!(problems.len(), MAX_PROBLEMS + 3);
    assert_eq!(problems.iter().count(), MAX_PROBLEMS);
    assert_eq!(problems.dropped(), 3);
    let text = problems.to_string();
    assert_eq!(text.lines().count(), MAX_PROBLEMS + 1);
    assert!(text.ends_with("... and 3 more problems"));
}

#[test]
fn hidden_and_redacted_values_print_no_value() {
    let redacted = Problem::at(
        KeyPath::new("meta.app_secret"),
        ShownValue::Redacted,
        ProblemKind::Empty,
    );
    assert_eq!(
        redacted.to_string(),
        "meta.app_secret = <redacted>: must not be empty"
    );
    let hidden = Problem::at(
        KeyPath::new("store.max_batch"),
        ShownValue::Hidden,
        ProblemKind::WrongType {
            expected: "an integer",
            found: "a string",
        },
    );
    assert_eq!(
        hidden.to_string(),
        "store.max_batch: must be an integer, found a string"
    );
}

#[test]
fn key_paths_fill_their_brackets_in_order() {
    let number = KeyPath::new("departments[].numbers").at(2).at(0);
    assert_eq!(number.to_string(), "departments[2].numbers[0]");
    assert_eq!(number.indexes(), [2, 0]);
    assert_eq!(number.pattern(), "departments[].numbers");
    assert_eq!(
        KeyPath::new("departments[].numbers").at(1).to_string(),
        "departments[1].numbers"
    );
    let name = KeyPath::new("departments")
        .at(7)
        .with_pattern("departments[].name");
    assert_eq!(name.to_string(), "departments[7].name");
    assert_eq!(number.at(9), number, "a third index has no bracket");
    assert_eq!(
        KeyPath::new("templates").at(70_000).to_string(),
        "templates[65535]"
    );
    let token = KeyPath::new("operators[].token").at(3).with_suffix("_env");
    assert_eq!(token.to_string(), "operators[3].token_env");
    assert_eq!(token.pattern(), "operators[].token");
}
