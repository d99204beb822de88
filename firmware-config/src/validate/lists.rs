//! Checks of the chat settings and the arrays (departments, templates, operators): ranges,
//! forms, and uniqueness across entries. Each duplicate is reported once, at the later entry,
//! naming the first.

use super::{in_range, in_range_at, is_env_name, non_empty_path};
use crate::config::Config;
use crate::key_path::KeyPath;
use crate::keys;
use crate::limits;
use crate::operator_settings::OperatorToken;
use crate::problem::{Problem, ProblemKind};
use crate::shown_value::ShownValue;
use crate::template_settings::{is_language_code, is_template_name};

const PHONE_NUMBER_ID_FORM: &str = "a phone_number_id: Meta's numeric id of the business \
                                    number (digits only), not the phone number itself";
const TEMPLATE_NAME_FORM: &str = "lowercase letters, digits and underscores (Meta's rule for \
                                  template names)";
const LANGUAGE_FORM: &str = "a language code of 2 to 16 letters and underscores, like \"en\" \
                             or \"en_US\"";

impl Config {
    pub(super) fn check_chat(&self, report: &mut impl FnMut(Problem)) {
        let chat = &self.chat;
        let ranges = [
            (
                &limits::CHAT_UNATTENDED_CLOSE_SECONDS,
                chat.unattended_close_seconds,
            ),
            (&limits::CHAT_IDLE_CLOSE_SECONDS, chat.idle_close_seconds),
            (
                &limits::CHAT_BOT_IDLE_CLOSE_SECONDS,
                chat.bot_idle_close_seconds,
            ),
            (&limits::CHAT_PROFANITY_LIMIT, chat.profanity_limit),
        ];
        for (limit, value) in ranges {
            in_range(limit, value, report);
        }
        let lists = &chat.profanity_word_lists;
        for (index, file) in lists.iter().enumerate() {
            let path = KeyPath::new(keys::CHAT_PROFANITY_WORD_LIST).at(index);
            non_empty_path(path, file, report);
            if let Some(first) = lists[..index]
                .iter()
                .position(|other| !file.is_empty() && other == file)
            {
                report(Problem::at(
                    path,
                    ShownValue::quoted(file),
                    ProblemKind::Duplicate {
                        first: KeyPath::new(keys::CHAT_PROFANITY_WORD_LIST).at(first),
                        rule: "each file is listed once",
                    },
                ));
            }
        }
    }

    pub(super) fn check_departments(&self, report: &mut impl FnMut(Problem)) {
        let departments = &self.departments;
        for (index, department) in departments.iter().enumerate() {
            let name_path = KeyPath::new(keys::DEPARTMENT_NAME).at(index);
            let name = &department.name;
            if name.trim().is_empty() {
                report(Problem::at(
                    name_path,
                    ShownValue::quoted(name),
                    ProblemKind::Empty,
                ));
            } else if let Some(first) = departments[..index]
                .iter()
                .position(|other| other.name == *name)
            {
                report(Problem::at(
                    name_path,
                    ShownValue::quoted(name),
                    ProblemKind::Duplicate {
                        first: KeyPath::new(keys::DEPARTMENT_NAME).at(first),
                        rule: "department names are unique",
                    },
                ));
            }
            for (slot, number) in department.numbers.iter().enumerate() {
                let path = KeyPath::new(keys::DEPARTMENT_NUMBER).at(index).at(slot);
                if !is_phone_number_id(number) {
                    report(Problem::at(
                        path,
                        ShownValue::quoted(number),
                        ProblemKind::BadFormat {
                            expected: PHONE_NUMBER_ID_FORM,
                        },
                    ));
                } else if let Some((first_index, first_slot)) = self.first_number(number)
                    && (first_index, first_slot) != (index, slot)
                {
                    report(Problem::at(
                        path,
                        ShownValue::quoted(number),
                        ProblemKind::Duplicate {
                            first: KeyPath::new(keys::DEPARTMENT_NUMBER)
                                .at(first_index)
                                .at(first_slot),
                            rule: "a business number is listed once, in one department",
                        },
                    ));
                }
            }
        }
    }

    /// The department and slot where `number` is first listed.
    fn first_number(&self, number: &str) -> Option<(usize, usize)> {
        self.departments
            .iter()
            .enumerate()
            .find_map(|(index, department)| {
                let slot = department.numbers.iter().position(|n| n == number)?;
                Some((index, slot))
            })
    }

