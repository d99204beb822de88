//! Checks a [`Config`] against the ranges in [`crate::limits`] and the rules between keys,
//! reporting every problem rather than the first.

mod lists;

use core::net::SocketAddr;

use crate::config::{Config, SecretSource};
use crate::key_path::KeyPath;
use crate::keys;
use crate::keys::SecretKeys;
use crate::limits;
use crate::limits::Limit;
use crate::problem::{Problem, ProblemKind, Problems};
use crate::shown_value::ShownValue;

impl Config {
    /// Checks every setting and reports all problems at once.
    ///
    /// # Errors
    /// Every problem found (see [`Problems`]); a value about a secret is shown as `<redacted>`.
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub fn validate(&self) -> Result<(), Problems> {
        let mut problems = Problems::new();
        self.for_each_problem(|problem| problems.push(problem));
        problems.into_result()
    }

    /// Calls `report` once per problem, in key order; for firmware that would rather not hold
    /// a [`Problems`] list on its stack.
    pub fn for_each_problem(&self, mut report: impl FnMut(Problem)) {
        non_empty_path(keys::DATA_DIR, &self.data_dir, &mut report);
        self.check_public(&mut report);
        self.check_listeners_differ(&mut report);
        check_secret(
            &keys::APP_SECRET_SOURCES,
            &self.meta.app_secret,
            &mut report,
        );
        check_secret(
            &keys::VERIFY_TOKEN_SOURCES,
            &self.meta.verify_token,
            &mut report,
        );
        let store = &self.store;
        in_range(&limits::STORE_QUOTA_BYTES, store.quota_bytes, &mut report);
        in_range(
            &limits::STORE_DEDUPE_RETENTION_HOURS,
            store.dedupe_retention_hours,
            &mut report,
        );
        in_range(
            &limits::STORE_DEDUPE_MAX_ENTRIES,
            store.dedupe_max_entries,
            &mut report,
        );
        in_range(&limits::STORE_CACHE_BYTES, store.cache_bytes, &mut report);
        in_range(&limits::STORE_MAX_BATCH, store.max_batch, &mut report);
        in_range(
            &limits::SHUTDOWN_GRACE_MS,
            self.shutdown.grace_ms,
            &mut report,
        );
        if self.log.filter.trim().is_empty() {
            report(Problem::new(
                keys::LOG_FILTER,
                ShownValue::quoted(&self.log.filter),
                ProblemKind::Empty,
            ));
        }
        self.check_chat(&mut report);
        self.check_departments(&mut report);
        self.check_templates(&mut report);
        self.check_operators(&mut report);
    }

    fn check_public(&self, report: &mut impl FnMut(Problem)) {
        let public = &self.public;
        match (&public.tls_cert, &public.tls_key) {
            (Some(cert), None) => report(Problem::new(
                keys::PUBLIC_TLS_CERT,
                ShownValue::quoted(cert),
                ProblemKind::TlsPairIncomplete {
                    missing: keys::PUBLIC_TLS_KEY,
                },
            )),
            (None, Some(key)) => report(Problem::new(
                keys::PUBLIC_TLS_KEY,
                ShownValue::quoted(key),
                ProblemKind::TlsPairIncomplete {
                    missing: keys::PUBLIC_TLS_CERT,
                },
            )),
            _ => {}
        }
        if let Some(cert) = &public.tls_cert {
            non_empty_path(keys::PUBLIC_TLS_CERT, cert, report);
        }
        if let Some(key) = &public.tls_key {
            non_empty_path(keys::PUBLIC_TLS_KEY, key, report);
        }
        in_range(
            &limits::PUBLIC_MAX_CONNECTIONS,
            public.max_connections,
            report,
        );
        in_range(
            &limits::PUBLIC_MAX_BODY_BYTES,
            public.max_body_bytes,
            report,
        );
        in_range(
            &limits::PUBLIC_HEADER_READ_TIMEOUT_MS,
            public.header_read_timeout_ms,
            report,
        );
        in_range(
            &limits::PUBLIC_BODY_READ_TIMEOUT_MS,
            public.body_read_timeout_ms,
            report,
        );
        in_range(
            &limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
            public.tls_handshake_timeout_ms,
            report,
        );
        in_range(
            &limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
            public.http2_max_concurrent_streams,
            report,
        );
        in_range(
            &limits::PUBLIC_IDLE_TIMEOUT_MS,
            public.idle_timeout_ms,
            report,
        );
        in_range(
            &limits::PUBLIC_INFLIGHT_BODY_BYTES,
            public.inflight_body_bytes,
            report,
        );
        if limits::PUBLIC_INFLIGHT_BODY_BYTES.allows(public.inflight_body_bytes)
            && public.inflight_body_bytes < public.max_body_bytes
        {
            report(Problem::new(
                keys::PUBLIC_INFLIGHT_BODY_BYTES,
                ShownValue::display(public.inflight_body_bytes),
                ProblemKind::BelowOther {
                    other: keys::PUBLIC_MAX_BODY_BYTES,
                    other_value: u64::from(public.max_body_bytes),
                },
            ));
        }
        for (limit, value) in [
            (
                &limits::PUBLIC_MAX_DELIVERY_ENTRIES,
                public.max_delivery_entries,
            ),
            (
                &limits::PUBLIC_MAX_DELIVERY_CHANGES,
                public.max_delivery_changes,
            ),
            (
                &limits::PUBLIC_MAX_DELIVERY_ITEMS,
                public.max_delivery_items,
            ),
        ] {
            in_range(limit, value, report);
        }
    }

