//! An attachment as the store keeps it: a file in the data folder's media folder (named by its
//! SHA-256) and this record, which says what it is, where it came from and, once it was uploaded
//! to Meta, Meta's media id. Also a customer's media waiting to be downloaded. Versioned like
//! every stored record.

use serde::{Deserialize, Serialize};

use crate::time::UnixMs;

/// One stored attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// The local media id (starts at 1, only grows).
    pub id: u64,
    /// What it is sent or was received as: `image`, `document`, `audio`, `video` or `sticker`.
    pub kind: String,
    /// Its MIME type (for an upload, Meta's type for its format).
    pub mime: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex: also the name of its file.
    pub sha256: String,
    /// The file name it came with, if any (shown to people, cleaned).
    pub file_name: Option<String>,
    /// Who brought it.
    pub origin: MediaOrigin,
    /// Meta's media id of the last upload, for sending it again without another upload.
    pub meta_upload: Option<MetaUpload>,
    /// When it was stored.
    pub created_at: UnixMs,
}

/// Where an attachment came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MediaOrigin {
    /// An operator uploaded it (`POST /api/v1/media`).
    Uploaded {
        /// The operator.
        operator: String,
    },
    /// A customer sent it; the gateway downloaded it from Meta.
    Received {
        /// The customer's message.
        wamid: String,
        /// Its place in the inbound log.
        seq: u64,
        /// Meta's media id in the webhook.
        meta_media_id: String,
    },
}

/// An upload of an attachment to Meta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaUpload {
    /// The business number it was uploaded for.
    pub phone_number_id: String,
    /// Meta's media id.
    pub media_id: String,
    /// When Meta answered (uploads live 30 days at Meta).
    pub at: UnixMs,
}

/// A new attachment for the store; the store gives it its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia {
    /// See [`MediaRecord::kind`].
    pub kind: String,
    /// See [`MediaRecord::mime`].
    pub mime: String,
    /// See [`MediaRecord::bytes`].
    pub bytes: u64,
    /// See [`MediaRecord::sha256`].
    pub sha256: String,
    /// See [`MediaRecord::file_name`].
    pub file_name: Option<String>,
    /// See [`MediaRecord::origin`].
    pub origin: MediaOrigin,
}

/// A customer's media the gateway has still to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDownload {
    /// The message's place in the inbound log.
    pub seq: u64,
    /// The message's wamid.
    pub wamid: String,
    /// `image`, `audio`, `video`, `document` or `sticker`.
    pub kind: String,
    /// Meta's media id.
    pub media_id: String,
    /// The MIME type the webhook gave.
    pub mime: Option<String>,
    /// The SHA-256 the webhook gave (base64 in Meta's examples, sometimes hex).
    pub sha256: Option<String>,
    /// The document's file name, if any.
    pub file_name: Option<String>,
    /// When the customer sent it (Meta's timestamp, or when it arrived): the media id lives a
    /// limited time from then.
    pub sent_at: UnixMs,
}

/// The wire form of a stored attachment; the variant is the version.
#[derive(Serialize, Deserialize)]
enum MediaWire {
    V1(MediaRecord),
}

/// The wire form of a pending download; the variant is the version.
#[derive(Serialize, Deserialize)]
enum PendingWire {
    V1(PendingDownload),
}

impl MediaRecord {
    /// Encodes it for the store.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(&MediaWire::V1(self.clone())).unwrap_or_default()
    }

    /// Decodes stored bytes.
    pub(super) fn from_bytes(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::from_bytes(bytes)? {
            MediaWire::V1(record) => Ok(record),
        }
    }
}

impl PendingDownload {
    /// Encodes it for the store.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(&PendingWire::V1(self.clone())).unwrap_or_default()
    }

    /// Decodes stored bytes.
    pub(super) fn from_bytes(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::from_bytes(bytes)? {
            PendingWire::V1(pending) => Ok(pending),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn media_records_survive_the_round_trip() {
        let record = MediaRecord {
            id: 3,
            kind: "image".into(),
            mime: "image/png".into(),
            bytes: 1234,
            sha256: "ab".repeat(32),
            file_name: Some("shelf.png".into()),
            origin: MediaOrigin::Received {
                wamid: "wamid.A".into(),
                seq: 9,
                meta_media_id: "1003383421387256".into(),
            },
            meta_upload: Some(MetaUpload {
                phone_number_id: "1065".into(),
                media_id: "77".into(),
                at: 5,
            }),
            created_at: 4,
        };
        assert_eq!(MediaRecord::from_bytes(&record.to_bytes()).unwrap(), record);
        let pending = PendingDownload {
            seq: 9,
            wamid: "wamid.A".into(),
            kind: "sticker".into(),
            media_id: "1".into(),
            mime: Some("image/webp".into()),
            sha256: None,
            file_name: None,
            sent_at: 8,
        };
        assert_eq!(
            PendingDownload::from_bytes(&pending.to_bytes()).unwrap(),
            pending
        );
    }
}
