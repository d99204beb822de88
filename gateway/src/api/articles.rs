//! Knowledge-base articles: list them, or search them with `?q=` (the rest of their management
//! is a [`Catalog`]'s).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::LocalApi;
use super::catalog::Catalog;
use super::error::ApiError;
use crate::store::{Put, Store, StoreError, ToolRefusal};
use crate::tool_json::ArticleJson;
use crate::tools::{Article, ArticleInput, ToolSource, search_articles};

/// Articles, as a [`Catalog`].
pub(super) struct Articles;

impl Catalog for Articles {
    type Item = Article;
    type Input = ArticleInput;
    const KEY: &'static str = "article";

    fn json(item: &Article) -> impl Serialize + '_ {
        ArticleJson::new(item)
    }

    fn id(item: &Article) -> &str {
        &item.id
    }

    fn missing(id: String) -> ToolRefusal {
        ToolRefusal::NoArticle(id)
    }

    async fn get(store: &Store, id: String) -> Result<Option<Article>, StoreError> {
        store.article(id).await
    }

    async fn put(
        store: &Store,
        id: Option<String>,
        input: ArticleInput,
    ) -> Result<Put<Article>, ToolRefusal> {
        store.put_article(id, input, ToolSource::Local).await
    }

    async fn delete(store: &Store, id: String) -> Result<Article, ToolRefusal> {
        store.delete_article(id).await
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
