//! The chat settings' lists and the arrays of tables: forms, uniqueness across entries, and key
//! paths that name the entry.

use firmware_config::{
    Config, EnvName, MAX_DEPARTMENTS, MAX_OPERATORS, MAX_TEMPLATES, OperatorToken, Path,
    SecretSource,
};

use crate::{department, operator, paths, problems, template};

#[test]
fn profanity_word_lists_are_not_empty_and_listed_once() {
    let mut config = Config::default();
    let en = Path::try_from("/etc/waygate/profanity/en.txt").unwrap();
    config.chat.profanity_word_lists.push(en.clone()).unwrap();
    config.chat.profanity_word_lists.push(Path::new()).unwrap();
    config.chat.profanity_word_lists.push(en).unwrap();
    assert_eq!(
        problems(&config),
        [
            "chat.profanity_word_lists[1] = \"\": must not be empty",
            "chat.profanity_word_lists[2] = \"/etc/waygate/profanity/en.txt\": repeats \
             chat.profanity_word_lists[0] (each file is listed once)",
        ]
    );
}

#[test]
fn department_names_are_unique_and_not_blank() {
    let mut config = Config::default();
    config.departments.extend([
        department("support", &[]),
        department("sales", &[]),
        department("support", &[]),
        department(" ", &[]),
    ]);
    assert_eq!(
        problems(&config),
        [
            "departments[3].name = \" \": must not be empty",
            "departments[2].name = \"support\": repeats departments[0].name \
             (department names are unique)",
        ]
    );
    let problems = config.validate().unwrap_err();
    assert!(
        problems
            .iter()
            .all(|problem| problem.path().pattern() == "departments[].name")
    );
}

#[test]
fn a_number_belongs_to_at_most_one_department() {
    let mut config = Config::default();
    config.departments.extend([
        department("support", &["111", "222"]),
        department("sales", &["333", "222"]),
        department("billing", &["333", "+15551234567", "444", "444"]),
    ]);
    assert_eq!(
        paths(&config),
        [
            "departments[2].numbers[1]",
            "departments[1].numbers[1]",
            "departments[2].numbers[0]",
            "departments[2].numbers[3]",
        ]
    );
    let text = problems(&config);
    assert!(text[0].contains("must be a phone_number_id"), "{}", text[0]);
    assert_eq!(
        text[1],
        "departments[1].numbers[1] = \"222\": repeats departments[0].numbers[1] \
         (a business number is listed once, in one department)"
    );
    assert!(
        text[3].contains("repeats departments[2].numbers[2]"),
        "{}",
        text[3]
    );
    assert_eq!(
        config.department_of("222").map(|d| d.name.as_str()),
        Some("support"),
        "the first department listing a number has it"
    );
    assert_eq!(config.department_of("999"), None);
    assert_eq!(config.department_of(""), None);
}

#[test]
fn templates_have_a_meta_name_a_language_and_a_unique_pair() {
    let mut config = Config::default();
    config.templates.extend([
        template("order_update", "en_US"),
        template("order_update", "pt_BR"),
        template("order_update", "en_US"),
        template("Order-Update", "en"),
        template("x", "e"),
        template("", "en"),
    ]);
    config.templates[1].parameters = 21;
    assert_eq!(
        paths(&config),
        [
            "templates[1].parameters",
            "templates[3].name",
            "templates[4].language",
            "templates[5].name",
            "templates[2]",
        ]
    );
    let text = problems(&config);
    assert_eq!(
        text[0],
        "templates[1].parameters = 21: must be between 0 and 20 (body parameters)"
    );
    assert!(
        text[1].contains("lowercase letters, digits and underscores"),
        "{}",
        text[1]
    );
    assert!(text[2].contains("like \"en\" or \"en_US\""), "{}", text[2]);
    assert!(text[3].ends_with("must not be empty"), "{}", text[3]);
    assert_eq!(
        text[4],
        "templates[2] = (\"order_update\", \"en_US\"): repeats templates[0] \
         (a name and language pair is registered once)"
    );
}

#[test]
fn template_names_and_language_codes_follow_metas_rules() {
    for (name, ok) in [
        ("order_update", true),
        ("a", true),
        ("x_2", true),
        ("0", true),
        ("Order", false),
        ("order-update", false),
        ("order update", false),
        ("ordér", false),
    ] {
        let mut config = Config::default();
        config.templates.push(template(name, "en")).unwrap();
        assert_eq!(config.validate().is_ok(), ok, "{name:?}");
    }
    for (language, ok) in [
        ("en", true),
        ("en_US", true),
        ("fil", true),
        ("zh_HK", true),
        ("e", false),
        ("en-US", false),
        ("_en", false),
        ("en_US1", false),
        ("é", false),
    ] {
        let mut config = Config::default();
        config.templates.push(template("t", language)).unwrap();
        assert_eq!(config.validate().is_ok(), ok, "{language:?}");
    }
}

#[test]
fn operators_have_unique_names_and_tokens_and_digests_never_print() {
    let digest = [0x5a; 32];
    let mut config = Config::default();
    config.operators.extend([
        operator("kiosk", OperatorToken::Sha256(digest)),
        operator("kiosk", OperatorToken::Sha256([1; 32])),
        operator("hq", OperatorToken::Sha256(digest)),
        operator(
            "night",
            OperatorToken::Env(EnvName::try_from("A=B").unwrap()),
        ),
        operator("day", OperatorToken::File(Path::new())),
        operator("", OperatorToken::File("/run/kiosk".try_into().unwrap())),
    ]);
    let mut found = paths(&config);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "operators[1].name",
            "operators[2].token_sha256",
            "operators[3].token_env",
            "operators[4].token_file",
            "operators[5].name",
        ]
    );
    let text = problems(&config);
    assert!(
        text.contains(
            &"operators[2].token_sha256 = <redacted>: repeats operators[0].token_sha256 \
              (each operator has a token of their own)"
                .to_owned()
        ),
        "{text:?}"
    );
    let all = text.join("\n");
    assert!(!all.to_lowercase().contains("5a5a"), "{all}");
    assert!(
        !format!("{config:?}").contains("90, 90"),
        "the digest is 0x5a = 90"
    );
}

#[test]
fn only_clear_tokens_have_a_source_to_read() {
    let token = OperatorToken::Sha256([0xab; 32]);
    assert_eq!(format!("{token:?}"), "Sha256(<redacted>)");
    assert_eq!(token.clear_source(), None);
    let env = OperatorToken::Env(EnvName::try_from("KIOSK_TOKEN").unwrap());
    assert_eq!(
        env.clear_source(),
        Some(SecretSource::Env(EnvName::try_from("KIOSK_TOKEN").unwrap()))
    );
}

#[test]
fn a_full_set_of_lists_is_valid() {
    let mut config = Config::default();
    for index in 0..MAX_DEPARTMENTS {
        let name = format!("department {index}");
        let number = format!("{}", 1_000 + index);
        config
            .departments
            .push(department(&name, &[number.as_str()]))
            .unwrap();
    }
    for index in 0..MAX_TEMPLATES {
        config
            .templates
            .push(template(&format!("t_{index}"), "en"))
            .unwrap();
    }
    for index in 0..MAX_OPERATORS {
        let token = OperatorToken::Sha256([u8::try_from(index).unwrap(); 32]);
        config
            .operators
            .push(operator(&format!("operator {index}"), token))
            .unwrap();
    }
    assert_eq!(config.validate(), Ok(()));
}
