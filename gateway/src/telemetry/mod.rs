//! Logs and metrics.

mod logging;
pub mod metrics;

pub use logging::{LogFormat, LoggingError, init_logging};
pub use metrics::{Metrics, OutboundMetrics, Refusal, SendOutcome, WebhookMetrics, WebhookTotals};
