#![forbid(unsafe_code)]
//! The `waygate` binary: all logic lives in the `gateway` library.

fn main() -> std::process::ExitCode {
    gateway::cli::main()
}
