//! Whether the box's clock can sign, and with which correction: receivers refuse timestamps
//! more than 5 minutes off, and store boxes boot without a real-time clock.
//!
//! Before its first signed request the sync makes an unsigned `HEAD` to `upstream.url` and
//! reads HQ's `Date`:
//!
//! - **HQ gave a `Date`**: the offset is HQ's time minus the local clock at the request's
//!   midpoint. The `Date` has whole seconds, so HQ's time is taken as its middle (`Date` +
//!   0.5 s). Beyond [`AGREEMENT_MS`] either way the signing clock is the local clock plus the
//!   offset: HQ verifies, so its clock is the one the 5-minute tolerance is measured against.
//!   Within it the local clock signs as it is (the measure itself is only that precise).
//! - **No `Date`** (or no answer): sign only if the kernel says the clock is synchronised
//!   ([`super::kernel_clock`]); otherwise wait, and say why in the status.
//!
//! Pure: the probe's instants and HQ's header come in, the judgment goes out.

use std::time::UNIX_EPOCH;

use crate::time::UnixMs;

/// The agreement within which the local clock signs uncorrected: 2 s.
pub const AGREEMENT_MS: u64 = 2_000;
/// Half of the `Date` header's resolution (whole seconds).
const DATE_MIDDLE_MS: i64 = 500;

/// What the clock probe got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe<'a> {
    /// HQ answered (whatever the status).
    Answered {
        /// The local clock when the request left.
        sent_at: UnixMs,
        /// The local clock when the answer came.
        answered_at: UnixMs,
        /// HQ's `Date` header, if any.
        date: Option<&'a str>,
    },
    /// No answer, and why.
    Failed(&'a str),
}

/// What a signing clock rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// HQ's `Date`, which differed from the local clock by `measured_ms`.
    HqDate {
        /// HQ's time minus the local clock, as measured.
        measured_ms: i64,
    },
    /// The kernel says the clock is synchronised.
    Kernel,
}

/// The judgment on the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// It may sign, corrected by `offset_ms`.
    Trusted {
        /// Added to the local clock to sign (0 within [`AGREEMENT_MS`]).
        offset_ms: i64,
        /// Why it is trusted.
        basis: Basis,
    },
    /// It may not sign yet, and why.
    Untrusted(String),
}

/// What the kernel's word adds when HQ's `Date` is not had.
const KERNEL_UNSYNCHRONISED: &str = "the kernel does not say the clock is synchronised (no \
     systemd-timesyncd synchronisation); batches are not signed until HQ answers with a Date \
     header or the clock is synchronised";

/// The judgment after `probe`, given whether the kernel says the clock is synchronised.
pub fn judge(probe: Probe<'_>, kernel_synchronised: bool) -> Trust {
    let why_not = match probe {
        Probe::Answered {
            sent_at,
            answered_at,
            date: Some(date),
        } => match measured_offset(sent_at, answered_at, date) {
            Some(measured_ms) => {
                let offset_ms = if measured_ms.unsigned_abs() > AGREEMENT_MS {
                    measured_ms
                } else {
                    0
                };
                return Trust::Trusted {
                    offset_ms,
                    basis: Basis::HqDate { measured_ms },
                };
            }
            None => format!("HQ's Date header {date:?} is not an HTTP date"),
        },
        Probe::Answered { date: None, .. } => "HQ's answer has no Date header".to_owned(),
        Probe::Failed(reason) => format!("HQ did not answer the clock probe ({reason})"),
    };
    if kernel_synchronised {
        Trust::Trusted {
            offset_ms: 0,
            basis: Basis::Kernel,
        }
    } else {
        Trust::Untrusted(format!("{why_not}, and {KERNEL_UNSYNCHRONISED}"))
    }
}

