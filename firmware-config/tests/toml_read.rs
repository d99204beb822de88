//! TOML in and out: defaults, a full file, files on disk, and `to_toml` reading back to the
//! same value.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Write as _;

use firmware_config::{
    Config, ConfigProblem, Department, EXIT_CONFIG, EnvName, LogFormat, Operator, OperatorToken,
    Path, SecretSource, Template, TemplateCategory, TemplateStatus, parse_toml,
};

const SECRET: &str = "hunter2-d0-not-print";

#[test]
fn an_empty_file_is_the_defaults() {
    assert_eq!(parse_toml(""), Ok(Config::default()));
    assert_eq!(
        parse_toml("# nothing\n\n[public]\n[store]\n"),
        Ok(Config::default())
    );
}

#[test]
fn a_full_file_sets_every_key() {
    let text = r#"
        data_dir = "/var/lib/waygate"

        [public]
        listen = "0.0.0.0:443"
        tls_cert = "/etc/waygate/cert.pem"
        tls_key = "/etc/waygate/key.pem"
        max_connections = 2048
        max_body_bytes = 1_048_576
        header_read_timeout_ms = 5000
        body_read_timeout_ms = 20000
        tls_handshake_timeout_ms = 7000
        http2_max_concurrent_streams = 100

        [local]
        listen = "[::1]:8080"

        [meta]
        app_secret_file = "/run/secrets/app_secret"
        verify_token_env = "WAYGATE_VERIFY_TOKEN"

        [store]
        quota_bytes = 8_589_934_592
        dedupe_retention_hours = 336
        dedupe_max_entries = 5_000_000
        cache_bytes = 16_777_216
        max_batch = 128

        [shutdown]
        grace_ms = 30000

        [log]
        format = "json"
        filter = "waygate=debug,info"

        [chat]
        unattended_close_seconds = 900
        idle_close_seconds = 86_400
        bot_enabled = true
        bot_idle_close_seconds = 300
        profanity_limit = 5
        profanity_word_lists = ["/etc/waygate/profanity/en.txt", "/etc/waygate/profanity/fr.txt"]
        strict_order = true

        [[departments]]
        name = "support"
        numbers = ["106540352242922"]

        [[departments]]
        name = "sales"

        [[templates]]
        name = "order_update"
        language = "en_US"
        category = "utility"
        parameters = 2
        status = "approved"

        [[templates]]
        name = "order_update"
        language = "pt_BR"
        category = "marketing"

        [[operators]]
        name = "kiosk"
        token_sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

        [[operators]]
        name = "hq"
        token_file = "/run/secrets/hq_token"

        [[operators]]
        name = "night shift"
        token_env = "NIGHT_TOKEN"
    "#;
    let config = parse_toml(text).unwrap();
    assert_eq!(config.data_dir, "/var/lib/waygate");
    assert_eq!(config.public.listen, "0.0.0.0:443".parse().unwrap());
    assert_eq!(
        config.public.tls_cert.as_deref(),
        Some("/etc/waygate/cert.pem")
    );
    assert_eq!(
        config.public.tls_key.as_deref(),
        Some("/etc/waygate/key.pem")
    );
    assert_eq!(config.public.max_connections, 2048);
    assert_eq!(config.public.max_body_bytes, 1_048_576);
    assert_eq!(config.public.header_read_timeout_ms, 5000);
    assert_eq!(config.public.body_read_timeout_ms, 20_000);
    assert_eq!(config.public.tls_handshake_timeout_ms, 7000);
    assert_eq!(config.public.http2_max_concurrent_streams, 100);
    assert_eq!(config.local.listen, "[::1]:8080".parse().unwrap());
    assert_eq!(
        config.meta.app_secret,
        SecretSource::File(Path::try_from("/run/secrets/app_secret").unwrap())
    );
    assert_eq!(
        config.meta.verify_token,
        SecretSource::Env(EnvName::try_from("WAYGATE_VERIFY_TOKEN").unwrap())
    );
    assert_eq!(config.store.quota_bytes, 8 << 30);
    assert_eq!(config.store.dedupe_retention_hours, 336);
    assert_eq!(config.store.dedupe_max_entries, 5_000_000);
    assert_eq!(config.store.cache_bytes, 16 << 20);
    assert_eq!(config.store.max_batch, 128);
    assert_eq!(config.shutdown.grace_ms, 30_000);
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.log.filter, "waygate=debug,info");

    let chat = &config.chat;
    assert_eq!(chat.unattended_close_seconds, 900);
    assert_eq!(chat.idle_close_seconds, 86_400);
    assert!(chat.bot_enabled);
    assert_eq!(chat.bot_idle_close_seconds, 300);
    assert_eq!(chat.profanity_limit, 5);
    assert_eq!(
        chat.profanity_word_lists,
        [
            "/etc/waygate/profanity/en.txt",
            "/etc/waygate/profanity/fr.txt"
        ]
    );
    assert!(chat.strict_order);

    assert_eq!(config.departments.len(), 2);
    assert_eq!(config.departments[0].name, "support");
    assert_eq!(config.departments[0].numbers, ["106540352242922"]);
    assert!(config.departments[1].numbers.is_empty());
    assert_eq!(
        config
            .department_of("106540352242922")
            .map(|d| d.name.as_str()),
        Some("support")
    );

    assert_eq!(
        config.templates[0],
        Template {
            name: "order_update".try_into().unwrap(),
            language: "en_US".try_into().unwrap(),
            category: TemplateCategory::Utility,
            parameters: 2,
            status: TemplateStatus::Approved,
        }
    );
    let second = &config.templates[1];
    assert_eq!(second.category, TemplateCategory::Marketing);
    assert_eq!(second.parameters, 0, "the default");
    assert_eq!(second.status, TemplateStatus::Pending, "the default");

    let digest = match &config.operators[0].token {
        OperatorToken::Sha256(digest) => *digest,
        other => panic!("expected a digest, got {other:?}"),
    };
    assert_eq!(digest[..4], [0x9f, 0x86, 0xd0, 0x81]);
    assert_eq!(digest[31], 0x08);
    assert_eq!(
        config.operators[1].token.clear_source(),
        Some(SecretSource::File(
            Path::try_from("/run/secrets/hq_token").unwrap()
        ))
    );
    assert_eq!(
        config.operators[2],
        Operator {
            name: "night shift".try_into().unwrap(),
            token: OperatorToken::Env("NIGHT_TOKEN".try_into().unwrap()),
        }
    );
}

