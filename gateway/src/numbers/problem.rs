//! The five phone-number errors of the product brief's number page, each with its reason and a
//! remedy a shop operator can act on, and the states of Meta's that signal each one.
//!
//! Two tables, each read by every lookup: [`PROBLEMS`] holds the texts, [`SIGNALS`] which of
//! Meta's states means which problem. Sources of the signals (Meta's phone-number fields, the
//! display-name page, the error codes):
//! - `name_status=DECLINED`: Meta's display-name page, "a rejection sends a webhook with
//!   `decision=REJECTED` and sets `name_status=DECLINED`" → name rejected.
//! - `name_status=PENDING_REVIEW` → name approval pending. `NONE` (no name submitted),
//!   `EXPIRED` and the approved states are not one of the five.
//! - `code_verification_status=NOT_VERIFIED` or `EXPIRED`: "Only phone numbers with a VERIFIED
//!   status can be registered" → OTP verification pending.
//! - `platform_type=ON_PREMISE`: the number is registered with the On-Premises API, which some
//!   other system runs → configured elsewhere. So is a number the account says left this
//!   provider (`account_update` `ACCOUNT_OFFBOARDED`, or `PARTNER_REMOVED` because the user
//!   re-registered it; see [`super::account_note`]).
//! - `platform_type=NOT_APPLICABLE` (registered with no platform) and the send error 131045
//!   ("phone number registration error", formerly titled "Incorrect certificate"): Meta has no
//!   certificate for the number → certificate not found. Meta documents no Cloud API
//!   "certificate not found" code; these are the states that mean it.

use super::profile::{CodeVerificationStatus, NameStatus, NumberProfile, PlatformType};

/// One of the brief's five phone-number errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NumberProblem {
    /// Meta rejected the display name.
    NameRejected,
    /// Meta has no certificate for the number.
    CertificateNotFound,
    /// The number's verification by code (OTP) is not done.
    OtpVerificationPending,
    /// The number is set up on another service or provider.
    ConfiguredElsewhere,
    /// Meta is still reviewing the display name.
    NameApprovalPending,
}

/// The texts of one problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemText {
    /// The problem.
    pub problem: NumberProblem,
    /// Its name in the API and the log.
    pub name: &'static str,
    /// What is wrong, for a person.
    pub reason: &'static str,
    /// What a shop operator does about it.
    pub remedy: &'static str,
}

/// The five problems' texts, from the brief's list of common phone-number errors.
pub const PROBLEMS: &[ProblemText] = &[
    ProblemText {
        problem: NumberProblem::NameRejected,
        name: "name_rejected",
        reason: "Meta rejected the number's display name: it does not follow the WhatsApp \
                 Business display name guidelines.",
        remedy: "Read the WhatsApp Business display name guidelines, change the display name in \
                 WhatsApp Manager so that it follows them, and submit it again.",
    },
    ProblemText {
        problem: NumberProblem::CertificateNotFound,
        name: "certificate_not_found",
        reason: "Meta has no certificate for the number: it may still be connected to WhatsApp \
                 or another provider, its display name may have been rejected, or the account \
                 may have been disabled for breaking Meta's community guidelines.",
        remedy: "Remove the number from the WhatsApp app or the other provider and connect it \
                 again; if its display name was rejected, correct it per the display name \
                 guidelines; if the account was disabled, request a review in WhatsApp Manager.",
    },
    ProblemText {
        problem: NumberProblem::OtpVerificationPending,
        name: "otp_verification_pending",
        reason: "The number has not been verified with the code Meta sends by SMS or voice \
                 call, and it cannot message customers until it is.",
        remedy: "Verify the number with the code Meta sends by SMS or voice call (WhatsApp \
                 Manager, phone numbers), then register it again.",
    },
    ProblemText {
        problem: NumberProblem::ConfiguredElsewhere,
        name: "number_configured_elsewhere",
        reason: "The number is already set up with another service or provider.",
        remedy: "Remove the number from the other provider or service, then connect it to this \
                 gateway's business account again.",
    },
    ProblemText {
        problem: NumberProblem::NameApprovalPending,
        name: "name_approval_pending",
        reason: "Meta is still reviewing the display name chosen for the business account; it \
                 cannot be used until it is approved.",
        remedy: "Wait for Meta's review to finish; the name takes effect once it is approved.",
    },
];

impl NumberProblem {
    fn text(self) -> &'static ProblemText {
        PROBLEMS
            .iter()
            .find(|text| text.problem == self)
            .unwrap_or(&PROBLEMS[0])
    }

    /// Its name in the API and the log (`name_rejected`, ...).
    pub fn as_str(self) -> &'static str {
        self.text().name
    }

    /// What is wrong, for a person.
    pub fn reason(self) -> &'static str {
        self.text().reason
    }

    /// What a shop operator does about it.
    pub fn remedy(self) -> &'static str {
        self.text().remedy
    }

    /// The problem a refused send's `error.code` shows, if any (131045 → certificate not found).
    pub fn for_send_error(code: i64) -> Option<Self> {
        SIGNALS
            .iter()
            .find(|(signal, _)| *signal == Signal::SendError(code))
            .map(|(_, problem)| *problem)
    }
}

/// A state of Meta's that signals a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The profile's `name_status`.
    NameStatus(NameStatus),
    /// The profile's `code_verification_status`.
    CodeVerification(CodeVerificationStatus),
    /// The profile's `platform_type`.
    Platform(PlatformType),
    /// A refused send's `error.code`.
    SendError(i64),
    /// The account said the number left this provider.
    MovedAway,
}

