//! Default and allowed range of every numeric setting: the one place both validation and the
//! documentation (README, `Config::to_toml` comments) take them from.

use crate::keys;

/// The default and inclusive range of one numeric setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit<T> {
    /// The key path the limit applies to.
    pub key: &'static str,
    /// The value used when the key is absent.
    pub default: T,
    /// Smallest allowed value.
    pub min: T,
    /// Largest allowed value.
    pub max: T,
    /// What the number counts (`"bytes"`, `"milliseconds"`, ...).
    pub unit: &'static str,
    /// Why the range is what it is, when that is not obvious.
    pub note: Option<&'static str>,
}

impl<T: Copy + PartialOrd> Limit<T> {
    /// Whether `value` is inside `min..=max`.
    #[must_use]
    pub fn allows(&self, value: T) -> bool {
        self.min <= value && value <= self.max
    }
}

const KIB: u32 = 1024;
const MIB: u32 = 1024 * KIB;
const GIB: u64 = 1024 * MIB as u64;

/// `public.max_connections`.
pub const PUBLIC_MAX_CONNECTIONS: Limit<u32> = Limit {
    key: keys::PUBLIC_MAX_CONNECTIONS,
    default: 1024,
    min: 1,
    max: 65_535,
    unit: "connections",
    note: None,
};

/// `public.max_body_bytes`; the default is Meta's documented maximum webhook size.
pub const PUBLIC_MAX_BODY_BYTES: Limit<u32> = Limit {
    key: keys::PUBLIC_MAX_BODY_BYTES,
    default: 3 * MIB,
    min: 64 * KIB,
    max: 16 * MIB,
    unit: "bytes",
    note: Some("64 KiB to 16 MiB; Meta sends at most 3 MiB"),
};

/// `public.header_read_timeout_ms`.
pub const PUBLIC_HEADER_READ_TIMEOUT_MS: Limit<u32> = Limit {
    key: keys::PUBLIC_HEADER_READ_TIMEOUT_MS,
    default: 10_000,
    min: 100,
    max: 300_000,
    unit: "milliseconds",
    note: None,
};

/// `public.body_read_timeout_ms`.
pub const PUBLIC_BODY_READ_TIMEOUT_MS: Limit<u32> = Limit {
    key: keys::PUBLIC_BODY_READ_TIMEOUT_MS,
    default: 30_000,
    min: 100,
    max: 600_000,
    unit: "milliseconds",
    note: None,
};

/// `public.tls_handshake_timeout_ms`.
pub const PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS: Limit<u32> = Limit {
    key: keys::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
    default: 10_000,
    min: 100,
    max: 300_000,
    unit: "milliseconds",
    note: None,
};

/// `public.http2_max_concurrent_streams`.
pub const PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS: Limit<u32> = Limit {
    key: keys::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
    default: 64,
    min: 1,
    max: 1_000,
    unit: "streams per connection",
    note: None,
};

/// `public.idle_timeout_ms`: a connection with no request in progress (an HTTP/2 connection
/// with no open stream) is closed after this long.
pub const PUBLIC_IDLE_TIMEOUT_MS: Limit<u32> = Limit {
    key: keys::PUBLIC_IDLE_TIMEOUT_MS,
    default: 30_000,
    min: 100,
    max: 3_600_000,
    unit: "milliseconds",
    note: None,
};

/// `public.inflight_body_bytes`: the memory budget for request bodies being read or processed.
pub const PUBLIC_INFLIGHT_BODY_BYTES: Limit<u32> = Limit {
    key: keys::PUBLIC_INFLIGHT_BODY_BYTES,
    default: 32 * MIB,
    min: 64 * KIB,
    max: 1024 * MIB,
    unit: "bytes",
    note: Some("64 KiB to 1 GiB, and at least public.max_body_bytes"),
};

/// `public.max_delivery_entries`; Meta batches at most 1,000 updates in one delivery.
pub const PUBLIC_MAX_DELIVERY_ENTRIES: Limit<u32> = Limit {
    key: keys::PUBLIC_MAX_DELIVERY_ENTRIES,
    default: 1_000,
    min: 1,
    max: 100_000,
    unit: "entries",
    note: None,
};

/// `public.max_delivery_changes`.
pub const PUBLIC_MAX_DELIVERY_CHANGES: Limit<u32> = Limit {
    key: keys::PUBLIC_MAX_DELIVERY_CHANGES,
    default: 2_000,
    min: 1,
    max: 100_000,
    unit: "changes",
    note: None,
};

