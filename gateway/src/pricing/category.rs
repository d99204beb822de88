//! Pricing categories: the rows of the rate card, and what a status webhook settled.
//!
//! A [`PricingCategory`] is one of the five the gateway prices messages by. What Meta reports
//! in a status webhook's `pricing.category` is an open set that grows (`marketing_lite`,
//! `group_service`, `general_purpose_ai`, `referral_conversion`, ...): a [`SettledCategory`]
//! keeps it as Meta wrote it, and never fails to read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::policy::TemplateCategory;

/// A category the rate card has rates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PricingCategory {
    /// `marketing` templates.
    Marketing,
    /// `utility` templates.
    Utility,
    /// `authentication` templates (one-time passcodes).
    Authentication,
    /// `authentication_international`: the rate some markets charge for authentication templates
    /// from a business in another country. Rows may carry it; estimates use `authentication`
    /// (see [`estimate`](super::estimate)).
    AuthenticationInternational,
    /// `service`: non-template (free-form) messages inside the customer-service window.
    Service,
}

/// Text that names no pricing category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a pricing category: use marketing, utility, authentication, \
     authentication_international or service"
)]
pub struct UnknownPricingCategory(pub String);

impl PricingCategory {
    /// Every category, in the rate card's order.
    pub const ALL: [Self; 5] = [
        Self::Marketing,
        Self::Utility,
        Self::Authentication,
        Self::AuthenticationInternational,
        Self::Service,
    ];

    /// The wire name: `marketing`, `utility`, `authentication`, `authentication_international`,
    /// `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "marketing",
            Self::Utility => "utility",
            Self::Authentication => "authentication",
            Self::AuthenticationInternational => "authentication_international",
            Self::Service => "service",
        }
    }

    /// Reads a wire name, ignoring ASCII case and surrounding space, and taking `-` for `_`
    /// (Meta writes `authentication-international` in status webhooks).
    pub fn from_wire(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL.into_iter().find(|category| {
            let name = category.as_str().as_bytes();
            name.len() == text.len()
                && name
                    .iter()
                    .zip(text.bytes())
                    .all(|(&n, t)| n == t.to_ascii_lowercase() || (n == b'_' && t == b'-'))
        })
    }
}

impl From<TemplateCategory> for PricingCategory {
    fn from(category: TemplateCategory) -> Self {
        match category {
            TemplateCategory::Marketing => Self::Marketing,
            TemplateCategory::Utility => Self::Utility,
            TemplateCategory::Authentication => Self::Authentication,
        }
    }
}

impl FromStr for PricingCategory {
    type Err = UnknownPricingCategory;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_wire(text).ok_or_else(|| UnknownPricingCategory(text.to_owned()))
    }
}

impl fmt::Display for PricingCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serde_as_text!(PricingCategory);

/// The `pricing.category` of a status webhook, exactly as Meta wrote it. Any text is kept:
/// the set grows without notice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SettledCategory(pub String);

impl SettledCategory {
    /// The raw value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The pricing category it is, if it is one of the five (`authentication-international`
    /// included); `None` for the others (`marketing_lite`, `referral_conversion`, ...).
    pub fn known(&self) -> Option<PricingCategory> {
        PricingCategory::from_wire(&self.0)
    }
}

impl From<&str> for SettledCategory {
    fn from(raw: &str) -> Self {
        Self(raw.to_owned())
    }
}

impl fmt::Display for SettledCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn wire_names_round_trip_in_any_case() {
        for category in PricingCategory::ALL {
            assert_eq!(
                PricingCategory::from_wire(category.as_str()),
                Some(category)
            );
            let upper = category.as_str().to_ascii_uppercase();
            assert_eq!(upper.parse::<PricingCategory>(), Ok(category));
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{category}\""));
            assert_eq!(
                serde_json::from_str::<PricingCategory>(&json).unwrap(),
                category
            );
        }
        assert_eq!(
            PricingCategory::from_wire(" Authentication-International "),
            Some(PricingCategory::AuthenticationInternational)
        );
    }

    #[test]
    fn other_names_are_refused_with_the_choices() {
        for bad in [
            "",
            "market",
            "marketing_lite",
            "service-",
            "utility_",
            "auth",
            "servic",
        ] {
            assert_eq!(PricingCategory::from_wire(bad), None, "{bad:?}");
        }
        let error = "group_service"
            .parse::<PricingCategory>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`group_service`") && error.contains("authentication_international")
        );
        assert!(serde_json::from_str::<PricingCategory>("\"referral_conversion\"").is_err());
    }

    #[test]
    fn template_categories_map_to_their_pricing_category() {
        assert_eq!(
            PricingCategory::from(TemplateCategory::Marketing),
            PricingCategory::Marketing
        );
        assert_eq!(
            PricingCategory::from(TemplateCategory::Utility),
            PricingCategory::Utility
        );
        assert_eq!(
            PricingCategory::from(TemplateCategory::Authentication),
            PricingCategory::Authentication
        );
    }

    #[test]
    fn settled_categories_keep_any_text() {
        for raw in [
            "marketing_lite",
            "group_service",
            "general_purpose_ai",
            "referral_conversion",
            "",
        ] {
            let settled = SettledCategory::from(raw);
            assert_eq!(settled.as_str(), raw);
            assert_eq!(settled.known(), None);
            let json = serde_json::to_string(&settled).unwrap();
            assert_eq!(json, format!("\"{raw}\""));
            assert_eq!(
                serde_json::from_str::<SettledCategory>(&json).unwrap(),
                settled
            );
        }
        assert_eq!(
            SettledCategory::from("authentication-international").known(),
            Some(PricingCategory::AuthenticationInternational)
        );
        assert_eq!(
            SettledCategory::from("service").known(),
            Some(PricingCategory::Service)
        );
    }
}
