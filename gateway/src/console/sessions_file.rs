//! The console's sessions on disk (`console-sessions.json` in the data folder, mode 0600), so
//! that a kiosk stays signed in across a restart of the gateway. The file holds each session's
//! cookie digest, never a cookie. It is written whole and atomically, off the async threads;
//! a snapshot older than the one last written is dropped. A file that cannot be read or
//! parsed is logged and left out: the kiosks sign in again, nothing else depends on it.

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::lock;
use super::sessions::{SavedSession, Snapshot};

/// The file's name in the data folder.
pub const SESSIONS_FILE: &str = "console-sessions.json";
/// The largest file read: [`super::MAX_SESSIONS`] sessions take a few KiB.
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// The file's content.
#[derive(serde::Serialize, serde::Deserialize)]
struct SessionsJson {
    version: u32,
    sessions: Vec<SavedSession>,
}

/// Where the sessions are saved, and the generation last written there.
#[derive(Debug, Clone)]
pub(super) struct SessionsFile {
    path: PathBuf,
    written: Arc<Mutex<u64>>,
}

impl SessionsFile {
    /// The file at `path`.
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            written: Arc::new(Mutex::new(0)),
        }
    }

    /// The saved sessions (none when there is no file, or it cannot be used).
    pub(super) fn read(&self) -> Vec<SavedSession> {
        let mut text = String::new();
        let read = std::fs::File::open(&self.path)
            .and_then(|file| file.take(MAX_FILE_BYTES).read_to_string(&mut text));
        let reason = match read {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(error) => firmware_config::IoReason(error.kind()).to_string(),
            Ok(_) => match serde_json::from_str::<SessionsJson>(&text) {
                Ok(json) if json.version == 1 => return json.sessions,
                Ok(json) => format!("version {} is not one this build reads", json.version),
                Err(_) => "it is not the sessions' JSON".to_owned(),
            },
        };
        tracing::warn!(path = %self.path.display(), %reason, "the console's saved sessions cannot be read; the kiosks sign in again");
        Vec::new()
    }

    /// Writes `snapshot` unless a newer one was written: on the runtime's blocking pool when
    /// there is a runtime (the write's task, for a caller that answers only once it is done),
    /// else at once.
    pub(super) fn save(&self, snapshot: Snapshot) -> Option<tokio::task::JoinHandle<()>> {
        let file = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => Some(runtime.spawn_blocking(move || file.write(snapshot))),
            Err(_) => {
                file.write(snapshot);
                None
            }
        }
    }

    fn write(&self, snapshot: Snapshot) {
        let mut written = lock(&self.written);
        if snapshot.generation <= *written {
            return;
        }
        let json = SessionsJson {
            version: 1,
            sessions: snapshot.sessions,
        };
        let result = serde_json::to_vec(&json)
            .map_err(std::io::Error::other)
            .and_then(|bytes| crate::files::write_private(&self.path, &bytes));
        match result {
            Ok(()) => *written = snapshot.generation,
            Err(error) => {
                let reason = firmware_config::IoReason(error.kind());
                tracing::warn!(path = %self.path.display(), %reason, "the console's sessions could not be saved; they last until a restart");
            }
        }
    }
}
