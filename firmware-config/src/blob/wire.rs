//! The body of a version-1 blob: plain serde types that mirror [`Config`] with fixed-width
//! integers only (no `usize`, no `deserialize_any`), so postcard reads on a 32-bit board what a
//! 64-bit host wrote. Field order is the wire order: never reorder, only add a new version.
//! A version-2 body starts with this one (see `wire_v2`).

use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use serde::{Deserialize, Serialize};

use super::fit::Fit;
use crate::config::{
    Config, LocalListener, LogFormat, LogSettings, MetaSettings, PublicListener, SecretSource,
    ShutdownSettings, StoreSettings,
};
use crate::keys::{self, SecretKeys};
use crate::problem::Problems;
use crate::shown_value::ShownValue;

/// The version-1 body.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ConfigV1<'a> {
    data_dir: &'a str,
    #[serde(borrow)]
    public: PublicV1<'a>,
    local_listen: WireSocketAddr,
    #[serde(borrow)]
    app_secret: SecretV1<'a>,
    #[serde(borrow)]
    verify_token: SecretV1<'a>,
    store: StoreV1,
    shutdown_grace_ms: u32,
    log_format: LogFormatV1,
    log_filter: &'a str,
}

#[derive(Debug, Serialize, Deserialize)]
struct PublicV1<'a> {
    listen: WireSocketAddr,
    tls_cert: Option<&'a str>,
    tls_key: Option<&'a str>,
    max_connections: u32,
    max_body_bytes: u32,
    header_read_timeout_ms: u32,
    body_read_timeout_ms: u32,
    tls_handshake_timeout_ms: u32,
    http2_max_concurrent_streams: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoreV1 {
    quota_bytes: u64,
    dedupe_retention_hours: u32,
    dedupe_max_entries: u32,
    cache_bytes: u32,
    max_batch: u32,
}

/// A socket address without `core::net`'s serde form (which postcard would encode as a
/// string for human-readable formats and differently across serde versions).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum WireSocketAddr {
    V4 {
        ip: [u8; 4],
        port: u16,
    },
    V6 {
        ip: [u8; 16],
        port: u16,
        flowinfo: u32,
        scope_id: u32,
    },
}

