//! Operators' messages: send one in a chat, read one or a list, and retry a failed or uncertain
//! one as a new message linked to it.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::LocalApi;
use super::error::ApiError;
use super::extract::{ApiJson, ChatId, MessageId, PAGE_PARAMETERS, RequestBody, page_of};
use super::gate::Operator;
use super::send_body::SendBody;
use crate::graph::GraphFailure;
use crate::outbound::{MessageState, remedy};
use crate::outbound_json::OutboundJson;
use crate::store::{MessageFilter, Queued, SendCheck, SendRefusal, SendRequest};

/// The longest `Idempotency-Key` taken, in bytes.
const MAX_IDEMPOTENCY_KEY_BYTES: usize = 255;

/// `POST /api/v1/chats/{id}/messages`: queued (202) once it is durably in the outbox.
pub(super) async fn send(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<Response, ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    if let Some(refusal) = body.refusal() {
        return Err(refusal);
    }
    let request = SendRequest {
        chat,
        operator,
        idempotency_key,
        kind: body.kind.to_owned(),
        body: body.json,
        check: body.check,
        retry_of: None,
    };
    queue(&api, request).await
}

/// `POST /api/v1/messages/{id}/retry`: a new message with the old one's body, linked to it.
pub(super) async fn retry(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let old = api
        .store
        .message(id)
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoMessage(id.to_string()))?;
    let body: SendBody = serde_json::from_str(&old.body).map_err(|error| ApiError::BadBody {
        reason: format!("message {id}'s stored body cannot be read again: {error}"),
        example: "",
    })?;
    let request = SendRequest {
        chat: old.chat,
        operator,
        idempotency_key: None,
        kind: old.kind.clone(),
        body: old.body.clone(),
        check: body.check,
        retry_of: Some(id),
    };
    queue(&api, request).await
}

/// Hands `request` to the store and answers 202 with the message, or the refusal.
async fn queue(api: &LocalApi, request: SendRequest) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct Accepted<'a> {
        id: u64,
        state: &'static str,
        estimate_micro_usd: u64,
        pricing: &'a str,
        /// False when an earlier request with the same `Idempotency-Key` (or an earlier retry)
        /// created the message.
        created: bool,
    }
    let is_template = matches!(request.check, SendCheck::Template { .. });
    let chat = request.chat;
    let Queued { message, created } = api
        .store
        .send(request)
        .await
        .map_err(|refusal| refused(refusal, chat))?;
    if created {
        tracing::info!(
            message = message.id,
            chat = message.chat,
            operator = %message.operator,
            kind = %message.kind,
            template = is_template,
            "operator's message queued for Meta"
        );
        api.sender.wake();
    }
    let answer = Accepted {
        id: message.id,
        state: message.state.as_str(),
        estimate_micro_usd: message.estimate_micro_usd,
        pricing: &message.pricing,
        created,
    };
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// The API's answer for a store's refusal of a message in `chat`.
fn refused(refusal: SendRefusal, chat: u64) -> ApiError {
    let (status, reasons) = match refusal {
        SendRefusal::NoChat => return ApiError::NoChat(chat.to_string()),
        SendRefusal::NoMessage(id) => return ApiError::NoMessage(id.to_string()),
        SendRefusal::Store(error) => return ApiError::StoreUnavailable(error),
        SendRefusal::Chat(refusal) => (StatusCode::CONFLICT, vec![refusal.to_string()]),
        SendRefusal::Rules(reasons) => (StatusCode::UNPROCESSABLE_ENTITY, reasons),
        SendRefusal::Unpriced(refusal) => {
            (StatusCode::UNPROCESSABLE_ENTITY, vec![refusal.to_string()])
        }
        SendRefusal::Credits(insufficient) => {
            return ApiError::NoCredits {
                reason: insufficient.to_string(),
                estimate_micro_usd: insufficient.estimate,
                balance_micro_usd: insufficient.balance,
                available_micro_usd: insufficient.available,
            };
        }
        other @ (SendRefusal::IdempotencyKeyReused { .. } | SendRefusal::RetryTooSoon { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, vec![other.to_string()])
        }
        other @ SendRefusal::NotRetryable { .. } => (StatusCode::CONFLICT, vec![other.to_string()]),
    };
    ApiError::SendRefused { status, reasons }
}

