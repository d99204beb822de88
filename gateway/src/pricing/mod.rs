//! Pricing: what an outgoing message will cost, and the credits that pay for it.
//!
//! This module is pure: no I/O, no clocks, no logging. Functions that depend on time take the
//! instant (`at`, a [`UnixMs`]) of the send or the entry. Money is integer micro-USD
//! (`u64`; a balance that may be overdrawn is `i64`); no float touches it.
//!
//! - [`market`] and [`calling_codes`]: the country a message is priced in, from the recipient's
//!   phone number (its country calling code, and for +1 its area code) or BSUID.
//! - [`category`]: the categories the rate card prices, and the open set status webhooks settle.
//! - [`date`] and [`rate_card`]: the rates in force, each from a date.
//! - [`billing_month`]: the month an instant is billed in, at the account's UTC offset (the free
//!   tier of service messages resets with it).
//! - [`estimate`]: Meta's dated rules: which messages are free, and the price of the others.
//! - [`ledger`]: the append-only credit ledger: purchases, fees, charges, and the reservations
//!   of queued paid messages.
//! - [`usd`]: micro-USD shown to people.

/// Serializes a type as its `Display` text and reads it back through its `FromStr` (a market, a
/// category, a date: readable in JSON and configuration, and short in postcard).
macro_rules! serde_as_text {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod billing_month;
pub mod calling_codes;
pub mod category;
pub mod date;
pub mod estimate;
pub mod ledger;
pub mod market;
pub mod rate_card;
pub mod rules;
pub mod usd;

pub use crate::time::UnixMs;
pub use billing_month::{
    BillingMonth, DEFAULT_BILLING_UTC_OFFSET_MINUTES, UtcOffsetError, format_utc_offset,
    parse_utc_offset,
};
pub use calling_codes::{CallingCodes, CallingCodesError, calling_codes};
pub use category::{PricingCategory, SettledCategory, UnknownPricingCategory};
pub use date::{BadDate, Date};
pub use estimate::{
    DEFAULT_SERVICE_FREE_TIER_PER_MONTH, Estimate, EstimateRefusal, EstimateRequest,
    SERVICE_CHARGED_FROM, UTILITY_IN_WINDOW_CHARGED_FROM, Windows, estimate, pricing_wire_name,
};
pub use ledger::{
    CreditSettings, Entry, EntryKind, Insufficient, Ledger, LedgerError, ReplayError, ReserveError,
};
pub use market::{Market, NotAMarket, market_of};
pub use rate_card::{RateCard, RateCardError, RateRow};
pub use rules::PricingRules;
pub use usd::{MICRO_USD_PER_USD, Usd};
