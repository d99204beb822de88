//! Property tests: every valid configuration survives TOML and the blob unchanged; decoders
//! never panic on arbitrary input; a corrupted blob is never accepted; secrets never leak;
//! a repeated name is always refused; a number with a unit reads as the setting's unit.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, reason = "tests")]

#[path = "../support/declared_ranges.rs"]
mod declared_ranges;
mod strategies;
mod units;

use firmware_config::blob::{self, BlobError};
use firmware_config::{
    Config, MAX_DEPARTMENTS, MAX_OPERATORS, MAX_TEMPLATES, OperatorToken, parse_toml,
};
use proptest::prelude::*;

use strategies::{any_config, department, operator, template, valid_config};

proptest! {
    #![proptest_config(strategies::bounded_shrinking())]
    #[test]
    fn toml_round_trips_every_valid_config(config in valid_config(false)) {
        let text = config.to_toml();
        prop_assert_eq!(parse_toml(&text), Ok(*config), "{}", text);
    }

    #[test]
    fn the_blob_round_trips_every_valid_config(config in valid_config(true)) {
        let encoded = blob::encode(&config);
        prop_assert_eq!(encoded.len(), blob::encoded_len(&config));
        prop_assert!(encoded.len() <= blob::MAX_ENCODED_LEN);
        prop_assert_eq!(blob::decode(&encoded), Ok(*config));
    }

    #[test]
    fn the_blob_carries_any_config_and_decode_validates_it(config in any_config()) {
        let decoded = blob::decode(&blob::encode(&config));
        match config.validate() {
            Ok(()) => prop_assert_eq!(decoded, Ok(*config)),
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
        version in blob::OLDEST_FORMAT_VERSION..=blob::FORMAT_VERSION,
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut framed = b"WGCF".to_vec();
        framed.extend_from_slice(&version.to_le_bytes());
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

    /// Array-shaped TOML of any shape: never a panic, and every problem inside an array names
    /// the entry it is about.
    #[test]
    fn parse_toml_never_panics_on_arrays(
        entries in prop::collection::vec(
            prop::sample::select(vec![
                "name = \"a\"", "name = 1", "numbers = [\"1\", 2]", "numbers = \"1\"",
                "language = \"en\"", "category = \"utility\"", "category = \"x\"",
                "token_sha256 = \"00\"", "token_env = \"T\"", "token_file = \"\"",
                "parameters = -1", "status = \"paused\"", "bogus = 1",
            ]),
            0..6,
        ),
        table in prop::sample::select(vec!["departments", "templates", "operators"]),
        copies in 1_usize..4,
    ) {
        let entry = entries.join("\n");
        let text = format!("[[{table}]]\n{entry}\n").repeat(copies);
        if let Err(errors) = parse_toml(&text) {
            for path in errors.paths() {
                prop_assert!(path.starts_with(&format!("{table}[")), "{} in {}", path, errors);
            }
        }
    }

    /// Every later department with the same name is refused, naming the first.
    #[test]
    fn a_repeated_department_name_is_always_refused(
        config in valid_config(false),
        extra in department(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut config = config;
        prop_assume!(!config.departments.is_empty() && config.departments.len() < MAX_DEPARTMENTS);
        let first = at.index(config.departments.len());
        let mut repeat = extra;
        repeat.name = config.departments[first].name.clone();
        repeat.numbers.clear();
        config.departments.push(repeat).unwrap();
        let problems = config.validate().unwrap_err();
        let expected = format!("repeats departments[{first}].name");
        prop_assert!(problems.iter().any(|p| p.path().pattern() == "departments[].name"
            && p.to_string().contains(&expected)), "{}", problems);
    }

    /// Lists at their capacity survive TOML and the blob.
    #[test]
    fn full_lists_round_trip(template in template(), operator in operator()) {
        let mut config = Box::<Config>::default();
        for index in 0..MAX_TEMPLATES {
            let mut entry = template.clone();
            entry.name = format!("t{index}").as_str().try_into().unwrap();
            config.templates.push(entry).unwrap();
        }
        for index in 0..MAX_OPERATORS {
            let mut entry = operator.clone();
            entry.name = format!("operator {index}").as_str().try_into().unwrap();
            entry.token = OperatorToken::Sha256([u8::try_from(index).unwrap(); 32]);
            config.operators.push(entry).unwrap();
        }
        prop_assert_eq!(config.validate(), Ok(()));
        let from_toml = parse_toml(&config.to_toml()).map(Box::new);
        prop_assert_eq!(from_toml.as_ref(), Ok(&config));
        let from_blob = blob::decode(&blob::encode(&config)).map(Box::new);
        prop_assert_eq!(from_blob.as_ref(), Ok(&config));
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
