//! The journal inside the store: events recorded by the changes of a write transaction and
//! appended, with gap-free sequence numbers, just before it commits; their entries in the
//! upstream outbox; and reading them back for headquarters and the event stream.
//!
//! The table groups a transaction opens (chats, outgoing messages, books) each hold a clone of
//! the transaction's [`Recorder`], so events keep the order the changes happened in, whichever
//! group made them.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::{ReadTransaction, WriteTransaction};
use serde::Serialize;
use tokio::sync::watch;

use super::StoreError;
use super::outbox::OutboxTopic;
use super::record::{LogRecord, RecordKind};
use super::tables::{INBOUND_LOG, JOURNAL, OUTBOX};
use super::writer::len_u64;
use crate::chat_json::ContentJson;
use crate::journal::{EventData, JournalEvent, NewEvent};
use crate::time::UnixMs;

/// What one stored event costs in the accounting besides its data: its key, its outbox entry
/// and the fixed fields.
pub(super) const EVENT_OVERHEAD_BYTES: u64 = 48;

/// The events one write transaction records, in order. Cheap to clone; the writer thread only.
#[derive(Debug, Clone, Default)]
pub(super) struct Recorder(Rc<RefCell<Vec<NewEvent>>>);

impl Recorder {
    /// Records `event`.
    pub(super) fn record(&self, event: NewEvent) {
        self.0.borrow_mut().push(event);
    }

    /// Records `events`, in order.
    pub(super) fn record_all(&self, events: impl IntoIterator<Item = NewEvent>) {
        self.0.borrow_mut().extend(events);
    }

    fn take(&self) -> Vec<NewEvent> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// Appends what `recorder` holds to the journal as `next_seq`, `next_seq + 1`..., each with an
/// upstream outbox entry, at `at`. Call it after the transaction's table groups are dropped and
/// just before the commit. Returns the events and the bytes they added.
pub(super) fn append(
    txn: &WriteTransaction,
    recorder: &Recorder,
    next_seq: &mut u64,
    at: UnixMs,
) -> Result<(Vec<JournalEvent>, u64), StoreError> {
    let recorded = recorder.take();
    if recorded.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut journal = txn.open_table(JOURNAL)?;
    let mut outbox = txn.open_table(OUTBOX)?;
    let mut appended = Vec::with_capacity(recorded.len());
    let mut bytes = 0;
    for event in recorded {
        let event = JournalEvent::appended(event, *next_seq, at);
        let stored = event.to_bytes();
        journal.insert(event.seq, stored.as_slice())?;
        outbox.insert((OutboxTopic::Upstream as u8, event.seq), ())?;
        bytes += EVENT_OVERHEAD_BYTES + len_u64(stored.len());
        *next_seq += 1;
        appended.push(event);
    }
    Ok((appended, bytes))
}

/// What readers learn of the journal without a transaction: how far it goes, and the upstream
/// outbox's size. The writer updates it after each commit.
#[derive(Debug, Clone)]
pub struct JournalWatch {
    /// The last appended sequence number (0: none yet). Changes wake the sink and the streams.
    last_seq: watch::Sender<u64>,
    /// Events in the upstream outbox (appended, neither acknowledged nor dead-lettered).
    backlog: Arc<AtomicU64>,
}

impl JournalWatch {
    pub(super) fn new(last_seq: u64, backlog: u64) -> Self {
        Self {
            last_seq: watch::Sender::new(last_seq),
            backlog: Arc::new(AtomicU64::new(backlog)),
        }
    }

    /// Tells the waiting readers that the journal now ends at `last_seq`.
    pub(super) fn appended(&self, last_seq: u64, added: u64) {
        self.backlog.fetch_add(added, Ordering::Relaxed);
        self.last_seq.send_if_modified(|seq| {
            let moved = *seq != last_seq;
            *seq = last_seq;
            moved
        });
    }

    /// `settled` events left the upstream outbox (acknowledged, dead-lettered or pruned).
    pub(super) fn settled(&self, settled: u64) {
        let _ = self
            .backlog
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(settled))
            });
    }

    /// `events` came back to the upstream outbox (a dead letter retried).
    pub(super) fn requeued(&self, events: u64) {
        self.backlog.fetch_add(events, Ordering::Relaxed);
    }

    /// A receiver of the last appended sequence number.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.last_seq.subscribe()
    }

    /// The last appended sequence number (0: none yet).
    pub fn last_seq(&self) -> u64 {
        *self.last_seq.borrow()
    }

    /// Events waiting in the upstream outbox.
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::Relaxed)
    }
}

/// An event read back, with its data resolved to a JSON object (a customer's message is shown
/// from its inbound log record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEvent {
    /// The event.
    pub event: JournalEvent,
    /// Its data, a JSON object as text.
    pub data: String,
}

