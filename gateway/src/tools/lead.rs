//! A lead an operator captures from a chat: who the customer is, for headquarters' sales
//! follow-up. Lightly checked: people type these while they talk.

use serde::{Deserialize, Serialize};

use super::{Invalid, has_control, trimmed};

/// The longest name or company, in characters.
pub const MAX_LEAD_TEXT_CHARS: usize = 200;
/// The longest e-mail address, in bytes (RFC 5321's path limit).
const MAX_EMAIL_BYTES: usize = 254;
/// The longest phone number as written, in characters.
const MAX_PHONE_CHARS: usize = 32;
/// The fewest digits a phone number has.
const MIN_PHONE_DIGITS: usize = 5;

/// A captured lead. At least one field is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    /// The person's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone number, as written.
    #[serde(default)]
    pub phone: Option<String>,
    /// Their company.
    #[serde(default)]
    pub company: Option<String>,
}

impl Lead {
    /// The lead as kept: every field trimmed, blank ones dropped; refused when none is left or
    /// one is not plausible (a name or company over [`MAX_LEAD_TEXT_CHARS`] characters or on
    /// several lines, an e-mail address without a `local@domain.tld` shape, a phone number
    /// with other characters than digits, spaces and `+-().`, or fewer than 5 digits).
    pub fn checked(&self) -> Result<Self, Invalid> {
        let lead = Self {
            name: trimmed(&self.name),
            email: trimmed(&self.email),
            phone: trimmed(&self.phone),
            company: trimmed(&self.company),
        };
        if lead == Self::default() {
            return Err(Invalid::new(
                "lead",
                "give at least one of name, email, phone and company",
            ));
        }
        for (field, value) in [("name", &lead.name), ("company", &lead.company)] {
            if let Some(value) = value
                && (value.chars().count() > MAX_LEAD_TEXT_CHARS || has_control(value))
            {
                return Err(Invalid::new(
                    field,
                    format!("at most {MAX_LEAD_TEXT_CHARS} characters on one line"),
                ));
            }
        }
        if let Some(email) = &lead.email
            && !plausible_email(email)
        {
            return Err(Invalid::new(
                "email",
                "not an e-mail address; write it like name@example.com",
            ));
        }
        if let Some(phone) = &lead.phone
            && !plausible_phone(phone)
        {
            return Err(Invalid::new(
                "phone",
                format!(
                    "not a phone number; write digits with an optional +, spaces, dashes or brackets (at least {MIN_PHONE_DIGITS} digits, at most {MAX_PHONE_CHARS} characters)"
                ),
            ));
        }
        Ok(lead)
    }
}

/// `local@domain.tld`: one `@`, something before it, a dot inside the domain, no spaces.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Digits with an optional `+`, spaces, `-`, `.` and brackets.
fn plausible_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone.chars().count() <= MAX_PHONE_CHARS
        && digits >= MIN_PHONE_DIGITS
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn lead(name: &str, email: &str, phone: &str, company: &str) -> Lead {
        let field = |value: &str| Some(value.to_owned());
        Lead {
            name: field(name),
            email: field(email),
            phone: field(phone),
            company: field(company),
        }
    }

    #[test]
    fn a_lead_is_trimmed_and_blank_fields_dropped() {
        let kept = lead(" Ana ", "ana@shop.example", "+1 (650) 555-0101", " ")
            .checked()
            .unwrap();
        assert_eq!(kept.name.as_deref(), Some("Ana"));
        assert_eq!(kept.company, None);
        let only_email = Lead {
            email: Some("a@b.co".into()),
            ..Lead::default()
        };
        assert!(only_email.checked().is_ok());
    }

    #[test]
    fn a_refusal_names_the_field() {
        assert_eq!(lead(" ", "", "", "").checked().unwrap_err().field, "lead");
        assert_eq!(Lead::default().checked().unwrap_err().field, "lead");
        for email in [
            "ana",
            "ana@",
            "@shop.example",
            "ana@shop",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert_eq!(
                lead("", email, "", "").checked().unwrap_err().field,
                "email"
            );
        }
        for phone in ["123", "call me", "+1 650 555 0101 ext 9"] {
            assert_eq!(
                lead("", "", phone, "").checked().unwrap_err().field,
                "phone"
            );
        }
        let long = "n".repeat(MAX_LEAD_TEXT_CHARS + 1);
        assert_eq!(lead(&long, "", "", "").checked().unwrap_err().field, "name");
        assert_eq!(
            lead("", "", "", "a\nb").checked().unwrap_err().field,
            "company"
        );
    }
}
