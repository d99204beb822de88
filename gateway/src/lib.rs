#![forbid(unsafe_code)]
//! waygate: a WhatsApp Business edge gateway.
//!
//! The crate is split at the I/O boundary:
//! - pure code takes `now` and the current state and returns decisions: [`meta`] (webhook
//!   decoding and signatures), [`chat`] (the lifecycle), [`policy`] (service window, templates,
//!   US marketing pause), [`pricing`] (markets, rates, estimates and the credit ledger),
//!   [`media`] (attachment rules), [`numbers`] (the business numbers' registry and their
//!   problems), [`outbound`] (the sender's scheduling and Meta's error codes), [`tools`] (the
//!   operators' canned responses, articles, notes, tags and leads), [`upstream`] (headquarters:
//!   its settings and Standard Webhooks signatures), on the instants of [`time`];
//! - the [`store`] is the only code that touches redb, on its own writer thread;
//! - the shell moves data between the outside world, the store and the core: [`ingress`]
//!   (the webhook endpoint), [`server`] (listeners), [`serve`], [`cli`], [`export`].

pub mod api;
pub mod attachments;
pub mod build_info;
pub mod ca_file;
pub mod chat;
mod chat_json;
pub mod cli;
pub mod clock;
pub mod console;
pub mod export;
mod file_body;
mod files;
pub mod first_start;
pub mod graph;
pub mod guess_limit;
pub mod https_client;
pub mod ingress;
pub mod journal;
pub mod listeners_file;
pub mod media;
pub mod meta;
pub mod numbers;
pub mod outbound;
mod outbound_json;
pub mod policy;
pub mod preflight;
pub mod pricing;
pub mod secret;
pub mod secrets;
pub mod sender;
pub mod serve;
pub mod server;
pub mod service_manager;
pub mod settings;
pub mod shutdown;
pub mod status;
pub mod store;
pub mod telemetry;
pub mod time;
mod tool_json;
pub mod tools;
pub mod upstream;
