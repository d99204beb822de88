//! Puts the git commit the binary is built from into `WAYGATE_GIT_COMMIT` (for `--version`):
//! `WAYGATE_GIT_COMMIT` from the environment if set (a build without a checkout), else
//! `git rev-parse --short=12 HEAD`, else `unknown`. Rebuilt when HEAD or its branch moves.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=WAYGATE_GIT_COMMIT");
    let commit = std::env::var("WAYGATE_GIT_COMMIT").ok().or_else(|| {
        let head = git(&["rev-parse", "--short=12", "HEAD"])?;
        if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
            // Only files that exist: cargo reruns every build for a missing one.
            let mut watched = vec![format!("{dir}/HEAD"), format!("{dir}/packed-refs")];
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watched.push(format!("{dir}/{branch}"));
            }
            for path in watched.iter().filter(|p| std::path::Path::new(p).exists()) {
                println!("cargo:rerun-if-changed={path}");
            }
        }
        Some(head)
    });
    println!(
        "cargo:rustc-env=WAYGATE_GIT_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".to_owned())
    );
}
