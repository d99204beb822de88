//! What a message will cost: Meta's dated pricing rules, applied at the send's own instant.
//!
//! Meta's rules change on announced dates, so each change is a named constant and a message is
//! judged by its own send date, never by "today" (a message queued on 30 September is priced by
//! September's rules). The rules, outside a free entry point window:
//!
//! | message | before 2026-10-01 | from 2026-10-01 |
//! | --- | --- | --- |
//! | free-form (service) | free | free while the number's month-to-date delivered service messages are below the free tier (1,000), then the market's `service` rate |
//! | utility template inside the customer-service window | free | the `utility` rate |
//! | utility template outside it | the `utility` rate | the `utility` rate |
//! | marketing, authentication template | charged | charged |
//!
//! Inside a free entry point window (72 h after answering a click-to-WhatsApp ad or a Page
//! button, or the answer that opens it) every message is free, templates included.
//! [Meta's pricing pages, "Service rates, effective October 1, 2026"; reference §6.]
//!
//! # What an estimate is not
//!
//! It is the gateway's expectation; the status webhook's `pricing` settles the real cost (the
//! [`ledger`](super::ledger) charges that). Three known gaps:
//! - **Volume tiers.** Meta discounts utility and authentication rates by monthly volume per
//!   business portfolio; the rate card's rate is the undiscounted one, so estimates err high.
//! - **`authentication_international`.** Meta charges it for authentication templates in some
//!   markets when the business is eligible (`AUTH_INTL_PRICE_ELIGIBILITY_UPDATE` account
//!   webhooks), which the references do not let the gateway decide: rows may carry the category,
//!   but estimates use the `authentication` rate.
//! - **Messages in flight.** The free tier counts *delivered* service messages; the caller
//!   passes the count it knows (delivered, or delivered plus queued to be cautious). A message
//!   estimated free that lands after the tier ran out is settled at its real price.
//!
//! Whether a message may be sent at all (a free-form message needs the customer-service window;
//! the US marketing pause) is the [`policy`](crate::policy)'s question, asked first; this module
//! prices whatever it is given.

use crate::policy::TemplateCategory;
use crate::policy::window::{ExpectedPricing, OutgoingKind, WindowVerdict};
use crate::time::{UnixMs, Utc};

use super::category::PricingCategory;
use super::market::Market;
use super::rate_card::RateCard;

/// From this instant, 2026-10-01T00:00:00Z, free-form (service) messages beyond the monthly
/// free tier are charged at the market's `service` rate.
pub const SERVICE_CHARGED_FROM: UnixMs = 1_790_812_800_000;

/// From this instant, 2026-10-01T00:00:00Z, utility templates inside the customer-service
/// window are charged at the `utility` rate (they were free from 2025-07-01 until then).
pub const UTILITY_IN_WINDOW_CHARGED_FROM: UnixMs = 1_790_812_800_000;

/// Meta's free tier: 1,000 delivered service messages per business number per month.
pub const DEFAULT_SERVICE_FREE_TIER_PER_MONTH: u64 = 1_000;

/// The windows open between the business number and the customer at the send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Windows {
    /// A free entry point window is open, or this message answers an entry point in time and
    /// opens one.
    pub free_entry_point: bool,
    /// The customer-service window (24 h from the customer's last message) is open.
    pub customer_service: bool,
}

impl Windows {
    /// The windows a [`WindowVerdict`] found.
    pub fn of(verdict: &WindowVerdict) -> Self {
        Self {
            free_entry_point: verdict.fep_open_until.is_some() || verdict.fep_answer_by.is_some(),
            customer_service: verdict.csw_open_until.is_some(),
        }
    }
}