#[test]
fn secret_sources_are_read() {
    let config = parse_toml(&format!("[meta]\napp_secret = \"{SECRET}\"")).unwrap();
    assert!(matches!(&config.meta.app_secret, SecretSource::Inline(s) if s == SECRET));
    assert_eq!(config.meta.verify_token, SecretSource::Generated);
}

#[test]
fn sizes_and_durations_read_in_the_settings_unit() {
    let text = r#"
        [public]
        max_body_bytes = "3MiB"
        idle_timeout_ms = "2min"
        inflight_body_bytes = "64 MiB"

        [store]
        quota_bytes = "2GiB"
        cache_bytes = "512KiB"
        dedupe_retention_hours = "8d"

        [shutdown]
        grace_ms = "15s"

        [chat]
        unattended_close_seconds = "15m"
        idle_close_seconds = "24h"
        bot_idle_close_seconds = "90s"
    "#;
    let config = parse_toml(text).unwrap();
    assert_eq!(config.public.max_body_bytes, 3 * 1024 * 1024);
    assert_eq!(config.public.idle_timeout_ms, 120_000);
    assert_eq!(config.public.inflight_body_bytes, 64 * 1024 * 1024);
    assert_eq!(config.store.quota_bytes, 2 * 1024 * 1024 * 1024);
    assert_eq!(config.store.cache_bytes, 512 * 1024);
    assert_eq!(config.store.dedupe_retention_hours, 192);
    assert_eq!(config.shutdown.grace_ms, 15_000);
    assert_eq!(config.chat.unattended_close_seconds, 900);
    assert_eq!(config.chat.idle_close_seconds, 86_400);
    assert_eq!(config.chat.bot_idle_close_seconds, 90);
    // Plain integers still count in the setting's own unit, and a unit the setting counts in
    // reads as that number.
    let plain =
        parse_toml("[shutdown]\ngrace_ms = 1500\n[chat]\nidle_close_seconds = \"3600s\"").unwrap();
    assert_eq!(plain.shutdown.grace_ms, 1_500);
    assert_eq!(plain.chat.idle_close_seconds, 3_600);
    // What is read is written back as a plain number, which reads the same.
    assert_eq!(parse_toml(&config.to_toml()), Ok(config));
}

