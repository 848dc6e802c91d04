//! The whole job without GitHub: a throwaway upstream, fork and clone, the
//! fake GitHub on 127.0.0.1, one merged pull request, and the real binary
//! backporting it. `cargo run --example sandbox` shows it; a test runs it.

use std::fmt::Write as _;

use super::World;

/// What the sandbox run showed.
pub struct Shown {
    /// The tool's exit code.
    pub code: i32,
    /// What it printed, then what the fork and the fake GitHub received.
    pub text: String,
}

/// Runs the sandbox and describes what happened.
pub fn run() -> Shown {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "A throwaway project in {}:\n  upstream  {}\n  fork      {}\n  clone     {}  (remotes: origin = fork, upstream)\n  GitHub    {}  (a local fake; pull request #3796 is merged)\n",
        world.root.path().display(),
        world.upstream.display(),
        world.fork.display(),
        world.clone.display(),
        world.github.url
    );
    let _ = writeln!(text, "$ git cherry-pick-pr --yes upstream/release-3.1 3796");
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    for line in run.stderr.lines() {
        let _ = writeln!(text, "  {line}");
    }
    let _ = writeln!(text, "stdout: {}", run.stdout.trim());

    let branch = "automated-cherry-pick-of-#3796-upstream-release-3.1";
    let log = world.git(&world.fork, &["log", "--oneline", "--format=%h %s (%an)", "-3", branch]);
    let _ = writeln!(text, "\nThe fork's branch {branch}:");
    for line in log.lines() {
        let _ = writeln!(text, "  {line}");
    }
    for pull in world.github.created() {
        let _ = writeln!(
            text,
            "\nThe pull request GitHub received, #{} ({} ← {}):\n  title:  {}\n  labels: {}\n  body:",
            pull.number,
            pull.base_ref,
            pull.head_ref,
            pull.title,
            pull.labels.join(", ")
        );
        for line in pull.body.lines() {
            let _ = writeln!(text, "    {line}");
        }
    }
    Shown { code: run.code, text }
}
