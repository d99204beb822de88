//! The attachments' files: `<data folder>/media/<sha256>`, mode 0600 in a 0700 folder. A file
//! arrives through [`IncomingFile`] in chunks (never whole in memory): it is written to a
//! temporary file while its SHA-256 is computed and its first bytes kept for the policy's
//! content check, then flushed to disk and renamed to its digest, and the folder is flushed, so
//! it is durable before anyone is told it exists. Two uploads of the same bytes share one file.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt as _;

use super::digest::hex_of;
use crate::media::HEAD_LEN;

/// The folder of the attachments' files, inside the data folder.
pub const MEDIA_FOLDER: &str = "media";
/// What a file being received is named until it is complete.
const INCOMING_PREFIX: &str = ".incoming-";
/// The mode of every attachment's file.
const FILE_MODE: u32 = 0o600;

/// The attachments' files of one data folder.
#[derive(Debug, Clone)]
pub struct MediaFiles {
    dir: PathBuf,
}

/// A file completely received and durable under its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its SHA-256, lower-case hex: its name.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// Whether the file is new (false: the same bytes were stored already).
    pub new: bool,
}

impl MediaFiles {
    /// The media folder next to the store file `store_file` (both live in the data folder).
    pub fn beside(store_file: &Path) -> Self {
        let data_dir = store_file.parent().unwrap_or_else(|| Path::new("."));
        Self {
            dir: data_dir.join(MEDIA_FOLDER),
        }
    }

    /// The file holding the bytes whose SHA-256 is `sha256` (lower-case hex), or `None` when
    /// `sha256` is not such a digest (so no path outside the folder can ever be named).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let is_digest = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        is_digest.then(|| self.dir.join(sha256))
    }

    /// Starts receiving a file.
    pub async fn begin(&self) -> std::io::Result<IncomingFile> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::files::create_private_dir(&dir))
            .await
            .map_err(std::io::Error::other)??;
        let temp = self.dir.join(format!("{INCOMING_PREFIX}{}", random_hex()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&temp)
            .await?;
        file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
            .await?;
        Ok(IncomingFile {
            file: Some(file),
            temp,
            dir: self.dir.clone(),
            digest: ring::digest::Context::new(&ring::digest::SHA256),
            written: 0,
            head: Vec::with_capacity(HEAD_LEN),
        })
    }

    /// Removes what a crash left half received. Blocking.
    pub fn remove_incomplete(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(INCOMING_PREFIX))
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A file being received: chunks go to a temporary file, which [`IncomingFile::finish`] makes
/// durable under its digest. Dropped unfinished, the temporary file is removed.
pub struct IncomingFile {
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    dir: PathBuf,
    digest: ring::digest::Context,
    written: u64,
    head: Vec<u8>,
}

impl std::fmt::Debug for IncomingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingFile")
            .field("temp", &self.temp)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl IncomingFile {
    /// Appends `chunk`.
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(std::io::Error::other("the file was already finished"));
        };
        file.write_all(chunk).await?;
        self.digest.update(chunk);
        let room = HEAD_LEN.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        self.written = self
            .written
            .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The first [`HEAD_LEN`] bytes (or all, when fewer were written).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The SHA-256 of what was written so far.
    pub fn digest(&self) -> ring::digest::Digest {
        self.digest.clone().finish()
    }

    /// Flushes the file to disk and renames it to its digest, then flushes the folder: once
    /// this returns, the file survives a power cut.
    pub async fn finish(mut self) -> std::io::Result<StoredFile> {
        let Some(mut file) = self.file.take() else {
            return Err(std::io::Error::other("the file was already finished"));
        };
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex_of(self.digest().as_ref());
        let target = self.dir.join(&sha256);
        let temp = std::mem::take(&mut self.temp);
        let dir = self.dir.clone();
        let bytes = self.written;
        let new = tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
            let new = !target.exists();
            if new {
                std::fs::rename(&temp, &target)?;
            } else {
                std::fs::remove_file(&temp)?;
            }
            std::fs::File::open(&dir)?.sync_all()?;
            Ok(new)
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(StoredFile { sha256, bytes, new })
    }
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// 16 random hex digits, for a temporary file's name.
fn random_hex() -> String {
    let mut bytes = [0_u8; 8];
    // A failed draw leaves zeros; `create_new` then refuses a clash instead of sharing a file.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use std::os::unix::fs::MetadataExt as _;

    use super::*;

    #[tokio::test]
    async fn media_files_are_named_by_digest_private_and_shared() {
        let dir = tempfile::tempdir().unwrap();
        let files = MediaFiles::beside(&dir.path().join("store.redb"));
        let mut incoming = files.begin().await.unwrap();
        incoming.write(b"ab").await.unwrap();
        incoming.write(b"c").await.unwrap();
        assert_eq!(incoming.written(), 3);
        assert_eq!(incoming.head(), b"abc");
        let stored = incoming.finish().await.unwrap();
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(stored.sha256, sha);
        assert!(stored.new);
        let path = files.path_of(sha).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        let mut again = files.begin().await.unwrap();
        again.write(b"abc").await.unwrap();
        assert!(!again.finish().await.unwrap().new);
        // Nothing but the one file is left.
        assert_eq!(
            std::fs::read_dir(dir.path().join("media")).unwrap().count(),
            1
        );
        // An unfinished file leaves nothing behind.
        let mut dropped = files.begin().await.unwrap();
        dropped.write(b"half").await.unwrap();
        drop(dropped);
        assert_eq!(
            std::fs::read_dir(dir.path().join("media")).unwrap().count(),
            1
        );
        assert!(files.path_of("../store.redb").is_none());
        assert!(files.path_of(&sha.to_uppercase()).is_none());
    }
}