/// A size in quotes without a unit counts bytes, as an integer does.
#[test]
fn a_quoted_size_without_a_unit_counts_bytes() {
    let config = parse_toml("[store]\nquota_bytes = \"2_147_483_648\"").unwrap();
    assert_eq!(config.store.quota_bytes, 2 << 30);
}

#[test]
fn choices_read_in_any_case_and_write_lowercase() {
    let text = r#"
        [log]
        format = "JSON"

        [[templates]]
        name = "order_update"
        language = "en_US"
        category = "MARKETING"
        status = "APPROVED"

        [[templates]]
        name = "otp"
        language = "en"
        category = "Authentication"
        status = "Paused"
    "#;
    let config = parse_toml(text).unwrap();
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.templates[0].category, TemplateCategory::Marketing);
    assert_eq!(config.templates[0].status, TemplateStatus::Approved);
    assert_eq!(
        config.templates[1].category,
        TemplateCategory::Authentication
    );
    assert_eq!(config.templates[1].status, TemplateStatus::Paused);
    let written = config.to_toml();
    assert!(written.contains("format = \"json\""), "{written}");
    assert!(written.contains("category = \"marketing\""), "{written}");
    assert!(written.contains("status = \"approved\""), "{written}");
    assert!(
        !written.contains("JSON") && !written.contains("APPROVED"),
        "{written}"
    );
}

#[test]
fn choice_names_round_trip() {
    for format in LogFormat::ALL {
        assert_eq!(LogFormat::from_name(format.name()), Some(*format));
    }
    for category in TemplateCategory::ALL {
        assert_eq!(
            TemplateCategory::from_name(category.name()),
            Some(*category)
        );
    }
    for status in TemplateStatus::ALL {
        assert_eq!(TemplateStatus::from_name(status.name()), Some(*status));
        let upper = status.name().to_ascii_uppercase();
        assert_eq!(TemplateStatus::from_name(&upper), Some(*status));
    }
    assert_eq!(LogFormat::NAMES, ["text", "json"]);
    assert_eq!(TemplateCategory::NAMES.len(), 3);
    assert_eq!(TemplateStatus::NAMES.len(), 5);
    assert_eq!(LogFormat::from_name("jsonl"), None);
    assert_eq!(TemplateStatus::from_name(""), None);
}

#[test]
fn files_are_loaded_and_file_problems_name_the_path() {
    // Each call's result in a frame of its own: an unoptimized test frame keeps every
    // temporary, and a `Config` is some 130 KB.
    fn load_toml_file(path: &std::path::Path) -> Result<u32, firmware_config::ConfigErrors> {
        firmware_config::load_toml_file(path).map(|config| config.shutdown.grace_ms)
    }
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("waygate.toml");
    std::fs::write(&good, "[shutdown]\ngrace_ms = 1\n").unwrap();
    assert_eq!(load_toml_file(&good).unwrap(), 1);

    let missing = dir.path().join("missing.toml");
    let errors = load_toml_file(&missing).unwrap_err();
    assert_eq!(
        errors.problems(),
        [ConfigProblem::Unreadable {
            path: missing.clone(),
            kind: std::io::ErrorKind::NotFound
        }]
    );
    assert!(errors.to_string().contains("missing.toml"), "{errors}");

    let binary = dir.path().join("blob.bin");
    std::fs::write(&binary, [0x57, 0x47, 0xff, 0xfe]).unwrap();
    assert!(matches!(
        load_toml_file(&binary).unwrap_err().problems(),
        [ConfigProblem::NotUtf8 { .. }]
    ));

    let huge = dir.path().join("huge.toml");
    let mut file = std::fs::File::create(&huge).unwrap();
    let line = "# padding padding padding padding padding padding padding padding\n";
    for _ in 0..=firmware_config::MAX_CONFIG_FILE_BYTES / 64 {
        file.write_all(line.as_bytes()).unwrap();
    }
    drop(file);
    assert!(matches!(
        load_toml_file(&huge).unwrap_err().problems(),
        [ConfigProblem::TooLarge { .. }]
    ));

    let invalid = dir.path().join("invalid.toml");
    std::fs::write(&invalid, "[store]\nmax_batch = 0\n").unwrap();
    let errors = load_toml_file(&invalid).unwrap_err();
    assert_eq!(errors.paths().collect::<Vec<_>>(), ["store.max_batch"]);
}

