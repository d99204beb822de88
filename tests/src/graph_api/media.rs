//! The simulated Meta's media endpoints: `POST /{version}/{phone_number_id}/media` (multipart:
//! `messaging_product`, `type`, `file`) records the upload and answers a fresh media id;
//! `GET /{version}/{media_id}` of media a test registered ([`GraphApi::register_inbound_media`])
//! answers a URL on the simulator itself with the type, SHA-256 and size; and that URL serves
//! the bytes only with the bearer token, as Meta's media host does.

use std::collections::HashMap;

use bytes::Bytes;
use http::Method;
use http::Response;
use http_body_util::Full;
use serde_json::json;

use super::{GraphApi, error, reply};

/// Where the simulator serves downloads.
const DOWNLOAD_PREFIX: &str = "media-download";

/// An upload the simulated Meta took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUpload {
    /// The `{phone_number_id}` of the path.
    pub phone_number_id: String,
    /// The media id it answered.
    pub media_id: String,
    /// The form's `messaging_product`.
    pub messaging_product: String,
    /// The form's `type`.
    pub type_field: String,
    /// The file part's name and Content-Type.
    pub file_name: String,
    /// The file part's Content-Type.
    pub file_type: String,
    /// The file's bytes.
    pub bytes: Bytes,
}

/// A customer's media a test registered, as Meta keeps it.
#[derive(Debug, Clone)]
struct Inbound {
    bytes: Bytes,
    mime: String,
}

/// What the media endpoints remember.
#[derive(Debug, Default)]
pub(super) struct MediaState {
    inbound: HashMap<String, Inbound>,
    uploads: Vec<MediaUpload>,
    /// Media ids downloaded (with the token), in order.
    downloads: Vec<String>,
    next_id: u64,
}

impl GraphApi {
    /// Registers a customer's media under `media_id` (digits): the gateway can ask for its URL
    /// and download it. Answers its SHA-256 in base64, as Meta's webhooks write it.
    pub fn register_inbound_media(&self, media_id: &str, bytes: &[u8], mime: &str) -> String {
        self.state().media.inbound.insert(
            media_id.to_owned(),
            Inbound {
                bytes: Bytes::copy_from_slice(bytes),
                mime: mime.to_owned(),
            },
        );
        sha256_base64(bytes)
    }

    /// The uploads taken so far.
    pub fn media_uploads(&self) -> Vec<MediaUpload> {
        self.state().media.uploads.clone()
    }

    /// The media ids downloaded so far (with the right token), in order.
    pub fn media_downloads(&self) -> Vec<String> {
        self.state().media.downloads.clone()
    }
}

/// The answer to a media request, or `None` when the request is not one.
pub(super) fn answer(
    method: &Method,
    segments: &[&str],
    authorized: bool,
    host: &str,
    content_type: &str,
    body: &Bytes,
    state: &mut MediaState,
) -> Option<Response<Full<Bytes>>> {
    let denied = || error(401, 190, "Invalid OAuth access token");
    match (method, segments) {
        (&Method::POST, [_version, phone_number_id, "media"]) => {
            if !authorized {
                return Some(denied());
            }
            Some(upload(phone_number_id, content_type, body, state))
        }
        (&Method::GET, [DOWNLOAD_PREFIX, media_id]) => {
            if !authorized {
                return Some(denied());
            }
            let inbound = state.inbound.get(*media_id)?.clone();
            state.downloads.push((*media_id).to_owned());
            let mut response = reply(200, inbound.bytes);
            if let Ok(value) = http::HeaderValue::from_str(&inbound.mime) {
                response
                    .headers_mut()
                    .insert(http::header::CONTENT_TYPE, value);
            }
            Some(response)
        }
        (&Method::GET, [version, media_id]) if state.inbound.contains_key(*media_id) => {
            if !authorized {
                return Some(denied());
            }
            let inbound = state.inbound.get(*media_id)?;
            let answer = json!({
                "messaging_product": "whatsapp",
                "url": format!("http://{host}/{DOWNLOAD_PREFIX}/{media_id}?v={version}"),
                "mime_type": inbound.mime,
                "sha256": sha256_base64(&inbound.bytes),
                "file_size": inbound.bytes.len().to_string(),
                "id": media_id,
            });
            Some(reply(200, Bytes::from(answer.to_string())))
        }
        _ => None,
    }
}

