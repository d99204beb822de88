//! The customer-service window and the free entry point window, per (business number, customer).
//!
//! Meta's rules (reference §6, "Pricing and windows"):
//! - A customer's message (or call) opens a 24 h **customer-service window** (CSW); the next one
//!   restarts it. Inside it, free-form messages are allowed and free, and so are utility
//!   templates. Outside it, only approved templates can be sent. A message the business sends,
//!   template or not, never opens or extends it.
//! - A customer who arrives through a **free entry point** (a click-to-WhatsApp ad, or a
//!   Facebook Page's call-to-action button) and is answered within 24 h, with any kind of
//!   message, gets a 72 h **FEP window** starting at that answer: every message in it is free,
//!   templates included. Free-form messages still need the CSW.
//!
//! # Boundaries
//!
//! Every window is the half-open interval `[start, start + length)`: a CSW opened by a message at
//! `t` is open at `t + 24h - 1ms` and closed at exactly `t + 24h`; an entry point referred at `r`
//! is answered in time at `r + 24h - 1ms` and not at `r + 24h`; an FEP window opened at `a` is
//! closed at `a + 72h`. Instants before a window's start (the box's clock behind Meta's
//! timestamps) count as inside it: the customer did write, so the window cannot have expired.
//!
//! # What the verdict is not
//!
//! Meta decides on its own clock, and documents that it sometimes refuses a reply inside the
//! window (error 131047): the verdict is the gateway's best judgement, and the sender must still
//! handle that error. `free_of_charge` is an expectation; the status webhook's `pricing.type`
//! settles the real price. Where Meta's rules are silent the module errs towards "charged":
//! a second referral while an FEP window is open, or while an earlier one still waits for its
//! answer, does not start a new or later one.

use serde::{Deserialize, Serialize};

use super::category::TemplateCategory;
use super::{HOUR_MS, UnixMs};
use crate::meta::Referral;
use crate::time::Utc;

/// How long a customer's message keeps the customer-service window open: 24 h.
pub const CUSTOMER_SERVICE_WINDOW_MS: u64 = 24 * HOUR_MS;
/// How long after an entry-point message the business may answer and open an FEP window: 24 h.
pub const FEP_ANSWER_WITHIN_MS: u64 = 24 * HOUR_MS;
/// How long an FEP window stays open after the answer: 72 h.
pub const FEP_WINDOW_MS: u64 = 72 * HOUR_MS;

/// Where a customer came from, when that is a free entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EntryPoint {
    /// A click-to-WhatsApp ad (the message carries a `referral` with `source_type` `ad` or
    /// `post`, the latter being a boosted post).
    ClickToWhatsAppAd,
    /// A Facebook Page's call-to-action button.
    FacebookPageButton,
}

impl EntryPoint {
    /// The entry point a message's `referral` shows, if any: `source_type` `ad` or `post`, or a
    /// click id (`ctwa_clid`), mean a click-to-WhatsApp ad. Anything else is not treated as a
    /// free entry point (the cautious reading: it only makes messages look charged).
    pub fn from_referral(referral: &Referral) -> Option<Self> {
        let from_ad = matches!(referral.source_type.as_deref(), Some("ad" | "post"))
            || referral.ctwa_clid.is_some();
        from_ad.then_some(Self::ClickToWhatsAppAd)
    }

    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ClickToWhatsAppAd => "a click-to-WhatsApp ad",
            Self::FacebookPageButton => "a Facebook Page button",
        }
    }
}

/// The free entry point state of one (business number, customer) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FepState {
    /// The customer came through an entry point at `referred_at`; a business message before
    /// `referred_at + 24h` opens the FEP window.
    Offered {
        /// Which entry point.
        entry_point: EntryPoint,
        /// The entry-point message's time.
        referred_at: UnixMs,
    },
    /// The business answered in time at `opened_at`; everything is free until
    /// `opened_at + 72h`.
    Open {
        /// Which entry point.
        entry_point: EntryPoint,
        /// The answer's time: the window's start.
        opened_at: UnixMs,
    },
}

impl FepState {
    /// For an offer, the instant from which an answer is too late.
    pub fn answer_deadline(self) -> Option<UnixMs> {
        match self {
            Self::Offered { referred_at, .. } => {
                Some(referred_at.saturating_add(FEP_ANSWER_WITHIN_MS))
            }
            Self::Open { .. } => None,
        }
    }

