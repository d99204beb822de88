//! Problems with the single-valued settings: ranges, types, units, capacities, secrets, syntax.

use firmware_config::{ConfigProblem, KeyPath, ProblemKind, ShownValue, parse_toml};

use crate::{
    SECRET, errors, lines_of, messages_of, only_kind, only_problem, paths_of, patterns_of,
};

#[test]
fn four_mistakes_make_four_problems_naming_four_keys_in_file_order() {
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
    assert_eq!(
        paths_of(&errors),
        [
            "public.listen",
            "public.max_body_bytes",
            "store.dedupe_retention_hours",
            "log.format"
        ]
    );
    assert_eq!(lines_of(&errors), [Some(3), Some(4), Some(7), Some(10)]);
    let text = errors.to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains(
        "line 7: store.dedupe_retention_hours = 24: must be between 168 and 2160 \
         (hours; Meta retries for 7 days)"
    ));
    assert!(text.contains("line 10: log.format = \"xml\": must be one of \"text\" or \"json\""));
    assert!(
        text.contains("line 3: public.listen = \"localhost:8443\": must be an IP address and port")
    );
}

#[test]
fn unknown_keys_are_named_with_their_full_path_and_the_known_keys() {
    let text = "[public]\nlisten_addr = \"127.0.0.1:1\"\n[stor]\nquota_bytes = 5\n";
    let errors = errors(text);
    // In file order; the unknown table's own keys are not reported on top of it.
    assert_eq!(
        paths_of(&errors),
        ["public.listen_addr", "stor"],
        "{errors}"
    );
    assert_eq!(
        errors.to_string(),
        "line 2: public.listen_addr: unknown key; known here: listen, tls_cert, tls_key, \
         max_connections, max_body_bytes, header_read_timeout_ms, body_read_timeout_ms, \
         tls_handshake_timeout_ms, http2_max_concurrent_streams, idle_timeout_ms, \
         inflight_body_bytes, max_delivery_entries, max_delivery_changes, max_delivery_items\n\
         line 3: stor: unknown table; known here: data_dir, public, local, meta, store, \
         shutdown, log, chat, departments, templates, operators, numbers, pricing, credits, \
         upstream, canned_responses, articles, console"
    );
    assert!(matches!(
        &errors.problems()[1],
        ConfigProblem::UnknownKey {
            is_table: true,
            line: Some(3),
            ..
        }
    ));
}

#[test]
fn a_key_in_the_wrong_table_gets_a_suggestion() {
    let problem = only_problem("quota_bytes = 2_000_000\n");
    let ConfigProblem::UnknownKey {
        key,
        line,
        is_table,
        suggestion,
        ..
    } = &problem
    else {
        panic!("{problem:?}");
    };
    assert_eq!(
        (key.as_str(), *line, *is_table, suggestion.as_deref()),
        ("quota_bytes", Some(1), false, Some("store.quota_bytes"))
    );
    assert!(
        problem
            .to_string()
            .ends_with("(did you mean store.quota_bytes?)"),
        "{problem}"
    );
}

#[test]
fn unknown_keys_never_show_their_value() {
    let text = format!("[meta]\napp_secert = \"{SECRET}\"\n");
    let errors = errors(&text);
    assert_eq!(paths_of(&errors), ["meta.app_secert"]);
    assert!(!errors.to_string().contains(SECRET));
    assert!(!format!("{errors:?}").contains(SECRET));
}

#[test]
fn wrong_types_name_what_was_expected() {
    let cases = [
        ("public = 5", "public", "a table", "an integer"),
        (
            "[public]\nmax_connections = \"10\"",
            "public.max_connections",
            "an integer",
            "a string",
        ),
        (
            "[store]\nquota_bytes = 1.5e9",
            "store.quota_bytes",
            "an integer or a size like \"64KiB\", \"3MiB\" or \"1GiB\"",
            "a float",
        ),
        (
            "[local]\nlisten = 8080",
            "local.listen",
            "a string",
            "an integer",
        ),
        ("data_dir = [\"a\"]", "data_dir", "a string", "an array"),
        (
            "[log]\nfilter = true",
            "log.filter",
            "a string",
            "a boolean",
        ),
        (
            "[[shutdown]]\ngrace_ms = 1",
            "shutdown",
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
            "store.dedupe_retention_hours",
        ),
        ("[store]\nquota_bytes = 1_048_575", "store.quota_bytes"),
        (
            "[store]\nquota_bytes = 1_099_511_627_777",
            "store.quota_bytes",
        ),
        ("[public]\nmax_connections = 0", "public.max_connections"),
        (
            "[public]\nmax_connections = 4_294_967_296",
            "public.max_connections",
        ),
        ("[public]\nmax_body_bytes = -1", "public.max_body_bytes"),
        ("[store]\nquota_bytes = -1", "store.quota_bytes"),
        ("[shutdown]\ngrace_ms = 600_001", "shutdown.grace_ms"),
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
        "line 2: public.max_connections = -3: must be between 1 and 65535 (connections)"
    );
}

