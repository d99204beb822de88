//! Sending an operator's attachment: the message names the local media id; Meta is sent its
//! own media id. The attachment is uploaded to Meta for the sending number when it is first
//! sent (or when Meta's copy is near the end of its 30 days), and Meta's id is recorded so the
//! next send reuses it. Never by `link`: a shop's box behind NAT cannot serve links.

use serde_json::{Value, json};

use super::MediaFiles;
use crate::graph::{GraphClient, GraphFailure, MediaUpload};
use crate::store::{MediaRecord, MetaUpload, OutboundMessage, Store};
use crate::time::UnixMs;

/// The message types that carry an attachment by id.
pub const MEDIA_TYPES: [&str; 4] = ["image", "document", "audio", "video"];

/// How long Meta's id of an upload is reused: Meta keeps uploads 30 days; a day less leaves
/// room for a message that waits in the queue.
const META_UPLOAD_REUSE_MS: u64 = 29 * 24 * 60 * 60 * 1000;

/// Why an attachment could not be made ready to send.
#[derive(Debug, thiserror::Error)]
pub enum MediaSendError {
    /// The upload to Meta failed: judged like a send's failure (by Meta's error code).
    #[error("uploading the attachment to Meta failed: {0}")]
    Upload(GraphFailure),
    /// The attachment is not in the gateway (any more): the message cannot go.
    #[error("{0}")]
    Missing(String),
}

/// The local media id a send body names (`{"type": "image", "image": {"id": "7"}}`), when its
/// type carries an attachment.
pub fn local_media_id(body: &Value) -> Option<(&'static str, Result<u64, String>)> {
    let kind = body.get("type")?.as_str()?;
    let kind = MEDIA_TYPES.into_iter().find(|media| *media == kind)?;
    let id = body
        .get(kind)
        .and_then(|media| media.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parsed = id
        .parse::<u64>()
        .ok()
        .filter(|_| id.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            format!(
                "{kind}.id {id:?} is not a local media id: upload the file with POST /api/v1/media and send the id it answers"
            )
        });
    Some((kind, parsed))
}

/// Replaces the local media id in `body` (Meta's send body for `message`) with Meta's media id,
/// uploading the attachment first when Meta has no usable copy. Bodies without an attachment
/// are left alone.
///
/// # Errors
///
/// [`MediaSendError::Upload`] when Meta refused the upload or could not be reached (an upload
/// without an answer is reported as not sent: a second upload delivers nothing twice), and
/// [`MediaSendError::Missing`] when the attachment is gone.
pub async fn use_meta_media_id(
    store: &Store,
    client: &GraphClient,
    message: &OutboundMessage,
    body: &mut Value,
    now: UnixMs,
) -> Result<(), MediaSendError> {
    let Some((kind, id)) = local_media_id(body) else {
        return Ok(());
    };
    let id = id.map_err(MediaSendError::Missing)?;
    let record = store
        .media(id)
        .await
        .map_err(|error| MediaSendError::Upload(GraphFailure::NotSent(error.to_string())))?
        .ok_or_else(|| {
            MediaSendError::Missing(format!("attachment {id} is not in the gateway any more"))
        })?;
    let number = message.number.as_str();
    let meta_id = match reusable_upload(&record, number, now) {
        Some(meta_id) => meta_id,
        None => upload(store, client, &record, number, now).await?,
    };
    if let Some(media) = body.get_mut(kind).and_then(Value::as_object_mut) {
        media.insert("id".into(), json!(meta_id));
    }
    Ok(())
}

/// Meta's id of an earlier upload of `record` for `number` that is still young enough.
fn reusable_upload(record: &MediaRecord, number: &str, now: UnixMs) -> Option<String> {
    record
        .meta_upload
        .as_ref()
        .filter(|upload| {
            upload.phone_number_id == number && now.saturating_sub(upload.at) < META_UPLOAD_REUSE_MS
        })
        .map(|upload| upload.media_id.clone())
}

/// Uploads `record`'s file for `number` and records Meta's id.
async fn upload(
    store: &Store,
    client: &GraphClient,
    record: &MediaRecord,
    number: &str,
    now: UnixMs,
) -> Result<String, MediaSendError> {
    let files = MediaFiles::beside(store.path());
    let path = files.path_of(&record.sha256).ok_or_else(|| {
        MediaSendError::Missing(format!("attachment {} has no file name", record.id))
    })?;
    let file = tokio::fs::File::open(&path).await.map_err(|error| {
        MediaSendError::Missing(format!(
            "attachment {}'s file cannot be read: {error}",
            record.id
        ))
    })?;
    let file_name = record
        .file_name
        .clone()
        .unwrap_or_else(|| format!("attachment-{}", record.id));
    let upload = MediaUpload {
        mime: record.mime.clone(),
        file_name,
        bytes: record.bytes,
        file,
    };
    let meta_id = client
        .upload_media(number, upload)
        .await
        .map_err(|failure| match failure {
            // Nothing is sent twice by uploading again: retry it like a request that never left.
            GraphFailure::NoAnswer(reason) => MediaSendError::Upload(GraphFailure::NotSent(reason)),
            other => MediaSendError::Upload(other),
        })?;
    tracing::info!(media = record.id, number, "attachment uploaded to Meta");
    let uploaded = MetaUpload {
        phone_number_id: number.to_owned(),
        media_id: meta_id.clone(),
        at: now,
    };
    if let Err(error) = store.media_uploaded(record.id, uploaded).await {
        // The send goes ahead with the id; the next send uploads again.
        tracing::warn!(media = record.id, %error, "Meta's media id could not be recorded");
    }
    Ok(meta_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_send_names_the_local_id() {
        let body = json!({"type": "image", "image": {"id": "7", "caption": "x"}});
        assert_eq!(local_media_id(&body), Some(("image", Ok(7))));
        let text = json!({"type": "text", "text": {"body": "hi"}});
        assert_eq!(local_media_id(&text), None);
        let bad = json!({"type": "document", "document": {"id": "+7"}});
        assert!(matches!(local_media_id(&bad), Some(("document", Err(_)))));
    }
}
