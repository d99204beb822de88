//! The business numbers: what Meta says of each, whether the sender sends from it or holds it
//! (with the reason and the remedy), and its queue; resuming a held number; the business
//! accounts with their numbers, like the brief's "manage WABA" page.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::LocalApi;
use super::error::ApiError;
use super::gate::Operator;
use crate::numbers::{Board, LastRead, NumberProblem, NumberState};
use crate::outbound::{Hold, title};
use crate::store::{MessageFilter, OutboundMessage};
use crate::time::UnixMs;

/// What stops a number without a hold of Meta's: no access token at all.
const NO_TOKEN_REASON: &str = "no Meta access token is configured: nothing is sent";
const NO_TOKEN_REMEDY: &str =
    "set meta.access_token_file (or WAYGATE_ACCESS_TOKEN) to a system user's token, then restart";

/// One number as JSON.
#[derive(Serialize)]
struct NumberJson<'a> {
    phone_number_id: &'a str,
    waba_id: Option<&'a str>,
    display_phone_number: Option<&'a str>,
    /// Whether `[[numbers]]` lists it (otherwise it was seen in a webhook or the outbox).
    configured: bool,
    /// `sending` or `held`.
    state: &'static str,
    hold: Option<HoldJson<'a>>,
    /// `known` (Meta's word as last read) or `unknown` (never read, or the last read failed:
    /// the values below are the last known ones).
    profile_state: &'static str,
    last_read: &'static str,
    last_read_at: Option<UnixMs>,
    last_read_error: Option<&'a str>,
    verified_name: Option<&'a str>,
    name_status: Option<&'a str>,
    code_verification_status: Option<&'a str>,
    quality_rating: Option<&'a str>,
    throughput_level: Option<&'a str>,
    platform_type: Option<&'a str>,
    /// The brief's phone-number errors the number shows, each with its reason and remedy.
    problems: Vec<ProblemJson>,
    /// Messages waiting in the outbox for this number.
    queue_depth: usize,
    /// How long the oldest of them has waited, in milliseconds.
    oldest_queued_age_ms: Option<u64>,
}

#[derive(Serialize)]
struct HoldJson<'a> {
    /// Meta's error code that held it; null when no token is configured.
    code: Option<i64>,
    reason: &'a str,
    remedy: &'a str,
    since: Option<UnixMs>,
}

#[derive(Serialize)]
struct ProblemJson {
    problem: &'static str,
    reason: &'static str,
    remedy: &'static str,
}

impl ProblemJson {
    fn new(problem: NumberProblem) -> Self {
        Self {
            problem: problem.as_str(),
            reason: problem.reason(),
            remedy: problem.remedy(),
        }
    }
}

/// The outbox by number: how many wait, and since when the oldest.
fn queues(outbox: &[OutboundMessage]) -> BTreeMap<&str, (usize, UnixMs)> {
    let mut queues: BTreeMap<&str, (usize, UnixMs)> = BTreeMap::new();
    for message in outbox {
        let entry = queues
            .entry(message.number.as_str())
            .or_insert((0, message.created_at));
        entry.0 += 1;
        entry.1 = entry.1.min(message.created_at);
    }
    queues
}

fn hold_json(hold: &Hold) -> HoldJson<'static> {
    HoldJson {
        code: Some(hold.code),
        reason: title(hold.code).unwrap_or("Meta's answer holds the number"),
        remedy: hold.remedy(),
        since: Some(hold.since),
    }
}

/// Every number the board, the holds or the outbox know, as JSON.
fn numbers_json<'a>(
    board: &'a Board,
    holds: &'a BTreeMap<String, Hold>,
    queues: &BTreeMap<&'a str, (usize, UnixMs)>,
    has_token: bool,
    now: UnixMs,
) -> Vec<NumberJson<'a>> {
    let mut ids: Vec<&str> = board
        .numbers()
        .map(|n| n.phone_number_id.as_str())
        .collect();
    ids.extend(holds.keys().map(String::as_str));
    ids.extend(queues.keys().copied());
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let state = board.number(id);
            let hold = if has_token {
                holds.get(id).map(hold_json)
            } else {
                Some(HoldJson {
                    code: None,
                    reason: NO_TOKEN_REASON,
                    remedy: NO_TOKEN_REMEDY,
                    since: None,
                })
            };
            let (depth, oldest) = queues.get(id).copied().unwrap_or((0, now));
            number_json(
                id,
                state,
                hold,
                depth,
                (depth > 0).then(|| now.saturating_sub(oldest)),
            )
        })
        .collect()
}

