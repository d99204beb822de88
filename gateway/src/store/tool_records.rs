//! The operators' tools as stored records: canned responses, articles, notes and tag lists, each
//! a versioned postcard value, and reading them from a table of either kind of transaction.

use redb::ReadableTable;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::tools::{Article, CannedResponse, Note};

/// The wire form of a tool record; the variant is the version. A record that changes gets an
/// enum of its own whose `V1` is this one's (the same bytes).
#[derive(Serialize, Deserialize)]
enum ToolWire<T> {
    V1(T),
}

/// Encodes a tool record for the store.
pub(super) fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    postcard::to_allocvec(&ToolWire::V1(record)).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    match postcard::from_bytes(bytes)? {
        ToolWire::V1(record) => Ok(record),
    }
}

/// A stored canned response or article: decoded, with the key as its id.
fn decode_keyed<T: DeserializeOwned>(
    table: &'static str,
    id: &str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    decode(bytes).map_err(|error| StoreError::Entry {
        table,
        reason: format!("entry {id:?}: {error}"),
    })
}

/// Canned response `id` from its stored bytes.
pub(super) fn decode_canned(id: &str, bytes: &[u8]) -> Result<CannedResponse, StoreError> {
    decode_keyed("canned_responses", id, bytes)
}

/// Article `id` from its stored bytes.
pub(super) fn decode_article(id: &str, bytes: &[u8]) -> Result<Article, StoreError> {
    decode_keyed("articles", id, bytes)
}

/// Note `n` of chat `chat` from its stored bytes.
pub(super) fn decode_note(chat: u64, n: u64, bytes: &[u8]) -> Result<Note, StoreError> {
    decode::<Note>(bytes)
        .map(|note| Note { n, ..note })
        .map_err(|error| StoreError::Record {
            table: "chat_notes",
            key: chat,
            reason: format!("note {n}: {error}"),
        })
}

/// Chat `chat`'s tags from their stored bytes.
pub(super) fn decode_tags(chat: u64, bytes: &[u8]) -> Result<Vec<String>, StoreError> {
    decode(bytes).map_err(|error| StoreError::Record {
        table: "chat_tags",
        key: chat,
        reason: error.to_string(),
    })
}

/// Every canned response, in id order.
pub(super) fn all_canned(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<CannedResponse>, StoreError> {
    let mut all = Vec::new();
    for row in table.iter()? {
        let (id, bytes) = row?;
        all.push(decode_canned(id.value(), bytes.value())?);
    }
    Ok(all)
}

/// Every article, in id order.
pub(super) fn all_articles(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<Article>, StoreError> {
    let mut all = Vec::new();
    for row in table.iter()? {
        let (id, bytes) = row?;
        all.push(decode_article(id.value(), bytes.value())?);
    }
    Ok(all)
}

/// Chat `chat`'s notes, oldest first.
pub(super) fn chat_notes(
    table: &impl ReadableTable<(u64, u64), &'static [u8]>,
    chat: u64,
) -> Result<Vec<Note>, StoreError> {
    let mut notes = Vec::new();
    for row in table.range((chat, 0)..=(chat, u64::MAX))? {
        let (key, bytes) = row?;
        notes.push(decode_note(chat, key.value().1, bytes.value())?);
    }
    Ok(notes)
}

/// Chat `chat`'s tags (none when it has no entry).
pub(super) fn chat_tags(
    table: &impl ReadableTable<u64, &'static [u8]>,
    chat: u64,
) -> Result<Vec<String>, StoreError> {
    match table.get(chat)? {
        Some(bytes) => decode_tags(chat, bytes.value()),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::tools::ToolSource;

    #[test]
    fn records_read_back_and_a_foreign_version_is_an_error() {
        let canned = CannedResponse {
            id: "hi".into(),
            shortcut: "hi".into(),
            body: "Hello".into(),
            source: ToolSource::Hq,
            updated_at: 7,
        };
        assert_eq!(decode_canned("hi", &encode(&canned)).unwrap(), canned);
        let note = Note {
            n: 3,
            author: "ana".into(),
            text: "call back".into(),
            at: 9,
        };
        let stored = encode(&note);
        assert_eq!(decode_note(1, 3, &stored).unwrap(), note);
        assert_eq!(
            decode_note(1, 4, &stored).unwrap().n,
            4,
            "the key is the number"
        );
        let tags = vec![String::from("vip")];
        assert_eq!(decode_tags(1, &encode(&tags)).unwrap(), tags);
        assert!(decode_canned("x", &[1, 0]).is_err());
    }
}
