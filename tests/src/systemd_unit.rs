//! The systemd unit of `dist/systemd/` and its install steps, laid out in a temp folder that
//! stands in for `/`: the binary in `usr/local/bin`, the configuration in `etc/waygate`, the
//! state directory in `var/lib`, and the credentials systemd would copy into
//! `$CREDENTIALS_DIRECTORY`. The suite then starts the binary as the unit would, as an
//! unprivileged user.

use std::ffi::OsString;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::binary::{GatewayBinary, workspace_root};
use crate::error::{HarnessError, HarnessResult};

/// The unit, relative to the repository.
pub const UNIT_FILE: &str = "dist/systemd/waygate.service";
/// The configuration the install steps put in `/etc/waygate/waygate.toml`.
pub const CONFIG_FILE: &str = "dist/systemd/waygate.toml";
/// The user `nobody` and group `nogroup` (Debian's numbers): whom the suite runs the gateway
/// as when it runs as root.
pub const NOBODY: (u32, u32) = (65_534, 65_534);
/// systemd's `PATH` for services.
const SERVICE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The unit file's settings, `Key=value` per line.
#[derive(Debug, Clone)]
pub struct Unit {
    text: String,
}

impl Unit {
    /// Reads [`UNIT_FILE`].
    ///
    /// # Errors
    /// When it cannot be read.
    pub fn load() -> HarnessResult<Self> {
        let path = workspace_root().join(UNIT_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|error| HarnessError::io("reading", &path, error))?;
        Ok(Self { text })
    }

    /// Every value of `key`, in file order (comments and section headers skipped).
    pub fn values(&self, key: &str) -> Vec<&str> {
        self.text
            .lines()
            .filter(|line| !line.starts_with(['#', ';', '[']))
            .filter_map(|line| line.split_once('='))
            .filter(|(name, _)| name.trim() == key)
            .map(|(_, value)| value.trim())
            .collect()
    }

    /// The one value of `key`.
    ///
    /// # Errors
    /// When `key` is absent or set more than once.
    pub fn value(&self, key: &str) -> HarnessResult<&str> {
        match self.values(key).as_slice() {
            [value] => Ok(value),
            values => Err(HarnessError::Invalid(format!(
                "{key}= is set {} times in {UNIT_FILE}; expected once",
                values.len()
            ))),
        }
    }

    /// `ExecStart=`'s words (the unit quotes nothing).
    ///
    /// # Errors
    /// When `ExecStart=` is absent, repeated or empty.
    pub fn exec_start(&self) -> HarnessResult<Vec<&str>> {
        let words: Vec<&str> = self.value("ExecStart")?.split_whitespace().collect();
        if words.is_empty() {
            return Err(HarnessError::Invalid("ExecStart= is empty".into()));
        }
        Ok(words)
    }

    /// `LoadCredential=` as (credential name, source file).
    ///
    /// # Errors
    /// When a value is not `NAME:PATH`.
    pub fn credentials(&self) -> HarnessResult<Vec<(&str, &str)>> {
        self.values("LoadCredential")
            .into_iter()
            .map(|value| {
                value.split_once(':').ok_or_else(|| {
                    HarnessError::Invalid(format!("LoadCredential={value} is not NAME:PATH"))
                })
            })
            .collect()
    }

    /// The install steps of the header: its comment lines indented by three spaces, one
    /// command each.
    pub fn install_steps(&self) -> Vec<&str> {
        self.text
            .lines()
            .filter_map(|line| line.strip_prefix("#   "))
            .collect()
    }

    /// `UMask=` as a number.
    ///
    /// # Errors
    /// When it is absent or not octal.
    pub fn umask(&self) -> HarnessResult<u32> {
        let text = self.value("UMask")?;
        u32::from_str_radix(text, 8)
            .map_err(|_| HarnessError::Invalid(format!("UMask={text} is not octal")))
    }

    /// The unit's text with `ExecStart=`'s program replaced by `program`.
    ///
    /// # Errors
    /// As for [`Self::exec_start`].
    pub fn with_program(&self, program: &Path) -> HarnessResult<String> {
        let original = self.exec_start()?[0];
        let exec_start = self.value("ExecStart")?;
        let replaced = exec_start.replacen(original, &program.display().to_string(), 1);
        Ok(self.text.replacen(exec_start, &replaced, 1))
    }
}

