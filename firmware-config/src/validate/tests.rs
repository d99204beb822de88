//! Validation: every range at both edges, the rules between keys, all problems at once.

use super::*;
use crate::config::{EnvName, Path};

fn kinds(config: &Config) -> Vec<(&'static str, ProblemKind)> {
    match config.validate() {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|problem| (problem.key(), problem.kind().clone()))
            .collect(),
    }
}

fn path(text: &str) -> Path {
    Path::try_from(text).unwrap()
}

#[test]
fn the_defaults_are_valid() {
    assert_eq!(Config::default().validate(), Ok(()));
}

#[test]
fn dedupe_retention_boundary() {
    let mut config = Config::default();
    config.store.dedupe_retention_hours = 167;
    let problems = config.validate().unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems.to_string(),
        "store.dedupe_retention_hours = 167: must be between 168 and 2160 \
         (hours; Meta retries for 7 days)"
    );
    config.store.dedupe_retention_hours = 168;
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn every_numeric_limit_is_enforced_at_both_edges() {
    type Field = fn(&mut Config) -> &mut u32;
    let fields: [(&str, Field); 20] = [
        (keys::PUBLIC_MAX_CONNECTIONS, |c| {
            &mut c.public.max_connections
        }),
        (keys::PUBLIC_MAX_BODY_BYTES, |c| {
            &mut c.public.max_body_bytes
        }),
        (keys::PUBLIC_HEADER_READ_TIMEOUT_MS, |c| {
            &mut c.public.header_read_timeout_ms
        }),
        (keys::PUBLIC_BODY_READ_TIMEOUT_MS, |c| {
            &mut c.public.body_read_timeout_ms
        }),
        (keys::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS, |c| {
            &mut c.public.tls_handshake_timeout_ms
        }),
        (keys::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS, |c| {
            &mut c.public.http2_max_concurrent_streams
        }),
        (keys::PUBLIC_IDLE_TIMEOUT_MS, |c| {
            &mut c.public.idle_timeout_ms
        }),
        (keys::PUBLIC_INFLIGHT_BODY_BYTES, |c| {
            // Its range only: the smallest body cap lets the smallest budget cover it.
            c.public.max_body_bytes = limits::PUBLIC_MAX_BODY_BYTES.min;
            &mut c.public.inflight_body_bytes
        }),
        (keys::PUBLIC_MAX_DELIVERY_ENTRIES, |c| {
            &mut c.public.max_delivery_entries
        }),
        (keys::PUBLIC_MAX_DELIVERY_CHANGES, |c| {
            &mut c.public.max_delivery_changes
        }),
        (keys::PUBLIC_MAX_DELIVERY_ITEMS, |c| {
            &mut c.public.max_delivery_items
        }),
        (keys::STORE_DEDUPE_RETENTION_HOURS, |c| {
            &mut c.store.dedupe_retention_hours
        }),
        (keys::STORE_DEDUPE_MAX_ENTRIES, |c| {
            &mut c.store.dedupe_max_entries
        }),
        (keys::STORE_CACHE_BYTES, |c| &mut c.store.cache_bytes),
        (keys::STORE_MAX_BATCH, |c| &mut c.store.max_batch),
        (keys::SHUTDOWN_GRACE_MS, |c| &mut c.shutdown.grace_ms),
        (keys::CHAT_UNATTENDED_CLOSE_SECONDS, |c| {
            &mut c.chat.unattended_close_seconds
        }),
        (keys::CHAT_IDLE_CLOSE_SECONDS, |c| {
            &mut c.chat.idle_close_seconds
        }),
        (keys::CHAT_BOT_IDLE_CLOSE_SECONDS, |c| {
            &mut c.chat.bot_idle_close_seconds
        }),
        (keys::CHAT_PROFANITY_LIMIT, |c| &mut c.chat.profanity_limit),
    ];
    assert_eq!(fields.len(), limits::U32_LIMITS.len());
    for (key, field) in fields {
        let limit = limits::U32_LIMITS.iter().find(|l| l.key == key).unwrap();
        for (value, ok) in [
            (limit.min, true),
            (limit.max, true),
            (limit.max + 1, false),
            (limit.min.wrapping_sub(1), false),
        ] {
            let mut config = Config::default();
            *field(&mut config) = value;
            let found = kinds(&config);
            if ok {
                assert!(found.is_empty(), "{key} = {value}: {found:?}");
            } else {
                assert_eq!(found.len(), 1, "{key} = {value}");
                assert_eq!(found[0].0, key);
            }
        }
    }
}

