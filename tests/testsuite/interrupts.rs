//! Ctrl-C (SIGINT) at the slow moments, and the terminal: the conflict wait
//! and the push confirmation, answered through a real pseudo-terminal.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Run, World};

/// Waits (bounded) until `ready` holds.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ctrl-C as a terminal sends it: SIGINT to the whole process group (the
/// tool runs in a group of its own, see `spawn_in_group`).
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .expect("run kill");
    assert!(status.success());
}

pub fn spawn_in_group(command: &mut Command) -> Child {
    use std::os::unix::process::CommandExt;
    command
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the tool")
}

pub fn finish(child: Child) -> Run {
    let output = child.wait_with_output().expect("wait for the tool");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn ctrl_c_during_a_slow_fetch_changes_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let marker = world.root.path().join("fetch-started");
    let script = world.root.path().join("slow-upload-pack");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\nexec sleep 30 </dev/null >/dev/null 2>&1\n",
            marker.display()
        ),
    )
    .unwrap();
    crate::support::set_executable(&script);
    world.git(
        &world.clone,
        &["config", "remote.upstream.uploadpack", script.to_str().unwrap()],
    );
    let before = world.snapshot();

    let child = spawn_in_group(world.command().args(["--yes", "upstream/release-3.1", "3796"]));
    wait_until("the fetch to start", || marker.exists());
    interrupt(&child);
    let run = finish(child);
    // Whether git's fetch is killed or stops on its own depends on timing.
    run.expect_code(130).stderr_has("interrupted: nothing was changed");
    assert_eq!(world.snapshot(), before);
    assert!(world.state().is_none());
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.github.writes().is_empty());
}

#[test]
fn ctrl_c_during_a_slow_api_call_keeps_a_resumable_state() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    world.github.delay("POST", "/pulls", Duration::from_secs(30));

    let child = spawn_in_group(world.command().args(["--yes", "upstream/release-3.1", "3796"]));
    wait_until("the pull request request", || {
        world.github.requests().iter().any(|r| r.method == "POST")
    });
    interrupt(&child);
    let run = finish(child);
    run.expect_code(130).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
