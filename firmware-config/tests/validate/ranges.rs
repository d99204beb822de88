//! Every number's declared range, at both edges: the documented numbers, enforced by validation.

use firmware_config::{Config, PricingCategory, ProblemKind, Rate, Template, TemplateStatus};

use crate::declared_ranges::declared_ranges;
use crate::{kinds, template};

type Field = fn(&mut Config) -> &mut u32;

/// Each 32-bit number: its key, its documented range, and where it lives (an optional one
/// written; a console limit with the other one at its widest, so only the range can object).
const U32_SETTINGS: [(&str, u32, u32, Field); 30] = [
    ("public.max_connections", 1, 65_535, |c| {
        &mut c.public.max_connections
    }),
    ("public.max_body_bytes", 65_536, 16_777_216, |c| {
        &mut c.public.max_body_bytes
    }),
    ("public.header_read_timeout_ms", 100, 300_000, |c| {
        &mut c.public.header_read_timeout_ms
    }),
    ("public.body_read_timeout_ms", 100, 600_000, |c| {
        &mut c.public.body_read_timeout_ms
    }),
    ("public.tls_handshake_timeout_ms", 100, 300_000, |c| {
        &mut c.public.tls_handshake_timeout_ms
    }),
    ("public.http2_max_concurrent_streams", 1, 1_000, |c| {
        &mut c.public.http2_max_concurrent_streams
    }),
    ("public.idle_timeout_ms", 100, 3_600_000, |c| {
        &mut c.public.idle_timeout_ms
    }),
    ("public.inflight_body_bytes", 65_536, 1 << 30, |c| {
        // Its range only: the smallest body cap lets the smallest budget cover it.
        c.public.max_body_bytes = 65_536;
        &mut c.public.inflight_body_bytes
    }),
    ("public.max_delivery_entries", 1, 100_000, |c| {
        &mut c.public.max_delivery_entries
    }),
    ("public.max_delivery_changes", 1, 100_000, |c| {
        &mut c.public.max_delivery_changes
    }),
    ("public.max_delivery_items", 1, 1_000_000, |c| {
        &mut c.public.max_delivery_items
    }),
    ("store.dedupe_retention_hours", 168, 2_160, |c| {
        &mut c.store.dedupe_retention_hours
    }),
    ("store.dedupe_max_entries", 1_000, 100_000_000, |c| {
        &mut c.store.dedupe_max_entries
    }),
    ("store.cache_bytes", 262_144, 1 << 30, |c| {
        &mut c.store.cache_bytes
    }),
    ("store.max_batch", 1, 10_000, |c| &mut c.store.max_batch),
    ("shutdown.grace_ms", 0, 600_000, |c| {
        &mut c.shutdown.grace_ms
    }),
    (
        "chat.unattended_close_seconds",
        15 * 60,
        31 * 24 * 3600,
        |c| &mut c.chat.unattended_close_seconds,
    ),
    ("chat.idle_close_seconds", 60, 24 * 3600, |c| {
        &mut c.chat.idle_close_seconds
    }),
    ("chat.bot_idle_close_seconds", 60, 24 * 3600, |c| {
        &mut c.chat.bot_idle_close_seconds
    }),
    ("chat.profanity_limit", 1, 100, |c| {
        &mut c.chat.profanity_limit
    }),
    ("templates[].parameters", 0, 20, |c| {
        c.templates.push(template("order_update", "en")).unwrap();
        &mut c.templates[0].parameters
    }),
    ("numbers[].messages_per_second", 1, 1_000, |c| {
        c.numbers.push(crate::number("106540352242922")).unwrap();
        &mut c.numbers[0].messages_per_second
    }),
    ("pricing.service_free_tier_per_month", 0, 1_000_000, |c| {
        &mut c.pricing.service_free_tier_per_month
    }),
    ("credits.usd_per_credit", 1, 1_000, |c| {
        &mut c.credits.usd_per_credit
    }),
    ("credits.purchase_fee_percent", 0, 100, |c| {
        &mut c.credits.purchase_fee_percent
    }),
    ("upstream.max_batch_events", 1, 10_000, |c| {
        &mut c.upstream.max_batch_events
    }),
    ("upstream.max_batch_bytes", 4 << 10, 16 << 20, |c| {
        &mut c.upstream.max_batch_bytes
    }),
    ("store.retention_days", 0, 3_650, |c| {
        c.store.retention_days.insert(0)
    }),
    ("console.session_idle_seconds", 300, 604_800, |c| {
        c.console.session_max_hours = 720;
        &mut c.console.session_idle_seconds
    }),
    ("console.session_max_hours", 1, 720, |c| {
        c.console.session_idle_seconds = 300;
        &mut c.console.session_max_hours
    }),
];

#[test]
fn the_documented_ranges_are_the_declared_ones() {
    let declared = declared_ranges();
    let mut documented: Vec<(&str, u64, u64)> = U32_SETTINGS
        .iter()
        .map(|(key, min, max, _)| (*key, u64::from(*min), u64::from(*max)))
        .collect();
    documented.push(("store.quota_bytes", 1 << 20, 1 << 40));
    documented.push(("pricing.rates[].micro_usd", 0, 100_000_000));
    let mut declared_numbers: Vec<(&str, u64, u64)> = declared
        .iter()
        .map(|(key, range)| (*key, range.min, range.max))
        .collect();
    documented.sort_unstable();
    declared_numbers.sort_unstable();
    assert_eq!(documented, declared_numbers);
}

