//! The summary `waygate status` prints for a person: from a running gateway's report, or from a
//! stopped gateway's store. Pure: the figures and `now` in, text out.

use std::fmt::Write as _;

use super::report::StatusReport;
use super::upstream::UpstreamStatus;
use crate::store::{ChatCounts, StoreSummary};
use crate::time::{UnixMs, Utc};
use crate::upstream::sync_status::SinkState;

/// The summary of a running gateway's `report`, read at `now`.
pub fn running(report: &StatusReport, now: UnixMs) -> String {
    let store = &report.store;
    let mut text = format!(
        "waygate {} (commit {}) is running: {}\n",
        report.version,
        report.commit,
        if report.is_healthy() {
            "healthy"
        } else {
            "NOT HEALTHY"
        }
    );
    let mut line = |label: &str, value: String| {
        let _ = writeln!(text, "  {label:<12} {value}");
    };
    line(
        "uptime",
        format!(
            "{}, since {}",
            span(report.uptime_seconds.saturating_mul(1_000)),
            seconds(report.started_at)
        ),
    );
    line(
        "readiness",
        match &report.not_ready_reason {
            None => "ready".to_owned(),
            Some(reason) => format!("NOT READY: {reason}"),
        },
    );
    line(
        "store",
        format!(
            "{} of the {} quota ({}); the store's own data {}",
            bytes(store.used_bytes),
            bytes(store.quota_bytes),
            store.used_percent(),
            bytes(store.stored_bytes)
        ),
    );
    line("chats", chats(&report.chats));
    line("last commit", last_commit(store.last_commit_at, now));
    line(
        "entries",
        entries(store.log_entries, store.dedupe_entries, store.dead_letters),
    );
    line("upstream", upstream(&report.upstream, now));
    if !report.problems.is_empty() {
        text.push_str("problems:\n");
        for problem in &report.problems {
            let _ = writeln!(text, "  - {problem}");
        }
    }
    text
}

/// The summary of a stopped gateway's store (`why`: how we know it is not running).
pub fn stopped(why: &str, summary: &StoreSummary, counts: &ChatCounts, now: UnixMs) -> String {
    let mut text = format!("waygate is not running ({why}); from its store:\n");
    let mut line = |label: &str, value: String| {
        let _ = writeln!(text, "  {label:<12} {value}");
    };
    line(
        "store",
        format!(
            "{} of data (the quota is checked by the running gateway)",
            bytes(summary.stored_bytes)
        ),
    );
    line("chats", chats(counts));
    line(
        "last commit",
        last_commit(
            (summary.last_commit_ms > 0).then_some(summary.last_commit_ms),
            now,
        ),
    );
    line(
        "entries",
        entries(
            summary.log_entries,
            summary.dedupe_entries,
            summary.dead_letters,
        ),
    );
    text
}

/// The sync: what it does (or why it waits), its backlog and its dead letters.
fn upstream(status: &UpstreamStatus, now: UnixMs) -> String {
    if !status.configured() {
        return "not configured (no [upstream] url): events are kept for the local stream".into();
    }
    let doing = match (&status.waiting, &status.sync.sink) {
        (Some(why), _) => format!("waiting: {why}"),
        (None, SinkState::CaughtUp) => "caught up".to_owned(),
        (None, _) => "sending".to_owned(),
    };
    let backlog = match status.oldest_event_at {
        Some(at) if at <= now => format!(
            "{} events waiting, the oldest {} old",
            status.backlog_events,
            span(now - at)
        ),
        _ => format!("{} events waiting", status.backlog_events),
    };
    format!(
        "{doing}; {backlog}; {} dead-lettered batches",
        status.dead_batch_count
    )
}

fn chats(counts: &ChatCounts) -> String {
    format!(
        "{} waiting, {} active, {} closed",
        counts.waiting, counts.active, counts.closed
    )
}

fn entries(log: u64, dedupe: u64, dead_letters: u64) -> String {
    format!("inbound log {log}, dedupe index {dedupe}, dead letters {dead_letters}")
}

fn last_commit(at: Option<UnixMs>, now: UnixMs) -> String {
    match at {
        None => "never".to_owned(),
        Some(at) if at > now => format!("{} (this clock reads earlier)", seconds(at)),
        Some(at) => format!("{}, {} ago", seconds(at), span(now - at)),
    }
}

/// An instant to the second, for a person.
fn seconds(at: UnixMs) -> Utc {
    Utc(at - at % 1_000)
}

