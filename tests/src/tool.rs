//! The `main` of the harness's command-line tools (`waygate-load`, `bare-server`).

use std::future::Future;
use std::process::ExitCode;

use crate::HarnessResult;

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
