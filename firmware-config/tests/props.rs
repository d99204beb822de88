//! Property tests: every valid configuration survives TOML and the blob unchanged; decoders
//! never panic on arbitrary input; a corrupted blob is never accepted; secrets never leak.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use firmware_config::blob::{self, BlobError};
use firmware_config::limits::{self, Limit};
use firmware_config::{
    Config, LocalListener, LogFormat, LogSettings, MetaSettings, PublicListener, SecretSource,
    ShutdownSettings, StoreSettings, parse_toml,
};
use proptest::prelude::*;

/// Any text of at most `N` bytes (cut on a character boundary) and at least `min_chars`
/// characters.
fn fixed_text<const N: usize>(min_chars: usize) -> impl Strategy<Value = heapless::String<N>> {
    let chars = prop_oneof![
        3 => any::<char>(),
        3 => proptest::char::range('a', 'z'),
        1 => prop::sample::select(vec!['"', '\'', '\\', '\n', '\r', '\t', '\u{7f}', '#', '=']),
    ];
    prop::collection::vec(chars, min_chars..=N).prop_map(|chars| {
        let mut out = heapless::String::new();
        for ch in chars {
            if out.push(ch).is_err() {
                break;
            }
        }
        out
    })
}

fn non_blank<const N: usize>() -> impl Strategy<Value = heapless::String<N>> {
    fixed_text::<N>(1).prop_filter("blank", |text| !text.trim().is_empty())
}

fn env_name() -> impl Strategy<Value = heapless::String<64>> {
    "[A-Za-z_][A-Za-z0-9_]{0,63}"
        .prop_map(|name| heapless::String::try_from(name.as_str()).unwrap())
}

/// Any socket address; `with_flowinfo` adds an IPv6 flow label (which TOML cannot carry).
fn socket_addr(with_flowinfo: bool) -> impl Strategy<Value = SocketAddr> {
    let flowinfo = if with_flowinfo {
        any::<u32>().boxed()
    } else {
        Just(0).boxed()
    };
    prop_oneof![
        (any::<u32>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port)),
        (any::<u128>(), any::<u16>(), flowinfo, any::<u32>()).prop_map(
            |(ip, port, flowinfo, scope_id)| SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(ip),
                port,
                flowinfo,
                scope_id
            ))
        ),
    ]
}

fn in_limit<T>(limit: Limit<T>) -> impl Strategy<Value = T>
where
    T: Copy + std::fmt::Debug + 'static,
    std::ops::RangeInclusive<T>: Strategy<Value = T>,
{
    limit.min..=limit.max
}

fn secret_source() -> impl Strategy<Value = SecretSource> {
    prop_oneof![
        Just(SecretSource::Generated),
        fixed_text::<256>(1).prop_map(SecretSource::Inline),
        fixed_text::<256>(1).prop_map(SecretSource::File),
        env_name().prop_map(SecretSource::Env),
    ]
}

fn log_format() -> impl Strategy<Value = LogFormat> {
    prop_oneof![Just(LogFormat::Text), Just(LogFormat::Json)]
}

fn public_listener(with_flowinfo: bool) -> impl Strategy<Value = PublicListener> {
    let tls = prop::option::of((fixed_text::<256>(1), fixed_text::<256>(1)));
    (
        socket_addr(with_flowinfo),
        tls,
        in_limit(limits::PUBLIC_MAX_CONNECTIONS),
        in_limit(limits::PUBLIC_MAX_BODY_BYTES),
        in_limit(limits::PUBLIC_HEADER_READ_TIMEOUT_MS),
        in_limit(limits::PUBLIC_BODY_READ_TIMEOUT_MS),
        in_limit(limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS),
        in_limit(limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS),
    )
        .prop_map(
            |(listen, tls, connections, body, header_ms, body_ms, handshake_ms, streams)| {
                let (tls_cert, tls_key) = tls.map_or((None, None), |(c, k)| (Some(c), Some(k)));
                PublicListener {
                    listen,
                    tls_cert,
                    tls_key,
                    max_connections: connections,
                    max_body_bytes: body,
                    header_read_timeout_ms: header_ms,
                    body_read_timeout_ms: body_ms,
                    tls_handshake_timeout_ms: handshake_ms,
                    http2_max_concurrent_streams: streams,
                }
            },
        )
}

fn store_settings() -> impl Strategy<Value = StoreSettings> {
    (
        in_limit(limits::STORE_QUOTA_BYTES),
        in_limit(limits::STORE_DEDUPE_RETENTION_HOURS),
        in_limit(limits::STORE_DEDUPE_MAX_ENTRIES),
        in_limit(limits::STORE_CACHE_BYTES),
        in_limit(limits::STORE_MAX_BATCH),
    )
        .prop_map(|(quota, hours, entries, cache, batch)| StoreSettings {
            quota_bytes: quota,
            dedupe_retention_hours: hours,
            dedupe_max_entries: entries,
            cache_bytes: cache,
            max_batch: batch,
        })
}