/// `public.max_delivery_items`.
pub const PUBLIC_MAX_DELIVERY_ITEMS: Limit<u32> = Limit {
    key: keys::PUBLIC_MAX_DELIVERY_ITEMS,
    default: 10_000,
    min: 1,
    max: 1_000_000,
    unit: "items",
    note: None,
};

/// `store.quota_bytes`.
pub const STORE_QUOTA_BYTES: Limit<u64> = Limit {
    key: keys::STORE_QUOTA_BYTES,
    default: GIB,
    min: MIB as u64,
    max: 1024 * GIB,
    unit: "bytes",
    note: Some("1 MiB to 1 TiB"),
};

/// `store.dedupe_retention_hours`; Meta retries a webhook for up to 7 days.
pub const STORE_DEDUPE_RETENTION_HOURS: Limit<u32> = Limit {
    key: keys::STORE_DEDUPE_RETENTION_HOURS,
    default: 192,
    min: 168,
    max: 2_160,
    unit: "hours",
    note: Some("Meta retries for 7 days"),
};

/// `store.dedupe_max_entries`.
pub const STORE_DEDUPE_MAX_ENTRIES: Limit<u32> = Limit {
    key: keys::STORE_DEDUPE_MAX_ENTRIES,
    default: 2_000_000,
    min: 1_000,
    max: 100_000_000,
    unit: "entries",
    note: None,
};

/// `store.cache_bytes`.
pub const STORE_CACHE_BYTES: Limit<u32> = Limit {
    key: keys::STORE_CACHE_BYTES,
    default: 4 * MIB,
    min: 256 * KIB,
    max: 1024 * MIB,
    unit: "bytes",
    note: Some("256 KiB to 1 GiB"),
};

/// `store.max_batch`.
pub const STORE_MAX_BATCH: Limit<u32> = Limit {
    key: keys::STORE_MAX_BATCH,
    default: 512,
    min: 1,
    max: 10_000,
    unit: "requests per commit",
    note: None,
};

/// `shutdown.grace_ms`.
pub const SHUTDOWN_GRACE_MS: Limit<u32> = Limit {
    key: keys::SHUTDOWN_GRACE_MS,
    default: 10_000,
    min: 0,
    max: 600_000,
    unit: "milliseconds",
    note: None,
};

const MINUTE: u32 = 60;
const HOUR: u32 = 60 * MINUTE;
const DAY: u32 = 24 * HOUR;

/// `chat.unattended_close_seconds`: from 15 minutes to "1 month", taken as 31 days.
pub const CHAT_UNATTENDED_CLOSE_SECONDS: Limit<u32> = Limit {
    key: keys::CHAT_UNATTENDED_CLOSE_SECONDS,
    default: HOUR,
    min: 15 * MINUTE,
    max: 31 * DAY,
    unit: "seconds",
    note: Some("15 minutes to 31 days"),
};

/// `chat.idle_close_seconds`: at most 24 hours.
pub const CHAT_IDLE_CLOSE_SECONDS: Limit<u32> = Limit {
    key: keys::CHAT_IDLE_CLOSE_SECONDS,
    default: HOUR,
    min: MINUTE,
    max: DAY,
    unit: "seconds",
    note: Some("1 minute to 24 hours; a message from either side restarts it"),
};

/// `chat.bot_idle_close_seconds`: as the idle limit, which it replaces while a bot serves.
pub const CHAT_BOT_IDLE_CLOSE_SECONDS: Limit<u32> = Limit {
    key: keys::CHAT_BOT_IDLE_CLOSE_SECONDS,
    default: 10 * MINUTE,
    min: MINUTE,
    max: DAY,
    unit: "seconds",
    note: Some("replaces idle_close_seconds while a bot serves the chat"),
};

/// `chat.profanity_limit`.
pub const CHAT_PROFANITY_LIMIT: Limit<u32> = Limit {
    key: keys::CHAT_PROFANITY_LIMIT,
    default: 3,
    min: 1,
    max: 100,
    unit: "offensive words per chat",
    note: Some("the chat closes when it reaches the limit"),
};

/// `templates[].parameters`: Meta's body text takes numbered parameters; 20 is this
/// gateway's bound.
pub const TEMPLATE_PARAMETERS: Limit<u32> = Limit {
    key: keys::TEMPLATE_PARAMETERS,
    default: 0,
    min: 0,
    max: 20,
    unit: "body parameters",
    note: None,
};

