//! Attachments inside the store: their records, the customers' media still to download, and
//! which message each downloaded file belongs to. The files themselves live in the data folder
//! (see [`crate::attachments`]); the store only indexes them. Changes go through the writer
//! ([`MediaUpdate`]), each in one durable transaction; reads run on the blocking pool.

use redb::{ReadTransaction, ReadableDatabase as _, ReadableTable, Table, WriteTransaction};
use tokio::sync::oneshot;

use super::journal::{Recorder, is_media_message};
use super::media_record::{MediaRecord, MetaUpload, NewMedia, PendingDownload};
use super::record::LogRecord;
use super::request::Command;
use super::tables::{
    INBOUND_LOG, MEDIA, MEDIA_PENDING, MEDIA_RECEIVED, META, META_MEDIA_SCAN_SEQ,
    META_NEXT_MEDIA_ID,
};
use super::{Store, StoreError};
use crate::journal::{EventData, EventType, NewEvent};
use crate::time::UnixMs;

/// A change to the attachments, for the writer.
#[derive(Debug)]
pub(super) enum MediaUpdate {
    /// Store a new attachment; answered with its record.
    Add(NewMedia),
    /// Record Meta's media id of an upload of attachment `id`; answered with the record.
    Uploaded(u64, MetaUpload),
    /// The downloader looked at the inbound log up to `scanned_to` and found `found` to
    /// download. Answered with `None`.
    Pending {
        /// The last inbound seq looked at.
        scanned_to: u64,
        /// The customers' media found.
        found: Vec<PendingDownload>,
    },
    /// The customer's media of inbound message `seq` was downloaded as `media`: it is stored
    /// and leaves the pending list; answered with its record.
    Received(u64, NewMedia),
    /// The customer's media of inbound message `seq` will not be downloaded (its id expired).
    GaveUp(u64),
}

/// A change to the attachments on its way to the writer.
pub(super) struct MediaSubmission {
    pub(super) update: MediaUpdate,
    pub(super) reply: oneshot::Sender<Result<Option<MediaRecord>, StoreError>>,
}

/// The bytes a record or pending entry costs in the quota's accounting besides its encoding:
/// its key and index entries.
const MEDIA_INDEX_BYTES: u64 = 64;

/// The bytes `update` can add to the store, for the quota's check before it is written.
pub(super) fn media_cost_bound(update: &MediaUpdate) -> u64 {
    let new = |media: &NewMedia| {
        let texts = media.kind.len()
            + media.mime.len()
            + media.sha256.len()
            + media.file_name.as_ref().map_or(0, String::len)
            + 128;
        u64::try_from(texts).unwrap_or(u64::MAX) + MEDIA_INDEX_BYTES
    };
    match update {
        MediaUpdate::Add(media) | MediaUpdate::Received(_, media) => new(media),
        MediaUpdate::Uploaded(_, upload) => {
            u64::try_from(upload.media_id.len() + upload.phone_number_id.len()).unwrap_or(u64::MAX)
                + MEDIA_INDEX_BYTES
        }
        MediaUpdate::Pending { found, .. } => found
            .iter()
            .map(|pending| {
                u64::try_from(pending.to_bytes().len()).unwrap_or(u64::MAX) + MEDIA_INDEX_BYTES
            })
            .sum(),
        MediaUpdate::GaveUp(_) => 0,
    }
}

