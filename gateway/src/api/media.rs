//! Attachments: `POST /api/v1/media` stores an operator's file after the attachment policy
//! ([`crate::media::check_attachment`]) accepted it; `GET /api/v1/media/{id}` serves a stored
//! attachment, uploaded or received, and `GET /api/v1/log/{seq}/media` a customer's message's
//! by the message. They stream: a file is never whole in memory.
//!
//! These routes have their own body limit ([`MAX_UPLOAD_BODY_BYTES`], the largest attachment
//! and its form) and deadline ([`MEDIA_DEADLINE`]); every other route keeps the listener's.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;
use tower_http::timeout::TimeoutLayer;

use super::LocalApi;
use super::gate::Operator;
use super::media_error::{MAX_UPLOAD_BODY_BYTES, MediaApiError};
use crate::attachments::{IncomingFile, MediaFiles};
use crate::file_body::FileBody;
use crate::media::{AttachmentKind, check_attachment, clean, kind_for, label};
use crate::store::{LogMedia, MediaOrigin, MediaRecord, NewMedia};

/// How long an upload may take from its head to its answer (40 MB over a slow shop LAN).
pub(super) const MEDIA_DEADLINE: Duration = Duration::from_secs(300);

/// The attachment routes, with their own body limit and deadline.
pub(super) fn routes() -> Router<Arc<LocalApi>> {
    Router::new()
        .route("/api/v1/media", post(upload))
        .route("/api/v1/media/{id}", get(serve))
        .route("/api/v1/log/{seq}/media", get(serve_logged))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            MEDIA_DEADLINE,
        ))
        .layer(DefaultBodyLimit::max(
            usize::try_from(MAX_UPLOAD_BODY_BYTES).unwrap_or(usize::MAX),
        ))
}

/// `POST /api/v1/media`: 201 `{"id", "kind", "bytes", "sha256", "mime"}` once the file and its
/// record are durable.
pub(super) async fn upload(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, MediaApiError> {
    #[derive(Serialize)]
    struct Stored<'a> {
        id: String,
        kind: &'a str,
        bytes: u64,
        sha256: &'a str,
        mime: &'a str,
    }
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_UPLOAD_BODY_BYTES) {
        return Err(MediaApiError::BodyTooLarge);
    }
    let mut form = form.map_err(|_| MediaApiError::NotMultipart)?;
    let mut declared_type: Option<String> = None;
    let field = loop {
        let Some(field) = form.next_field().await.map_err(form_error)? else {
            return Err(MediaApiError::NoFile);
        };
        match field.name() {
            Some("file") => break field,
            // Meta's upload form names the type in its own field; taken when the file part
            // declares none.
            // (Read as bytes: multer's text() would link every character set's tables.)
            Some("type") => {
                let bytes = field.bytes().await.map_err(form_error)?;
                declared_type = Some(String::from_utf8_lossy(&bytes).trim().to_owned());
            }
            _ => {}
        }
    };
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let declared = field
        .content_type()
        .map(str::to_owned)
        .filter(|mime| !mime.eq_ignore_ascii_case("application/octet-stream"))
        .or(declared_type)
        .unwrap_or_default();
    let kind = kind_for(&declared)
        .or_else(|| kind_for(&file_name))
        .ok_or_else(|| MediaApiError::NotAnAttachment {
            file_name: label(&file_name),
            declared: clean(&declared),
        })?;
    let usage = api.store.usage();
    let quota = api.store.quota_bytes();
    let base = usage.total();
    let files = MediaFiles::beside(api.store.path());
    let mut incoming = files.begin().await.map_err(MediaApiError::Disk)?;
    let size = receive(field, &mut incoming, kind, |written| {
        let used = base.saturating_add(written);
        if used > quota {
            Err(MediaApiError::OverQuota { used, quota })
        } else {
            Ok(())
        }
    })
    .await?;
    let accepted = check_attachment(kind, &file_name, &declared, size, incoming.head())
        .map_err(MediaApiError::Refused)?;
    let stored = incoming.finish().await.map_err(MediaApiError::Disk)?;
    if stored.new {
        usage.add_other_files_bytes(stored.bytes);
    }
    let record = api
        .store
        .add_media(NewMedia {
            kind: accepted.kind.as_str().to_owned(),
            mime: accepted.mime.to_owned(),
            bytes: stored.bytes,
            sha256: stored.sha256,
            file_name: (!file_name.is_empty()).then(|| label(&file_name)),
            origin: MediaOrigin::Uploaded { operator },
        })
        .await
        .map_err(MediaApiError::Store)?;
    tracing::info!(media = record.id, kind = %record.kind, bytes = record.bytes, "attachment stored");
    let answer = Stored {
        id: record.id.to_string(),
        kind: &record.kind,
        bytes: record.bytes,
        sha256: &record.sha256,
        mime: &record.mime,
    };
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// Streams `field` into `incoming` while it is within `kind`'s limit; past it, the rest is only
/// counted (so the refusal names the file's real size, up to the body limit). `room` checks
/// the quota after each chunk. Answers the file's size.
async fn receive(
    mut field: Field<'_>,
    incoming: &mut IncomingFile,
    kind: AttachmentKind,
    room: impl Fn(u64) -> Result<(), MediaApiError>,
) -> Result<u64, MediaApiError> {
    let limit = kind.max_size();
    let mut size = 0_u64;
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        size = size.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        if size <= limit {
            incoming.write(&chunk).await.map_err(MediaApiError::Disk)?;
            room(incoming.written())?;
        }
    }
    Ok(size)
}

