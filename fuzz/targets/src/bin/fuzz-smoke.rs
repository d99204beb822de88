//! `fuzz-smoke`: runs the fuzz targets on stable Rust over their seed corpus and seeded
//! mutations, each for a bounded time; exits 1 at the first panic, with the input saved.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use waygate_fuzz_targets::{TARGETS, smoke, target};

/// The repository's `fuzz/` folder, where the corpus, dictionaries and artifacts live.
const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

#[derive(Debug, Parser)]
#[command(about = "Runs waygate's fuzz targets over their seeds and seeded mutations")]
struct Args {
    /// Seconds each target runs, seeds included.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// A target to run (repeatable); all by default.
    #[arg(long = "target", value_parser = known_target)]
    targets: Vec<String>,
    /// Seeds the mutations; the same seed gives the same inputs.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The seed corpus, a folder per target [default: fuzz/corpus].
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Where a failing input is saved, a folder per target [default: fuzz/artifacts].
    #[arg(long)]
    artifacts: Option<PathBuf>,
    /// The largest mutated input, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_len: usize,
    /// Runs the (single) target once on this file, letting a panic through.
    #[arg(long)]
    reproduce: Option<PathBuf>,
}

fn known_target(name: &str) -> Result<String, String> {
    target(name).map(|t| t.name.to_owned()).ok_or_else(|| {
        let names: Vec<_> = TARGETS.iter().map(|t| t.name).collect();
        format!("one of {}", names.join(", "))
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    let targets: Vec<_> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets
            .iter()
            .filter_map(|name| target(name))
            .collect()
    };
    if let Some(path) = &args.reproduce {
        let [target] = targets[..] else {
            eprintln!("fuzz-smoke: --reproduce needs exactly one --target");
            return ExitCode::FAILURE;
        };
        return match std::fs::read(path) {
            Ok(input) => {
                (target.run)(&input);
                println!("fuzz-smoke: {} passes {}", target.name, path.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("fuzz-smoke: {}: {error}", path.display());
                ExitCode::FAILURE
            }
        };
    }
    let Ok(budget) = Duration::try_from_secs_f64(args.seconds) else {
        eprintln!("fuzz-smoke: --seconds must be a number of seconds");
        return ExitCode::FAILURE;
    };
    let fuzz_dir = PathBuf::from(FUZZ_DIR);
    let options = smoke::Options {
        budget: smoke::Budget::Time(budget),
        seed: args.seed,
        corpus_dir: args.corpus.unwrap_or_else(|| fuzz_dir.join("corpus")),
        dict_dir: fuzz_dir.join("dict"),
        artifacts_dir: args.artifacts.unwrap_or_else(|| fuzz_dir.join("artifacts")),
        max_len: args.max_len,
    };
    for target in targets {
        match smoke::run(target, &options) {
            Ok(report) => println!(
                "fuzz-smoke: {}: {} seeds, {} executions in {:.1} s, no panic",
                report.target,
                report.seeds,
                report.executions,
                report.elapsed.as_secs_f64()
            ),
            Err(error) => {
                eprintln!("fuzz-smoke: FAILED: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