#[test]
fn a_unit_that_does_not_divide_the_settings_unit_is_refused() {
    let (key, kind) = only_kind("[chat]\nunattended_close_seconds = \"1500ms\"");
    assert_eq!(key, "chat.unattended_close_seconds");
    assert_eq!(
        kind,
        ProblemKind::BadFormat {
            expected: "a whole number of seconds"
        }
    );
    let (key, kind) = only_kind("[store]\ndedupe_retention_hours = \"90m\"");
    assert_eq!(key, "store.dedupe_retention_hours");
    assert_eq!(
        kind,
        ProblemKind::BadFormat {
            expected: "a whole number of hours"
        }
    );
    assert_eq!(
        errors("[chat]\nidle_close_seconds = \"1500ms\"").to_string(),
        "line 2: chat.idle_close_seconds = \"1500ms\": must be a whole number of seconds"
    );
}

#[test]
fn units_are_checked_against_the_settings_kind_and_range() {
    // A size where a duration belongs, a duration where a size belongs, an SI size.
    for (text, key) in [
        ("[shutdown]\ngrace_ms = \"1MiB\"", "shutdown.grace_ms"),
        ("[store]\nquota_bytes = \"15m\"", "store.quota_bytes"),
        ("[store]\nquota_bytes = \"3MB\"", "store.quota_bytes"),
        ("[store]\ncache_bytes = \"1.5MiB\"", "store.cache_bytes"),
    ] {
        let (problem_key, kind) = only_kind(text);
        assert_eq!(problem_key, key, "{text}");
        assert!(
            matches!(kind, ProblemKind::BadFormat { .. }),
            "{text}: {kind:?}"
        );
    }
    assert_eq!(
        errors("[store]\nquota_bytes = \"3MB\"").to_string(),
        "line 2: store.quota_bytes = \"3MB\": must be an integer or a size like \"64KiB\", \
         \"3MiB\" or \"1GiB\""
    );
    // A count takes no unit.
    let (_, kind) = only_kind("[store]\nmax_batch = \"10\"");
    assert_eq!(
        kind,
        ProblemKind::WrongType {
            expected: "an integer",
            found: "a string"
        }
    );
    // A readable value is still held to the range, and the report shows it as written.
    assert_eq!(
        errors("[public]\nmax_body_bytes = \"5GiB\"").to_string(),
        "line 2: public.max_body_bytes = \"5GiB\": must be between 65536 and 16777216 \
         (bytes; Meta sends at most 3 MiB)"
    );
    assert!(parse_toml("[public]\nmax_body_bytes = \"16MiB\"").is_ok());
    assert!(parse_toml("[public]\nmax_body_bytes = \"17MiB\"").is_err());
}

#[test]
fn strings_longer_than_their_capacity_are_refused() {
    let fits = "d".repeat(256);
    assert!(parse_toml(&format!("data_dir = \"{fits}\"")).is_ok());
    let long = "d".repeat(257);
    let (key, kind) = only_kind(&format!("data_dir = \"{long}\""));
    assert_eq!(key, "data_dir");
    assert_eq!(
        kind,
        ProblemKind::TooLong {
            len: 257,
            capacity: 256
        }
    );
    let env = "E".repeat(65);
    let (key, kind) = only_kind(&format!("[meta]\nverify_token_env = \"{env}\""));
    assert_eq!(key, "meta.verify_token_env");
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
    assert_eq!(key, "public.tls_cert");
    let ProblemKind::Rule(rule) = kind else {
        panic!("{kind:?}");
    };
    assert!(
        rule.starts_with("needs public.tls_key too (set both or neither"),
        "{rule}"
    );
    let (key, kind) = only_kind("[public]\ntls_key = \"/etc/key.pem\"");
    assert_eq!(key, "public.tls_key");
    assert!(
        kind.to_string().starts_with("needs public.tls_cert too"),
        "{kind}"
    );
}

#[test]
fn a_secret_has_at_most_one_source() {
    let text = format!(
        "[meta]\napp_secret = \"{SECRET}\"\napp_secret_file = \"/run/s\"\napp_secret_env = \"S\"\n"
    );
    let errors = errors(&text);
    let ConfigProblem::Invalid { problem, line } = &errors.problems()[0] else {
        panic!("{errors:?}");
    };
    assert_eq!(problem.path().to_string(), "meta.app_secret_file");
    assert_eq!(*line, Some(3));
    assert_eq!(
        problem.kind(),
        &ProblemKind::ConflictingSources {
            other: KeyPath::new("meta.app_secret"),
            unset: Some("it is generated into data_dir"),
        }
    );
    assert!(!errors.to_string().contains(SECRET));
    assert!(!format!("{errors:?}").contains(SECRET));
    let (key, kind) = only_kind("[meta]\nverify_token_file = \"/a\"\nverify_token_env = \"B\"");
    assert_eq!(key, "meta.verify_token_env");
    assert_eq!(
        kind,
        ProblemKind::ConflictingSources {
            other: KeyPath::new("meta.verify_token").with_suffix("_file"),
            unset: Some("it is generated into data_dir"),
        }
    );
}

