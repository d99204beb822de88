//! A command from headquarters, read into what the store carries out ([`HqAction`]).
//!
//! HQ answers a poll with `{"commands": [...]}`; each command is an object with a string `id`,
//! a `type`, and its members:
//!
//! | `type` | members |
//! | --- | --- |
//! | `send_message` | `chat_id`, `body` (or `message`): a body as the local send API takes it (`{"type": "text", "text": {"body": "..."}}`...) |
//! | `accept`, `close` | `chat_id` |
//! | `transfer` | `chat_id`, `department` (a configured one) |
//! | `add_note` | `chat_id`, `text` |
//! | `set_tags` | `chat_id`, `tags` (strings) |
//! | `put_canned_response` | `canned_response`: `{"id", "shortcut", "body"}`, or `canned_response_id`, `shortcut`, `body` |
//! | `delete_canned_response` | `canned_response_id` (or `canned_response`) |
//! | `put_article` | `article`: `{"id", "title", "body", "link"}` (`link` optional), or `article_id`, `title`, `body`, `link` |
//! | `delete_article` | `article_id` (or `article`) |
//!
//! Every type takes an optional `operator` (the name the action is done and logged under;
//! default `hq`). Members this gateway does not know are ignored, so HQ can add some.
//!
//! A command that cannot be read (an unknown type, a missing or wrong member, a body the send
//! API would refuse) is still answered: it becomes a command the store refuses with the reason,
//! and HQ receives the `command.result`. Only a command without a usable `id` cannot be
//! answered (there is nothing to answer it by): it is skipped, and counted.
//!
//! Pure: the configured departments come in.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{Departments, SendBody};
use crate::store::{ChatAction, HqAction, HqCommand, SendRequest};

/// The operator a command acts as when it names none.
pub const DEFAULT_OPERATOR: &str = "hq";
/// The longest command id taken, in bytes (it goes in the poll's query and the store).
pub const MAX_ID_BYTES: usize = 256;
/// The longest operator name taken, in characters (a configured operator's limit).
const MAX_OPERATOR_CHARS: usize = firmware_config::NAME_CAPACITY;

/// The command types this gateway carries out.
pub const TYPES: [&str; 10] = [
    "send_message",
    "accept",
    "close",
    "transfer",
    "add_note",
    "set_tags",
    "put_canned_response",
    "delete_canned_response",
    "put_article",
    "delete_article",
];

/// A poll's answer: its commands, each still unread.
///
/// # Errors
/// The body is not `{"commands": [...]}` (the whole answer is refused).
pub fn read_answer(body: &[u8]) -> Result<Vec<Value>, String> {
    #[derive(Deserialize)]
    struct Answer {
        commands: Vec<Value>,
    }
    serde_json::from_slice::<Answer>(body)
        .map(|answer| answer.commands)
        .map_err(|error| format!("the answer is not {{\"commands\": [...]}}: {error}"))
}

/// Command `value` read, with what it asks for or why it cannot be carried out.
///
/// # Errors
/// It has no usable `id`: it cannot be answered (the reason says why).
pub fn read_command(value: &Value, departments: &Departments) -> Result<HqCommand, String> {
    let id = match value.get("id") {
        Some(Value::String(id)) if usable_id(id) => id.clone(),
        Some(Value::String(_)) => {
            return Err(format!(
                "a command's id must be 1 to {MAX_ID_BYTES} bytes without control characters"
            ));
        }
        Some(_) => return Err("a command's id must be a string".into()),
        None => return Err("a command has no id".into()),
    };
    let command_type = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let action = action(&command_type, value, departments);
    Ok(HqCommand {
        id,
        command_type,
        action,
    })
}

fn usable_id(id: &str) -> bool {
    (1..=MAX_ID_BYTES).contains(&id.len()) && !id.chars().any(char::is_control)
}

