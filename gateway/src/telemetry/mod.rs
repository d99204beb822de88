//! Logs and metrics.

mod logging;
pub mod metrics;
mod quota_forecast;
pub mod upstream_metrics;

pub use logging::{LogFormat, LoggingError, init_logging};
pub use metrics::{Metrics, OutboundMetrics, Refusal, SendOutcome, WebhookMetrics, WebhookTotals};
pub use quota_forecast::QuotaForecast;
pub use upstream_metrics::{AnswerRefusal, BatchResult, CommandResult, UpstreamMetrics};
