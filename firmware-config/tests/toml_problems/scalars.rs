//! Problems with the single-valued settings: ranges, types, capacities, secrets, syntax.

use firmware_config::{ConfigProblem, ProblemKind, ShownValue, keys, parse_toml};

use crate::{SECRET, errors, keys_of, only_kind, only_problem};

#[test]
fn four_mistakes_make_four_problems_naming_four_keys() {
    let text = r#"
        [public]
        listen = "localhost:8443"
        max_body_bytes = 100

        [store]
        dedupe_retention_hours = 24

        [log]
        format = "xml"
    "#;
    let errors = errors(text);
    assert_eq!(errors.len(), 4, "{errors}");
    let mut found = keys_of(&errors);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            keys::LOG_FORMAT,
            keys::PUBLIC_LISTEN,
            keys::PUBLIC_MAX_BODY_BYTES,
            keys::STORE_DEDUPE_RETENTION_HOURS
        ]
    );
    let text = errors.to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains(
        "store.dedupe_retention_hours = 24: must be between 168 and 2160 \
         (hours; Meta retries for 7 days)"
    ));
    assert!(text.contains("log.format = \"xml\": must be one of \"text\", \"json\""));
    assert!(text.contains("public.listen = \"localhost:8443\": must be an IP address and port"));
}

#[test]
fn unknown_keys_are_named_with_their_full_path_and_the_known_keys() {
    let text = "[public]\nlisten_addr = \"127.0.0.1:1\"\n[stor]\nquota_bytes = 5\n";
    let errors = errors(text);
    // Top-level keys are checked first, then each table.
    assert_eq!(keys_of(&errors), ["stor", "public.listen_addr"], "{errors}");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines[1],
        "public.listen_addr: unknown key; known keys in [public]: listen, tls_cert, tls_key, \
         max_connections, max_body_bytes, header_read_timeout_ms, body_read_timeout_ms, \
         tls_handshake_timeout_ms, http2_max_concurrent_streams, idle_timeout_ms, \
         inflight_body_bytes, max_delivery_entries, max_delivery_changes, max_delivery_items"
    );
    assert_eq!(
        lines[0],
        "stor: unknown key; known top-level keys: data_dir, public, local, meta, store, \
         shutdown, log, chat, departments, templates, operators"
    );
}

#[test]
fn a_key_in_the_wrong_table_gets_a_suggestion() {
    let problem = only_problem("quota_bytes = 2_000_000\n");
    assert!(matches!(
        &problem,
        ConfigProblem::UnknownKey { key, table: "", suggestion: Some(keys::STORE_QUOTA_BYTES), .. }
            if key == "quota_bytes"
    ));
    assert!(
        problem
            .to_string()
            .ends_with("(did you mean store.quota_bytes?)")
    );
}

#[test]
fn unknown_keys_never_show_their_value() {
    let text = format!("[meta]\napp_secert = \"{SECRET}\"\n");
    let errors = errors(&text);
    assert_eq!(keys_of(&errors), ["meta.app_secert"]);
    assert!(!errors.to_string().contains(SECRET));
    assert!(!format!("{errors:?}").contains(SECRET));
}

#[test]
fn wrong_types_name_what_was_expected() {
    let cases = [
        ("public = 5", keys::PUBLIC, "a table", "an integer"),
        (
            "[public]\nmax_connections = \"10\"",
            keys::PUBLIC_MAX_CONNECTIONS,
            "an integer",
            "a string",
        ),
        (
            "[store]\nquota_bytes = 1.5e9",
            keys::STORE_QUOTA_BYTES,
            "an integer",
            "a float",
        ),
        (
            "[local]\nlisten = 8080",
            keys::LOCAL_LISTEN,
            "a string",
            "an integer",
        ),
        ("data_dir = [\"a\"]", keys::DATA_DIR, "a string", "an array"),
        (
            "[log]\nfilter = true",
            keys::LOG_FILTER,
            "a string",
            "a boolean",
        ),
        (
            "[[shutdown]]\ngrace_ms = 1",
            keys::SHUTDOWN,
            "a table",
            "an array",
        ),
    ];
    for (text, key, expected, found) in cases {
        let (problem_key, kind) = only_kind(text);
        assert_eq!(problem_key, key, "{text}");
        assert_eq!(kind, ProblemKind::WrongType { expected, found }, "{text}");
    }
}