/// The `Idempotency-Key` header: printable ASCII, at most [`MAX_IDEMPOTENCY_KEY_BYTES`].
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bad = || {
        ApiError::BadQuery(format!(
            "the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_BYTES} printable ASCII characters (a UUID is a good key)"
        ))
    };
    let key = value.to_str().map_err(|_| bad())?.trim();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_BYTES {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
}

/// The body of `POST /api/v1/chats/{id}/read`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReadRequest {
    message_id: String,
}

impl RequestBody for ReadRequest {
    const EXAMPLE: &'static str = r#"{"message_id": "wamid.HBgLMTY1MDU1NTAxMDEVAgASGBQzQTdD"}"#;
}

/// `POST /api/v1/chats/{id}/read`: marks the customer's message (one of this chat's) as read
/// at Meta, now. 200 once Meta accepted it; Meta's refusal is 502 with its code and remedy.
pub(super) async fn mark_read(
    State(api): State<Arc<LocalApi>>,
    ChatId(chat): ChatId,
    ApiJson(request): ApiJson<ReadRequest>,
) -> Result<Response, ApiError> {
    let view = api
        .store
        .chat_view(chat)
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoChat(chat.to_string()))?;
    let wamid = request.message_id.trim();
    let from_customer = view
        .messages
        .iter()
        .any(|message| message.record.wamid.as_deref() == Some(wamid));
    if !from_customer {
        return Err(ApiError::SendRefused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            reasons: vec![format!(
                "{wamid:?} is not a message of chat {chat}; use the wamid of one of its customer's messages (GET /api/v1/chats/{chat})"
            )],
        });
    }
    match api.sender.mark_read(view.chat.number.as_str(), wamid).await {
        Ok(()) => Ok(Json(serde_json::json!({"message_id": wamid, "read": true})).into_response()),
        Err(error) => {
            let remedy = match &error {
                GraphFailure::Meta { error, .. } => remedy(error.code),
                _ => "Meta could not be reached; try again shortly",
            };
            Err(ApiError::SendRefused {
                status: StatusCode::BAD_GATEWAY,
                reasons: vec![format!("{error}; {remedy}")],
            })
        }
    }
}

/// `GET /api/v1/messages/{id}`.
pub(super) async fn detail(
    State(api): State<Arc<LocalApi>>,
    MessageId(id): MessageId,
) -> Result<Response, ApiError> {
    let message = api
        .store
        .message(id)
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoMessage(id.to_string()))?;
    Ok(Json(OutboundJson::new(&message)).into_response())
}

/// `?state=`, `after=` and `limit=` of the message list.
#[derive(Deserialize)]
pub(super) struct MessageQuery {
    state: Option<String>,
    after: Option<u64>,
    limit: Option<u32>,
}

/// `GET /api/v1/messages[?state=...&after=...&limit=...]`: the messages in id order, and when
/// more follow, `next_after`, the `after` of the next page.
pub(super) async fn list(
    State(api): State<Arc<LocalApi>>,
    query: Result<Query<MessageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct MessageList<'a> {
        messages: Vec<OutboundJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_after: Option<u64>,
    }
    let states = format!(
        "use state=queued, sending, sent, delivered, read, failed or uncertain (or no state for \
         every message), {PAGE_PARAMETERS}"
    );
    let Query(query) =
        query.map_err(|rejection| ApiError::BadQuery(format!("{rejection}; {states}")))?;
    let filter = match query.state.as_deref() {
        None => MessageFilter::All,
        Some(state) => MessageFilter::State(
            state
                .parse::<MessageState>()
                .map_err(|_| ApiError::BadQuery(format!("no state {state:?}; {states}")))?,
        ),
    };
    let page = page_of(query.after, query.limit)
        .map_err(|cause| ApiError::BadQuery(format!("{cause}; {states}")))?;
    let listed = api
        .store
        .messages_page(filter, page)
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let last = listed.items.last().map(|message| message.id);
    Ok(Json(MessageList {
        messages: listed.items.iter().map(OutboundJson::new).collect(),
        next_after: last.filter(|_| listed.more),
    })
    .into_response())
}
