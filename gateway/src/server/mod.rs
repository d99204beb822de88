//! Serving HTTP connections: the accept loop with its connection limit (the longest-idle
//! connection gives way at the limit), TLS handshake deadline, deadlines for idle connections
//! (a connection is busy until its answer's body has been sent) and request heads, a handle
//! for handlers to close their connection ([`CloseConnection`]), one tracing span per
//! connection and per request, and a graceful drain driven by one cancellation token. What each listener answers is elsewhere: the webhook
//! ([`crate::ingress`]) and the local API ([`crate::api`]).

mod accept;
mod busy_body;
mod idle;

pub use accept::{ConnectionLimits, PeerAddr, Protocols, serve};
pub use idle::CloseConnection;
