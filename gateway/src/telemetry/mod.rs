//! Logs and counters.

mod counters;
mod logging;

pub use counters::{CounterSnapshot, Counters};
pub use logging::{LogFormat, LoggingError, init_logging};
