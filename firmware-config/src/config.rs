//! The configuration value and its embedded defaults.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::chat_settings::{ChatSettings, Department, MAX_DEPARTMENTS};
use crate::limits;
use crate::operator_settings::{MAX_OPERATORS, Operator};
use crate::template_settings::{MAX_TEMPLATES, Template};

/// Longest path, in bytes (`data_dir`, `public.tls_cert`, secret files).
pub const PATH_CAPACITY: usize = 256;
/// Longest inline secret, in bytes.
pub const INLINE_SECRET_CAPACITY: usize = 256;
/// Longest environment variable name, in bytes.
pub const ENV_NAME_CAPACITY: usize = 64;
/// Longest `log.filter` directive, in bytes.
pub const LOG_FILTER_CAPACITY: usize = 256;

/// A file-system path of fixed capacity ([`PATH_CAPACITY`] bytes of UTF-8).
pub type Path = heapless::String<PATH_CAPACITY>;
/// An inline secret ([`INLINE_SECRET_CAPACITY`] bytes).
pub type InlineSecret = heapless::String<INLINE_SECRET_CAPACITY>;
/// The name of an environment variable ([`ENV_NAME_CAPACITY`] bytes).
pub type EnvName = heapless::String<ENV_NAME_CAPACITY>;
/// A `tracing` env-filter directive ([`LOG_FILTER_CAPACITY`] bytes).
pub type LogFilter = heapless::String<LOG_FILTER_CAPACITY>;

/// Default `data_dir`.
pub const DEFAULT_DATA_DIR: &str = "./waygate-data";
/// Default `public.listen`: loopback, port 8443.
pub const DEFAULT_PUBLIC_LISTEN: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8443);
/// Default `local.listen`: loopback, port 8080.
pub const DEFAULT_LOCAL_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
/// Default `log.filter`.
pub const DEFAULT_LOG_FILTER: &str = "info";

/// The appliance's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Folder for the store, generated secrets and the self-signed certificate.
    pub data_dir: Path,
    /// The TLS listener Meta's webhook reaches.
    pub public: PublicListener,
    /// The LAN listener (operator API, kiosk page, metrics, health).
    pub local: LocalListener,
    /// The secrets shared with Meta.
    pub meta: MetaSettings,
    /// The embedded database.
    pub store: StoreSettings,
    /// How the process stops.
    pub shutdown: ShutdownSettings,
    /// Logging.
    pub log: LogSettings,
    /// How chats open, close and are served.
    pub chat: ChatSettings,
    /// The departments and their business numbers (at most [`MAX_DEPARTMENTS`]).
    pub departments: heapless::Vec<Department, MAX_DEPARTMENTS>,
    /// The message templates registered from the configuration (at most [`MAX_TEMPLATES`]).
    pub templates: heapless::Vec<Template, MAX_TEMPLATES>,
    /// The operators of the local API (at most [`MAX_OPERATORS`]).
    pub operators: heapless::Vec<Operator, MAX_OPERATORS>,
}

