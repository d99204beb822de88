//! The operator endpoints: list chats, read one with its messages and window, accept, close or
//! transfer it, check whether a message may be sent, and list the templates.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::LocalApi;
use super::body::{SendCheckRequest, TransferRequest};
use super::error::ApiError;
use super::extract::{ApiJson, ChatId, ChatListQuery, RequestBody as _};
use super::gate::Operator;
use super::policy_json::{SendCheckJson, TemplateJson, WindowJson};
use crate::chat::check_operator_may_write;
use crate::chat_json::{ChatJson, MessageJson};
use crate::outbound_json::OutboundJson;
use crate::policy::{OutgoingMessage, UnixMs, check_send};
use crate::store::{ChatAction, ChatActionError, ChatView, SendCheck, SendRefusal, SendRequest};
use crate::tool_json::NoteJson;

/// `GET /api/v1/chats[?state=...&after=...&limit=...]`: the chats in id order, and when more
/// follow, `next_after`, the `after` of the next page.
pub(super) async fn list(
    State(api): State<Arc<LocalApi>>,
    ChatListQuery { filter, page }: ChatListQuery,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct ChatList<'a> {
        chats: Vec<ChatJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_after: Option<u64>,
    }
    let listed = api
        .store
        .list_chats_with_contacts(filter, page)
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let last = listed.items.last().map(|(chat, _)| chat.id.0);
    Ok(Json(ChatList {
        chats: listed
            .items
            .iter()
            .map(|(chat, contact)| ChatJson::with_contact(chat, contact))
            .collect(),
        next_after: last.filter(|_| listed.more),
    })
    .into_response())
}

/// `GET /api/v1/chats/{id}`: the chat, its pair's service window now, its messages.
pub(super) async fn detail(
    State(api): State<Arc<LocalApi>>,
    ChatId(id): ChatId,
) -> Result<Response, ApiError> {
    let view = api
        .store
        .chat_view(id)
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoChat(id.to_string()))?;
    let seqs = view.messages.iter().map(|message| message.seq).collect();
    let media = api
        .store
        .received_media(seqs)
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let mut detail = ChatDetail::new(&view, api.clock.now_ms());
    for message in &mut detail.messages {
        if let Some((_, id)) = media.iter().find(|(seq, _)| *seq == message.seq()) {
            message.set_media_id(*id);
        }
    }
    Ok(Json(detail).into_response())
}

/// `POST /api/v1/chats/{id}/accept`.
pub(super) async fn accept(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(id): ChatId,
) -> Result<Response, ApiError> {
    act(&api, id, ChatAction::Accept { operator }).await
}

/// `POST /api/v1/chats/{id}/close`.
pub(super) async fn close(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(id): ChatId,
) -> Result<Response, ApiError> {
    act(&api, id, ChatAction::Close { operator }).await
}

/// `POST /api/v1/chats/{id}/transfer`: to a configured department; any other is refused before
/// anything is written.
pub(super) async fn transfer(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(id): ChatId,
    ApiJson(request): ApiJson<TransferRequest>,
) -> Result<Response, ApiError> {
    if request.department.trim().is_empty() {
        return Err(ApiError::BadBody {
            reason: "the department is empty".into(),
            example: TransferRequest::EXAMPLE,
        });
    }
    api.departments.check(&request.department)?;
    let action = ChatAction::Transfer {
        operator,
        department: request.department,
    };
    act(&api, id, action).await
}

