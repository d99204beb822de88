//! TOML out for the chat settings and the arrays of tables.

use crate::config::Config;
use crate::keys;
use crate::limits;
use crate::operator_settings::{OperatorToken, Sha256Hex};
use crate::template_settings::{TemplateCategory, TemplateStatus};
use crate::toml_write::Document;
use crate::{MAX_DEPARTMENT_NUMBERS, MAX_DEPARTMENTS, MAX_OPERATORS, MAX_PROFANITY_WORD_LISTS};
use crate::{MAX_TEMPLATES, Template};

impl Config {
    /// Writes `[chat]`, `[[departments]]`, `[[templates]]` and `[[operators]]`.
    pub(crate) fn write_lists(&self, doc: &mut Document) {
        let chat = &self.chat;
        doc.table(keys::CHAT);
        doc.number(
            &limits::CHAT_UNATTENDED_CLOSE_SECONDS,
            chat.unattended_close_seconds,
        );
        doc.number(&limits::CHAT_IDLE_CLOSE_SECONDS, chat.idle_close_seconds);
        doc.boolean(
            keys::CHAT_BOT_ENABLED,
            chat.bot_enabled,
            "whether a bot serves the channel",
        );
        doc.number(
            &limits::CHAT_BOT_IDLE_CLOSE_SECONDS,
            chat.bot_idle_close_seconds,
        );
        doc.number(&limits::CHAT_PROFANITY_LIMIT, chat.profanity_limit);
        doc.string_list(
            keys::CHAT_PROFANITY_WORD_LISTS,
            chat.profanity_word_lists.iter().map(|file| file.as_str()),
            &format!(
                "files of one word per line, a file per language; at most \
                 {MAX_PROFANITY_WORD_LISTS}"
            ),
        );
        doc.boolean(
            keys::CHAT_STRICT_ORDER,
            chat.strict_order,
            "send a chat's next message only after Meta accepted the previous one",
        );

        doc.line("");
        doc.line(format!(
            "# [[departments]]: at most {MAX_DEPARTMENTS}, each a unique name and the \
             phone_number_ids of its business numbers (at most {MAX_DEPARTMENT_NUMBERS})"
        ));
        for department in &self.departments {
            doc.array_table(keys::DEPARTMENTS);
            doc.string(keys::DEPARTMENT_NAME, &department.name);
            doc.string_list(
                keys::DEPARTMENT_NUMBERS,
                department.numbers.iter().map(|number| number.as_str()),
                "phone_number_ids; a number belongs to at most one department",
            );
        }

        doc.line("");
        doc.line(format!(
            "# [[templates]]: at most {MAX_TEMPLATES}, each a unique name and language pair"
        ));
        for template in &self.templates {
            write_template(doc, template);
        }

        doc.line("");
        doc.line(format!(
            "# [[operators]]: at most {MAX_OPERATORS}, each a unique name and one of \
             token_sha256, token_file, token_env"
        ));
        for operator in &self.operators {
            doc.array_table(keys::OPERATORS);
            doc.string(keys::OPERATOR_NAME, &operator.name);
            match &operator.token {
                OperatorToken::Sha256(digest) => {
                    doc.string(keys::OPERATOR_TOKEN_SHA256, Sha256Hex(digest));
                }
                OperatorToken::File(path) => doc.string(keys::OPERATOR_TOKEN_FILE, path),
                OperatorToken::Env(name) => doc.string(keys::OPERATOR_TOKEN_ENV, name),
            }
        }
    }
}

fn write_template(doc: &mut Document, template: &Template) {
    doc.array_table(keys::TEMPLATES);
    doc.string(keys::TEMPLATE_NAME, &template.name);
    doc.string(keys::TEMPLATE_LANGUAGE, &template.language);
    doc.line(format!(
        "{}  # {}",
        toml_pair(keys::TEMPLATE_CATEGORY, template.category.name()),
        TemplateCategory::NAMES.join(", ")
    ));
    doc.number(&limits::TEMPLATE_PARAMETERS, template.parameters);
    doc.line(format!(
        "{}  # {}; until Meta's webhooks update it",
        toml_pair(keys::TEMPLATE_STATUS, template.status.name()),
        TemplateStatus::NAMES.join(", ")
    ));
}

/// `field = "word"`.
fn toml_pair(key: &str, word: &str) -> String {
    format!(
        "{} = {}",
        keys::field_name(key),
        toml::Value::String(word.to_owned())
    )
}
