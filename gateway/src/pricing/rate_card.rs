//! The rate card: what one delivered message costs, by market and category, from a date.
//!
//! Each row sets a rate in micro-USD for one (market, category) from 00:00 UTC on its `from`
//! date. A newer row replaces an older one on its date: the rate at an instant is the row with
//! the latest `from` at or before it. Meta changes rates only at the start of a quarter, with
//! notice, so an operator adds the next quarter's rows ahead of time and keeps the old ones
//! (messages still queued from before the change are priced by their own send date).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::category::PricingCategory;
use super::date::Date;
use super::market::Market;
use super::usd::Usd;
use crate::time::UnixMs;

/// One rate: a (market, category) costs `micro_usd` per delivered message from `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRow {
    /// The recipient's country.
    pub market: Market,
    /// The message's category.
    pub category: PricingCategory,
    /// The price of one delivered message, in micro-USD.
    pub micro_usd: u64,
    /// The date the rate comes into force, at 00:00 UTC.
    pub from: Date,
}

/// A rate card that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateCardError {
    /// A row the configuration let through but the pricing core cannot take.
    #[error("{reason}")]
    Invalid {
        /// The row's index.
        row: usize,
        /// What is wrong with it, naming its key.
        reason: String,
    },
    /// Two rows set the same (market, category) from the same date.
    #[error(
        "rates #{first} ({}) and #{second} ({}) both set the {category} rate for {market} \
         from {from}; keep one of them",
        Usd::from(*.first_micro_usd),
        Usd::from(*.second_micro_usd)
    )]
    Duplicate {
        /// The market.
        market: Market,
        /// The category.
        category: PricingCategory,
        /// The date.
        from: Date,
        /// The first row's position in the list, from 1.
        first: usize,
        /// Its rate.
        first_micro_usd: u64,
        /// The second row's position in the list, from 1.
        second: usize,
        /// Its rate.
        second_micro_usd: u64,
    },
}

/// The rates, by (market, category, from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateCard {
    /// The rate and the row's position in the list it was built from (from 1).
    rates: BTreeMap<(Market, PricingCategory, Date), (u64, usize)>,
}

impl RateCard {
    /// The card of `rows` (in the order of the configuration, which errors refer to).
    pub fn new(rows: impl IntoIterator<Item = RateRow>) -> Result<Self, RateCardError> {
        let mut rates = BTreeMap::new();
        for (index, row) in rows.into_iter().enumerate() {
            let position = index.saturating_add(1);
            let key = (row.market, row.category, row.from);
            if let Some(&(first_micro_usd, first)) = rates.get(&key) {
                return Err(RateCardError::Duplicate {
                    market: row.market,
                    category: row.category,
                    from: row.from,
                    first,
                    first_micro_usd,
                    second: position,
                    second_micro_usd: row.micro_usd,
                });
            }
            rates.insert(key, (row.micro_usd, position));
        }
        Ok(Self { rates })
    }

    /// The rate in micro-USD for `category` in `market` at `at`: the row with the latest `from`
    /// at or before it. `None` when no row is in force yet.
    pub fn rate(&self, market: Market, category: PricingCategory, at: UnixMs) -> Option<u64> {
        self.rates
            .range((market, category, Date::MIN)..=(market, category, Date::MAX))
            .rev()
            .find(|((_, _, from), _)| from.starts_at() <= at)
            .map(|(_, &(micro_usd, _))| micro_usd)
    }

