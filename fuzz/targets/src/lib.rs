//! The bodies of waygate's fuzz targets, and `fuzz-smoke`, a runner for them on stable Rust.
//!
//! Each target takes arbitrary bytes. It must not panic on any of them except to report a broken
//! invariant, with a message naming it:
//!
//! - [`webhook_decode`]: `decode_webhook` on the bytes; whatever decodes accounts for every item
//!   of the payload ([`webhook_accounting`]) and round-trips through its JSON form.
//! - [`signed_ingress`]: the bytes as a body signed with a test secret, through the signature
//!   check and [`gateway::ingress::prepare`] to the records and dead letters the store would keep.
//! - [`config_toml`]: `parse_toml` on the bytes; whatever loads is valid and round-trips through
//!   the TOML writer and the blob encoder ([`config_round_trip`]); no error message shows a secret.
//! - [`config_blob`]: `blob::decode` on the bytes, or on a body framed with a valid checksum for
//!   each format version; whatever decodes round-trips as above, and decode, encode, decode is
//!   stable.
//!
//! The cargo-fuzz wrappers in `fuzz/fuzz_targets/` (nightly, libFuzzer) call [`TARGETS`]' bodies;
//! [`smoke`] runs them over the seed corpus and seeded mutations for a bounded time (CI).

pub mod config_blob;
pub mod config_round_trip;
pub mod config_toml;
pub mod dictionary;
pub mod mutate;
pub mod signed_ingress;
pub mod smoke;
pub mod webhook_accounting;
pub mod webhook_decode;

/// One fuzz target: its name (also its corpus folder and cargo-fuzz binary), its dictionary and
/// its body.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// `webhook_decode`, `signed_ingress`, `config_toml` or `config_blob`.
    pub name: &'static str,
    /// Its tokens: `fuzz/dict/<dictionary>.dict`.
    pub dictionary: &'static str,
    /// Runs the target on one input; panics only on a broken invariant.
    pub run: fn(&[u8]),
}

/// Every target, in the order the smoke runner runs them.
pub const TARGETS: [Target; 4] = [
    Target {
        name: "webhook_decode",
        dictionary: "json",
        run: webhook_decode::run,
    },
    Target {
        name: "signed_ingress",
        dictionary: "json",
        run: signed_ingress::run,
    },
    Target {
        name: "config_toml",
        dictionary: "toml",
        run: config_toml::run,
    },
    Target {
        name: "config_blob",
        dictionary: "blob",
        run: config_blob::run,
    },
];

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|target| target.name == name)
}
