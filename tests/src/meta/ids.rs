//! Unique, realistic-looking identifiers: wamids and sender numbers.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::random::random_hex;

/// Hands out wamids that are unique across processes and restarts (a random run tag plus a
/// counter), shaped like Meta's (`wamid.HBgL…`).
#[derive(Debug)]
pub struct WamidGenerator {
    run_tag: String,
    counter: AtomicU64,
}

impl WamidGenerator {
    /// A generator with a fresh random run tag.
    pub fn new() -> Self {
        Self {
            run_tag: random_hex::<6>().to_uppercase(),
            counter: AtomicU64::new(0),
        }
    }

    /// The next unique wamid.
    pub fn next_wamid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz{}{n:010}A=",
            self.run_tag
        )
    }

    /// A sender number (`1650555` + 4 digits) that varies with the counter.
    pub fn sender_for(&self, wamid_index: u64) -> String {
        format!("1650555{:04}", wamid_index % 10_000)
    }

    /// How many wamids were handed out.
    pub fn issued(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }
}

impl Default for WamidGenerator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wamids_are_unique_between_generators_and_calls() {
        let first = WamidGenerator::new();
        let second = WamidGenerator::new();
        let a = first.next_wamid();
        let b = first.next_wamid();
        let c = second.next_wamid();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("wamid."));
    }
}
