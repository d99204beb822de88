//! The stable smoke run: a target over its seed corpus, then over seeded mutations until its time
//! budget is spent. A panic stops the run, and the input is saved where cargo fuzz keeps its
//! crashes (`fuzz/artifacts/<target>/`), so both runners reproduce it.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Target;
use crate::dictionary::{self, DictionaryError};
use crate::mutate::{Mutator, Rng};

/// How much mutating each target gets after its seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Until this long after the target started (seeds included).
    Time(Duration),
    /// This many mutated inputs.
    Mutations(u64),
}

/// How a smoke run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// How much each target runs.
    pub budget: Budget,
    /// Seeds the mutations; the same seed gives the same inputs.
    pub seed: u64,
    /// `<corpus>/<target>/` holds each target's seeds.
    pub corpus_dir: PathBuf,
    /// `<dict>/<dictionary>.dict` holds each target's tokens, when it has any.
    pub dict_dir: PathBuf,
    /// A failing input is saved in `<artifacts>/<target>/`.
    pub artifacts_dir: PathBuf,
    /// No mutated input grows past this many bytes.
    pub max_len: usize,
}

/// What a target's smoke run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The target.
    pub target: &'static str,
    /// Seed inputs run.
    pub seeds: usize,
    /// Inputs run, seeds included.
    pub executions: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a smoke run failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SmokeError {
    /// The target panicked on an input, which was saved.
    Crash {
        /// The target.
        target: &'static str,
        /// Where the input was saved.
        input: PathBuf,
    },
    /// A corpus, dictionary or artifact file could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A dictionary line is not a token.
    Dictionary {
        /// The dictionary.
        path: PathBuf,
        /// The line and what is wrong.
        source: DictionaryError,
    },
    /// The target has no seed corpus.
    NoSeeds {
        /// The corpus folder looked in.
        path: PathBuf,
    },
}

impl std::fmt::Display for SmokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Crash { target, input } => write!(
                f,
                "{target} panicked; the input is saved in {} (reproduce with \
                 `cargo run -p waygate-fuzz-targets --bin fuzz-smoke -- --target {target} \
                 --reproduce {}`)",
                input.display(),
                input.display()
            ),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Dictionary { path, source } => write!(f, "{}: {source}", path.display()),
            Self::NoSeeds { path } => write!(f, "{}: no seed inputs", path.display()),
        }
    }
}

impl std::error::Error for SmokeError {}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SmokeError + '_ {
    |source| SmokeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs `target` over its seeds, then over mutations of them, within `options.budget`.
///
/// # Errors
/// [`SmokeError::Crash`] at the first input the target panics on; or a corpus, dictionary or
/// artifact problem.
pub fn run(target: Target, options: &Options) -> Result<Report, SmokeError> {
    let started = Instant::now();
    let corpus = seeds(&options.corpus_dir.join(target.name))?;
    let tokens = tokens(&options.dict_dir.join(format!("{}.dict", target.dictionary)))?;
    let mut executions = 0_u64;
    let mut run_one = |input: &[u8]| {
        executions += 1;
        execute(target, input, &options.artifacts_dir)
    };
    for input in &corpus {
        run_one(input)?;
    }
    let mutator = Mutator {
        corpus: &corpus,
        tokens: &tokens,
        max_len: options.max_len,
    };
    let mut rng = Rng::new(options.seed);
    let mut mutations = 0_u64;
    while match options.budget {
        Budget::Time(limit) => started.elapsed() < limit,
        Budget::Mutations(limit) => mutations < limit,
    } {
        mutations += 1;
        run_one(&mutator.next_input(&mut rng))?;
    }
    Ok(Report {
        target: target.name,
        seeds: corpus.len(),
        executions,
        elapsed: started.elapsed(),
    })
}

