//! The declared range of every number, read from the declarations with the schema's walk
//! (shared by the test binaries that `#[path]`-include it; each uses part of it).
#![allow(dead_code, reason = "each test binary uses part of this module")]

use std::ops::RangeInclusive;

use firmware_config::schema::{Meta, Range, Section, Visit};
use firmware_config::{Config, Value};

/// The declared range of the 32-bit number `key` (`"store.max_batch"`).
pub(crate) fn declared(key: &str) -> RangeInclusive<u32> {
    let range = declared_u64(key);
    let bound = |value: u64| u32::try_from(value).expect("a 32-bit setting has a 32-bit range");
    bound(*range.start())..=bound(*range.end())
}

/// The declared range of the number `key` (`"store.quota_bytes"`).
pub(crate) fn declared_u64(key: &str) -> RangeInclusive<u64> {
    let (_, range) = declared_ranges()
        .into_iter()
        .find(|(declared, _)| *declared == key)
        .unwrap_or_else(|| panic!("{key} has no declared range"));
    range.min..=range.max
}

/// Each number's key pattern (`"templates[].parameters"`) and declared range, in
/// declaration order.
pub(crate) fn declared_ranges() -> Vec<(&'static str, Range)> {
    struct Ranges(Vec<(&'static str, Range)>);
    impl Visit for Ranges {
        fn value<T: Value>(&mut self, meta: &'static Meta, _: &T) {
            if let Some(range) = meta.range {
                self.0.push((meta.key, range));
            }
        }
        fn list<S: Section, const N: usize>(&mut self, _: &'static Meta, _: &heapless::Vec<S, N>) {
            S::default().visit(self);
        }
    }
    let mut ranges = Ranges(Vec::new());
    Config::default().visit(&mut ranges);
    ranges.0
}
