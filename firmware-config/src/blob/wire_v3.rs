//! The body of a version-3 blob: the version-2 body, then the public listener's connection,
//! memory and decoding bounds. Field order is the wire order: never reorder, only add a new
//! version.

use serde::{Deserialize, Serialize};

use super::wire::U32;
use super::wire_v2::ConfigV2;
use crate::config::Config;
use crate::problem::Problems;

/// The version-3 body.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ConfigV3<'a> {
    #[serde(borrow)]
    base: ConfigV2<'a>,
    public: PublicBoundsV3,
}

/// What version 3 adds: `public.idle_timeout_ms` through `public.max_delivery_items`.
#[derive(Debug, Serialize, Deserialize)]
struct PublicBoundsV3 {
    idle_timeout_ms: u32,
    inflight_body_bytes: u32,
    max_delivery_entries: u32,
    max_delivery_changes: u32,
    max_delivery_items: u32,
}

/// Largest encoded size of what version 3 adds to the version-2 body.
pub(super) const V3_EXTENSION_MAX_LEN: usize = 5 * U32;

impl<'a> ConfigV3<'a> {
    /// The wire form of `config`, borrowing its strings.
    pub(super) fn from_config(config: &'a Config) -> Self {
        let public = &config.public;
        Self {
            base: ConfigV2::from_config(config),
            public: PublicBoundsV3 {
                idle_timeout_ms: public.idle_timeout_ms,
                inflight_body_bytes: public.inflight_body_bytes,
                max_delivery_entries: public.max_delivery_entries,
                max_delivery_changes: public.max_delivery_changes,
                max_delivery_items: public.max_delivery_items,
            },
        }
    }

    /// The configuration this body describes; see [`ConfigV2::into_config`].
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub(super) fn into_config(self) -> Result<Config, Problems> {
        let bounds = self.public;
        self.base.into_config_then(|config| {
            let public = &mut config.public;
            public.idle_timeout_ms = bounds.idle_timeout_ms;
            public.inflight_body_bytes = bounds.inflight_body_bytes;
            public.max_delivery_entries = bounds.max_delivery_entries;
            public.max_delivery_changes = bounds.max_delivery_changes;
            public.max_delivery_items = bounds.max_delivery_items;
        })
    }
}
