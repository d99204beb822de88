//! Meta's pause of marketing templates to US numbers.
//!
//! "Starting April 1, 2025, we will temporarily pause delivery of all marketing template
//! messages to WhatsApp users who have a United States phone number (a number composed of a +1
//! dialing code and a US area code)"; a send fails later, by webhook, with error 131049
//! (reference §6). The gateway refuses such a send before it leaves.
//!
//! What counts as a US number is decided by [`classify`]:
//! - a US area code (a state or DC): refused;
//! - Canada and the other NANP countries (Jamaica, the Dominican Republic, ...): allowed;
//! - a US territory (Puerto Rico, the US Virgin Islands, Guam, the Northern Mariana Islands,
//!   American Samoa): **refused**. Meta has not said whether the pause covers them; its pricing
//!   table lists Puerto Rico apart from the US, but "a US area code" can be read either way.
//!   Refusing costs a marketing message the operator can send another way; sending risks
//!   a 131049 failure, which Meta says to wait 24 h after and which repeated attempts extend.
//! - a recipient that cannot be placed (an area code missing from the table, a username or
//!   BSUID instead of a phone number): **refused** for the same reason, naming what is missing.
//!
//! Other categories are never affected.

use super::UnixMs;
use super::category::TemplateCategory;
use super::nanp::{AreaCode, NanpRegion, Unclassified, classify};

/// When the pause began: 2025-04-01T00:00:00Z (Meta gives the date only; the earliest reading
/// of it is taken).
pub const US_MARKETING_PAUSE_SINCE: UnixMs = 1_743_465_600_000;

/// Why a marketing template may not go to this number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PauseRefusal {
    /// The number is in the United States.
    #[error(
        "Meta has paused delivery of marketing templates to US numbers (+1 with a US area code) \
         since 2025-04-01; area code {} is in {} (US), so error 131049 would follow. Send a \
         utility template if the message is not marketing, or reach this customer another way",
        .0.code,
        .0.region
    )]
    UnitedStates(AreaCode),
    /// The number is in a US territory, which the pause may cover.
    #[error(
        "Meta has paused delivery of marketing templates to US numbers since 2025-04-01 and has \
         not said whether US territories count; area code {} is in {} ({}), so waygate refuses \
         rather than risk error 131049. Send a utility template if the message is not marketing",
        .0.code,
        .0.region,
        .0.country
    )]
    UsTerritory(AreaCode),
    /// The recipient cannot be placed, so it may be a US number.
    #[error(
        "Meta has paused delivery of marketing templates to US numbers since 2025-04-01, and \
         waygate cannot tell whether this recipient is one: {}",
        describe(*.0)
    )]
    Undetermined(Unclassified),
}

/// Whether a template of `category` may be sent to `number` at `now`, as far as the US
/// marketing pause goes.
pub fn check_marketing(
    number: &str,
    category: TemplateCategory,
    now: UnixMs,
) -> Result<(), PauseRefusal> {
    if category != TemplateCategory::Marketing || now < US_MARKETING_PAUSE_SINCE {
        return Ok(());
    }
    match classify(number) {
        NanpRegion::UnitedStates(area) => Err(PauseRefusal::UnitedStates(area)),
        NanpRegion::UsTerritory(area) => Err(PauseRefusal::UsTerritory(area)),
        NanpRegion::Unknown(why) => Err(PauseRefusal::Undetermined(why)),
        NanpRegion::Canada(_) | NanpRegion::OtherNanp(_) | NanpRegion::NotNanp => Ok(()),
    }
}

/// The second half of an [`PauseRefusal::Undetermined`] message.
fn describe(why: Unclassified) -> String {
    match why {
        Unclassified::UnlistedAreaCode(code) => format!(
            "+1 area code {code} is not in its area-code table (gateway/data/nanp_area_codes.csv). \
             If NANPA has assigned it, add it to the table"
        ),
        Unclassified::NotAPhoneNumber => "the recipient is not a phone number in international \
             form (a username or business-scoped user id has no area code)"
            .to_owned(),
        Unclassified::TableUnavailable => {
            "its area-code table failed to load; run `cargo test -p gateway nanp`".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    const NOW: UnixMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn marketing_to_us_numbers_is_refused_citing_the_pause() {
        for number in ["+1 415 555 0123", "12125550199"] {
            let refusal = check_marketing(number, TemplateCategory::Marketing, NOW).unwrap_err();
            assert!(matches!(refusal, PauseRefusal::UnitedStates(_)), "{number}");
        }
        let refusal =
            check_marketing("+14155550123", TemplateCategory::Marketing, NOW).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "Meta has paused delivery of marketing templates to US numbers (+1 with a US area \
             code) since 2025-04-01; area code 415 is in California (US), so error 131049 would \
             follow. Send a utility template if the message is not marketing, or reach this \
             customer another way"
        );
    }

    #[test]
    fn marketing_to_canada_the_caribbean_and_elsewhere_is_allowed() {
        for number in [
            "+1 416 555 0123", // Toronto
            "+1 604 555 0123", // Vancouver
            "+1 876 555 0123", // Jamaica
            "+1 809 555 0123", // Dominican Republic
            "+44 20 7946 0958",
        ] {
            assert_eq!(
                check_marketing(number, TemplateCategory::Marketing, NOW),
                Ok(()),
                "{number}"
            );
        }
    }

    #[test]
    fn marketing_to_us_territories_is_refused_as_a_precaution() {
        let refusal =
            check_marketing("+1 787 555 0123", TemplateCategory::Marketing, NOW).unwrap_err();
        assert!(matches!(refusal, PauseRefusal::UsTerritory(area) if area.country == "PR"));
        assert!(
            refusal
                .to_string()
                .contains("area code 787 is in Puerto Rico (PR)")
        );
    }

    #[test]
    fn marketing_to_an_unplaceable_recipient_is_refused_naming_why() {
        let unlisted =
            check_marketing("+1 555 555 0123", TemplateCategory::Marketing, NOW).unwrap_err();
        assert!(
            unlisted
                .to_string()
                .contains("+1 area code 555 is not in its area-code table")
        );
        let bsuid = check_marketing("US.13491208655302741918", TemplateCategory::Marketing, NOW)
            .unwrap_err();
        assert_eq!(
            bsuid,
            PauseRefusal::Undetermined(Unclassified::NotAPhoneNumber)
        );
    }

    #[test]
    fn other_categories_are_never_paused() {
        for category in [TemplateCategory::Utility, TemplateCategory::Authentication] {
            for number in ["+1 415 555 0123", "+1 787 555 0123", "US.1349"] {
                assert_eq!(check_marketing(number, category, NOW), Ok(()));
            }
        }
    }

    #[test]
    fn the_pause_starts_on_2025_04_01() {
        let us = "+1 415 555 0123";
        assert_eq!(
            check_marketing(
                us,
                TemplateCategory::Marketing,
                US_MARKETING_PAUSE_SINCE - 1
            ),
            Ok(())
        );
        assert!(
            check_marketing(us, TemplateCategory::Marketing, US_MARKETING_PAUSE_SINCE).is_err()
        );
        assert_eq!(
            super::super::Utc(US_MARKETING_PAUSE_SINCE).to_string(),
            "2025-04-01T00:00:00Z"
        );
    }
}
