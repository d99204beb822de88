//! `Secret`: comparison, redaction, digests; secret files in `$CREDENTIALS_DIRECTORY`.

use std::ffi::OsString;
use std::path::PathBuf;

use super::*;
use firmware_config::Path as ConfigPath;

const VALUE: &str = "s3cr3t-value-never-printed";

fn text(value: &str) -> Secret {
    Secret::new(value.to_owned())
}

#[test]
fn a_secret_matches_only_its_exact_bytes() {
    let secret = text("token-123");
    assert!(secret.matches(b"token-123"));
    for wrong in [
        &b"token-124"[..],
        b"Token-123",
        b"xoken-123",
        b"token-12",
        b"token-1234",
        b"token-123\n",
        b"",
    ] {
        assert!(
            !secret.matches(wrong),
            "{:?}",
            String::from_utf8_lossy(wrong)
        );
    }
}

#[test]
fn an_empty_secret_matches_only_the_empty_candidate() {
    let empty = text("");
    assert!(empty.matches(b""));
    assert!(!empty.matches(b"\0"));
}

#[test]
fn a_digest_secret_matches_only_its_digest() {
    let mut digest = [7_u8; 32];
    let secret = Secret::new(digest);
    assert!(secret.matches(&digest));
    digest[31] = 8;
    assert!(!secret.matches(&digest));
    assert!(!secret.matches(&digest[..31]));
    assert_eq!(secret.as_bytes(), &[7_u8; 32][..]);
}

#[test]
fn debug_and_display_never_show_the_value() {
    let secret = text(VALUE);
    assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    assert_eq!(format!("{secret}"), "Secret(<redacted>)");
    assert_eq!(
        format!("{:#?}", Some(secret.clone())),
        "Some(\n    Secret(<redacted>),\n)"
    );
    let digest = Secret::new(*b"0123456789abcdef0123456789abcdef");
    assert_eq!(
        format!("{digest:?} {digest}"),
        "Secret(<redacted>) Secret(<redacted>)"
    );
    assert_eq!(secret.expose(), VALUE);
}

/// An environment that has only `CREDENTIALS_DIRECTORY`, set to `folder` (when given).
fn credentials_env(folder: Option<&str>) -> impl Fn(&str) -> Option<OsString> {
    let folder = folder.map(OsString::from);
    move |name| {
        assert_eq!(name, CREDENTIALS_DIRECTORY, "looked up {name}");
        folder.clone()
    }
}

#[test]
fn both_spellings_of_the_credentials_folder_are_expanded() {
    let env = credentials_env(Some("/run/credentials/waygate.service"));
    for configured in [
        "$CREDENTIALS_DIRECTORY/app_secret",
        "${CREDENTIALS_DIRECTORY}/app_secret",
    ] {
        assert_eq!(
            secret_file_path(configured, &env).unwrap(),
            PathBuf::from("/run/credentials/waygate.service/app_secret"),
            "{configured}"
        );
    }
}

#[test]
fn other_paths_are_taken_as_they_are() {
    let never = |name: &str| -> Option<OsString> { panic!("looked up {name}") };
    for configured in [
        "/etc/waygate/app_secret",
        "relative/app_secret",
        "$CREDENTIALS_DIRECTORYX/app_secret",
        "$CREDENTIALS_DIRECTORY",
        "/x/$CREDENTIALS_DIRECTORY/app_secret",
        "$HOME/app_secret",
    ] {
        assert_eq!(
            secret_file_path(configured, never).unwrap(),
            PathBuf::from(configured)
        );
    }
}

#[test]
fn an_unset_or_empty_credentials_folder_says_what_to_add_to_the_unit() {
    for folder in [None, Some("")] {
        let error = secret_file_path(
            "$CREDENTIALS_DIRECTORY/verify_token",
            credentials_env(folder),
        )
        .unwrap_err();
        assert_eq!(
            error,
            SecretError::CredentialsDirectoryUnset {
                path: "$CREDENTIALS_DIRECTORY/verify_token".into(),
                credential: "verify_token".into(),
            }
        );
        let message = error.to_string();
        for needed in [
            "secret file $CREDENTIALS_DIRECTORY/verify_token",
            "CREDENTIALS_DIRECTORY is not set",
            "LoadCredential=verify_token:/etc/waygate/credentials/verify_token",
        ] {
            assert!(
                message.contains(needed),
                "{needed:?} missing from {message}"
            );
        }
    }
}

#[test]
fn a_file_source_in_the_credentials_folder_reads_the_credential() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("app_secret"), format!("{VALUE}\n")).unwrap();
    let source =
        SecretSource::File(ConfigPath::try_from("${CREDENTIALS_DIRECTORY}/app_secret").unwrap());
    let folder_text = folder.path().to_str().unwrap().to_owned();
    let secret = source
        .resolve_with(move |name| {
            (name == CREDENTIALS_DIRECTORY).then(|| OsString::from(&folder_text))
        })
        .unwrap()
        .unwrap();
    assert_eq!(secret.expose(), VALUE);

    let missing = SecretSource::File(ConfigPath::try_from("$CREDENTIALS_DIRECTORY/nope").unwrap());
    let folder_text = folder.path().to_str().unwrap().to_owned();
    let error = missing
        .resolve_with(move |_| Some(OsString::from(&folder_text)))
        .unwrap_err();
    assert_eq!(
        error,
        SecretError::FileUnreadable {
            path: folder.path().join("nope"),
            kind: io::ErrorKind::NotFound,
        }
    );
}

#[test]
fn configuration_accepts_secret_files_in_the_credentials_folder() {
    let config = firmware_config::parse_toml(
        "[meta]\n\
         app_secret_file = \"$CREDENTIALS_DIRECTORY/app_secret\"\n\
         verify_token_file = \"${CREDENTIALS_DIRECTORY}/verify_token\"\n\
         [[operators]]\n\
         name = \"hq\"\n\
         token_file = \"$CREDENTIALS_DIRECTORY/hq_token\"\n",
    )
    .unwrap();
    let file = |source: &SecretSource| match source {
        SecretSource::File(path) => path.as_str().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        file(&config.meta.app_secret),
        "$CREDENTIALS_DIRECTORY/app_secret"
    );
    assert_eq!(
        file(&config.meta.verify_token),
        "${CREDENTIALS_DIRECTORY}/verify_token"
    );
    let operator = config.operators[0].token.clear_source().unwrap();
    assert_eq!(file(&operator), "$CREDENTIALS_DIRECTORY/hq_token");
}
