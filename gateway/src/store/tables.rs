//! The redb tables and the keys of the `meta` table. Only the store module sees these.

use redb::TableDefinition;

use crate::chat::{BusinessNumber, CustomerId};

/// The key of a (business number, customer) pair in [`LATEST_CHAT`] and [`WINDOWS`].
pub(super) fn pair_key(number: &BusinessNumber, customer: &CustomerId) -> String {
    format!("{}\0{}", number.as_str(), customer.as_str())
}

/// The inbound log: sequence number -> postcard [`super::record::LogRecord`]. Append-only.
pub(super) const INBOUND_LOG: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("inbound_log");
/// Dead letters: their own sequence -> postcard [`super::record::DeadLetter`].
pub(super) const DEAD_LETTERS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("dead_letters");
/// Dedupe index: dedupe key -> the wall-clock millisecond it was first seen.
pub(super) const DEDUPE: TableDefinition<'_, &[u8], u64> = TableDefinition::new("dedupe");
/// Expiry index over [`DEDUPE`]: (first seen ms, dedupe key) -> (). Ordered by age, so expiry
/// and the entry cap remove the oldest first.
pub(super) const DEDUPE_BY_AGE: TableDefinition<'_, (u64, &[u8]), ()> =
    TableDefinition::new("dedupe_by_age");
/// Chats: chat id -> postcard [`crate::chat::Chat`] (versioned, see `chats.rs`).
pub(super) const CHATS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("chats");
/// The latest chat of each (business number, customer): `number \0 customer` -> chat id. It
/// may be closed; the customer's next message then opens a new chat.
pub(super) const LATEST_CHAT: TableDefinition<'_, &str, u64> = TableDefinition::new("latest_chat");
/// Open chats by deadline: (deadline ms, chat id) -> (). The sweep reads it from the start.
pub(super) const CHAT_DEADLINES: TableDefinition<'_, (u64, u64), ()> =
    TableDefinition::new("chat_deadlines");
/// The messages of each chat: (chat id, inbound log seq) -> ().
pub(super) const CHAT_MESSAGES: TableDefinition<'_, (u64, u64), ()> =
    TableDefinition::new("chat_messages");
/// The service window of each (business number, customer): `number \0 customer` -> postcard
/// [`crate::policy::WindowState`] (versioned, see `windows.rs`).
pub(super) const WINDOWS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("windows");
/// Policy state kept as whole records by name: `templates` -> the template registry
/// (versioned, see `templates.rs`).
pub(super) const POLICY: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("policy");
/// Operators' messages to customers: local message id -> postcard
/// [`super::OutboundMessage`] (versioned, see `outbound_record.rs`).
pub(super) const OUT_MESSAGES: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("out_messages");
/// The outboxes: (topic, key) -> (). An entry is work its consumer has not finished: for the
/// Meta topic, a message id still to send (removed when Meta accepted it, it failed, or it
/// became uncertain). One table, a topic per consumer (see [`super::OutboxTopic`]).
pub(super) const OUTBOX: TableDefinition<'_, (u8, u64), ()> = TableDefinition::new("outbox");
/// `operator \0 Idempotency-Key` -> the message id it created.
pub(super) const IDEMPOTENCY: TableDefinition<'_, &str, u64> = TableDefinition::new("idempotency");
/// Meta's id of a sent message (wamid) -> its local message id, for status webhooks.
pub(super) const OUT_WAMIDS: TableDefinition<'_, &str, u64> = TableDefinition::new("out_wamids");
/// The outgoing messages of each chat: (chat id, message id) -> ().
pub(super) const CHAT_OUTBOUND: TableDefinition<'_, (u64, u64), ()> =
    TableDefinition::new("chat_outbound");
/// The credit ledger, append-only: entry seq -> postcard [`crate::pricing::Entry`]
/// (versioned, see `books.rs`).
pub(super) const LEDGER: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("ledger");
/// Service messages delivered per business number and billing month: (number, year × 100 +
/// month) -> count (the free tier's measure).
pub(super) const SERVICE_DELIVERED: TableDefinition<'_, (&str, u32), u64> =
    TableDefinition::new("service_delivered");
/// Attachments: local media id -> postcard [`super::MediaRecord`] (versioned, see
/// `media_record.rs`). Their files are in the data folder's media folder, named by SHA-256.
pub(super) const MEDIA: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("media");
/// Customers' media downloaded: inbound log seq of the message -> local media id.
pub(super) const MEDIA_RECEIVED: TableDefinition<'_, u64, u64> =
    TableDefinition::new("media_received");
