//! What can go wrong with templates: building the registry, applying webhooks, sending.

use std::fmt;

use super::UnixMs;
use super::template_status::TemplateStatus;
use crate::time::Utc;

/// What an update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateOutcome {
    /// The update was applied.
    Applied,
    /// Ignored: older than the status update applied at `applied_at`.
    Stale {
        /// When the status in force was set.
        applied_at: UnixMs,
    },
}

/// Why the registry could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A registration has an empty name or language.
    #[error("template registration {index} has an empty name or language")]
    Incomplete {
        /// The registration's position (from 0).
        index: usize,
    },
    /// Two registrations name the same template.
    #[error("template {name} ({language}) is registered twice")]
    Duplicate {
        /// The template's name.
        name: String,
        /// Its language.
        language: String,
    },
}

/// Why a webhook could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The webhook names no template: no known id, and no name and language.
    #[error("the template webhook names no template (no known id, name or language)")]
    Unidentified,
    /// The template is not registered in this gateway.
    #[error("template {name} ({language}) is not registered in the configuration; update ignored")]
    UnknownTemplate {
        /// The name the webhook gave.
        name: String,
        /// The language the webhook gave.
        language: String,
    },
    /// A status update without `event`.
    #[error("the status update for template {name} ({language}) has no event")]
    MissingEvent {
        /// The template's name.
        name: String,
        /// Its language.
        language: String,
    },
    /// A category update whose category is missing or not one this build knows.
    #[error(
        "the category update for template {name} ({language}) has no known category: {category:?}"
    )]
    UnknownCategory {
        /// The template's name.
        name: String,
        /// Its language.
        language: String,
        /// The category as sent (empty when absent).
        category: String,
    },
}

/// Why a template cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateRefusal {
    /// No such template is registered.
    #[error(
        "template {name} ({language}) is not registered in the configuration; register it, or \
         use a registered template"
    )]
    UnknownTemplate {
        /// The name asked for.
        name: String,
        /// The language asked for.
        language: String,
    },
    /// The template's status is not `APPROVED`.
    #[error("{0}")]
    NotApproved(Box<NotApproved>),
    /// The send supplies a different number of parameters than the template takes.
    #[error("template {name} ({language}) takes {expected} parameters, but {given} were given")]
    ParameterCount {
        /// The template's name.
        name: String,
        /// Its language.
        language: String,
        /// How many it takes.
        expected: u32,
        /// How many the send supplied.
        given: usize,
    },
}

/// A template that is not approved, and what Meta said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApproved {
    /// The template's name.
    pub name: String,
    /// Its language.
    pub language: String,
    /// Its status.
    pub status: TemplateStatus,
    /// When a webhook set the status; `None` for the configured status.
    pub since: Option<UnixMs>,
    /// The short reason Meta gave.
    pub reason: Option<String>,
    /// Meta's longer explanation.
    pub detail: Option<String>,
}

impl fmt::Display for NotApproved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "template {} ({}) is {}",
            self.name, self.language, self.status
        )?;
        match self.since {
            Some(since) => write!(f, " since {}", Utc(since))?,
            None => f.write_str(" (as configured)")?,
        }
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        f.write_str("; only APPROVED templates can be sent")
    }
}