#[test]
fn exit_status_for_invalid_files_is_ex_config() {
    assert_eq!(EXIT_CONFIG, 78);
}

fn tricky() -> Config {
    let mut config = Config {
        data_dir: Path::try_from("C:\\waygate \"data\" 'dir' é🙂").unwrap(),
        ..Config::default()
    };
    config.public.listen = "[fe80::1%7]:0".parse().unwrap();
    config.local.listen = "0.0.0.0:9090".parse().unwrap();
    config.public.tls_cert = Some(Path::try_from("'''").unwrap());
    config.public.tls_key = Some(Path::try_from("\"\"\"").unwrap());
    // Control characters belong in a secret, not a path: TOML must escape them either way.
    let secret = format!("{SECRET}\n\t\u{7f}\"");
    config.meta.app_secret = SecretSource::Inline(secret.as_str().try_into().unwrap());
    config.meta.verify_token = SecretSource::Env("TOKEN_VAR".try_into().unwrap());
    config.log.format = LogFormat::Json;
    config.log.filter = "a=info,waygate::store=TRACE,off".try_into().unwrap();
    config.store.quota_bytes = 1 << 40;
    let awkward = Path::try_from("C:\\lists\\\"en\".txt #[x]").unwrap();
    config.chat.profanity_word_lists.push(awkward).unwrap();
    config
        .chat
        .profanity_word_lists
        .push("'''".try_into().unwrap())
        .unwrap();
    let mut department = Department {
        name: "Ünterstützung \"24/7\" [[x]]".try_into().unwrap(),
        ..Department::default()
    };
    department.numbers.push("0".try_into().unwrap()).unwrap();
    config.departments.push(department).unwrap();
    config
        .departments
        .push(Department {
            name: "#".try_into().unwrap(),
            ..Department::default()
        })
        .unwrap();
    config
        .templates
        .push(Template {
            name: "_".try_into().unwrap(),
            language: "fil".try_into().unwrap(),
            category: TemplateCategory::Authentication,
            parameters: 20,
            status: TemplateStatus::Disabled,
        })
        .unwrap();
    config
        .operators
        .push(Operator {
            name: "= \"".try_into().unwrap(),
            token: OperatorToken::File("\\\"".try_into().unwrap()),
        })
        .unwrap();
    config
        .operators
        .push(Operator {
            name: "z".try_into().unwrap(),
            token: OperatorToken::Sha256([0; 32]),
        })
        .unwrap();
    config
}

/// `config` written as TOML reads back as itself. (Each configuration in a frame of its own:
/// a `Config` is some 130 KB, and an unoptimised frame holds several copies.)
fn reads_back(config: &Config) {
    assert_eq!(config.validate(), Ok(()));
    let text = config.to_toml();
    assert!(parse_toml(&text).as_ref() == Ok(config), "{text}");
}

#[test]
fn to_toml_reads_back_to_the_same_config() {
    reads_back(&Config::default());
    reads_back(&tricky());
}

#[test]
fn the_readme_example_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let length = readme[start..].find("```").unwrap();
    let config = parse_toml(&readme[start..start + length]).unwrap();
    assert_eq!(config.store.quota_bytes, 8 << 30);
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.chat.unattended_close_seconds, 1800);
    assert_eq!(config.departments.len(), 2);
    assert_eq!(config.templates.len(), 1);
    assert_eq!(config.operators.len(), 2);
}
