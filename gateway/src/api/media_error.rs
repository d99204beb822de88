//! Why `POST /api/v1/media` or `GET /api/v1/media/{id}` refused, answered as
//! `{"error": "<message>"}` like every refusal of the local API, with the policy's limit or
//! disagreement named.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::media::{AttachmentRefusal, Limits};
use crate::store::StoreError;

/// The largest upload body taken: the largest attachment (a 40 MB document) and room for the
/// form around it.
pub(super) const MAX_UPLOAD_BODY_BYTES: u64 = Limits::DOCUMENT + 64 * 1024;

/// A refused attachment request.
#[derive(Debug, thiserror::Error)]
pub(super) enum MediaApiError {
    /// The attachment policy refused the file (413 for its size, 415 otherwise).
    #[error("{0}")]
    Refused(AttachmentRefusal),
    /// The declared type names no kind WhatsApp takes.
    #[error(
        "{file_name}: \"{declared}\" is not a type WhatsApp takes as an attachment; send an image (.jpg, .jpeg, .png), a document (.pdf, .txt, .xls, .xlsx, .ppt, .pptx), a video (.3gp, .mp4) or an audio file (.mp3, .mpeg, .ogg, .amr, .aac) with its MIME type"
    )]
    NotAnAttachment {
        /// The file's name, as a label.
        file_name: String,
        /// The declared MIME type, cleaned.
        declared: String,
    },
    /// The whole request is larger than any attachment can be.
    #[error(
        "the upload is larger than {MAX_UPLOAD_BODY_BYTES} bytes; the largest attachment is a 40 MB document (40,000,000 bytes)"
    )]
    BodyTooLarge,
    /// Not a `multipart/form-data` body.
    #[error(
        "send the file as multipart/form-data with a field named `file` (curl -F 'file=@photo.jpg;type=image/jpeg')"
    )]
    NotMultipart,
    /// No `file` field in the form.
    #[error(
        "the form has no field named `file`; send the attachment in it (curl -F 'file=@photo.jpg;type=image/jpeg')"
    )]
    NoFile,
    /// The form could not be read.
    #[error("the form could not be read: {0}")]
    Form(String),
    /// Storing the file would pass the data folder's quota.
    #[error(
        "the data folder is at its quota ({used} of {quota} bytes used): the attachment was not stored; free space or raise store.quota_bytes"
    )]
    OverQuota {
        /// Bytes in use, with the upload so far.
        used: u64,
        /// The quota.
        quota: u64,
    },
    /// The media folder could not be written or read.
    #[error("the media folder cannot be used now ({0}); try again shortly")]
    Disk(std::io::Error),
    /// The store cannot answer now.
    #[error("the store cannot answer now ({0}); try again shortly")]
    Store(StoreError),
    /// No attachment has this id.
    #[error("no attachment {0}")]
    NoMedia(String),
    /// A customer's message has no downloaded file.
    #[error("customer message {seq} has no downloaded media: {reason}")]
    NoLogMedia {
        /// The inbound log seq asked for.
        seq: String,
        /// Why, for a person.
        reason: &'static str,
    },
}

impl MediaApiError {
    const fn status(&self) -> StatusCode {
        match self {
            Self::Refused(AttachmentRefusal::TooLarge { .. }) | Self::BodyTooLarge => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::Refused(_) | Self::NotAnAttachment { .. } | Self::NotMultipart => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::NoFile | Self::Form(_) => StatusCode::BAD_REQUEST,
            Self::OverQuota { .. } => StatusCode::INSUFFICIENT_STORAGE,
            Self::Disk(_) | Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NoMedia(_) | Self::NoLogMedia { .. } => StatusCode::NOT_FOUND,
        }
    }
}

impl IntoResponse for MediaApiError {
    fn into_response(self) -> Response {
        if let Self::Disk(error) = &self {
            tracing::warn!(%error, "the media folder could not be used");
        }
        let mut body = serde_json::json!({ "error": self.to_string() });
        match &self {
            Self::Refused(AttachmentRefusal::TooLarge { limit, .. }) => {
                body["limit_bytes"] = serde_json::json!(limit);
            }
            Self::BodyTooLarge => body["limit_bytes"] = serde_json::json!(MAX_UPLOAD_BODY_BYTES),
            _ => {}
        }
        (self.status(), Json(body)).into_response()
    }
}
