//! Markets: the country a message is priced in, and how a recipient's market is told.
//!
//! Meta prices a message by "the recipient WhatsApp phone number's country calling code". A
//! [`Market`] is that country as an ISO 3166-1 alpha-2 code. [`market_of`] finds it:
//! - from the phone number, by its country calling code ([`calling_codes`](super::calling_codes));
//!   for +1 the area code decides, from the NANP table of [`crate::policy::nanp`]: US, Canada, a
//!   US territory or another NANP country (Puerto Rico is `PR`, Jamaica `JM`), and an area code
//!   missing from that table gives no market;
//! - otherwise from the business-scoped user id (BSUID), which starts with the user's country
//!   (`US.13491208655302741918`, a parent BSUID `US.ENT.…`).

use std::fmt;
use std::str::FromStr;

use super::calling_codes::country_of_calling_code;
use crate::policy::nanp::{NanpRegion, classify};

/// A market: an ISO 3166-1 alpha-2 country code, two capital ASCII letters (`DE`, `US`, `PR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Market([u8; 2]);

/// Text that is not two ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a market: a market is an ISO 3166-1 alpha-2 country code, two letters such as DE or US"
)]
pub struct NotAMarket(pub String);

impl Market {
    /// The market of two ASCII letters, in either case; `None` for anything else.
    pub fn new(code: &str) -> Option<Self> {
        match code.as_bytes() {
            [first, second] if first.is_ascii_alphabetic() && second.is_ascii_alphabetic() => {
                Some(Self([
                    first.to_ascii_uppercase(),
                    second.to_ascii_uppercase(),
                ]))
            }
            _ => None,
        }
    }