/// Who the gateway runs as: the test's own user when it is not root, else [`NOBODY`] through
/// `setpriv`.
#[derive(Debug, Clone)]
pub struct ServiceUser {
    /// The user id.
    pub uid: u32,
    /// The group id.
    pub gid: u32,
    /// `setpriv`, when the suite runs as root and must switch.
    setpriv: Option<PathBuf>,
}

impl ServiceUser {
    /// The test's own user when it is not root; else [`NOBODY`], when `setpriv` is installed.
    ///
    /// # Errors
    /// A message saying why no unprivileged user can run the gateway (root without `setpriv`).
    pub fn choose(probe: &Path) -> Result<Self, String> {
        let metadata =
            std::fs::metadata(probe).map_err(|error| format!("{}: {error}", probe.display()))?;
        if metadata.uid() != 0 {
            return Ok(Self {
                uid: metadata.uid(),
                gid: metadata.gid(),
                setpriv: None,
            });
        }
        let setpriv = find_command("setpriv").ok_or(
            "running as root and setpriv (util-linux) is missing, so the gateway cannot be started as an unprivileged user",
        )?;
        Ok(Self {
            uid: NOBODY.0,
            gid: NOBODY.1,
            setpriv: Some(setpriv),
        })
    }

    /// Whether the suite switches to this user (it runs as root).
    pub fn is_switched(&self) -> bool {
        self.setpriv.is_some()
    }

    /// Gives `path` to this user (only when switching: a user cannot give files away).
    fn own(&self, path: &Path, uid: Option<u32>, gid: Option<u32>) -> HarnessResult<()> {
        if self.is_switched() {
            std::os::unix::fs::chown(path, uid, gid)
                .map_err(|error| HarnessError::io("chown", path, error))?;
        }
        Ok(())
    }

    /// `binary` started as this user.
    fn start(&self, binary: &GatewayBinary) -> GatewayBinary {
        match &self.setpriv {
            None => binary.clone(),
            Some(setpriv) => binary.under([
                setpriv.display().to_string(),
                format!("--reuid={}", self.uid),
                format!("--regid={}", self.gid),
                "--clear-groups".into(),
            ]),
        }
    }
}

/// A command's path in `PATH`, if installed.
pub fn find_command(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from(SERVICE_PATH));
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The install steps of the unit's header, carried out in a temp folder standing in for `/`.
#[derive(Debug)]
pub struct InstallRoot {
    root: TempDir,
    /// The unit as installed, its `ExecStart=` program inside the root.
    pub unit_file: PathBuf,
    /// The installed binary (`/usr/local/bin/waygate` inside the root).
    pub binary: GatewayBinary,
    /// The state directory (`/var/lib/<StateDirectory=>` inside the root).
    pub state_dir: PathBuf,
    /// The folder systemd would name in `$CREDENTIALS_DIRECTORY`: mode 0700, owned by the
    /// service user, with one file per `LoadCredential=`.
    pub credentials_dir: PathBuf,
}

