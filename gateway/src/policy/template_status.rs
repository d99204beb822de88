//! A template's status, and how Meta's `message_template_status_update` events move it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meta::TemplateStatusUpdate;

/// Where a template stands in Meta's lifecycle. Only [`TemplateStatus::Approved`] can be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TemplateStatus {
    /// `APPROVED`: can be sent.
    Approved,
    /// `PENDING`: under review.
    Pending,
    /// `REJECTED`: failed review; edit it or appeal.
    Rejected,
    /// `PAUSED`: paused for low quality (3 h, then 6 h), or rate limiting.
    Paused,
    /// `DISABLED`: disabled after repeated pauses or for policy; create a new template.
    Disabled,
    /// `FLAGGED`: negative feedback, at risk of being disabled. Treated as not sendable until
    /// Meta approves or reinstates it: Meta's wording ("no longer flagged ... can be sent
    /// again") leaves open whether a flagged template may be sent, and refusing is the side
    /// that cannot break the promise that no forbidden message leaves.
    Flagged,
    /// `IN_APPEAL`: a rejection is being appealed.
    InAppeal,
    /// `LIMIT_EXCEEDED`: the account is at its template limit.
    LimitExceeded,
    /// `LOCKED`: locked by Meta (see `FLAGGED` for why it is treated as not sendable).
    Locked,
    /// `ARCHIVED`: archived for inactivity; deleted after 28 days unless unarchived.
    Archived,
    /// `PENDING_DELETION`: deleted in WhatsApp Manager, about to go.
    PendingDeletion,
    /// `DELETED`: gone.
    Deleted,
    /// A status this build does not know (a new Meta event, or `UNARCHIVED` when the status
    /// before archiving is unknown), as sent; not sendable.
    Other(String),
}

impl TemplateStatus {
    const KNOWN: [Self; 12] = [
        Self::Approved,
        Self::Pending,
        Self::Rejected,
        Self::Paused,
        Self::Disabled,
        Self::Flagged,
        Self::InAppeal,
        Self::LimitExceeded,
        Self::Locked,
        Self::Archived,
        Self::PendingDeletion,
        Self::Deleted,
    ];

    /// Meta's spelling (`APPROVED`, `PAUSED`, ...); for `Other`, the value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Approved => "APPROVED",
            Self::Pending => "PENDING",
            Self::Rejected => "REJECTED",
            Self::Paused => "PAUSED",
            Self::Disabled => "DISABLED",
            Self::Flagged => "FLAGGED",
            Self::InAppeal => "IN_APPEAL",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::Locked => "LOCKED",
            Self::Archived => "ARCHIVED",
            Self::PendingDeletion => "PENDING_DELETION",
            Self::Deleted => "DELETED",
            Self::Other(value) => value,
        }
    }

    /// Reads Meta's spelling (ASCII case ignored); anything else becomes `Other`.
    pub fn from_wire(value: &str) -> Self {
        let value = value.trim();
        Self::KNOWN
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(value))
            .unwrap_or_else(|| Self::Other(value.to_owned()))
    }

    /// Whether a template with this status can be sent.
    pub fn is_sendable(&self) -> bool {
        *self == Self::Approved
    }
}

impl fmt::Display for TemplateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a status event does to a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StatusChange {
    /// The template's status becomes this one.
    Set(TemplateStatus),
    /// `UNARCHIVED`: back to the status it had before it was archived.
    Unarchive,
}

/// The change an event (`message_template_status_update.event`) makes.
///
/// Each event names the status it leads to, except `REINSTATED` ("no longer flagged or
/// disabled and can be sent in template messages again": approved) and `UNARCHIVED` (restored
/// to the status before archiving).
pub(super) fn change_for_event(event: &str) -> StatusChange {
    let event = event.trim();
    if event.eq_ignore_ascii_case("REINSTATED") {
        StatusChange::Set(TemplateStatus::Approved)
    } else if event.eq_ignore_ascii_case("UNARCHIVED") {
        StatusChange::Unarchive
    } else {
        StatusChange::Set(TemplateStatus::from_wire(event))
    }
}

/// Why the status changed, from a status update: the pause title (`other_info.title`, e.g.
/// `FIRST_PAUSE`) when there is one, else `reason` unless it is `NONE` or null.
pub(super) fn reason_of(update: &TemplateStatusUpdate) -> Option<String> {
    let title = nested_text(update, "other_info", "title");
    let reason = update
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|reason| !reason.is_empty() && !reason.eq_ignore_ascii_case("NONE"))
        .map(str::to_owned);
    title.or(reason)
}

/// Meta's explanation, when it sent one: `rejection_info.reason` (with its recommendation),
/// `other_info.description`, or the disable date of a flagged template.
pub(super) fn detail_of(update: &TemplateStatusUpdate) -> Option<String> {
    if let Some(reason) = nested_text(update, "rejection_info", "reason") {
        return Some(
            match nested_text(update, "rejection_info", "recommendation") {
                Some(recommendation) => format!("{reason} {recommendation}"),
                None => reason,
            },
        );
    }
    nested_text(update, "other_info", "description").or_else(|| {
        nested_text(update, "disable_info", "disable_date")
            .map(|date| format!("disable date {date}"))
    })
}

/// `update.extra[outer][inner]` as text (a string as is, a number written out).
fn nested_text(update: &TemplateStatusUpdate, outer: &str, inner: &str) -> Option<String> {
    match update.extra.get(outer)?.get(inner)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn every_known_status_reads_back_from_its_spelling() {
        for status in TemplateStatus::KNOWN {
            assert_eq!(TemplateStatus::from_wire(status.as_str()), status);
        }
        assert_eq!(
            TemplateStatus::from_wire("SOMETHING_NEW"),
            TemplateStatus::Other("SOMETHING_NEW".to_owned())
        );
    }

    #[test]
    fn only_approved_is_sendable() {
        let sendable: Vec<_> = TemplateStatus::KNOWN
            .into_iter()
            .filter(TemplateStatus::is_sendable)
            .collect();
        assert_eq!(sendable, [TemplateStatus::Approved]);
        assert!(!TemplateStatus::Other("APPROVED_ISH".to_owned()).is_sendable());
    }

    #[test]
    fn events_map_to_statuses() {
        assert_eq!(
            change_for_event("REINSTATED"),
            StatusChange::Set(TemplateStatus::Approved)
        );
        assert_eq!(change_for_event("UNARCHIVED"), StatusChange::Unarchive);
        assert_eq!(
            change_for_event("PENDING_DELETION"),
            StatusChange::Set(TemplateStatus::PendingDeletion)
        );
        assert_eq!(
            change_for_event("FLAGGED"),
            StatusChange::Set(TemplateStatus::Flagged)
        );
    }
}
