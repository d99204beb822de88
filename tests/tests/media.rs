//! Media in both directions, end to end with the real binary and the simulated Meta: a
//! customer's image is downloaded (fresh URL, bearer token), its SHA-256 checked, and served by
//! `GET /api/v1/media/{id}` (one whose hash does not match is never stored); an operator's
//! upload is refused when disguised (415, naming the disagreement) or over its kind's limit
//! (413, naming the limit); an accepted one is sent to the customer by Meta's media id, uploaded
//! once and reused by the next send.
#![forbid(unsafe_code)]

use bytes::Bytes;
use http::Method;
use serde_json::{Value, json};
use waygate_e2e::conversation::{self, Customer, gateway_for, get_until};
use waygate_e2e::event_stream::{EventStream, Opened, StreamRequest};
use waygate_e2e::graph_api::GraphApi;
use waygate_e2e::knobs::ready_deadline;
use waygate_e2e::operator_api::{call, json_of};
use waygate_e2e::suite::{assert_status, must};
use waygate_e2e::{Gateway, HttpConnection, HttpReply};

/// The customer's phone number.
const CUSTOMER: &str = "16505550101";
/// The start of a real PNG file (signature and IHDR).
const PNG_HEAD: &[u8] = b"\x89PNG\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR\x00\x00\x07\xd0\x00\x00\x04\xb7\x08\x02\x00\x00\x001Cv";

