//! Small file helpers: atomic writes, and the owner-only modes of the data folder.
//!
//! The data folder holds customers' messages and the gateway's secrets: it is mode 0700 and
//! every file the gateway writes in it is mode 0600, whatever the umask (modes are given at
//! creation and set again explicitly, which also mends files and folders an earlier version or
//! another umask left wider). A file is never opened or narrowed through a symbolic link: one
//! planted at a file's path is refused (`O_NOFOLLOW`), not followed to wherever it points.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the data folder and every folder in it: only the owner may enter.
const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of every file in the data folder: only the owner may read and write.
const PRIVATE_FILE_MODE: u32 = 0o600;

/// `open(2)` flags that refuse a symbolic link as the last part of the path.
fn no_follow() -> i32 {
    i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or_default()
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader (or a crash)
/// never sees half a file. Creates the parent folder.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .custom_flags(no_follow())
            .open(&tmp)?;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Writes a file of the data folder: mode 0600, atomically, in a folder only the owner can
/// enter (0700).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    write_atomic(path, bytes, PRIVATE_FILE_MODE)
}

/// Creates the folder `path` (and any missing parent) with mode 0700, or sets an existing one
/// to 0700.
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR_MODE)
        .create(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))
}

/// Creates `path` empty with mode 0600 when it is missing, or sets an existing one to 0600; its
/// content is left alone. For a file another library fills (the store).
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(no_follow())
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))
}

/// Sets the existing file `path` to mode 0600 (a file an earlier version wrote wider).
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(no_follow())
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_wide_folder_is_narrowed_and_a_missing_one_created_narrow() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("existing");
        std::fs::create_dir(&existing).unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&existing).unwrap();
        assert_eq!(mode(&existing), 0o700);
        let nested = dir.path().join("a/b");
        create_private_dir(&nested).unwrap();
        assert_eq!(mode(&nested), 0o700);
    }

    #[test]
    fn a_private_file_keeps_its_content_and_loses_wider_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        create_private_file(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        std::fs::write(&path, b"data").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_file(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
    }

    #[test]
    fn a_symbolic_link_at_a_files_path_is_refused_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("store.redb");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(create_private_file(&link).is_err());
        assert!(make_private(&link).is_err());
        assert_eq!(mode(&target), 0o644, "the link's target is left alone");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }

    #[test]
    fn private_writes_make_a_private_folder_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tls/cert.pem");
        write_private(&path, b"pem").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("tls")), 0o700);
        assert_eq!(std::fs::read(&path).unwrap(), b"pem");
    }
}