/// Every `u32` limit of a table setting (one value per configuration), in file order.
pub const U32_LIMITS: &[Limit<u32>] = &[
    PUBLIC_MAX_CONNECTIONS,
    PUBLIC_MAX_BODY_BYTES,
    PUBLIC_HEADER_READ_TIMEOUT_MS,
    PUBLIC_BODY_READ_TIMEOUT_MS,
    PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
    PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
    PUBLIC_IDLE_TIMEOUT_MS,
    PUBLIC_INFLIGHT_BODY_BYTES,
    PUBLIC_MAX_DELIVERY_ENTRIES,
    PUBLIC_MAX_DELIVERY_CHANGES,
    PUBLIC_MAX_DELIVERY_ITEMS,
    STORE_DEDUPE_RETENTION_HOURS,
    STORE_DEDUPE_MAX_ENTRIES,
    STORE_CACHE_BYTES,
    STORE_MAX_BATCH,
    SHUTDOWN_GRACE_MS,
    CHAT_UNATTENDED_CLOSE_SECONDS,
    CHAT_IDLE_CLOSE_SECONDS,
    CHAT_BOT_IDLE_CLOSE_SECONDS,
    CHAT_PROFANITY_LIMIT,
];

/// Every `u32` limit of a setting in an array's entries (one value per entry).
pub const ITEM_U32_LIMITS: &[Limit<u32>] = &[TEMPLATE_PARAMETERS];

/// Every `u64` limit, in file order.
pub const U64_LIMITS: &[Limit<u64>] = &[STORE_QUOTA_BYTES];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_inside_its_range() {
        for limit in U32_LIMITS.iter().chain(ITEM_U32_LIMITS) {
            assert!(limit.allows(limit.default), "{}", limit.key);
            assert!(limit.min <= limit.max, "{}", limit.key);
        }
        for limit in U64_LIMITS {
            assert!(limit.allows(limit.default), "{}", limit.key);
        }
    }

    #[test]
    fn ranges_are_inclusive_at_both_ends() {
        let hours = STORE_DEDUPE_RETENTION_HOURS;
        assert!(!hours.allows(167));
        assert!(hours.allows(168));
        assert!(hours.allows(2_160));
        assert!(!hours.allows(2_161));
        assert!(!STORE_QUOTA_BYTES.allows(1024 * 1024 - 1));
        assert!(STORE_QUOTA_BYTES.allows(1024 * 1024));
        assert!(STORE_QUOTA_BYTES.allows(1 << 40));
        assert!(!STORE_QUOTA_BYTES.allows((1 << 40) + 1));
    }

    #[test]
    fn chat_limits_hold_at_the_issues_boundaries() {
        let unattended = CHAT_UNATTENDED_CLOSE_SECONDS;
        assert!(!unattended.allows(14 * 60 + 59), "14m59s");
        assert!(unattended.allows(15 * 60), "15 minutes");
        assert!(unattended.allows(31 * 24 * 3600), "31 days");
        assert!(!unattended.allows(31 * 24 * 3600 + 1));
        for idle in [CHAT_IDLE_CLOSE_SECONDS, CHAT_BOT_IDLE_CLOSE_SECONDS] {
            assert!(idle.allows(86_400), "24 h");
            assert!(!idle.allows(86_401), "24 h and 1 s");
            assert!(idle.allows(60));
            assert!(!idle.allows(59));
        }
        assert!(!CHAT_PROFANITY_LIMIT.allows(0));
        assert!(CHAT_PROFANITY_LIMIT.allows(100));
        assert!(!CHAT_PROFANITY_LIMIT.allows(101));
        assert!(TEMPLATE_PARAMETERS.allows(20));
        assert!(!TEMPLATE_PARAMETERS.allows(21));
    }

    #[test]
    fn the_documented_numbers_hold() {
        assert_eq!(PUBLIC_MAX_BODY_BYTES.default, 3_145_728);
        assert_eq!(PUBLIC_MAX_BODY_BYTES.min, 65_536);
        assert_eq!(PUBLIC_MAX_BODY_BYTES.max, 16_777_216);
        assert_eq!(STORE_CACHE_BYTES.default, 4_194_304);
        assert_eq!(STORE_CACHE_BYTES.min, 262_144);
        assert_eq!(STORE_CACHE_BYTES.max, 1_073_741_824);
        assert_eq!(STORE_QUOTA_BYTES.default, 1_073_741_824);
        assert_eq!(STORE_QUOTA_BYTES.max, 1_099_511_627_776);
    }
}
