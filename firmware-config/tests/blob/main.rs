//! The firmware blob: golden bytes pin the layout of versions 1 (read only) and 2; truncated,
//! corrupted, foreign, future and malformed blobs are each refused with their own error.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod damage;
mod fixtures;
mod golden;
mod invalid;
mod versions;
