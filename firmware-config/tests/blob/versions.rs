//! Versions: versions 1 to 5 are still read, each version extends the previous body, others
//! are refused.

use firmware_config::Config;
use firmware_config::blob::{self, BlobError};

use crate::fixtures::{
    DEFAULT_BLOB, NON_DEFAULT_BLOB, V1_DEFAULT_BLOB, V1_NON_DEFAULT_BLOB, V2_DEFAULT_BLOB,
    V2_NON_DEFAULT_BLOB, V3_DEFAULT_BLOB, V3_NON_DEFAULT_BLOB, V4_DEFAULT_BLOB,
    V4_NON_DEFAULT_BLOB, V5_DEFAULT_BLOB, V5_NON_DEFAULT_BLOB, body_of, frame, hex, non_default_v1,
    non_default_v2, non_default_v3, non_default_v4, non_default_v5,
};

#[test]
fn version_1_blobs_still_decode_with_the_new_settings_at_their_defaults() {
    assert_eq!(blob::decode(&hex(V1_DEFAULT_BLOB)), Ok(Config::default()));
    let decoded = blob::decode(&hex(V1_NON_DEFAULT_BLOB)).unwrap();
    assert_eq!(decoded, non_default_v1());
    assert_eq!(decoded.chat, Config::default().chat);
    assert!(decoded.departments.is_empty() && decoded.templates.is_empty());
    assert!(decoded.operators.is_empty());
    let padded = [hex(V1_DEFAULT_BLOB), vec![0xff; 5]].concat();
    assert_eq!(
        blob::decode_prefix(&padded),
        Ok((Config::default(), padded.len() - 5))
    );
}

#[test]
fn version_2_blobs_still_decode_with_the_new_bounds_at_their_defaults() {
    assert_eq!(blob::decode(&hex(V2_DEFAULT_BLOB)), Ok(Config::default()));
    let decoded = blob::decode(&hex(V2_NON_DEFAULT_BLOB)).unwrap();
    assert_eq!(decoded, non_default_v2());
    assert_eq!(decoded.public.idle_timeout_ms, 30_000);
    assert_eq!(decoded.public.inflight_body_bytes, 32 << 20);
}

#[test]
fn version_3_blobs_still_decode_with_the_outbound_settings_at_their_defaults() {
    assert_eq!(blob::decode(&hex(V3_DEFAULT_BLOB)), Ok(Config::default()));
    let decoded = blob::decode(&hex(V3_NON_DEFAULT_BLOB)).unwrap();
    assert_eq!(decoded, non_default_v3());
    assert_eq!(decoded.meta.graph_api_version, "v24.0");
    assert!(decoded.numbers.is_empty() && decoded.pricing.rates.is_empty());
    assert_eq!(decoded.credits, Config::default().credits);
}

#[test]
fn version_4_blobs_still_decode_without_retention_headquarters_or_operator_tools() {
    assert_eq!(blob::decode(&hex(V4_DEFAULT_BLOB)), Ok(Config::default()));
    let decoded = blob::decode(&hex(V4_NON_DEFAULT_BLOB)).unwrap();
    assert_eq!(decoded, non_default_v4());
    assert_eq!(decoded.store.retention_days, None);
    assert_eq!(decoded.upstream, Config::default().upstream);
    assert!(decoded.upstream.url.is_none());
    assert!(decoded.canned_responses.is_empty() && decoded.articles.is_empty());
}

#[test]
fn version_5_blobs_still_decode_with_the_console_at_its_defaults() {
    assert_eq!(blob::decode(&hex(V5_DEFAULT_BLOB)), Ok(Config::default()));
    let decoded = blob::decode(&hex(V5_NON_DEFAULT_BLOB)).unwrap();
    assert_eq!(decoded, non_default_v5());
    assert_eq!(decoded.console, Config::default().console);
    assert_eq!(decoded.console.time_zone, None);
    assert_eq!(
        (
            decoded.console.session_idle_seconds,
            decoded.console.session_max_hours
        ),
        (28_800, 24)
    );
}

#[test]
fn a_version_6_body_starts_with_the_version_5_body() {
    let (v5, v6) = (hex(V5_NON_DEFAULT_BLOB), hex(NON_DEFAULT_BLOB));
    assert!(body_of(&v6).starts_with(body_of(&v5)));
    let short = blob::decode(&frame(6, body_of(&v5))).unwrap_err();
    assert!(matches!(short, BlobError::Malformed { .. }), "{short:?}");
    let long = blob::decode(&frame(5, body_of(&v6))).unwrap_err();
    assert_eq!(
        long,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );
}