error: interrupted: the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`
  caused by: opening a pull request from alice:automated-cherry-pick-of-#3796-upstream-release-3.1 into kubesphere/kubesphere release-3.1: interrupted
"#);
    let state = world.state().expect("a saved state");
    // Pushed: only opening the pull request is left.
    assert_eq!(state["jobs"][0]["phase"], "open");
    let mut after = world.snapshot();
    after.set_worktrees(before.worktrees());
    assert_eq!(after, before);

    // GitHub did open it; --continue finds it rather than opening another.
    world.github.state.lock().unwrap().delays.clear();
    let run = world.run(&["--continue"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    assert_eq!(world.github.created().len(), 1);
    assert!(world.state().is_none());
    assert_eq!(world.snapshot(), before);
}

/// The tool on a pseudo-terminal (util-linux `script`); what it prints
/// accumulates in the returned buffer.
/// A child process killed (with its process group) if the test ends early.
pub struct Terminal(pub Child, Option<std::thread::JoinHandle<()>>);

impl Terminal {
    /// Waits for the tool to exit and for everything it wrote to be read.
    pub fn finish(&mut self) -> std::process::ExitStatus {
        let status = self.0.wait().expect("wait for script(1)");
        if let Some(reader) = self.1.take() {
            reader.join().expect("read the terminal");
        }
        status
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let group = nix::unistd::Pid::from_raw(i32::try_from(self.0.id()).unwrap_or(0));
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

pub fn on_a_terminal(world: &World, args: &[&str]) -> (Terminal, Arc<Mutex<String>>) {
    on_a_terminal_then(world, args, "")
}

/// `on_a_terminal`, with `tail` after the command line (a redirection).
pub fn on_a_terminal_then(world: &World, args: &[&str], tail: &str) -> (Terminal, Arc<Mutex<String>>) {
    spawn_on_a_terminal(world, args, tail, "dumb", None)
}

/// `on_a_terminal`, on a terminal of type `term` and, when given, of
/// `(rows, columns)` (`stty`).
pub fn on_a_sized_terminal(
    world: &World,
    args: &[&str],
    term: &str,
    size: Option<(u16, u16)>,
) -> (Terminal, Arc<Mutex<String>>) {
    spawn_on_a_terminal(world, args, "", term, size)
}

fn spawn_on_a_terminal(
    world: &World,
    args: &[&str],
    tail: &str,
    term: &str,
    size: Option<(u16, u16)>,
) -> (Terminal, Arc<Mutex<String>>) {
    let mut line = match size {
        Some((rows, columns)) => format!("stty rows {rows} cols {columns}; "),
        None => String::new(),
    };
    line.push_str(env!("CARGO_BIN_EXE_git-cherry-pick-pr"));
    for arg in args {
        line.push_str(&format!(" '{arg}'"));
    }
    line.push_str(tail);
    let mut child = Command::new("script")
        .process_group(0)
        .args(["-q", "-f", "-e", "-c", &line, "/dev/null"])
        .current_dir(&world.clone)
        .env_clear()
        .envs(world.env())
        .env("SHELL", "/bin/sh")
        .env("TERM", term)
        .env("GITHUB_API_URL", &world.github.url)
        .env("GITHUB_TOKEN", crate::support::TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script(1)");
    let screen = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = Arc::clone(&screen);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    (Terminal(child, Some(reader)), screen)
}

/// Waits (bounded) until the terminal shows `text`.
pub fn wait_for_text(screen: &Arc<Mutex<String>>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !screen.lock().unwrap().contains(text) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {text:?} on the terminal:\n{}",
            screen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn answer(child: &mut Terminal, text: &str) {
    let stdin = child.0.stdin.as_mut().unwrap();
    stdin.write_all(text.as_bytes()).unwrap();
    stdin.flush().unwrap();
}

/// The question while a lone job waits for its conflicts to be resolved.
const WAIT: &str = "answer y to apply the rest, push and open the pull request";

#[test]
fn on_a_terminal_it_waits_for_the_resolution_and_asks_once() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.1", "3796"]);
    wait_for_text(&screen, WAIT);
    {
        let shown = screen.lock().unwrap().clone();
        assert!(shown.contains("pkg/a.go"), "{shown}");
        // Worded for the wait: answering goes on, `--continue` is for later.
        assert!(shown.contains("hint: then answer y below: the rest is applied, pushed and the pull request opened, with no other question"), "{shown}");
        assert!(!shown.contains("then `git cherry-pick-pr --continue`"), "{shown}");
    }
    // Resolved in "another window".
    let worktree = world.state_worktree();
    world.resolve(&worktree);
    assert!(world.github.writes().is_empty(), "nothing written before the answer");
    answer(&mut child, "y\n");
    let status = child.0.wait().unwrap();
    let screen = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(0), "{screen}");
    // The answer was to push: no second question.
    assert!(!screen.contains("Push and open the pull request?"), "{screen}");
    assert!(
        screen.contains("https://github.com/kubesphere/kubesphere/pull/9000"),
        "{screen}"
    );
    assert!(world.state().is_none());
    assert_eq!(
        world
            .picked("automated-cherry-pick-of-#3796-upstream-release-3.1")
            .len(),
        1
    );
    // Nothing is left: the worktree and branch went once the PR was open.
    assert!(!worktree.exists());
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert_eq!(world.snapshot(), before);
}

#[test]
fn on_a_terminal_any_other_answer_keeps_the_conflict() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    let (mut child, screen) = on_a_terminal(&world, &["--yes", "upstream/release-3.1", "3796"]);
    wait_for_text(&screen, WAIT);
    answer(&mut child, "n\n");
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{}", screen.lock().unwrap());
    assert!(world.state().is_some());
    world.run(&["--abort"]).expect_code(0);
}

#[test]
fn ctrl_c_at_the_conflict_prompt_keeps_the_conflict_for_continue() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    let (mut child, screen) = on_a_terminal(&world, &["--yes", "upstream/release-3.1", "3796"]);
    wait_for_text(&screen, WAIT);
    // Ctrl-C typed on the terminal.
    answer(&mut child, "\u{3}");
    let status = child.0.wait().unwrap();
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(text.contains("the conflict is kept"), "{text}");
    let state = world.state().expect("the state is kept");
    assert_eq!(state["jobs"][0]["phase"], "conflict");
    let worktree = world.state_worktree();
    world.resolve(&worktree);
    world.run(&["--continue"]).expect_code(0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn declining_the_push_removes_what_the_tool_made_alone_and_blocks_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.1", "3796"]);
    wait_for_text(&screen, "Push and open the pull request?");
    answer(&mut child, "n\n");
    let status = child.0.wait().unwrap();
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: the push was declined: nothing was pushed for upstream/release-3.1"),
        "{text}"
    );
    assert!(
        text.contains(
            "hint: nothing in it was resolved by hand, so it was removed: run the same command again to redo it"
        ),
        "{text}"
    );
    assert!(world.github.writes().is_empty());
    assert!(world.state().is_none());
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert_eq!(world.snapshot(), before);
    // The same command again is not blocked.
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn ctrl_c_at_the_question_does_what_no_does() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let before = world.snapshot();
    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.1", "3796"]);
    wait_for_text(&screen, "Push and open the pull request?");
    answer(&mut child, "\u{3}");
    let status = child.0.wait().unwrap();
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(
        text.contains("error: interrupted: nothing was pushed; the picks of #3796 onto upstream/release-3.1 were removed (nothing in it was resolved by hand, so it was removed: run the same command again to redo it)"),
        "{text}"
    );
    assert!(world.state().is_none());
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.snapshot(), before);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
}

#[test]
fn an_end_of_input_at_the_question_is_said_and_taken_as_no() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.1", "3796"]);
    wait_for_text(&screen, "Push and open the pull request?");
    // Ctrl-D at the start of a line.
    answer(&mut child, "\u{4}");
    let status = child.0.wait().unwrap();
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "error: no answer to the question (end of input), taken as no: nothing was pushed for upstream/release-3.1"
        ),
        "{text}"
    );
    assert!(world.github.writes().is_empty());
    assert!(world.state().is_none());
}

#[test]
fn the_question_waits_for_the_terminal_when_stderr_is_piped() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.simple_pr(3797, "Other", 15);
    for (pr, tail) in [("3796", " 2>&1 | cat"), ("3797", " 2>stderr.txt")] {
        let (mut child, screen) = on_a_terminal_then(&world, &["upstream/release-3.1", pr], tail);
        // Asked on the terminal itself, however stderr goes, and answered there.
        wait_for_text(&screen, "Push and open the pull request? [y/N]");
        answer(&mut child, "y\n");
        let status = child.0.wait().unwrap();
        let text = screen.lock().unwrap().clone();
        assert_eq!(status.code(), Some(0), "{tail}: {text}");
        assert!(!text.contains("declined"), "{tail}: {text}");
    }
    assert_eq!(world.github.created().len(), 2);
    let _ = std::fs::remove_file(world.clone.join("stderr.txt"));
}

#[test]
fn the_question_lists_every_job_and_no_keeps_only_what_was_resolved_by_hand() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.1", "upstream/release-3.0", "3796"]);
    wait_for_text(&screen, "Push and open the pull request?");
    {
        let shown = screen.lock().unwrap().clone();
        // Every job, the stopped one too, and what becomes of each.
        assert!(
            shown.contains("  upstream/release-3.1     #3796        conflict         PR #3796 does not apply cleanly to upstream/release-3.1"),
            "{shown}"
        );
        assert!(
            shown.contains("  upstream/release-3.0     #3796        push automated-cherry-pick-of-#3796-upstream-release-3.0 and open a pull request"),
            "{shown}"
        );
    }
    answer(&mut child, "y\n");
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{}", screen.lock().unwrap());
    assert_eq!(world.github.created().len(), 1);

    // The conflict resolved by hand, then the push declined: that is kept.
    world.resolve(&world.state_worktree());
    let (mut child, screen) = on_a_terminal(&world, &["--continue"]);
    wait_for_text(&screen, "Push and open the pull request?");
    answer(&mut child, "n\n");
    let status = child.0.wait().unwrap();
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.contains("hint: `git cherry-pick-pr --continue` checks the picked commits again"),
        "{text}"
    );
    assert_eq!(world.state().unwrap()["jobs"][0]["phase"], "push");
    world.run(&["--continue", "--yes"]).expect_code(0);
    assert_eq!(world.github.created().len(), 2);
}
