//! Serving HTTP connections: the accept loop with its connection limit (the longest-idle
//! connection gives way at the limit), TLS handshake deadline, deadlines for idle connections
//! and request heads, one tracing span per connection and per request, and a graceful drain
//! driven by one cancellation token.

mod accept;
mod health;
mod idle;

pub use accept::{ConnectionLimits, Protocols, serve};
pub use health::{HealthEndpoint, Readiness};