/// The public (webhook) listener: TLS, reachable from the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicListener {
    /// Socket address to bind.
    pub listen: SocketAddr,
    /// PEM certificate chain; set together with `tls_key`, or neither (a self-signed certificate
    /// is then generated in `data_dir`).
    pub tls_cert: Option<Path>,
    /// PEM private key; see `tls_cert`.
    pub tls_key: Option<Path>,
    /// Open connections accepted at once ([`limits::PUBLIC_MAX_CONNECTIONS`]).
    pub max_connections: u32,
    /// Largest request body ([`limits::PUBLIC_MAX_BODY_BYTES`]).
    pub max_body_bytes: u32,
    /// Time allowed to read a request head ([`limits::PUBLIC_HEADER_READ_TIMEOUT_MS`]).
    pub header_read_timeout_ms: u32,
    /// Time allowed to read a request body ([`limits::PUBLIC_BODY_READ_TIMEOUT_MS`]).
    pub body_read_timeout_ms: u32,
    /// Time allowed for a TLS handshake ([`limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS`]).
    pub tls_handshake_timeout_ms: u32,
    /// HTTP/2 streams per connection ([`limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS`]).
    pub http2_max_concurrent_streams: u32,
    /// Time a connection may wait with no request in progress ([`limits::PUBLIC_IDLE_TIMEOUT_MS`]).
    pub idle_timeout_ms: u32,
    /// Body bytes held at once over all connections ([`limits::PUBLIC_INFLIGHT_BODY_BYTES`]).
    pub inflight_body_bytes: u32,
    /// `entry[]` items per delivery ([`limits::PUBLIC_MAX_DELIVERY_ENTRIES`]).
    pub max_delivery_entries: u32,
    /// `changes[]` items per delivery ([`limits::PUBLIC_MAX_DELIVERY_CHANGES`]).
    pub max_delivery_changes: u32,
    /// Messages, statuses, errors and contacts per delivery ([`limits::PUBLIC_MAX_DELIVERY_ITEMS`]).
    pub max_delivery_items: u32,
}

/// The local listener: plain HTTP on the LAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalListener {
    /// Socket address to bind.
    pub listen: SocketAddr,
}

/// The secrets shared with Meta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaSettings {
    /// The app secret that signs webhooks (`X-Hub-Signature-256`).
    pub app_secret: SecretSource,
    /// The token Meta echoes in the webhook verification handshake.
    pub verify_token: SecretSource,
}

/// Where a secret comes from. Its `Debug` output never shows an inline secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// Generated once by the gateway into `data_dir` (mode 0600).
    #[default]
    Generated,
    /// Written in the configuration itself (TOML: `app_secret = "..."`).
    Inline(InlineSecret),
    /// Read from a file (TOML: `app_secret_file = "/run/secrets/x"`).
    File(Path),
    /// Read from an environment variable (TOML: `app_secret_env = "MY_VAR"`).
    Env(EnvName),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generated => f.write_str("Generated"),
            Self::Inline(_) => f.write_str("Inline(<redacted>)"),
            Self::File(path) => f.debug_tuple("File").field(&path.as_str()).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(&name.as_str()).finish(),
        }
    }
}

/// The embedded database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// Disk space the data folder may use ([`limits::STORE_QUOTA_BYTES`]).
    pub quota_bytes: u64,
    /// How long delivered ids are remembered ([`limits::STORE_DEDUPE_RETENTION_HOURS`]).
    pub dedupe_retention_hours: u32,
    /// How many delivered ids are remembered at most ([`limits::STORE_DEDUPE_MAX_ENTRIES`]).
    pub dedupe_max_entries: u32,
    /// Database page cache ([`limits::STORE_CACHE_BYTES`]).
    pub cache_bytes: u32,
    /// Requests per group commit ([`limits::STORE_MAX_BATCH`]).
    pub max_batch: u32,
}

/// How the process stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownSettings {
    /// Time in-flight requests get to finish after SIGTERM ([`limits::SHUTDOWN_GRACE_MS`]).
    pub grace_ms: u32,
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// Line format.
    pub format: LogFormat,
    /// A `tracing` env-filter directive; must not be blank.
    pub filter: LogFilter,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (TOML `"text"`).
    #[default]
    Text,
    /// One JSON object per line (TOML `"json"`).
    Json,
}

impl LogFormat {
    /// Every format with its TOML name.
    pub const ALL: [(Self, &'static str); 2] = [(Self::Text, "text"), (Self::Json, "json")];
    /// The TOML names, for problem reports.
    pub const NAMES: &'static [&'static str] = &["text", "json"];

    /// The TOML name: `"text"` or `"json"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }

    /// The format with TOML name `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(format, _)| *format)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: fixed(DEFAULT_DATA_DIR),
            public: PublicListener::default(),
            local: LocalListener::default(),
            meta: MetaSettings::default(),
            store: StoreSettings::default(),
            shutdown: ShutdownSettings::default(),
            log: LogSettings::default(),
            chat: ChatSettings::default(),
            departments: heapless::Vec::new(),
            templates: heapless::Vec::new(),
            operators: heapless::Vec::new(),
        }
    }
}