/// Which state means which problem (see the module docs for the sources). A state may appear
/// once; a problem may have several states.
pub const SIGNALS: &[(Signal, NumberProblem)] = &[
    (
        Signal::NameStatus(NameStatus::Declined),
        NumberProblem::NameRejected,
    ),
    (
        Signal::NameStatus(NameStatus::PendingReview),
        NumberProblem::NameApprovalPending,
    ),
    (
        Signal::CodeVerification(CodeVerificationStatus::NotVerified),
        NumberProblem::OtpVerificationPending,
    ),
    (
        Signal::CodeVerification(CodeVerificationStatus::Expired),
        NumberProblem::OtpVerificationPending,
    ),
    (
        Signal::Platform(PlatformType::OnPremise),
        NumberProblem::ConfiguredElsewhere,
    ),
    (Signal::MovedAway, NumberProblem::ConfiguredElsewhere),
    (
        Signal::Platform(PlatformType::NotApplicable),
        NumberProblem::CertificateNotFound,
    ),
    (
        Signal::SendError(131_045),
        NumberProblem::CertificateNotFound,
    ),
];

/// The problems `profile` shows, each once, in [`NumberProblem`] order.
pub fn problems(profile: &NumberProfile) -> Vec<NumberProblem> {
    problems_with(profile, false)
}

/// The problems `profile` shows, and [`Signal::MovedAway`]'s when `moved_away`.
pub(super) fn problems_with(profile: &NumberProfile, moved_away: bool) -> Vec<NumberProblem> {
    let present = |signal: &Signal| match signal {
        Signal::NameStatus(status) => profile.name_status().as_ref() == Some(status),
        Signal::CodeVerification(status) => {
            profile.code_verification_status().as_ref() == Some(status)
        }
        Signal::Platform(platform) => profile.platform_type().as_ref() == Some(platform),
        Signal::SendError(_) => false,
        Signal::MovedAway => moved_away,
    };
    let mut found: Vec<NumberProblem> = SIGNALS
        .iter()
        .filter(|(signal, _)| present(signal))
        .map(|(_, problem)| *problem)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, code: &str, platform: &str) -> NumberProfile {
        NumberProfile {
            name_status: Some(name.into()),
            code_verification_status: Some(code.into()),
            platform_type: Some(platform.into()),
            ..NumberProfile::default()
        }
    }

    #[test]
    fn a_healthy_number_has_no_problem() {
        assert!(problems(&profile("APPROVED", "VERIFIED", "CLOUD_API")).is_empty());
        assert!(
            problems(&profile(
                "AVAILABLE_WITHOUT_REVIEW",
                "VERIFIED",
                "CLOUD_API"
            ))
            .is_empty()
        );
        assert!(problems(&profile("NONE", "VERIFIED", "CLOUD_API")).is_empty());
        assert!(problems(&NumberProfile::default()).is_empty());
    }

    #[test]
    fn each_state_maps_to_its_problem() {
        let cases = [
            (
                profile("DECLINED", "VERIFIED", "CLOUD_API"),
                NumberProblem::NameRejected,
            ),
            (
                profile("PENDING_REVIEW", "VERIFIED", "CLOUD_API"),
                NumberProblem::NameApprovalPending,
            ),
            (
                profile("APPROVED", "NOT_VERIFIED", "CLOUD_API"),
                NumberProblem::OtpVerificationPending,
            ),
            (
                profile("APPROVED", "EXPIRED", "CLOUD_API"),
                NumberProblem::OtpVerificationPending,
            ),
            (
                profile("APPROVED", "VERIFIED", "ON_PREMISE"),
                NumberProblem::ConfiguredElsewhere,
            ),
            (
                profile("APPROVED", "VERIFIED", "NOT_APPLICABLE"),
                NumberProblem::CertificateNotFound,
            ),
        ];
        for (profile, problem) in cases {
            assert_eq!(problems(&profile), vec![problem], "{profile:?}");
        }
    }

    #[test]
    fn several_states_give_several_problems_each_once() {
        let found = problems_with(&profile("DECLINED", "EXPIRED", "ON_PREMISE"), true);
        assert_eq!(
            found,
            vec![
                NumberProblem::NameRejected,
                NumberProblem::OtpVerificationPending,
                NumberProblem::ConfiguredElsewhere,
            ]
        );
    }

    #[test]
    fn unknown_values_are_no_problem() {
        assert!(problems(&profile("SOMETHING_NEW", "MAYBE", "SPACE")).is_empty());
    }

    #[test]
    fn the_registration_error_means_no_certificate() {
        assert_eq!(
            NumberProblem::for_send_error(131_045),
            Some(NumberProblem::CertificateNotFound)
        );
        assert_eq!(NumberProblem::for_send_error(190), None);
    }

    #[test]
    fn every_problem_has_its_own_texts() {
        let all = [
            NumberProblem::NameRejected,
            NumberProblem::CertificateNotFound,
            NumberProblem::OtpVerificationPending,
            NumberProblem::ConfiguredElsewhere,
            NumberProblem::NameApprovalPending,
        ];
        assert_eq!(PROBLEMS.len(), all.len());
        for problem in all {
            let text = PROBLEMS
                .iter()
                .filter(|text| text.problem == problem)
                .count();
            assert_eq!(text, 1, "{problem:?}");
            assert_eq!(problem.text().problem, problem);
            assert!(!problem.remedy().is_empty() && !problem.reason().is_empty());
        }
        assert_eq!(
            NumberProblem::OtpVerificationPending.as_str(),
            "otp_verification_pending"
        );
    }
}
