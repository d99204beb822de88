//! Everything an estimate needs besides the message: the rate card, the monthly free tier of
//! service messages, and the offset of Meta's billing months.

use super::rate_card::RateCard;

/// What Meta charges (`[pricing]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PricingRules {
    /// The dated rates.
    pub rates: RateCard,
    /// Service messages free each month, per business number.
    pub service_free_tier_per_month: u64,
    /// Minutes east of UTC that Meta's billing months are in.
    pub billing_utc_offset_minutes: i16,
}
