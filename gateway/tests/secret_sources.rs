//! Secrets from each source, and what their errors and `Debug` output may show.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::ffi::OsString;
use std::io::ErrorKind;

use firmware_config::{EnvName, Path, SecretSource};
use gateway::secret::{MAX_SECRET_FILE_BYTES, Resolve as _, SecretError};

const SECRET: &str = "s3cr3t-value-never-printed";

fn file_source(path: &std::path::Path) -> SecretSource {
    SecretSource::File(Path::try_from(path.to_str().unwrap()).unwrap())
}

fn env_source(name: &str) -> SecretSource {
    SecretSource::Env(EnvName::try_from(name).unwrap())
}

fn resolved(source: &SecretSource) -> String {
    source.resolve().unwrap().unwrap().expose().to_owned()
}

#[test]
fn generated_secrets_resolve_to_none() {
    assert!(matches!(SecretSource::Generated.resolve(), Ok(None)));
}

#[test]
fn inline_secrets_resolve_to_themselves() {
    let source = SecretSource::Inline(SECRET.try_into().unwrap());
    assert_eq!(resolved(&source), SECRET);
    assert!(matches!(
        SecretSource::Inline(firmware_config::InlineSecret::new()).resolve(),
        Err(SecretError::InlineEmpty)
    ));
}

#[test]
fn secret_files_lose_one_trailing_newline() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("plain", "abc", "abc"),
        ("newline", "abc\n", "abc"),
        ("crlf", "abc\r\n", "abc"),
        ("two newlines", "abc\n\n", "abc\n"),
        ("inner spaces", " a b \n", " a b "),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        assert_eq!(resolved(&file_source(&path)), expected, "{name}");
    }
}

#[test]
fn empty_secret_files_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [("empty", ""), ("just a newline", "\n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let error = file_source(&path).resolve().unwrap_err();
        assert_eq!(
            error,
            SecretError::FileEmpty { path: path.clone() },
            "{name}"
        );
    }
}

#[test]
fn unreadable_secret_files_name_the_path_and_the_error_kind() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let error = file_source(&missing).resolve().unwrap_err();
    assert_eq!(
        error,
        SecretError::FileUnreadable {
            path: missing.clone(),
            kind: ErrorKind::NotFound
        }
    );
    let message = error.to_string();
    assert!(message.contains(missing.to_str().unwrap()), "{message}");
    assert!(message.ends_with(": no such file"), "{message}");

    let error = file_source(dir.path()).resolve().unwrap_err();
    assert!(
        matches!(error, SecretError::FileUnreadable { ref path, .. } if path == dir.path()),
        "{error:?}"
    );
}

#[test]
fn oversized_and_binary_secret_files_are_refused_without_their_contents() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    let content = SECRET.repeat(usize::try_from(MAX_SECRET_FILE_BYTES).unwrap() / SECRET.len() + 1);
    std::fs::write(&big, &content).unwrap();
    let error = file_source(&big).resolve().unwrap_err();
    assert!(
        matches!(error, SecretError::FileTooLarge { .. }),
        "{error:?}"
    );
    assert!(!error.to_string().contains(SECRET));

    let binary = dir.path().join("binary");
    let mut bytes = SECRET.as_bytes().to_vec();
    bytes.push(0xff);
    std::fs::write(&binary, bytes).unwrap();
    let error = file_source(&binary).resolve().unwrap_err();
    assert_eq!(error, SecretError::FileNotUtf8 { path: binary });
    assert!(!error.to_string().contains(SECRET));
    assert!(!format!("{error:?}").contains(SECRET));
}

#[test]
fn environment_secrets_come_from_the_named_variable() {
    let lookup = |name: &str| (name == "APP_SECRET").then(|| OsString::from(SECRET));
    let secret = env_source("APP_SECRET")
        .resolve_with(lookup)
        .unwrap()
        .unwrap();
    assert_eq!(secret.expose(), SECRET);

    let error = env_source("OTHER").resolve_with(lookup).unwrap_err();
    assert_eq!(
        error,
        SecretError::EnvMissing {
            name: "OTHER".into()
        }
    );
    assert_eq!(error.to_string(), "environment variable OTHER is not set");

    let empty = env_source("EMPTY").resolve_with(|_| Some(OsString::new()));
    assert_eq!(
        empty.unwrap_err(),
        SecretError::EnvEmpty {
            name: "EMPTY".into()
        }
    );
}

#[cfg(unix)]
#[test]
fn non_unicode_environment_secrets_are_refused() {
    use std::os::unix::ffi::OsStringExt as _;
    let result =
        env_source("RAW").resolve_with(|_| Some(OsString::from_vec(vec![b'a', 0xff, b'b'])));
    assert_eq!(
        result.unwrap_err(),
        SecretError::EnvNotUnicode { name: "RAW".into() }
    );
}

#[test]
fn bad_variable_names_are_refused_before_any_lookup() {
    for name in ["", "A=B", "A\0B"] {
        let result = env_source(name).resolve_with(|_| panic!("looked up {name:?}"));
        assert_eq!(
            result.unwrap_err(),
            SecretError::EnvNameInvalid { name: name.into() }
        );
    }
}

#[test]
fn resolve_reads_the_process_environment() {
    // Cargo sets CARGO_MANIFEST_DIR for the tests it runs.
    let dir = resolved(&env_source("CARGO_MANIFEST_DIR"));
    assert_eq!(dir, env!("CARGO_MANIFEST_DIR"));
    let unset = env_source("WAYGATE_TEST_VARIABLE_THAT_IS_NEVER_SET_7f3a");
    assert!(matches!(
        unset.resolve(),
        Err(SecretError::EnvMissing { .. })
    ));
}
