//! Rendering a canned response for one chat: `{{contact.name}}`, `{{contact.phone}}`,
//! `{{agent.name}}` and `{{chat.id}}` are replaced with the chat's values. A placeholder that is
//! not one of these, or that has no value for this chat (no profile name known, a customer known
//! by BSUID only has no phone number), makes the text undefined: it is refused, naming every
//! such placeholder, rather than sent with a hole in it.
//!
//! Spaces inside the braces are allowed (`{{ contact.name }}`); a `{{` without a closing `}}`
//! is plain text, and in a run of braces the placeholder is the innermost (`{{{chat.id}}}` is
//! `{42}`).

use std::fmt;

use crate::chat::CustomerId;

/// The placeholders a canned response may use.
pub const PLACEHOLDERS: [&str; 4] = ["contact.name", "contact.phone", "agent.name", "chat.id"];

/// What a canned response is rendered with.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// The customer's WhatsApp profile name, when their messages told it.
    pub contact_name: Option<&'a str>,
    /// The customer (a phone number's `wa_id`, or a BSUID).
    pub customer: &'a CustomerId,
    /// The operator rendering it.
    pub agent_name: &'a str,
    /// The chat's id.
    pub chat_id: u64,
}

/// A placeholder that cannot be filled, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndefinedPlaceholder {
    /// What stood between the braces (trimmed).
    pub name: String,
    /// Why it has no value, for a person.
    pub reason: &'static str,
}

/// Why a canned response cannot be rendered for a chat: every undefined placeholder, in the
/// order of their first use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Undefined(pub Vec<UndefinedPlaceholder>);

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the canned response has undefined placeholders for this chat: ")?;
        for (index, placeholder) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{{{{{}}}}} {}", placeholder.name, placeholder.reason)?;
        }
        Ok(())
    }
}

const UNKNOWN: &str = "is not a placeholder (use {{contact.name}}, {{contact.phone}}, \
     {{agent.name}} or {{chat.id}})";
const NO_NAME: &str = "has no value: the customer's profile name is not known in this chat";
const NO_PHONE: &str = "has no value: the customer is known by their business-scoped user id \
     (BSUID) only, not by a phone number";

/// `template` with its placeholders filled in from `context`.
pub fn render(template: &str, context: &RenderContext<'_>) -> Result<String, Undefined> {
    let mut text = String::with_capacity(template.len());
    let mut undefined: Vec<UndefinedPlaceholder> = Vec::new();
    let mut rest = template;
    while let Some(mut open) = rest.find("{{") {
        // In a run of braces the placeholder opens at the last two.
        while rest[open + 2..].starts_with('{') {
            open += 1;
        }
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        text.push_str(&rest[..open]);
        let name = rest[open + 2..open + 2 + close].trim();
        match value(name, context) {
            Ok(value) => text.push_str(&value),
            Err(reason) => {
                if !undefined.iter().any(|seen| seen.name == name) {
                    undefined.push(UndefinedPlaceholder {
                        name: name.to_owned(),
                        reason,
                    });
                }
            }
        }
        rest = &rest[open + 2 + close + 2..];
    }
    text.push_str(rest);
    if undefined.is_empty() {
        Ok(text)
    } else {
        Err(Undefined(undefined))
    }
}

/// The value of placeholder `name`, or why it has none.
fn value(name: &str, context: &RenderContext<'_>) -> Result<String, &'static str> {
    match name {
        "contact.name" => context
            .contact_name
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .ok_or(NO_NAME),
        "contact.phone" => match context.customer {
            CustomerId::WaId(wa_id) => Ok(format!("+{wa_id}")),
            CustomerId::Bsuid(_) => Err(NO_PHONE),
        },
        "agent.name" => Ok(context.agent_name.to_owned()),
        "chat.id" => Ok(context.chat_id.to_string()),
        _ => Err(UNKNOWN),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn context<'a>(name: Option<&'a str>, customer: &'a CustomerId) -> RenderContext<'a> {
        RenderContext {
            contact_name: name,
            customer,
            agent_name: "ana",
            chat_id: 42,
        }
    }

    #[test]
    fn every_placeholder_is_filled_in() {
        let customer = CustomerId::WaId("16505550101".into());
        let text = render(
            "Hi {{contact.name}}, {{ agent.name }} here (chat {{chat.id}}); we call {{contact.phone}}. {{contact.name}}!",
            &context(Some("Sheena"), &customer),
        );
        assert_eq!(
            text.unwrap(),
            "Hi Sheena, ana here (chat 42); we call +16505550101. Sheena!"
        );
    }

    #[test]
    fn text_without_placeholders_and_lone_braces_stay_as_they_are() {
        let customer = CustomerId::WaId("1".into());
        for text in ["plain", "a {{ b", "}} {single} {{", "{{chat.id}"] {
            assert_eq!(render(text, &context(None, &customer)).unwrap(), text);
        }
        assert_eq!(
            render("{{{chat.id}}}", &context(None, &customer)).unwrap(),
            "{42}"
        );
    }

    #[test]
    fn every_undefined_placeholder_is_named_once_in_order() {
        let customer = CustomerId::Bsuid("US.1".into());
        let error = render(
            "{{foo}} {{contact.name}} {{contact.phone}} {{foo}} {{agent.name}} {{}}",
            &context(Some("  "), &customer),
        )
        .unwrap_err();
        let names: Vec<&str> = error.0.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["foo", "contact.name", "contact.phone", ""]);
        let message = error.to_string();
        assert!(
            message.contains("{{foo}} is not a placeholder"),
            "{message}"
        );
        assert!(
            message.contains("{{contact.phone}} has no value"),
            "{message}"
        );
        assert!(message.contains("profile name"), "{message}");
    }
}
