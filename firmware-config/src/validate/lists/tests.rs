//! Validation of the chat settings and the arrays: the boundaries to the second, forms,
//! uniqueness across entries, and key paths that name the entry.

use super::*;
use crate::chat_settings::Department;
use crate::config::{EnvName, Path};
use crate::template_settings::{Template, TemplateCategory, TemplateStatus};
use crate::{Operator, Problems};

fn problems(config: &Config) -> Vec<String> {
    config
        .validate()
        .err()
        .map(|problems: Problems| problems.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

fn paths(config: &Config) -> Vec<String> {
    config
        .validate()
        .err()
        .map(|problems| {
            problems
                .iter()
                .map(|problem| problem.path().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn department(name: &str, numbers: &[&str]) -> Department {
    Department {
        name: name.try_into().unwrap(),
        numbers: numbers.iter().map(|n| (*n).try_into().unwrap()).collect(),
    }
}

fn template(name: &str, language: &str) -> Template {
    Template {
        name: name.try_into().unwrap(),
        language: language.try_into().unwrap(),
        category: TemplateCategory::Utility,
        parameters: 1,
        status: TemplateStatus::Approved,
    }
}

fn operator(name: &str, token: OperatorToken) -> Operator {
    Operator {
        name: name.try_into().unwrap(),
        token,
    }
}

#[test]
fn unattended_close_fifteen_minutes_accepted_and_14m59s_refused() {
    let mut config = Config::default();
    config.chat.unattended_close_seconds = 15 * 60;
    assert_eq!(config.validate(), Ok(()));
    config.chat.unattended_close_seconds = 14 * 60 + 59;
    assert_eq!(
        problems(&config),
        [
            "chat.unattended_close_seconds = 899: must be between 900 and 2678400 \
          (seconds; 15 minutes to 31 days)"
        ]
    );
    config.chat.unattended_close_seconds = 31 * 24 * 3600;
    assert_eq!(config.validate(), Ok(()));
    config.chat.unattended_close_seconds += 1;
    assert_eq!(paths(&config), [keys::CHAT_UNATTENDED_CLOSE_SECONDS]);
}

#[test]
fn idle_close_exactly_24_hours_accepted_and_one_second_more_refused() {
    let mut config = Config::default();
    config.chat.idle_close_seconds = 24 * 3600;
    config.chat.bot_idle_close_seconds = 24 * 3600;
    assert_eq!(config.validate(), Ok(()));
    config.chat.idle_close_seconds = 24 * 3600 + 1;
    config.chat.bot_idle_close_seconds = 24 * 3600 + 1;
    assert_eq!(
        paths(&config),
        [
            keys::CHAT_IDLE_CLOSE_SECONDS,
            keys::CHAT_BOT_IDLE_CLOSE_SECONDS
        ]
    );
    assert!(
        problems(&config)[0]
            .starts_with("chat.idle_close_seconds = 86401: must be between 60 and 86400")
    );
}

#[test]
fn profanity_limit_and_word_lists() {
    let mut config = Config::default();
    config.chat.profanity_limit = 0;
    let en = Path::try_from("/etc/waygate/profanity/en.txt").unwrap();
    config.chat.profanity_word_lists.push(en.clone()).unwrap();
    config.chat.profanity_word_lists.push(Path::new()).unwrap();
    config.chat.profanity_word_lists.push(en).unwrap();
    assert_eq!(
        problems(&config),
        [
            "chat.profanity_limit = 0: must be between 1 and 100 (offensive words per chat; \
             the chat closes when it reaches the limit)",
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
            "departments[2].name = \"support\": repeats departments[0].name \
             (department names are unique)",
            "departments[3].name = \" \": must not be empty",
        ]
    );
    assert_eq!(
        config.validate().unwrap_err().as_slice()[0].key(),
        keys::DEPARTMENT_NAME
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
            "departments[1].numbers[1]",
            "departments[2].numbers[0]",
            "departments[2].numbers[1]",
            "departments[2].numbers[3]",
        ]
    );
    let text = problems(&config);
    assert_eq!(
        text[0],
        "departments[1].numbers[1] = \"222\": repeats departments[0].numbers[1] \
         (a business number is listed once, in one department)"
    );
    assert!(text[2].contains("must be a phone_number_id"), "{}", text[2]);
    assert!(
        text[3].contains("repeats departments[2].numbers[2]"),
        "{}",
        text[3]
    );
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
            "templates[2]",
            "templates[3].name",
            "templates[4].language",
            "templates[5].name",
        ]
    );
    let text = problems(&config);
    assert_eq!(
        text[0],
        "templates[1].parameters = 21: must be between 0 and 20 (body parameters)"
    );
    assert_eq!(
        text[1],
        "templates[2] = (\"order_update\", \"en_US\"): repeats templates[0] \
         (a name and language pair is registered once)"
    );
    assert!(
        text[2].contains("lowercase letters, digits and underscores"),
        "{}",
        text[2]
    );
    assert!(text[3].contains("like \"en\" or \"en_US\""), "{}", text[3]);
    assert!(text[4].ends_with("must not be empty"), "{}", text[4]);
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
    assert_eq!(
        paths(&config),
        [
            "operators[1].name",
            "operators[2].token_sha256",
            "operators[3].token_env",
            "operators[4].token_file",
            "operators[5].name",
        ]
    );
    let text = problems(&config);
    assert_eq!(
        text[1],
        "operators[2].token_sha256 = <redacted>: repeats operators[0].token_sha256 \
         (each operator has a token of their own)"
    );
    let all = text.join("\n");
    assert!(!all.to_lowercase().contains("5a5a"), "{all}");
    assert!(
        !format!("{config:?}").contains("90, 90"),
        "the digest is 0x5a = 90"
    );
}

#[test]
fn a_full_set_of_lists_is_valid() {
    let mut config = Config::default();
    for index in 0..crate::MAX_DEPARTMENTS {
        let name = format!("department {index}");
        let number = format!("{}", 1_000 + index);
        config
            .departments
            .push(department(&name, &[number.as_str()]))
            .unwrap();
    }
    for index in 0..crate::MAX_TEMPLATES {
        config
            .templates
            .push(template(&format!("t_{index}"), "en"))
            .unwrap();
    }
    for index in 0..crate::MAX_OPERATORS {
        let token = OperatorToken::Sha256([u8::try_from(index).unwrap(); 32]);
        config
            .operators
            .push(operator(&format!("operator {index}"), token))
            .unwrap();
    }
    assert_eq!(config.validate(), Ok(()));
}