    pub(super) fn check_templates(&self, report: &mut impl FnMut(Problem)) {
        let templates = &self.templates;
        for (index, template) in templates.iter().enumerate() {
            let item = KeyPath::new(keys::TEMPLATE).at(index);
            let name = &template.name;
            let name_ok = is_template_name(name);
            if name.is_empty() {
                report(Problem::at(
                    item.with_pattern(keys::TEMPLATE_NAME),
                    ShownValue::quoted(name),
                    ProblemKind::Empty,
                ));
            } else if !name_ok {
                report(Problem::at(
                    item.with_pattern(keys::TEMPLATE_NAME),
                    ShownValue::quoted(name),
                    ProblemKind::BadFormat {
                        expected: TEMPLATE_NAME_FORM,
                    },
                ));
            }
            let language = &template.language;
            let language_ok = is_language_code(language);
            if !language_ok {
                report(Problem::at(
                    item.with_pattern(keys::TEMPLATE_LANGUAGE),
                    ShownValue::quoted(language),
                    ProblemKind::BadFormat {
                        expected: LANGUAGE_FORM,
                    },
                ));
            }
            in_range_at(
                &limits::TEMPLATE_PARAMETERS,
                item.with_pattern(keys::TEMPLATE_PARAMETERS),
                template.parameters,
                report,
            );
            let same_pair = |other: &crate::Template| {
                other.name == template.name && other.language == template.language
            };
            if name_ok
                && language_ok
                && let Some(first) = templates[..index].iter().position(same_pair)
            {
                report(Problem::at(
                    item,
                    ShownValue::display(format_args!("({:?}, {:?})", name, language)),
                    ProblemKind::Duplicate {
                        first: KeyPath::new(keys::TEMPLATE).at(first),
                        rule: "a name and language pair is registered once",
                    },
                ));
            }
        }
    }

    pub(super) fn check_operators(&self, report: &mut impl FnMut(Problem)) {
        let operators = &self.operators;
        for (index, operator) in operators.iter().enumerate() {
            let item = KeyPath::new(keys::OPERATOR).at(index);
            let name = &operator.name;
            if name.trim().is_empty() {
                report(Problem::at(
                    item.with_pattern(keys::OPERATOR_NAME),
                    ShownValue::quoted(name),
                    ProblemKind::Empty,
                ));
            } else if let Some(first) = operators[..index]
                .iter()
                .position(|other| other.name == *name)
            {
                report(Problem::at(
                    item.with_pattern(keys::OPERATOR_NAME),
                    ShownValue::quoted(name),
                    ProblemKind::Duplicate {
                        first: KeyPath::new(keys::OPERATOR_NAME).at(first),
                        rule: "operator names are unique",
                    },
                ));
            }
            let token_key = token_key(&operator.token);
            let token_path = item.with_pattern(token_key);
            let token_ok = match &operator.token {
                OperatorToken::Sha256(_) => true,
                OperatorToken::File(file) => {
                    non_empty_path(token_path, file, report);
                    !file.is_empty()
                }
                OperatorToken::Env(name) => {
                    let ok = is_env_name(name);
                    if !ok {
                        report(Problem::at(
                            token_path,
                            ShownValue::quoted(name),
                            ProblemKind::InvalidEnvName,
                        ));
                    }
                    ok
                }
            };
            if token_ok
                && let Some(first) = operators[..index]
                    .iter()
                    .position(|other| other.token == operator.token)
            {
                report(Problem::at(
                    token_path,
                    token_shown(&operator.token),
                    ProblemKind::Duplicate {
                        first: KeyPath::new(token_key).at(first),
                        rule: "each operator has a token of their own",
                    },
                ));
            }
        }
    }
}

/// The key of the token source `token` uses.
pub(crate) const fn token_key(token: &OperatorToken) -> &'static str {
    match token {
        OperatorToken::Sha256(_) => keys::OPERATOR_TOKEN_SHA256,
        OperatorToken::File(_) => keys::OPERATOR_TOKEN_FILE,
        OperatorToken::Env(_) => keys::OPERATOR_TOKEN_ENV,
    }
}

/// How a problem shows a token source: a digest never, a file or variable name as written.
fn token_shown(token: &OperatorToken) -> ShownValue {
    match token {
        OperatorToken::Sha256(_) => ShownValue::Redacted,
        OperatorToken::File(path) => ShownValue::quoted(path),
        OperatorToken::Env(name) => ShownValue::quoted(name),
    }
}

/// Whether `id` can be a `phone_number_id`: ASCII digits only, at least one.
pub(crate) fn is_phone_number_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