/// Runs `target` on `input`; a panic saves the input in `<artifacts>/<target>/`.
fn execute(target: Target, input: &[u8], artifacts: &Path) -> Result<(), SmokeError> {
    if panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input))).is_ok() {
        return Ok(());
    }
    let dir = artifacts.join(target.name);
    fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let mut hasher = DefaultHasher::new();
    input.hash(&mut hasher);
    let path = dir.join(format!("crash-{:016x}", hasher.finish()));
    fs::write(&path, input).map_err(io_error(&path))?;
    Err(SmokeError::Crash {
        target: target.name,
        input: path,
    })
}

/// The files of a corpus folder, in name order.
///
/// # Errors
/// The folder or a file cannot be read, or the folder holds no file.
pub fn seeds(dir: &Path) -> Result<Vec<Vec<u8>>, SmokeError> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        if path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(SmokeError::NoSeeds {
            path: dir.to_owned(),
        });
    }
    paths.sort();
    paths
        .iter()
        .map(|path| fs::read(path).map_err(io_error(path)))
        .collect()
}

/// A dictionary's tokens; none when the target has no dictionary.
fn tokens(path: &Path) -> Result<Vec<Vec<u8>>, SmokeError> {
    match fs::read_to_string(path) {
        Ok(text) => dictionary::parse(&text).map_err(|source| SmokeError::Dictionary {
            path: path.to_owned(),
            source,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(io_error(path)(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's `fuzz/` folder.
    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn options(corpus_dir: PathBuf, artifacts_dir: PathBuf, budget: Budget) -> Options {
        Options {
            budget,
            seed: 1,
            corpus_dir,
            dict_dir: fuzz_dir().join("dict"),
            artifacts_dir,
            max_len: 4096,
        }
    }

    /// Every seed of every target holds its invariants, with a few mutations each. On a thread
    /// with a main thread's stack: unoptimised, a blob decode of the 64 KB `Config` needs more
    /// than a test thread's 2 MiB.
    #[test]
    fn every_target_passes_its_seeds() {
        let artifacts = tempfile::tempdir().expect("a temporary folder");
        let artifacts_dir = artifacts.path().to_owned();
        let runs = move || {
            for target in crate::TARGETS {
                let options = options(
                    fuzz_dir().join("corpus"),
                    artifacts_dir.clone(),
                    Budget::Mutations(100),
                );
                let report = run(target, &options).unwrap_or_else(|e| panic!("{e}"));
                assert!(report.seeds > 0);
                assert_eq!(report.executions, report.seeds as u64 + 100);
            }
        };
        let thread = std::thread::Builder::new().stack_size(8 << 20).spawn(runs);
        let joined = thread.expect("a test thread").join();
        assert!(joined.is_ok(), "a target failed; see its panic above");
    }

    fn panics_on_boom(input: &[u8]) {
        assert!(!input.windows(4).any(|w| w == b"boom"), "boom");
    }

    #[test]
    fn a_panic_stops_the_run_and_saves_the_input() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let corpus = dir.path().join("corpus");
        fs::create_dir_all(corpus.join("boom")).expect("a corpus folder");
        fs::write(corpus.join("boom/a"), b"fine").expect("a seed");
        fs::write(corpus.join("boom/b"), b"a boom!").expect("a seed");
        let target = Target {
            name: "boom",
            dictionary: "none",
            run: panics_on_boom,
        };
        let artifacts = dir.path().join("artifacts");
        let error = run(
            target,
            &options(corpus, artifacts.clone(), Budget::Mutations(0)),
        );
        let Err(SmokeError::Crash { target, input }) = error else {
            panic!("{error:?}");
        };
        assert_eq!(target, "boom");
        assert!(input.starts_with(artifacts.join("boom")));
        assert_eq!(fs::read(&input).expect("the saved input"), b"a boom!");
    }

    #[test]
    fn a_target_without_seeds_is_an_error() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir_all(dir.path().join("empty")).expect("a corpus folder");
        let target = Target {
            name: "empty",
            dictionary: "none",
            run: panics_on_boom,
        };
        let options = options(
            dir.path().to_owned(),
            dir.path().to_owned(),
            Budget::Mutations(0),
        );
        assert!(matches!(
            run(target, &options),
            Err(SmokeError::NoSeeds { .. })
        ));
    }
}
