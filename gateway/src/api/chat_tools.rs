//! An operator's tools on a chat: internal notes (never sent to the customer), tags, lead
//! capture and ticket requests. Each is durable, with its journal event for headquarters, when
//! it is answered; a closed chat takes them too (the work after the conversation).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::LocalApi;
use super::body::{NoteRequest, TagsRequest};
use super::error::ApiError;
use super::extract::{ApiJson, ChatId, RequestBody as _};
use super::gate::Operator;
use crate::tool_json::NoteJson;
use crate::tools::{Lead, TicketRequest};

/// `POST /api/v1/chats/{id}/notes` (`{"text"}`) -> 201 `{"note": {"n", "author", "text",
/// "at"}}`.
pub(super) async fn add_note(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct NoteReply<'a> {
        note: NoteJson<'a>,
    }
    let note = api.store.add_note(chat, operator, request.text).await?;
    Ok((
        StatusCode::CREATED,
        Json(NoteReply {
            note: NoteJson::new(&note),
        }),
    )
        .into_response())
}

/// `PUT /api/v1/chats/{id}/tags` (`{"tags": [...]}`) -> `{"tags": [...]}` as kept (trimmed,
/// without duplicates).
pub(super) async fn set_tags(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    ApiJson(request): ApiJson<TagsRequest>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct TagsReply {
        tags: Vec<String>,
    }
    let tags = api.store.set_tags(chat, operator, request.tags).await?;
    Ok(Json(TagsReply { tags }).into_response())
}

/// `POST /api/v1/chats/{id}/lead` (`{"name", "email", "phone", "company"}`, at least one) ->
/// 202 `{"lead": {...}, "event_seq": N}`: `lead.captured` is on its way to headquarters.
pub(super) async fn capture_lead(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    ApiJson(lead): ApiJson<Lead>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct LeadReply {
        lead: Lead,
        event_seq: u64,
    }
    let captured = api.store.capture_lead(chat, operator, lead).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(LeadReply {
            lead: captured.value,
            event_seq: captured.event_seq,
        }),
    )
        .into_response())
}

/// `POST /api/v1/chats/{id}/ticket` (optional `{"subject", "note"}`) -> 202 `{"event_seq",
/// "entries", "truncated"}`: `ticket.requested`, with the chat's transcript, is on its way to
/// headquarters.
pub(super) async fn request_ticket(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    body: Bytes,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct TicketReply {
        event_seq: u64,
        entries: usize,
        truncated: bool,
    }
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        TicketRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| ApiError::BadBody {
            reason: error.to_string(),
            example: TicketRequest::EXAMPLE,
        })?
    };
    let sent = api.store.request_ticket(chat, operator, request).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TicketReply {
            event_seq: sent.event_seq,
            entries: sent.value.entries,
            truncated: sent.value.omitted > 0,
        }),
    )
        .into_response())
}
