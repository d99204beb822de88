//! The body of a version-2 blob: the version-1 body, then the chat settings, departments,
//! templates and operators. Lists are a varint count and their entries. Field order is the
//! wire order: never reorder, only add a new version.

use serde::{Deserialize, Serialize};

use super::bounded::Bounded;
use super::fit::Fit;
use super::wire::{ConfigV1, TAG, U32, max, str_len, varint_len};
use crate::chat_settings::{
    ChatSettings, Department, MAX_DEPARTMENT_NUMBERS, MAX_DEPARTMENTS, MAX_PROFANITY_WORD_LISTS,
    NAME_CAPACITY, PHONE_NUMBER_ID_CAPACITY,
};
use crate::config::{Config, ENV_NAME_CAPACITY, PATH_CAPACITY};
use crate::key_path::KeyPath;
use crate::keys;
use crate::operator_settings::{MAX_OPERATORS, Operator, OperatorToken, TOKEN_SHA256_LEN};
use crate::problem::Problems;
use crate::template_settings::{
    LANGUAGE_CAPACITY, MAX_TEMPLATES, TEMPLATE_NAME_CAPACITY, Template, TemplateCategory,
    TemplateStatus,
};

/// The version-2 body.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ConfigV2<'a> {
    #[serde(borrow)]
    base: ConfigV1<'a>,
    #[serde(borrow)]
    chat: ChatV2<'a>,
    #[serde(borrow)]
    departments: Bounded<DepartmentV2<'a>, MAX_DEPARTMENTS>,
    #[serde(borrow)]
    templates: Bounded<TemplateV2<'a>, MAX_TEMPLATES>,
    #[serde(borrow)]
    operators: Bounded<OperatorV2<'a>, MAX_OPERATORS>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ChatV2<'a> {
    unattended_close_seconds: u32,
    idle_close_seconds: u32,
    bot_enabled: bool,
    bot_idle_close_seconds: u32,
    profanity_limit: u32,
    #[serde(borrow)]
    profanity_word_lists: Bounded<&'a str, MAX_PROFANITY_WORD_LISTS>,
    strict_order: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct DepartmentV2<'a> {
    name: &'a str,
    #[serde(borrow)]
    numbers: Bounded<&'a str, MAX_DEPARTMENT_NUMBERS>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TemplateV2<'a> {
    name: &'a str,
    language: &'a str,
    category: CategoryV2,
    parameters: u32,
    status: StatusV2,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum CategoryV2 {
    Utility,
    Marketing,
    Authentication,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum StatusV2 {
    Approved,
    Pending,
    Rejected,
    Paused,
    Disabled,
}

#[derive(Debug, Serialize, Deserialize)]
struct OperatorV2<'a> {
    name: &'a str,
    #[serde(borrow)]
    token: TokenV2<'a>,
}

#[derive(Serialize, Deserialize)]
enum TokenV2<'a> {
    Sha256([u8; TOKEN_SHA256_LEN]),
    File(&'a str),
    Env(&'a str),
}

impl core::fmt::Debug for TokenV2<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Sha256(_) => f.write_str("Sha256(<redacted>)"),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
        }
    }
}

/// Largest encoded list of at most `capacity` entries of at most `entry` bytes each.
const fn list_len(capacity: usize, entry: usize) -> usize {
    varint_len(capacity as u64) + capacity * entry
}

/// Largest encoded size of what version 2 adds to the version-1 body.
pub(super) const V2_EXTENSION_MAX_LEN: usize = {
    let chat = 4 * U32 + 2 * TAG + list_len(MAX_PROFANITY_WORD_LISTS, str_len(PATH_CAPACITY));
    let department = str_len(NAME_CAPACITY)
        + list_len(MAX_DEPARTMENT_NUMBERS, str_len(PHONE_NUMBER_ID_CAPACITY));
    let template = str_len(TEMPLATE_NAME_CAPACITY) + str_len(LANGUAGE_CAPACITY) + TAG + U32 + TAG;
    let token = TAG
        + max(
            TOKEN_SHA256_LEN,
            max(str_len(PATH_CAPACITY), str_len(ENV_NAME_CAPACITY)),
        );
    let operator = str_len(NAME_CAPACITY) + token;
    chat + list_len(MAX_DEPARTMENTS, department)
        + list_len(MAX_TEMPLATES, template)
        + list_len(MAX_OPERATORS, operator)
};

