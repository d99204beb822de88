//! The `waygate` command line. `main` only calls [`main`]; every command's logic lives here or
//! in the module it drives.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use firmware_config::{Config, ConfigErrors, EXIT_CONFIG, KeyLines, SecretSource};

use crate::export::{ExportError, ExportWhat, export};
use crate::preflight::Checker;
use crate::secrets::{self, SecretError};
use crate::serve::{ConfiguredSecrets, ServeError, run};
use crate::status::{StatusError, StatusOptions, Verdict};
use crate::store::StoreError;
use crate::telemetry::{LogFormat, init_logging};

/// Exit status of `status` for a gateway that is not healthy (not ready, over the quota's alert
/// level, not answering, or not running).
const EXIT_UNHEALTHY: u8 = 1;
/// Exit status for an operator token that is missing, unreadable or refused (sysexits
/// `EX_NOPERM`).
const EXIT_NOPERM: u8 = 77;
/// Exit status for a command used wrongly (sysexits `EX_USAGE`).
const EXIT_USAGE: u8 = 64;
/// Exit status for a store of a schema this waygate cannot use, e.g. one a newer firmware wrote
/// (sysexits `EX_DATAERR`).
const EXIT_DATA: u8 = 65;
/// Exit status for a failure of the data folder or the store (sysexits `EX_IOERR`).
const EXIT_IO: u8 = 74;
/// Exit status for any other runtime failure (sysexits `EX_SOFTWARE`).
const EXIT_SOFTWARE: u8 = 70;

/// waygate: a WhatsApp Business edge gateway.
#[derive(Debug, Parser)]
#[command(name = "waygate", version = crate::build_info::VERSION_AND_COMMIT, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway (on embedded defaults when no --config is given).
    Serve(ServeArgs),
    /// Check, encode or decode a configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the durable inbound log (or the dead letters, or the chats) as JSON Lines. The gateway must be stopped.
    Export(ExportArgs),
    /// Print the gateway's status (uptime, readiness, store use against the quota, chats, last
    /// commit); exit 0 when healthy, 1 when not. With the gateway stopped, read its store.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder (overrides data_dir).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Public (webhook, TLS) listener address (overrides public.listen).
    #[arg(long, value_name = "ADDR")]
    public_listen: Option<SocketAddr>,
    /// Local (health, operators) listener address (overrides local.listen).
    #[arg(long, value_name = "ADDR")]
    local_listen: Option<SocketAddr>,
    /// Log line format (overrides log.format).
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a TOML file; exit 0 when valid, 78 with every problem listed otherwise.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
    /// Encode a TOML file as a firmware blob.
    Encode {
        /// The TOML file.
        file: PathBuf,
        /// Where to write the blob.
        #[arg(short, long, value_name = "BLOB")]
        output: PathBuf,
    },
    /// Decode a firmware blob and print it as TOML (which round-trips).
    Decode {
        /// The blob.
        blob: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The gateway's data folder.
    #[arg(long, value_name = "DIR", default_value = firmware_config::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Start at this sequence number.
    #[arg(long, value_name = "SEQ", default_value_t = 0)]
    from: u64,
    /// Export the dead letters instead of the inbound log.
    #[arg(long, conflicts_with = "chats")]
    dead_letters: bool,
    /// Export the chats (state, close reason, deadlines) instead of the inbound log; --from is
    /// then a chat id.
    #[arg(long)]
    chats: bool,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The gateway's data folder.
    #[arg(long, value_name = "DIR", default_value = firmware_config::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The operator token's file (default: WAYGATE_OPERATOR_TOKEN, else the token generated
    /// into the data folder).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Print the status as JSON (the API's answer, or the store's figures when stopped).
    #[arg(long)]
    json: bool,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Config(command) => config(command),
        Command::Export(args) => {
            init_quiet_logging();
            let what = if args.dead_letters {
                ExportWhat::DeadLetters
            } else if args.chats {
                ExportWhat::Chats
            } else {
                ExportWhat::InboundLog
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match export(&args.data_dir, what, args.from, &mut out) {
                Ok(_) => ExitCode::SUCCESS,
                Err(ExportError::Store(error)) => fail(store_exit(&error, EXIT_IO), &error),
                Err(error) => fail(EXIT_IO, &error),
            }
        }
        Command::Status(args) => {
            init_quiet_logging();
            status(StatusOptions {
                data_dir: args.data_dir,
                token_file: args.token_file,
                json: args.json,
            })
        }
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let (mut config, lines, mut problems) = match &args.config {
        Some(file) => match firmware_config::read_toml_file(file) {
            Ok(reading) => (reading.config, reading.lines, reading.problems),
            Err(errors) => return config_failure(file, &errors),
        },
        None => (Config::default(), KeyLines::default(), Vec::new()),
    };
    if let Err(message) = apply_overrides(&mut config, &args) {
        eprintln!("waygate: {message}");
        return ExitCode::from(EXIT_USAGE);
    }
    // The flags can introduce a clash (same port twice), so the result is checked again.
    if problems.is_empty()
        && let Err(invalid) = config.validate()
    {
        problems.extend(ConfigErrors::from(invalid).problems().iter().cloned());
    }
    problems.extend(crate::preflight::check(&config, &lines, Checker::Serve).problems);
    if let Some(errors) = ConfigErrors::from_problems(problems) {
        let origin = args
            .config
            .as_deref()
            .unwrap_or(Path::new("the embedded defaults"));
        return config_failure(origin, &errors);
    }
    let format = match config.log.format {
        firmware_config::LogFormat::Json => LogFormat::Json,
        _ => LogFormat::Text,
    };
    if let Err(error) = init_logging(format, config.log.filter.as_str()) {
        eprintln!("waygate: {error}");
        return ExitCode::from(exit_config());
    }
    let configured = match configured_secrets(&config) {
        Ok(secrets) => secrets,
        Err(message) => {
            eprintln!("waygate: {message}");
            return ExitCode::from(exit_config());
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("waygate")
        .max_blocking_threads(16)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(EXIT_SOFTWARE, &error),
    };
    match runtime.block_on(run(config, configured, crate::shutdown::signal())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = match &error {
                ServeError::Store(store) => store_exit(store, EXIT_SOFTWARE),
                _ => EXIT_SOFTWARE,
            };
            // Logging is up by now and writes to stderr: the log line is the one report, unless
            // the filter hides errors.
            if tracing::enabled!(tracing::Level::ERROR) {
                tracing::error!(%error, "waygate failed");
                ExitCode::from(code)
            } else {
                fail(code, &error)
            }
        }
    }
}

fn apply_overrides(config: &mut Config, args: &ServeArgs) -> Result<(), String> {
    if let Some(dir) = &args.data_dir {
        let text = dir.to_str().ok_or("--data-dir must be valid UTF-8")?;
        config.data_dir = firmware_config::Path::try_from(text).map_err(|_| {
            format!(
                "--data-dir is longer than {} bytes",
                firmware_config::PATH_CAPACITY
            )
        })?;
    }
    if let Some(addr) = args.public_listen {
        config.public.listen = addr;
    }
    if let Some(addr) = args.local_listen {
        config.local.listen = addr;
    }
    if let Some(format) = &args.log_format {
        config.log.format =
            firmware_config::LogFormat::from_name(format).ok_or("--log-format: text or json")?;
    }
    Ok(())
}

fn configured_secrets(config: &Config) -> Result<ConfiguredSecrets, SecretError> {
    let read = |key: &str, source: &SecretSource| {
        secrets::read_configured(source, secrets::source_key(key, source))
    };
    Ok(ConfiguredSecrets {
        app_secret: read("meta.app_secret", &config.meta.app_secret)?,
        verify_token: read("meta.verify_token", &config.meta.verify_token)?,
    })
}

fn config(command: ConfigCommand) -> ExitCode {
    match command {
        ConfigCommand::Check { file } => {
            let reading = match firmware_config::read_toml_file(&file) {
                Ok(reading) => reading,
                Err(errors) => return config_failure(&file, &errors),
            };
            let mut problems = reading.problems;
            let findings =
                crate::preflight::check(&reading.config, &reading.lines, Checker::ConfigCheck);
            problems.extend(findings.problems);
            match ConfigErrors::from_problems(problems) {
                None => {
                    println!("{}: valid", file.display());
                    if !findings.left_to_systemd.is_empty() {
                        println!(
                            "not checked here: {} (in $CREDENTIALS_DIRECTORY, which systemd sets \
                             for the service from its LoadCredential= lines)",
                            findings.left_to_systemd.join(", ")
                        );
                    }
                    ExitCode::SUCCESS
                }
                Some(errors) => config_failure(&file, &errors),
            }
        }
        ConfigCommand::Encode { file, output } => {
            let config = match firmware_config::load_toml_file(&file) {
                Ok(config) => config,
                Err(problems) => {
                    eprintln!("{}: invalid\n{problems}", file.display());
                    return ExitCode::from(exit_config());
                }
            };
            let blob = firmware_config::blob::encode(&config);
            match crate::files::write_atomic(&output, &blob, 0o600) {
                Ok(()) => {
                    println!("{}: {} bytes", output.display(), blob.len());
                    ExitCode::SUCCESS
                }
                Err(error) => fail(EXIT_IO, &format!("{}: {error}", output.display())),
            }
        }
        ConfigCommand::Decode { blob } => decode(&blob),
    }
}

fn decode(path: &Path) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return fail(EXIT_IO, &format!("{}: {error}", path.display())),
    };
    match firmware_config::blob::decode(&bytes) {
        Ok(config) => {
            print!("{}", config.to_toml());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", path.display());
            ExitCode::from(exit_config())
        }
    }
}

