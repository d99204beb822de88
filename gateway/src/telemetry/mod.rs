//! Logs and metrics.

mod logging;
pub mod metrics;
pub mod upstream_metrics;

pub use logging::{LogFormat, LoggingError, init_logging};
pub use metrics::{Metrics, OutboundMetrics, Refusal, SendOutcome, WebhookMetrics, WebhookTotals};
pub use upstream_metrics::{AnswerRefusal, BatchResult, CommandResult, UpstreamMetrics};
