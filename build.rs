//! Names the commit a build from a git clone was made from, for `--version`:
//! `GIT_CHERRY_PICK_PR_COMMIT` is ` (abc1234 2026-12-07)`, the short hash and
//! the commit's date, or empty for a build from the packaged crate (no `.git`
//! of its own) or where git cannot be run.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let commit = commit(&dir);
    println!(
        "cargo:rustc-env=GIT_CHERRY_PICK_PR_COMMIT={}",
        commit.as_deref().unwrap_or("")
    );
    println!("cargo:rerun-if-changed=build.rs");
    if commit.is_some() {
        // A new commit moves HEAD or the branch it is on (loose, or packed).
        for file in watched(&dir) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
}

/// ` (HASH DATE)` of HEAD, when `dir` is the top of a git work tree.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    // A packaged crate unpacked inside some other clone (`cargo package`
    // builds it under target/) is no build from git.
    if std::fs::canonicalize(top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let line = git(dir, &["log", "-1", "--no-show-signature", "--format=%h %cs", "HEAD"])?;
    Some(format!(" ({line})"))
}

/// HEAD, the ref it points to, and packed-refs: the files that exist, since
/// cargo reruns a build script on every build for a missing one.
fn watched(dir: &Path) -> Vec<PathBuf> {
    let mut paths = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(head) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(head);
    }
    paths
        .iter()
        .filter_map(|p| git(dir, &["rev-parse", "--git-path", p]))
        .map(|p| dir.join(p))
        .filter(|p| p.is_file())
        .collect()
}

/// git's trimmed stdout, or None when it cannot run or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
