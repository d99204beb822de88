//! Knowledge-base articles: list (or search with `?q=`), create, read, put and delete them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::LocalApi;
use super::canned::status_of;
use super::error::ApiError;
use super::extract::{ApiJson, ToolId};
use super::gate::Operator;
use crate::store::{Put, ToolRefusal};
use crate::tool_json::ArticleJson;
use crate::tools::{Article, ArticleInput, ToolSource, search_articles};

/// One article as answered.
#[derive(Serialize)]
struct ArticleReply<'a> {
    article: ArticleJson<'a>,
}

impl<'a> ArticleReply<'a> {
    fn new(article: &'a Article) -> Json<Self> {
        Json(Self {
            article: ArticleJson::new(article),
        })
    }
}

/// `GET /api/v1/articles`'s query.
#[derive(Deserialize)]
pub(super) struct SearchQuery {
    /// Words to find in titles and bodies (case-insensitive).
    q: Option<String>,
}

/// `GET /api/v1/articles[?q=...]` -> `{"articles": [...]}`: every article by title, or those
/// whose title or body contains `q` (title matches first).
pub(super) async fn list(
    State(api): State<Arc<LocalApi>>,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct ArticleList<'a> {
        articles: Vec<ArticleJson<'a>>,
    }
    let Query(query) = query.map_err(|rejection| {
        ApiError::BadQuery(format!(
            "{rejection}; search with ?q=<words>, or send no query for every article"
        ))
    })?;
    let all = api
        .store
        .articles()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let found = search_articles(&all, query.q.as_deref().unwrap_or_default());
    Ok(Json(ArticleList {
        articles: found.into_iter().map(ArticleJson::new).collect(),
    })
    .into_response())
}

/// `POST /api/v1/articles`: a new one, numbered by the gateway (201).
pub(super) async fn create(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Response, ApiError> {
    put(&api, &operator, None, input).await
}

/// `GET /api/v1/articles/{id}`.
pub(super) async fn detail(
    State(api): State<Arc<LocalApi>>,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let article = api
        .store
        .article(id.clone())
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or(ToolRefusal::NoArticle(id))?;
    Ok(ArticleReply::new(&article).into_response())
}

/// `PUT /api/v1/articles/{id}`: created (201) or replaced (200).
pub(super) async fn replace(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Response, ApiError> {
    put(&api, &operator, Some(id), input).await
}

async fn put(
    api: &LocalApi,
    operator: &str,
    id: Option<String>,
    input: ArticleInput,
) -> Result<Response, ApiError> {
    let Put { item, created } = api.store.put_article(id, input, ToolSource::Local).await?;
    tracing::info!(id = %item.id, operator, created, "article put");
    Ok((status_of(created), ArticleReply::new(&item)).into_response())
}

/// `DELETE /api/v1/articles/{id}` -> the deleted one.
pub(super) async fn delete(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let deleted = api.store.delete_article(id).await?;
    tracing::info!(id = %deleted.id, operator, "article deleted");
    Ok(ArticleReply::new(&deleted).into_response())
}
