//! The templates the gateway may send: registered from the configuration, kept current by
//! Meta's `message_template_status_update` and `template_category_update` webhooks.
//!
//! A template is identified by its name and language. Names compare exactly; languages ignore
//! ASCII case and treat `-` as `_` (Meta writes `en_US`, some payloads `en-US`). A webhook is
//! matched by Meta's template id first, when both sides know it, and teaches the registry the id
//! otherwise.
//!
//! # Status
//!
//! Only `APPROVED` templates can be sent; see [`TemplateStatus`] for each status and
//! for why `FLAGGED` and `LOCKED` are refused. A status update older than the one applied last
//! (by the instant the caller gives, normally the webhook's `entry[].time`) is ignored as stale:
//! Meta redelivers webhooks for days. A status from the configuration has no instant, so any
//! webhook replaces it.
//!
//! # Category changes
//!
//! A completed change (`previous_category` and `new_category`) applies at once. An impending
//! change (`correct_category`, announced at `category_update_timestamp`) applies 24 h after
//! that timestamp, as Meta announces; until then the current category stands. The category of
//! a template is therefore a function of time: [`Template::category_at`].

use std::collections::BTreeMap;

use super::category::TemplateCategory;
pub use super::template::{PendingCategory, Template, TemplateRegistration};
pub use super::template_errors::{
    NotApproved, RegistryError, TemplateRefusal, UpdateError, UpdateOutcome,
};
pub use super::template_status::TemplateStatus;
use super::template_status::{StatusChange, change_for_event, detail_of, reason_of};
use super::{HOUR_MS, SECOND_MS, UnixMs};
use crate::meta::{TemplateCategoryUpdate, TemplateStatusUpdate};

/// How long after `category_update_timestamp` an impending category change takes effect.
pub const CATEGORY_CHANGE_DELAY_MS: u64 = 24 * HOUR_MS;

/// The registered templates.
#[derive(Debug, Clone, Default)]
pub struct TemplateRegistry {
    templates: BTreeMap<Key, Template>,
}

/// A template's identity: its name, and its language folded for comparison.
type Key = (String, String);

fn key(name: &str, language: &str) -> Key {
    let language = language.trim().replace('-', "_").to_ascii_lowercase();
    (name.trim().to_owned(), language)
}

impl TemplateRegistry {
    /// The registry of `registrations`; each template must appear once.
    pub fn new(
        registrations: impl IntoIterator<Item = TemplateRegistration>,
    ) -> Result<Self, RegistryError> {
        let mut templates = BTreeMap::new();
        for (index, registration) in registrations.into_iter().enumerate() {
            if registration.name.trim().is_empty() || registration.language.trim().is_empty() {
                return Err(RegistryError::Incomplete { index });
            }
            let key = key(&registration.name, &registration.language);
            if templates.contains_key(&key) {
                return Err(RegistryError::Duplicate {
                    name: registration.name,
                    language: registration.language,
                });
            }
            templates.insert(key, Template::from_registration(registration));
        }
        Ok(Self { templates })
    }

    /// The registry as the store kept it: `templates` were a registry's, so they are unique.
    pub fn from_stored(templates: impl IntoIterator<Item = Template>) -> Self {
        Self {
            templates: templates
                .into_iter()
                .map(|template| (key(&template.name, &template.language), template))
                .collect(),
        }
    }

    /// The configured registry carried forward from `remembered`, the templates as the store
    /// kept them before a restart. The configuration decides which templates exist and their
    /// parameter counts; what Meta's webhooks taught about a configured template (its status,
    /// category, pending category change, id) is kept. A remembered template the configuration
    /// no longer names is dropped; a configured template never seen before starts as
    /// configured. A configured status or category replaces a remembered one no webhook set.
    #[must_use]
    pub fn carried_forward(mut self, remembered: impl IntoIterator<Item = Template>) -> Self {
        for old in remembered {
            let Some(current) = self.templates.get_mut(&key(&old.name, &old.language)) else {
                continue;
            };
            if old.status_since.is_some() {
                current.status = old.status;
                current.status_since = old.status_since;
                current.status_reason = old.status_reason;
                current.status_detail = old.status_detail;
                current.status_before_archive = old.status_before_archive;
            }
            if old.category_from_meta {
                current.category = old.category;
                current.category_from_meta = true;
            }
            current.pending_category = old.pending_category;
            if current.meta_id.is_none() {
                current.meta_id = old.meta_id;
            }
        }
        self
    }

    /// The template `name` in `language`, if registered.
    pub fn get(&self, name: &str, language: &str) -> Option<&Template> {
        self.templates.get(&key(name, language))
    }

