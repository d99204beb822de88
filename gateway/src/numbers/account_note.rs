//! What an `account_update` webhook says about a business account (WABA), kept as a note with a
//! remedy when a person must act, and what it means for the account's numbers.
//!
//! The events and their detail members are from Meta's `account_update` reference:
//! `ACCOUNT_RESTRICTION` (`restriction_info[]`), `ACCOUNT_VIOLATION` (`violation_info`),
//! `DISABLED_UPDATE` (`ban_info.waba_ban_state`), `PARTNER_REMOVED`
//! (`disconnection_info.reason`), `ACCOUNT_OFFBOARDED` and `ACCOUNT_RECONNECTED` (a number
//! moving between providers), `ACCOUNT_DELETED`, and informational ones (`PARTNER_ADDED`,
//! `VOLUME_BASED_PRICING_TIER_UPDATE`, ...). [`NOTE_RULES`] is the one table of what each
//! means.

use serde_json::Value;

use crate::meta::AccountUpdate;
use crate::meta::open_enum::open_enum;
use crate::time::UnixMs;

open_enum! {
    /// `account_update.event`, for the events the gateway acts on; the others stay `Other`.
    pub enum AccountUpdateKind {
        /// The account was deleted.
        AccountDeleted = "ACCOUNT_DELETED",
        /// Meta restricted what the account may do (`restriction_info[]`).
        AccountRestriction = "ACCOUNT_RESTRICTION",
        /// Meta found a policy violation (`violation_info`).
        AccountViolation = "ACCOUNT_VIOLATION",
        /// The account was disabled, scheduled for it or reinstated (`ban_info.waba_ban_state`).
        DisabledUpdate = "DISABLED_UPDATE",
        /// A partner (solution provider) was added to the account.
        PartnerAdded = "PARTNER_ADDED",
        /// The partner was removed (`disconnection_info.reason`).
        PartnerRemoved = "PARTNER_REMOVED",
        /// The account left this provider (migrated to another).
        AccountOffboarded = "ACCOUNT_OFFBOARDED",
        /// The account came back.
        AccountReconnected = "ACCOUNT_RECONNECTED",
    }
}

/// What an event means for the numbers it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberEffect {
    /// Nothing changes for them.
    None,
    /// They left this provider: configured elsewhere.
    MovedAway,
    /// They are back with this provider.
    Returned,
}

impl NumberEffect {
    /// Its name in logs: `none`, `moved_away`, `returned`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::MovedAway => "moved_away",
            Self::Returned => "returned",
        }
    }
}

/// One row: an event (and, when given, its detail value), its remedy and its effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRule {
    /// The event.
    pub event: AccountUpdateKind,
    /// The detail value this row is for; `None`: any.
    pub detail: Option<&'static str>,
    /// What a person does about it; `None`: nothing to do.
    pub remedy: Option<&'static str>,
    /// What it means for the numbers concerned.
    pub effect: NumberEffect,
}

const fn rule(
    event: AccountUpdateKind,
    detail: Option<&'static str>,
    remedy: Option<&'static str>,
    effect: NumberEffect,
) -> NoteRule {
    NoteRule {
        event,
        detail,
        remedy,
        effect,
    }
}

/// Every event the gateway acts on. The first matching row wins, so a row for one detail value
/// comes before its event's row for any value. An event without a row is informational.
pub const NOTE_RULES: &[NoteRule] = &[
    rule(
        AccountUpdateKind::AccountRestriction,
        None,
        Some(
            "Meta restricted the business account: read the restriction in WhatsApp Manager \
             (account quality), and wait for it to end or appeal it there.",
        ),
        NumberEffect::None,
    ),
    rule(
        AccountUpdateKind::AccountViolation,
        None,
        Some(
            "Meta found a policy violation on the business account: read it in WhatsApp Manager \
             (account quality), and correct what it names or appeal it there.",
        ),
        NumberEffect::None,
    ),
    // Meta's ban states include REINSTATE, which ends a ban.
    rule(
        AccountUpdateKind::DisabledUpdate,
        Some("REINSTATE"),
        None,
        NumberEffect::None,
    ),
    rule(
        AccountUpdateKind::DisabledUpdate,
        None,
        Some(
            "Meta disabled the business account (or will) for breaking its policies: request a \
             review in WhatsApp Manager (account quality).",
        ),
        NumberEffect::None,
    ),
    rule(
        AccountUpdateKind::AccountDeleted,
        None,
        Some(
            "The business account was deleted at Meta: connect a current account and configure \
             its numbers in [[numbers]].",
        ),
        NumberEffect::None,
    ),
    rule(
        AccountUpdateKind::AccountOffboarded,
        None,
        Some(
            "The business account moved to another provider: connect it to this gateway again, \
             or remove its numbers from [[numbers]].",
        ),
        NumberEffect::MovedAway,
    ),
    rule(
        AccountUpdateKind::PartnerRemoved,
        Some("USER_RE_REGISTERED"),
        Some(
            "The number was registered again in the WhatsApp Business app: remove it there, \
             then connect it to this gateway again.",
        ),
        NumberEffect::MovedAway,
    ),
    rule(
        AccountUpdateKind::PartnerRemoved,
        None,
        Some(
            "The business account was disconnected from this provider (the reason is in the \
             note): connect it again through Meta's signup.",
        ),
        NumberEffect::None,
    ),
    rule(
        AccountUpdateKind::AccountReconnected,
        None,
        None,
        NumberEffect::Returned,
    ),
    rule(
        AccountUpdateKind::PartnerAdded,
        None,
        None,
        NumberEffect::Returned,
    ),
];