/// Applies `update` in `txn` at `now`: the record it answers with, and the bytes it added. A
/// customer's file downloaded for the first time is reported to `journal` (`media.downloaded`).
pub(super) fn apply_media(
    txn: &WriteTransaction,
    update: &MediaUpdate,
    now: UnixMs,
    journal: &Recorder,
) -> Result<(Option<MediaRecord>, u64), StoreError> {
    let mut media = txn.open_table(MEDIA)?;
    let mut meta = txn.open_table(META)?;
    match update {
        MediaUpdate::Add(new) => {
            let record = insert(&mut media, &mut meta, new, now)?;
            Ok((Some(record.0), record.1))
        }
        MediaUpdate::Uploaded(id, upload) => {
            let Some(mut record) = load(&media, *id)? else {
                return Ok((None, 0));
            };
            let before = record.to_bytes().len();
            record.meta_upload = Some(upload.clone());
            let bytes = record.to_bytes();
            media.insert(*id, bytes.as_slice())?;
            let added = bytes.len().saturating_sub(before);
            Ok((Some(record), u64::try_from(added).unwrap_or(u64::MAX)))
        }
        MediaUpdate::Pending { scanned_to, found } => {
            let mut pending = txn.open_table(MEDIA_PENDING)?;
            let mut added = 0_u64;
            for item in found {
                let bytes = item.to_bytes();
                added += u64::try_from(bytes.len()).unwrap_or(u64::MAX) + MEDIA_INDEX_BYTES;
                pending.insert(item.seq, bytes.as_slice())?;
            }
            let before = meta.get(META_MEDIA_SCAN_SEQ)?.map_or(0, |seq| seq.value());
            meta.insert(META_MEDIA_SCAN_SEQ, before.max(*scanned_to))?;
            Ok((None, added))
        }
        MediaUpdate::Received(seq, new) => {
            let mut pending = txn.open_table(MEDIA_PENDING)?;
            let mut received = txn.open_table(MEDIA_RECEIVED)?;
            if let Some(id) = received.get(*seq)?.map(|id| id.value()) {
                pending.remove(*seq)?;
                return Ok((load(&media, id)?, 0));
            }
            let (record, added) = insert(&mut media, &mut meta, new, now)?;
            received.insert(*seq, record.id)?;
            pending.remove(*seq)?;
            journal.record(NewEvent {
                event_type: EventType::MediaDownloaded,
                chat: None,
                data: EventData::Json(
                    serde_json::json!({
                        "log_seq": seq,
                        "media_id": record.id,
                        "kind": record.kind,
                        "mime": record.mime,
                        "bytes": record.bytes,
                        "media": format!("/api/v1/log/{seq}/media"),
                    })
                    .to_string(),
                ),
            });
            Ok((Some(record), added + MEDIA_INDEX_BYTES))
        }
        MediaUpdate::GaveUp(seq) => {
            txn.open_table(MEDIA_PENDING)?.remove(*seq)?;
            Ok((None, 0))
        }
    }
}

/// Stores `new` under the next media id.
fn insert(
    media: &mut Table<'_, u64, &'static [u8]>,
    meta: &mut Table<'_, &'static str, u64>,
    new: &NewMedia,
    now: UnixMs,
) -> Result<(MediaRecord, u64), StoreError> {
    let id = meta.get(META_NEXT_MEDIA_ID)?.map_or(1, |id| id.value());
    meta.insert(META_NEXT_MEDIA_ID, id + 1)?;
    let record = MediaRecord {
        id,
        kind: new.kind.clone(),
        mime: new.mime.clone(),
        bytes: new.bytes,
        sha256: new.sha256.clone(),
        file_name: new.file_name.clone(),
        origin: new.origin.clone(),
        meta_upload: None,
        created_at: now,
    };
    let bytes = record.to_bytes();
    media.insert(id, bytes.as_slice())?;
    let added = u64::try_from(bytes.len()).unwrap_or(u64::MAX) + MEDIA_INDEX_BYTES;
    Ok((record, added))
}

/// Why the attachment that a message of type `kind` with body `body` (JSON) names cannot be
/// sent, if it cannot: not a local media id, no such attachment, or one of another kind. A
/// message that names no attachment has none to refuse.
pub(super) fn unsendable_attachment(
    txn: &WriteTransaction,
    kind: &str,
    body: &str,
) -> Result<Option<String>, StoreError> {
    if !["image", "document", "audio", "video"].contains(&kind) {
        return Ok(None);
    }
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let Some(id) = body[kind]["id"].as_str() else {
        return Ok(None);
    };
    let upload = "upload the file with POST /api/v1/media and send the id it answers";
    let number = id
        .parse::<u64>()
        .ok()
        .filter(|_| id.bytes().all(|b| b.is_ascii_digit()));
    let Some(number) = number else {
        return Ok(Some(format!(
            "{kind}.id {id:?} is not a local media id: {upload}"
        )));
    };
    let Some(record) = load(&txn.open_table(MEDIA)?, number)? else {
        return Ok(Some(format!("no attachment {number}: {upload}")));
    };
    if record.kind == kind {
        return Ok(None);
    }
    let article = if record.kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let found = &record.kind;
    Ok(Some(format!(
        "attachment {number} is {article} {found}, not {kind}: send it with \"type\": \"{found}\""
    )))
}

