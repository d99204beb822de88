//! waygate's configuration as one typed value, each setting declared once.
//!
//! - [`config`](Config) declares every setting with [`schema`]'s `section!`: key, type,
//!   default, rule ([`schema::Meta`]) and a one-line doc. Validation ([`Config::validate`]),
//!   the firmware [`blob`], TOML in ([`parse_toml`]) and out ([`Config::to_toml`],
//!   [`example_toml`], [`settings_table`]) are walks over those declarations.
//! - The core builds without `std` or an allocator (`--no-default-features`): fixed-capacity
//!   [`heapless`] types, and the blob decoder, for a vendor's provisioning firmware.
//! - With `std` (default): TOML with every problem at once and its line ([`ConfigErrors`]).
//!   Where a secret comes from is a [`SecretSource`]; the gateway reads it.
//!
//! ```
//! # #[cfg(feature = "std")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use firmware_config::{blob, parse_toml};
//!
//! let config = parse_toml("[store]\nquota_bytes = \"2GiB\"\n")?;
//! assert_eq!(config.store.quota_bytes, 2 << 30);
//!
//! let bytes = blob::encode(&config);
//! assert_eq!(blob::decode(&bytes)?, config);
//!
//! let errors = parse_toml("[store]\nmax_batch = 0\n").unwrap_err();
//! assert_eq!(errors.paths().collect::<Vec<_>>(), ["store.max_batch"]);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "std"))]
//! # fn main() {}
//! ```
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![forbid(unsafe_code)]

pub mod blob;
mod calendar;
mod config;
mod problem;
mod rules;
pub mod schema;
mod shown_value;
mod sources;
mod values;

#[cfg(feature = "std")]
mod config_errors;
#[cfg(feature = "std")]
mod io_reason;
#[cfg(feature = "std")]
mod toml_in;
#[cfg(feature = "std")]
mod toml_out;
#[cfg(feature = "std")]
mod units;

pub use calendar::{Date, UtcOffset};
pub use config::*;
pub use problem::{KeyPath, MAX_PROBLEMS, Problem, ProblemKind, Problems, ShownValue};
pub use shown_value::VALUE_CAPACITY;
pub use sources::{OperatorToken, SecretSource, TOKEN_SHA256_LEN, is_env_name};
pub use values::Value;

#[cfg(feature = "std")]
pub use config_errors::{ConfigErrors, ConfigProblem};
#[cfg(feature = "std")]
pub use io_reason::IoReason;
#[cfg(feature = "std")]
pub use toml_in::{
    KeyLines, MAX_CONFIG_FILE_BYTES, Reading, Toml, load_toml_file, parse_toml, read_toml,
    read_toml_file,
};
#[cfg(feature = "std")]
pub use toml_out::{example_toml, settings_table};

/// Exit status for an invalid configuration (sysexits `EX_CONFIG`).
pub const EXIT_CONFIG: i32 = 78;