/// `POST /api/v1/chats/{id}/send-check`: may this message go to the chat's customer now, from
/// the calling operator, and what will it cost? Answered 200 either way.
pub(super) async fn send_check(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(id): ChatId,
    ApiJson(request): ApiJson<SendCheckRequest>,
) -> Result<Response, ApiError> {
    let (view, registry) = api
        .store
        .chat_view_and_templates(id)
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoChat(id.to_string()))?;
    let message = match &request {
        SendCheckRequest::FreeForm {} => OutgoingMessage::FreeForm,
        SendCheckRequest::Template {
            name,
            language,
            parameters,
        } => OutgoingMessage::Template {
            name,
            language,
            parameters: *parameters,
        },
    };
    let now = api.clock.now_ms();
    let rules = check_send(
        &view.window,
        &registry,
        view.chat.customer.as_str(),
        now,
        message,
    );
    // The chat's own refusal (closed, or another operator's) comes first.
    let mut refusals: Vec<String> = check_operator_may_write(&view.chat, &operator, now)
        .err()
        .map(|refusal| refusal.to_string())
        .into_iter()
        .collect();
    let result = match rules {
        Ok(verdict) if refusals.is_empty() => Ok(verdict),
        Ok(_) => Err(refusals),
        Err(rule_refusals) => {
            refusals.extend(rule_refusals.iter().map(ToString::to_string));
            Err(refusals)
        }
    };
    // What it costs, and whether the credits cover it, as the writer would judge a real send.
    let (estimate, result) = match result {
        Ok(verdict) => match api.store.price(priced(id, operator, request)).await {
            Ok(queued) => (Some(queued.message.estimate_micro_usd), Ok(verdict)),
            Err(SendRefusal::Credits(insufficient)) => (
                Some(insufficient.estimate),
                Err(vec![insufficient.to_string()]),
            ),
            Err(SendRefusal::Store(error)) => return Err(ApiError::StoreUnavailable(error)),
            Err(refusal) => (None, Err(vec![refusal.to_string()])),
        },
        Err(refusals) => (None, Err(refusals)),
    };
    Ok(Json(SendCheckJson::new(&result, estimate, &view.window, now)).into_response())
}

/// The send a check describes, to be priced (nothing is written).
fn priced(chat: u64, operator: String, request: SendCheckRequest) -> SendRequest {
    let (kind, check) = match request {
        SendCheckRequest::FreeForm {} => ("text", SendCheck::FreeForm),
        SendCheckRequest::Template {
            name,
            language,
            parameters,
        } => (
            "template",
            SendCheck::Template {
                name,
                language,
                parameters,
            },
        ),
    };
    SendRequest {
        chat,
        operator,
        idempotency_key: None,
        kind: kind.to_owned(),
        body: String::new(),
        check,
        retry_of: None,
    }
}

/// `GET /api/v1/templates`.
pub(super) async fn templates(State(api): State<Arc<LocalApi>>) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct TemplateList<'a> {
        templates: Vec<TemplateJson<'a>>,
    }
    let registry = api
        .store
        .templates()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let now = api.clock.now_ms();
    Ok(Json(TemplateList {
        templates: registry
            .iter()
            .map(|template| TemplateJson::new(template, now))
            .collect(),
    })
    .into_response())
}

/// Applies an operator's action; answered with the chat once the change is durable.
async fn act(api: &LocalApi, id: u64, action: ChatAction) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct ChatReply<'a> {
        chat: ChatJson<'a>,
    }
    let (what, operator) = match &action {
        ChatAction::Accept { operator } => ("accepted", operator.clone()),
        ChatAction::Close { operator } => ("closed", operator.clone()),
        ChatAction::Transfer { operator, .. } => ("transferred", operator.clone()),
    };
    let chat = api
        .store
        .act_on_chat(id, action)
        .await
        .map_err(|error| match error {
            ChatActionError::NotFound => ApiError::NoChat(id.to_string()),
            ChatActionError::Refused(refusal) => ApiError::Refused(refusal),
            ChatActionError::Store(error) => ApiError::StoreUnavailable(error),
        })?;
    tracing::info!(chat = id, operator = %operator, "operator {what} the chat");
    Ok(Json(ChatReply {
        chat: ChatJson::new(&chat),
    })
    .into_response())
}

/// `GET /api/v1/chats/{id}`'s answer.
#[derive(Serialize)]
struct ChatDetail<'a> {
    chat: ChatJson<'a>,
    window: WindowJson,
    messages: Vec<MessageJson<'a>>,
    /// The operators' messages in it, with who wrote each and where it stands.
    outbound: Vec<OutboundJson<'a>>,
    /// The operators' internal notes, oldest first.
    notes: Vec<NoteJson<'a>>,
    tags: &'a [String],
}

impl<'a> ChatDetail<'a> {
    fn new(view: &'a ChatView, now: UnixMs) -> Self {
        Self {
            chat: ChatJson::with_contact(&view.chat, &view.contact),
            window: WindowJson::new(&view.window, now),
            messages: view
                .messages
                .iter()
                .map(|message| MessageJson::new(message.seq, &message.record))
                .collect(),
            outbound: view.outbound.iter().map(OutboundJson::new).collect(),
            notes: view.notes.iter().map(NoteJson::new).collect(),
            tags: &view.tags,
        }
    }
}