fn number_json<'a>(
    id: &'a str,
    state: Option<&'a NumberState>,
    hold: Option<HoldJson<'a>>,
    queue_depth: usize,
    oldest_queued_age_ms: Option<u64>,
) -> NumberJson<'a> {
    let profile = state.map(|state| &state.profile);
    let text = |get: fn(&crate::numbers::NumberProfile) -> &Option<String>| {
        profile.and_then(|profile| get(profile).as_deref())
    };
    let (last_read_at, last_read_error) = match state.map(|state| &state.last_read) {
        Some(LastRead::Succeeded { at }) => (Some(*at), None),
        Some(LastRead::Failed { at, error }) => (Some(*at), Some(error.as_str())),
        Some(LastRead::Never) | None => (None, None),
    };
    let mut problems: Vec<ProblemJson> = state
        .map(|state| state.problems().into_iter().map(ProblemJson::new).collect())
        .unwrap_or_default();
    if let Some(problem) = hold
        .as_ref()
        .and_then(|hold| hold.code)
        .and_then(NumberProblem::for_send_error)
        && !problems
            .iter()
            .any(|known| known.problem == problem.as_str())
    {
        problems.push(ProblemJson::new(problem));
    }
    NumberJson {
        phone_number_id: id,
        waba_id: state.and_then(|state| state.waba_id.as_deref()),
        display_phone_number: text(|p| &p.display_phone_number)
            .or_else(|| state.and_then(|state| state.display_phone_number.as_deref())),
        configured: state.is_some_and(|state| state.configured),
        state: if hold.is_some() { "held" } else { "sending" },
        hold,
        profile_state: state.map_or("unknown", |state| state.profile_state().as_str()),
        last_read: state.map_or("never", |state| state.last_read.as_str()),
        last_read_at,
        last_read_error,
        verified_name: text(|p| &p.verified_name),
        name_status: text(|p| &p.name_status),
        code_verification_status: text(|p| &p.code_verification_status),
        quality_rating: text(|p| &p.quality_rating),
        throughput_level: text(|p| &p.throughput_level),
        platform_type: text(|p| &p.platform_type),
        problems,
        queue_depth,
        oldest_queued_age_ms,
    }
}

/// `GET /api/v1/numbers`.
pub(super) async fn list(State(api): State<Arc<LocalApi>>) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct NumberList<'a> {
        numbers: Vec<NumberJson<'a>>,
    }
    let outbox = api
        .store
        .messages(MessageFilter::OutboxAfter(0))
        .await
        .map_err(ApiError::StoreUnavailable)?;
    let board = api.sender.board();
    let holds = api.sender.holds();
    let queues = queues(&outbox);
    let numbers = numbers_json(
        &board,
        &holds,
        &queues,
        api.sender.has_token(),
        api.clock.now_ms(),
    );
    Ok(Json(NumberList { numbers }).into_response())
}

/// `POST /api/v1/numbers/{phone_number_id}/resume`: lifts a hold (200 with the hold lifted;
/// 409 when the number is not held).
pub(super) async fn resume(
    State(api): State<Arc<LocalApi>>,
    Operator(operator): Operator,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct Resumed<'a> {
        phone_number_id: &'a str,
        state: &'static str,
        lifted: HoldJson<'static>,
    }
    let Some(hold) = api.sender.resume(&number) else {
        return Err(ApiError::SendRefused {
            status: StatusCode::CONFLICT,
            reasons: vec![format!(
                "number {number} is not held; GET /api/v1/numbers shows the held ones"
            )],
        });
    };
    tracing::info!(number = %number, operator = %operator, code = hold.code, "operator resumed a held number");
    Ok(Json(Resumed {
        phone_number_id: &number,
        state: "sending",
        lifted: hold_json(&hold),
    })
    .into_response())
}

/// `GET /api/v1/wabas`: the business accounts, with their numbers and notes.
pub(super) async fn wabas(State(api): State<Arc<LocalApi>>) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct WabaJson {
        waba_id: Option<String>,
        name: Option<String>,
        phone_number_ids: Vec<String>,
        notes: Vec<NoteJson>,
    }
    #[derive(Serialize)]
    struct NoteJson {
        event: String,
        detail: Option<String>,
        phone_number: Option<String>,
        at: UnixMs,
        remedy: Option<&'static str>,
    }
    #[derive(Serialize)]
    struct WabaList {
        wabas: Vec<WabaJson>,
    }
    let wabas = api
        .sender
        .board()
        .wabas()
        .into_iter()
        .map(|waba| WabaJson {
            notes: waba
                .notes
                .iter()
                .map(|note| NoteJson {
                    event: note.event.clone(),
                    detail: note.detail.clone(),
                    phone_number: note.phone_number.clone(),
                    at: note.at,
                    remedy: note.remedy(),
                })
                .collect(),
            waba_id: waba.waba_id,
            name: waba.name,
            phone_number_ids: waba.phone_number_ids,
        })
        .collect();
    Ok(Json(WabaList { wabas }).into_response())
}