    /// For an open window, the instant it closes.
    pub fn closes_at(self) -> Option<UnixMs> {
        match self {
            Self::Open { opened_at, .. } => Some(opened_at.saturating_add(FEP_WINDOW_MS)),
            Self::Offered { .. } => None,
        }
    }

    /// Whether a business message at `at` would answer this offer in time.
    fn answerable_at(self, at: UnixMs) -> bool {
        self.answer_deadline().is_some_and(|deadline| at < deadline)
    }

    /// Whether this is an FEP window open at `at`.
    fn open_at(self, at: UnixMs) -> bool {
        self.closes_at().is_some_and(|closes| at < closes)
    }
}

/// The windows of one (business number, customer) pair. Plain data: the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WindowState {
    /// The latest time the customer wrote (or called); `None` if they never did.
    pub last_customer_message_at: Option<UnixMs>,
    /// The free entry point offer or window, if any.
    pub free_entry_point: Option<FepState>,
}

/// What the business wants to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutgoingKind {
    /// Any non-template message: text, media, interactive, reaction...
    FreeForm,
    /// A template of the given category.
    Template {
        /// The template's category now.
        category: TemplateCategory,
    },
}

/// The price Meta is expected to report in the status webhook's `pricing.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExpectedPricing {
    /// `free_customer_service`: a non-template message, or a utility template, inside the CSW.
    FreeCustomerService,
    /// `free_entry_point`: inside an FEP window, or the answer that opens one.
    FreeEntryPoint,
    /// `regular`: charged from the rate card by category and the recipient's country.
    Regular,
}

/// Where the customer-service window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowReason {
    /// The customer wrote in the last 24 h: the window is open until `until`.
    CustomerServiceWindowOpen {
        /// When the window closes (excluded).
        until: UnixMs,
    },
    /// No message from the customer is on record: only templates can be sent.
    NoCustomerMessage,
    /// The window closed at `closed_at`: only templates can be sent.
    CustomerServiceWindowClosed {
        /// When the customer last wrote.
        last_customer_message_at: UnixMs,
        /// When the window closed.
        closed_at: UnixMs,
    },
}

/// The answer for one outgoing message at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WindowVerdict {
    /// A non-template message may be sent (the CSW is open).
    pub free_form_allowed: bool,
    /// Only a template may be sent (the CSW is closed).
    pub template_required: bool,
    /// When the open CSW closes; `None` when it is closed.
    pub csw_open_until: Option<UnixMs>,
    /// When the open FEP window closes; `None` when none is open.
    pub fep_open_until: Option<UnixMs>,
    /// When an entry-point offer waiting for its answer expires; sending now answers it and
    /// opens an FEP window until `now + 72h`.
    pub fep_answer_by: Option<UnixMs>,
    /// The message is expected to be free (§6): a free-form message or utility template inside
    /// the CSW, or any message inside an FEP window or answering an entry point.
    pub free_of_charge: bool,
    /// The expected `pricing.type`; `None` when the message cannot be sent (free-form outside
    /// the CSW).
    pub pricing: Option<ExpectedPricing>,
    /// Where the customer-service window stands.
    pub reason: WindowReason,
}

/// Why a message cannot be sent now, as far as the windows go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowRefusal {
    /// A free-form message after the customer-service window closed.
    #[error(
        "the customer-service window closed at {} (24 h after the customer last wrote, at {}); \
         outside it only an approved template can be sent, or wait for the customer to write",
        Utc(*.closed_at),
        Utc(*.last_customer_message_at)
    )]
    WindowClosed {
        /// When the customer last wrote.
        last_customer_message_at: UnixMs,
        /// When the window closed.
        closed_at: UnixMs,
    },
    /// A free-form message to a customer who never wrote.
    #[error(
        "the customer has not written to this number, so no customer-service window is open; \
         only an approved template can start the conversation"
    )]
    NoCustomerMessage,
}

impl WindowState {
    /// When the customer-service window closes (or closed); `None` if the customer never wrote.
    pub fn csw_closes_at(&self) -> Option<UnixMs> {
        self.last_customer_message_at
            .map(|at| at.saturating_add(CUSTOMER_SERVICE_WINDOW_MS))
    }

