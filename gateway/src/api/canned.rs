//! Canned responses: list, create, read, put and delete them, and render one for a chat with
//! its placeholders filled in (see [`crate::tools::render`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::LocalApi;
use super::body::RenderRequest;
use super::error::ApiError;
use super::extract::{ApiJson, ChatId, ToolId};
use super::gate::Operator;
use crate::store::{Put, ToolRefusal};
use crate::tool_json::CannedJson;
use crate::tools::{CannedInput, CannedResponse, RenderContext, ToolSource, render};

/// One canned response as answered.
#[derive(Serialize)]
struct CannedReply<'a> {
    canned_response: CannedJson<'a>,
}

impl<'a> CannedReply<'a> {
    fn new(canned: &'a CannedResponse) -> Json<Self> {
        Json(Self {
            canned_response: CannedJson::new(canned),
        })
    }
}

/// `GET /api/v1/canned-responses` -> `{"canned_responses": [...]}`, by shortcut.
pub(super) async fn list(State(api): State<Arc<LocalApi>>) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct CannedList<'a> {
        canned_responses: Vec<CannedJson<'a>>,
    }
    let all = api
        .store
        .canned_responses()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    Ok(Json(CannedList {
        canned_responses: all.iter().map(CannedJson::new).collect(),
    })
    .into_response())
}

/// `POST /api/v1/canned-responses`: a new one, numbered by the gateway (201).
pub(super) async fn create(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ApiJson(input): ApiJson<CannedInput>,
) -> Result<Response, ApiError> {
    put(&api, &operator, None, input).await
}

/// `GET /api/v1/canned-responses/{id}`.
pub(super) async fn detail(
    State(api): State<Arc<LocalApi>>,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let canned = api
        .store
        .canned_response(id.clone())
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or(ToolRefusal::NoCannedResponse(id))?;
    Ok(CannedReply::new(&canned).into_response())
}

/// `PUT /api/v1/canned-responses/{id}`: created (201) or replaced (200).
pub(super) async fn replace(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
    ApiJson(input): ApiJson<CannedInput>,
) -> Result<Response, ApiError> {
    put(&api, &operator, Some(id), input).await
}

async fn put(
    api: &LocalApi,
    operator: &str,
    id: Option<String>,
    input: CannedInput,
) -> Result<Response, ApiError> {
    let Put { item, created } = api
        .store
        .put_canned_response(id, input, ToolSource::Local)
        .await?;
    tracing::info!(id = %item.id, operator, created, "canned response put");
    Ok((status_of(created), CannedReply::new(&item)).into_response())
}

/// `DELETE /api/v1/canned-responses/{id}` -> the deleted one.
pub(super) async fn delete(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let deleted = api.store.delete_canned_response(id).await?;
    tracing::info!(id = %deleted.id, operator, "canned response deleted");
    Ok(CannedReply::new(&deleted).into_response())
}

/// `POST /api/v1/chats/{id}/render` (`{"canned_response": id}`) -> `{"text": "..."}`, or 422
/// naming every undefined placeholder (with `placeholders`).
pub(super) async fn render_for_chat(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ChatId(chat): ChatId,
    ApiJson(request): ApiJson<RenderRequest>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct Rendered {
        text: String,
    }
    let inputs = api
        .store
        .render_inputs(chat, request.canned_response.clone())
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| ApiError::NoChat(chat.to_string()))?;
    let canned = inputs
        .canned
        .ok_or(ToolRefusal::NoCannedResponse(request.canned_response))?;
    let context = RenderContext {
        contact_name: inputs.contact_name.as_deref(),
        customer: &inputs.chat.customer,
        agent_name: &operator,
        chat_id: chat,
    };
    let text = render(&canned.body, &context).map_err(ApiError::Undefined)?;
    Ok(Json(Rendered { text }).into_response())
}

/// 201 for a new entry, 200 for a replaced one.
pub(super) const fn status_of(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
