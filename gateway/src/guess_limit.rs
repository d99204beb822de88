//! How fast tokens may be guessed: at most [`MAX_FAILURES`] wrong tokens per [`WINDOW_MS`].
//! [`FailureWindow`] counts the failures of one source: the console's sign-in form counts every
//! client together. [`PerClient`] counts each client apart (an IPv4 address, an IPv6 /64), up to
//! [`MAX_CLIENTS`], so a client guessing bearer tokens on the operator API locks out itself, not
//! the kiosks and integrations beside it. Beyond the limit every try is refused, right token or
//! not (or the answer would tell a right guess), until the oldest counted failure is a window
//! old. Pure: the caller gives the time.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use crate::time::UnixMs;

/// Wrong tokens allowed per window.
pub const MAX_FAILURES: usize = 10;
/// The window, in milliseconds.
pub const WINDOW_MS: u64 = 60_000;
/// Clients counted at once; a new one replaces the one whose last failure is oldest.
pub const MAX_CLIENTS: usize = 1_024;

/// The recent failures of one source.
#[derive(Debug, Default)]
pub struct FailureWindow {
    failures: VecDeque<UnixMs>,
}

impl FailureWindow {
    /// `None` when a token may be tried at `now`, else how many milliseconds to wait.
    pub fn wait(&mut self, now: UnixMs) -> Option<u64> {
        while self
            .failures
            .front()
            .is_some_and(|&at| now.saturating_sub(at) >= WINDOW_MS)
        {
            self.failures.pop_front();
        }
        (self.failures.len() >= MAX_FAILURES).then(|| {
            let oldest = self.failures.front().copied().unwrap_or(now);
            WINDOW_MS.saturating_sub(now.saturating_sub(oldest)).max(1)
        })
    }

    /// A wrong token was tried at `now`.
    pub fn failed(&mut self, now: UnixMs) {
        if self.failures.len() >= MAX_FAILURES {
            self.failures.pop_front();
        }
        self.failures.push_back(now);
    }

    fn last(&self) -> UnixMs {
        self.failures.back().copied().unwrap_or_default()
    }
}

/// Who is guessing: an IPv4 address, or the /64 network of an IPv6 one (a host may hold a
/// whole /64); requests without a known peer count as one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    /// The client of a request from `peer`.
    #[must_use]
    pub fn of(peer: Option<SocketAddr>) -> Self {
        Self(peer.map(|peer| match peer.ip().to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                IpAddr::V6(network.into())
            }
            v4 => v4,
        }))
    }
}

/// The recent failures of each client, for [`MAX_CLIENTS`] clients at most.
#[derive(Debug, Default)]
pub struct PerClient {
    clients: HashMap<Client, FailureWindow>,
}

impl PerClient {
    /// `None` when `client` may try a token at `now`, else how many milliseconds to wait.
    pub fn wait(&mut self, client: Client, now: UnixMs) -> Option<u64> {
        self.clients.get_mut(&client)?.wait(now)
    }

    /// `client` tried a wrong token at `now`.
    pub fn failed(&mut self, client: Client, now: UnixMs) {
        if !self.clients.contains_key(&client) && self.clients.len() >= MAX_CLIENTS {
            let quietest = self
                .clients
                .iter()
                .min_by_key(|(_, window)| window.last())
                .map(|(client, _)| *client);
            if let Some(quietest) = quietest {
                self.clients.remove(&quietest);
            }
        }
        self.clients.entry(client).or_default().failed(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tokens_beyond_the_limit_wait_for_the_window() {
        let mut limit = FailureWindow::default();
        for n in 0..MAX_FAILURES as u64 {
            assert_eq!(limit.wait(1_000 + n), None);
            limit.failed(1_000 + n);
        }
        assert_eq!(limit.wait(1_010), Some(WINDOW_MS - 10));
        assert_eq!(limit.wait(1_000 + WINDOW_MS - 1), Some(1));
        // The oldest failure is a window old: one more try.
        assert_eq!(limit.wait(1_000 + WINDOW_MS), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut limit = FailureWindow::default();
        for n in 0..10_000 {
            limit.failed(n);
        }
        assert_eq!(limit.failures.len(), MAX_FAILURES);
        let mut clients = PerClient::default();
        for n in 0..10_000_u32 {
            let peer = SocketAddr::from((n.to_be_bytes(), 1));
            clients.failed(Client::of(Some(peer)), u64::from(n));
        }
        assert_eq!(clients.clients.len(), MAX_CLIENTS);
    }

    #[test]
    fn one_client_guessing_does_not_lock_out_another() {
        let guesser = Client::of(Some(
            "192.0.2.7:40000"
                .parse()
                .unwrap_or(SocketAddr::from(([0; 4], 0))),
        ));
        let kiosk = Client::of(Some(
            "192.0.2.8:40000"
                .parse()
                .unwrap_or(SocketAddr::from(([0; 4], 0))),
        ));
        let mut clients = PerClient::default();
        for n in 0..MAX_FAILURES as u64 {
            clients.failed(guesser, n);
        }
        assert_eq!(clients.wait(guesser, 10), Some(WINDOW_MS - 10));
        assert_eq!(clients.wait(kiosk, 10), None);
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_its_address() {
        let of = |text: &str| Client::of(text.parse().ok());
        assert_eq!(of("[2001:db8:1:2::1]:1"), of("[2001:db8:1:2:ffff::9]:2"));
        assert_ne!(of("[2001:db8:1:2::1]:1"), of("[2001:db8:1:3::1]:1"));
        assert_eq!(of("[::ffff:192.0.2.7]:1"), of("192.0.2.7:9"));
        assert_ne!(of("192.0.2.7:1"), of("192.0.2.8:1"));
    }
}