    /// The state after the customer wrote (or called) at `at` (Meta's message timestamp).
    ///
    /// The window restarts from the latest message: a message delivered late does not shorten
    /// it. With `entry_point`, the customer came through a free entry point; the offer is
    /// recorded unless an FEP window is still open at `at` or an earlier offer can still be
    /// answered (then the earlier, stricter deadline stands).
    #[must_use]
    pub fn on_customer_message(self, at: UnixMs, entry_point: Option<EntryPoint>) -> Self {
        let last_customer_message_at = Some(
            self.last_customer_message_at
                .map_or(at, |last| last.max(at)),
        );
        let free_entry_point = match (entry_point, self.free_entry_point) {
            (None, current) => current,
            (Some(_), Some(current)) if current.open_at(at) => Some(current),
            (
                Some(_),
                Some(FepState::Offered {
                    entry_point,
                    referred_at,
                }),
            ) if at < referred_at.saturating_add(FEP_ANSWER_WITHIN_MS) => Some(FepState::Offered {
                entry_point,
                referred_at: referred_at.min(at),
            }),
            (Some(entry_point), _) => Some(FepState::Offered {
                entry_point,
                referred_at: at,
            }),
        };
        Self {
            last_customer_message_at,
            free_entry_point,
        }
    }

    /// The state after the business sent a message (any kind) at `at`: the message Meta
    /// accepted. It answers a waiting entry-point offer if it is in time, opening the FEP
    /// window at `at`. It never touches the customer-service window.
    #[must_use]
    pub fn on_business_message(self, at: UnixMs) -> Self {
        let free_entry_point = match self.free_entry_point {
            Some(offer @ FepState::Offered { entry_point, .. }) if offer.answerable_at(at) => {
                Some(FepState::Open {
                    entry_point,
                    opened_at: at,
                })
            }
            current => current,
        };
        Self {
            free_entry_point,
            ..self
        }
    }

    /// The verdict for sending a message of `kind` at `now`.
    pub fn assess(&self, now: UnixMs, kind: OutgoingKind) -> WindowVerdict {
        let reason = match (self.last_customer_message_at, self.csw_closes_at()) {
            (Some(_), Some(until)) if now < until => {
                WindowReason::CustomerServiceWindowOpen { until }
            }
            (Some(last), Some(closed_at)) => WindowReason::CustomerServiceWindowClosed {
                last_customer_message_at: last,
                closed_at,
            },
            _ => WindowReason::NoCustomerMessage,
        };
        let csw_open_until = match reason {
            WindowReason::CustomerServiceWindowOpen { until } => Some(until),
            _ => None,
        };
        let fep = self.free_entry_point;
        let fep_open_until = fep
            .filter(|fep| fep.open_at(now))
            .and_then(FepState::closes_at);
        let fep_answer_by = fep
            .filter(|fep| fep.answerable_at(now))
            .and_then(FepState::answer_deadline);
        let csw_open = csw_open_until.is_some();
        let free_entry = fep_open_until.is_some() || fep_answer_by.is_some();
        let pricing = match kind {
            OutgoingKind::FreeForm if !csw_open => None,
            _ if free_entry => Some(ExpectedPricing::FreeEntryPoint),
            OutgoingKind::FreeForm
            | OutgoingKind::Template {
                category: TemplateCategory::Utility,
            } if csw_open => Some(ExpectedPricing::FreeCustomerService),
            _ => Some(ExpectedPricing::Regular),
        };
        WindowVerdict {
            free_form_allowed: csw_open,
            template_required: !csw_open,
            csw_open_until,
            fep_open_until,
            fep_answer_by,
            free_of_charge: matches!(
                pricing,
                Some(ExpectedPricing::FreeCustomerService | ExpectedPricing::FreeEntryPoint)
            ),
            pricing,
            reason,
        }
    }

    /// Like [`assess`](Self::assess), but a message the windows forbid (free-form outside the
    /// customer-service window) is a refusal.
    pub fn check(&self, now: UnixMs, kind: OutgoingKind) -> Result<WindowVerdict, WindowRefusal> {
        let verdict = self.assess(now, kind);
        match (kind, verdict.reason) {
            (OutgoingKind::FreeForm, WindowReason::NoCustomerMessage) => {
                Err(WindowRefusal::NoCustomerMessage)
            }
            (
                OutgoingKind::FreeForm,
                WindowReason::CustomerServiceWindowClosed {
                    last_customer_message_at,
                    closed_at,
                },
            ) => Err(WindowRefusal::WindowClosed {
                last_customer_message_at,
                closed_at,
            }),
            _ => Ok(verdict),
        }
    }
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
