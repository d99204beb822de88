//! Who the customer of a chat is, as their messages said: the profile name and the username
//! Meta sends with each message (`contacts[].profile`), which the inbound log keeps.

use redb::ReadTransaction;
use serde::{Deserialize, Serialize};

use super::tables::{CHAT_MESSAGES, INBOUND_LOG};
use super::{LogRecord, RecordKind, StoreError};

/// How many of a chat's latest messages are looked at for the customer's profile.
const PROFILE_LOOKBACK: usize = 50;

/// The customer's WhatsApp profile, as far as their messages in a chat showed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactProfile {
    /// The profile name, from the latest message that carried one.
    pub name: Option<String>,
    /// The username (`@name`), from the latest message that carried one.
    pub username: Option<String>,
}

/// A logged message's content as far as the profile: `{"message": {"contact": {"profile":
/// {"name", "username"}}}}` (the decoded `Event`, whose other members are ignored).
#[derive(Deserialize)]
struct LoggedContent {
    message: Option<LoggedMessage>,
}

#[derive(Deserialize)]
struct LoggedMessage {
    contact: Option<LoggedContact>,
}

#[derive(Deserialize)]
struct LoggedContact {
    profile: Option<LoggedProfile>,
}

#[derive(Deserialize)]
struct LoggedProfile {
    name: Option<String>,
    username: Option<String>,
}

/// The profile of chat `chat`'s customer, from its last [`PROFILE_LOOKBACK`] messages.
pub(super) fn contact_profile(
    txn: &ReadTransaction,
    chat: u64,
) -> Result<ContactProfile, StoreError> {
    let index = txn.open_table(CHAT_MESSAGES)?;
    let log = txn.open_table(INBOUND_LOG)?;
    let mut profile = ContactProfile::default();
    let present = |text: Option<String>| text.filter(|text| !text.trim().is_empty());
    for row in index
        .range((chat, 0)..=(chat, u64::MAX))?
        .rev()
        .take(PROFILE_LOOKBACK)
    {
        let seq = row?.0.value().1;
        let Some(bytes) = log.get(seq)? else {
            continue;
        };
        let Ok(record) = LogRecord::from_bytes(bytes.value()) else {
            continue;
        };
        if record.kind != RecordKind::Message {
            continue;
        }
        let Some(logged) = serde_json::from_str::<LoggedContent>(&record.content_json)
            .ok()
            .and_then(|content| content.message?.contact?.profile)
        else {
            continue;
        };
        profile.name = profile.name.or_else(|| present(logged.name));
        profile.username = profile.username.or_else(|| present(logged.username));
        if profile.name.is_some() && profile.username.is_some() {
            break;
        }
    }
    Ok(profile)
}
