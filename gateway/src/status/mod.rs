//! The gateway's status: the report the local API's `GET /api/v1/status` answers with, and the
//! `waygate status` command that reads it (or, with the gateway stopped, the store).

pub mod client;
pub mod command;
pub mod render;
pub mod report;
pub mod upstream;

pub use command::{StatusError, StatusOptions, Verdict};
pub use report::{QUOTA_ALERT_PERCENT, StatusInputs, StatusReport, StoreStatus};
pub use upstream::UpstreamStatus;
