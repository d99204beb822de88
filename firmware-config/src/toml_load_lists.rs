//! TOML in for the chat settings and the arrays of tables: `[chat]`, `[[departments]]`,
//! `[[templates]]` and `[[operators]]`.
//!
//! An entry keeps its index even when it cannot be read: a field that is missing or wrong is
//! reported, replaced by a placeholder and covered, so validation does not report the
//! placeholder again.

use toml::Table;

use crate::chat_settings::{ChatSettings, Department, MAX_DEPARTMENTS, MAX_PROFANITY_WORD_LISTS};
use crate::config::{Config, ENV_NAME_CAPACITY, PATH_CAPACITY};
use crate::key_path::KeyPath;
use crate::keys;
use crate::limits;
use crate::operator_settings::{MAX_OPERATORS, Operator, OperatorToken, sha256_from_hex};
use crate::problem::{Problem, ProblemKind};
use crate::shown_value::ShownValue;
use crate::template_settings::{MAX_TEMPLATES, Template, TemplateCategory, TemplateStatus};
use crate::toml_fields::FieldReader;

const SHA256_FORM: &str = "64 hexadecimal digits: the SHA-256 of the bearer token, never the \
                           token itself";

/// Reads `[chat]` and the arrays of tables of `root` into `config`.
pub(crate) fn read_lists(reader: &mut FieldReader, root: &Table, config: &mut Config) {
    if let Some(table) = reader.table(root, keys::CHAT, keys::CHAT_KEYS) {
        read_chat(reader, table, &mut config.chat);
    }
    let departments = reader.array_of_tables(root, keys::DEPARTMENTS, MAX_DEPARTMENTS);
    for (index, value) in departments.iter().enumerate() {
        let entry = KeyPath::new(keys::DEPARTMENT).at(index);
        let department = reader
            .entry_table(value, entry, keys::DEPARTMENTS, keys::DEPARTMENT_KEYS)
            .map(|table| read_department(reader, table, entry));
        // At most MAX_DEPARTMENTS entries are read, so every push succeeds.
        let _fits = config
            .departments
            .push(department.unwrap_or_else(|| placeholder(reader, entry, Department::default)));
    }
    let templates = reader.array_of_tables(root, keys::TEMPLATES, MAX_TEMPLATES);
    for (index, value) in templates.iter().enumerate() {
        let entry = KeyPath::new(keys::TEMPLATE).at(index);
        let template = reader
            .entry_table(value, entry, keys::TEMPLATES, keys::TEMPLATE_KEYS)
            .map(|table| read_template(reader, table, entry));
        let _fits = config
            .templates
            .push(template.unwrap_or_else(|| placeholder(reader, entry, placeholder_template)));
    }
    let operators = reader.array_of_tables(root, keys::OPERATORS, MAX_OPERATORS);
    for (index, value) in operators.iter().enumerate() {
        let entry = KeyPath::new(keys::OPERATOR).at(index);
        let operator = reader
            .entry_table(value, entry, keys::OPERATORS, keys::OPERATOR_KEYS)
            .map(|table| read_operator(reader, table, entry));
        let _fits = config
            .operators
            .push(operator.unwrap_or_else(|| placeholder(reader, entry, placeholder_operator)));
    }
}

fn read_chat(reader: &mut FieldReader, table: &Table, chat: &mut ChatSettings) {
    let numbers = [
        (
            &limits::CHAT_UNATTENDED_CLOSE_SECONDS,
            &mut chat.unattended_close_seconds,
        ),
        (
            &limits::CHAT_IDLE_CLOSE_SECONDS,
            &mut chat.idle_close_seconds,
        ),
        (
            &limits::CHAT_BOT_IDLE_CLOSE_SECONDS,
            &mut chat.bot_idle_close_seconds,
        ),
        (&limits::CHAT_PROFANITY_LIMIT, &mut chat.profanity_limit),
    ];
    for (limit, field) in numbers {
        if let Some(value) = reader.integer(table, limit) {
            *field = value;
        }
    }
    if let Some(enabled) = reader.boolean(table, keys::CHAT_BOT_ENABLED) {
        chat.bot_enabled = enabled;
    }
    if let Some(files) = reader.text_list::<PATH_CAPACITY, MAX_PROFANITY_WORD_LISTS>(
        table,
        KeyPath::new(keys::CHAT_PROFANITY_WORD_LISTS),
        keys::CHAT_PROFANITY_WORD_LIST,
    ) {
        chat.profanity_word_lists = files;
    }
    if let Some(strict) = reader.boolean(table, keys::CHAT_STRICT_ORDER) {
        chat.strict_order = strict;
    }
}

fn read_department(reader: &mut FieldReader, table: &Table, entry: KeyPath) -> Department {
    let name_path = entry.with_pattern(keys::DEPARTMENT_NAME);
    Department {
        name: required(reader, table, name_path, |reader| {
            reader.text(table, name_path)
        })
        .unwrap_or_default(),
        numbers: reader
            .text_list(
                table,
                entry.with_pattern(keys::DEPARTMENT_NUMBERS),
                keys::DEPARTMENT_NUMBER,
            )
            .unwrap_or_default(),
    }
}

