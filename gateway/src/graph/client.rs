//! One pooled HTTPS client to the Graph API: connections are reused (HTTP/2 when Meta offers
//! it), every request has a deadline, and the access token is only ever put in the
//! `Authorization` header.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, Limited};
use serde_json::Value;

use super::answer::{GraphFailure, SendAccepted, read_error, read_send_answer};
use super::number_read::{number_path, read_number_answer};
use crate::ca_file::{CaFileError, add_ca_file};
use crate::https_client::{PooledClient, pooled_client, transport_reason, webpki_roots};
use crate::numbers::NumberProfile;
use crate::secret::Secret;
use crate::settings::GraphSettings;

/// The longest answer read from Meta; its answers are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// How long one request may take, from sending it to its whole answer.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphClientError {
    /// `meta.ca_file` cannot be used.
    #[error("meta.ca_file: {0}")]
    CaFile(#[from] CaFileError),
    /// rustls refused the client configuration.
    #[error("the TLS client cannot be configured: {0}")]
    Tls(rustls::Error),
}

/// The Graph API client. Cheap to clone.
#[derive(Clone)]
pub struct GraphClient {
    pub(super) http: PooledClient<GraphBody>,
    pub(super) endpoint: Arc<GraphSettings>,
    token: Option<Arc<Secret>>,
}

/// A request body to Meta: JSON in memory, or an attachment streamed from its file.
pub(super) type GraphBody = BoxBody<Bytes, std::io::Error>;

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client for the Graph API `endpoint` names, with the access token `token` (none:
    /// nothing can be sent), trusting the webpki roots and those of `meta.ca_file`.
    pub fn new(endpoint: GraphSettings, token: Option<Secret>) -> Result<Self, GraphClientError> {
        let mut roots = webpki_roots();
        if let Some(path) = &endpoint.ca_file {
            add_ca_file(&mut roots, path)?;
        }
        let http = pooled_client(roots).map_err(GraphClientError::Tls)?;
        Ok(Self {
            http,
            endpoint: Arc::new(endpoint),
            token: token.map(Arc::new),
        })
    }

    /// Whether an access token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `POST /{version}/{phone_number_id}/messages` with `body`.
    pub async fn send_message(
        &self,
        phone_number_id: &str,
        body: &Value,
    ) -> Result<SendAccepted, GraphFailure> {
        check_phone_number_id(phone_number_id)?;
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("{phone_number_id}/messages"),
                Some(body),
            )
            .await?;
        read_send_answer(status, &answer)
    }

    /// Marks the customer's message `wamid` as read (blue check marks):
    /// `POST /{version}/{phone_number_id}/messages` with `status: read`.
    pub async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GraphFailure> {
        check_phone_number_id(phone_number_id)?;
        let body = serde_json::json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": wamid,
        });
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("{phone_number_id}/messages"),
                Some(&body),
            )
            .await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            read_error(status, &answer)
        }
    }

    /// `GET /{version}/{phone_number_id}?fields=...`: what Meta says of the number
    /// ([`super::NUMBER_FIELDS`]).
    pub async fn read_number(&self, phone_number_id: &str) -> Result<NumberProfile, GraphFailure> {
        check_phone_number_id(phone_number_id)?;
        let (status, answer) = self
            .call(Method::GET, &number_path(phone_number_id), None)
            .await?;
        read_number_answer(status, &answer)
    }

    /// One request to `{base}/{version}/{path}`, answered with its status and body.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Bytes), GraphFailure> {
        let uri = self.url(path);
        let payload = body
            .map(|body| Bytes::from(body.to_string()))
            .unwrap_or_default();
        let mut request = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::AUTHORIZATION, self.authorization()?);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(payload).map_err(|never| match never {}).boxed())
            .map_err(|error| GraphFailure::NotSent(format!("bad request to {uri}: {error}")))?;
        self.exchange(request, REQUEST_DEADLINE).await
    }

    /// Sends `request` and reads its whole answer (at most [`MAX_ANSWER_BYTES`]) within
    /// `deadline`: its status and body.
    pub(super) async fn exchange(
        &self,
        request: Request<GraphBody>,
        deadline: Duration,
    ) -> Result<(u16, Bytes), GraphFailure> {
        let exchange = async {
            let response = self.http.request(request).await.map_err(|error| {
                // A connection that was never made carried nothing; any other failure may
                // have come after Meta read the request.
                if error.is_connect() {
                    GraphFailure::NotSent(transport_reason(&error))
                } else {
                    GraphFailure::NoAnswer(transport_reason(&error))
                }
            })?;
            let status = response.status().as_u16();
            let answer = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|error| GraphFailure::NoAnswer(format!("reading the answer: {error}")))?
                .to_bytes();
            Ok((status, answer))
        };
        tokio::time::timeout(deadline, exchange)
            .await
            .map_err(|_| {
                GraphFailure::NoAnswer(format!("no answer within {} s", deadline.as_secs()))
            })?
    }
}

/// A `phone_number_id` goes into the request's path: digits only.
pub(super) fn check_phone_number_id(phone_number_id: &str) -> Result<(), GraphFailure> {
    if phone_number_id.is_empty() || !phone_number_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GraphFailure::Unreadable {
            status: 0,
            reason: format!("{phone_number_id:?} is not a phone_number_id"),
        });
    }
    Ok(())
}

impl GraphClient {
    /// `{base}/{version}/{path}`.
    pub(super) fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/{path}",
            self.endpoint.base_url.trim_end_matches('/'),
            self.endpoint.api_version
        )
    }

    /// The `Authorization` header (marked sensitive, so it is never logged).
    pub(super) fn authorization(&self) -> Result<http::HeaderValue, GraphFailure> {
        let Some(token) = &self.token else {
            return Err(GraphFailure::NotSent(
                "no access token is configured (meta.access_token_file)".into(),
            ));
        };
        let mut authorization = http::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| {
                GraphFailure::NotSent("the access token is not a valid header value".into())
            })?;
        authorization.set_sensitive(true);
        Ok(authorization)
    }
}
