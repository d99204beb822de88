//! A small tmpfs of a test's own (root only), so that a test can fill a disk without touching
//! the machine's: mounted on a fresh temp folder, unmounted when dropped (a failing test too).

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::error::{HarnessError, HarnessResult};

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

/// A tmpfs mounted on a temp folder; unmounted (lazily if still busy) and removed on drop.
#[derive(Debug)]
pub struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size_bytes` on a fresh temp folder (`mount -t tmpfs -o size=…`).
    ///
    /// # Errors
    /// When the folder cannot be made or `mount` fails (not root, no tmpfs).
    pub fn mount(size_bytes: u64) -> HarnessResult<Self> {
        let dir = tempfile::Builder::new()
            .prefix("waygate-e2e-tmpfs-")
            .tempdir()
            .map_err(|error| HarnessError::io("creating", std::env::temp_dir(), error))?;
        let size = format!("size={size_bytes}");
        run(Command::new("mount")
            .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
            .arg(dir.path()))?;
        Ok(Self { dir })
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // A process killed just before may still hold files open: then detach it lazily.
        let unmounted = run(Command::new("umount").arg(self.dir.path()))
            .or_else(|_| run(Command::new("umount").arg("-l").arg(self.dir.path())));
        if let Err(error) = unmounted {
            eprintln!("could not unmount {}: {error}", self.dir.path().display());
        }
    }
}

fn run(command: &mut Command) -> HarnessResult<()> {
    let output = command.output().map_err(|source| HarnessError::Process {
        what: "run mount/umount",
        source,
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(HarnessError::Command {
            command: format!("{command:?}"),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}
