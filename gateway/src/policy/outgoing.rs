//! The one question an operator asks before sending: may this message go to this customer now,
//! and what will it cost? It combines the service windows ([`super::window`]), the template
//! registry ([`super::templates`]) and the US marketing pause ([`super::us_pause`]), and names
//! every rule that refuses, not only the first.

use super::UnixMs;
use super::category::TemplateCategory;
use super::templates::{TemplateRefusal, TemplateRegistry};
use super::us_pause::{PauseRefusal, check_marketing};
use super::window::{OutgoingKind, WindowRefusal, WindowState, WindowVerdict};

/// A message the business wants to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutgoingMessage<'a> {
    /// Any non-template message: text, media, interactive...
    FreeForm,
    /// A registered template with its parameters.
    Template {
        /// The template's name.
        name: &'a str,
        /// Its language code.
        language: &'a str,
        /// How many parameters the send supplies.
        parameters: usize,
    },
}

/// Why a message may not be sent now. Each `Display` tells the operator what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendRefusal {
    /// The service window forbids a free-form message.
    #[error(transparent)]
    Window(WindowRefusal),
    /// The template is unknown, not approved, or given the wrong parameters.
    #[error(transparent)]
    Template(TemplateRefusal),
    /// A marketing template to a US (or unplaceable) number.
    #[error(transparent)]
    UsMarketingPause(PauseRefusal),
}

/// The verdict on a message that may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendVerdict {
    /// The windows' verdict (pricing, and until when the windows stay open).
    pub window: WindowVerdict,
    /// For a template, its category at `now` (an announced change counts from its instant).
    pub category: Option<TemplateCategory>,
}

/// Whether `message` may go to `recipient` (the customer's WhatsApp number, or their BSUID
/// when no number is known) at `now`, given the pair's `window` and the `registry`.
pub fn check_send(
    window: &WindowState,
    registry: &TemplateRegistry,
    recipient: &str,
    now: UnixMs,
    message: OutgoingMessage<'_>,
) -> Result<SendVerdict, Vec<SendRefusal>> {
    match message {
        OutgoingMessage::FreeForm => match window.check(now, OutgoingKind::FreeForm) {
            Ok(verdict) => Ok(SendVerdict {
                window: verdict,
                category: None,
            }),
            Err(refusal) => Err(vec![SendRefusal::Window(refusal)]),
        },
        OutgoingMessage::Template {
            name,
            language,
            parameters,
        } => {
            let mut refusals = Vec::new();
            if let Err(refusal) = registry.check(name, language, parameters) {
                refusals.push(SendRefusal::Template(refusal));
            }
            // The pause is checked even for a template refused above, when its category is
            // known: the operator learns every reason at once.
            let category = registry
                .get(name, language)
                .map(|template| template.category_at(now));
            if let Some(Err(refusal)) = category.map(|c| check_marketing(recipient, c, now)) {
                refusals.push(SendRefusal::UsMarketingPause(refusal));
            }
            match category {
                Some(category) if refusals.is_empty() => Ok(SendVerdict {
                    window: window.assess(now, OutgoingKind::Template { category }),
                    category: Some(category),
                }),
                _ => Err(refusals),
            }
        }
    }
}

#[cfg(test)]
#[path = "outgoing_tests.rs"]
mod tests;
