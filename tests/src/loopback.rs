//! A listener on a free loopback port, for the simulated services (Meta's Graph API, HQ).

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::error::{HarnessError, HarnessResult};

/// Binds a free port on 127.0.0.1: the listener and its address.
///
/// # Errors
/// When it cannot bind.
pub async fn bind_loopback() -> HarnessResult<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| HarnessError::io("binding", "127.0.0.1:0", error))?;
    let address = listener
        .local_addr()
        .map_err(|error| HarnessError::io("reading the address of", "127.0.0.1:0", error))?;
    Ok((listener, address))
}