#[test]
fn boundaries_hold_through_toml() {
    let refused = [
        (
            "[store]\ndedupe_retention_hours = 167",
            keys::STORE_DEDUPE_RETENTION_HOURS,
        ),
        ("[store]\nquota_bytes = 1_048_575", keys::STORE_QUOTA_BYTES),
        (
            "[store]\nquota_bytes = 1_099_511_627_777",
            keys::STORE_QUOTA_BYTES,
        ),
        (
            "[public]\nmax_connections = 0",
            keys::PUBLIC_MAX_CONNECTIONS,
        ),
        (
            "[public]\nmax_connections = 4_294_967_296",
            keys::PUBLIC_MAX_CONNECTIONS,
        ),
        ("[public]\nmax_body_bytes = -1", keys::PUBLIC_MAX_BODY_BYTES),
        ("[store]\nquota_bytes = -1", keys::STORE_QUOTA_BYTES),
        ("[shutdown]\ngrace_ms = 600_001", keys::SHUTDOWN_GRACE_MS),
    ];
    for (text, key) in refused {
        let (problem_key, kind) = only_kind(text);
        assert_eq!(problem_key, key, "{text}");
        assert!(matches!(kind, ProblemKind::OutOfRange { .. }), "{text}");
    }
    let accepted = [
        "[store]\ndedupe_retention_hours = 168",
        "[store]\ndedupe_retention_hours = 2160",
        "[store]\nquota_bytes = 1_048_576",
        "[store]\nquota_bytes = 1_099_511_627_776",
        "[shutdown]\ngrace_ms = 0",
        "[public]\nmax_body_bytes = 65_536",
    ];
    for text in accepted {
        assert!(parse_toml(text).is_ok(), "{text}");
    }
    let errors = errors("[public]\nmax_connections = -3");
    assert_eq!(
        errors.to_string(),
        "public.max_connections = -3: must be between 1 and 65535 (connections)"
    );
}

#[test]
fn strings_longer_than_their_capacity_are_refused() {
    let fits = "d".repeat(256);
    assert!(parse_toml(&format!("data_dir = \"{fits}\"")).is_ok());
    let long = "d".repeat(257);
    let (key, kind) = only_kind(&format!("data_dir = \"{long}\""));
    assert_eq!(key, keys::DATA_DIR);
    assert_eq!(
        kind,
        ProblemKind::TooLong {
            len: 257,
            capacity: 256
        }
    );
    let env = "E".repeat(65);
    let (key, kind) = only_kind(&format!("[meta]\nverify_token_env = \"{env}\""));
    assert_eq!(key, keys::META_VERIFY_TOKEN_ENV);
    assert_eq!(
        kind,
        ProblemKind::TooLong {
            len: 65,
            capacity: 64
        }
    );
}

#[test]
fn a_certificate_needs_its_key() {
    let (key, kind) = only_kind("[public]\ntls_cert = \"/etc/cert.pem\"");
    assert_eq!(key, keys::PUBLIC_TLS_CERT);
    assert_eq!(
        kind,
        ProblemKind::TlsPairIncomplete {
            missing: keys::PUBLIC_TLS_KEY
        }
    );
    let (key, _) = only_kind("[public]\ntls_key = \"/etc/key.pem\"");
    assert_eq!(key, keys::PUBLIC_TLS_KEY);
}