/// Any valid configuration.
fn valid_config(with_flowinfo: bool) -> impl Strategy<Value = Config> {
    (
        fixed_text::<256>(1),
        public_listener(with_flowinfo),
        socket_addr(with_flowinfo),
        (secret_source(), secret_source()),
        store_settings(),
        in_limit(limits::SHUTDOWN_GRACE_MS),
        (log_format(), non_blank::<256>()),
    )
        .prop_map(
            |(data_dir, public, local, (app_secret, verify_token), store, grace_ms, log)| Config {
                data_dir,
                public,
                local: LocalListener { listen: local },
                meta: MetaSettings {
                    app_secret,
                    verify_token,
                },
                store,
                shutdown: ShutdownSettings { grace_ms },
                log: LogSettings {
                    format: log.0,
                    filter: log.1,
                },
            },
        )
        .prop_filter("listeners collide", |config| config.validate().is_ok())
}

/// Any configuration, valid or not.
fn any_config() -> impl Strategy<Value = Config> {
    (
        valid_config(true),
        any::<[u32; 11]>(),
        any::<u64>(),
        fixed_text::<256>(0),
    )
        .prop_map(|(mut config, numbers, quota, data_dir)| {
            let fields = [
                &mut config.public.max_connections,
                &mut config.public.max_body_bytes,
                &mut config.public.header_read_timeout_ms,
                &mut config.public.body_read_timeout_ms,
                &mut config.public.tls_handshake_timeout_ms,
                &mut config.public.http2_max_concurrent_streams,
                &mut config.store.dedupe_retention_hours,
                &mut config.store.dedupe_max_entries,
                &mut config.store.cache_bytes,
                &mut config.store.max_batch,
                &mut config.shutdown.grace_ms,
            ];
            for (field, number) in fields.into_iter().zip(numbers) {
                *field = number;
            }
            config.store.quota_bytes = quota;
            config.data_dir = data_dir;
            config
        })
}

proptest! {
    #[test]
    fn toml_round_trips_every_valid_config(config in valid_config(false)) {
        let text = config.to_toml();
        prop_assert_eq!(parse_toml(&text), Ok(config), "{}", text);
    }

    #[test]
    fn the_blob_round_trips_every_valid_config(config in valid_config(true)) {
        let encoded = blob::encode(&config);
        prop_assert_eq!(encoded.len(), blob::encoded_len(&config));
        prop_assert!(encoded.len() <= blob::MAX_ENCODED_LEN);
        prop_assert_eq!(blob::decode(&encoded), Ok(config));
    }

    #[test]
    fn the_blob_carries_any_config_and_decode_validates_it(config in any_config()) {
        let decoded = blob::decode(&blob::encode(&config));
        match config.validate() {
            Ok(()) => prop_assert_eq!(decoded, Ok(config)),
            Err(problems) => prop_assert_eq!(decoded, Err(BlobError::Invalid(problems))),
        }
    }

    #[test]
    fn a_changed_byte_is_never_accepted(
        config in valid_config(true),
        index in any::<prop::sample::Index>(),
        change in 1..=u8::MAX,
    ) {
        let mut encoded = blob::encode(&config);
        let at = index.index(encoded.len());
        encoded[at] ^= change;
        let error = blob::decode(&encoded).unwrap_err();
        prop_assert!(
            matches!(
                error,
                BlobError::BadMagic { .. }
                    | BlobError::Truncated { .. }
                    | BlobError::ChecksumMismatch { .. }
            ),
            "byte {} ^ {}: {:?}", at, change, error
        );
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        prop_assert!(blob::decode(&bytes).is_err() || bytes.starts_with(b"WGCF"));
    }

    #[test]
    fn decode_never_panics_on_a_well_framed_random_body(
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut framed = b"WGCF\x01\x00".to_vec();
        framed.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        framed.extend_from_slice(&body);
        let crc = crc32fast::hash(&framed);
        framed.extend_from_slice(&crc.to_le_bytes());
        if let Err(error) = blob::decode(&framed) {
            prop_assert!(
                matches!(error, BlobError::Malformed { .. } | BlobError::Invalid(_)),
                "{:?}", error
            );
        }
    }

    #[test]
    fn parse_toml_never_panics(text in "\\PC{0,200}") {
        let _outcome = parse_toml(&text);
    }

    #[test]
    fn problems_never_contain_an_inline_secret(
        secret in "[A-Za-z0-9]{12,400}",
        extra_source in prop::sample::select(vec!["", "app_secret_file = \"/x\"\n", "app_secret_env = \"X\"\n"]),
        max_connections in any::<i64>(),
    ) {
        let text = format!(
            "[meta]\napp_secret = \"{secret}\"\n{extra_source}[public]\nmax_connections = {max_connections}\n"
        );
        if let Err(errors) = parse_toml(&text) {
            prop_assert!(!errors.to_string().contains(&secret), "{}", errors);
            let debug = format!("{errors:?}");
            prop_assert!(!debug.contains(&secret));
        }
        if let Ok(config) = parse_toml(&text) {
            let debug = format!("{config:?}");
            prop_assert!(!debug.contains(&secret));
        }
    }
}
