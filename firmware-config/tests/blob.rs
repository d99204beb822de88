//! The firmware blob: golden bytes pin the layout; truncated, corrupted, foreign, future and
//! malformed blobs are each refused with their own error.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

use firmware_config::blob::{self, BlobError};
use firmware_config::{
    Config, EnvName, LogFilter, LogFormat, Path, ProblemKind, SecretSource, ShownValue, keys,
};

/// `Config::default()` as a blob.
const DEFAULT_BLOB: &str = "
    57474346 0100 47000000
    0e 2e2f776179676174652d64617461
    00 7f000001 fb41
    00 00
    8008 8080c001 904e b0ea01 904e 40
    00 7f000001 903f
    00 00
    8080808004 c001 80897a 80808002 8004
    904e
    00 04 696e666f
    f6fd6869";

/// `non_default()` as a blob.
const NON_DEFAULT_BLOB: &str = "
    57474346 0100 bb000000
    10 2f7661722f6c69622f77617967617465
    01 00000000000000000000000000000000 bb03 00 00
    01 15 2f6574632f776179676174652f636572742e70656d
    01 14 2f6574632f776179676174652f6b65792e70656d
    8008 8080c001 904e b0ea01 904e 40
    00 c0a8010a 903f
    03 12 574159474154455f4150505f534543524554
    02 19 2f72756e2f736563726574732f7665726966795f746f6b656e
    8080808020 c001 80897a 80808002 40
    00
    01 12 776179676174653d64656275672c696e666f
    51886372";

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn non_default() -> Config {
    let mut config = Config {
        data_dir: Path::try_from("/var/lib/waygate").unwrap(),
        ..Config::default()
    };
    config.public.listen = "[::]:443".parse().unwrap();
    config.public.tls_cert = Some(Path::try_from("/etc/waygate/cert.pem").unwrap());
    config.public.tls_key = Some(Path::try_from("/etc/waygate/key.pem").unwrap());
    config.local.listen = "192.168.1.10:8080".parse().unwrap();
    config.meta.app_secret = SecretSource::Env(EnvName::try_from("WAYGATE_APP_SECRET").unwrap());
    config.meta.verify_token =
        SecretSource::File(Path::try_from("/run/secrets/verify_token").unwrap());
    config.store.quota_bytes = 8 << 30;
    config.store.max_batch = 64;
    config.shutdown.grace_ms = 0;
    config.log.format = LogFormat::Json;
    config.log.filter = LogFilter::try_from("waygate=debug,info").unwrap();
    config
}

