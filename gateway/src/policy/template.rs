//! One registered template and its state: what the configuration declared, updated by Meta.

use serde::{Deserialize, Serialize};

use super::UnixMs;
use super::category::TemplateCategory;
use super::template_status::TemplateStatus;

/// One template as the configuration declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRegistration {
    /// The template's name, e.g. `order_update`.
    pub name: String,
    /// Its language and locale code, e.g. `en_US`.
    pub language: String,
    /// Its category.
    pub category: TemplateCategory,
    /// How many parameters a send must supply (all components together).
    pub parameter_count: u32,
    /// Its status as configured (normally `APPROVED`); webhooks replace it.
    pub status: TemplateStatus,
    /// Meta's template id, when known.
    pub meta_id: Option<String>,
}

/// A category change Meta announced, effective at `effective_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCategory {
    /// The category the template will have.
    pub category: TemplateCategory,
    /// When it takes effect (included).
    pub effective_at: UnixMs,
}

/// One template and its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub(super) name: String,
    pub(super) language: String,
    pub(super) meta_id: Option<String>,
    pub(super) category: TemplateCategory,
    /// Whether a webhook set the category (else it is the configured one).
    pub(super) category_from_meta: bool,
    pub(super) pending_category: Option<PendingCategory>,
    pub(super) parameter_count: u32,
    pub(super) status: TemplateStatus,
    /// When the status was set by a webhook; `None` for the configured status.
    pub(super) status_since: Option<UnixMs>,
    /// The short reason Meta gave (`FIRST_PAUSE`, `INVALID_FORMAT`, ...).
    pub(super) status_reason: Option<String>,
    /// Meta's longer explanation, when it sent one.
    pub(super) status_detail: Option<String>,
    /// The status before `ARCHIVED`, restored by `UNARCHIVED`.
    pub(super) status_before_archive: Option<TemplateStatus>,
}

impl Template {
    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its language, as registered.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Meta's template id, if known.
    pub fn meta_id(&self) -> Option<&str> {
        self.meta_id.as_deref()
    }

    /// How many parameters a send must supply.
    pub fn parameter_count(&self) -> u32 {
        self.parameter_count
    }

    /// Its status.
    pub fn status(&self) -> &TemplateStatus {
        &self.status
    }

    /// When a webhook set the status; `None` while the configured status stands.
    pub fn status_since(&self) -> Option<UnixMs> {
        self.status_since
    }

    /// The short reason Meta gave for the status, if any.
    pub fn status_reason(&self) -> Option<&str> {
        self.status_reason.as_deref()
    }

    /// Meta's longer explanation of the status, if any.
    pub fn status_detail(&self) -> Option<&str> {
        self.status_detail.as_deref()
    }

    /// The announced category change not yet in effect, if any.
    pub fn pending_category(&self) -> Option<PendingCategory> {
        self.pending_category
    }

    /// The category at `now`: the announced one from its effective instant on.
    pub fn category_at(&self, now: UnixMs) -> TemplateCategory {
        match self.pending_category {
            Some(pending) if now >= pending.effective_at => pending.category,
            _ => self.category,
        }
    }

    /// Whether it can be sent (its status is `APPROVED`).
    pub fn is_sendable(&self) -> bool {
        self.status.is_sendable()
    }

    pub(super) fn from_registration(registration: TemplateRegistration) -> Self {
        Self {
            name: registration.name,
            language: registration.language,
            meta_id: registration.meta_id,
            category: registration.category,
            category_from_meta: false,
            pending_category: None,
            parameter_count: registration.parameter_count,
            status: registration.status,
            status_since: None,
            status_reason: None,
            status_detail: None,
            status_before_archive: None,
        }
    }

    pub(super) fn set_category(&mut self, category: TemplateCategory) {
        self.category = category;
        self.category_from_meta = true;
        if self
            .pending_category
            .is_some_and(|pending| pending.category == category)
        {
            self.pending_category = None;
        }
    }
}