#[derive(Serialize, Deserialize)]
enum SecretV1<'a> {
    Generated,
    Inline(&'a str),
    File(&'a str),
    Env(&'a str),
}

impl core::fmt::Debug for SecretV1<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Generated => f.write_str("Generated"),
            Self::Inline(_) => f.write_str("Inline(<redacted>)"),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum LogFormatV1 {
    Text,
    Json,
}

/// Bytes of a one-byte field: an enum tag or a `bool`.
pub(super) const TAG: usize = 1;
/// Largest varint of a `u16`.
const U16: usize = 3;
/// Largest varint of a `u32`.
pub(super) const U32: usize = 5;
/// Largest varint of a `u64`.
const U64: usize = 10;

/// Largest encoded string of at most `capacity` bytes.
pub(super) const fn str_len(capacity: usize) -> usize {
    varint_len(capacity as u64) + capacity
}

/// The larger of `a` and `b`.
pub(super) const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Largest encoded size of a version-1 body: every string at capacity, every varint at its
/// widest, IPv6 listeners, and the largest secret variant.
pub(super) const V1_MAX_BODY_LEN: usize = {
    use crate::config::{
        ENV_NAME_CAPACITY, INLINE_SECRET_CAPACITY, LOG_FILTER_CAPACITY, PATH_CAPACITY,
    };
    const SOCKET_ADDR: usize = TAG + 16 + U16 + U32 + U32;
    const SECRET: usize = TAG
        + max(
            str_len(INLINE_SECRET_CAPACITY),
            max(str_len(PATH_CAPACITY), str_len(ENV_NAME_CAPACITY)),
        );
    let public = SOCKET_ADDR + 2 * (TAG + str_len(PATH_CAPACITY)) + 6 * U32;
    let store = U64 + 4 * U32;
    str_len(PATH_CAPACITY)
        + public
        + SOCKET_ADDR
        + 2 * SECRET
        + store
        + U32
        + TAG
        + str_len(LOG_FILTER_CAPACITY)
};

/// Bytes postcard uses for `value` as a varint.
pub(super) const fn varint_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

impl<'a> ConfigV1<'a> {
    /// The wire form of `config`, borrowing its strings.
    pub(super) fn from_config(config: &'a Config) -> Self {
        let public = &config.public;
        let store = &config.store;
        Self {
            data_dir: &config.data_dir,
            public: PublicV1 {
                listen: WireSocketAddr::from(public.listen),
                tls_cert: public.tls_cert.as_deref(),
                tls_key: public.tls_key.as_deref(),
                max_connections: public.max_connections,
                max_body_bytes: public.max_body_bytes,
                header_read_timeout_ms: public.header_read_timeout_ms,
                body_read_timeout_ms: public.body_read_timeout_ms,
                tls_handshake_timeout_ms: public.tls_handshake_timeout_ms,
                http2_max_concurrent_streams: public.http2_max_concurrent_streams,
            },
            local_listen: WireSocketAddr::from(config.local.listen),
            app_secret: SecretV1::from_source(&config.meta.app_secret),
            verify_token: SecretV1::from_source(&config.meta.verify_token),
            store: StoreV1 {
                quota_bytes: store.quota_bytes,
                dedupe_retention_hours: store.dedupe_retention_hours,
                dedupe_max_entries: store.dedupe_max_entries,
                cache_bytes: store.cache_bytes,
                max_batch: store.max_batch,
            },
            shutdown_grace_ms: config.shutdown.grace_ms,
            log_format: match config.log.format {
                LogFormat::Text => LogFormatV1::Text,
                LogFormat::Json => LogFormatV1::Json,
            },
            log_filter: &config.log.filter,
        }
    }

    /// The configuration this body describes (the settings added in later versions take their
    /// defaults), or the strings that exceed their capacity. Ranges are not checked here.
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub(super) fn into_config(self) -> Result<Config, Problems> {
        let mut problems = Problems::new();
        let config = self.fill(&mut Fit::new(&mut problems));
        problems.into_result().map(|()| config)
    }

    /// The configuration this body describes; strings that exceed their capacity are reported
    /// to `fit` and left empty.
    pub(super) fn fill(self, fit: &mut Fit<'_>) -> Config {
        let public = self.public;
        let store = self.store;
        Config {
            data_dir: fit.text(keys::DATA_DIR, self.data_dir),
            public: PublicListener {
                listen: public.listen.into(),
                tls_cert: public
                    .tls_cert
                    .map(|path| fit.text(keys::PUBLIC_TLS_CERT, path)),
                tls_key: public
                    .tls_key
                    .map(|path| fit.text(keys::PUBLIC_TLS_KEY, path)),
                max_connections: public.max_connections,
                max_body_bytes: public.max_body_bytes,
                header_read_timeout_ms: public.header_read_timeout_ms,
                body_read_timeout_ms: public.body_read_timeout_ms,
                tls_handshake_timeout_ms: public.tls_handshake_timeout_ms,
                http2_max_concurrent_streams: public.http2_max_concurrent_streams,
                ..PublicListener::default()
            },
            local: LocalListener {
                listen: self.local_listen.into(),
            },
            meta: MetaSettings {
                app_secret: self.app_secret.into_source(&keys::APP_SECRET_SOURCES, fit),
                verify_token: self
                    .verify_token
                    .into_source(&keys::VERIFY_TOKEN_SOURCES, fit),
            },
            store: StoreSettings {
                quota_bytes: store.quota_bytes,
                dedupe_retention_hours: store.dedupe_retention_hours,
                dedupe_max_entries: store.dedupe_max_entries,
                cache_bytes: store.cache_bytes,
                max_batch: store.max_batch,
            },
            shutdown: ShutdownSettings {
                grace_ms: self.shutdown_grace_ms,
            },
            log: LogSettings {
                format: match self.log_format {
                    LogFormatV1::Text => LogFormat::Text,
                    LogFormatV1::Json => LogFormat::Json,
                },
                filter: fit.text(keys::LOG_FILTER, self.log_filter),
            },
            ..Config::default()
        }
    }
}

impl<'a> SecretV1<'a> {
    fn from_source(source: &'a SecretSource) -> Self {
        match source {
            SecretSource::Generated => Self::Generated,
            SecretSource::Inline(secret) => Self::Inline(secret),
            SecretSource::File(path) => Self::File(path),
            SecretSource::Env(name) => Self::Env(name),
        }
    }

    /// The source; a string beyond its capacity is reported (an inline secret redacted).
    fn into_source(self, keys: &SecretKeys, fit: &mut Fit<'_>) -> SecretSource {
        match self {
            Self::Generated => SecretSource::Generated,
            Self::Inline(secret) => {
                SecretSource::Inline(fit.checked(keys.inline, secret, ShownValue::Redacted))
            }
            Self::File(path) => SecretSource::File(fit.text(keys.file, path)),
            Self::Env(name) => SecretSource::Env(fit.text(keys.env, name)),
        }
    }
}

impl From<SocketAddr> for WireSocketAddr {
    fn from(addr: SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(v4) => Self::V4 {
                ip: v4.ip().octets(),
                port: v4.port(),
            },
            SocketAddr::V6(v6) => Self::V6 {
                ip: v6.ip().octets(),
                port: v6.port(),
                flowinfo: v6.flowinfo(),
                scope_id: v6.scope_id(),
            },
        }
    }
}

impl From<WireSocketAddr> for SocketAddr {
    fn from(wire: WireSocketAddr) -> Self {
        match wire {
            WireSocketAddr::V4 { ip, port } => {
                Self::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port))
            }
            WireSocketAddr::V6 {
                ip,
                port,
                flowinfo,
                scope_id,
            } => Self::V6(SocketAddrV6::new(
                Ipv6Addr::from(ip),
                port,
                flowinfo,
                scope_id,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_lengths_match_postcard() {
        for value in [
            0_u64,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut buf = [0_u8; 16];
            let written = postcard::to_slice(&value, &mut buf).map(|out| out.len());
            assert_eq!(written, Ok(varint_len(value)), "{value}");
        }
    }
}