/// Every problem at once: each extra source is a conflict of its own.
#[test]
fn every_extra_secret_source_is_reported() {
    let text = "[meta]\napp_secret = \"x\"\napp_secret_file = \"/run/s\"\napp_secret_env = \"S\"\n";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        ["meta.app_secret_file", "meta.app_secret_env"],
        "{errors}"
    );
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
    assert_eq!(key, "meta.app_secret");
    assert!(matches!(kind, ProblemKind::TooLong { capacity: 256, .. }));
    let problem = only_problem(&texts[0]);
    assert_eq!(
        problem.to_string(),
        format!(
            "line 2: meta.app_secret = <redacted>: must be at most 256 bytes long (it is {})",
            long.len()
        )
    );
    let ConfigProblem::Invalid { problem, .. } = problem else {
        panic!("expected an invalid value");
    };
    assert_eq!(problem.value(), &ShownValue::Redacted);
}

#[test]
fn a_syntax_error_has_a_line() {
    let problem = only_problem("data_dir = \"/x\"\n[public\nlisten = 1\n");
    let ConfigProblem::Syntax { line, .. } = &problem else {
        panic!("expected a syntax error, got {problem:?}");
    };
    assert_eq!(*line, Some(2));
    let text = problem.to_string();
    assert!(text.starts_with("line 2: TOML syntax error: "), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn addresses_must_be_ip_and_port() {
    for bad in ["localhost:80", "127.0.0.1", "::1:80", "", "127.0.0.1:65536"] {
        let (key, kind) = only_kind(&format!("[local]\nlisten = \"{bad}\""));
        assert_eq!(key, "local.listen");
        assert_eq!(
            kind.to_string(),
            "must be an IP address and port, like \"127.0.0.1:8443\" or \"[::1]:8443\"",
            "{bad}"
        );
    }
    let config = parse_toml("[local]\nlisten = \"[fe80::1%2]:0\"").unwrap();
    assert_eq!(config.local.listen.port(), 0);
}

#[test]
fn listeners_may_not_share_a_port() {
    let (key, kind) = only_kind("[local]\nlisten = \"127.0.0.1:8443\"");
    assert_eq!(key, "local.listen");
    assert_eq!(
        kind,
        ProblemKind::Rule("must not use the same port as public.listen")
    );
}

#[test]
fn blank_and_empty_texts_are_refused() {
    let errors = errors("data_dir = \"\"\n[log]\nfilter = \" \"\n[meta]\napp_secret_env = \"A=B\"");
    assert_eq!(
        paths_of(&errors),
        ["data_dir", "log.filter", "meta.app_secret_env"],
        "{errors}"
    );
    assert_eq!(patterns_of(&errors)[2], "meta.app_secret");
    assert_eq!(
        messages_of(&errors),
        [
            "data_dir = \"\": must not be empty",
            "log.filter = \" \": must not be empty",
            "meta.app_secret_env = \"A=B\": must be an environment variable name (not empty, \
             without '=' or NUL)"
        ]
    );
}

#[test]
fn a_path_with_a_control_character_is_refused() {
    for (text, path) in [
        ("data_dir = \"/var/lib/way\\ngate\"", "data_dir"),
        (
            "[public]\ntls_cert = \"/a\\u0000\"\ntls_key = \"/b\"",
            "public.tls_cert",
        ),
        (
            "[chat]\nprofanity_word_lists = [\"/x\\ty\"]",
            "chat.profanity_word_lists[0]",
        ),
        (
            "[meta]\napp_secret_file = \"/s\\r\"",
            "meta.app_secret_file",
        ),
    ] {
        let (problem_path, kind) = only_kind(text);
        assert_eq!(problem_path, path, "{text}");
        assert_eq!(
            kind,
            ProblemKind::BadFormat {
                expected: "a path without control characters"
            },
            "{text}"
        );
    }
}

#[test]
fn a_log_filter_is_levels_and_target_directives_without_spaces() {
    for good in [
        "info",
        "debug,hyper=warn",
        "WARN,waygate::store=trace",
        "waygate",
        "off,",
    ] {
        let text = format!("[log]\nfilter = {good:?}\n");
        assert!(parse_toml(&text).is_ok(), "{good}");
    }
    for bad in [
        "info,[[[not a filter",
        "info, hyper=warn",
        "hyper=loud",
        "=info",
        "a{b}=debug",
    ] {
        let text = format!("[log]\nfilter = {bad:?}\n");
        let errors = errors(&text);
        assert_eq!(paths_of(&errors), ["log.filter"], "{bad}");
        let message = errors.to_string();
        assert!(
            message.starts_with("line 2: log.filter = ")
                && message.contains("must be a log filter"),
            "{message}"
        );
    }
}