impl InstallRoot {
    /// Installs `binary`, the configuration, the credential files (their contents from
    /// `credential`, by name) and the unit, as the unit's header says, for `user`.
    ///
    /// # Errors
    /// When a file cannot be written or the unit lacks a setting the steps need.
    pub fn install(
        unit: &Unit,
        binary: &GatewayBinary,
        user: &ServiceUser,
        credential: impl Fn(&str) -> String,
    ) -> HarnessResult<Self> {
        let root = tempfile::Builder::new()
            .prefix("waygate-root-")
            .tempdir()
            .map_err(|error| HarnessError::io("creating", std::env::temp_dir(), error))?;
        set_mode(root.path(), 0o755)?;
        let inside = |absolute: &str| root.path().join(absolute.trim_start_matches('/'));

        // install -m 0755 target/release/waygate /usr/local/bin/waygate
        let program = inside(unit.exec_start()?[0]);
        create_dirs(program.parent().unwrap_or(root.path()), 0o755)?;
        std::fs::copy(binary.path(), &program)
            .map_err(|error| HarnessError::io("copying the binary to", &program, error))?;
        set_mode(&program, 0o755)?;

        // install -d -m 0750 -o root -g waygate /etc/waygate
        // install -m 0640 -o root -g waygate dist/systemd/waygate.toml /etc/waygate/waygate.toml
        let config = inside("/etc/waygate/waygate.toml");
        let config_dir = inside("/etc/waygate");
        create_dirs(&config_dir, 0o750)?;
        user.own(&config_dir, None, Some(user.gid))?;
        let source = workspace_root().join(CONFIG_FILE);
        std::fs::copy(&source, &config)
            .map_err(|error| HarnessError::io("copying", &source, error))?;
        set_mode(&config, 0o640)?;
        user.own(&config, None, Some(user.gid))?;

        // install -d -m 0700 /etc/waygate/credentials; one file per LoadCredential= (systemd
        // reads them as root and copies them, owned by the service user, into
        // $CREDENTIALS_DIRECTORY).
        let credentials_dir = inside(&format!("/run/credentials/{}", unit_name()));
        create_dirs(&credentials_dir, 0o700)?;
        user.own(&credentials_dir, Some(user.uid), Some(user.gid))?;
        for (name, source) in unit.credentials()? {
            let value = credential(name);
            let source = inside(source);
            create_dirs(source.parent().unwrap_or(root.path()), 0o700)?;
            write_file(&source, &value, 0o600)?;
            let copy = credentials_dir.join(name);
            write_file(&copy, &value, 0o400)?;
            user.own(&copy, Some(user.uid), Some(user.gid))?;
        }

        // StateDirectory=waygate, StateDirectoryMode=0700: systemd creates it for the user.
        let state_dir = inside(&format!("/var/lib/{}", unit.value("StateDirectory")?));
        create_dirs(&state_dir, 0o700)?;
        user.own(&state_dir, Some(user.uid), Some(user.gid))?;

        // install -m 0644 dist/systemd/waygate.service /etc/systemd/system/waygate.service
        let unit_file = inside(&format!("/etc/systemd/system/{}", unit_name()));
        create_dirs(unit_file.parent().unwrap_or(root.path()), 0o755)?;
        write_file(&unit_file, &unit.with_program(&program)?, 0o644)?;

        Ok(Self {
            unit_file,
            binary: user.start(&binary.installed_at(program)),
            state_dir,
            credentials_dir,
            root,
        })
    }

    /// `path` (absolute, as the unit or configuration writes it) inside the root.
    pub fn inside(&self, absolute: &str) -> PathBuf {
        self.root.path().join(absolute.trim_start_matches('/'))
    }

    /// `ExecStart=`'s arguments, absolute paths moved inside the root.
    ///
    /// # Errors
    /// As for [`Unit::exec_start`].
    pub fn exec_start_args(&self, unit: &Unit) -> HarnessResult<Vec<String>> {
        Ok(unit.exec_start()?[1..]
            .iter()
            .map(|word| {
                if word.starts_with('/') {
                    self.inside(word).display().to_string()
                } else {
                    (*word).to_owned()
                }
            })
            .collect())
    }

    /// A command that starts the installed binary as the unit would (`UMask=`, a clean
    /// environment with `PATH` and `CREDENTIALS_DIRECTORY`) with `args`.
    ///
    /// # Errors
    /// As for [`Unit::umask`].
    pub fn command(&self, unit: &Unit, args: &[String]) -> HarnessResult<tokio::process::Command> {
        let mut command = self.binary.under_umask(unit.umask()?).command(args);
        command
            .env_clear()
            .env("PATH", SERVICE_PATH)
            .env("CREDENTIALS_DIRECTORY", &self.credentials_dir)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            );
        Ok(command)
    }
}

/// The unit's file name.
fn unit_name() -> &'static str {
    UNIT_FILE.rsplit('/').next().unwrap_or(UNIT_FILE)
}

fn create_dirs(path: &Path, mode: u32) -> HarnessResult<()> {
    std::fs::create_dir_all(path).map_err(|error| HarnessError::io("creating", path, error))?;
    set_mode(path, mode)
}

fn set_mode(path: &Path, mode: u32) -> HarnessResult<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|error| HarnessError::io("chmod", path, error))
}

fn write_file(path: &Path, text: &str, mode: u32) -> HarnessResult<()> {
    std::fs::write(path, text).map_err(|error| HarnessError::io("writing", path, error))?;
    set_mode(path, mode)
}
