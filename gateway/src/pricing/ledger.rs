//! The credit ledger: append-only, in integer micro-USD.
//!
//! The operator buys credits; each delivered paid message is charged what Meta settled for it.
//! Every change is an [`Entry`] with a sequence number and an instant; the store persists them
//! in order and rebuilds the ledger at start with [`Ledger::from_entries`].
//!
//! - **Purchase**: `credits × usd_per_credit` USD join the balance.
//! - **Fee**: recorded with each purchase, `credits × usd_per_credit × purchase_fee_percent / 100`
//!   USD. The buyer pays it on top of the purchase; it is **not** deducted from the balance
//!   (with the defaults, 10 credits add 20 USD and record a 0.60 USD fee).
//! - **Charge**: a delivered message's settled cost, as the status webhook reported it (its raw
//!   `pricing.category` and `pricing.type` kept). Once per message: the store, which knows
//!   whether a message was charged, must not charge a duplicate webhook again; the ledger does
//!   not remember every message it ever charged.
//!
//! `balance = purchases − charges`. A charge is a fact (Meta billed it), so it is recorded even
//! when it exceeds the balance: the balance is an `i64` and goes negative ("overdrawn") rather
//! than being clamped, which would hide the debt; every later paid message is then refused until
//! credits are bought.
//!
//! **Reservations** are not entries: a queued paid message reserves its estimate
//! ([`Ledger::reserve`]) so that two queued messages cannot spend the same credits; the
//! reservation ends when the message is charged (whatever the real cost) or fails
//! ([`Ledger::release`]). `available = balance − reserved`. They live as long as the outbox
//! holds the message, so after a restart the shell reserves again for each paid message still
//! queued.
//!
//! Totals are kept at most `i64::MAX` micro-USD (9.2 million million USD): an entry that would
//! pass that is refused, so `balance` and `available` are exact. No input panics.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::category::SettledCategory;
use super::usd::{MICRO_USD_PER_USD, Usd};
use crate::time::UnixMs;

/// The largest total the ledger keeps, in micro-USD.
const MAX_TOTAL: u64 = i64::MAX.unsigned_abs();

/// Micro-USD per percent of a US dollar (a fee percentage times this is micro-USD per USD).
const MICRO_USD_PER_PERCENT: u64 = MICRO_USD_PER_USD / 100;

/// What a credit costs, and the fee on a purchase. The configuration maps into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditSettings {
    /// US dollars one credit buys (default 2).
    pub usd_per_credit: u32,
    /// The fee on a purchase, in percent of its value (default 3).
    pub purchase_fee_percent: u32,
}

impl Default for CreditSettings {
    fn default() -> Self {
        Self {
            usd_per_credit: 2,
            purchase_fee_percent: 3,
        }
    }
}

impl CreditSettings {
    /// What `credits` add to the balance, in micro-USD; `None` on overflow.
    pub fn purchase_micro_usd(&self, credits: u64) -> Option<u64> {
        credits
            .checked_mul(self.usd_per_credit.into())?
            .checked_mul(MICRO_USD_PER_USD)
    }

    /// The fee on a purchase of `credits`, in micro-USD (exact: a whole percent of whole
    /// dollars is a whole number of micro-dollars); `None` on overflow.
    pub fn fee_micro_usd(&self, credits: u64) -> Option<u64> {
        credits
            .checked_mul(self.usd_per_credit.into())?
            .checked_mul(self.purchase_fee_percent.into())?
            .checked_mul(MICRO_USD_PER_PERCENT)
    }
}

/// One ledger entry, as the store persists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its place in the ledger: 0 for the first entry, then one more each time.
    pub seq: u64,
    /// When it was recorded.
    pub at: UnixMs,
    /// What happened.
    pub kind: EntryKind,
}

/// What an entry records. Persisted with postcard, which writes the variant's index: add new
/// variants at the end, never reorder or remove one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// Credits bought: `micro_usd` joins the balance.
    Purchase {
        /// How many credits.
        credits: u64,
        /// The operator's reference (an invoice or payment id).
        reference: String,
        /// What they are worth: `credits × usd_per_credit` USD, in micro-USD.
        micro_usd: u64,
    },
    /// The fee on the purchase just before it, paid on top and not deducted.
    Fee {
        /// The fee, in micro-USD.
        micro_usd: u64,
        /// The purchase's reference.
        reference: String,
    },
    /// A delivered message's settled cost, deducted from the balance.
    Charge {
        /// The message (the outbox's id).
        message: u64,
        /// The cost, in micro-USD.
        micro_usd: u64,
        /// `pricing.category` as the status webhook wrote it.
        category: SettledCategory,
        /// `pricing.type` as the status webhook wrote it (`regular`, ...).
        pricing: String,
    },
}