/// A PNG-looking file of `len` bytes whose content depends on `seed`.
fn png(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = PNG_HEAD.to_vec();
    bytes
        .extend((0..len.saturating_sub(PNG_HEAD.len())).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    bytes
}

async fn start(graph: &GraphApi) -> Gateway {
    gateway_for(graph, "").await
}

/// Delivers a customer's message (`content` is its type-specific part, e.g. an image) from
/// [`CUSTOMER`].
async fn customer_sends(gateway: &Gateway, kind: &str, content: Value) {
    conversation::customer_sends(gateway, Customer::Phone(CUSTOMER), 5, kind, content).await;
}

/// Polls `GET /api/v1/chats/1` until its messages satisfy `done`.
async fn chat_until(
    api: &mut HttpConnection,
    token: &str,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let messages = |chat: &Value| chat["messages"].as_array().cloned().unwrap_or_default();
    let chat = get_until(api, token, "/api/v1/chats/1", what, |chat| {
        done(&messages(chat))
    })
    .await;
    messages(&chat)
}

/// `POST /api/v1/media` with one file part.
async fn upload(
    api: &mut HttpConnection,
    token: &str,
    file_name: &str,
    mime: &str,
    bytes: &[u8],
) -> HttpReply {
    let boundary = "e2e-boundary-5f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {mime}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let authorization = format!("Bearer {token}");
    must(
        api.request(
            Method::POST,
            "/api/v1/media",
            &[
                ("authorization", authorization.as_str()),
                ("content-type", content_type.as_str()),
            ],
            Bytes::from(body),
        )
        .await,
    )
}

/// `GET /api/v1/media/{id}`.
async fn fetch(api: &mut HttpConnection, token: &str, id: &str) -> HttpReply {
    call(
        api,
        Method::GET,
        &format!("/api/v1/media/{id}"),
        Some(token),
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customers_media_is_downloaded_checked_and_served() {
    let graph = must(GraphApi::start().await);
    let gateway = start(&graph).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);

    let tampered = png(20_000, 1);
    graph.register_inbound_media("1003383421387001", &tampered, "image/png");
    let photo = png(300_000, 2);
    let sha256 = graph.register_inbound_media("1003383421387002", &photo, "image/png");
    // The first image's webhook names another file's hash: what Meta serves does not match.
    customer_sends(
        &gateway,
        "image",
        json!({"id": "1003383421387001", "mime_type": "image/png", "sha256": sha256}),
    )
    .await;
    customer_sends(
        &gateway,
        "image",
        json!({"id": "1003383421387002", "mime_type": "image/png", "sha256": sha256, "caption": "the shelf"}),
    )
    .await;

    let messages = chat_until(&mut api, &token, "downloaded", |messages| {
        messages.len() == 2 && messages[1].get("media_id").is_some()
    })
    .await;
    assert!(
        messages[0].get("media_id").is_none(),
        "a file whose SHA-256 does not match is not stored: {messages:?}"
    );
    let downloads = graph.media_downloads();
    assert!(
        downloads.contains(&"1003383421387001".to_owned()),
        "the tampered file was fetched and refused: {downloads:?}"
    );
    assert_eq!(graph.bad_auth(), 0, "every media request carried the token");

    let id = messages[1]["media_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let served = fetch(&mut api, &token, &id).await;
    assert_status(&served, 200, "the downloaded image");
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(
        served.header("content-length"),
        Some(photo.len().to_string().as_str())
    );
    assert!(
        served.body[..] == photo[..],
        "the served bytes are the customer's"
    );
    let missing = fetch(&mut api, &token, "999").await;
    assert_status(&missing, 404, "no such attachment");

    // The journal says when the file came down (operators' screens show it then), and only
    // for the file that was stored: no event names the refused one before it.
    let downloaded = downloads_until(&gateway, messages[1]["seq"].as_u64().unwrap_or(0)).await;
    assert_eq!(downloaded.len(), 1, "{downloaded:?}");
    assert_eq!(
        downloaded[0]["data"]["media_id"].to_string(),
        id,
        "{downloaded:?}"
    );
    assert_eq!(downloaded[0]["data"]["mime"], "image/png", "{downloaded:?}");
}

/// The journal's `media.downloaded` events from its start until the one of log record
/// `log_seq` (included).
async fn downloads_until(gateway: &Gateway, log_seq: u64) -> Vec<Value> {
    let addr = must(gateway.listeners()).local;
    let request = StreamRequest {
        token: Some(gateway.operator_token()),
        query: "?after=0",
        ..StreamRequest::default()
    };
    let Opened::Stream(mut stream) = must(EventStream::open(addr, &request).await) else {
        panic!("the event stream was refused");
    };
    let mut found = Vec::new();
    loop {
        let event = must(stream.next_event(ready_deadline()).await).json();
        let Some(event) = event.filter(|event| event["type"] == "media.downloaded") else {
            continue;
        };
        let done = event["data"]["log_seq"] == log_seq;
        found.push(event);
        if done {
            return found;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_checked_then_sent_by_metas_media_id_uploaded_once() {
    let graph = must(GraphApi::start().await);
    let gateway = start(&graph).await;
    let token = gateway.operator_token().to_owned();
    let mut api = must(gateway.connect_local().await);

    // A PNG declared as a PDF.
    let disguised = upload(
        &mut api,
        &token,
        "invoice.pdf",
        "application/pdf",
        &png(2_000, 3),
    )
    .await;
    let refusal = json_of(&disguised, 415, "a PNG declared as a PDF");
    let error = refusal["error"].as_str().unwrap_or_default();
    assert!(error.contains("PDF") && error.contains("PNG"), "{refusal}");
    // An executable declared as an image.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(4_096, 0);
    let executable = upload(&mut api, &token, "photo.png", "image/png", &exe).await;
    let refusal = json_of(&executable, 415, "an executable declared as an image");
    assert!(
        refusal["error"]
            .as_str()
            .unwrap_or_default()
            .contains("PNG"),
        "{refusal}"
    );
    // One byte over the image limit.
    let large = upload(&mut api, &token, "big.png", "image/png", &png(5_000_001, 4)).await;
    let refusal = json_of(&large, 413, "an image over 5 MB");
    assert_eq!(refusal["limit_bytes"], 5_000_000, "{refusal}");
    assert!(
        refusal["error"]
            .as_str()
            .unwrap_or_default()
            .contains("5 MB limit"),
        "{refusal}"
    );

    let image = png(120_000, 5);
    let stored = json_of(
        &upload(&mut api, &token, "shelf.png", "image/png", &image).await,
        201,
        "an image",
    );
    assert_eq!(stored["kind"], "image", "{stored}");
    assert_eq!(stored["bytes"], image.len(), "{stored}");
    let digest = ring::digest::digest(&ring::digest::SHA256, &image);
    assert_eq!(stored["sha256"], hex::encode(digest.as_ref()), "{stored}");
    let id = stored["id"].as_str().unwrap_or_default().to_owned();
    let served = fetch(&mut api, &token, &id).await;
    assert_status(&served, 200, "the uploaded image");
    assert!(served.body[..] == image[..]);

    customer_sends(&gateway, "text", json!({"body": "do you have it in blue?"})).await;
    let send = |caption: &str| json!({"type": "image", "image": {"id": id, "caption": caption}});
    for (n, caption) in ["this one?", "or this one"].into_iter().enumerate() {
        json_of(
            &call(
                &mut api,
                Method::POST,
                "/api/v1/chats/1/messages",
                Some(&token),
                Some(send(caption)),
            )
            .await,
            202,
            "an image reply",
        );
        must(graph.wait_accepted(n + 1, ready_deadline()).await);
    }
    let uploads = graph.media_uploads();
    assert_eq!(
        uploads.len(),
        1,
        "the second send reuses Meta's id: {uploads:?}"
    );
    let upload = &uploads[0];
    assert_eq!(upload.messaging_product, "whatsapp");
    assert_eq!(upload.type_field, "image/png");
    assert_eq!(upload.file_type, "image/png");
    assert!(upload.bytes[..] == image[..], "Meta got the file's bytes");
    for accepted in graph.accepted() {
        assert_eq!(accepted.body["type"], "image", "{}", accepted.body);
        assert_eq!(
            accepted.body["image"]["id"],
            upload.media_id.as_str(),
            "{}",
            accepted.body
        );
        assert!(accepted.body["image"].get("link").is_none());
    }
    assert!(
        graph.nonconforming().is_empty(),
        "{:?}",
        graph.nonconforming()
    );

    // A local id that does not exist, or of another kind, is refused before anything is queued.
    for (body, what) in [
        (
            json!({"type": "image", "image": {"id": "999"}}),
            "no attachment 999",
        ),
        (
            json!({"type": "document", "document": {"id": id}}),
            "not document",
        ),
    ] {
        let refused = json_of(
            &call(
                &mut api,
                Method::POST,
                "/api/v1/chats/1/messages",
                Some(&token),
                Some(body),
            )
            .await,
            422,
            what,
        );
        assert!(
            refused["error"].as_str().unwrap_or_default().contains(what),
            "{refused}"
        );
    }
}
