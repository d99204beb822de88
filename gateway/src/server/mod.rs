//! Serving HTTP connections: the accept loop with its connection limit, TLS handshake deadline,
//! header-read timeout, one tracing span per connection and per request, and a graceful drain
//! driven by one cancellation token.

mod accept;
mod health;

pub use accept::{ConnectionLimits, Protocols, serve};
pub use health::{HealthEndpoint, Readiness};