fn read_template(reader: &mut FieldReader, table: &Table, entry: KeyPath) -> Template {
    let at = |pattern| entry.with_pattern(pattern);
    let mut template = placeholder_template();
    if let Some(name) = required(reader, table, at(keys::TEMPLATE_NAME), |reader| {
        reader.text(table, at(keys::TEMPLATE_NAME))
    }) {
        template.name = name;
    }
    if let Some(language) = required(reader, table, at(keys::TEMPLATE_LANGUAGE), |reader| {
        reader.text(table, at(keys::TEMPLATE_LANGUAGE))
    }) {
        template.language = language;
    }
    if let Some(category) = required(reader, table, at(keys::TEMPLATE_CATEGORY), |reader| {
        reader.choice(
            table,
            at(keys::TEMPLATE_CATEGORY),
            TemplateCategory::from_name,
            TemplateCategory::NAMES,
        )
    }) {
        template.category = category;
    }
    if let Some(parameters) = reader.integer_at(
        table,
        &limits::TEMPLATE_PARAMETERS,
        at(keys::TEMPLATE_PARAMETERS),
    ) {
        template.parameters = parameters;
    }
    if let Some(status) = reader.choice(
        table,
        at(keys::TEMPLATE_STATUS),
        TemplateStatus::from_name,
        TemplateStatus::NAMES,
    ) {
        template.status = status;
    }
    template
}

fn read_operator(reader: &mut FieldReader, table: &Table, entry: KeyPath) -> Operator {
    let name_path = entry.with_pattern(keys::OPERATOR_NAME);
    let name = required(reader, table, name_path, |reader| {
        reader.text(table, name_path)
    });
    let token = read_token(reader, table, entry);
    Operator {
        name: name.unwrap_or_default(),
        token: token.unwrap_or_else(|| {
            let placeholder = placeholder_operator().token;
            reader.cover(entry.with_pattern(keys::OPERATOR_TOKEN_SHA256));
            placeholder
        }),
    }
}

/// The operator's token from exactly one of its three keys; `None` (reported) otherwise.
fn read_token(reader: &mut FieldReader, table: &Table, entry: KeyPath) -> Option<OperatorToken> {
    let mut present = keys::OPERATOR_TOKEN_SOURCES
        .into_iter()
        .filter(|key| table.contains_key(keys::field_name(key)));
    let Some(first) = present.next() else {
        reader.report(Problem::at(
            entry,
            ShownValue::Hidden,
            ProblemKind::NoTokenSource,
        ));
        return None;
    };
    let path = entry.with_pattern(first);
    let mut conflicting = false;
    for other in present {
        conflicting = true;
        reader.report(Problem::at(
            path,
            ShownValue::Hidden,
            ProblemKind::ConflictingTokenSources {
                other: keys::field_name(other),
            },
        ));
    }
    if conflicting {
        return None;
    }
    match first {
        keys::OPERATOR_TOKEN_SHA256 => {
            let text = reader.str(table, path)?;
            let digest = sha256_from_hex(text.trim());
            if digest.is_none() {
                // The value may be the clear token pasted in the wrong key: never shown.
                reader.report(Problem::at(
                    path,
                    ShownValue::Redacted,
                    ProblemKind::BadFormat {
                        expected: SHA256_FORM,
                    },
                ));
            }
            digest.map(OperatorToken::Sha256)
        }
        keys::OPERATOR_TOKEN_FILE => reader
            .text::<PATH_CAPACITY>(table, path)
            .map(OperatorToken::File),
        _ => reader
            .text::<ENV_NAME_CAPACITY>(table, path)
            .map(OperatorToken::Env),
    }
}

/// The value of the required key `path`: reported as missing when absent; covered (its
/// placeholder stands in) when absent or unreadable.
fn required<T>(
    reader: &mut FieldReader,
    table: &Table,
    path: KeyPath,
    read: impl FnOnce(&mut FieldReader) -> Option<T>,
) -> Option<T> {
    if !table.contains_key(keys::field_name(path.pattern())) {
        reader.report(Problem::at(path, ShownValue::Hidden, ProblemKind::Missing));
        reader.cover(path);
        return None;
    }
    let value = read(reader);
    if value.is_none() {
        reader.cover(path);
    }
    value
}

/// A stand-in for the unreadable entry `entry` (already reported), which is covered.
fn placeholder<T>(reader: &mut FieldReader, entry: KeyPath, make: impl FnOnce() -> T) -> T {
    reader.cover(entry);
    make()
}

fn placeholder_template() -> Template {
    Template {
        name: heapless::String::new(),
        language: heapless::String::new(),
        category: TemplateCategory::Utility,
        parameters: limits::TEMPLATE_PARAMETERS.default,
        status: TemplateStatus::default(),
    }
}

fn placeholder_operator() -> Operator {
    Operator {
        name: heapless::String::new(),
        token: OperatorToken::Sha256([0; crate::operator_settings::TOKEN_SHA256_LEN]),
    }
}
