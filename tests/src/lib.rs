//! End-to-end harness for waygate: the real `waygate` binary as a child process, a simulated
//! Meta that builds and signs webhooks as Meta does, a pinned TLS client, export readers, and a
//! closed-loop delivery pool. The suites live in `tests/`; the load generator and the bare
//! baseline server in `src/bin/`.
#![forbid(unsafe_code)]

pub mod binary;
pub mod corpus;
pub mod delivery;
pub mod error;
pub mod export;
pub mod gateway;
pub mod http_client;
pub mod knobs;
pub mod listeners;
pub mod meta;
pub mod options;
pub mod random;
pub mod raw_http;
pub mod suite;
pub mod tls;

pub use error::{HarnessError, HarnessResult};
pub use gateway::Gateway;
pub use http_client::{Endpoint, HttpConnection, HttpReply};
pub use meta::{Escaping, MetaSimulator, SignedWebhook};
pub use options::{GatewayOptions, Secret};
