//! Canned responses: list them (the rest of their management is a [`Catalog`]'s), and render
//! one for a chat with its placeholders filled in (see [`crate::tools::render`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::LocalApi;
use super::body::RenderRequest;
use super::catalog::Catalog;
use super::error::ApiError;
use super::extract::{ApiJson, ChatId};
use super::gate::Operator;
use crate::store::{Put, Store, StoreError, ToolRefusal};
use crate::tool_json::CannedJson;
use crate::tools::{CannedInput, CannedResponse, RenderContext, ToolSource, render};

/// Canned responses, as a [`Catalog`].
pub(super) struct Canned;

impl Catalog for Canned {
    type Item = CannedResponse;
    type Input = CannedInput;
    const KEY: &'static str = "canned_response";

    fn json(item: &CannedResponse) -> impl Serialize + '_ {
        CannedJson::new(item)
    }

    fn id(item: &CannedResponse) -> &str {
        &item.id
    }

    fn missing(id: String) -> ToolRefusal {
        ToolRefusal::NoCannedResponse(id)
    }

    async fn get(store: &Store, id: String) -> Result<Option<CannedResponse>, StoreError> {
        store.canned_response(id).await
    }

    async fn put(
        store: &Store,
        id: Option<String>,
        input: CannedInput,
    ) -> Result<Put<CannedResponse>, ToolRefusal> {
        store
            .put_canned_response(id, input, ToolSource::Local)
            .await
    }

    async fn delete(store: &Store, id: String) -> Result<CannedResponse, ToolRefusal> {
        store.delete_canned_response(id).await
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
