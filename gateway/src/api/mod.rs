//! The operator API on the local listener: operators list chats, read one with its messages,
//! and accept, close or transfer it.
//!
//! Every request under `/api/` must carry `Authorization: Bearer <token>` of a configured operator
//! ([`OperatorAuth`]); without it the answer is 401, before anything else (even for paths that do
//! not exist). The acting operator is the one whose token was presented.
//!
//! # Endpoints (JSON in, JSON out)
//!
//! - `GET /api/v1/chats[?state=waiting|active|closed]` -> `{"chats": [chat, ...]}` (no state:
//!   every chat; another state: 400).
//! - `GET /api/v1/chats/{id}` -> `{"chat": chat, "window": window, "messages": [message, ...]}`.
//! - `POST /api/v1/chats/{id}/accept`, `.../close`, `.../transfer` (body
//!   `{"department": "..."}`, a configured department's name) -> `{"chat": chat}` after the
//!   change is durable.
//! - `POST /api/v1/chats/{id}/send-check` (body `{"type": "free_form"}` or `{"type":
//!   "template", "name": "...", "language": "...", "parameters": n}`) -> `{"allowed": bool,
//!   "refusals": ["..."], "pricing": "free_customer_service"|"free_entry_point"|"regular"|null,
//!   "free_of_charge": bool, "category": "UTILITY"|...|null, "window": window}`: may this
//!   message go to the chat's customer now, from the calling operator, and what will it cost?
//!   Answered 200 either way; `refusals` names every rule that forbids it (the chat is closed
//!   or another operator's, the window, the template's status, the US marketing pause).
//! - `GET /api/v1/templates` -> `{"templates": [template, ...]}`: the configured templates as
//!   Meta's webhooks left them (status, reason, category now and any announced change).
//!
//! A window is the (number, customer) pair's: `{"free_form_allowed", "template_required",
//! "last_customer_message_at", "closes_at", "free_entry_point": {"entry_point", "state":
//! "offered"|"open", "answer_by", "closes_at", "current"}|null, "summary"}`; it outlives chats.
//!
//! A chat is the object `waygate export --chats` writes (id, number, customer, department, state,
//! reason, closed_at, served_by, opened_at, last_customer_message_at, last_activity_at,
//! deadline_at, deadline_kind, profanity_hits, messages = the count). A message is
//! `{"seq", "wamid", "timestamp", "type", "content"}` (`timestamp` is Meta's, in Unix seconds).
//! Instants are Unix milliseconds (UTC).
//!
//! # Errors
//!
//! `{"error": "<what to do>"}` with: 401 (no or wrong token, with `WWW-Authenticate: Bearer`),
//! 400 (bad query or body), 404 (no such endpoint or chat; an id that is not a decimal number
//! names no chat and is a 404 too), 405 (wrong method, with `Allow`), 409 (the lifecycle refuses
//! the action, e.g. the chat is closed: the refusal's reason), 413 (body over 64 KiB), 422 (a
//! transfer to a department that is not configured: the configured ones are named), 503 (the
//! store cannot answer now).

mod auth;
mod body;
mod departments;
mod policy_json;
mod reply;
mod route;

use bytes::Bytes;
use http::{Request, StatusCode, header};
use hyper::body::Body;
use serde::Serialize;

pub use auth::{OperatorAuth, token_digest};
pub use body::MAX_BODY_BYTES;
pub use departments::Departments;
pub use route::API_PREFIX;

use crate::chat::check_operator_may_write;
use crate::chat_json::{ChatJson, MessageJson};
use crate::clock::SharedClock;
use crate::ingress::response::Reply;
use crate::policy::{OutgoingMessage, UnixMs, check_send};
use crate::store::{ChatAction, ChatActionError, ChatFilter, ChatView, Store, StoreError};
use body::{SendCheckRequest, TransferRequest};
use policy_json::{SendCheckJson, TemplateJson, WindowJson};
use reply::{error_reply, json, method_not_allowed, unauthorized};
use route::{Route, RouteError, route};

/// The operator API: who may call it, the store it reads and changes chats in, the departments
/// chats can be transferred to, and the clock the messaging rules are judged by.
pub struct OperatorApi {
    auth: OperatorAuth,
    store: Store,
    departments: Departments,
    clock: SharedClock,
}

impl std::fmt::Debug for OperatorApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorApi")
            .field("auth", &self.auth)
            .field("store", &self.store.path())
            .field("departments", &self.departments)
            .finish()
    }
}

impl OperatorApi {
    /// An API for the operators of `auth` on `store`, transferring chats between
    /// `departments`, judging windows by `clock`.
    pub fn new(
        auth: OperatorAuth,
        store: Store,
        departments: Departments,
        clock: SharedClock,
    ) -> Self {
        Self {
            auth,
            store,
            departments,
            clock,
        }
    }

