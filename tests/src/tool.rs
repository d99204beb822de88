//! The `main` of the harness's command-line tools (`waygate-load`, `bare-server`, the
//! benchmarks), and what the benchmarks read of a process.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use crate::{HarnessError, HarnessResult};

/// Runs `work` on a multi-threaded runtime; prints `name: error` and fails on an error.
pub fn run_tool(name: &str, work: impl Future<Output = HarnessResult<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// CPU time (user + system) of process `pid` so far, from `/proc/<pid>/stat`.
pub fn process_cpu(pid: u32, clock_ticks: u64) -> HarnessResult<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path)
        .map_err(|error| HarnessError::io("reading", &path, error))?;
    // The fields after the command name (which may hold spaces) in parentheses; utime and
    // stime are fields 14 and 15 of the line, so 12th and 13th after the name.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<u64>().ok())
    };
    let (Some(user), Some(system)) = (ticks(11), ticks(12)) else {
        return Err(HarnessError::Invalid(format!(
            "{path} has no utime/stime: {stat}"
        )));
    };
    Ok(Duration::from_secs_f64(
        (user + system) as f64 / clock_ticks as f64,
    ))
}

/// Peak resident set (VmHWM, KiB) of process `pid`.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}
