#![forbid(unsafe_code)]
//! waygate: a WhatsApp Business edge gateway.
//!
//! The crate is split at the I/O boundary: pure decision code takes `now` and returns decisions;
//! the [`store`] is the only code that touches redb; the shell (listeners, CLI) moves data
//! between the outside world, the store and the core.

pub mod clock;
pub mod store;
