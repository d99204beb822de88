//! A chat's transcript, for a ticket request: the customer's messages (as `message.received`
//! events show them, with references to their media) and the operators' messages, in the
//! order they happened, capped so that one event stays a size headquarters takes in a batch.

use redb::{ReadableTable, WriteTransaction};
use serde::Serialize;
use serde_json::value::RawValue;

use super::StoreError;
use super::journal::logged_message_json;
use super::outbox::chat_messages_in;
use super::record::LogRecord;
use super::tables::{CHAT_MESSAGES, CHAT_OUTBOUND, INBOUND_LOG, OUT_MESSAGES};
use crate::outbound_json::OutboundJson;
use crate::time::UnixMs;

/// The most entries a transcript carries (the latest are kept).
pub(super) const MAX_TRANSCRIPT_ENTRIES: usize = 2_000;
/// The most bytes of entries a transcript carries (the latest are kept).
pub(super) const MAX_TRANSCRIPT_BYTES: usize = 256 * 1024;

/// A chat's transcript: its latest entries, oldest first, within the caps.
#[derive(Debug, Default)]
pub(super) struct Transcript {
    /// Each a JSON object `{"from": "customer"|"operator", "at": ms, "message": {...}}`.
    pub(super) entries: Vec<Box<RawValue>>,
    /// How many older entries the caps left out.
    pub(super) omitted: usize,
}

/// One entry as JSON. `at` is when the gateway received the customer's message, or when the
/// operator wrote theirs (the same clock).
#[derive(Serialize)]
struct EntryJson<M> {
    /// `customer` or `operator`.
    from: &'static str,
    at: UnixMs,
    message: M,
}

/// The transcript of chat `chat`. Opens [`CHAT_MESSAGES`], [`INBOUND_LOG`], [`CHAT_OUTBOUND`]
/// and [`OUT_MESSAGES`] for the call: none of them may be open in `txn` (a `ChatTables`, an
/// `OutboxTables` or a `GroupTables` holds some). Customers' messages that retention pruned are
/// not in it.
pub(super) fn read_transcript(txn: &WriteTransaction, chat: u64) -> Result<Transcript, StoreError> {
    let mut timed: Vec<(UnixMs, String)> = Vec::new();
    {
        let index = txn.open_table(CHAT_MESSAGES)?;
        let log = txn.open_table(INBOUND_LOG)?;
        for row in index.range((chat, 0)..=(chat, u64::MAX))? {
            let seq = row?.0.value().1;
            let Some(bytes) = log.get(seq)? else {
                continue;
            };
            let record =
                LogRecord::from_bytes(bytes.value()).map_err(|error| StoreError::Record {
                    table: "inbound_log",
                    key: seq,
                    reason: error.to_string(),
                })?;
            let message = logged_message_json(seq, &record);
            let message = serde_json::from_str::<&RawValue>(&message)
                .map_err(|error| shown_wrong("inbound_log", seq, &error))?;
            let at = record.received_at_ms;
            let entry = EntryJson {
                from: "customer",
                at,
                message,
            };
            timed.push((at, entry_text(&entry)));
        }
    }
    let outbound = chat_messages_in(
        &txn.open_table(CHAT_OUTBOUND)?,
        &txn.open_table(OUT_MESSAGES)?,
        chat,
    )?;
    for message in &outbound {
        let at = message.created_at;
        let entry = EntryJson {
            from: "operator",
            at,
            message: OutboundJson::new(message),
        };
        timed.push((at, entry_text(&entry)));
    }
    // Stable: at the same instant, the customer's message (listed first) stays first.
    timed.sort_by_key(|(at, _)| *at);
    Ok(latest_within_caps(
        timed.into_iter().map(|(_, text)| text).collect(),
    ))
}

fn entry_text(entry: &EntryJson<impl Serialize>) -> String {
    serde_json::to_string(entry).unwrap_or_else(|_| String::from("{}"))
}

fn shown_wrong(table: &'static str, key: u64, error: &serde_json::Error) -> StoreError {
    StoreError::Record {
        table,
        key,
        reason: error.to_string(),
    }
}

/// The latest of `entries` (oldest first) that fit in [`MAX_TRANSCRIPT_ENTRIES`] and
/// [`MAX_TRANSCRIPT_BYTES`].
fn latest_within_caps(entries: Vec<String>) -> Transcript {
    let mut bytes = 0;
    let mut kept = 0;
    for entry in entries.iter().rev() {
        if kept == MAX_TRANSCRIPT_ENTRIES || bytes + entry.len() > MAX_TRANSCRIPT_BYTES {
            break;
        }
        bytes += entry.len();
        kept += 1;
    }
    let omitted = entries.len() - kept;
    Transcript {
        entries: entries
            .into_iter()
            .skip(omitted)
            .filter_map(|entry| RawValue::from_string(entry).ok())
            .collect(),
        omitted,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_caps_keep_the_latest_entries() {
        let entries: Vec<String> = (0..MAX_TRANSCRIPT_ENTRIES + 5)
            .map(|n| format!("{{\"n\":{n}}}"))
            .collect();
        let transcript = latest_within_caps(entries);
        assert_eq!(transcript.omitted, 5);
        assert_eq!(transcript.entries.len(), MAX_TRANSCRIPT_ENTRIES);
        assert_eq!(transcript.entries[0].get(), "{\"n\":5}");

        let big = format!("{{\"t\":\"{}\"}}", "x".repeat(MAX_TRANSCRIPT_BYTES / 3));
        let transcript = latest_within_caps(vec![big.clone(), big.clone(), big.clone(), big]);
        assert_eq!((transcript.omitted, transcript.entries.len()), (2, 2));
    }
}
