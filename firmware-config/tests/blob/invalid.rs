//! Blobs that break a rule (ranges, reported with their key) or a capacity of this build
//! (refused as malformed, without the text).

use firmware_config::Config;
use firmware_config::blob::{self, BlobError};

use crate::fixtures::{NON_DEFAULT_BLOB, V2_DEFAULT_BLOB, body_of, frame, hex, non_default};

#[test]
fn a_decoded_config_is_validated() {
    let mut config = Config::default();
    config.store.dedupe_retention_hours = 100;
    config.public.max_connections = 0;
    let error = blob::decode(&blob::encode(&config)).unwrap_err();
    let BlobError::Invalid(problems) = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    let keys: Vec<_> = problems
        .iter()
        .map(|problem| problem.path().to_string())
        .collect();
    assert_eq!(
        keys,
        ["public.max_connections", "store.dedupe_retention_hours"]
    );
    assert!(
        error
            .to_string()
            .contains("store.dedupe_retention_hours = 100: must be between 168 and 2160")
    );
}

/// The version-2 default body with its leading `data_dir` string replaced by `replacement`
/// (already postcard-encoded).
fn default_body_with_data_dir(replacement: &[u8]) -> Vec<u8> {
    let golden = hex(V2_DEFAULT_BLOB);
    let body = body_of(&golden);
    let old_len = 1 + usize::from(body[0]);
    let mut out = replacement.to_vec();
    out.extend_from_slice(&body[old_len..]);
    out
}

#[test]
fn a_string_beyond_its_capacity_is_malformed() {
    let mut data_dir = vec![0x81, 0x02];
    data_dir.extend(std::iter::repeat_n(b'a', 257));
    let error = blob::decode(&frame(2, &default_body_with_data_dir(&data_dir))).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "a text or list is longer than this build holds, or a choice has an unknown tag"
        }
    );
}

#[test]
fn an_oversized_inline_secret_is_reported_without_its_text() {
    let golden = hex(V2_DEFAULT_BLOB);
    let body = body_of(&golden);
    // The app secret's tag follows data_dir (15 bytes), public (7 + 2 + 14) and local (7).
    let at = 15 + 7 + 2 + 14 + 7;
    assert_eq!(&body[at..at + 2], [0, 0], "both secrets are Generated");
    let mut patched = body[..at].to_vec();
    patched.extend_from_slice(&[0x01, 0x81, 0x02]);
    patched.extend(std::iter::repeat_n(b'S', 257));
    patched.extend_from_slice(&body[at + 1..]);
    let error = blob::decode(&frame(2, &patched)).unwrap_err();
    assert!(matches!(error, BlobError::Malformed { .. }), "{error:?}");
    assert!(!error.to_string().contains("SSSS"), "{error}");
    assert!(!format!("{error:?}").contains("SSSS"), "{error:?}");
}

#[test]
fn a_list_longer_than_its_capacity_is_malformed() {
    // The version-2 default body ends with three empty lists; give it 17 departments named "d".
    let golden = hex(V2_DEFAULT_BLOB);
    let body = body_of(&golden);
    let mut patched = body[..body.len() - 3].to_vec();
    patched.push(17);
    for _ in 0..17 {
        patched.extend_from_slice(&[1, b'd', 0]);
    }
    patched.extend_from_slice(&[0, 0]);
    let error = blob::decode(&frame(2, &patched)).unwrap_err();
    assert_eq!(
        error,
        BlobError::Malformed {
            detail: "a list has more entries than this build holds"
        }
    );
}

#[test]
fn a_decoded_config_breaking_a_list_rule_names_the_entry() {
    let mut config = non_default();
    config.departments[1].numbers = config.departments[0].numbers.clone();
    let error = blob::decode(&blob::encode(&config)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "config blob decodes but the configuration is invalid:\n\
         departments[1].numbers[0] = \"106540352242922\": repeats departments[0].numbers[0] \
         (a business number is listed once, in one department)"
    );
}

#[test]
fn an_operator_token_digest_never_appears_in_debug_output() {
    let golden = hex(NON_DEFAULT_BLOB);
    let config = blob::decode(&golden).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("171, 171"), "{debug}");
    assert!(!debug.to_lowercase().contains("abab"), "{debug}");
    assert!(debug.contains("Sha256(<redacted>)"), "{debug}");
}