/// A paid message the credits available cannot cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not enough credits: this message is expected to cost {}, and {} is available \
     (a balance of {}, less what queued messages have reserved); buy credits, then send again",
    Usd::from(*.estimate),
    Usd::from(*.available),
    Usd::from(*.balance)
)]
pub struct Insufficient {
    /// The message's estimate, in micro-USD.
    pub estimate: u64,
    /// The balance less the reservations, in micro-USD (negative when overdrawn).
    pub available: i64,
    /// The balance, in micro-USD (negative when overdrawn).
    pub balance: i64,
}

/// Why a reservation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReserveError {
    /// The credits available do not cover it.
    #[error(transparent)]
    Insufficient(#[from] Insufficient),
    /// The message already holds a reservation.
    #[error("message {message} already holds a reservation of {}", Usd::from(*.micro_usd))]
    AlreadyReserved {
        /// The message.
        message: u64,
        /// What it holds, in micro-USD.
        micro_usd: u64,
    },
}

/// Why a purchase or charge cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// A purchase of no credits.
    #[error("a purchase must be of at least one credit")]
    NoCredits,
    /// The amount, or the ledger's total with it, is beyond what the ledger keeps.
    #[error(
        "the amount is too large: the ledger's totals are kept up to {}",
        Usd::from(MAX_TOTAL)
    )]
    TooLarge,
}

/// Why persisted entries do not rebuild a ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// An entry is missing, repeated or out of order.
    #[error(
        "credit ledger: expected entry #{expected} next, found #{found}; entries are missing or \
         out of order, so the balance cannot be trusted"
    )]
    OutOfSequence {
        /// The sequence number expected.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// An entry takes a total beyond what the ledger keeps.
    #[error(
        "credit ledger: entry #{seq} takes a total beyond {}",
        Usd::from(MAX_TOTAL)
    )]
    TooLarge {
        /// The entry's sequence number.
        seq: u64,
    },
}

