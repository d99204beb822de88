//! End-to-end harness for waygate: the real `waygate` binary as a child process, a simulated
//! Meta that builds and signs webhooks as Meta does, a simulated headquarters that verifies the
//! gateway's signed batches and serves commands ([`hq`]), a pinned TLS client, export readers,
//! a closed-loop delivery pool, and headless Chromium behind a recording proxy for the console
//! ([`browser`]). The suites live in `tests/`; the load generator and the bare
//! baseline server in `src/bin/`.
//!
//! Run: `cargo test -p waygate-e2e` (builds the debug `waygate` once per test process).
//!
//! Environment:
//! - `WAYGATE_BIN`: use this binary instead of building one.
//! - `WAYGATE_RUNNER`: words put in front of the binary (e.g. `qemu-aarch64-static`).
//! - `WAYGATE_E2E_SCALE`: multiplies workload sizes (default 1; the kill test's 5,000 webhooks
//!   over 32 connections is the default floor).
//! - `WAYGATE_E2E_READY_SECS`: readiness deadline and failure detector for prompt operations
//!   (default 60).
//! - `WAYGATE_E2E_KILL_AT`: fixed kill points (cumulative acknowledgements) for the kill test.
//! - `WAYGATE_E2E_KEEP`: keep a failed test's temp folder (data, config, logs).
//! - `WAYGATE_CORPUS`: the corpus folder (default `tests/corpus/` in the repository).
//! - `WAYGATE_E2E_CHROMIUM`, `WAYGATE_E2E_CHROMEDRIVER`: the browser of the console suites
//!   (default Debian's `/usr/lib/chromium/chromium` and `/usr/bin/chromedriver`).
//! - `WAYGATE_E2E_SCREENSHOTS`: the folder the console suites write their screenshots to (e.g.
//!   `docs/console`; unset: taken and checked, not written).
//! - `RUST_LOG`: passed to the gateway (default `info`); logs go to the temp folder and are
//!   printed when a test fails.
#![forbid(unsafe_code)]

pub mod backlog;
pub mod binary;
pub mod browser;
pub mod console_page;
pub mod console_session;
pub mod conversation;
pub mod corpus;
pub mod delivery;
pub mod error;
pub mod event_stream;
pub mod export;
pub mod gateway;
pub mod graph_api;
pub mod hq;
pub mod http_client;
pub mod knobs;
pub mod listeners;
pub mod loopback;
pub mod memory;
pub mod meta;
pub mod metrics;
pub mod openapi;
pub mod operator_api;
pub mod options;
pub mod random;
pub mod raw_http;
pub mod suite;
pub mod synced;
pub mod systemd_unit;
pub mod tls;
pub mod tmpfs;
pub mod tool;

pub use error::{HarnessError, HarnessResult};
pub use gateway::Gateway;
pub use http_client::{Endpoint, HttpConnection, HttpReply};
pub use meta::{Escaping, MetaSimulator, SignedWebhook};
pub use options::{GatewayOptions, Secret};