#[test]
fn a_secret_has_at_most_one_source() {
    let text = format!(
        "[meta]\napp_secret = \"{SECRET}\"\napp_secret_file = \"/run/s\"\napp_secret_env = \"S\"\n"
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 2, "{errors}");
    let kinds: Vec<_> = errors
        .iter()
        .map(|problem| match problem {
            ConfigProblem::Invalid(problem) => (problem.key(), problem.kind().clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                keys::META_APP_SECRET,
                ProblemKind::ConflictingSources {
                    other: keys::META_APP_SECRET_FILE
                }
            ),
            (
                keys::META_APP_SECRET,
                ProblemKind::ConflictingSources {
                    other: keys::META_APP_SECRET_ENV
                }
            ),
        ]
    );
    assert!(!errors.to_string().contains(SECRET));
    let (key, _) = only_kind("[meta]\nverify_token_file = \"/a\"\nverify_token_env = \"B\"");
    assert_eq!(key, keys::META_VERIFY_TOKEN_FILE);
}

#[test]
fn problems_about_a_secret_never_contain_it() {
    let long = format!("{SECRET}{}", "x".repeat(300));
    let texts = [
        format!("[meta]\napp_secret = \"{long}\""),
        format!("[meta]\nverify_token = \"{long}\"\napp_secret = \"\""),
        format!("[meta]\napp_secret = \"{SECRET}\"\napp_secret_env = \"X\""),
        format!("[meta]\napp_secret = \"{SECRET}\n"),
        format!("[meta]\napp_secret = \"{SECRET}\\q\""),
        format!("[meta]\napp_secret = \"{SECRET}\"\napp_secret = \"{SECRET}\""),
    ];
    for text in &texts {
        let errors = errors(text);
        assert!(!errors.to_string().contains(SECRET), "{errors}");
        assert!(!format!("{errors:?}").contains(SECRET), "{errors:?}");
    }
    let (key, kind) = only_kind(&texts[0]);
    assert_eq!(key, keys::META_APP_SECRET);
    assert!(matches!(kind, ProblemKind::TooLong { capacity: 256, .. }));
    let problem = only_problem(&texts[0]);
    assert_eq!(
        problem.to_string(),
        format!(
            "meta.app_secret = <redacted>: must be at most 256 bytes long (it is {})",
            long.len()
        )
    );
    let ConfigProblem::Invalid(problem) = problem else {
        panic!("expected an invalid value");
    };
    assert_eq!(problem.value(), &ShownValue::Redacted);
}

#[test]
fn a_syntax_error_has_a_line_and_column() {
    let problem = only_problem("data_dir = \"/x\"\n[public\nlisten = 1\n");
    let ConfigProblem::Syntax { line, column, .. } = &problem else {
        panic!("expected a syntax error, got {problem:?}");
    };
    assert_eq!((*line, *column), (Some(2), Some(8)));
    let text = problem.to_string();
    assert!(
        text.starts_with("TOML syntax error at line 2, column 8: "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn addresses_must_be_ip_and_port() {
    for bad in ["localhost:80", "127.0.0.1", "::1:80", "", "127.0.0.1:65536"] {
        let (key, kind) = only_kind(&format!("[local]\nlisten = \"{bad}\""));
        assert_eq!(key, keys::LOCAL_LISTEN);
        assert_eq!(kind, ProblemKind::NotSocketAddr, "{bad}");
    }
    let config = parse_toml("[local]\nlisten = \"[fe80::1%2]:0\"").unwrap();
    assert_eq!(config.local.listen.port(), 0);
}

#[test]
fn listeners_may_not_share_a_port() {
    let (key, kind) = only_kind("[local]\nlisten = \"127.0.0.1:8443\"");
    assert_eq!(key, keys::LOCAL_LISTEN);
    assert_eq!(
        kind,
        ProblemKind::SameAddress {
            other: keys::PUBLIC_LISTEN
        }
    );
}

#[test]
fn blank_and_empty_texts_are_refused() {
    let errors = errors("data_dir = \"\"\n[log]\nfilter = \" \"\n[meta]\napp_secret_env = \"A=B\"");
    assert_eq!(
        keys_of(&errors),
        [keys::DATA_DIR, keys::META_APP_SECRET_ENV, keys::LOG_FILTER],
        "{errors}"
    );
}