/// HQ's time minus the local clock at the midpoint of `sent_at..answered_at`, from HQ's `date`.
pub fn measured_offset(sent_at: UnixMs, answered_at: UnixMs, date: &str) -> Option<i64> {
    let hq = httpdate::parse_http_date(date.trim()).ok()?;
    let hq = i64::try_from(hq.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()?;
    let midpoint = sent_at / 2 + answered_at / 2 + (sent_at % 2 + answered_at % 2) / 2;
    Some(hq + DATE_MIDDLE_MS - i64::try_from(midpoint).ok()?)
}

impl Trust {
    /// The judgment once a new measure says `next`: a failed measure keeps a clock that was
    /// trusted (it was measured, and a restart measures again); otherwise the new one holds.
    pub fn then(self, next: Self) -> Self {
        match (&self, &next) {
            (Self::Trusted { .. }, Self::Untrusted(_)) => self,
            _ => next,
        }
    }

    /// The offset to sign with, when trusted.
    pub fn offset_ms(&self) -> Option<i64> {
        match self {
            Self::Trusted { offset_ms, .. } => Some(*offset_ms),
            Self::Untrusted(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-02T03:04:05Z.
    const HQ_DATE: &str = "Fri, 02 Jan 2026 03:04:05 GMT";
    const HQ_MS: UnixMs = 1_767_323_045_000;
    const TWO_HOURS: UnixMs = 2 * 3_600_000;

    fn answered(sent_at: UnixMs, answered_at: UnixMs, date: Option<&str>) -> Probe<'_> {
        Probe::Answered {
            sent_at,
            answered_at,
            date,
        }
    }

    #[test]
    fn a_clock_two_hours_behind_hq_signs_with_hqs_time() {
        // HQ read 03:04:05.xxx while the box read 01:04:05.300 (midpoint of 200 ms).
        let sent = HQ_MS - TWO_HOURS + 200;
        let trust = judge(answered(sent, sent + 200, Some(HQ_DATE)), false);
        let expected = i64::try_from(TWO_HOURS).unwrap_or(0) + 500 - 300;
        assert_eq!(
            trust,
            Trust::Trusted {
                offset_ms: expected,
                basis: Basis::HqDate {
                    measured_ms: expected
                }
            }
        );
        // Ahead of HQ works the same way, with a negative offset.
        let ahead = judge(
            answered(HQ_MS + 60_000, HQ_MS + 60_010, Some(HQ_DATE)),
            true,
        );
        assert_eq!(ahead.offset_ms(), Some(-59_505));
    }

    #[test]
    fn within_two_seconds_the_local_clock_signs_uncorrected() {
        let trust = judge(answered(HQ_MS + 1_400, HQ_MS + 1_600, Some(HQ_DATE)), false);
        assert_eq!(
            trust,
            Trust::Trusted {
                offset_ms: 0,
                basis: Basis::HqDate {
                    measured_ms: -1_000
                }
            }
        );
        let edge = judge(answered(HQ_MS + 2_500, HQ_MS + 2_500, Some(HQ_DATE)), false);
        assert_eq!(edge.offset_ms(), Some(0), "2,000 ms exactly is agreement");
        let past = judge(answered(HQ_MS + 2_501, HQ_MS + 2_501, Some(HQ_DATE)), false);
        assert_eq!(past.offset_ms(), Some(-2_001));
    }

    #[test]
    fn hqs_date_comes_before_the_kernels_word() {
        let trust = judge(
            answered(HQ_MS - TWO_HOURS, HQ_MS - TWO_HOURS, Some(HQ_DATE)),
            true,
        );
        assert!(matches!(
            trust,
            Trust::Trusted {
                basis: Basis::HqDate { .. },
                ..
            }
        ));
    }

    #[test]
    fn without_hqs_date_only_a_synchronised_kernel_makes_the_clock_trusted() {
        let kernel = Trust::Trusted {
            offset_ms: 0,
            basis: Basis::Kernel,
        };
        for probe in [
            answered(1, 2, None),
            answered(1, 2, Some("yesterday")),
            Probe::Failed("connection refused"),
        ] {
            assert_eq!(judge(probe, true), kernel, "{probe:?}");
            let Trust::Untrusted(reason) = judge(probe, false) else {
                panic!("{probe:?} without a synchronised kernel is not trusted");
            };
            assert!(
                reason.contains("not say the clock is synchronised"),
                "{reason}"
            );
        }
        let Trust::Untrusted(reason) = judge(answered(1, 2, None), false) else {
            unreachable!()
        };
        assert!(
            reason.starts_with("HQ's answer has no Date header"),
            "{reason}"
        );
        let Trust::Untrusted(reason) = judge(Probe::Failed("connection refused"), false) else {
            unreachable!()
        };
        assert!(reason.contains("(connection refused)"), "{reason}");
    }

    #[test]
    fn a_failed_measure_keeps_a_trusted_clock_and_a_new_one_replaces_it() {
        let trusted = Trust::Trusted {
            offset_ms: 7_200_000,
            basis: Basis::HqDate {
                measured_ms: 7_200_000,
            },
        };
        let failed = Trust::Untrusted("HQ did not answer".into());
        assert_eq!(trusted.clone().then(failed.clone()), trusted);
        let kernel = Trust::Trusted {
            offset_ms: 0,
            basis: Basis::Kernel,
        };
        assert_eq!(trusted.then(kernel.clone()), kernel);
        assert_eq!(failed.clone().then(failed.clone()), failed);
    }

    #[test]
    fn the_midpoint_does_not_overflow() {
        assert!(measured_offset(u64::MAX, u64::MAX, HQ_DATE).is_none());
        assert_eq!(
            measured_offset(HQ_MS + 1, HQ_MS + 2, HQ_DATE),
            Some(500 - 1)
        );
    }
}
