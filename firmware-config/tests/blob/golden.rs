//! Golden bytes pin the version-6 layout; encoded sizes are exact and bounded.

use firmware_config::blob::{self, BlobError};
use firmware_config::{
    Article, CannedResponse, Config, Date, Department, LogFormat, Number, Operator, OperatorToken,
    Path, PricingCategory, Rate, SecretSource, Template, TemplateCategory, TemplateStatus,
    UtcOffset,
};

use crate::fixtures::{DEFAULT_BLOB, NON_DEFAULT_BLOB, full, hex, non_default};

#[test]
fn golden_default_blob() {
    let golden = hex(DEFAULT_BLOB);
    assert_eq!(blob::encode(&Config::default()), golden);
    assert_eq!(blob::decode(&golden), Ok(Config::default()));
    assert_eq!(blob::encoded_len(&Config::default()), golden.len());
    assert_eq!(golden.len(), 170, "the README quotes this size");
}

#[test]
fn golden_non_default_blob() {
    let config = non_default();
    assert_eq!(config.validate(), Ok(()));
    let golden = hex(NON_DEFAULT_BLOB);
    assert_eq!(blob::encode(&config), golden);
    assert_eq!(blob::decode(&golden), Ok(config));
}

#[test]
fn the_header_fields_sit_where_the_layout_says() {
    let blob = blob::encode(&non_default());
    assert_eq!(&blob[0..4], b"WGCF");
    assert_eq!(u16::from_le_bytes([blob[4], blob[5]]), blob::FORMAT_VERSION);
    let length = u32::from_le_bytes(blob[6..10].try_into().unwrap());
    assert_eq!(usize::try_from(length).unwrap(), blob.len() - 14);
    let (framed, crc) = blob.split_at(blob.len() - 4);
    assert_eq!(crc32fast::hash(framed).to_le_bytes(), crc);
}

#[test]
fn encode_to_slice_needs_the_exact_length_and_no_more() {
    let config = non_default();
    let needed = blob::encoded_len(&config);
    for capacity in [0, 1, 13, needed - 1] {
        let mut buffer = vec![0; capacity];
        assert_eq!(
            blob::encode_to_slice(&config, &mut buffer),
            Err(BlobError::BufferTooSmall { needed, capacity })
        );
    }
    let mut buffer = [0_u8; blob::MAX_ENCODED_LEN];
    let written = blob::encode_to_slice(&config, &mut buffer).unwrap();
    assert_eq!(written, needed);
    assert_eq!(&buffer[..written], hex(NON_DEFAULT_BLOB));
}

#[test]
fn max_encoded_len_is_the_largest_blob() {
    let mut config = Config::default();
    let widest = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535";
    let mut addr: std::net::SocketAddr = widest.parse().unwrap();
    if let std::net::SocketAddr::V6(v6) = &mut addr {
        v6.set_flowinfo(u32::MAX);
    }
    config.data_dir = Path::try_from(full('d', 256).as_str()).unwrap();
    config.public.listen = addr;
    config.local.listen = addr;
    config.public.tls_cert = Some(config.data_dir.clone());
    config.public.tls_key = Some(config.data_dir.clone());
    config.public.max_connections = u32::MAX;
    config.public.max_body_bytes = u32::MAX;
    config.public.header_read_timeout_ms = u32::MAX;
    config.public.body_read_timeout_ms = u32::MAX;
    config.public.tls_handshake_timeout_ms = u32::MAX;
    config.public.http2_max_concurrent_streams = u32::MAX;
    config.public.idle_timeout_ms = u32::MAX;
    config.public.inflight_body_bytes = u32::MAX;
    config.public.max_delivery_entries = u32::MAX;
    config.public.max_delivery_changes = u32::MAX;
    config.public.max_delivery_items = u32::MAX;
    config.meta.app_secret = SecretSource::Inline(full('s', 256).as_str().try_into().unwrap());
    config.meta.verify_token = SecretSource::File(config.data_dir.clone());
    config.meta.graph_base_url = full('u', 256).as_str().try_into().unwrap();
    config.meta.graph_api_version = full('v', 16).as_str().try_into().unwrap();
    config.meta.access_token = config.meta.app_secret.clone();
    config.meta.ca_file = Some(config.data_dir.clone());
    config.store.quota_bytes = u64::MAX;
    config.store.dedupe_retention_hours = u32::MAX;
    config.store.dedupe_max_entries = u32::MAX;
    config.store.cache_bytes = u32::MAX;
    config.store.max_batch = u32::MAX;
    config.shutdown.grace_ms = u32::MAX;
    config.log.format = LogFormat::Json;
    config.log.filter = full('f', 256).as_str().try_into().unwrap();
    fill_lists_to_capacity(&mut config);
    assert_eq!(blob::encoded_len(&config), blob::MAX_ENCODED_LEN);
    assert_eq!(
        blob::MAX_ENCODED_LEN,
        116_230,
        "the README quotes this size"
    );
    let encoded = blob::encode(&config);
    assert_eq!(encoded.len(), blob::MAX_ENCODED_LEN);
    // Every field survives the trip, even the flow label; only validation objects.
    assert!(matches!(blob::decode(&encoded), Err(BlobError::Invalid(_))));
}

