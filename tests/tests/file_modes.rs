//! The data folder holds customers' messages and the gateway's secrets: started under a umask
//! that leaves new files readable by all (022), the gateway still keeps the folder, and every
//! folder in it, at mode 0700 and every file at 0600; a folder and files an earlier start left
//! wider are narrowed on the next start.
#![forbid(unsafe_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use waygate_e2e::suite::{deliver_text, must, start};
use waygate_e2e::{Gateway, GatewayOptions};

/// Files a started gateway has written, at least one of each kind.
const EXPECTED_FILES: [&str; 7] = [
    "store.redb",
    "listeners.json",
    "tls/cert.pem",
    "tls/key.pem",
    "secrets/app_secret",
    "secrets/verify_token",
    "secrets/operator_token",
];

/// What a walk of the data folder found.
#[derive(Debug, Default)]
struct Walk {
    /// Every file, relative to the data folder.
    files: Vec<PathBuf>,
    /// Every folder or file that is not owner-only (or not a folder or a plain file), with its mode.
    not_owner_only: Vec<String>,
}

/// Walks `root` (itself included) without following links.
fn walk(root: &Path) -> Walk {
    let mut found = Walk::default();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = must(std::fs::symlink_metadata(&path));
        let mode = metadata.permissions().mode() & 0o7777;
        let expected = if metadata.is_dir() {
            for entry in must(std::fs::read_dir(&path)) {
                pending.push(must(entry).path());
            }
            0o700
        } else {
            found
                .files
                .push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            0o600
        };
        if mode != expected || !(metadata.is_dir() || metadata.is_file()) {
            found
                .not_owner_only
                .push(format!("{} has mode {mode:o}", path.display()));
        }
    }
    found
}

#[track_caller]
fn assert_owner_only(gateway: &Gateway, when: &str) {
    let found = walk(gateway.data_dir());
    assert!(
        found.not_owner_only.is_empty(),
        "{when}: not owner-only:\n{}",
        found.not_owner_only.join("\n")
    );
    for expected in EXPECTED_FILES {
        assert!(
            found.files.iter().any(|file| file == Path::new(expected)),
            "{when}: {expected} missing from the data folder; found {:?}",
            found.files
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_data_folder_and_its_files_are_owner_only_whatever_the_umask() {
    let options = GatewayOptions {
        secrets_via_env: false,
        umask: Some(0o022),
        ..GatewayOptions::default()
    };
    let mut gateway = start(options).await;
    deliver_text(&gateway, "a customer's message").await;
    assert_owner_only(&gateway, "after the first start and a delivery");

    let status = must(gateway.stop().await);
    assert!(status.success(), "exit status {status}");
    // As an earlier version left them: readable by all.
    for (path, mode) in [("", 0o755), ("store.redb", 0o644), ("tls/cert.pem", 0o644)] {
        let path = gateway.data_dir().join(path);
        must(std::fs::set_permissions(
            &path,
            std::fs::Permissions::from_mode(mode),
        ));
    }
    must(gateway.restart().await);
    deliver_text(&gateway, "after the restart").await;
    assert_owner_only(&gateway, "after a restart on a folder left wide");
}