#[test]
fn a_version_5_body_starts_with_the_version_4_body() {
    let (v4, v5) = (hex(V4_NON_DEFAULT_BLOB), hex(V5_NON_DEFAULT_BLOB));
    assert!(body_of(&v5).starts_with(body_of(&v4)));
    let short = blob::decode(&frame(5, body_of(&v4))).unwrap_err();
    assert!(matches!(short, BlobError::Malformed { .. }), "{short:?}");
    let long = blob::decode(&frame(4, body_of(&v5))).unwrap_err();
    assert_eq!(
        long,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );
}

#[test]
fn a_version_4_body_starts_with_the_version_3_body() {
    let (v3, v4) = (hex(V3_NON_DEFAULT_BLOB), hex(V4_NON_DEFAULT_BLOB));
    assert!(body_of(&v4).starts_with(body_of(&v3)));
    let short = blob::decode(&frame(4, body_of(&v3))).unwrap_err();
    assert!(matches!(short, BlobError::Malformed { .. }), "{short:?}");
    let long = blob::decode(&frame(3, body_of(&v4))).unwrap_err();
    assert_eq!(
        long,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );
}

#[test]
fn a_version_3_body_starts_with_the_version_2_body() {
    let (v2, v3) = (hex(V2_NON_DEFAULT_BLOB), hex(V3_NON_DEFAULT_BLOB));
    assert!(body_of(&v3).starts_with(body_of(&v2)));
    let short = blob::decode(&frame(3, body_of(&v2))).unwrap_err();
    assert!(matches!(short, BlobError::Malformed { .. }), "{short:?}");
    let long = blob::decode(&frame(2, body_of(&v3))).unwrap_err();
    assert_eq!(
        long,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );
}

#[test]
fn a_version_2_body_starts_with_the_version_1_body() {
    let (v1, v2) = (hex(V1_NON_DEFAULT_BLOB), hex(V2_NON_DEFAULT_BLOB));
    assert!(body_of(&v2).starts_with(body_of(&v1)));
    // Each version reads only its own body: the same bytes under the other version number
    // are malformed, never silently misread.
    let short = blob::decode(&frame(2, body_of(&v1))).unwrap_err();
    assert!(matches!(short, BlobError::Malformed { .. }), "{short:?}");
    let long = blob::decode(&frame(1, body_of(&v2))).unwrap_err();
    assert_eq!(
        long,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );
}

#[test]
fn every_prefix_of_a_version_1_blob_is_reported_truncated() {
    for golden in [hex(V1_DEFAULT_BLOB), hex(V1_NON_DEFAULT_BLOB)] {
        for cut in blob::HEADER_LEN..golden.len() {
            assert!(
                matches!(
                    blob::decode(&golden[..cut]),
                    Err(BlobError::Truncated { .. })
                ),
                "{cut}"
            );
        }
    }
}

#[test]
fn a_future_version_asks_for_an_upgrade() {
    assert_eq!(blob::FORMAT_VERSION, 6);
    assert_eq!(blob::OLDEST_FORMAT_VERSION, 1);
    let next = blob::decode(&frame(7, body_of(&hex(DEFAULT_BLOB)))).unwrap_err();
    assert_eq!(
        next,
        BlobError::UnsupportedVersion {
            found: 7,
            supported: 6
        }
    );
    let future = frame(8, body_of(&hex(DEFAULT_BLOB)));
    let error = blob::decode(&future).unwrap_err();
    assert_eq!(
        error,
        BlobError::UnsupportedVersion {
            found: 8,
            supported: 6
        }
    );
    assert_eq!(
        error.to_string(),
        "blob format version 8 is newer than this build reads (6); upgrade waygate"
    );
    let ancient = blob::decode(&frame(0, b"")).unwrap_err();
    assert!(matches!(
        ancient,
        BlobError::UnsupportedVersion { found: 0, .. }
    ));
    assert_eq!(
        ancient.to_string(),
        "blob format version 0 is not one this build reads (1 to 6); re-encode it with \
         `waygate config encode`"
    );
}
