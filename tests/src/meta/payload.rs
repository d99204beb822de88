//! Building webhook payloads shaped like Meta's (see the reference's §1.2–1.5), and reading the
//! ids back out of any payload (ours or the corpus's).

use serde_json::{Value, json};

/// The business side of a payload: the WABA and the phone number the webhooks are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessNumber {
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: String,
    /// `metadata.phone_number_id`.
    pub phone_number_id: String,
    /// `metadata.display_phone_number` (no `+`).
    pub display_phone_number: String,
}

impl Default for BusinessNumber {
    fn default() -> Self {
        Self {
            waba_id: "102290129340398".to_owned(),
            phone_number_id: "106540352242922".to_owned(),
            display_phone_number: "15550783881".to_owned(),
        }
    }
}

/// A text message object (`messages[]` item).
pub fn text_message(wamid: &str, from: &str, timestamp: u64, text: &str) -> Value {
    json!({
        "from": from,
        "id": wamid,
        "timestamp": timestamp.to_string(),
        "type": "text",
        "text": { "body": text }
    })
}

/// A status object (`statuses[]` item) for an outbound message.
pub fn status(wamid: &str, status: &str, recipient: &str, timestamp: u64) -> Value {
    let mut value = json!({
        "id": wamid,
        "status": status,
        "timestamp": timestamp.to_string(),
        "recipient_id": recipient,
    });
    if status == "sent" {
        value["pricing"] = json!({
            "billable": false,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service"
        });
    }
    if status == "failed" {
        value["errors"] = json!([{
            "code": 131_049,
            "title": "This message was not delivered to maintain healthy ecosystem engagement.",
            "message": "This message was not delivered to maintain healthy ecosystem engagement.",
            "error_data": { "details": "In order to maintain a healthy ecosystem engagement, the message failed to be delivered." },
            "href": "/documentation/business-messaging/whatsapp/support/error-codes"
        }]);
    }
    value
}

/// A `field: "messages"` change with the given messages and statuses. `contacts` is derived
/// from the messages' senders, as Meta does.
pub fn messages_change(business: &BusinessNumber, messages: &[Value], statuses: &[Value]) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": business.display_phone_number,
            "phone_number_id": business.phone_number_id,
        }
    });
    if !messages.is_empty() {
        let mut senders: Vec<&str> = messages.iter().filter_map(|m| m["from"].as_str()).collect();
        senders.dedup();
        let contacts: Vec<Value> = senders
            .iter()
            .map(|wa_id| json!({ "profile": { "name": "Sheena Nelson" }, "wa_id": wa_id }))
            .collect();
        value["contacts"] = Value::Array(contacts);
        value["messages"] = Value::Array(messages.to_vec());
    }
    if !statuses.is_empty() {
        value["statuses"] = Value::Array(statuses.to_vec());
    }
    json!({ "value": value, "field": "messages" })
}

/// An account-level change (`field: "account_update"`).
pub fn account_update_change(business: &BusinessNumber, event: &str) -> Value {
    json!({
        "value": {
            "phone_number": business.display_phone_number,
            "event": event,
        },
        "field": "account_update"
    })
}

/// An entry (one WABA) with its changes; `time` is set for account-level entries.
pub fn entry(business: &BusinessNumber, changes: Vec<Value>, time: Option<u64>) -> Value {
    let mut value = json!({ "id": business.waba_id, "changes": changes });
    if let Some(time) = time {
        value["time"] = json!(time);
    }
    value
}

/// The envelope around entries.
pub fn envelope(entries: Vec<Value>) -> Value {
    json!({ "object": "whatsapp_business_account", "entry": entries })
}

/// The ids a payload carries: message wamids and (wamid, status) pairs, in payload order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadIds {
    /// `messages[].id` of every change of every entry.
    pub messages: Vec<String>,
    /// `(statuses[].id, statuses[].status)` of every change of every entry.
    pub statuses: Vec<(String, String)>,
}

/// Reads every message wamid and status pair out of a webhook payload (any shape; missing
/// fields are skipped).
pub fn payload_ids(payload: &Value) -> PayloadIds {
    let mut ids = PayloadIds::default();
    let changes = payload["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|entry| entry["changes"].as_array().into_iter().flatten());
    for change in changes {
        let value = &change["value"];
        for message in value["messages"].as_array().into_iter().flatten() {
            if let Some(id) = message["id"].as_str() {
                ids.messages.push(id.to_owned());
            }
        }
        for status in value["statuses"].as_array().into_iter().flatten() {
            if let (Some(id), Some(state)) = (status["id"].as_str(), status["status"].as_str()) {
                ids.statuses.push((id.to_owned(), state.to_owned()));
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_from_every_entry_and_change() {
        let business = BusinessNumber::default();
        let change_a = messages_change(
            &business,
            &[
                text_message("w1", "1", 1, "a"),
                text_message("w2", "1", 1, "b"),
            ],
            &[status("s1", "read", "1", 1)],
        );
        let change_b = messages_change(&business, &[text_message("w3", "2", 1, "c")], &[]);
        let payload = envelope(vec![
            entry(&business, vec![change_a], None),
            entry(&business, vec![change_b], None),
        ]);
        let ids = payload_ids(&payload);
        assert_eq!(ids.messages, ["w1", "w2", "w3"]);
        assert_eq!(ids.statuses, [("s1".to_owned(), "read".to_owned())]);
    }
}