/// One `account_update` of a business account, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountNote {
    /// The business account (`entry[].id`).
    pub waba_id: String,
    /// The number concerned, when the event names one (`phone_number`).
    pub phone_number: Option<String>,
    /// `event`, as sent.
    pub event: String,
    /// The event's detail value, when it has one: `ban_info.waba_ban_state`,
    /// `disconnection_info.reason`, `restriction_info[0].restriction_type` or
    /// `violation_info.violation_type`.
    pub detail: Option<String>,
    /// When the gateway received it.
    pub at: UnixMs,
}

impl AccountNote {
    /// The note for `update` of account `waba_id`, received at `now`.
    pub fn new(waba_id: &str, update: &AccountUpdate, now: UnixMs) -> Self {
        let member = |path: &[&str]| {
            let mut value = update
                .extra
                .get(path.first().copied().unwrap_or_default())?;
            for step in path.iter().skip(1) {
                value = match value {
                    Value::Array(items) => items.first()?.get(step)?,
                    other => other.get(step)?,
                };
            }
            value.as_str().map(str::to_owned)
        };
        let detail = member(&["ban_info", "waba_ban_state"])
            .or_else(|| member(&["disconnection_info", "reason"]))
            .or_else(|| member(&["restriction_info", "restriction_type"]))
            .or_else(|| member(&["violation_info", "violation_type"]));
        Self {
            waba_id: waba_id.to_owned(),
            phone_number: update.phone_number.clone(),
            event: update.event.clone().unwrap_or_default(),
            detail,
            at: now,
        }
    }

    /// [`Self::event`], typed.
    pub fn kind(&self) -> AccountUpdateKind {
        AccountUpdateKind::from_wire(&self.event)
    }

    fn rule(&self) -> Option<&'static NoteRule> {
        let kind = self.kind();
        NOTE_RULES.iter().find(|rule| {
            rule.event == kind
                && rule
                    .detail
                    .is_none_or(|d| self.detail.as_deref() == Some(d))
        })
    }

    /// What a person does about it; `None`: it is informational.
    pub fn remedy(&self) -> Option<&'static str> {
        self.rule().and_then(|rule| rule.remedy)
    }

    /// What it means for the numbers it concerns.
    pub fn effect(&self) -> NumberEffect {
        self.rule().map_or(NumberEffect::None, |rule| rule.effect)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn note(value: &str) -> AccountNote {
        let update: AccountUpdate = serde_json::from_str(value).unwrap();
        AccountNote::new("102290129340398", &update, 1_000)
    }

    #[test]
    fn a_ban_is_noted_with_a_remedy_and_a_reinstatement_without() {
        let ban = note(
            r#"{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"2026-01-01"}}"#,
        );
        assert_eq!(ban.kind(), AccountUpdateKind::DisabledUpdate);
        assert_eq!(ban.detail.as_deref(), Some("DISABLE"));
        assert!(ban.remedy().unwrap().contains("request a review"));
        assert_eq!(ban.effect(), NumberEffect::None);
        let back = note(r#"{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"REINSTATE"}}"#);
        assert_eq!(back.remedy(), None);
    }

    #[test]
    fn a_restriction_reads_its_first_entry() {
        let restricted = note(
            r#"{"event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"RESTRICTED_ADD_PHONE_NUMBER_ACTION","expiration":1700000000}]}"#,
        );
        assert_eq!(
            restricted.detail.as_deref(),
            Some("RESTRICTED_ADD_PHONE_NUMBER_ACTION")
        );
        assert!(restricted.remedy().is_some());
        assert_eq!(
            (restricted.waba_id.as_str(), restricted.at),
            ("102290129340398", 1_000)
        );
    }

    #[test]
    fn leaving_and_returning_move_the_numbers() {
        assert_eq!(
            note(r#"{"event":"ACCOUNT_OFFBOARDED"}"#).effect(),
            NumberEffect::MovedAway
        );
        let re_registered = note(
            r#"{"event":"PARTNER_REMOVED","phone_number":"15550001111","disconnection_info":{"reason":"USER_RE_REGISTERED"}}"#,
        );
        assert_eq!(re_registered.effect(), NumberEffect::MovedAway);
        assert_eq!(re_registered.phone_number.as_deref(), Some("15550001111"));
        let inactive = note(
            r#"{"event":"PARTNER_REMOVED","disconnection_info":{"reason":"PRIMARY_INACTIVITY"}}"#,
        );
        assert_eq!(inactive.effect(), NumberEffect::None);
        assert!(inactive.remedy().unwrap().contains("disconnected"));
        assert_eq!(
            note(r#"{"event":"ACCOUNT_RECONNECTED"}"#).effect(),
            NumberEffect::Returned
        );
    }

    #[test]
    fn other_events_are_informational() {
        let tier = note(r#"{"event":"VOLUME_BASED_PRICING_TIER_UPDATE","volume_tier_info":{}}"#);
        assert_eq!((tier.remedy(), tier.effect()), (None, NumberEffect::None));
        assert_eq!(tier.kind().as_str(), "VOLUME_BASED_PRICING_TIER_UPDATE");
        assert_eq!(note("{}").event, "");
    }
}
