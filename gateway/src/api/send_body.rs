//! The body of `POST /api/v1/chats/{id}/messages`: Meta's send body without
//! `messaging_product` and `to` (the gateway addresses the chat's customer), so anyone who knows
//! Meta's API knows this one. Read as JSON, checked for its type's members, and kept as written.

use serde::Deserialize;
use serde_json::Value;

use super::error::ApiError;
use super::extract::RequestBody;
use crate::store::SendCheck;

/// The longest text body Meta takes, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 4_096;

/// A message body as the operator wrote it: checked, and kept as JSON.
#[derive(Debug)]
pub(crate) struct SendBody {
    /// Its `type`.
    pub(crate) kind: &'static str,
    /// What the messaging rules check.
    pub(crate) check: SendCheck,
    /// The body, as JSON text.
    pub(crate) json: String,
    /// A rule it breaks on its own (a text over [`MAX_TEXT_CHARS`]): refused with 422.
    pub(crate) breaks: Option<String>,
}

/// A message of type `kind` with an attachment: its id must be written (whether it names an
/// attachment of that kind, the store checks where it queues the message).
fn attachment<E: serde::de::Error>(
    kind: &'static str,
    media: &Media,
) -> Result<(&'static str, SendCheck, Option<String>), E> {
    if media.id.trim().is_empty() {
        return Err(E::custom(format!("{kind}.id is empty")));
    }
    Ok((kind, SendCheck::FreeForm, None))
}

/// The body's members this endpoint reads, by type (others are passed to Meta as written).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Typed {
    Text { text: Text },
    Template { template: Template },
    Image { image: Media },
    Document { document: Media },
    Audio { audio: Media },
    Video { video: Media },
    Reaction { reaction: Reaction },
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct Template {
    name: String,
    language: Language,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Language {
    code: String,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    parameters: Vec<Value>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
}

#[derive(Deserialize)]
struct Reaction {
    message_id: String,
    /// Empty removes the reaction.
    #[allow(dead_code, reason = "checked to be present; sent as written")]
    emoji: String,
}

/// The members Meta's body has that this one must not: the gateway writes them.
const ADDRESSING: &[&str] = &["messaging_product", "to", "recipient", "recipient_type"];

impl RequestBody for SendBody {
    const EXAMPLE: &'static str = r#"{"type": "text", "text": {"body": "Your order is ready"}} or {"type": "template", "template": {"name": "order_update", "language": {"code": "en_US"}, "components": []}}"#;
}

impl<'de> Deserialize<'de> for SendBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = Value::deserialize(deserializer)?;
        if let Some(member) = ADDRESSING
            .iter()
            .find(|member| value.get(**member).is_some())
        {
            return Err(D::Error::custom(format!(
                "`{member}` is written by the gateway (it sends to the chat's customer); leave it out"
            )));
        }
        let typed = Typed::deserialize(&value).map_err(D::Error::custom)?;
        let (kind, check, breaks) = match &typed {
            Typed::Text { text } => {
                if text.body.trim().is_empty() {
                    return Err(D::Error::custom("text.body is empty"));
                }
                let chars = text.body.chars().count();
                let breaks = (chars > MAX_TEXT_CHARS).then(|| {
                    format!(
                        "the text is {chars} characters long; Meta takes at most {MAX_TEXT_CHARS}: shorten it or split it"
                    )
                });
                ("text", SendCheck::FreeForm, breaks)
            }
            Typed::Template { template } => (
                "template",
                SendCheck::Template {
                    name: template.name.clone(),
                    language: template.language.code.clone(),
                    parameters: template
                        .components
                        .iter()
                        .filter(|component| component.kind.eq_ignore_ascii_case("body"))
                        .map(|component| component.parameters.len())
                        .sum(),
                },
                None,
            ),
            Typed::Image { image: media } => attachment("image", media)?,
            Typed::Document { document: media } => attachment("document", media)?,
            Typed::Audio { audio: media } => attachment("audio", media)?,
            Typed::Video { video: media } => attachment("video", media)?,
            Typed::Reaction { reaction } => {
                if reaction.message_id.trim().is_empty() {
                    return Err(D::Error::custom("reaction.message_id is empty"));
                }
                ("reaction", SendCheck::FreeForm, None)
            }
        };
        Ok(Self {
            kind,
            check,
            json: value.to_string(),
            breaks,
        })
    }
}

impl SendBody {
    /// The refusal of a body that breaks a rule on its own.
    pub(super) fn refusal(&self) -> Option<ApiError> {
        self.breaks.clone().map(|reason| ApiError::SendRefused {
            status: http::StatusCode::UNPROCESSABLE_ENTITY,
            reasons: vec![reason],
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<SendBody, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_template_counts_its_body_parameters() {
        let body = read(
            r#"{"type":"template","template":{"name":"order_update","language":{"code":"en_US"},
                "components":[{"type":"header","parameters":[{"type":"text","text":"x"}]},
                              {"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}}"#,
        )
        .unwrap();
        assert_eq!(
            body.check,
            SendCheck::Template {
                name: "order_update".into(),
                language: "en_US".into(),
                parameters: 2
            }
        );
    }

    #[test]
    fn addressing_members_are_refused_with_their_name() {
        let error = read(r#"{"type":"text","to":"1555","text":{"body":"hi"}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`to`"), "{error}");
    }

    #[test]
    fn an_unknown_type_or_a_missing_member_is_named() {
        let error = read(r#"{"type":"sticker","sticker":{"id":"1"}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("sticker"), "{error}");
        let error = read(r#"{"type":"text","text":{}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("body"), "{error}");
    }

    #[test]
    fn a_text_over_4096_characters_is_a_rule_refusal() {
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        let body = read(&format!(r#"{{"type":"text","text":{{"body":"{long}"}}}}"#)).unwrap();
        assert!(body.breaks.unwrap().contains("4097 characters"));
        let fits = "é".repeat(MAX_TEXT_CHARS);
        let body = read(&format!(r#"{{"type":"text","text":{{"body":"{fits}"}}}}"#)).unwrap();
        assert!(body.refusal().is_none());
    }
}
