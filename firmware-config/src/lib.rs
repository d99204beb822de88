//! waygate's configuration as one typed value.
//!
//! - [`Config`] holds every setting in fixed-capacity [`heapless`] types, so the core builds
//!   without `std` or an allocator (`--no-default-features`) for firmware tools: the
//!   listeners, secrets, store and logs, and the chat rules ([`ChatSettings`]), departments,
//!   message templates and operators of the local API.
//! - [`Config::validate`] checks the ranges in [`limits`] and the rules between keys, and
//!   reports every [`Problem`] at once, each naming its key path from [`keys`].
//! - [`blob`] is the same value as a versioned, checksummed postcard blob for firmware images.
//! - With the `std` feature (default): TOML in and out ([`parse_toml`], [`load_toml_file`],
//!   [`Config::to_toml`]), secrets read from files or the environment
//!   ([`SecretSource::resolve`] into a [`Secret`] that never prints), and [`ConfigErrors`],
//!   which lists every problem of a file, one per line.
//!
//! ```
//! # #[cfg(feature = "std")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use firmware_config::{blob, keys, parse_toml};
//!
//! let config = parse_toml("[store]\nquota_bytes = 2_147_483_648\n")?;
//! assert_eq!(config.store.quota_bytes, 2 << 30);
//!
//! let bytes = blob::encode(&config);
//! assert_eq!(blob::decode(&bytes)?, config);
//!
//! let errors = parse_toml("[store]\nmax_batch = 0\n").unwrap_err();
//! assert_eq!(errors.keys().collect::<Vec<_>>(), [keys::STORE_MAX_BATCH]);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "std"))]
//! # fn main() {}
//! ```
//!
//! # Layout
//! `config` (the types and defaults), `chat_settings`, `template_settings` and
//! `operator_settings` (the chat rules and their arrays), `keys` and `key_path` (key paths),
//! `limits` (ranges), `problem` and `shown_value` (problem reports), `validate`, `blob`
//! (firmware blob); with `std`: `toml_load`, `toml_load_lists`, `toml_fields` and
//! `toml_fields_arrays` (TOML in), `toml_write` and `toml_write_lists` (TOML out),
//! `config_errors`, `secret`.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![forbid(unsafe_code)]

pub mod blob;
mod chat_settings;
mod config;
mod key_path;
pub mod keys;
pub mod limits;
mod operator_settings;
mod problem;
mod shown_value;
mod template_settings;
mod validate;

#[cfg(feature = "std")]
mod config_errors;
#[cfg(feature = "std")]
mod io_reason;
#[cfg(feature = "std")]
mod secret;
#[cfg(feature = "std")]
mod toml_fields;
#[cfg(feature = "std")]
mod toml_fields_arrays;
#[cfg(feature = "std")]
mod toml_load;
#[cfg(feature = "std")]
mod toml_load_lists;
#[cfg(feature = "std")]
mod toml_write;
#[cfg(feature = "std")]
mod toml_write_lists;

pub use chat_settings::{
    ChatSettings, Department, DepartmentName, MAX_DEPARTMENT_NUMBERS, MAX_DEPARTMENTS,
    MAX_PROFANITY_WORD_LISTS, NAME_CAPACITY, PHONE_NUMBER_ID_CAPACITY, PhoneNumberId,
};
pub use config::{
    Config, DEFAULT_DATA_DIR, DEFAULT_LOCAL_LISTEN, DEFAULT_LOG_FILTER, DEFAULT_PUBLIC_LISTEN,
    ENV_NAME_CAPACITY, EnvName, INLINE_SECRET_CAPACITY, InlineSecret, LOG_FILTER_CAPACITY,
    LocalListener, LogFilter, LogFormat, LogSettings, MetaSettings, PATH_CAPACITY, Path,
    PublicListener, SecretSource, ShutdownSettings, StoreSettings,
};
pub use key_path::{KeyPath, MAX_KEY_INDEXES};
pub use operator_settings::{
    MAX_OPERATORS, Operator, OperatorName, OperatorToken, TOKEN_SHA256_LEN,
};
pub use problem::{MAX_PROBLEMS, Problem, ProblemKind, Problems};
pub use shown_value::{ShownValue, VALUE_CAPACITY};
pub use template_settings::{
    LANGUAGE_CAPACITY, LanguageCode, MAX_TEMPLATES, TEMPLATE_NAME_CAPACITY, Template,
    TemplateCategory, TemplateName, TemplateStatus,
};

#[cfg(feature = "std")]
pub use config_errors::{ConfigErrors, ConfigProblem};
#[cfg(feature = "std")]
pub use io_reason::IoReason;
#[cfg(feature = "std")]
pub use secret::{CREDENTIALS_DIRECTORY, MAX_SECRET_FILE_BYTES, Secret, SecretError};
#[cfg(feature = "std")]
pub use toml_load::{MAX_CONFIG_FILE_BYTES, load_toml_file, parse_toml};

/// Exit status for an invalid configuration file (sysexits `EX_CONFIG`), used by
/// `waygate config check|encode|decode`.
pub const EXIT_CONFIG: i32 = 78;
