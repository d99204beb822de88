//! Decoding one `messages[]` or `statuses[]` item from Meta's wire form.

use serde_json::value::RawValue;

use super::contact::Contact;
use super::content::Unsupported;
use super::graph_error::GraphError;
use super::interactive::decode_interactive;
use super::lenient::LenientI64;
use super::message::{Message, MessageContent};
use super::raw_object::{ItemError, RawObject};
use super::status::{Status, StatusValue};

/// Decodes one incoming message and attaches its contact.
///
/// `value_has_errors`: the change value carries `errors[]`. Meta then sometimes sends a message
/// of a known type without its object (an `interactive` message with error 131000 "Unsupported
/// webhook payload"); such a message is kept as [`MessageContent::Other`] without payload
/// instead of being rejected, because it still tells that the customer wrote.
pub(super) fn decode_message(
    raw: &RawValue,
    contacts: &[Contact],
    value_has_errors: bool,
) -> Result<Message, ItemError> {
    let mut object = RawObject::parse(raw)?;
    let id = object.required_text("id")?;
    let type_name = object.required_text("type")?;
    let from: Option<String> = object.field("from")?;
    let from_user_id: Option<String> = object.field("from_user_id")?;
    let from_parent_user_id = object.field("from_parent_user_id")?;
    let timestamp = object.field::<LenientI64>("timestamp")?.map(|t| t.0);
    let context = object.field("context")?;
    let referral = object.field("referral")?;
    let errors: Vec<GraphError> = object.field("errors")?.unwrap_or_default();
    let flagged = value_has_errors || !errors.is_empty();
    let content = decode_content(&mut object, &type_name, flagged)?;
    let contact = Contact::find(contacts, from.as_deref(), from_user_id.as_deref()).cloned();
    object.refuse_reserved(&["content", "contact"])?;
    Ok(Message {
        id,
        type_name,
        from,
        from_user_id,
        from_parent_user_id,
        timestamp,
        context,
        referral,
        errors,
        content,
        contact,
        extra: object.into_extra()?,
    })
}

/// Takes the member named by `type_name` out of `object` and decodes it.
fn decode_content(
    object: &mut RawObject<'_>,
    type_name: &str,
    flagged: bool,
) -> Result<MessageContent, ItemError> {
    use MessageContent as C;
    let content = match type_name {
        "text" => object.field(type_name)?.map(C::Text),
        "image" => object.field(type_name)?.map(C::Image),
        "audio" => object.field(type_name)?.map(C::Audio),
        "video" => object.field(type_name)?.map(C::Video),
        "document" => object.field(type_name)?.map(C::Document),
        "sticker" => object.field(type_name)?.map(C::Sticker),
        "location" => object.field(type_name)?.map(C::Location),
        "contacts" => object.field(type_name)?.map(C::Contacts),
        "button" => object.field(type_name)?.map(C::Button),
        "reaction" => object.field(type_name)?.map(C::Reaction),
        "order" => object.field(type_name)?.map(C::Order),
        "system" => object.field(type_name)?.map(C::System),
        "interactive" => object
            .decode_member(type_name, decode_interactive)?
            .map(C::Interactive),
        // The `unsupported` object is often absent; its errors are on the message.
        "unsupported" => Some(C::Unsupported(
            object.field::<Unsupported>(type_name)?.unwrap_or_default(),
        )),
        "request_welcome" => Some(C::RequestWelcome),
        "unknown" => Some(C::Unknown),
        _ => {
            let payload = object.take_raw_value(type_name)?;
            return Ok(C::Other {
                kind: type_name.to_owned(),
                payload,
            });
        }
    };
    match content {
        Some(content) => Ok(content),
        None if flagged => Ok(C::Other {
            kind: type_name.to_owned(),
            payload: None,
        }),
        None => Err(ItemError::new(format!(
            "message of type `{type_name}` has no `{type_name}` object"
        ))),
    }
}

/// Decodes one status and attaches the recipient's contact (when the webhook has one).
pub(super) fn decode_status(raw: &RawValue, contacts: &[Contact]) -> Result<Status, ItemError> {
    let mut object = RawObject::parse(raw)?;
    let id = object.required_text("id")?;
    let status = StatusValue::from_wire(&object.required_text("status")?);
    let timestamp = object.field::<LenientI64>("timestamp")?.map(|t| t.0);
    let recipient_id: Option<String> = object.field("recipient_id")?;
    let recipient_user_id: Option<String> = object.field("recipient_user_id")?;
    let contact = Contact::find(
        contacts,
        recipient_id.as_deref(),
        recipient_user_id.as_deref(),
    )
    .cloned();
    object.refuse_reserved(&["contact"])?;
    Ok(Status {
        id,
        status,
        timestamp,
        recipient_id,
        recipient_user_id,
        parent_recipient_user_id: object.field("parent_recipient_user_id")?,
        recipient_type: object.field("recipient_type")?,
        recipient_participant_id: object.field("recipient_participant_id")?,
        biz_opaque_callback_data: object.field("biz_opaque_callback_data")?,
        conversation: object.field("conversation")?,
        pricing: object.field("pricing")?,
        errors: object.field("errors")?.unwrap_or_default(),
        contact,
        extra: object.into_extra()?,
    })
}
