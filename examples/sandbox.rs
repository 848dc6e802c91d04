//! Try git-cherry-pick-pr without GitHub: `cargo run --example sandbox` builds
//! a throwaway upstream, fork and clone in a temp dir, starts a local fake of
//! the GitHub API on 127.0.0.1, backports a merged pull request with the real
//! binary, and shows the branch it pushed and the pull request it opened.

#[allow(dead_code)]
#[path = "../tests/testsuite/support/mod.rs"]
mod support;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    // The example needs the tool itself, built like this example.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--bin", "git-cherry-pick-pr"]);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    match build.status() {
        Ok(status) if status.success() => {}
        _ => {
            eprintln!("error: could not build git-cherry-pick-pr; run `cargo build` and try again");
            return ExitCode::FAILURE;
        }
    }
    if !support::binary().exists() {
        eprintln!(
            "error: {} is missing; run `cargo build` and try again",
            support::binary().display()
        );
        return ExitCode::FAILURE;
    }
    let shown = support::sandbox::run();
    print!("{}", shown.text);
    if shown.code == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
