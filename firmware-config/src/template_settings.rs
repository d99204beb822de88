//! Message templates registered from the configuration ([`Template`]): what the gateway knows
//! about each before Meta's `message_template_status_update` and `template_category_update`
//! webhooks update it.

/// Most templates registered from the configuration (`[[templates]]`).
pub const MAX_TEMPLATES: usize = 64;
/// Longest template name, in bytes: Meta's limit of 512 characters (names are ASCII).
pub const TEMPLATE_NAME_CAPACITY: usize = 512;
/// Longest language code, in bytes (`en_US`, `pt_BR`, `fil`).
pub const LANGUAGE_CAPACITY: usize = 16;

/// A template's name at Meta ([`TEMPLATE_NAME_CAPACITY`] bytes of `[a-z0-9_]`).
pub type TemplateName = heapless::String<TEMPLATE_NAME_CAPACITY>;
/// A template's language code ([`LANGUAGE_CAPACITY`] bytes of ASCII letters and `_`).
pub type LanguageCode = heapless::String<LANGUAGE_CAPACITY>;

/// A template registered from the configuration. A name may have several languages; each
/// (name, language) pair is registered once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The name at Meta: 1 to 512 lowercase letters, digits and underscores.
    pub name: TemplateName,
    /// The language code: 2 to 16 ASCII letters and underscores, starting with a letter.
    pub language: LanguageCode,
    /// What Meta bills and restricts the template as.
    pub category: TemplateCategory,
    /// How many body parameters it takes ([`crate::limits::TEMPLATE_PARAMETERS`]).
    pub parameters: u32,
    /// Its status until a webhook updates it; only approved templates can be sent.
    pub status: TemplateStatus,
}

/// A template's category at Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateCategory {
    /// Transactional updates (TOML `"utility"`).
    Utility,
    /// Promotions (TOML `"marketing"`); paused for US numbers.
    Marketing,
    /// One-time passwords (TOML `"authentication"`).
    Authentication,
}

/// A template's status at Meta, as far as the configuration knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TemplateStatus {
    /// Usable (TOML `"approved"`).
    Approved,
    /// Waiting for Meta's review (TOML `"pending"`); the default.
    #[default]
    Pending,
    /// Refused by Meta's review (TOML `"rejected"`).
    Rejected,
    /// Paused for low quality (TOML `"paused"`).
    Paused,
    /// Permanently disabled (TOML `"disabled"`).
    Disabled,
}

/// The TOML names of an enumeration's values, and conversions both ways.
macro_rules! toml_names {
    ($type:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            /// Every value with its TOML name.
            pub const ALL: &'static [(Self, &'static str)] = &[$((Self::$variant, $name)),+];
            /// The TOML names, for problem reports.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The TOML name.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            /// The value with TOML name `name` (exactly, lowercase).
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .find(|(_, known)| *known == name)
                    .map(|(value, _)| *value)
            }
        }
    };
}

toml_names!(TemplateCategory {
    Utility => "utility",
    Marketing => "marketing",
    Authentication => "authentication",
});

toml_names!(TemplateStatus {
    Approved => "approved",
    Pending => "pending",
    Rejected => "rejected",
    Paused => "paused",
    Disabled => "disabled",
});

/// Whether `name` is a template name Meta accepts: lowercase ASCII letters, digits and `_`.
pub(crate) fn is_template_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// Whether `code` looks like a language code: 2 or more ASCII letters and `_`, starting with
/// a letter (`en`, `en_US`, `fil`, `zh_HK`).
pub(crate) fn is_language_code(code: &str) -> bool {
    code.len() >= 2
        && code.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && code
            .bytes()
            .all(|byte| byte.is_ascii_alphabetic() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (category, name) in TemplateCategory::ALL {
            assert_eq!(category.name(), *name);
            assert_eq!(TemplateCategory::from_name(name), Some(*category));
        }
        for (status, name) in TemplateStatus::ALL {
            assert_eq!(status.name(), *name);
            assert_eq!(TemplateStatus::from_name(name), Some(*status));
        }
        assert_eq!(TemplateStatus::from_name("APPROVED"), None);
        assert_eq!(TemplateStatus::default(), TemplateStatus::Pending);
        assert_eq!(TemplateCategory::NAMES.len(), 3);
        assert_eq!(TemplateStatus::NAMES.len(), 5);
    }

    #[test]
    fn template_names_and_language_codes() {
        for good in ["order_update", "a", "x_2", "0"] {
            assert!(is_template_name(good), "{good}");
        }
        for bad in ["", "Order", "order-update", "order update", "ordér"] {
            assert!(!is_template_name(bad), "{bad}");
        }
        for good in ["en", "en_US", "fil", "zh_HK", "pt_BR"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in ["", "e", "en-US", "_en", "en_US1", "é"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