impl<'a> ConfigV2<'a> {
    /// The wire form of `config`, borrowing its strings.
    pub(super) fn from_config(config: &'a Config) -> Self {
        let chat = &config.chat;
        Self {
            base: ConfigV1::from_config(config),
            chat: ChatV2 {
                unattended_close_seconds: chat.unattended_close_seconds,
                idle_close_seconds: chat.idle_close_seconds,
                bot_enabled: chat.bot_enabled,
                bot_idle_close_seconds: chat.bot_idle_close_seconds,
                profanity_limit: chat.profanity_limit,
                profanity_word_lists: Bounded::from_items(&chat.profanity_word_lists, |file| {
                    file.as_str()
                }),
                strict_order: chat.strict_order,
            },
            departments: Bounded::from_items(&config.departments, |department| DepartmentV2 {
                name: &department.name,
                numbers: Bounded::from_items(&department.numbers, |number| number.as_str()),
            }),
            templates: Bounded::from_items(&config.templates, |template| TemplateV2 {
                name: &template.name,
                language: &template.language,
                category: CategoryV2::from(template.category),
                parameters: template.parameters,
                status: StatusV2::from(template.status),
            }),
            operators: Bounded::from_items(&config.operators, |operator| OperatorV2 {
                name: &operator.name,
                token: match &operator.token {
                    OperatorToken::Sha256(digest) => TokenV2::Sha256(*digest),
                    OperatorToken::File(path) => TokenV2::File(path),
                    OperatorToken::Env(name) => TokenV2::Env(name),
                },
            }),
        }
    }

    /// The configuration this body describes, or the strings and lists that exceed their
    /// capacity. Ranges and rules are not checked here.
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub(super) fn into_config(self) -> Result<Config, Problems> {
        self.into_config_then(|_| {})
    }

    /// As [`Self::into_config`], then `extend` fills what a later version adds (in this frame:
    /// the configuration is large, and a `no_std` board's stack is small).
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub(super) fn into_config_then(
        self,
        extend: impl FnOnce(&mut Config),
    ) -> Result<Config, Problems> {
        let mut problems = Problems::new();
        let mut fit = Fit::new(&mut problems);
        let mut config = self.base.fill(&mut fit);
        config.chat = self.chat.fill(&mut fit);
        config.departments = fill_list(
            KeyPath::new(keys::DEPARTMENTS),
            self.departments,
            &mut fit,
            DepartmentV2::fill,
        );
        config.templates = fill_list(
            KeyPath::new(keys::TEMPLATES),
            self.templates,
            &mut fit,
            TemplateV2::fill,
        );
        config.operators = fill_list(
            KeyPath::new(keys::OPERATORS),
            self.operators,
            &mut fit,
            OperatorV2::fill,
        );
        extend(&mut config);
        problems.into_result().map(|()| config)
    }
}