fn load(
    media: &impl ReadableTable<u64, &'static [u8]>,
    id: u64,
) -> Result<Option<MediaRecord>, StoreError> {
    match media.get(id)? {
        Some(bytes) => MediaRecord::from_bytes(bytes.value())
            .map(Some)
            .map_err(|error| StoreError::Record {
                table: "media",
                key: id,
                reason: error.to_string(),
            }),
        None => Ok(None),
    }
}

/// Attachment `id`, if it exists.
fn read_media(txn: &ReadTransaction, id: u64) -> Result<Option<MediaRecord>, StoreError> {
    load(&txn.open_table(MEDIA)?, id)
}

/// The local media ids of the customers' messages `seqs` that were downloaded, as (seq, id).
fn read_received(txn: &ReadTransaction, seqs: &[u64]) -> Result<Vec<(u64, u64)>, StoreError> {
    let received = txn.open_table(MEDIA_RECEIVED)?;
    let mut found = Vec::new();
    for seq in seqs {
        if let Some(id) = received.get(*seq)? {
            found.push((*seq, id.value()));
        }
    }
    Ok(found)
}

/// The downloaded media of a customer's message, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogMedia {
    /// It was downloaded: this attachment.
    Downloaded(Box<MediaRecord>),
    /// The inbound log has no record with that seq (or retention pruned it).
    NoMessage,
    /// The record is not a customer's message with a file.
    NotMedia,
    /// It is not downloaded yet (the downloader has it in hand, or has not looked yet).
    NotYet,
    /// It could not be downloaded (Meta's media id expired first).
    GaveUp,
}

/// What [`LogMedia`] inbound record `seq` has.
fn read_log_media(txn: &ReadTransaction, seq: u64) -> Result<LogMedia, StoreError> {
    if let Some(id) = txn
        .open_table(MEDIA_RECEIVED)?
        .get(seq)?
        .map(|id| id.value())
    {
        return Ok(match load(&txn.open_table(MEDIA)?, id)? {
            Some(record) => LogMedia::Downloaded(Box::new(record)),
            None => LogMedia::GaveUp,
        });
    }
    let Some(bytes) = txn.open_table(INBOUND_LOG)?.get(seq)? else {
        return Ok(LogMedia::NoMessage);
    };
    let record = LogRecord::from_bytes(bytes.value()).map_err(|error| StoreError::Record {
        table: "inbound_log",
        key: seq,
        reason: error.to_string(),
    })?;
    if !is_media_message(&record) {
        return Ok(LogMedia::NotMedia);
    }
    let scanned = txn
        .open_table(META)?
        .get(META_MEDIA_SCAN_SEQ)?
        .map_or(0, |seq| seq.value());
    let pending = txn.open_table(MEDIA_PENDING)?.get(seq)?.is_some();
    Ok(if pending || seq > scanned {
        LogMedia::NotYet
    } else {
        LogMedia::GaveUp
    })
}

/// Every pending download, in inbound order.
fn read_pending(txn: &ReadTransaction) -> Result<Vec<PendingDownload>, StoreError> {
    let table = txn.open_table(MEDIA_PENDING)?;
    let mut pending = Vec::new();
    for row in table.iter()? {
        let (seq, bytes) = row?;
        match PendingDownload::from_bytes(bytes.value()) {
            Ok(item) => pending.push(item),
            Err(error) => {
                tracing::warn!(seq = seq.value(), %error, "a pending media download cannot be read; skipped");
            }
        }
    }
    Ok(pending)
}

