//! One business number as the gateway knows it: what Meta last said of it, how the last read
//! went, what the webhooks added since, and the problems that follow.
//!
//! A failed read makes the profile [`ProfileState::Unknown`] and keeps the last known values
//! (shown as such, with their `read_at`); it never holds sending: only Meta's refusal of a send
//! does ([`crate::outbound::Hold`]).

use crate::meta::open_enum::open_enum;
use crate::time::UnixMs;

use super::problem::{NumberProblem, problems_with};
use super::profile::{NameStatus, NumberProfile, phone_digits};

/// How the last read of the number went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastRead {
    /// Not read yet.
    Never,
    /// Meta answered with the profile.
    Succeeded {
        /// When.
        at: UnixMs,
    },
    /// The read failed.
    Failed {
        /// When.
        at: UnixMs,
        /// Why, for a person (never the token).
        error: String,
    },
}

impl LastRead {
    /// `never`, `succeeded` or `failed`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Succeeded { .. } => "succeeded",
            Self::Failed { .. } => "failed",
        }
    }
}

/// Whether the profile is Meta's current word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileState {
    /// The last read succeeded.
    Known,
    /// Never read, or the last read failed: the values are the last known ones, if any.
    Unknown,
}

impl ProfileState {
    /// `known` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Known => "known",
            Self::Unknown => "unknown",
        }
    }
}

open_enum! {
    /// `phone_number_name_update.decision`.
    pub enum NameDecision {
        /// The name was approved: `name_status` becomes `APPROVED`.
        Approved = "APPROVED",
        /// The name was rejected: `name_status` becomes `DECLINED` (Meta's display-name page).
        Rejected = "REJECTED",
    }
}

impl NameDecision {
    /// The `name_status` Meta reports after this decision; `None`: the decision says nothing of
    /// it (an unknown decision).
    pub fn name_status(&self) -> Option<NameStatus> {
        match self {
            Self::Approved => Some(NameStatus::Approved),
            Self::Rejected => Some(NameStatus::Declined),
            Self::Other(_) => None,
        }
    }
}

/// The last `phone_number_name_update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameReview {
    /// `decision`, as sent.
    pub decision: String,
    /// `requested_verified_name`.
    pub requested_verified_name: Option<String>,
    /// `rejection_reason` (`NAME_FORMAT_UNACCEPTABLE`, ...); none when approved.
    pub rejection_reason: Option<String>,
    /// When the gateway received it.
    pub at: UnixMs,
}

/// The last `phone_number_quality_update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityNote {
    /// `event` as sent: `FLAGGED`, `UNFLAGGED`, `ONBOARDING`, `THROUGHPUT_UPGRADE`, ...
    pub event: Option<String>,
    /// The messaging limit: `max_daily_conversations_per_business`, or the older
    /// `current_limit` (which Meta is removing).
    pub messaging_limit: Option<String>,
    /// When the gateway received it.
    pub at: UnixMs,
}

/// One business number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberState {
    /// Meta's id of the number.
    pub phone_number_id: String,
    /// Its business account, from `[[numbers]]` or a webhook's `entry[].id`.
    pub waba_id: Option<String>,
    /// Whether `[[numbers]]` lists it (otherwise it was seen in a webhook).
    pub configured: bool,
    /// The number as configured or seen in a webhook (Meta's own spelling is in the profile).
    pub display_phone_number: Option<String>,
    /// The last known profile; webhooks update it between reads.
    pub profile: NumberProfile,
    /// How the last read went.
    pub last_read: LastRead,
    /// The last display name decision.
    pub name_review: Option<NameReview>,
    /// The last quality or messaging limit change.
    pub quality: Option<QualityNote>,
    /// When the account said the number left this provider (until it says it is back).
    pub moved_away: Option<UnixMs>,
}

impl NumberState {
    /// A number nothing is known of yet.
    pub fn new(phone_number_id: &str) -> Self {
        Self {
            phone_number_id: phone_number_id.to_owned(),
            waba_id: None,
            configured: false,
            display_phone_number: None,
            profile: NumberProfile::default(),
            last_read: LastRead::Never,
            name_review: None,
            quality: None,
            moved_away: None,
        }
    }

    /// Whether the profile is Meta's current word.
    pub fn profile_state(&self) -> ProfileState {
        match self.last_read {
            LastRead::Succeeded { .. } => ProfileState::Known,
            LastRead::Never | LastRead::Failed { .. } => ProfileState::Unknown,
        }
    }

    /// The problems the last known profile and the account's webhooks show.
    pub fn problems(&self) -> Vec<NumberProblem> {
        problems_with(&self.profile, self.moved_away.is_some())
    }

    /// Whether `number` (in any of Meta's spellings) is this number.
    pub(super) fn is_number(&self, number: &str) -> bool {
        let wanted = phone_digits(number);
        !wanted.is_empty()
            && [
                self.profile.display_phone_number.as_deref(),
                self.display_phone_number.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|known| phone_digits(known) == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_unknown_until_a_read_succeeds() {
        let mut state = NumberState::new("106540352242922");
        assert_eq!(state.profile_state(), ProfileState::Unknown);
        assert_eq!(state.last_read.as_str(), "never");
        state.last_read = LastRead::Succeeded { at: 5 };
        assert_eq!(state.profile_state().as_str(), "known");
        state.last_read = LastRead::Failed {
            at: 6,
            error: "no answer".into(),
        };
        assert_eq!(state.profile_state(), ProfileState::Unknown);
    }

    #[test]
    fn decisions_set_the_name_status_meta_reports() {
        assert_eq!(
            NameDecision::from_wire("REJECTED").name_status(),
            Some(NameStatus::Declined)
        );
        assert_eq!(
            NameDecision::from_wire("APPROVED").name_status(),
            Some(NameStatus::Approved)
        );
        assert_eq!(NameDecision::from_wire("DEFERRED").name_status(), None);
    }

    #[test]
    fn the_number_matches_in_either_spelling() {
        let mut state = NumberState::new("1");
        assert!(!state.is_number("16315555555"));
        state.profile.display_phone_number = Some("+1 631-555-5555".into());
        assert!(state.is_number("16315555555"));
        assert!(!state.is_number("16315555556"));
        assert!(!state.is_number(""));
    }
}