/// The entries of `list` made with `fill` (given each entry's index); more entries than fit
/// are reported at `key`.
fn fill_list<W, T, const N: usize>(
    key: KeyPath,
    list: Bounded<W, N>,
    fit: &mut Fit<'_>,
    mut fill: impl FnMut(W, usize, &mut Fit<'_>) -> T,
) -> heapless::Vec<T, N> {
    if let Some(len) = list.overflow() {
        fit.too_many(key, len, N);
    }
    let mut out = heapless::Vec::new();
    for (index, entry) in list.into_items().into_iter().enumerate() {
        // `list` kept at most N entries, so every push succeeds.
        let _fits = out.push(fill(entry, index, fit));
    }
    out
}

impl ChatV2<'_> {
    fn fill(self, fit: &mut Fit<'_>) -> ChatSettings {
        ChatSettings {
            unattended_close_seconds: self.unattended_close_seconds,
            idle_close_seconds: self.idle_close_seconds,
            bot_enabled: self.bot_enabled,
            bot_idle_close_seconds: self.bot_idle_close_seconds,
            profanity_limit: self.profanity_limit,
            profanity_word_lists: fill_list(
                KeyPath::new(keys::CHAT_PROFANITY_WORD_LISTS),
                self.profanity_word_lists,
                fit,
                |file, index, fit| {
                    fit.text(KeyPath::new(keys::CHAT_PROFANITY_WORD_LIST).at(index), file)
                },
            ),
            strict_order: self.strict_order,
        }
    }
}

impl DepartmentV2<'_> {
    fn fill(self, index: usize, fit: &mut Fit<'_>) -> Department {
        Department {
            name: fit.text(KeyPath::new(keys::DEPARTMENT_NAME).at(index), self.name),
            numbers: fill_list(
                KeyPath::new(keys::DEPARTMENT_NUMBERS).at(index),
                self.numbers,
                fit,
                |number, slot, fit| {
                    fit.text(
                        KeyPath::new(keys::DEPARTMENT_NUMBER).at(index).at(slot),
                        number,
                    )
                },
            ),
        }
    }
}

impl TemplateV2<'_> {
    fn fill(self, index: usize, fit: &mut Fit<'_>) -> Template {
        Template {
            name: fit.text(KeyPath::new(keys::TEMPLATE_NAME).at(index), self.name),
            language: fit.text(
                KeyPath::new(keys::TEMPLATE_LANGUAGE).at(index),
                self.language,
            ),
            category: self.category.into(),
            parameters: self.parameters,
            status: self.status.into(),
        }
    }
}

impl OperatorV2<'_> {
    fn fill(self, index: usize, fit: &mut Fit<'_>) -> Operator {
        let at = |key| KeyPath::new(key).at(index);
        Operator {
            name: fit.text(at(keys::OPERATOR_NAME), self.name),
            token: match self.token {
                TokenV2::Sha256(digest) => OperatorToken::Sha256(digest),
                TokenV2::File(path) => {
                    OperatorToken::File(fit.text(at(keys::OPERATOR_TOKEN_FILE), path))
                }
                TokenV2::Env(name) => {
                    OperatorToken::Env(fit.text(at(keys::OPERATOR_TOKEN_ENV), name))
                }
            },
        }
    }
}

impl From<TemplateCategory> for CategoryV2 {
    fn from(category: TemplateCategory) -> Self {
        match category {
            TemplateCategory::Utility => Self::Utility,
            TemplateCategory::Marketing => Self::Marketing,
            TemplateCategory::Authentication => Self::Authentication,
        }
    }
}

impl From<CategoryV2> for TemplateCategory {
    fn from(wire: CategoryV2) -> Self {
        match wire {
            CategoryV2::Utility => Self::Utility,
            CategoryV2::Marketing => Self::Marketing,
            CategoryV2::Authentication => Self::Authentication,
        }
    }
}

impl From<TemplateStatus> for StatusV2 {
    fn from(status: TemplateStatus) -> Self {
        match status {
            TemplateStatus::Approved => Self::Approved,
            TemplateStatus::Pending => Self::Pending,
            TemplateStatus::Rejected => Self::Rejected,
            TemplateStatus::Paused => Self::Paused,
            TemplateStatus::Disabled => Self::Disabled,
        }
    }
}

impl From<StatusV2> for TemplateStatus {
    fn from(wire: StatusV2) -> Self {
        match wire {
            StatusV2::Approved => Self::Approved,
            StatusV2::Pending => Self::Pending,
            StatusV2::Rejected => Self::Rejected,
            StatusV2::Paused => Self::Paused,
            StatusV2::Disabled => Self::Disabled,
        }
    }
}
