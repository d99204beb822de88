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

/// Every `u32` limit, in file order.
pub const U32_LIMITS: &[Limit<u32>] = &[
    PUBLIC_MAX_CONNECTIONS,
    PUBLIC_MAX_BODY_BYTES,
    PUBLIC_HEADER_READ_TIMEOUT_MS,
    PUBLIC_BODY_READ_TIMEOUT_MS,
    PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
    PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
    STORE_DEDUPE_RETENTION_HOURS,
    STORE_DEDUPE_MAX_ENTRIES,
    STORE_CACHE_BYTES,
    STORE_MAX_BATCH,
    SHUTDOWN_GRACE_MS,
];

/// Every `u64` limit, in file order.
pub const U64_LIMITS: &[Limit<u64>] = &[STORE_QUOTA_BYTES];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_inside_its_range() {
        for limit in U32_LIMITS {
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
