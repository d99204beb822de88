//! The downloader of customers' media. It follows the inbound log (from a watermark the store
//! keeps), notes each customer's image, audio, video, document or sticker as a pending download
//! (durably, so a restart resumes it), and fetches them one at a time: `GET /{media_id}` for a
//! fresh URL on every attempt (a URL lives 5 minutes), then the URL with the access token, only
//! on an allowed host ([`crate::graph::download_hosts`]). The file streams to disk; its SHA-256
//! must be the one the webhook gave; the quota is checked before and while it arrives. A failed
//! attempt is retried with a growing pause while Meta keeps the media id (7 days from the
//! message); then it is dropped with a warning.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::digest::digest_matches;
use super::media_files::MediaFiles;
use crate::clock::SharedClock;
use crate::graph::{GraphClient, MEDIA_DEADLINE, MediaInfo};
use crate::media::Limits;
use crate::meta::{Event, Media, MessageContent};
use crate::store::{LogRecord, MediaOrigin, NewMedia, PendingDownload, RecordKind, Store};
use crate::time::UnixMs;

/// How often the inbound log is looked at for new media.
const SCAN_INTERVAL: Duration = Duration::from_millis(250);
/// How many inbound log records one look reads at most.
const SCAN_BATCH: usize = 256;
/// How long Meta keeps a media id it sent in a webhook.
const MEDIA_ID_LIFETIME_MS: u64 = 7 * 24 * 60 * 60 * 1000;
/// The longest pause between two attempts at one download.
const MAX_RETRY_PAUSE_MS: u64 = 15 * 60 * 1000;

/// The downloader of customers' media (see the module documentation).
pub struct Downloader {
    store: Store,
    client: GraphClient,
    clock: SharedClock,
    files: MediaFiles,
}

impl std::fmt::Debug for Downloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloader")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// A pending download and when to try it.
struct Work {
    pending: PendingDownload,
    attempts: u32,
    due: UnixMs,
}

/// What came of one attempt.
enum Attempt {
    /// Stored: it leaves the list.
    Done,
    /// To be tried again later, for this reason.
    Retry(String),
}

impl Downloader {
    /// A downloader into `store`'s media folder, through `client`.
    pub fn new(store: Store, client: GraphClient, clock: SharedClock) -> Self {
        let files = MediaFiles::beside(store.path());
        Self {
            store,
            client,
            clock,
            files,
        }
    }

    /// Runs until `stop`. A download cut by `stop` leaves nothing behind and is resumed at the
    /// next start.
    pub async fn run(self, stop: CancellationToken) {
        let files = self.files.clone();
        let _ = tokio::task::spawn_blocking(move || files.remove_incomplete()).await;
        let mut work = BTreeMap::new();
        match self.store.pending_downloads().await {
            Ok(pending) => {
                for pending in pending {
                    work.insert(pending.seq, Work::new(pending));
                }
            }
            Err(error) => {
                tracing::warn!(%error, "the pending media downloads could not be read; they are looked at again after a restart");
            }
        }
        let mut tick = tokio::time::interval(SCAN_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            // Scanning needs no token: the watermark moves (the retention waits for it), and
            // what is found waits for a token to be downloaded.
            self.scan(&mut work).await;
            if !self.client.has_token() {
                continue;
            }
            loop {
                let now = self.clock.now_ms();
                let Some(seq) = work
                    .iter()
                    .find(|(_, item)| item.due <= now)
                    .map(|(seq, _)| *seq)
                else {
                    break;
                };
                let Some(item) = work.get_mut(&seq) else {
                    break;
                };
                let attempt = tokio::select! {
                    () = stop.cancelled() => return,
                    attempt = self.attempt(&item.pending) => attempt,
                };
                match attempt {
                    Attempt::Done => {
                        work.remove(&seq);
                    }
                    Attempt::Retry(reason) => {
                        let now = self.clock.now_ms();
                        if now > item.pending.sent_at.saturating_add(MEDIA_ID_LIFETIME_MS) {
                            tracing::warn!(seq, wamid = %item.pending.wamid, %reason, "a customer's media could not be downloaded before Meta dropped it; it is given up");
                            if self.store.give_up_download(seq).await.is_ok() {
                                work.remove(&seq);
                            }
                            continue;
                        }
                        item.attempts = item.attempts.saturating_add(1);
                        let pause = 1000_u64
                            .saturating_mul(1 << item.attempts.min(20))
                            .min(MAX_RETRY_PAUSE_MS);
                        item.due = now.saturating_add(pause);
                        tracing::warn!(seq, wamid = %item.pending.wamid, attempt = item.attempts, retry_in_ms = pause, %reason, "a customer's media could not be downloaded yet; trying again");
                    }
                }
            }
        }
    }