    /// Answers one request whose path is under `/api/`.
    pub async fn handle<B>(&self, request: Request<B>) -> Reply
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let authorization = parts.headers.get(header::AUTHORIZATION);
        let Some(operator) = self.authenticate(authorization) else {
            return unauthorized(if authorization.is_some() {
                "the bearer token is not an operator's token; check the token you were given"
            } else {
                "this API needs an operator's token: send Authorization: Bearer <token>"
            });
        };
        let route = match route(&parts.method, parts.uri.path(), parts.uri.query()) {
            Ok(route) => route,
            Err(RouteError::MethodNotAllowed(allowed)) => {
                let error = RouteError::MethodNotAllowed(allowed);
                return method_not_allowed(allowed, &error.message());
            }
            Err(error) => return error_reply(error.status(), &error.message()),
        };
        let operator = operator.to_owned();
        match route {
            Route::ListChats(filter) => self.list_chats(filter).await,
            Route::ChatDetail(id) => self.chat_detail(id).await,
            Route::Accept(id) => self.act(id, ChatAction::Accept { operator }).await,
            Route::Close(id) => self.act(id, ChatAction::Close { operator }).await,
            Route::Transfer(id) => match body::read_request(body, body::parse_transfer).await {
                Ok(request) => self.transfer(id, operator, request).await,
                Err(error) => error_reply(error.status(), &error.to_string()),
            },
            Route::SendCheck(id) => match body::read_request(body, body::parse_send_check).await {
                Ok(request) => self.send_check(id, &operator, &request).await,
                Err(error) => error_reply(error.status(), &error.to_string()),
            },
            Route::Templates => self.templates().await,
        }
    }

    fn authenticate(&self, header: Option<&http::HeaderValue>) -> Option<&str> {
        // A header that is not visible ASCII cannot hold a token we issued.
        let text = header.map(|value| value.to_str().unwrap_or_default());
        self.auth.authenticate(text)
    }

    async fn list_chats(&self, filter: ChatFilter) -> Reply {
        #[derive(Serialize)]
        struct ChatList<'a> {
            chats: Vec<ChatJson<'a>>,
        }
        match self.store.list_chats(filter).await {
            Ok(chats) => json(
                StatusCode::OK,
                &ChatList {
                    chats: chats.iter().map(ChatJson::new).collect(),
                },
            ),
            Err(error) => store_unavailable(&error),
        }
    }

    async fn chat_detail(&self, id: u64) -> Reply {
        match self.store.chat_view(id).await {
            Ok(Some(view)) => json(StatusCode::OK, &ChatDetail::new(&view, self.clock.now_ms())),
            Ok(None) => no_chat(id),
            Err(error) => store_unavailable(&error),
        }
    }

    async fn send_check(&self, id: u64, operator: &str, request: &SendCheckRequest) -> Reply {
        let (view, registry) = match self.store.chat_view_and_templates(id).await {
            Ok(Some(found)) => found,
            Ok(None) => return no_chat(id),
            Err(error) => return store_unavailable(&error),
        };
        let message = match request {
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
        let now = self.clock.now_ms();
        let rules = check_send(
            &view.window,
            &registry,
            view.chat.customer.as_str(),
            now,
            message,
        );
        // The chat's own refusal (closed, or another operator's) comes first.
        let mut refusals: Vec<String> = check_operator_may_write(&view.chat, operator, now)
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
        json(
            StatusCode::OK,
            &SendCheckJson::new(&result, &view.window, now),
        )
    }

    async fn templates(&self) -> Reply {
        #[derive(Serialize)]
        struct TemplateList<'a> {
            templates: Vec<TemplateJson<'a>>,
        }
        match self.store.templates().await {
            Ok(registry) => {
                let now = self.clock.now_ms();
                json(
                    StatusCode::OK,
                    &TemplateList {
                        templates: registry
                            .iter()
                            .map(|template| TemplateJson::new(template, now))
                            .collect(),
                    },
                )
            }
            Err(error) => store_unavailable(&error),
        }
    }

    /// A transfer to a configured department goes to the store; any other is refused first.
    async fn transfer(&self, id: u64, operator: String, request: TransferRequest) -> Reply {
        if let Err(unknown) = self.departments.check(&request.department) {
            return error_reply(StatusCode::UNPROCESSABLE_ENTITY, &unknown.to_string());
        }
        let action = ChatAction::Transfer {
            operator,
            department: request.department,
        };
        self.act(id, action).await
    }

    async fn act(&self, id: u64, action: ChatAction) -> Reply {
        #[derive(Serialize)]
        struct ChatReply<'a> {
            chat: ChatJson<'a>,
        }
        let what = match &action {
            ChatAction::Accept { .. } => "accepted",
            ChatAction::Close { .. } => "closed",
            ChatAction::Transfer { .. } => "transferred",
        };
        let operator = match &action {
            ChatAction::Accept { operator }
            | ChatAction::Close { operator }
            | ChatAction::Transfer { operator, .. } => operator.clone(),
        };
        match self.store.act_on_chat(id, action).await {
            Ok(chat) => {
                tracing::info!(chat = id, operator = %operator, "operator {what} the chat");
                json(
                    StatusCode::OK,
                    &ChatReply {
                        chat: ChatJson::new(&chat),
                    },
                )
            }
            Err(ChatActionError::NotFound) => no_chat(id),
            Err(ChatActionError::Refused(refusal)) => {
                error_reply(StatusCode::CONFLICT, &refusal.to_string())
            }
            Err(ChatActionError::Store(error)) => store_unavailable(&error),
        }
    }
}

/// `GET /api/v1/chats/{id}`: the chat, its pair's service window now, its messages.
#[derive(Serialize)]
struct ChatDetail<'a> {
    chat: ChatJson<'a>,
    window: WindowJson,
    messages: Vec<MessageJson<'a>>,
}

impl<'a> ChatDetail<'a> {
    fn new(view: &'a ChatView, now: UnixMs) -> Self {
        Self {
            chat: ChatJson::new(&view.chat),
            window: WindowJson::new(&view.window, now),
            messages: view
                .messages
                .iter()
                .map(|message| MessageJson::new(message.seq, &message.record))
                .collect(),
        }
    }
}

fn no_chat(id: u64) -> Reply {
    error_reply(StatusCode::NOT_FOUND, &format!("no chat {id}"))
}

fn store_unavailable(error: &StoreError) -> Reply {
    tracing::warn!(%error, "the operator API could not reach the store");
    error_reply(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("the store cannot answer now ({error}); try again shortly"),
    )
}