/// A blob with the given version and body, with a correct length and checksum.
fn frame(version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = b"WGCF".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend_from_slice(body);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn body_of(blob: &[u8]) -> &[u8] {
    &blob[blob::HEADER_LEN..blob.len() - blob::CHECKSUM_LEN]
}

#[test]
fn golden_default_blob() {
    let golden = hex(DEFAULT_BLOB);
    assert_eq!(blob::encode(&Config::default()), golden);
    assert_eq!(blob::decode(&golden), Ok(Config::default()));
    assert_eq!(blob::encoded_len(&Config::default()), golden.len());
    assert_eq!(golden.len(), 85, "the README quotes this size");
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
fn every_prefix_is_reported_truncated() {
    for golden in [hex(DEFAULT_BLOB), hex(NON_DEFAULT_BLOB)] {
        for cut in 0..golden.len() {
            let error = blob::decode(&golden[..cut]).unwrap_err();
            if cut < blob::HEADER_LEN {
                assert_eq!(
                    error,
                    BlobError::TooShort {
                        actual: cut,
                        min: 14
                    },
                    "{cut}"
                );
            } else {
                assert_eq!(
                    error,
                    BlobError::Truncated {
                        expected: golden.len(),
                        actual: cut
                    },
                    "{cut}"
                );
            }
            assert!(error.to_string().contains("truncated"), "{error}");
        }
    }
}

#[test]
fn every_flipped_bit_is_detected() {
    let golden = hex(DEFAULT_BLOB);
    for index in 0..golden.len() {
        for bit in 0..8 {
            let mut corrupted = golden.clone();
            corrupted[index] ^= 1 << bit;
            let error = blob::decode(&corrupted).unwrap_err();
            match index {
                0..4 => assert!(matches!(error, BlobError::BadMagic { .. }), "{index}"),
                6..10 => assert!(
                    matches!(
                        error,
                        BlobError::Truncated { .. } | BlobError::ChecksumMismatch { .. }
                    ),
                    "{index}.{bit}: {error:?}"
                ),
                _ => assert!(
                    matches!(error, BlobError::ChecksumMismatch { .. }),
                    "{index}.{bit}: {error:?}"
                ),
            }
        }
    }
}

#[test]
fn every_inverted_byte_is_detected() {
    let golden = hex(NON_DEFAULT_BLOB);
    for index in 0..golden.len() {
        let mut corrupted = golden.clone();
        corrupted[index] = !corrupted[index];
        let error = blob::decode(&corrupted).unwrap_err();
        assert!(
            matches!(
                error,
                BlobError::BadMagic { .. }
                    | BlobError::Truncated { .. }
                    | BlobError::ChecksumMismatch { .. }
            ),
            "{index}: {error:?}"
        );
        if index >= 10 {
            assert!(error.to_string().contains("corrupted"), "{error}");
        }
    }
}

#[test]
fn a_future_version_asks_for_an_upgrade() {
    let future = frame(7, body_of(&hex(DEFAULT_BLOB)));
    let error = blob::decode(&future).unwrap_err();
    assert_eq!(
        error,
        BlobError::UnsupportedVersion {
            found: 7,
            supported: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "blob format version 7 is newer than this build reads (1); upgrade waygate"
    );
    let ancient = blob::decode(&frame(0, b"")).unwrap_err();
    assert!(matches!(
        ancient,
        BlobError::UnsupportedVersion { found: 0, .. }
    ));
    assert!(!ancient.to_string().contains("newer"), "{ancient}");
}

#[test]
fn foreign_files_have_a_bad_magic() {
    let toml = b"data_dir = \"/var/lib/waygate\"\n";
    let error = blob::decode(toml).unwrap_err();
    assert_eq!(error, BlobError::BadMagic { found: *b"data" });
    assert!(
        error.to_string().contains("not a waygate config blob"),
        "{error}"
    );
    assert!(matches!(
        blob::decode(b"PK\x03\x04"),
        Err(BlobError::BadMagic { .. })
    ));
}

#[test]
fn bytes_after_the_checksum_are_refused_unless_reading_a_prefix() {
    let golden = hex(DEFAULT_BLOB);
    let mut padded = golden.clone();
    padded.extend_from_slice(&[0xff; 3]);
    assert_eq!(
        blob::decode(&padded),
        Err(BlobError::TrailingBytes { extra: 3 })
    );
    assert_eq!(
        blob::decode_prefix(&padded),
        Ok((Config::default(), golden.len()))
    );
}

#[test]
fn a_body_that_does_not_decode_is_malformed() {
    let garbage = frame(1, &[0xff; 6]);
    let error = blob::decode(&garbage).unwrap_err();
    assert!(matches!(error, BlobError::Malformed { .. }), "{error:?}");
    assert!(error.to_string().contains("malformed"), "{error}");

    let mut longer = body_of(&hex(DEFAULT_BLOB)).to_vec();
    longer.push(0);
    let error = blob::decode(&frame(1, &longer)).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );

    let golden = hex(DEFAULT_BLOB);
    let body = body_of(&golden);
    let error = blob::decode(&frame(1, &body[..body.len() - 1])).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "the body ends early"
        }
    );
}

