//! Headquarters, the retention and the operator tools in TOML: what reads, and each mistake at
//! its line, a secret never shown.

use firmware_config::{KeyPath, ProblemKind, parse_toml};

use crate::{SECRET, errors, lines_of, messages_of, only_kind, paths_of, takes_only_its_form};

#[test]
fn headquarters_canned_responses_and_articles_read_and_write_back() {
    let text = "\
[store]
retention_days = 0

[upstream]
url = \"https://hq.example.com/batches\"
secret_file = \"/run/secrets/hq\"
gateway_id = \"shop-12.north_1\"
max_batch_events = 1000
max_batch_bytes = \"64KiB\"
commands_url = \"http://127.0.0.1:9100/commands\"

[[canned_responses]]
id = \"greet\"
shortcut = \"/hi\"
body = \"Hello {{contact.name}}, this is {{agent.name}}.\"

[[articles]]
id = \"returns\"
title = \"Returns\"
body = \"Within 30 days.\"
link = \"https://shop.example/returns\"
";
    let config = parse_toml(text).unwrap();
    assert_eq!(config.store.retention_days, Some(0));
    let upstream = &config.upstream;
    assert_eq!(
        upstream.url.as_deref(),
        Some("https://hq.example.com/batches")
    );
    assert_eq!(upstream.gateway_id.as_deref(), Some("shop-12.north_1"));
    assert_eq!(
        (upstream.max_batch_events, upstream.max_batch_bytes),
        (1000, 64 << 10)
    );
    assert_eq!(config.canned_responses[0].shortcut, "/hi");
    assert_eq!(
        config.articles[0].link.as_deref(),
        Some("https://shop.example/returns")
    );
    assert_eq!(parse_toml(&config.to_toml()), Ok(config));
}

#[test]
fn the_defaults_sync_nothing_and_keep_everything() {
    let config = parse_toml("").unwrap();
    assert_eq!(config.store.retention_days, None);
    assert_eq!(config.upstream.url, None);
    assert_eq!(config.upstream.gateway_id, None);
    assert_eq!(config.upstream.max_batch_events, 500);
    assert_eq!(config.upstream.max_batch_bytes, 1 << 20);
    assert_eq!(firmware_config::DEFAULT_RETENTION_DAYS, 30);
}

#[test]
fn http_reaches_only_a_loopback_host() {
    let good = [
        "http://127.0.0.1:9100/b",
        "http://127.8.9.10/b",
        "http://[::1]:9100",
        "http://localhost:1/x",
        "https://hq.example.com",
        "https://10.0.0.5:8443/batches",
    ];
    let bad = [
        "http://hq.example.com/b",
        "http://10.0.0.5/b",
        "http://128.0.0.1/b",
        "ftp://127.0.0.1/b",
        "https://user@hq.example.com",
        "https://hq.example.com/b?x=1",
        "hq.example.com",
    ];
    let named = ["http:// only to 127.0.0.1, [::1] or localhost"];
    takes_only_its_form("upstream", "url", &good, &bad, &named);
}

#[test]
fn a_commands_url_needs_the_url() {
    let text = "[upstream]\ncommands_url = \"https://hq.example.com/commands\"\n";
    let errors = errors(text);
    assert_eq!(lines_of(&errors), [Some(2)]);
    assert_eq!(
        messages_of(&errors),
        [
            "upstream.commands_url = \"https://hq.example.com/commands\": needs upstream.url too \
          (commands come from the headquarters events are synced to)"
        ]
    );
}

#[test]
fn out_of_range_and_malformed_upstream_values_are_each_named() {
    let text = "\
[store]
retention_days = 3651

[upstream]
gateway_id = \"shop 1\"
max_batch_events = 0
max_batch_bytes = \"17MiB\"
";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "store.retention_days",
            "upstream.gateway_id",
            "upstream.max_batch_events",
            "upstream.max_batch_bytes"
        ]
    );
    assert_eq!(lines_of(&errors), [2, 5, 6, 7].map(Some), "{errors}");
    let messages = messages_of(&errors);
    assert_eq!(
        messages[0],
        "store.retention_days = 3651: must be between 0 and 3650 (days; 0 prunes as soon as \
         headquarters acknowledged)"
    );
    assert!(messages[1].contains("letters, digits"), "{}", messages[1]);
    let long = "g".repeat(65);
    let (key, kind) = only_kind(&format!("[upstream]\ngateway_id = \"{long}\"\n"));
    assert_eq!(key, "upstream.gateway_id");
    assert_eq!(
        kind,
        ProblemKind::TooLong {
            len: 65,
            capacity: 64
        }
    );
}

#[test]
fn two_upstream_secret_sources_are_refused_without_showing_either() {
    let text = format!("[upstream]\nsecret = \"{SECRET}\"\nsecret_env = \"HQ\"\n");
    let (key, kind) = only_kind(&text);
    assert_eq!(key, "upstream.secret_env");
    assert_eq!(
        kind,
        ProblemKind::ConflictingSources {
            other: KeyPath::new("upstream.secret"),
            unset: Some("nothing is synced (upstream.url needs one)"),
        }
    );
    let message = errors(&text).to_string();
    assert!(!message.contains(SECRET), "{message}");
}

#[test]
fn repeated_ids_and_shortcuts_are_reported_at_their_lines() {
    let text = "\
[[canned_responses]]
id = \"greet\"
shortcut = \"/hi\"
body = \"Hello\"

[[canned_responses]]
id = \"greet\"
shortcut = \"/hi\"
body = \"Hi again\"

[[articles]]
id = \"faq\"
title = \"FAQ\"
body = \"...\"

[[articles]]
id = \"faq\"
title = \"FAQ 2\"
body = \"...\"
";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "canned_responses[1].id",
            "canned_responses[1].shortcut",
            "articles[1].id"
        ]
    );
    assert_eq!(lines_of(&errors), [7, 8, 17].map(Some), "{errors}");
    let messages = messages_of(&errors);
    assert_eq!(
        messages[0],
        "canned_responses[1].id = \"greet\": repeats canned_responses[0].id (each canned \
         response has an id of its own)"
    );
    assert!(
        messages[2].contains("repeats articles[0].id"),
        "{}",
        messages[2]
    );
}

#[test]
fn canned_responses_and_articles_have_their_forms_and_sizes() {
    let text = format!(
        "\
[[canned_responses]]
id = \"\"
shortcut = \"two words\"
body = \"{}\"

[[articles]]
id = \"a/b\"
title = \"{}\"
body = \"x\"
link = \"javascript:alert(1)\"
",
        "b".repeat(1025),
        "t".repeat(201)
    );
    let found = errors(&text);
    assert_eq!(
        paths_of(&found),
        [
            "canned_responses[0].id",
            "canned_responses[0].shortcut",
            "canned_responses[0].body",
            "articles[0].id",
            "articles[0].title",
            "articles[0].link"
        ]
    );
    let missing = errors("[[articles]]\nid = \"x\"\n");
    assert_eq!(
        paths_of(&missing),
        ["articles[0].title", "articles[0].body"]
    );
    let too_many: String = (0..=firmware_config::MAX_ARTICLES)
        .map(|index| format!("[[articles]]\nid = \"a{index}\"\ntitle = \"t\"\nbody = \"b\"\n"))
        .collect();
    let (key, kind) = only_kind(&too_many);
    assert_eq!(key, "articles");
    assert!(matches!(kind, ProblemKind::TooMany { .. }), "{kind:?}");
}