    fn check_listeners_differ(&self, report: &mut impl FnMut(Problem)) {
        let (public, local) = (self.public.listen, self.local.listen);
        if listeners_collide(public, local) {
            report(Problem::new(
                keys::LOCAL_LISTEN,
                ShownValue::display(local),
                ProblemKind::SameAddress {
                    other: keys::PUBLIC_LISTEN,
                },
            ));
        }
    }
}

/// Whether binding both addresses would fail: same non-zero port and the same IP, or one of
/// them the wildcard address (which takes the port on every interface). Port 0 asks the OS for
/// a free port, so it never collides.
fn listeners_collide(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// Reports `value` when it lies outside `limit`.
pub(crate) fn in_range<T>(limit: &Limit<T>, value: T, report: &mut impl FnMut(Problem))
where
    T: Copy + PartialOrd + Into<u64> + core::fmt::Display,
{
    in_range_at(limit, KeyPath::new(limit.key), value, report);
}

/// Reports `value` when it lies outside `limit`, naming `path` (an instance of `limit.key`
/// in an array).
pub(crate) fn in_range_at<T>(
    limit: &Limit<T>,
    path: KeyPath,
    value: T,
    report: &mut impl FnMut(Problem),
) where
    T: Copy + PartialOrd + Into<u64> + core::fmt::Display,
{
    if !limit.allows(value) {
        report(out_of_range_at(limit, path, ShownValue::display(value)));
    }
}

/// The problem "`value` is outside `limit`" at `path` (`limit.key`, or an instance of it in
/// an array), for any rendering of the value.
pub(crate) fn out_of_range_at<T: Copy + Into<u64>>(
    limit: &Limit<T>,
    path: KeyPath,
    value: ShownValue,
) -> Problem {
    Problem::at(
        path,
        value,
        ProblemKind::OutOfRange {
            min: limit.min.into(),
            max: limit.max.into(),
            unit: limit.unit,
            note: limit.note,
        },
    )
}

fn non_empty_path(key: impl Into<KeyPath>, path: &str, report: &mut impl FnMut(Problem)) {
    if path.is_empty() {
        report(Problem::at(
            key.into(),
            ShownValue::quoted(path),
            ProblemKind::Empty,
        ));
    }
}

fn check_secret(keys: &SecretKeys, source: &SecretSource, report: &mut impl FnMut(Problem)) {
    match source {
        SecretSource::Generated => {}
        SecretSource::Inline(secret) => {
            if secret.is_empty() {
                report(Problem::new(
                    keys.inline,
                    ShownValue::Redacted,
                    ProblemKind::Empty,
                ));
            }
        }
        SecretSource::File(path) => non_empty_path(keys.file, path, report),
        SecretSource::Env(name) => {
            if !is_env_name(name) {
                report(Problem::new(
                    keys.env,
                    ShownValue::quoted(name),
                    ProblemKind::InvalidEnvName,
                ));
            }
        }
    }
}

/// Whether `name` can name an environment variable: not empty, no `=`, no NUL.
pub(crate) fn is_env_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
