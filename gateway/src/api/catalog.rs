//! What canned responses and articles share: read, create, put (create or replace) and delete
//! one by id. Each kind is a [`Catalog`]; the handlers here serve both.

use std::future::Future;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::LocalApi;
use super::error::ApiError;
use super::extract::{ApiJson, RequestBody, ToolId};
use super::gate::Operator;
use crate::store::{Put, Store, StoreError, ToolRefusal};

/// A kind of entry operators manage by id.
pub(super) trait Catalog: Send + Sync + 'static {
    /// An entry.
    type Item: Send + 'static;
    /// What a `POST` or `PUT` gives.
    type Input: RequestBody + Send + 'static;
    /// The member one entry is answered in (`canned_response`, `article`).
    const KEY: &'static str;
    /// The entry as JSON.
    fn json(item: &Self::Item) -> impl Serialize + '_;
    /// Its id.
    fn id(item: &Self::Item) -> &str;
    /// The refusal for an id that names nothing.
    fn missing(id: String) -> ToolRefusal;
    /// Entry `id`, if it exists.
    fn get(
        store: &Store,
        id: String,
    ) -> impl Future<Output = Result<Option<Self::Item>, StoreError>> + Send;
    /// Puts entry `id` (`None`: a new one, numbered by the store) as the operators'.
    fn put(
        store: &Store,
        id: Option<String>,
        input: Self::Input,
    ) -> impl Future<Output = Result<Put<Self::Item>, ToolRefusal>> + Send;
    /// Deletes entry `id`; answers what it was.
    fn delete(
        store: &Store,
        id: String,
    ) -> impl Future<Output = Result<Self::Item, ToolRefusal>> + Send;
}

/// `{"<key>": entry}` with `status`.
fn reply<C: Catalog>(status: StatusCode, item: &C::Item) -> Response {
    let mut object = serde_json::Map::new();
    let json = serde_json::to_value(C::json(item)).unwrap_or_default();
    object.insert(C::KEY.to_owned(), json);
    (status, Json(object)).into_response()
}

/// `POST`: a new entry, numbered by the gateway (201).
pub(super) async fn create<C: Catalog>(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ApiJson(input): ApiJson<C::Input>,
) -> Result<Response, ApiError> {
    put::<C>(&api, &operator, None, input).await
}

/// `GET /{id}`.
pub(super) async fn detail<C: Catalog>(
    State(api): State<Arc<LocalApi>>,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let item = C::get(&api.store, id.clone())
        .await
        .map_err(ApiError::StoreUnavailable)?
        .ok_or_else(|| C::missing(id))?;
    Ok(reply::<C>(StatusCode::OK, &item))
}

/// `PUT /{id}`: created (201) or replaced (200).
pub(super) async fn replace<C: Catalog>(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
    ApiJson(input): ApiJson<C::Input>,
) -> Result<Response, ApiError> {
    put::<C>(&api, &operator, Some(id), input).await
}

async fn put<C: Catalog>(
    api: &LocalApi,
    operator: &str,
    id: Option<String>,
    input: C::Input,
) -> Result<Response, ApiError> {
    let Put { item, created } = C::put(&api.store, id, input).await?;
    tracing::info!(id = C::id(&item), operator, created, "{} put", C::KEY);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(reply::<C>(status, &item))
}

/// `DELETE /{id}` -> the deleted entry.
pub(super) async fn delete<C: Catalog>(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ToolId(id): ToolId,
) -> Result<Response, ApiError> {
    let deleted = C::delete(&api.store, id).await?;
    tracing::info!(id = C::id(&deleted), operator, "{} deleted", C::KEY);
    Ok(reply::<C>(StatusCode::OK, &deleted))
}