/// What the command of type `command_type` asks for, or why it cannot be carried out.
fn action(
    command_type: &str,
    value: &Value,
    departments: &Departments,
) -> Result<HqAction, String> {
    let operator = operator(value)?;
    match command_type {
        "send_message" => {
            #[derive(Deserialize)]
            struct Send {
                chat_id: u64,
                #[serde(alias = "message")]
                body: Value,
            }
            let Send { chat_id, body } = members(command_type, value)?;
            let body: SendBody = serde_json::from_value(body)
                .map_err(|error| format!("send_message's body: {error}"))?;
            if let Some(breaks) = body.breaks {
                return Err(breaks);
            }
            Ok(HqAction::Send(SendRequest {
                chat: chat_id,
                operator,
                idempotency_key: None,
                kind: body.kind.to_owned(),
                body: body.json,
                check: body.check,
                retry_of: None,
            }))
        }
        "accept" | "close" => {
            let chat = chat_id(command_type, value)?;
            let action = if command_type == "accept" {
                ChatAction::Accept { operator }
            } else {
                ChatAction::Close { operator }
            };
            Ok(HqAction::Chat { chat, action })
        }
        "transfer" => {
            #[derive(Deserialize)]
            struct Transfer {
                chat_id: u64,
                department: String,
            }
            let Transfer {
                chat_id,
                department,
            } = members(command_type, value)?;
            departments
                .check(&department)
                .map_err(|unknown| unknown.to_string())?;
            Ok(HqAction::Chat {
                chat: chat_id,
                action: ChatAction::Transfer {
                    operator,
                    department,
                },
            })
        }
        "add_note" => {
            #[derive(Deserialize)]
            struct Note {
                chat_id: u64,
                text: String,
            }
            let Note { chat_id, text } = members(command_type, value)?;
            if text.trim().is_empty() {
                return Err("add_note's text is empty".into());
            }
            Ok(HqAction::AddNote {
                chat: chat_id,
                author: operator,
                text,
            })
        }
        "set_tags" => {
            #[derive(Deserialize)]
            struct Tags {
                chat_id: u64,
                tags: Vec<String>,
            }
            let Tags { chat_id, tags } = members(command_type, value)?;
            Ok(HqAction::SetTags {
                chat: chat_id,
                tags,
            })
        }
        "put_canned_response" => {
            #[derive(Deserialize)]
            struct Canned {
                id: String,
                shortcut: String,
                body: String,
            }
            let Canned { id, shortcut, body } =
                record(command_type, value, "canned_response", "canned_response_id")?;
            Ok(HqAction::PutCanned {
                id: record_id("canned_response.id", id)?,
                shortcut,
                body,
            })
        }
        "delete_canned_response" => Ok(HqAction::DeleteCanned(deleted_id(
            command_type,
            value,
            "canned_response_id",
            "canned_response",
        )?)),
        "put_article" => {
            #[derive(Deserialize)]
            struct Article {
                id: String,
                title: String,
                body: String,
                #[serde(default)]
                link: Option<String>,
            }
            let Article {
                id,
                title,
                body,
                link,
            } = record(command_type, value, "article", "article_id")?;
            Ok(HqAction::PutArticle {
                id: record_id("article.id", id)?,
                title,
                body,
                link,
            })
        }
        "delete_article" => Ok(HqAction::DeleteArticle(deleted_id(
            command_type,
            value,
            "article_id",
            "article",
        )?)),
        "" => Err(format!(
            "the command has no type; one of: {}",
            TYPES.join(", ")
        )),
        other => Err(format!(
            "unknown command type {other:?}; this gateway carries out: {}",
            TYPES.join(", ")
        )),
    }
}

/// A record a put command carries: the object under `nested` (`{"id", ...}`), or the
/// command's own members with the record's id under `id_key` (the flat form).
fn record<T: DeserializeOwned>(
    command_type: &str,
    value: &Value,
    nested: &str,
    id_key: &str,
) -> Result<T, String> {
    let record = match value.get(nested) {
        Some(object @ Value::Object(_)) => object.clone(),
        _ => {
            let mut flat = value.clone();
            if let Some(members) = flat.as_object_mut() {
                let id = members.remove(id_key).unwrap_or(Value::Null);
                members.insert(String::from("id"), id);
            }
            flat
        }
    };
    members(command_type, &record)
}

/// The id a delete command names, under `key` (or `alias`), checked as a record id.
fn deleted_id(
    command_type: &str,
    value: &Value,
    key: &'static str,
    alias: &str,
) -> Result<String, String> {
    match value.get(key).or_else(|| value.get(alias)) {
        Some(Value::String(id)) => record_id(key, id.clone()),
        Some(_) => Err(format!("{command_type}: {key} must be a string")),
        None => Err(format!("{command_type}: missing field `{key}`")),
    }
}

/// The members of a command of type `command_type`, or what is missing or wrong.
fn members<T: DeserializeOwned>(command_type: &str, value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|error| format!("{command_type}: {error}"))
}

fn chat_id(command_type: &str, value: &Value) -> Result<u64, String> {
    #[derive(Deserialize)]
    struct OnChat {
        chat_id: u64,
    }
    members::<OnChat>(command_type, value).map(|on| on.chat_id)
}