    /// The code in capitals, e.g. `DE`.
    pub fn as_str(&self) -> &str {
        // Always two ASCII capitals (see `new`), so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The market a business-scoped user id names: the letters before its first `.`
    /// (`US.13491208655302741918` and the parent id `US.ENT.…` are both `US`); `None` if the id
    /// does not start that way or has nothing after the dot.
    pub fn from_bsuid(bsuid: &str) -> Option<Self> {
        let (country, rest) = bsuid.trim().split_once('.')?;
        if rest.is_empty() {
            return None;
        }
        Self::new(country)
    }

    /// The market of a phone number in international form, as WhatsApp gives it (`4915123456789`,
    /// an optional leading `+`): by the longest listed country calling code, and for +1 by the
    /// area code. `None` for anything that is not 4 to 15 digits, an unlisted calling code, or a
    /// +1 number whose area code is not in the NANP table.
    pub fn from_phone(number: &str) -> Option<Self> {
        let number = number.trim();
        let digits = number.strip_prefix('+').unwrap_or(number);
        let plausible =
            (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if !plausible {
            return None;
        }
        if digits.starts_with('1') {
            return match classify(digits) {
                NanpRegion::UnitedStates(area)
                | NanpRegion::Canada(area)
                | NanpRegion::UsTerritory(area)
                | NanpRegion::OtherNanp(area) => Self::new(area.country),
                NanpRegion::NotNanp | NanpRegion::Unknown(_) => None,
            };
        }
        country_of_calling_code(digits)
    }
}

/// The market a message to this recipient is priced in: from the phone number when it tells
/// one, else from the BSUID's country prefix. `None` when neither does.
pub fn market_of(phone: Option<&str>, bsuid: Option<&str>) -> Option<Market> {
    phone
        .and_then(Market::from_phone)
        .or_else(|| bsuid.and_then(Market::from_bsuid))
}

impl FromStr for Market {
    type Err = NotAMarket;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text.trim()).ok_or_else(|| NotAMarket(text.to_owned()))
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serde_as_text!(Market);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn market(code: &str) -> Market {
        Market::new(code).unwrap()
    }

    #[test]
    fn markets_are_two_letters_in_any_case_shown_in_capitals() {
        assert_eq!(market("de").to_string(), "DE");
        assert_eq!(market("Us"), market("US"));
        assert_eq!(" gb ".parse::<Market>(), Ok(market("GB")));
        for bad in ["", "D", "DEU", "D1", "1D", "É", "D-"] {
            assert_eq!(Market::new(bad), None, "{bad:?}");
            assert!(bad.parse::<Market>().is_err(), "{bad:?}");
        }
        let error = "D1".parse::<Market>().unwrap_err().to_string();
        assert!(
            error.contains("`D1`") && error.contains("ISO 3166-1"),
            "{error}"
        );
    }

    #[test]
    fn markets_serialize_as_their_code() {
        let json = serde_json::to_string(&market("br")).unwrap();
        assert_eq!(json, "\"BR\"");
        assert_eq!(
            serde_json::from_str::<Market>("\"br\"").unwrap(),
            market("BR")
        );
        assert!(serde_json::from_str::<Market>("\"BRA\"").is_err());
        let bytes = postcard::to_allocvec(&market("IN")).unwrap();
        assert_eq!(
            postcard::from_bytes::<Market>(&bytes).unwrap(),
            market("IN")
        );
    }

    #[test]
    fn phone_numbers_are_placed_by_calling_code() {
        for (number, country) in [
            ("4915123456789", "DE"),
            ("+4915123456789", "DE"),
            ("819012345678", "JP"),
            ("447700900123", "GB"),
            ("919876543210", "IN"),
            ("5215512345678", "MX"),
            ("5511987654321", "BR"),
            ("6281234567890", "ID"),
            ("2348012345678", "NG"),
            ("971501234567", "AE"),
            ("27821234567", "ZA"),
            ("79161234567", "RU"),
            ("77011234567", "KZ"),
            ("76012345678", "KZ"),
            ("38344123456", "XK"),
            ("5999123456", "CW"),
        ] {
            assert_eq!(
                Market::from_phone(number),
                Some(market(country)),
                "{number}"
            );
        }
    }

    #[test]
    fn plus_one_numbers_are_placed_by_area_code() {
        for (number, country) in [
            ("14155550123", "US"),
            ("+14165550123", "CA"),
            ("17875550123", "PR"),
            ("13405550123", "VI"),
            ("18765550123", "JM"),
            ("18095550123", "DO"),
        ] {
            assert_eq!(
                Market::from_phone(number),
                Some(market(country)),
                "{number}"
            );
        }
        // Toll-free (not geographic), too short, and unassigned numbers have no market.
        assert_eq!(Market::from_phone("18005550123"), None);
        assert_eq!(Market::from_phone("1415555012"), None);
    }

    #[test]
    fn what_is_not_a_number_has_no_market() {
        for bad in [
            "",
            "+",
            "49",
            "abc",
            "49 151 2345",
            "4915-123",
            "1234567890123456",
            "++49151",
        ] {
            assert_eq!(Market::from_phone(bad), None, "{bad:?}");
        }
        // +0 and the non-geographic +800 are assigned to no country.
        assert_eq!(Market::from_phone("012345678"), None);
        assert_eq!(Market::from_phone("80012345678"), None);
    }

    #[test]
    fn bsuids_name_their_country() {
        assert_eq!(
            Market::from_bsuid("US.13491208655302741918"),
            Some(market("US"))
        );
        assert_eq!(
            Market::from_bsuid("US.ENT.13491208655302741918"),
            Some(market("US"))
        );
        assert_eq!(Market::from_bsuid("br.123"), Some(market("BR")));
        for bad in ["", "US", "US.", "USA.123", ".123", "1.2"] {
            assert_eq!(Market::from_bsuid(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_phone_wins_and_the_bsuid_fills_in() {
        let bsuid = Some("BR.13491208655302741918");
        assert_eq!(market_of(Some("4915123456789"), bsuid), Some(market("DE")));
        assert_eq!(market_of(None, bsuid), Some(market("BR")));
        // A number that tells nothing (an unlisted +1 area code) leaves it to the BSUID.
        assert_eq!(market_of(Some("18005550123"), bsuid), Some(market("BR")));
        assert_eq!(market_of(Some("18005550123"), None), None);
        assert_eq!(market_of(None, None), None);
    }
}
