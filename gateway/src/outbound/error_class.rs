//! What to do after Meta refused a send, keyed by the Graph API `error.code` (never the HTTP
//! status: a throughput error, 130429, comes back as HTTP 400).
//!
//! The rules are one table, [`RULES`]: each row names a code (or a range of codes), its
//! [`ErrorClass`], Meta's title and a remedy a shop operator can act on. Every lookup reads it.
//! A code missing from the table is [`ErrorClass::Never`]: a message is not resent on an error
//! nobody has judged; the shell logs such a code with the title Meta sent ([`is_known`]).

use crate::time::{Span, UnixMs};

/// What a refused send means for the message and for its business number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Transient: send the same message again after a capped exponential backoff with jitter
    /// ([`super::backoff::retry_delay_ms`]).
    Retry,
    /// Too many messages to this one recipient (131056): send again after the pair backoff
    /// ([`super::backoff::pair_backoff_ms`]), which delays only this recipient; other recipients
    /// of the same number keep going.
    PairRateLimited,
    /// This message will not go as it is: it fails, and the operator sees the remedy.
    Never,
    /// The business number (or its account) cannot send until a person fixes something: hold
    /// the number's queue, alert, and resume it after the fix. The message stays queued.
    Hold,
}

impl ErrorClass {
    /// The class of a send that got no answer from Meta (connection refused, DNS, TLS, a
    /// timeout): [`ErrorClass::Retry`].
    ///
    /// A timeout after the request was written may hide a send Meta accepted; resending it can
    /// deliver it twice. The shell sends `biz_opaque_callback_data` = the local id, so a later
    /// status webhook for the first attempt still finds the message (see
    /// [`super::message_state`]). A shell that prefers "at most once" marks such a send
    /// uncertain instead ([`super::Lanes::uncertain`]).
    pub const fn for_transport() -> Self {
        Self::Retry
    }

    /// The class's name in logs and in the API: `retry`, `pair_rate_limited`, `never`, `hold`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Retry => "retry",
            Self::PairRateLimited => "pair_rate_limited",
            Self::Never => "never",
            Self::Hold => "hold",
        }
    }
}

/// One row of the table: codes `first..=last`, what they mean and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRule {
    /// The first code the row covers.
    pub first: i64,
    /// The last code the row covers (equal to `first` for a single code).
    pub last: i64,
    /// What the gateway does.
    pub class: ErrorClass,
    /// Meta's title for the code (in short).
    pub title: &'static str,
    /// One sentence a shop operator can act on.
    pub remedy: &'static str,
}

const fn one(code: i64, class: ErrorClass, title: &'static str, remedy: &'static str) -> ErrorRule {
    ErrorRule {
        first: code,
        last: code,
        class,
        title,
        remedy,
    }
}

use ErrorClass::{Hold, Never, PairRateLimited, Retry};

