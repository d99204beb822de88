//! The credit ledger: its balance and entries, and purchases made upstream. Money is integer
//! micro-USD.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::LocalApi;
use super::error::ApiError;
use super::extract::{ApiJson, RequestBody};
use super::gate::Operator;
use crate::pricing::{Entry, EntryKind, Ledger};
use crate::store::PurchaseRefusal;

/// The longest purchase reference taken, in bytes.
const MAX_REFERENCE_BYTES: usize = 200;

/// The body of `POST /api/v1/credits/purchases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PurchaseRequest {
    credits: u64,
    reference: String,
}

impl RequestBody for PurchaseRequest {
    const EXAMPLE: &'static str = r#"{"credits": 10, "reference": "invoice 2026-118"}"#;
}

/// The ledger as JSON.
#[derive(Serialize)]
struct CreditsJson<'a> {
    /// Purchases less charges.
    balance_micro_usd: i64,
    /// What queued paid messages hold of it.
    reserved_micro_usd: u64,
    /// The balance less the reservations: what a new paid message may use.
    available_micro_usd: i64,
    purchased_micro_usd: u64,
    fees_micro_usd: u64,
    charged_micro_usd: u64,
    ledger: Vec<EntryJson<'a>>,
}

/// One ledger entry as JSON.
#[derive(Serialize)]
struct EntryJson<'a> {
    seq: u64,
    at: u64,
    /// `purchase`, `fee` or `charge`.
    kind: &'static str,
    micro_usd: u64,
    credits: Option<u64>,
    reference: Option<&'a str>,
    message: Option<u64>,
    category: Option<&'a str>,
    pricing: Option<&'a str>,
}

impl<'a> EntryJson<'a> {
    fn new(entry: &'a Entry) -> Self {
        let base = Self {
            seq: entry.seq,
            at: entry.at,
            kind: "",
            micro_usd: 0,
            credits: None,
            reference: None,
            message: None,
            category: None,
            pricing: None,
        };
        match &entry.kind {
            EntryKind::Purchase {
                credits,
                reference,
                micro_usd,
            } => Self {
                kind: "purchase",
                micro_usd: *micro_usd,
                credits: Some(*credits),
                reference: Some(reference),
                ..base
            },
            EntryKind::Fee {
                micro_usd,
                reference,
            } => Self {
                kind: "fee",
                micro_usd: *micro_usd,
                reference: Some(reference),
                ..base
            },
            EntryKind::Charge {
                message,
                micro_usd,
                category,
                pricing,
            } => Self {
                kind: "charge",
                micro_usd: *micro_usd,
                message: Some(*message),
                category: Some(category.as_str()),
                pricing: Some(pricing),
                ..base
            },
        }
    }
}

fn credits_json<'a>(ledger: &Ledger, entries: &'a [Entry]) -> CreditsJson<'a> {
    CreditsJson {
        balance_micro_usd: ledger.balance(),
        reserved_micro_usd: ledger.reserved(),
        available_micro_usd: ledger.available(),
        purchased_micro_usd: ledger.purchased(),
        fees_micro_usd: ledger.fees(),
        charged_micro_usd: ledger.charged(),
        ledger: entries.iter().map(EntryJson::new).collect(),
    }
}

/// `GET /api/v1/credits`.
pub(super) async fn credits(State(api): State<Arc<LocalApi>>) -> Result<Response, ApiError> {
    let (ledger, entries) = api
        .store
        .ledger()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    Ok(Json(credits_json(&ledger, &entries)).into_response())
}

/// `POST /api/v1/credits/purchases`: records a purchase made upstream, with its fee (201).
pub(super) async fn purchase(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    ApiJson(request): ApiJson<PurchaseRequest>,
) -> Result<Response, ApiError> {
    let reference = request.reference.trim();
    if reference.is_empty() || reference.len() > MAX_REFERENCE_BYTES {
        return Err(ApiError::BadBody {
            reason: format!(
                "the reference must be 1 to {MAX_REFERENCE_BYTES} bytes (an invoice or payment id)"
            ),
            example: PurchaseRequest::EXAMPLE,
        });
    }
    let entries = api
        .store
        .purchase(request.credits, reference.to_owned())
        .await
        .map_err(|refusal| match refusal {
            PurchaseRefusal::Ledger(error) => ApiError::SendRefused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                reasons: vec![error.to_string()],
            },
            PurchaseRefusal::Store(error) => ApiError::StoreUnavailable(error),
        })?;
    tracing::info!(operator = %operator, credits = request.credits, reference, "credits purchased");
    let (ledger, all) = api
        .store
        .ledger()
        .await
        .map_err(ApiError::StoreUnavailable)?;
    #[derive(Serialize)]
    struct Purchased<'a> {
        entries: Vec<EntryJson<'a>>,
        #[serde(flatten)]
        credits: CreditsJson<'a>,
    }
    let answer = Purchased {
        entries: entries.iter().map(EntryJson::new).collect(),
        credits: credits_json(&ledger, &all),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