    /// Every row, by market, category and date.
    pub fn rows(&self) -> impl Iterator<Item = RateRow> + '_ {
        self.rates
            .iter()
            .map(|(&(market, category, from), &(micro_usd, _))| RateRow {
                market,
                category,
                micro_usd,
                from,
            })
    }

    /// How many rows the card has.
    pub fn len(&self) -> usize {
        self.rates.len()
    }

    /// Whether the card has no row.
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn row(market: &str, category: PricingCategory, micro_usd: u64, from: &str) -> RateRow {
        RateRow {
            market: Market::new(market).unwrap(),
            category,
            micro_usd,
            from: from.parse().unwrap(),
        }
    }

    fn at(date: &str) -> UnixMs {
        date.parse::<Date>().unwrap().starts_at()
    }

    fn de() -> Market {
        Market::new("DE").unwrap()
    }

    #[test]
    fn a_newer_row_replaces_an_older_one_on_its_date() {
        use PricingCategory::{Marketing, Utility};
        let card = RateCard::new([
            row("DE", Marketing, 136_500, "2026-01-01"),
            row("DE", Marketing, 140_000, "2026-07-01"),
            row("DE", Marketing, 150_000, "2027-01-01"),
            row("DE", Utility, 55_000, "2026-04-01"),
            row("FR", Marketing, 120_000, "2025-07-01"),
        ])
        .unwrap();
        assert_eq!(card.len(), 5);
        assert_eq!(card.rate(de(), Marketing, at("2025-12-31")), None);
        assert_eq!(card.rate(de(), Marketing, at("2026-01-01")), Some(136_500));
        assert_eq!(
            card.rate(de(), Marketing, at("2026-07-01") - 1),
            Some(136_500)
        );
        assert_eq!(card.rate(de(), Marketing, at("2026-07-01")), Some(140_000));
        assert_eq!(card.rate(de(), Marketing, at("2026-12-31")), Some(140_000));
        assert_eq!(card.rate(de(), Marketing, u64::MAX), Some(150_000));
        assert_eq!(card.rate(de(), Utility, at("2026-03-31")), None);
        assert_eq!(card.rate(de(), Utility, at("2026-04-01")), Some(55_000));
        // Other markets and categories do not leak into each other.
        assert_eq!(card.rate(de(), PricingCategory::Service, u64::MAX), None);
        assert_eq!(
            card.rate(Market::new("AT").unwrap(), Marketing, u64::MAX),
            None
        );
        assert_eq!(
            card.rate(Market::new("FR").unwrap(), Marketing, at("2026-01-01")),
            Some(120_000)
        );
        assert_eq!(
            card.rate(Market::new("FR").unwrap(), Utility, u64::MAX),
            None
        );
    }

    #[test]
    fn duplicate_rows_are_refused_naming_both() {
        use PricingCategory::Marketing;
        let error = RateCard::new([
            row("DE", Marketing, 136_500, "2026-01-01"),
            row("FR", Marketing, 120_000, "2026-01-01"),
            row("de", Marketing, 137_000, "2026-01-01"),
        ])
        .unwrap_err();
        assert!(matches!(
            error,
            RateCardError::Duplicate {
                first: 1,
                second: 3,
                first_micro_usd: 136_500,
                second_micro_usd: 137_000,
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "rates #1 (0.136500 USD) and #3 (0.137000 USD) both set the marketing rate for DE \
             from 2026-01-01; keep one of them"
        );
        // The same rate on another date, or for another category, is no duplicate.
        assert!(
            RateCard::new([
                row("DE", Marketing, 136_500, "2026-01-01"),
                row("DE", Marketing, 136_500, "2026-04-01"),
                row("DE", PricingCategory::Utility, 136_500, "2026-01-01"),
            ])
            .is_ok()
        );
    }

    #[test]
    fn rows_list_the_card_in_order() {
        use PricingCategory::{Marketing, Service};
        let rows = [
            row("FR", Marketing, 1, "2026-01-01"),
            row("DE", Service, 2, "2026-10-01"),
            row("DE", Marketing, 3, "2026-01-01"),
        ];
        let card = RateCard::new(rows).unwrap();
        let listed: Vec<_> = card.rows().collect();
        assert_eq!(listed, vec![rows[2], rows[1], rows[0]]);
        assert!(RateCard::default().is_empty());
    }
}
