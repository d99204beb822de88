//! Template categories: they decide the price of a template and whether the US pause applies.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A template's category, as Meta assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TemplateCategory {
    /// `MARKETING`: promotions, offers, announcements. Always charged (outside a free entry
    /// point window) and paused for US numbers.
    Marketing,
    /// `UTILITY`: updates about something the customer asked for. Free inside an open
    /// customer-service window.
    Utility,
    /// `AUTHENTICATION`: one-time passcodes. Charged outside a free entry point window.
    Authentication,
}

impl TemplateCategory {
    /// Meta's spelling: `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "MARKETING",
            Self::Utility => "UTILITY",
            Self::Authentication => "AUTHENTICATION",
        }
    }

    /// Reads Meta's spelling, ignoring ASCII case; `None` for anything else.
    pub fn from_wire(value: &str) -> Option<Self> {
        [Self::Marketing, Self::Utility, Self::Authentication]
            .into_iter()
            .find(|category| category.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

impl fmt::Display for TemplateCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TemplateCategory;

    #[test]
    fn reads_meta_spellings_and_nothing_else() {
        assert_eq!(
            TemplateCategory::from_wire("MARKETING"),
            Some(TemplateCategory::Marketing)
        );
        assert_eq!(
            TemplateCategory::from_wire("utility"),
            Some(TemplateCategory::Utility)
        );
        assert_eq!(
            TemplateCategory::from_wire("AUTHENTICATION"),
            Some(TemplateCategory::Authentication)
        );
        assert_eq!(TemplateCategory::from_wire("SERVICE"), None);
        assert_eq!(TemplateCategory::from_wire(""), None);
    }
}