/// The command's `operator`, or [`DEFAULT_OPERATOR`].
fn operator(value: &Value) -> Result<String, String> {
    match value.get("operator") {
        None | Some(Value::Null) => Ok(DEFAULT_OPERATOR.to_owned()),
        Some(Value::String(name))
            if !name.trim().is_empty()
                && name.chars().count() <= MAX_OPERATOR_CHARS
                && !name.chars().any(char::is_control) =>
        {
            Ok(name.clone())
        }
        Some(_) => Err(format!(
            "operator must be a name of 1 to {MAX_OPERATOR_CHARS} characters"
        )),
    }
}

/// `id` when it can name a canned response or an article (as the configuration's ids).
fn record_id(member: &str, id: String) -> Result<String, String> {
    if firmware_config::is_record_id(&id) {
        Ok(id)
    } else {
        Err(format!(
            "{member} {id:?} must be 1 to {} letters, digits, '.', '_' or '-'",
            firmware_config::RECORD_ID_CAPACITY
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::SendCheck;

    fn departments() -> Departments {
        Departments::new(["sales".to_owned(), "repairs".to_owned()])
    }

    fn read(value: Value) -> HqCommand {
        read_command(&value, &departments()).unwrap()
    }

    fn refused(value: Value) -> String {
        read(value).action.unwrap_err()
    }

    #[test]
    fn an_answer_is_a_list_of_commands() {
        let commands = read_answer(br#"{"commands": [{"id": "c1"}, {"id": "c2"}]}"#).unwrap();
        assert_eq!(commands.len(), 2);
        assert!(read_answer(br#"{"commands": []}"#).unwrap().is_empty());
        for bad in [&b"[]"[..], b"{}", b"{\"commands\": {}}", b"not json"] {
            let error = read_answer(bad).unwrap_err();
            assert!(error.contains("{\"commands\": [...]}"), "{error}");
        }
    }

    #[test]
    fn send_message_reads_the_local_send_body() {
        let command = read(json!({
            "id": "c1", "type": "send_message", "chat_id": 7, "operator": "ana",
            "body": {"type": "text", "text": {"body": "Your order is ready"}},
        }));
        assert_eq!(command.id, "c1");
        assert_eq!(command.command_type, "send_message");
        let HqAction::Send(request) = command.action.unwrap() else {
            panic!("a send");
        };
        assert_eq!(request.chat, 7);
        assert_eq!(request.operator, "ana");
        assert_eq!(request.kind, "text");
        assert_eq!(request.check, SendCheck::FreeForm);
        assert_eq!(request.retry_of, None);
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["text"]["body"], "Your order is ready");

        let template = read(json!({
            "id": "c2", "type": "send_message", "chat_id": 7,
            "body": {"type": "template", "template": {"name": "order_update", "language": {"code": "en_US"}}},
        }));
        let HqAction::Send(request) = template.action.unwrap() else {
            panic!("a send");
        };
        assert_eq!(request.operator, DEFAULT_OPERATOR);
        assert!(matches!(request.check, SendCheck::Template { .. }));
    }

    #[test]
    fn a_send_the_local_api_would_refuse_is_refused_with_its_reason() {
        let reason = refused(json!({
            "id": "c1", "type": "send_message", "chat_id": 7,
            "body": {"type": "text", "to": "1555", "text": {"body": "hi"}},
        }));
        assert!(reason.contains("`to`"), "{reason}");
        let long = "x".repeat(4_097);
        let reason = refused(json!({
            "id": "c2", "type": "send_message", "chat_id": 7,
            "body": {"type": "text", "text": {"body": long}},
        }));
        assert!(reason.contains("4097 characters"), "{reason}");
        let reason = refused(json!({"id": "c3", "type": "send_message", "body": {}}));
        assert!(reason.contains("chat_id"), "{reason}");
    }

    #[test]
    fn chat_actions_act_as_the_named_operator_or_hq() {
        assert_eq!(
            read(json!({"id": "a", "type": "accept", "chat_id": 3})).action,
            Ok(HqAction::Chat {
                chat: 3,
                action: ChatAction::Accept {
                    operator: "hq".into()
                }
            })
        );
        assert_eq!(
            read(json!({"id": "b", "type": "close", "chat_id": 3, "operator": "bo"})).action,
            Ok(HqAction::Chat {
                chat: 3,
                action: ChatAction::Close {
                    operator: "bo".into()
                }
            })
        );
        assert_eq!(
            read(json!({"id": "c", "type": "transfer", "chat_id": 3, "department": "repairs"}))
                .action,
            Ok(HqAction::Chat {
                chat: 3,
                action: ChatAction::Transfer {
                    operator: "hq".into(),
                    department: "repairs".into()
                }
            })
        );
        let reason =
            refused(json!({"id": "d", "type": "transfer", "chat_id": 3, "department": "moon"}));
        assert!(
            reason.contains("\"moon\"") && reason.contains("sales"),
            "{reason}"
        );
        let reason = refused(json!({"id": "e", "type": "accept", "chat_id": "3"}));
        assert!(reason.starts_with("accept: "), "{reason}");
        let reason = refused(json!({"id": "f", "type": "accept", "chat_id": 3, "operator": ""}));
        assert!(reason.contains("operator"), "{reason}");
    }

    #[test]
    fn notes_tags_canned_responses_and_articles_are_read() {
        assert_eq!(
            read(json!({"id": "1", "type": "add_note", "chat_id": 2, "text": "VIP"})).action,
            Ok(HqAction::AddNote {
                chat: 2,
                author: "hq".into(),
                text: "VIP".into()
            })
        );
        assert!(
            refused(json!({"id": "2", "type": "add_note", "chat_id": 2, "text": " "}))
                .contains("empty")
        );
        assert_eq!(
            read(json!({"id": "3", "type": "set_tags", "chat_id": 2, "tags": ["vip", "b2b"]}))
                .action,
            Ok(HqAction::SetTags {
                chat: 2,
                tags: vec!["vip".into(), "b2b".into()]
            })
        );
        assert_eq!(
            read(json!({"id": "4", "type": "put_canned_response",
                "canned_response": {"id": "greet", "shortcut": "hi", "body": "Hello {{contact.name}}"}}))
            .action,
            Ok(HqAction::PutCanned {
                id: "greet".into(),
                shortcut: "hi".into(),
                body: "Hello {{contact.name}}".into()
            })
        );
        assert_eq!(
            read(
                json!({"id": "5", "type": "delete_canned_response", "canned_response_id": "greet"})
            )
            .action,
            Ok(HqAction::DeleteCanned("greet".into()))
        );
        // The flat forms say the same.
        assert_eq!(
            read(
                json!({"id": "4f", "type": "put_canned_response", "canned_response_id": "greet",
                "shortcut": "hi", "body": "Hello {{contact.name}}"})
            )
            .action,
            Ok(HqAction::PutCanned {
                id: "greet".into(),
                shortcut: "hi".into(),
                body: "Hello {{contact.name}}".into()
            })
        );
        assert_eq!(
            read(
                json!({"id": "7f", "type": "put_article", "article_id": "returns",
                "title": "Returns", "body": "30 days"})
            )
            .action,
            Ok(HqAction::PutArticle {
                id: "returns".into(),
                title: "Returns".into(),
                body: "30 days".into(),
                link: None
            })
        );
        assert_eq!(
            read(json!({"id": "6", "type": "put_article",
                "article": {"id": "returns", "title": "Returns", "body": "30 days"}}))
            .action,
            Ok(HqAction::PutArticle {
                id: "returns".into(),
                title: "Returns".into(),
                body: "30 days".into(),
                link: None
            })
        );
        assert_eq!(
            read(json!({"id": "7", "type": "delete_article", "article_id": "returns"})).action,
            Ok(HqAction::DeleteArticle("returns".into()))
        );
        let reason = refused(json!({"id": "8", "type": "delete_article", "article_id": "a b"}));
        assert!(reason.contains("article_id \"a b\""), "{reason}");
    }

    #[test]
    fn an_unknown_or_missing_type_is_refused_naming_the_known_ones() {
        let reason = refused(json!({"id": "x", "type": "reboot"}));
        assert!(
            reason.contains("\"reboot\"") && reason.contains("send_message"),
            "{reason}"
        );
        let reason = refused(json!({"id": "y"}));
        assert!(reason.starts_with("the command has no type"), "{reason}");
        assert_eq!(read(json!({"id": "y"})).command_type, "");
    }

    #[test]
    fn a_command_without_a_usable_id_cannot_be_answered() {
        let departments = departments();
        for value in [
            json!({"type": "accept", "chat_id": 1}),
            json!({"id": 5, "type": "accept"}),
            json!({"id": "", "type": "accept"}),
            json!({"id": "a\nb", "type": "accept"}),
            json!({"id": "x".repeat(MAX_ID_BYTES + 1)}),
            json!("not an object"),
        ] {
            assert!(read_command(&value, &departments).is_err(), "{value}");
        }
        assert!(read_command(&json!({"id": "x".repeat(MAX_ID_BYTES)}), &departments).is_ok());
    }
}
