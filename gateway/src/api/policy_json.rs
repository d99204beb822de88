//! The JSON shapes of the messaging rules in the operator API: a pair's service window, a
//! send check's verdict, and a registered template. Instants are Unix milliseconds (UTC).

use serde::Serialize;

use crate::policy::window::OutgoingKind;
use crate::policy::{
    EntryPoint, ExpectedPricing, FepState, SendVerdict, Template, UnixMs, Utc, WindowReason,
    WindowState,
};

/// Where a (number, customer) pair's windows stand at one instant.
#[derive(Debug, Serialize)]
pub(super) struct WindowJson {
    /// A free-form message may be sent now.
    free_form_allowed: bool,
    /// Only a template may be sent now.
    template_required: bool,
    /// When the customer last wrote; `null` if never.
    last_customer_message_at: Option<UnixMs>,
    /// When the customer-service window closes (or closed); `null` if the customer never wrote.
    closes_at: Option<UnixMs>,
    /// The free entry point offer or window, if any.
    free_entry_point: Option<FreeEntryPointJson>,
    /// The same, in a sentence.
    summary: String,
}

/// A free entry point offer (waiting for the business's answer) or its open 72 h window.
#[derive(Debug, Serialize)]
struct FreeEntryPointJson {
    /// `click_to_whatsapp_ad` or `facebook_page_button`.
    entry_point: &'static str,
    /// `offered` (answer by `answer_by` to open the window) or `open` (until `closes_at`).
    state: &'static str,
    /// For an offer: the first instant an answer is too late.
    answer_by: Option<UnixMs>,
    /// For an open window: when it closes.
    closes_at: Option<UnixMs>,
    /// Whether it still counts at this instant (an offer answerable, a window open).
    current: bool,
}

impl WindowJson {
    pub(super) fn new(window: &WindowState, now: UnixMs) -> Self {
        let verdict = window.assess(now, OutgoingKind::FreeForm);
        let summary = match verdict.reason {
            WindowReason::CustomerServiceWindowOpen { until } => format!(
                "the customer-service window is open until {}: free-form messages may be sent",
                Utc(until)
            ),
            WindowReason::CustomerServiceWindowClosed { closed_at, .. } => format!(
                "the customer-service window closed at {}: only an approved template can be sent",
                Utc(closed_at)
            ),
            WindowReason::NoCustomerMessage => {
                "the customer has not written to this number: only an approved template can \
                 be sent"
                    .to_owned()
            }
        };
        let free_entry_point = window.free_entry_point.map(|fep| {
            let (entry_point, state) = match fep {
                FepState::Offered { entry_point, .. } => (entry_point, "offered"),
                FepState::Open { entry_point, .. } => (entry_point, "open"),
            };
            FreeEntryPointJson {
                entry_point: entry_point_name(entry_point),
                state,
                answer_by: fep.answer_deadline(),
                closes_at: fep.closes_at(),
                current: verdict.fep_answer_by.is_some() || verdict.fep_open_until.is_some(),
            }
        });
        Self {
            free_form_allowed: verdict.free_form_allowed,
            template_required: verdict.template_required,
            last_customer_message_at: window.last_customer_message_at,
            closes_at: window.csw_closes_at(),
            free_entry_point,
            summary,
        }
    }
}

fn entry_point_name(entry_point: EntryPoint) -> &'static str {
    match entry_point {
        EntryPoint::FacebookPageButton => "facebook_page_button",
        EntryPoint::ClickToWhatsAppAd => "click_to_whatsapp_ad",
    }
}

/// The answer of `POST /api/v1/chats/{id}/send-check`.
#[derive(Debug, Serialize)]
pub(super) struct SendCheckJson {
    /// The message may be sent now.
    allowed: bool,
    /// Every rule that refuses it, in words (empty when allowed).
    refusals: Vec<String>,
    /// The `pricing.type` Meta is expected to report: `free_customer_service`,
    /// `free_entry_point` or `regular`; `null` when refused.
    pricing: Option<&'static str>,
    /// Whether it is expected to be free.
    free_of_charge: bool,
    /// For a template: its category now (`MARKETING`, `UTILITY`, `AUTHENTICATION`).
    category: Option<&'static str>,
    /// What it is expected to cost, in micro-USD (0 when free); `null` when the rules refuse it
    /// or it cannot be priced. Set also when the credits do not cover it.
    estimate_micro_usd: Option<u64>,
    /// The pair's windows.
    window: WindowJson,
}

impl SendCheckJson {
    /// `result` is the rules' verdict, or every refusal in words; `estimate` the price.
    pub(super) fn new(
        result: &Result<SendVerdict, Vec<String>>,
        estimate: Option<u64>,
        window: &WindowState,
        now: UnixMs,
    ) -> Self {
        let window = WindowJson::new(window, now);
        match result {
            Ok(verdict) => Self {
                allowed: true,
                refusals: Vec::new(),
                pricing: verdict.window.pricing.map(pricing_name),
                free_of_charge: verdict.window.free_of_charge,
                category: verdict.category.map(|category| category.as_str()),
                estimate_micro_usd: estimate,
                window,
            },
            Err(refusals) => Self {
                allowed: false,
                refusals: refusals.clone(),
                pricing: None,
                free_of_charge: false,
                category: None,
                estimate_micro_usd: estimate,
                window,
            },
        }
    }
}

fn pricing_name(pricing: ExpectedPricing) -> &'static str {
    match pricing {
        ExpectedPricing::FreeCustomerService => "free_customer_service",
        ExpectedPricing::FreeEntryPoint => "free_entry_point",
        ExpectedPricing::Regular => "regular",
    }
}

/// One registered template, as `GET /api/v1/templates` lists it.
#[derive(Debug, Serialize)]
pub(super) struct TemplateJson<'a> {
    name: &'a str,
    language: &'a str,
    /// Meta's template id, once a webhook taught it.
    meta_id: Option<&'a str>,
    /// The category now.
    category: &'static str,
    /// An announced category change not yet in effect.
    pending_category: Option<PendingCategoryJson>,
    /// How many parameters a send must supply.
    parameters: u32,
    /// `APPROVED`, `PAUSED`, `REJECTED`, ...
    status: &'a str,
    /// When a webhook set the status; `null` while the configured status stands.
    status_since: Option<UnixMs>,
    /// The short reason Meta gave.
    status_reason: Option<&'a str>,
    /// Meta's longer explanation.
    status_detail: Option<&'a str>,
    /// Whether it can be sent (only `APPROVED` templates can).
    sendable: bool,
}

#[derive(Debug, Serialize)]
struct PendingCategoryJson {
    category: &'static str,
    effective_at: UnixMs,
}

impl<'a> TemplateJson<'a> {
    pub(super) fn new(template: &'a Template, now: UnixMs) -> Self {
        Self {
            name: template.name(),
            language: template.language(),
            meta_id: template.meta_id(),
            category: template.category_at(now).as_str(),
            pending_category: template
                .pending_category()
                .filter(|pending| now < pending.effective_at)
                .map(|pending| PendingCategoryJson {
                    category: pending.category.as_str(),
                    effective_at: pending.effective_at,
                }),
            parameters: template.parameter_count(),
            status: template.status().as_str(),
            status_since: template.status_since(),
            status_reason: template.status_reason(),
            status_detail: template.status_detail(),
            sendable: template.is_sendable(),
        }
    }
}