/// The ledger's state: totals, the next sequence number, and the open reservations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    next_seq: u64,
    purchased: u64,
    fees: u64,
    charged: u64,
    /// Open reservations, by message.
    reservations: BTreeMap<u64, u64>,
    /// Their sum.
    reserved: u64,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ledger the persisted `entries` describe, in order from sequence 0. It holds no
    /// reservations (see the module doc).
    pub fn from_entries<I>(entries: I) -> Result<Self, ReplayError>
    where
        I: IntoIterator,
        I::Item: Borrow<Entry>,
    {
        let mut ledger = Self::new();
        for entry in entries {
            ledger.apply(entry.borrow())?;
        }
        Ok(ledger)
    }

    /// Applies one entry: the next in sequence. A charge ends its message's reservation.
    /// Nothing changes on an error.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), ReplayError> {
        if entry.seq != self.next_seq {
            return Err(ReplayError::OutOfSequence {
                expected: self.next_seq,
                found: entry.seq,
            });
        }
        let too_large = ReplayError::TooLarge { seq: entry.seq };
        let next_seq = self.next_seq.checked_add(1).ok_or(too_large.clone())?;
        match &entry.kind {
            EntryKind::Purchase { micro_usd, .. } => {
                self.purchased = add_within_total(self.purchased, *micro_usd).ok_or(too_large)?;
            }
            EntryKind::Fee { micro_usd, .. } => {
                self.fees = add_within_total(self.fees, *micro_usd).ok_or(too_large)?;
            }
            EntryKind::Charge {
                message, micro_usd, ..
            } => {
                self.charged = add_within_total(self.charged, *micro_usd).ok_or(too_large)?;
                self.release(*message);
            }
        }
        self.next_seq = next_seq;
        Ok(())
    }

    /// Records a purchase of `credits` at `at`: a purchase entry and its fee entry, returned for
    /// the store to persist (in the same transaction). Nothing changes on an error.
    pub fn purchase(
        &mut self,
        at: UnixMs,
        credits: u64,
        reference: &str,
        settings: CreditSettings,
    ) -> Result<[Entry; 2], LedgerError> {
        if credits == 0 {
            return Err(LedgerError::NoCredits);
        }
        let micro_usd = settings
            .purchase_micro_usd(credits)
            .ok_or(LedgerError::TooLarge)?;
        let fee = settings
            .fee_micro_usd(credits)
            .ok_or(LedgerError::TooLarge)?;
        let purchase = EntryKind::Purchase {
            credits,
            reference: reference.to_owned(),
            micro_usd,
        };
        let fee = EntryKind::Fee {
            micro_usd: fee,
            reference: reference.to_owned(),
        };
        let mut next = self.clone();
        let entries = [next.record(at, purchase)?, next.record(at, fee)?];
        *self = next;
        Ok(entries)
    }

    /// Records the settled cost of a delivered message, ending its reservation; returned for
    /// the store to persist. The balance may go negative (see the module doc). Nothing changes
    /// on an error.
    pub fn charge(
        &mut self,
        at: UnixMs,
        message: u64,
        micro_usd: u64,
        category: SettledCategory,
        pricing: &str,
    ) -> Result<Entry, LedgerError> {
        self.record(
            at,
            EntryKind::Charge {
                message,
                micro_usd,
                category,
                pricing: pricing.to_owned(),
            },
        )
    }

    /// Appends an entry of `kind` at `at`.
    fn record(&mut self, at: UnixMs, kind: EntryKind) -> Result<Entry, LedgerError> {
        let entry = Entry {
            seq: self.next_seq,
            at,
            kind,
        };
        self.apply(&entry).map_err(|_| LedgerError::TooLarge)?;
        Ok(entry)
    }

    /// Whether the credits available cover a message estimated at `estimate` micro-USD. A free
    /// message (`estimate` 0) is always covered, even when the balance is overdrawn.
    pub fn can_cover(&self, estimate: u64) -> Result<(), Insufficient> {
        if estimate == 0 || i128::from(estimate) <= i128::from(self.available()) {
            Ok(())
        } else {
            Err(Insufficient {
                estimate,
                available: self.available(),
                balance: self.balance(),
            })
        }
    }

    /// Holds `micro_usd` of the available credits for a queued message. A free message
    /// (`micro_usd` 0) needs no reservation and holds none.
    pub fn reserve(&mut self, message: u64, micro_usd: u64) -> Result<(), ReserveError> {
        if let Some(&held) = self.reservations.get(&message) {
            return Err(ReserveError::AlreadyReserved {
                message,
                micro_usd: held,
            });
        }
        self.can_cover(micro_usd)?;
        if micro_usd > 0 {
            // Covered, so `reserved + micro_usd <= balance <= i64::MAX`: the sum cannot overflow.
            self.reserved = self.reserved.saturating_add(micro_usd);
            self.reservations.insert(message, micro_usd);
        }
        Ok(())
    }

    /// Ends a message's reservation (it failed, or was charged); what it held, if any.
    pub fn release(&mut self, message: u64) -> Option<u64> {
        let held = self.reservations.remove(&message)?;
        self.reserved = self.reserved.saturating_sub(held);
        Some(held)
    }

    /// Purchases less charges, in micro-USD; negative when overdrawn.
    pub fn balance(&self) -> i64 {
        to_i64(i128::from(self.purchased) - i128::from(self.charged))
    }

    /// The balance less the open reservations, in micro-USD.
    pub fn available(&self) -> i64 {
        to_i64(i128::from(self.balance()) - i128::from(self.reserved))
    }

    /// The sum of open reservations, in micro-USD.
    pub fn reserved(&self) -> u64 {
        self.reserved
    }

    /// What a message holds, if it holds a reservation.
    pub fn reservation(&self, message: u64) -> Option<u64> {
        self.reservations.get(&message).copied()
    }

    /// How many messages hold a reservation.
    pub fn reservation_count(&self) -> usize {
        self.reservations.len()
    }

    /// Every purchase, in micro-USD.
    pub fn purchased(&self) -> u64 {
        self.purchased
    }

    /// Every fee, in micro-USD (paid on top of the purchases).
    pub fn fees(&self) -> u64 {
        self.fees
    }

    /// Every charge, in micro-USD.
    pub fn charged(&self) -> u64 {
        self.charged
    }

    /// The sequence number the next entry gets (the number of entries so far).
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}

/// `total + amount` if it stays within [`MAX_TOTAL`].
fn add_within_total(total: u64, amount: u64) -> Option<u64> {
    total.checked_add(amount).filter(|sum| *sum <= MAX_TOTAL)
}

/// `value` as an `i64`, saturating (the totals' bound keeps it in range).
fn to_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
