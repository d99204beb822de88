//! The memory budget shared by every webhook body in flight (`public.inflight_body_bytes`).
//!
//! A body reserves its bytes before they are read and keeps them until its request is answered:
//! the bytes stay in memory while the body is verified, decoded and stored. A request whose
//! declared length does not fit is refused before a byte of its body is read; a body without a
//! length reserves in steps as it arrives and is refused at the step that does not fit. Nothing
//! waits for room: a refused request is answered 503 with `Retry-After`, and Meta retries.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What a body without a declared length reserves first; later steps double it.
pub(super) const FIRST_STEP_BYTES: usize = 64 * 1024;

/// The budget: one permit per byte.
#[derive(Debug, Clone)]
pub(super) struct BodyBudget {
    bytes: Arc<Semaphore>,
    total: usize,
}

impl BodyBudget {
    /// A budget of `total` bytes.
    pub(super) fn new(total: usize) -> Self {
        let total = total.min(Semaphore::MAX_PERMITS);
        Self {
            bytes: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// The whole budget, in bytes.
    pub(super) fn total(&self) -> usize {
        self.total
    }

    /// Reserves `bytes` if they are free now.
    pub(super) fn try_reserve(&self, bytes: usize) -> Option<BodyReservation> {
        let permit = self.acquire(bytes)?;
        Some(BodyReservation {
            budget: self.clone(),
            permit,
        })
    }

    fn acquire(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        let count = u32::try_from(bytes).ok()?;
        Arc::clone(&self.bytes).try_acquire_many_owned(count).ok()
    }
}

/// Bytes of the budget held by one body; given back when dropped.
#[derive(Debug)]
pub(super) struct BodyReservation {
    budget: BodyBudget,
    permit: OwnedSemaphorePermit,
}

impl BodyReservation {
    /// The bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.permit.num_permits()
    }

    /// Grows the reservation to hold at least `needed` bytes, reserving up to `ceiling` (at least
    /// twice what is held, so a growing body asks a few times only). False when the budget has
    /// no room for `needed`; the reservation is then unchanged.
    pub(super) fn grow_to(&mut self, needed: usize, ceiling: usize) -> bool {
        let held = self.bytes();
        if needed <= held {
            return true;
        }
        let wanted = held.saturating_mul(2).max(needed).min(ceiling.max(needed));
        let more = self
            .budget
            .acquire(wanted - held)
            .or_else(|| self.budget.acquire(needed - held));
        match more {
            Some(permit) => {
                self.permit.merge(permit);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn reservations_share_the_budget_and_give_it_back_when_dropped() {
        let budget = BodyBudget::new(100);
        let first = budget.try_reserve(60).unwrap();
        assert!(budget.try_reserve(41).is_none(), "only 40 bytes are left");
        let second = budget.try_reserve(40).unwrap();
        assert_eq!(first.bytes() + second.bytes(), 100);
        drop(first);
        assert!(budget.try_reserve(60).is_some());
        assert!(
            budget.try_reserve(101).is_none(),
            "never more than the budget"
        );
    }

    #[test]
    fn growing_doubles_up_to_the_ceiling_and_settles_for_what_is_needed() {
        let budget = BodyBudget::new(1000);
        let mut body = budget.try_reserve(100).unwrap();
        assert!(body.grow_to(150, 1000));
        assert_eq!(body.bytes(), 200, "doubles");
        assert!(body.grow_to(250, 300));
        assert_eq!(body.bytes(), 300, "never past the ceiling");
        let other = budget.try_reserve(650).unwrap();
        assert!(!body.grow_to(400, 1000), "only 50 bytes are free");
        assert_eq!(body.bytes(), 300, "a refused step changes nothing");
        assert!(body.grow_to(340, 1000), "what is needed still fits");
        assert_eq!(body.bytes(), 340);
        drop(other);
        drop(body);
        assert!(budget.try_reserve(1000).is_some(), "everything came back");
    }
}