    /// Notes the media of the inbound log's new customer messages as pending downloads.
    async fn scan(&self, work: &mut BTreeMap<u64, Work>) {
        loop {
            let (_, records) = match self.store.inbound_after_media_scan(SCAN_BATCH).await {
                Ok(found) => found,
                Err(error) => {
                    tracing::debug!(%error, "the inbound log could not be read for media");
                    return;
                }
            };
            let Some(scanned_to) = records.last().map(|(seq, _)| *seq) else {
                return;
            };
            let full = records.len() == SCAN_BATCH;
            let found: Vec<PendingDownload> = records
                .iter()
                .filter_map(|(seq, record)| pending_of(*seq, record))
                .collect();
            if let Err(error) = self
                .store
                .note_pending_downloads(scanned_to, found.clone())
                .await
            {
                tracing::warn!(%error, "customers' media could not be noted for download; trying again");
                return;
            }
            for pending in found {
                work.insert(pending.seq, Work::new(pending));
            }
            if !full {
                return;
            }
        }
    }

    /// One attempt at downloading `pending`.
    async fn attempt(&self, pending: &PendingDownload) -> Attempt {
        let info = match self.client.media_info(&pending.media_id).await {
            Ok(info) => info,
            Err(error) => return Attempt::Retry(format!("asking Meta for its URL: {error}")),
        };
        match tokio::time::timeout(MEDIA_DEADLINE, self.fetch(pending, &info)).await {
            Ok(Ok(())) => Attempt::Done,
            Ok(Err(reason)) => Attempt::Retry(reason),
            Err(_) => Attempt::Retry(format!(
                "the download took longer than {} s",
                MEDIA_DEADLINE.as_secs()
            )),
        }
    }

    /// Downloads `info.url` to disk, checks it and stores it as `pending`'s media.
    async fn fetch(&self, pending: &PendingDownload, info: &MediaInfo) -> Result<(), String> {
        let usage = self.store.usage();
        let quota = self.store.quota_bytes();
        let limit = info
            .file_size
            .unwrap_or(Limits::INBOUND)
            .min(Limits::INBOUND);
        let base = usage.total();
        if base.saturating_add(info.file_size.unwrap_or(0)) > quota {
            return Err(format!(
                "the data folder is at its quota ({base} of {quota} bytes used; the file has {} bytes)",
                info.file_size.unwrap_or(0)
            ));
        }
        let mut download = self
            .client
            .download(&info.url)
            .await
            .map_err(|error| format!("downloading: {error}"))?;
        let mut incoming = self
            .files
            .begin()
            .await
            .map_err(|error| format!("writing to the media folder: {error}"))?;
        while let Some(chunk) = download.chunk().await {
            let chunk = chunk.map_err(|error| error.to_string())?;
            incoming
                .write(&chunk)
                .await
                .map_err(|error| format!("writing to the media folder: {error}"))?;
            if incoming.written() > limit {
                return Err(format!(
                    "the file is larger than the {limit} bytes Meta announced (or its 100 MB limit)"
                ));
            }
            if base.saturating_add(incoming.written()) > quota {
                return Err(format!(
                    "the data folder reached its quota ({quota} bytes) during the download"
                ));
            }
        }
        let digest = incoming.digest();
        let expected = pending.sha256.as_deref().or(info.sha256.as_deref());
        if let Some(expected) = expected
            && !digest_matches(expected, digest.as_ref())
        {
            return Err(format!(
                "the file's SHA-256 ({}) is not the one Meta gave ({expected}): it is discarded",
                super::digest::hex_of(digest.as_ref())
            ));
        }
        let stored = incoming
            .finish()
            .await
            .map_err(|error| format!("writing to the media folder: {error}"))?;
        if stored.new {
            usage.add_other_files_bytes(stored.bytes);
        }
        let media = NewMedia {
            kind: pending.kind.clone(),
            mime: pending
                .mime
                .clone()
                .or_else(|| info.mime_type.clone())
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            bytes: stored.bytes,
            sha256: stored.sha256,
            file_name: pending.file_name.clone(),
            origin: MediaOrigin::Received {
                wamid: pending.wamid.clone(),
                seq: pending.seq,
                meta_media_id: pending.media_id.clone(),
            },
        };
        let record = self
            .store
            .media_downloaded(pending.seq, media)
            .await
            .map_err(|error| format!("recording it: {error}"))?;
        tracing::info!(seq = pending.seq, media = record.id, bytes = record.bytes, kind = %record.kind, "a customer's media was downloaded");
        Ok(())
    }
}