/// Every list full, every entry's strings at capacity and numbers at their widest.
fn fill_lists_to_capacity(config: &mut Config) {
    let chat = &mut config.chat;
    chat.unattended_close_seconds = u32::MAX;
    chat.idle_close_seconds = u32::MAX;
    chat.bot_idle_close_seconds = u32::MAX;
    chat.profanity_limit = u32::MAX;
    while chat.profanity_word_lists.len() < chat.profanity_word_lists.capacity() {
        let file = Path::try_from(full('w', 256).as_str()).unwrap();
        chat.profanity_word_lists.push(file).unwrap();
    }
    while config.departments.len() < config.departments.capacity() {
        let mut department = Department {
            name: full('n', 64).as_str().try_into().unwrap(),
            ..Department::default()
        };
        while department.numbers.len() < department.numbers.capacity() {
            let number = full('9', 32).as_str().try_into().unwrap();
            department.numbers.push(number).unwrap();
        }
        config.departments.push(department).unwrap();
    }
    while config.templates.len() < config.templates.capacity() {
        let template = Template {
            name: full('t', 512).as_str().try_into().unwrap(),
            language: full('l', 16).as_str().try_into().unwrap(),
            category: TemplateCategory::Authentication,
            parameters: u32::MAX,
            status: TemplateStatus::Disabled,
        };
        config.templates.push(template).unwrap();
    }
    while config.numbers.len() < config.numbers.capacity() {
        let number = Number {
            phone_number_id: full('9', 32).as_str().try_into().unwrap(),
            waba_id: Some(full('9', 32).as_str().try_into().unwrap()),
            display_phone_number: Some(full('n', 64).as_str().try_into().unwrap()),
            messages_per_second: u32::MAX,
            strict_order: true,
        };
        config.numbers.push(number).unwrap();
    }
    config.pricing.service_free_tier_per_month = u32::MAX;
    config.pricing.billing_utc_offset = UtcOffset { minutes: i16::MIN };
    while config.pricing.rates.len() < config.pricing.rates.capacity() {
        let rate = Rate {
            market: "ZZ".try_into().unwrap(),
            category: PricingCategory::AuthenticationInternational,
            micro_usd: u64::MAX,
            from: Date::EPOCH,
        };
        config.pricing.rates.push(rate).unwrap();
    }
    config.credits.usd_per_credit = u32::MAX;
    config.credits.purchase_fee_percent = u32::MAX;
    config.store.retention_days = Some(u32::MAX);
    let upstream = &mut config.upstream;
    upstream.url = Some(full('u', 256).as_str().try_into().unwrap());
    upstream.secret = SecretSource::Inline(full('s', 256).as_str().try_into().unwrap());
    upstream.gateway_id = Some(full('g', 64).as_str().try_into().unwrap());
    upstream.max_batch_events = u32::MAX;
    upstream.max_batch_bytes = u32::MAX;
    upstream.commands_url = upstream.url.clone();
    while config.canned_responses.len() < config.canned_responses.capacity() {
        let canned = CannedResponse {
            id: full('i', 64).as_str().try_into().unwrap(),
            shortcut: full('/', 32).as_str().try_into().unwrap(),
            body: full('b', 1024).as_str().try_into().unwrap(),
        };
        config.canned_responses.push(canned).unwrap();
    }
    while config.articles.len() < config.articles.capacity() {
        let article = Article {
            id: full('i', 64).as_str().try_into().unwrap(),
            title: full('t', 200).as_str().try_into().unwrap(),
            body: full('b', 2048).as_str().try_into().unwrap(),
            link: Some(full('l', 512).as_str().try_into().unwrap()),
        };
        config.articles.push(article).unwrap();
    }
    let console = &mut config.console;
    console.time_zone = Some(full('z', 64).as_str().try_into().unwrap());
    console.session_idle_seconds = u32::MAX;
    console.session_max_hours = u32::MAX;
    while config.operators.len() < config.operators.capacity() {
        let operator = Operator {
            name: full('o', 64).as_str().try_into().unwrap(),
            token: OperatorToken::File(full('p', 256).as_str().try_into().unwrap()),
        };
        config.operators.push(operator).unwrap();
    }
}

#[test]
fn ipv6_scope_and_flow_label_survive_a_blob() {
    let mut config = Config::default();
    config.public.listen = std::net::SocketAddr::V6(std::net::SocketAddrV6::new(
        "fe80::1".parse().unwrap(),
        8443,
        0x000a_bcde,
        3,
    ));
    assert_eq!(blob::decode(&blob::encode(&config)), Ok(config));
}
