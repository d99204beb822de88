//! Amounts of money for people: integer micro-USD shown as dollars.

use std::fmt;

/// Micro-USD in one US dollar.
pub const MICRO_USD_PER_USD: u64 = 1_000_000;

/// An amount in micro-USD (possibly negative: an overdrawn balance), shown as `12.345678 USD`,
/// every digit kept, so that what a person reads is exactly what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usd(pub i128);

impl From<u64> for Usd {
    fn from(micro_usd: u64) -> Self {
        Self(micro_usd.into())
    }
}

impl From<i64> for Usd {
    fn from(micro_usd: i64) -> Self {
        Self(micro_usd.into())
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let per_usd = u128::from(MICRO_USD_PER_USD);
        write!(
            f,
            "{sign}{}.{:06} USD",
            magnitude / per_usd,
            magnitude % per_usd
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_every_micro_dollar() {
        assert_eq!(Usd::from(0_u64).to_string(), "0.000000 USD");
        assert_eq!(Usd::from(600_000_u64).to_string(), "0.600000 USD");
        assert_eq!(Usd::from(20_000_001_u64).to_string(), "20.000001 USD");
        assert_eq!(Usd::from(-12_300_i64).to_string(), "-0.012300 USD");
        assert_eq!(Usd::from(i64::MIN).to_string(), "-9223372036854.775808 USD");
        assert_eq!(Usd::from(u64::MAX).to_string(), "18446744073709.551615 USD");
    }
}