/// Customers' media still to download: inbound log seq of the message -> postcard
/// [`super::PendingDownload`].
pub(super) const MEDIA_PENDING: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("media_pending");
/// Business numbers the sender holds until an operator resumes them: phone_number_id ->
/// postcard [`crate::outbound::Hold`] (versioned, see `outbox.rs`).
pub(super) const NUMBER_HOLDS: TableDefinition<'_, &str, &[u8]> =
    TableDefinition::new("number_holds");
/// The journal: event seq -> postcard [`crate::journal::JournalEvent`] (versioned). Append-only
/// but for retention, which removes the oldest acknowledged events.
pub(super) const JOURNAL: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("journal");
/// Batches formed for headquarters and not yet settled: first event seq -> last event seq. A
/// batch never changes once formed: a redelivery sends the same events under the same id.
pub(super) const UPSTREAM_BATCHES: TableDefinition<'_, u64, u64> =
    TableDefinition::new("upstream_batches");
/// Batches headquarters refused (3xx, 4xx): first event seq -> postcard
/// [`super::upstream::DeadBatch`]. Their events are kept until a retry is acknowledged.
pub(super) const UPSTREAM_DEAD: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("upstream_dead");
/// Canned responses: id -> postcard [`crate::tools::CannedResponse`] (versioned, see
/// `tools.rs`).
pub(super) const CANNED_RESPONSES: TableDefinition<'_, &str, &[u8]> =
    TableDefinition::new("canned_responses");
/// Knowledge-base articles: id -> postcard [`crate::tools::Article`] (versioned, see
/// `tools.rs`).
pub(super) const ARTICLES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("articles");
/// Operators' internal notes: (chat id, note number from 1) -> postcard
/// [`crate::tools::Note`] (versioned, see `tools.rs`).
pub(super) const CHAT_NOTES: TableDefinition<'_, (u64, u64), &[u8]> =
    TableDefinition::new("chat_notes");
/// A chat's tags: chat id -> postcard list of tags (versioned, see `tools.rs`). No entry: no
/// tags.
pub(super) const CHAT_TAGS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("chat_tags");
/// Commands from headquarters that ran: command id -> the commit's wall-clock ms. A command id
/// is carried out at most once, ever.
pub(super) const COMMANDS_DONE: TableDefinition<'_, &str, u64> =
    TableDefinition::new("commands_done");
/// Text values by name (the `TEXT_*` keys below).
pub(super) const TEXT_STATE: TableDefinition<'_, &str, &str> = TableDefinition::new("text_state");
/// The id of the last command from headquarters that was handled.
pub(super) const TEXT_COMMAND_CURSOR: &str = "command_cursor";
/// Counters and watermarks, by name (the `META_*` keys below).
pub(super) const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");

/// The next inbound log sequence number (starts at 1, only grows).
pub(super) const META_NEXT_SEQ: &str = "next_seq";
/// The next dead-letter sequence number.
pub(super) const META_NEXT_DEAD_SEQ: &str = "next_dead_seq";
/// Bytes of keys and values stored in the tables (the quota's measure of the store).
pub(super) const META_STORED_BYTES: &str = "stored_bytes";
/// Entries in the dedupe index.
pub(super) const META_DEDUPE_ENTRIES: &str = "dedupe_entries";
/// Wall-clock milliseconds of the last durable commit (the clock watermark).
pub(super) const META_LAST_COMMIT_MS: &str = "last_commit_ms";
/// Duplicates dropped since the store was created.
pub(super) const META_DUPLICATES_TOTAL: &str = "duplicates_total";
/// The id the next chat gets (starts at 1).
pub(super) const META_NEXT_CHAT_ID: &str = "next_chat_id";
/// The id the next outgoing message gets (starts at 1).
pub(super) const META_NEXT_MESSAGE_ID: &str = "next_message_id";
/// The store's schema version (see `schema.rs`).
pub(super) const META_SCHEMA_VERSION: &str = "schema_version";
/// The id the next attachment gets (starts at 1).
pub(super) const META_NEXT_MEDIA_ID: &str = "next_media_id";
/// The next journal sequence number (starts at 1, only grows, no gaps).
pub(super) const META_NEXT_EVENT_SEQ: &str = "next_event_seq";
/// The last journal seq put in a batch for headquarters (batches are formed in order).
pub(super) const META_UPSTREAM_FORMED: &str = "upstream_formed";
/// The last inbound log seq the media downloader looked at for customers' media.
pub(super) const META_MEDIA_SCAN_SEQ: &str = "media_scan_seq";
/// The number the next canned response created without an id gets (starts at 1; an id taken
/// by a `PUT` is skipped).
pub(super) const META_NEXT_CANNED_ID: &str = "next_canned_id";
/// The number the next article created without an id gets (like [`META_NEXT_CANNED_ID`]).
pub(super) const META_NEXT_ARTICLE_ID: &str = "next_article_id";