/// The error for a form multer could not read.
fn form_error(error: MultipartError) -> MediaApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        MediaApiError::BodyTooLarge
    } else {
        MediaApiError::Form(error.body_text())
    }
}

/// `GET /api/v1/media/{id}`: the attachment's bytes with its type and length.
pub(super) async fn serve(
    State(api): State<Arc<LocalApi>>,
    Path(id): Path<String>,
) -> Result<Response, MediaApiError> {
    let number = id
        .parse::<u64>()
        .ok()
        .filter(|_| id.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| MediaApiError::NoMedia(id.clone()))?;
    let record = api
        .store
        .media(number)
        .await
        .map_err(MediaApiError::Store)?
        .ok_or_else(|| MediaApiError::NoMedia(id.clone()))?;
    send_file(&api, &record, || MediaApiError::NoMedia(id.clone())).await
}

/// `GET /api/v1/log/{seq}/media`: the downloaded file of customer message `seq` (the
/// reference a `message.received` event carries), like [`serve`]; 404 naming why there is
/// none (no such message, not a media message, not downloaded yet, could not be downloaded).
pub(super) async fn serve_logged(
    State(api): State<Arc<LocalApi>>,
    Path(seq): Path<String>,
) -> Result<Response, MediaApiError> {
    let no_media = |reason: &'static str| MediaApiError::NoLogMedia {
        seq: seq.clone(),
        reason,
    };
    let number = seq
        .parse::<u64>()
        .ok()
        .filter(|_| seq.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| no_media("that is not an inbound message's seq"))?;
    let record = match api
        .store
        .log_media(number)
        .await
        .map_err(MediaApiError::Store)?
    {
        LogMedia::Downloaded(record) => *record,
        LogMedia::NoMessage => {
            return Err(no_media(
                "there is no such customer message (or retention pruned it)",
            ));
        }
        LogMedia::NotMedia => return Err(no_media("it is not a message with a file")),
        LogMedia::NotYet => {
            return Err(no_media(
                "its file is not downloaded from Meta yet; try again shortly",
            ));
        }
        LogMedia::GaveUp => {
            return Err(no_media(
                "its file could not be downloaded from Meta (Meta keeps media for a limited time)",
            ));
        }
    };
    send_file(&api, &record, || {
        no_media("its file is missing from the media folder")
    })
    .await
}

/// Streams `record`'s file with its type, length and name; `missing` when the file is not in
/// the media folder.
async fn send_file(
    api: &LocalApi,
    record: &MediaRecord,
    missing: impl Fn() -> MediaApiError,
) -> Result<Response, MediaApiError> {
    let files = MediaFiles::beside(api.store.path());
    let path = files.path_of(&record.sha256).ok_or_else(missing)?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(MediaApiError::Disk)?;
    let body = FileBody::spawn(Bytes::new(), file, record.bytes, Bytes::new());
    let mut response = Response::new(Body::new(body));
    let headers = response.headers_mut();
    let mime = HeaderValue::from_str(&record.mime)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, mime);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(record.bytes));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let disposition = match &record.file_name {
        Some(name) => format!("attachment; filename=\"{}\"", safe_filename(name)),
        None => "attachment".to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A file name for a quoted header parameter: printable ASCII without quotes or backslashes.
fn safe_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