fn status(options: StatusOptions) -> ExitCode {
    let stdout = std::io::stdout();
    match crate::status::command::run(&options, &mut stdout.lock()) {
        Ok(Verdict::Healthy) => ExitCode::SUCCESS,
        Ok(Verdict::Unhealthy) => ExitCode::from(EXIT_UNHEALTHY),
        Err(error) => {
            let code = match &error {
                _ if error.means_unhealthy() => EXIT_UNHEALTHY,
                StatusError::Store(store) => store_exit(store, EXIT_IO),
                StatusError::Token(_) | StatusError::Unauthorized { .. } => EXIT_NOPERM,
                _ => EXIT_IO,
            };
            fail(code, &error)
        }
    }
}

/// The exit status for a store error: [`EXIT_DATA`] for a schema mismatch, else `otherwise`.
fn store_exit(error: &StoreError, otherwise: u8) -> u8 {
    if error.is_schema_mismatch() {
        EXIT_DATA
    } else {
        otherwise
    }
}

fn init_quiet_logging() {
    let _ = init_logging(LogFormat::Text, "warn");
}

/// Every problem of the configuration from `origin`, and exit status 78 (EX_CONFIG).
fn config_failure(origin: &Path, errors: &ConfigErrors) -> ExitCode {
    let count = errors.len();
    let problems = if count == 1 { "problem" } else { "problems" };
    eprintln!(
        "waygate: {}: {count} {problems}:\n{errors}",
        origin.display()
    );
    ExitCode::from(exit_config())
}

fn exit_config() -> u8 {
    u8::try_from(EXIT_CONFIG).unwrap_or(78)
}

fn fail(code: u8, error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("waygate: {error}");
    ExitCode::from(code)
}
