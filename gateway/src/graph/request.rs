//! The body of `POST /{version}/{phone_number_id}/messages`: the operator's body (Meta's send
//! body without addressing), with `messaging_product`, the recipient and the gateway's
//! callback data added.

use serde_json::{Value, json};

use crate::chat::CustomerId;

/// What `biz_opaque_callback_data` starts with when the gateway set it: the rest is the local
/// message id, so a status that arrives before Meta's answer was recorded still finds its
/// message.
pub const CALLBACK_PREFIX: &str = "waygate:";

/// The local message id in a status's `biz_opaque_callback_data`, when the gateway set it.
pub fn local_id_from_callback(data: &str) -> Option<u64> {
    let digits = data.strip_prefix(CALLBACK_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The send body for message `id` to `customer`: a phone number goes in `to`; a customer known
/// only by a BSUID goes in `recipient`, never in `to` (Meta answers 200 to a BSUID in `to` and
/// drops the message). Callback data the operator set is kept.
pub fn send_body(operator_body: &str, customer: &CustomerId, id: u64) -> Result<Value, String> {
    let mut body: Value = serde_json::from_str(operator_body)
        .map_err(|error| format!("the stored body is not JSON: {error}"))?;
    let Some(members) = body.as_object_mut() else {
        return Err("the stored body is not a JSON object".into());
    };
    members.insert("messaging_product".into(), json!("whatsapp"));
    members.insert("recipient_type".into(), json!("individual"));
    match customer {
        CustomerId::WaId(phone) => members.insert("to".into(), json!(phone)),
        CustomerId::Bsuid(bsuid) => members.insert("recipient".into(), json!(bsuid)),
    };
    members
        .entry("biz_opaque_callback_data")
        .or_insert_with(|| json!(format!("{CALLBACK_PREFIX}{id}")));
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"type":"text","text":{"body":"hi"}}"#;

    #[test]
    fn a_phone_number_goes_in_to_and_a_bsuid_in_recipient() {
        let body = send_body(TEXT, &CustomerId::WaId("16505550101".into()), 7).unwrap();
        assert_eq!(body["to"], "16505550101");
        assert!(body.get("recipient").is_none());
        assert_eq!(body["messaging_product"], "whatsapp");
        assert_eq!(body["recipient_type"], "individual");
        assert_eq!(body["biz_opaque_callback_data"], "waygate:7");
        let body = send_body(TEXT, &CustomerId::Bsuid("US.1349".into()), 7).unwrap();
        assert_eq!(body["recipient"], "US.1349");
        assert!(body.get("to").is_none());
    }

    #[test]
    fn the_callback_names_the_local_message() {
        assert_eq!(local_id_from_callback("waygate:42"), Some(42));
        assert_eq!(local_id_from_callback("waygate:"), None);
        assert_eq!(local_id_from_callback("waygate:4x"), None);
        assert_eq!(local_id_from_callback("other:42"), None);
        assert_eq!(
            local_id_from_callback("waygate:99999999999999999999999"),
            None
        );
    }
}
