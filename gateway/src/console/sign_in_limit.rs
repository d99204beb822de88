//! How fast tokens may be guessed at the sign-in form: at most [`MAX_FAILURES`] wrong tokens
//! per [`WINDOW_MS`], over all clients; beyond that every sign-in is refused until the oldest
//! counted failure is a window old. Pure: the caller gives the time.

use std::collections::VecDeque;

use crate::time::UnixMs;

/// Wrong tokens allowed per window.
pub(super) const MAX_FAILURES: usize = 10;
/// The window, in milliseconds.
pub(super) const WINDOW_MS: u64 = 60_000;

/// The recent failed sign-ins.
#[derive(Debug, Default)]
pub(super) struct SignInLimit {
    failures: VecDeque<UnixMs>,
}

impl SignInLimit {
    /// `None` when a sign-in may be tried at `now`, else how many milliseconds to wait.
    pub(super) fn wait(&mut self, now: UnixMs) -> Option<u64> {
        while self
            .failures
            .front()
            .is_some_and(|&at| now.saturating_sub(at) >= WINDOW_MS)
        {
            self.failures.pop_front();
        }
        (self.failures.len() >= MAX_FAILURES).then(|| {
            let oldest = self.failures.front().copied().unwrap_or(now);
            WINDOW_MS.saturating_sub(now.saturating_sub(oldest)).max(1)
        })
    }

    /// A wrong token was tried at `now`.
    pub(super) fn failed(&mut self, now: UnixMs) {
        if self.failures.len() >= MAX_FAILURES {
            self.failures.pop_front();
        }
        self.failures.push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tokens_beyond_the_limit_wait_for_the_window() {
        let mut limit = SignInLimit::default();
        for n in 0..MAX_FAILURES as u64 {
            assert_eq!(limit.wait(1_000 + n), None);
            limit.failed(1_000 + n);
        }
        assert_eq!(limit.wait(1_010), Some(WINDOW_MS - 10));
        assert_eq!(limit.wait(1_000 + WINDOW_MS - 1), Some(1));
        // The oldest failure is a window old: one more try.
        assert_eq!(limit.wait(1_000 + WINDOW_MS), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut limit = SignInLimit::default();
        for n in 0..10_000 {
            limit.failed(n);
        }
        assert_eq!(limit.failures.len(), MAX_FAILURES);
    }
}
