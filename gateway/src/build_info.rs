//! What this binary is: its version and the git commit it was built from (see `build.rs`).

/// The package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the binary was built from (`unknown` without a checkout).
pub const GIT_COMMIT: &str = env!("WAYGATE_GIT_COMMIT");
/// Both, as `--version` prints them.
pub const VERSION_AND_COMMIT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("WAYGATE_GIT_COMMIT"),
    ")"
);