#[test]
fn a_decoded_config_is_validated() {
    let mut config = Config::default();
    config.store.dedupe_retention_hours = 100;
    config.public.max_connections = 0;
    let error = blob::decode(&blob::encode(&config)).unwrap_err();
    let BlobError::Invalid(problems) = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    let keys: Vec<_> = problems.iter().map(|problem| problem.key()).collect();
    assert_eq!(
        keys,
        [
            keys::PUBLIC_MAX_CONNECTIONS,
            keys::STORE_DEDUPE_RETENTION_HOURS
        ]
    );
    assert!(
        error
            .to_string()
            .contains("store.dedupe_retention_hours = 100: must be between 168 and 2160")
    );
}

/// The default body with its leading `data_dir` string replaced by `replacement`
/// (already postcard-encoded).
fn default_body_with_data_dir(replacement: &[u8]) -> Vec<u8> {
    let golden = hex(DEFAULT_BLOB);
    let body = body_of(&golden);
    let old_len = 1 + usize::from(body[0]);
    let mut out = replacement.to_vec();
    out.extend_from_slice(&body[old_len..]);
    out
}

#[test]
fn a_string_beyond_its_capacity_is_invalid() {
    let mut data_dir = vec![0x81, 0x02];
    data_dir.extend(std::iter::repeat_n(b'a', 257));
    let error = blob::decode(&frame(1, &default_body_with_data_dir(&data_dir))).unwrap_err();
    let BlobError::Invalid(problems) = error else {
        panic!("expected Invalid, got {error:?}");
    };
    let problem = problems.iter().next().unwrap();
    assert_eq!(problem.key(), keys::DATA_DIR);
    assert_eq!(
        problem.kind(),
        &ProblemKind::TooLong {
            len: 257,
            capacity: 256
        }
    );
}

#[test]
fn an_oversized_inline_secret_is_reported_without_its_text() {
    let golden = hex(DEFAULT_BLOB);
    let body = body_of(&golden);
    // The app secret's tag follows data_dir (15 bytes), public (7 + 2 + 14) and local (7).
    let at = 15 + 7 + 2 + 14 + 7;
    assert_eq!(&body[at..at + 2], [0, 0], "both secrets are Generated");
    let mut patched = body[..at].to_vec();
    patched.extend_from_slice(&[0x01, 0x81, 0x02]);
    patched.extend(std::iter::repeat_n(b'S', 257));
    patched.extend_from_slice(&body[at + 1..]);
    let error = blob::decode(&frame(1, &patched)).unwrap_err();
    let BlobError::Invalid(problems) = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    let problem = problems.iter().next().unwrap();
    assert_eq!(problem.key(), keys::META_APP_SECRET);
    assert_eq!(problem.value(), &ShownValue::Redacted);
    assert!(!error.to_string().contains("SSSS"), "{error}");
    assert!(!format!("{error:?}").contains("SSSS"), "{error:?}");
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

fn full(fill: char, capacity: usize) -> String {
    std::iter::repeat_n(fill, capacity).collect()
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
    config.meta.app_secret = SecretSource::Inline(full('s', 256).as_str().try_into().unwrap());
    config.meta.verify_token = SecretSource::File(config.data_dir.clone());
    config.store.quota_bytes = u64::MAX;
    config.store.dedupe_retention_hours = u32::MAX;
    config.store.dedupe_max_entries = u32::MAX;
    config.store.cache_bytes = u32::MAX;
    config.store.max_batch = u32::MAX;
    config.shutdown.grace_ms = u32::MAX;
    config.log.format = LogFormat::Json;
    config.log.filter = full('f', 256).as_str().try_into().unwrap();
    assert_eq!(blob::encoded_len(&config), blob::MAX_ENCODED_LEN);
    assert_eq!(blob::MAX_ENCODED_LEN, 1692, "the README quotes this size");
    let encoded = blob::encode(&config);
    assert_eq!(encoded.len(), blob::MAX_ENCODED_LEN);
    // Every field survives the trip, even the flow label; only validation objects.
    assert!(matches!(blob::decode(&encoded), Err(BlobError::Invalid(_))));
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