/// Every code the gateway knows. Single codes come before the range that contains them (the
/// first matching row wins), so 132001 has its own remedy and 132099 the template range's.
/// Sources: Meta's error-code page and its 2026 changes (131037, 131062, 131064, 132018,
/// 137000; 131049 must not be retried within 24 h).
#[rustfmt::skip]
pub const RULES: &[ErrorRule] = &[
    // Retry: Meta or the network is busy or briefly down.
    one(2, Retry, "API service temporarily unavailable", "Meta's service was briefly unavailable; the gateway sends again by itself."),
    one(4, Retry, "API too many calls", "The app reached Meta's API call limit; the gateway sends again by itself, more slowly."),
    one(80007, Retry, "WhatsApp Business Account rate limit", "The WhatsApp Business account reached its rate limit; the gateway sends again by itself."),
    one(130429, Retry, "Throughput rate limit hit", "The number sent faster than Meta allows; the gateway sends again by itself (lower the number's messages per second if this repeats)."),
    one(131000, Retry, "Something went wrong", "Meta failed to send for an unknown reason; the gateway tries again by itself."),
    one(131016, Retry, "Service temporarily unavailable", "A Meta service was briefly unavailable; the gateway sends again by itself."),
    one(131057, Retry, "Account in maintenance mode", "The business account is in maintenance (for example a throughput upgrade, about a minute); the gateway sends again by itself."),
    one(133004, Retry, "Server temporarily unavailable", "Meta's server was briefly unavailable; the gateway sends again by itself."),
    // Back off one recipient.
    one(131056, PairRateLimited, "Pair rate limit hit", "Too many messages went to this customer in a short time; the gateway waits and sends again by itself."),
    // Hold the number and alert: a person must fix the account.
    one(0, Hold, "Authentication failed", "Meta could not authenticate the app: set a valid access token, then resume the number."),
    one(10, Hold, "Permission denied", "The app lacks a WhatsApp permission for this number: grant it in Meta Business settings, then resume the number."),
    one(190, Hold, "Access token expired or invalid", "The access token expired or is invalid: set a new one, then resume the number."),
    one(368, Hold, "Temporarily blocked for policy violations", "The business account is temporarily blocked for policy violations: check Meta Business Support, then resume the number when the block ends."),
    one(131005, Hold, "Access denied", "Permission to send was not granted or was removed: grant it in Meta Business settings, then resume the number."),
    one(131031, Hold, "Account locked", "The business account is locked or restricted: resolve it in Meta Business Support (policy, or a wrong two-step PIN), then resume the number."),
    one(131037, Hold, "Display name not approved", "This +1 555 number needs an approved display name before it can send: get it approved, then resume the number."),
    one(131042, Hold, "Payment problem", "There is a payment problem on the WhatsApp Business account (payment method, credit line, currency or time zone): fix billing, then resume the number."),
    one(131045, Hold, "Phone number registration error", "The phone number is not properly registered: register it again with Meta, then resume the number."),
    one(131064, Hold, "Messaging limit reduced", "Meta reduced the messaging limit for template classification violations: wait for the enforcement period to end, then resume the number."),
    one(133010, Hold, "Phone number not registered", "The phone number is not registered on the WhatsApp Business Platform: register it, then resume the number."),
    // Never: this message will not go as it is.
    one(131026, Never, "Message undeliverable", "The recipient cannot receive it (not on WhatsApp, an old app version, or Meta's terms not accepted); reach the customer another way."),
    one(131047, Never, "Re-engagement message", "The window closed; send a template."),
    one(131049, Never, "Marketing limited for this user", "Meta limited marketing to this user; wait 24 h before sending again, as retrying earlier extends the block."),
    one(131050, Never, "User stopped marketing messages", "The user stopped marketing messages from this business; do not send them marketing."),
    one(131051, Never, "Unsupported message type", "This message type is not supported; send it as text or another type."),
    one(131052, Never, "Media download error", "The media could not be downloaded; ask the customer to send it again."),
    one(131053, Never, "Media upload error", "The media could not be uploaded (unsupported or mismatched file type); send a supported file."),
    one(131062, Never, "BSUID recipient not supported", "This message cannot go to a business-scoped user id; send another message type or use the customer's phone number."),
    one(131063, Never, "Marketing templates disabled", "Marketing templates are disabled for this number on the Cloud API; enable them in WhatsApp Manager or send another category."),
    one(137000, Never, "Identity key mismatch", "The customer's identity key changed, so the message was not sent; write to the customer again."),
    one(132000, Never, "Template parameter count mismatch", "The template got a wrong number of parameters; fill in every placeholder."),
    one(132001, Never, "Template does not exist", "The template does not exist in this language or is not approved; pick an approved template."),
    one(132005, Never, "Template text too long", "The template's text with its parameters is too long; shorten the parameters."),
    one(132007, Never, "Template violates policy", "The template's content violates a WhatsApp policy; change the template or pick another."),
    one(132012, Never, "Template parameter format mismatch", "A template parameter is in the wrong format; correct the parameter values."),
    one(132015, Never, "Template paused", "The template is paused for low quality; edit it for re-approval or pick another."),
    one(132016, Never, "Template disabled", "The template is permanently disabled; create a new template."),
    one(132018, Never, "Template parameter problem", "A template parameter was rejected (see Meta's details); correct the parameters."),
    ErrorRule {
        first: 132_000,
        last: 132_999,
        class: Never,
        title: "Template error",
        remedy: "Meta rejected the template message; check the template and its parameters.",
    },
];

/// The remedy for a code the table does not know.
pub const UNKNOWN_REMEDY: &str =
    "Meta refused the message with an error the gateway does not know; see Meta's error details.";

/// How long after a 131049 failure the message may be sent again, even by an operator.
pub const MARKETING_LIMIT_WAIT: Span = Span::from_hours(24);

/// The code whose resend is barred for [`MARKETING_LIMIT_WAIT`].
pub const MARKETING_LIMITED: i64 = 131_049;

/// The table's row for `code`, if any.
pub fn rule(code: i64) -> Option<&'static ErrorRule> {
    RULES.iter().find(|r| (r.first..=r.last).contains(&code))
}

/// What to do after Meta refused a send with `code`; unknown codes are
/// [`ErrorClass::Never`].
pub fn classify(code: i64) -> ErrorClass {
    rule(code).map_or(Never, |r| r.class)
}

/// Whether the table has a rule for `code` (the shell logs unknown codes with Meta's title).
pub fn is_known(code: i64) -> bool {
    rule(code).is_some()
}