/// Takes an upload, as Meta does: `messaging_product=whatsapp`, `type` and `file` required.
fn upload(
    phone_number_id: &str,
    content_type: &str,
    body: &Bytes,
    state: &mut MediaState,
) -> Response<Full<Bytes>> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))
    else {
        return error(400, 100, "(#100) The upload is not multipart/form-data");
    };
    let parts = parts(body, boundary.trim_matches('"'));
    let field = |name: &str| parts.iter().find(|part| part.name == name);
    let (Some(product), Some(kind), Some(file)) =
        (field("messaging_product"), field("type"), field("file"))
    else {
        return error(
            400,
            100,
            "(#100) The parameters messaging_product, type and file are required",
        );
    };
    state.next_id += 1;
    let media_id = format!("{}", 4_000_000_000_000_000_u64 + state.next_id);
    state.uploads.push(MediaUpload {
        phone_number_id: phone_number_id.to_owned(),
        media_id: media_id.clone(),
        messaging_product: String::from_utf8_lossy(&product.content).into_owned(),
        type_field: String::from_utf8_lossy(&kind.content).into_owned(),
        file_name: file.file_name.clone(),
        file_type: file.content_type.clone(),
        bytes: file.content.clone(),
    });
    reply(200, Bytes::from(json!({ "id": media_id }).to_string()))
}

/// One part of a multipart form.
struct Part {
    name: String,
    file_name: String,
    content_type: String,
    content: Bytes,
}

/// The parts of a multipart body (a test's reader: well-formed input is all it needs).
fn parts(body: &Bytes, boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut found = Vec::new();
    let mut rest = &body[..];
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(end) = find(rest, delimiter.as_bytes()) else {
            break;
        };
        let part = rest[..end].strip_prefix(b"\r\n").unwrap_or(&rest[..end]);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]).into_owned();
        let parameter = |name: &str| {
            head.split(';')
                .find_map(|item| item.trim().strip_prefix(&format!("{name}=\"")))
                .and_then(|value| value.split('"').next())
                .unwrap_or_default()
                .to_owned()
        };
        let content_type = head
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase()
                    .starts_with("content-type:")
                    .then(|| line["content-type:".len()..].trim().to_owned())
            })
            .unwrap_or_default();
        found.push(Part {
            name: parameter("name"),
            file_name: parameter("filename"),
            content_type,
            content: Bytes::copy_from_slice(&part[split + 4..]),
        });
        rest = &rest[end..];
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The SHA-256 of `bytes` in padded standard base64.
pub fn sha256_base64(bytes: &[u8]) -> String {
    const SYMBOLS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut bits = 0_u32;
    let mut held = 0_u32;
    let mut text = String::new();
    for byte in digest.as_ref() {
        bits = (bits << 8) | u32::from(*byte);
        held += 8;
        while held >= 6 {
            held -= 6;
            text.push(char::from(SYMBOLS[((bits >> held) & 63) as usize]));
        }
    }
    if held > 0 {
        text.push(char::from(SYMBOLS[((bits << (6 - held)) & 63) as usize]));
    }
    while !text.len().is_multiple_of(4) {
        text.push('=');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_the_digest_is_meta_s() {
        assert_eq!(
            sha256_base64(b"abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn multipart_parts_are_read() {
        let body = Bytes::from_static(
            b"--b\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage/png\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--b--\r\n",
        );
        let parts = parts(&body, "b");
        assert_eq!(parts.len(), 2);
        assert_eq!(&parts[0].content[..], b"image/png");
        assert_eq!(parts[1].file_name, "a.png");
        assert_eq!(parts[1].content_type, "image/png");
        assert_eq!(&parts[1].content[..], b"\x89PNG");
    }
}
