//! Serving HTTP connections: the accept loop with its connection limit (the longest-idle
//! connection gives way at the limit), TLS handshake deadline, deadlines for idle connections
//! and request heads, one tracing span per connection and per request, and a graceful drain
//! driven by one cancellation token. What each listener answers is elsewhere: the webhook
//! ([`crate::ingress`]) and the local API ([`crate::api`]).

mod accept;
mod idle;

pub use accept::{ConnectionLimits, Protocols, serve};