/// The inbound log after the downloader's watermark: at most `limit` records (seq, record),
/// and the watermark they start after.
fn read_log_after_scan(
    txn: &ReadTransaction,
    limit: usize,
) -> Result<(u64, Vec<(u64, LogRecord)>), StoreError> {
    let after = txn
        .open_table(META)?
        .get(META_MEDIA_SCAN_SEQ)?
        .map_or(0, |seq| seq.value());
    let log = txn.open_table(INBOUND_LOG)?;
    let mut records = Vec::new();
    for row in log.range(after.saturating_add(1)..)?.take(limit) {
        let (seq, bytes) = row?;
        let seq = seq.value();
        match LogRecord::from_bytes(bytes.value()) {
            Ok(record) => records.push((seq, record)),
            Err(error) => {
                tracing::warn!(seq, %error, "an inbound log record cannot be read; its media (if any) is not downloaded");
            }
        }
    }
    Ok((after, records))
}

impl Store {
    /// Changes the attachments through the writer; answered once it is durable.
    async fn change_media(&self, update: MediaUpdate) -> Result<Option<MediaRecord>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Media(MediaSubmission { update, reply }))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Stores a new attachment whose file is already durable in the media folder.
    pub async fn add_media(&self, media: NewMedia) -> Result<MediaRecord, StoreError> {
        self.change_media(MediaUpdate::Add(media))
            .await?
            .ok_or(StoreError::WriterGone)
    }

    /// Records Meta's media id of an upload of attachment `id`.
    pub async fn media_uploaded(
        &self,
        id: u64,
        upload: MetaUpload,
    ) -> Result<Option<MediaRecord>, StoreError> {
        self.change_media(MediaUpdate::Uploaded(id, upload)).await
    }

    /// Records the customers' media found in the inbound log up to `scanned_to`.
    pub async fn note_pending_downloads(
        &self,
        scanned_to: u64,
        found: Vec<PendingDownload>,
    ) -> Result<(), StoreError> {
        self.change_media(MediaUpdate::Pending { scanned_to, found })
            .await
            .map(|_| ())
    }

    /// Stores the downloaded media of inbound message `seq` (its file is already durable).
    pub async fn media_downloaded(
        &self,
        seq: u64,
        media: NewMedia,
    ) -> Result<MediaRecord, StoreError> {
        self.change_media(MediaUpdate::Received(seq, media))
            .await?
            .ok_or(StoreError::WriterGone)
    }

    /// Drops the pending download of inbound message `seq`.
    pub async fn give_up_download(&self, seq: u64) -> Result<(), StoreError> {
        self.change_media(MediaUpdate::GaveUp(seq))
            .await
            .map(|_| ())
    }

    /// Attachment `id`, if it exists.
    pub async fn media(&self, id: u64) -> Result<Option<MediaRecord>, StoreError> {
        self.read(move |db| read_media(&db.begin_read()?, id)).await
    }

    /// The local media ids of the inbound messages `seqs` whose media was downloaded.
    pub async fn received_media(&self, seqs: Vec<u64>) -> Result<Vec<(u64, u64)>, StoreError> {
        self.read(move |db| read_received(&db.begin_read()?, &seqs))
            .await
    }

    /// The downloaded media of customer message `seq` (its inbound log seq), or why there is
    /// none.
    pub async fn log_media(&self, seq: u64) -> Result<LogMedia, StoreError> {
        self.read(move |db| read_log_media(&db.begin_read()?, seq))
            .await
    }

    /// Every pending download.
    pub async fn pending_downloads(&self) -> Result<Vec<PendingDownload>, StoreError> {
        self.read(|db| read_pending(&db.begin_read()?)).await
    }

    /// Up to `limit` inbound log records after the downloader's watermark, and the watermark.
    pub async fn inbound_after_media_scan(
        &self,
        limit: usize,
    ) -> Result<(u64, Vec<(u64, LogRecord)>), StoreError> {
        self.read(move |db| read_log_after_scan(&db.begin_read()?, limit))
            .await
    }
}