impl Work {
    fn new(pending: PendingDownload) -> Self {
        Self {
            pending,
            attempts: 0,
            due: 0,
        }
    }
}

/// The pending download of inbound record `seq`, when it is a customer's message with media.
fn pending_of(seq: u64, record: &LogRecord) -> Option<PendingDownload> {
    if record.kind != RecordKind::Message {
        return None;
    }
    let Ok(Event::Message(message)) = serde_json::from_str::<Event>(&record.content_json) else {
        return None;
    };
    let (kind, media): (&str, &Media) = match &message.content {
        MessageContent::Image(media) => ("image", media),
        MessageContent::Audio(media) => ("audio", media),
        MessageContent::Video(media) => ("video", media),
        MessageContent::Document(media) => ("document", media),
        MessageContent::Sticker(media) => ("sticker", media),
        _ => return None,
    };
    let sent_at = record
        .timestamp
        .and_then(|seconds| u64::try_from(seconds).ok())
        .map_or(record.received_at_ms, |seconds| {
            seconds.saturating_mul(1000)
        });
    Some(PendingDownload {
        seq,
        wamid: message.id.clone(),
        kind: kind.to_owned(),
        media_id: media.id.clone(),
        mime: media.mime_type.clone(),
        sha256: media.sha256.clone(),
        file_name: media.filename.clone(),
        sent_at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn record(content_json: &str) -> LogRecord {
        LogRecord {
            received_at_ms: 5_000,
            kind: RecordKind::Message,
            waba_id: "1".into(),
            field: "messages".into(),
            phone_number_id: Some("2".into()),
            wamid: Some("wamid.A".into()),
            sender: Some("16505551234".into()),
            user_id: None,
            timestamp: Some(1_700_000_000),
            type_name: "image".into(),
            content_json: content_json.into(),
        }
    }

    #[test]
    fn media_messages_become_pending_downloads() {
        let image = r#"{"message":{"id":"wamid.A","type":"image","timestamp":1700000000,
            "content":{"image":{"id":"1003383421387256","mime_type":"image/jpeg","sha256":"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="}}}}"#;
        let pending = pending_of(9, &record(image)).unwrap();
        assert_eq!(pending.kind, "image");
        assert_eq!(pending.media_id, "1003383421387256");
        assert_eq!(pending.sent_at, 1_700_000_000_000);
        assert_eq!(pending.wamid, "wamid.A");
        let text = r#"{"message":{"id":"wamid.B","type":"text","content":{"text":{"body":"hi"}}}}"#;
        assert!(pending_of(10, &record(text)).is_none());
        assert!(pending_of(11, &record("not json")).is_none());
    }
}