/// A size in binary units with one decimal, rounded down: `512 B`, `1.5 KiB`, `1.0 GiB`.
fn bytes(count: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if count < 1024 {
        return format!("{count} B");
    }
    let mut unit = 1024_u128;
    let mut name = UNITS[0];
    for next in &UNITS[1..] {
        if u128::from(count) < unit * 1024 {
            break;
        }
        unit *= 1024;
        name = next;
    }
    let tenths = u128::from(count) * 10 / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

/// A length of time, to the two largest units: `42 s`, `5 min 12 s`, `2 h 03 min`, `3 d 4 h`.
fn span(ms: u64) -> String {
    let secs = ms / 1_000;
    let (days, hours, minutes) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60);
    match (days, secs / 3_600, secs / 60) {
        (d, _, _) if d > 0 => format!("{d} d {hours} h"),
        (_, h, _) if h > 0 => format!("{h} h {minutes:02} min"),
        (_, _, m) if m > 0 => format!("{m} min {:02} s", secs % 60),
        _ => format!("{secs} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::report::StatusInputs;
    use crate::store::StoreSnapshot;

    const NOW: UnixMs = 1_800_000_000_000;

    #[test]
    fn sizes_and_spans_read_naturally() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(1 << 30), "1.0 GiB");
        assert_eq!(bytes(u64::MAX), "16383.9 PiB");
        assert_eq!(span(42_000), "42 s");
        assert_eq!(span(312_000), "5 min 12 s");
        assert_eq!(span(7_380_000), "2 h 03 min");
        assert_eq!(span(273_600_000), "3 d 4 h");
    }

    #[test]
    fn a_running_summary_names_every_figure_and_the_problems() {
        let report = StatusReport::new(StatusInputs {
            started_at: NOW - 7_380_123,
            uptime_seconds: 7_380,
            not_ready_reason: Some("the store is recovering".into()),
            snapshot: StoreSnapshot {
                summary: StoreSummary {
                    log_entries: 12,
                    dedupe_entries: 10,
                    dead_letters: 1,
                    stored_bytes: 2048,
                    last_commit_ms: NOW - 4_000,
                    ..StoreSummary::default()
                },
                chats: ChatCounts {
                    waiting: 3,
                    active: 1,
                    closed: 10,
                },
            },
            used_bytes: 950 * 1024,
            quota_bytes: 1024 * 1024,
            upstream: UpstreamStatus::default(),
            now: NOW,
        });
        let text = running(&report, NOW);
        for part in [
            "is running: NOT HEALTHY\n",
            "  uptime       2 h 03 min, since 2027-01-15T05:56:59Z\n",
            "  readiness    NOT READY: the store is recovering\n",
            "  store        950.0 KiB of the 1.0 MiB quota (92.7%); the store's own data 2.0 KiB\n",
            "  chats        3 waiting, 1 active, 10 closed\n",
            "  last commit  2027-01-15T07:59:56Z, 4 s ago\n",
            "  entries      inbound log 12, dedupe index 10, dead letters 1\n",
            "  upstream     not configured (no [upstream] url)",
            "problems:\n  - not ready: the store is recovering\n  - the store uses 92.7%",
        ] {
            assert!(text.contains(part), "{part:?} not in:\n{text}");
        }
    }

    #[test]
    fn the_upstream_line_says_what_the_sync_does_or_why_it_waits() {
        use crate::upstream::SyncView;
        use crate::upstream::sync_status::CommandsState;
        let view = |sink| SyncView {
            sink,
            clock_offset_ms: Some(0),
            last_acknowledged_at: None,
            commands: CommandsState::NotConfigured,
        };
        let caught_up = UpstreamStatus::new(view(SinkState::CaughtUp), 0, None, &[]);
        assert_eq!(
            upstream(&caught_up, NOW),
            "caught up; 0 events waiting; 0 dead-lettered batches"
        );
        let retrying = SinkState::Retrying {
            since: NOW - 90_000,
            failures: 4,
            reason: "HTTP 503".into(),
            next_attempt_at: NOW,
        };
        let waiting = UpstreamStatus::new(view(retrying), 1_200, Some(NOW - 312_000), &[]);
        let line = upstream(&waiting, NOW);
        assert!(
            line.starts_with("waiting: HQ is failing (HTTP 503): retrying since ")
                && line.ends_with(
                    "; 1200 events waiting, the oldest 5 min 12 s old; 0 dead-lettered batches"
                ),
            "{line}"
        );
    }

    #[test]
    fn a_stopped_summary_says_so() {
        let text = stopped(
            "nothing listens at 127.0.0.1:8080",
            &StoreSummary::default(),
            &ChatCounts::default(),
            NOW,
        );
        assert!(text.starts_with(
            "waygate is not running (nothing listens at 127.0.0.1:8080); from its store:\n"
        ));
        assert!(text.contains("  last commit  never\n"), "{text}");
    }
}