#[test]
fn every_number_is_enforced_at_both_edges() {
    for (key, min, max, field) in U32_SETTINGS {
        for (value, ok) in [
            (min, true),
            (max, true),
            (max + 1, false),
            (min.wrapping_sub(1), false),
        ] {
            let mut config = Config::default();
            *field(&mut config) = value;
            let found = kinds(&config);
            if ok {
                assert!(found.is_empty(), "{key} = {value}: {found:?}");
            } else {
                assert_eq!(found.len(), 1, "{key} = {value}: {found:?}");
                let pattern = config
                    .validate()
                    .unwrap_err()
                    .iter()
                    .next()
                    .unwrap()
                    .path()
                    .pattern();
                assert_eq!(pattern, key, "{key} = {value}");
                assert!(
                    matches!(found[0].1, ProblemKind::OutOfRange { .. }),
                    "{key}"
                );
            }
        }
    }
}

#[test]
fn the_quota_is_enforced_at_both_edges() {
    for (quota, ok) in [
        ((1 << 20) - 1, false),
        (1 << 20, true),
        (1 << 40, true),
        ((1 << 40) + 1, false),
    ] {
        let mut config = Config::default();
        config.store.quota_bytes = quota;
        let found = kinds(&config);
        assert_eq!(found.is_empty(), ok, "{quota}: {found:?}");
        if !ok {
            assert_eq!(found[0].0, "store.quota_bytes");
        }
    }
}

#[test]
fn a_price_is_at_most_100_usd() {
    for (micro_usd, ok) in [(0, true), (100_000_000, true), (100_000_001, false)] {
        let mut config = Config::default();
        let rate = crate::rate("US", PricingCategory::Marketing, (2026, 10, 1));
        config
            .pricing
            .rates
            .push(Rate { micro_usd, ..rate })
            .unwrap();
        assert_eq!(kinds(&config).is_empty(), ok, "{micro_usd}");
    }
}

#[test]
fn out_of_range_reads_like_the_spec() {
    let mut config = Config::default();
    config.store.dedupe_retention_hours = 167;
    let problems = config.validate().unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems.to_string(),
        "store.dedupe_retention_hours = 167: must be between 168 and 2160 \
         (hours; Meta retries for 7 days)"
    );
    let mut config = Config::default();
    config.public.max_body_bytes = 1;
    assert_eq!(
        config.validate().unwrap_err().to_string(),
        "public.max_body_bytes = 1: must be between 65536 and 16777216 \
         (bytes; Meta sends at most 3 MiB)"
    );
}

#[test]
fn the_defaults_are_valid_and_the_documented_values() {
    let config = Config::default();
    assert_eq!(config.validate(), Ok(()));
    assert_eq!(config.data_dir, "./waygate-data");
    assert_eq!(config.public.listen.to_string(), "127.0.0.1:8443");
    assert_eq!(config.local.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.public.max_body_bytes, 3 << 20);
    assert_eq!(config.public.max_connections, 1024);
    assert_eq!(config.public.inflight_body_bytes, 32 << 20);
    assert_eq!(config.store.quota_bytes, 1 << 30);
    assert_eq!(config.store.cache_bytes, 4 << 20);
    assert_eq!(config.store.dedupe_retention_hours, 192);
    assert_eq!(config.shutdown.grace_ms, 10_000);
    assert_eq!(config.log.filter, "info");
    assert_eq!(config.log.format, firmware_config::LogFormat::Text);
    assert_eq!(
        config.meta.app_secret,
        firmware_config::SecretSource::Generated
    );
    assert_eq!(config.public.tls_cert, None);
    let chat = &config.chat;
    assert_eq!(chat.unattended_close_seconds, 3600);
    assert_eq!(chat.idle_close_seconds, 3600);
    assert_eq!(chat.bot_idle_close_seconds, 600);
    assert_eq!(chat.profanity_limit, 3);
    assert!(!chat.bot_enabled && !chat.strict_order);
    assert!(chat.profanity_word_lists.is_empty());
    assert_eq!(Template::default().status, TemplateStatus::Pending);
    assert_eq!(Template::default().parameters, 0);
    assert_eq!(config.meta.graph_base_url, "https://graph.facebook.com");
    assert_eq!(config.meta.graph_api_version, "v24.0");
    assert_eq!(
        config.meta.access_token,
        firmware_config::SecretSource::Generated
    );
    assert_eq!(config.meta.ca_file, None);
    let number = crate::number("1");
    assert_eq!(
        (number.messages_per_second, number.strict_order),
        (80, true)
    );
    assert_eq!(config.pricing.service_free_tier_per_month, 1_000);
    assert_eq!(config.pricing.billing_utc_offset.minutes, 0);
    assert_eq!(
        (
            config.credits.usd_per_credit,
            config.credits.purchase_fee_percent
        ),
        (2, 3)
    );
}
