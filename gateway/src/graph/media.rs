//! The Graph API's media endpoints: upload an attachment (`POST /{phone_number_id}/media`,
//! multipart, the file streamed from disk), ask for a customer's media's URL
//! (`GET /{media_id}`), and download that URL with the token (allowed hosts only, streamed).

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use serde::Deserialize;

use super::answer::{GraphFailure, read_error};
use super::client::{GraphClient, check_phone_number_id};
use super::download_hosts::allowed_download;
use crate::file_body::FileBody;
use crate::https_client::transport_reason;

/// How long an upload or a download may take from its request to its last byte.
pub const MEDIA_DEADLINE: Duration = Duration::from_secs(300);
/// The boundary between the parts of an upload (no file's bytes are searched for it: each
/// part's length is given by the boundary only after it, and the file part is last).
const BOUNDARY: &str = "waygate-media-7d1f0c5e9b2a4c68";

/// An attachment to upload.
#[derive(Debug)]
pub struct MediaUpload {
    /// Its MIME type (Meta's type for its format).
    pub mime: String,
    /// The file name Meta is told.
    pub file_name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The open file.
    pub file: tokio::fs::File,
}

/// Meta's answer to `GET /{media_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaInfo {
    /// Where to download it from (lives 5 minutes).
    pub url: String,
    /// Its MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Its SHA-256 (Meta's encoding).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Its size in bytes (a number or a numeric string).
    #[serde(default, deserialize_with = "number_or_text")]
    pub file_size: Option<u64>,
}

/// A download under way: its body, read in chunks.
#[derive(Debug)]
pub struct MediaDownload {
    body: Incoming,
}

impl MediaDownload {
    /// The next chunk, or `None` at the end.
    pub async fn chunk(&mut self) -> Option<Result<Bytes, GraphFailure>> {
        loop {
            match self.body.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    Err(_trailers) => continue,
                },
                Err(error) => {
                    return Some(Err(GraphFailure::NoAnswer(format!(
                        "the download broke off: {error}"
                    ))));
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct Uploaded {
    id: String,
}

impl GraphClient {
    /// `POST /{version}/{phone_number_id}/media`: uploads `upload` and answers Meta's media id.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        upload: MediaUpload,
    ) -> Result<String, GraphFailure> {
        check_phone_number_id(phone_number_id)?;
        let uri = self.url(&format!("{phone_number_id}/media"));
        let head = Bytes::from(format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n{mime}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: {mime}\r\n\r\n",
            mime = upload.mime,
            name = quoted(&upload.file_name),
        ));
        let tail = Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"));
        let length = u64::try_from(head.len() + tail.len())
            .unwrap_or(u64::MAX)
            .saturating_add(upload.bytes);
        let body = FileBody::spawn(head, upload.file, upload.bytes, tail);
        let request = Request::builder()
            .method(Method::POST)
            .uri(&uri)
            .header(header::AUTHORIZATION, self.authorization()?)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::CONTENT_LENGTH, length)
            .body(body.boxed())
            .map_err(|error| GraphFailure::NotSent(format!("bad request to {uri}: {error}")))?;
        let (status, answer) = self.exchange(request, MEDIA_DEADLINE).await?;
        if (200..300).contains(&status) {
            return match serde_json::from_slice::<Uploaded>(&answer) {
                Ok(Uploaded { id }) if !id.is_empty() => Ok(id),
                Ok(_) => Err(GraphFailure::Unreadable {
                    status,
                    reason: "an empty media id".into(),
                }),
                Err(error) => Err(GraphFailure::Unreadable {
                    status,
                    reason: error.to_string(),
                }),
            };
        }
        read_error(status, &answer)
    }

    /// `GET /{version}/{media_id}`: where a customer's media can be downloaded now.
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GraphFailure> {
        if !is_graph_id(media_id) {
            return Err(GraphFailure::Unreadable {
                status: 0,
                reason: format!("{media_id:?} is not a media id"),
            });
        }
        let (status, answer) = self.call(Method::GET, media_id, None).await?;
        if (200..300).contains(&status) {
            return serde_json::from_slice::<MediaInfo>(&answer).map_err(|error| {
                GraphFailure::Unreadable {
                    status,
                    reason: error.to_string(),
                }
            });
        }
        read_error(status, &answer)
    }

    /// Starts downloading `url` with the access token, when its host is allowed (see
    /// [`super::download_hosts`]). The caller reads the body within its own deadline.
    pub async fn download(&self, url: &str) -> Result<MediaDownload, GraphFailure> {
        let uri = allowed_download(url, &self.endpoint.base_url)
            .map_err(|reason| GraphFailure::Unreadable { status: 0, reason })?;
        let request = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(header::AUTHORIZATION, self.authorization()?)
            .body(
                http_body_util::Empty::new()
                    .map_err(|never| match never {})
                    .boxed(),
            )
            .map_err(|error| GraphFailure::NotSent(format!("bad download request: {error}")))?;
        let response = tokio::time::timeout(MEDIA_DEADLINE, self.http.request(request))
            .await
            .map_err(|_| no_answer_within())?
            .map_err(|error| GraphFailure::NotSent(transport_reason(&error)))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let answer = http_body_util::Limited::new(response.into_body(), 1 << 20)
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .unwrap_or_default();
            return read_error(status, &answer);
        }
        Ok(MediaDownload {
            body: response.into_body(),
        })
    }
}

/// A size Meta writes as a number or as a numeric string.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(number)) => number.as_u64(),
        Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    })
}

fn no_answer_within() -> GraphFailure {
    GraphFailure::NoAnswer(format!("no answer within {} s", MEDIA_DEADLINE.as_secs()))
}

/// Whether `id` is a Graph API node id (digits only), so it cannot change the request's path.
fn is_graph_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

/// `name` safe inside a quoted multipart parameter: no quotes, backslashes or control
/// characters.
fn quoted(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn media_upload_names_are_safe() {
        assert_eq!(quoted("a\"b\\c\nd.pdf"), "a_b_c_d.pdf");
        assert!(is_graph_id("1003383421387256"));
        assert!(!is_graph_id("1/../x"));
    }

    #[test]
    fn media_info_reads_meta_answer() {
        let info: MediaInfo = serde_json::from_str(
            r#"{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/x","mime_type":"image/jpeg","sha256":"abc","file_size":"303833","id":"1"}"#,
        )
        .unwrap();
        assert_eq!(info.file_size, Some(303_833));
        assert_eq!(info.mime_type.as_deref(), Some("image/jpeg"));
    }
}