/// One sentence a shop operator can act on.
pub fn remedy(code: i64) -> &'static str {
    rule(code).map_or(UNKNOWN_REMEDY, |r| r.remedy)
}

/// Meta's title for `code` in short, if the table knows it.
pub fn title(code: i64) -> Option<&'static str> {
    rule(code).map(|r| r.title)
}

/// The earliest instant anyone, an operator included, may send again a message that failed
/// with `code` at `failed_at`: 24 h later for 131049 (Meta extends the block on earlier
/// retries); `None` when no wait applies.
pub fn earliest_manual_retry(code: i64, failed_at: UnixMs) -> Option<UnixMs> {
    (code == MARKETING_LIMITED).then(|| MARKETING_LIMIT_WAIT.after(failed_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classes the issue lists, code by code.
    const ISSUE: &[(i64, ErrorClass)] = &[
        (2, Retry),
        (4, Retry),
        (80007, Retry),
        (130429, Retry),
        (131000, Retry),
        (131016, Retry),
        (131057, Retry),
        (133004, Retry),
        (131056, PairRateLimited),
        (131026, Never),
        (131047, Never),
        (131050, Never),
        (131051, Never),
        (131052, Never),
        (131053, Never),
        (131062, Never),
        (132000, Never),
        (132001, Never),
        (132005, Never),
        (132007, Never),
        (132012, Never),
        (132015, Never),
        (132016, Never),
        (132018, Never),
        (132068, Never),
        (132999, Never),
        (137000, Never),
        (131049, Never),
        (0, Hold),
        (10, Hold),
        (190, Hold),
        (368, Hold),
        (131005, Hold),
        (131031, Hold),
        (131037, Hold),
        (131042, Hold),
        (131045, Hold),
        (131064, Hold),
        (133010, Hold),
    ];

    #[test]
    fn every_code_of_the_issue_has_its_class() {
        for &(code, class) in ISSUE {
            assert_eq!(classify(code), class, "code {code}");
            assert!(is_known(code), "code {code}");
        }
    }

    #[test]
    fn unknown_codes_never_retry_and_get_the_generic_remedy() {
        for code in [
            1,
            3,
            131_048,
            131_999,
            133_000,
            135_000,
            -1,
            i64::MAX,
            i64::MIN,
        ] {
            assert!(!is_known(code), "code {code}");
            assert_eq!(classify(code), Never, "code {code}");
            assert_eq!(remedy(code), UNKNOWN_REMEDY);
            assert_eq!(title(code), None);
        }
        // The edges of the template range.
        assert!(!is_known(131_999) && is_known(132_000) && is_known(132_999));
        assert!(!is_known(133_000));
    }

    #[test]
    fn each_single_code_has_exactly_one_row_and_a_remedy() {
        for (i, row) in RULES.iter().enumerate() {
            assert!(row.first <= row.last, "row {i}");
            assert!(
                row.remedy.ends_with('.') && !row.title.is_empty(),
                "row {i}"
            );
            // No row is shadowed by earlier ones: some code of it finds it.
            let reached = (row.first..=row.last).any(|code| rule(code) == Some(row));
            assert!(reached, "row {i} is shadowed");
            if row.first == row.last {
                let rows = RULES
                    .iter()
                    .filter(|r| r.first == r.last && r.first == row.first);
                assert_eq!(rows.count(), 1, "code {} listed twice", row.first);
            }
        }
    }

    #[test]
    fn remedies_say_what_the_issue_asks() {
        assert_eq!(remedy(131_047), "The window closed; send a template.");
        assert!(remedy(131_049).starts_with("Meta limited marketing to this user; wait 24 h"));
        assert!(remedy(190).contains("access token") && remedy(190).contains("resume"));
        assert!(remedy(131_042).contains("payment"));
        assert!(remedy(131_037).contains("+1 555") && remedy(131_037).contains("display name"));
        assert!(remedy(132_001).contains("does not exist"));
        assert!(remedy(132_050).contains("template"));
        assert!(remedy(131_056).contains("this customer"));
    }

    #[test]
    fn marketing_limited_waits_a_day_even_for_an_operator() {
        let failed_at: UnixMs = 1_800_000_000_000;
        assert_eq!(
            earliest_manual_retry(131_049, failed_at),
            Some(failed_at + 86_400_000)
        );
        assert_eq!(earliest_manual_retry(131_049, u64::MAX), Some(u64::MAX));
        for code in [131_047, 131_050, 130_429, 190, 0] {
            assert_eq!(earliest_manual_retry(code, failed_at), None, "code {code}");
        }
    }

    #[test]
    fn transport_failures_are_retried() {
        assert_eq!(ErrorClass::for_transport(), Retry);
        assert_eq!(PairRateLimited.as_str(), "pair_rate_limited");
    }
}