/// A customer's message as a `message.received` event shows it.
#[derive(Serialize)]
struct LoggedMessageJson<'a> {
    log_seq: u64,
    wamid: Option<&'a str>,
    /// Meta's timestamp (Unix seconds).
    timestamp: Option<i64>,
    #[serde(rename = "type")]
    type_name: &'a str,
    /// The business number's id.
    phone_number_id: Option<&'a str>,
    from: Option<&'a str>,
    user_id: Option<&'a str>,
    content: ContentJson<'a>,
    /// Where the gateway serves the message's media, for a media message.
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<MediaRef>,
}

/// A reference to media the gateway serves.
#[derive(Serialize)]
struct MediaRef {
    href: String,
}

/// The message types whose content is a file.
const MEDIA_TYPES: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

/// Whether `record` is a customer's message whose content is a file.
pub(super) fn is_media_message(record: &LogRecord) -> bool {
    record.kind == RecordKind::Message && MEDIA_TYPES.contains(&record.type_name.as_str())
}

/// The `message.received` data of inbound log record `seq`.
pub(super) fn logged_message_json(seq: u64, record: &LogRecord) -> String {
    let media = is_media_message(record).then(|| MediaRef {
        href: format!("/api/v1/log/{seq}/media"),
    });
    serde_json::to_string(&LoggedMessageJson {
        log_seq: seq,
        wamid: record.wamid.as_deref(),
        timestamp: record.timestamp,
        type_name: &record.type_name,
        phone_number_id: record.phone_number_id.as_deref(),
        from: record.sender.as_deref(),
        user_id: record.user_id.as_deref(),
        content: ContentJson::new(&record.content_json),
        media,
    })
    .unwrap_or_else(|_| String::from("{}"))
}

/// Up to `limit` events after `after`, in order, resolved.
pub(super) fn read_events(
    txn: &ReadTransaction,
    after: u64,
    limit: usize,
) -> Result<Vec<ResolvedEvent>, StoreError> {
    read_range(txn, after.saturating_add(1), u64::MAX, limit)
}

/// Up to `limit` events with sequence numbers in `first..=last`, in order, resolved.
pub(super) fn read_range(
    txn: &ReadTransaction,
    first: u64,
    last: u64,
    limit: usize,
) -> Result<Vec<ResolvedEvent>, StoreError> {
    let journal = txn.open_table(JOURNAL)?;
    let log = txn.open_table(INBOUND_LOG)?;
    let mut events = Vec::new();
    if first > last {
        return Ok(events);
    }
    for row in journal.range(first..=last)? {
        if events.len() >= limit {
            break;
        }
        let (seq, bytes) = row?;
        let event = decode_event(seq.value(), bytes.value())?;
        let data = match &event.data {
            EventData::Json(json) => json.clone(),
            EventData::Logged { log_seq } => match log.get(*log_seq)? {
                Some(record) => {
                    let record = LogRecord::from_bytes(record.value()).map_err(|error| {
                        StoreError::Record {
                            table: "inbound_log",
                            key: *log_seq,
                            reason: error.to_string(),
                        }
                    })?;
                    logged_message_json(*log_seq, &record)
                }
                None => format!("{{\"log_seq\":{log_seq},\"pruned\":true}}"),
            },
        };
        events.push(ResolvedEvent { event, data });
    }
    Ok(events)
}

/// Events in the upstream outbox (counted once at open; the writer keeps the count after).
pub(super) fn count_backlog(txn: &ReadTransaction) -> Result<u64, StoreError> {
    let outbox = txn.open_table(OUTBOX)?;
    let topic = OutboxTopic::Upstream as u8;
    let mut count = 0;
    for row in outbox.range((topic, 0)..=(topic, u64::MAX))? {
        row?;
        count += 1;
    }
    Ok(count)
}

/// Journal event `seq` from its stored bytes.
pub(super) fn decode_event(seq: u64, bytes: &[u8]) -> Result<JournalEvent, StoreError> {
    JournalEvent::from_bytes(seq, bytes).map_err(|error| StoreError::Record {
        table: "journal",
        key: seq,
        reason: error.to_string(),
    })
}

/// When the oldest event still in the upstream outbox was appended, if any is.
pub(super) fn oldest_unsent_at(txn: &ReadTransaction) -> Result<Option<UnixMs>, StoreError> {
    let outbox = txn.open_table(OUTBOX)?;
    let topic = OutboxTopic::Upstream as u8;
    let oldest = outbox
        .range((topic, 0)..=(topic, u64::MAX))?
        .next()
        .transpose()?
        .map(|(key, _)| key.value().1);
    Ok(match oldest {
        Some(seq) => read_range(txn, seq, seq, 1)?
            .first()
            .map(|event| event.event.at),
        None => None,
    })
}