#[test]
fn the_body_budget_must_cover_one_body() {
    let mut config = Config::default();
    config.public.inflight_body_bytes = config.public.max_body_bytes - 1;
    let found = kinds(&config);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, keys::PUBLIC_INFLIGHT_BODY_BYTES);
    let text = config.validate().unwrap_err().to_string();
    assert!(
        text.contains("must be at least public.max_body_bytes (3145728)"),
        "{text}"
    );
    config.public.inflight_body_bytes = config.public.max_body_bytes;
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn quota_one_byte_under_a_mebibyte_is_refused() {
    let mut config = Config::default();
    config.store.quota_bytes = 1024 * 1024 - 1;
    assert_eq!(kinds(&config)[0].0, keys::STORE_QUOTA_BYTES);
    config.store.quota_bytes = 1024 * 1024;
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn certificate_without_key_and_key_without_certificate() {
    let mut config = Config::default();
    config.public.tls_cert = Some(path("/etc/waygate/cert.pem"));
    assert_eq!(
        kinds(&config),
        [(
            keys::PUBLIC_TLS_CERT,
            ProblemKind::TlsPairIncomplete {
                missing: keys::PUBLIC_TLS_KEY
            }
        )]
    );
    config.public.tls_cert = None;
    config.public.tls_key = Some(path("/etc/waygate/key.pem"));
    assert_eq!(kinds(&config)[0].0, keys::PUBLIC_TLS_KEY);
    config.public.tls_cert = Some(path("/etc/waygate/cert.pem"));
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn empty_texts_are_refused() {
    let mut config = Config {
        data_dir: Path::new(),
        ..Config::default()
    };
    config.log.filter = heapless::String::try_from("  ").unwrap();
    config.meta.app_secret = SecretSource::Inline(heapless::String::new());
    config.meta.verify_token = SecretSource::File(Path::new());
    let found: Vec<_> = kinds(&config).into_iter().map(|(key, _)| key).collect();
    assert_eq!(
        found,
        [
            keys::DATA_DIR,
            keys::META_APP_SECRET,
            keys::META_VERIFY_TOKEN_FILE,
            keys::LOG_FILTER
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
        let found = kinds(&config);
        assert_eq!(!found.is_empty(), collide, "{public} {local}");
        if collide {
            assert_eq!(found[0].0, keys::LOCAL_LISTEN);
        }
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut config = Config::default();
    config.public.max_connections = 0;
    config.store.max_batch = 0;
    config.shutdown.grace_ms = 600_001;
    config.log.filter = heapless::String::new();
    let found: Vec<_> = kinds(&config).into_iter().map(|(key, _)| key).collect();
    assert_eq!(
        found,
        [
            keys::PUBLIC_MAX_CONNECTIONS,
            keys::STORE_MAX_BATCH,
            keys::SHUTDOWN_GRACE_MS,
            keys::LOG_FILTER
        ]
    );
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
    config.local.listen = config.public.listen;
    config.meta.app_secret = SecretSource::Inline(heapless::String::new());
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
    let problems = config.validate().unwrap_err();
    assert_eq!(problems.len(), 23, "{problems}");
    assert_eq!(problems.dropped(), 0);
    assert!(problems.len() <= crate::MAX_PROBLEMS);
}