impl Default for PublicListener {
    fn default() -> Self {
        Self {
            listen: DEFAULT_PUBLIC_LISTEN,
            tls_cert: None,
            tls_key: None,
            max_connections: limits::PUBLIC_MAX_CONNECTIONS.default,
            max_body_bytes: limits::PUBLIC_MAX_BODY_BYTES.default,
            header_read_timeout_ms: limits::PUBLIC_HEADER_READ_TIMEOUT_MS.default,
            body_read_timeout_ms: limits::PUBLIC_BODY_READ_TIMEOUT_MS.default,
            tls_handshake_timeout_ms: limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS.default,
            http2_max_concurrent_streams: limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS.default,
            idle_timeout_ms: limits::PUBLIC_IDLE_TIMEOUT_MS.default,
            inflight_body_bytes: limits::PUBLIC_INFLIGHT_BODY_BYTES.default,
            max_delivery_entries: limits::PUBLIC_MAX_DELIVERY_ENTRIES.default,
            max_delivery_changes: limits::PUBLIC_MAX_DELIVERY_CHANGES.default,
            max_delivery_items: limits::PUBLIC_MAX_DELIVERY_ITEMS.default,
        }
    }
}

impl Default for LocalListener {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LOCAL_LISTEN,
        }
    }
}

impl Default for MetaSettings {
    fn default() -> Self {
        Self {
            app_secret: SecretSource::Generated,
            verify_token: SecretSource::Generated,
        }
    }
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            quota_bytes: limits::STORE_QUOTA_BYTES.default,
            dedupe_retention_hours: limits::STORE_DEDUPE_RETENTION_HOURS.default,
            dedupe_max_entries: limits::STORE_DEDUPE_MAX_ENTRIES.default,
            cache_bytes: limits::STORE_CACHE_BYTES.default,
            max_batch: limits::STORE_MAX_BATCH.default,
        }
    }
}

impl Default for ShutdownSettings {
    fn default() -> Self {
        Self {
            grace_ms: limits::SHUTDOWN_GRACE_MS.default,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: fixed(DEFAULT_LOG_FILTER),
        }
    }
}

/// A fixed-capacity copy of a built-in default string.
fn fixed<const N: usize>(text: &'static str) -> heapless::String<N> {
    let mut out = heapless::String::new();
    // The built-in defaults are a few bytes long; the unit test below checks they fit.
    let _fits = out.push_str(text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_values() {
        let config = Config::default();
        assert_eq!(config.data_dir, "./waygate-data");
        assert_eq!(config.public.listen.to_string(), "127.0.0.1:8443");
        assert_eq!(config.local.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public.max_body_bytes, 3_145_728);
        assert_eq!(config.public.max_connections, 1024);
        assert_eq!(config.store.dedupe_retention_hours, 192);
        assert_eq!(config.store.quota_bytes, 1 << 30);
        assert_eq!(config.shutdown.grace_ms, 10_000);
        assert_eq!(config.log.filter, "info");
        assert_eq!(config.log.format, LogFormat::Text);
        assert_eq!(config.meta.app_secret, SecretSource::Generated);
        assert_eq!(config.public.tls_cert, None);
    }

    #[test]
    fn inline_secret_is_redacted_in_debug_output() {
        let mut secret = InlineSecret::new();
        assert!(secret.push_str("hunter2-super-secret").is_ok());
        let mut config = Config::default();
        config.meta.app_secret = SecretSource::Inline(secret);
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("Inline(<redacted>)"), "{debug}");
    }

    #[test]
    fn log_format_names_round_trip() {
        for (format, name) in LogFormat::ALL {
            assert_eq!(format.name(), name);
            assert_eq!(LogFormat::from_name(name), Some(format));
        }
        assert_eq!(LogFormat::from_name("JSON"), None);
    }
}