/// One message to price.
#[derive(Debug, Clone, Copy)]
pub struct EstimateRequest<'a> {
    /// The windows open at the send.
    pub windows: Windows,
    /// A free-form message (priced as `service`) or a template of a category.
    pub kind: OutgoingKind,
    /// The send's instant: it decides which rules and rates apply.
    pub at: UnixMs,
    /// The recipient's market, if known ([`market_of`](super::market::market_of)).
    pub market: Option<Market>,
    /// The business number's service messages delivered so far in the billing month of `at`
    /// ([`BillingMonth`](super::billing_month::BillingMonth)).
    pub service_delivered_this_month: u64,
    /// How many service messages a month are free (`pricing.service_free_tier_per_month`,
    /// [`DEFAULT_SERVICE_FREE_TIER_PER_MONTH`] unless set).
    pub service_free_tier_per_month: u64,
    /// The rates.
    pub rates: &'a RateCard,
}

/// The expected cost of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// The cost in micro-USD; 0 when free.
    pub micro_usd: u64,
    /// The `pricing.type` the status webhook is expected to report ([`pricing_wire_name`]).
    pub pricing: ExpectedPricing,
    /// The category the message is priced in.
    pub category: PricingCategory,
    /// The recipient's market, if known (a free message needs none).
    pub market: Option<Market>,
}

impl Estimate {
    /// Whether the message is expected to be free.
    pub fn is_free(&self) -> bool {
        self.pricing != ExpectedPricing::Regular
    }
}

/// Why a paid message cannot be priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EstimateRefusal {
    /// The rate card has no rate for the market and category in force at the send.
    #[error(
        "this {category} message to {market} is charged, and no {category} rate for {market} is \
         in force at {}: add a [[pricing.rates]] row with market = \"{market}\", \
         category = \"{category}\", its micro_usd, and a from date on or before that day",
        Utc(*.at)
    )]
    NoRate {
        /// The recipient's market.
        market: Market,
        /// The message's category.
        category: PricingCategory,
        /// The send's instant.
        at: UnixMs,
    },
    /// The message is charged and the recipient's market cannot be told.
    #[error(
        "this {category} message is charged by the recipient's country, which waygate cannot \
         tell: the recipient has neither a phone number with a known country calling code (for \
         +1, a listed area code) nor a BSUID with a country prefix"
    )]
    UnknownMarket {
        /// The message's category.
        category: PricingCategory,
    },
}

/// Meta's spelling of a `pricing.type`: `free_customer_service`, `free_entry_point`, `regular`.
pub fn pricing_wire_name(pricing: ExpectedPricing) -> &'static str {
    match pricing {
        ExpectedPricing::FreeCustomerService => "free_customer_service",
        ExpectedPricing::FreeEntryPoint => "free_entry_point",
        ExpectedPricing::Regular => "regular",
    }
}

/// The expected cost of the message `request` describes, by the rules in force at its `at`.
pub fn estimate(request: &EstimateRequest<'_>) -> Result<Estimate, EstimateRefusal> {
    let category = match request.kind {
        OutgoingKind::FreeForm => PricingCategory::Service,
        OutgoingKind::Template { category } => category.into(),
    };
    let free = |pricing| {
        Ok(Estimate {
            micro_usd: 0,
            pricing,
            category,
            market: request.market,
        })
    };
    if request.windows.free_entry_point {
        return free(ExpectedPricing::FreeEntryPoint);
    }
    let charged = match request.kind {
        OutgoingKind::FreeForm => {
            request.at >= SERVICE_CHARGED_FROM
                && request.service_delivered_this_month >= request.service_free_tier_per_month
        }
        OutgoingKind::Template {
            category: TemplateCategory::Utility,
        } => !request.windows.customer_service || request.at >= UTILITY_IN_WINDOW_CHARGED_FROM,
        OutgoingKind::Template {
            category: TemplateCategory::Marketing | TemplateCategory::Authentication,
        } => true,
    };
    if !charged {
        return free(ExpectedPricing::FreeCustomerService);
    }
    let market = request
        .market
        .ok_or(EstimateRefusal::UnknownMarket { category })?;
    let micro_usd =
        request
            .rates
            .rate(market, category, request.at)
            .ok_or(EstimateRefusal::NoRate {
                market,
                category,
                at: request.at,
            })?;
    Ok(Estimate {
        micro_usd,
        pricing: ExpectedPricing::Regular,
        category,
        market: Some(market),
    })
}

#[cfg(test)]
#[path = "estimate_tests.rs"]
mod tests;