    /// Every template, by name then language.
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.templates.values()
    }

    /// The template `name` in `language`, if it can be sent with `parameter_count` parameters.
    pub fn check(
        &self,
        name: &str,
        language: &str,
        parameter_count: usize,
    ) -> Result<&Template, TemplateRefusal> {
        let Some(template) = self.get(name, language) else {
            return Err(TemplateRefusal::UnknownTemplate {
                name: name.to_owned(),
                language: language.to_owned(),
            });
        };
        if !template.is_sendable() {
            return Err(TemplateRefusal::NotApproved(Box::new(NotApproved {
                name: template.name.clone(),
                language: template.language.clone(),
                status: template.status.clone(),
                since: template.status_since,
                reason: template.status_reason.clone(),
                detail: template.status_detail.clone(),
            })));
        }
        if usize::try_from(template.parameter_count).ok() != Some(parameter_count) {
            return Err(TemplateRefusal::ParameterCount {
                name: template.name.clone(),
                language: template.language.clone(),
                expected: template.parameter_count,
                given: parameter_count,
            });
        }
        Ok(template)
    }

    /// Applies a `message_template_status_update` Meta sent at `at`.
    ///
    /// `message_template_category`, when present and known, also sets the category.
    pub fn apply_status_update(
        &mut self,
        update: &TemplateStatusUpdate,
        at: UnixMs,
    ) -> Result<UpdateOutcome, UpdateError> {
        let template = self.find_mut(
            update.message_template_id.as_deref(),
            update.message_template_name.as_deref(),
            update.message_template_language.as_deref(),
        )?;
        let Some(event) = update.event.as_deref().filter(|e| !e.trim().is_empty()) else {
            return Err(UpdateError::MissingEvent {
                name: template.name.clone(),
                language: template.language.clone(),
            });
        };
        if let Some(applied_at) = template.status_since.filter(|&since| at < since) {
            return Ok(UpdateOutcome::Stale { applied_at });
        }
        let status = match change_for_event(event) {
            StatusChange::Set(status) => status,
            StatusChange::Unarchive => template
                .status_before_archive
                .take()
                .unwrap_or_else(|| TemplateStatus::Other(event.trim().to_owned())),
        };
        if status == TemplateStatus::Archived && template.status != TemplateStatus::Archived {
            template.status_before_archive = Some(template.status.clone());
        }
        template.status = status;
        template.status_since = Some(at);
        template.status_reason = reason_of(update);
        template.status_detail = detail_of(update);
        if let Some(category) = update
            .message_template_category
            .as_deref()
            .and_then(TemplateCategory::from_wire)
        {
            template.set_category(category);
        }
        Ok(UpdateOutcome::Applied)
    }

    /// Applies a `template_category_update` Meta sent at `at`.
    ///
    /// An impending change takes effect [`CATEGORY_CHANGE_DELAY_MS`] after
    /// `category_update_timestamp` (after `at` when that is missing); a completed change at once.
    pub fn apply_category_update(
        &mut self,
        update: &TemplateCategoryUpdate,
        at: UnixMs,
    ) -> Result<UpdateOutcome, UpdateError> {
        let template = self.find_mut(
            update.message_template_id.as_deref(),
            update.message_template_name.as_deref(),
            update.message_template_language.as_deref(),
        )?;
        let unknown = |template: &Template, category: Option<&str>| UpdateError::UnknownCategory {
            name: template.name.clone(),
            language: template.language.clone(),
            category: category.unwrap_or_default().to_owned(),
        };
        let current = update.new_category.as_deref();
        let current_category = current.and_then(TemplateCategory::from_wire);
        if let Some(correct) = update.correct_category.as_deref() {
            let Some(category) = TemplateCategory::from_wire(correct) else {
                return Err(unknown(template, Some(correct)));
            };
            let announced_at = update
                .category_update_timestamp
                .and_then(|secs| u64::try_from(secs).ok())
                .map_or(at, |secs| secs.saturating_mul(SECOND_MS));
            if let Some(current) = current_category {
                template.set_category(current);
            }
            template.pending_category = Some(PendingCategory {
                category,
                effective_at: announced_at.saturating_add(CATEGORY_CHANGE_DELAY_MS),
            });
            return Ok(UpdateOutcome::Applied);
        }
        let Some(category) = current_category else {
            return Err(unknown(template, current));
        };
        template.set_category(category);
        template.pending_category = None;
        Ok(UpdateOutcome::Applied)
    }

    /// The registered template a webhook is about.
    fn find_mut(
        &mut self,
        meta_id: Option<&str>,
        name: Option<&str>,
        language: Option<&str>,
    ) -> Result<&mut Template, UpdateError> {
        let by_id = meta_id.and_then(|id| {
            self.templates
                .iter()
                .find(|(_, template)| template.meta_id.as_deref() == Some(id))
                .map(|(key, _)| key.clone())
        });
        let key = match (by_id, name, language) {
            (Some(key), _, _) => key,
            (None, Some(name), Some(language)) => {
                let key = key(name, language);
                if !self.templates.contains_key(&key) {
                    return Err(UpdateError::UnknownTemplate {
                        name: name.to_owned(),
                        language: language.to_owned(),
                    });
                }
                key
            }
            (None, _, _) => return Err(UpdateError::Unidentified),
        };
        let template = self
            .templates
            .get_mut(&key)
            .ok_or(UpdateError::Unidentified)?;
        // A template deleted and created again under the same name gets a new id: learn it.
        if let Some(id) = meta_id {
            template.meta_id = Some(id.to_owned());
        }
        Ok(template)
    }
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "templates_corpus_tests.rs"]
mod corpus_tests;
