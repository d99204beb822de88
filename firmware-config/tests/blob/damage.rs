//! Damaged blobs: truncated, corrupted, foreign, padded and malformed ones are each refused
//! with their own error.

use firmware_config::Config;
use firmware_config::blob::{self, BlobError};

use crate::fixtures::{DEFAULT_BLOB, NON_DEFAULT_BLOB, body_of, frame, hex};

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
    let garbage = frame(blob::FORMAT_VERSION, &[0xff; 6]);
    let error = blob::decode(&garbage).unwrap_err();
    assert!(matches!(error, BlobError::Malformed { .. }), "{error:?}");
    assert!(error.to_string().contains("malformed"), "{error}");

    let mut longer = body_of(&hex(DEFAULT_BLOB)).to_vec();
    longer.push(0);
    let error = blob::decode(&frame(blob::FORMAT_VERSION, &longer)).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "bytes are left over after the config"
        }
    );

    let golden = hex(DEFAULT_BLOB);
    let body = body_of(&golden);
    let error = blob::decode(&frame(blob::FORMAT_VERSION, &body[..body.len() - 1])).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "the body ends early"
        }
    );

    // A template category past the last one.
    let golden = hex(NON_DEFAULT_BLOB);
    let mut body = body_of(&golden).to_vec();
    let at = find(&body, b"order_update\x05en_US") + 12 + 6;
    assert_eq!(body[at], 0, "utility");
    body[at] = 3;
    assert_eq!(
        blob::decode(&frame(blob::FORMAT_VERSION, &body)),
        Err(BlobError::Malformed {
            detail: "a text or list is longer than this build holds, or a choice has an unknown tag"
        })
    );
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .unwrap()
}
