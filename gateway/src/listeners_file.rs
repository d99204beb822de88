//! `listeners.json` in the data folder: the addresses a running gateway bound and its process id.
//! `serve` writes it once both listeners are bound and removes it when it stops; `waygate status`
//! reads it to find the local listener (no file: the gateway is not running).

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file's name inside the data folder.
pub const LISTENERS_FILE: &str = "listeners.json";

/// What the file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listeners {
    /// The public (webhook) listener's address.
    pub public: SocketAddr,
    /// The local (health, metrics, operator API) listener's address.
    pub local: SocketAddr,
    /// The serving process.
    pub pid: u32,
}

impl Listeners {
    /// Writes the file (mode 0600) into `data_dir`.
    pub fn write(&self, data_dir: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string(self).map_err(std::io::Error::other)?;
        text.push('\n');
        crate::files::write_private(&data_dir.join(LISTENERS_FILE), text.as_bytes())
    }

    /// Reads the file in `data_dir`; `None` when there is none.
    pub fn read(data_dir: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read(data_dir.join(LISTENERS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Where a client on this machine reaches the local listener: its address, with a wildcard
    /// bind (`0.0.0.0`, `[::]`) replaced by the loopback address.
    pub fn local_for_clients(&self) -> SocketAddr {
        let mut addr = self.local;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        addr
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_file_round_trips_and_its_absence_is_no_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Listeners::read(dir.path()).unwrap(), None);
        let listeners = Listeners {
            public: "127.0.0.1:8443".parse().unwrap(),
            local: "0.0.0.0:8080".parse().unwrap(),
            pid: 42,
        };
        listeners.write(dir.path()).unwrap();
        assert_eq!(Listeners::read(dir.path()).unwrap(), Some(listeners));
        assert_eq!(
            listeners.local_for_clients(),
            "127.0.0.1:8080".parse().unwrap()
        );
    }
}
