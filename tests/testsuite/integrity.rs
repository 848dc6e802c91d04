//! The backport is the whole pull request, or an honest error, whatever
//! GitHub sends: empty, cut-off, HTML and binary patch bodies; answers cut
//! short; JSON that is not what was asked for; a missing `merged`; a rate
//! limit after the push; a body over GitHub's limit; redirects and refusals
//! under `--debug`. Each test checks the pushed branch against the pull
//! requests' own commits (by patch id), or that nothing was pushed and
//! nothing false was said.
//!
//! A run makes every patch from the commits it fetched and downloads none,
//! so a bad patch from GitHub is met only where the patch cannot be made
//! here: those tests run with a git whose `format-patch` fails, and GitHub's
//! patch must then pass the check against the commits, or the run stops.

use std::process::Command;
use std::time::SystemTime;

use serde_json::json;

use crate::support::{FakePull, GitLog, Run, World, run_command};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";
const BOTH: &str = "automated-cherry-pick-of-#3796-#3797-upstream-release-3.1";
const URL: &str = "https://github.com/kubesphere/kubesphere/pull/9000\n";
const HTML: &[u8] =
    b"<!DOCTYPE html>\n<html><head><title>Sign in to the proxy</title></head><body>Please sign in.</body></html>\n";

fn command(world: &World) -> Command {
    world.quick_retries()
}

fn run(world: &World, args: &[&str]) -> Run {
    run_command(command(world).args(args))
}

/// A run whose git cannot make patches (`git format-patch` fails): each
/// pull request's patch is then GitHub's, checked against its commits.
fn run_without_format_patch(world: &World, args: &[&str]) -> (Run, GitLog) {
    let (mut cmd, log) = world.command_with_git(&["format-patch"]);
    cmd.env("CHERRY_PICK_PR_BACKOFF_MS", "20");
    (run_command(cmd.args(args)), log)
}

/// How many times a pull request's patch was asked of GitHub.
fn patch_gets(world: &World) -> usize {
    world
        .github
        .requests_to("GET", "/pulls/")
        .iter()
        .filter(|r| r.header("Accept").unwrap_or_default().contains("patch"))
        .count()
}

/// The pull requests' own commits, `subject|author|patch-id` each, in order.
fn source(world: &World, pulls: &[&FakePull]) -> Vec<String> {
    pulls
        .iter()
        .flat_map(|p| world.commits(&world.upstream, &format!("{}..{}", p.base_sha, p.head_sha)))
        .collect()
}

/// A merged pull request of two commits, changing lines 3 and 15 of `pkg/a.go`.
fn two_commits(world: &World, number: u64) -> FakePull {
    let a = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let first = a.replace("a 3\n", "a 3 first half\n");
    let second = first.replace("a 15\n", "a 15 second half\n");
    world.pr(
        number,
        "Fix in two steps",
        "Two steps.\n\n```release-note\nFixed in two steps.\n```\n",
        &[
            ("First half", &[("pkg/a.go", &first)]),
            ("Second half", &[("pkg/a.go", &second)]),
        ],
        true,
    )
}

/// The first message of an mbox: what a proxy that cut it short leaves.
fn first_message(patch: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(patch);
    let second = text
        .match_indices("\nFrom ")
        .map(|(i, _)| i + 1)
        .find(|&i| {
            text[i..]
                .lines()
                .next()
                .is_some_and(|l| l.ends_with(" Mon Sep 17 00:00:00 2001"))
        })
        .expect("a second message");
    patch[..second].to_vec()
}

/// Nothing was pushed and nothing was written to GitHub.
#[track_caller]
fn nothing_done(world: &World, fork_before: &[String]) {
    assert_eq!(world.branches(&world.fork), fork_before, "nothing is pushed");
    assert!(world.github.writes().is_empty(), "{:?}", world.github.writes());
    assert!(world.state().is_none(), "no state is left");
}

#[track_caller]
fn lacks(run: &Run, text: &str) {
    assert!(!run.stderr.contains(text), "stderr has {text:?}:\n{}", run.stderr);
}

// 1. An empty patch body is not "already on the target".

#[test]
fn an_empty_patch_body_is_never_taken_as_already_present() {
    let world = World::new();
    let first = world.simple_pr(3796, "Fix the widget", 3);
    let second = world.simple_pr(3797, "Fix the gadget", 15);
    world
        .github
        .patch_body(3797, "text/x-patch; charset=utf-8", b"", usize::MAX);

    // The patches are made here: GitHub's is not even asked for.
    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796", "3797"]);
    run.expect_code(0);
    assert_eq!(world.picked(BOTH), source(&world, &[&first, &second]));
    assert_eq!(patch_gets(&world), 0);
    lacks(&run, "already on");
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert!(!created[0].body.contains("Not picked"), "{}", created[0].body);
    assert!(created[0].title.contains("#3797"), "{}", created[0].title);

    // Where they cannot be made here, GitHub's empty one is refused.
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.simple_pr(3797, "Fix the gadget", 15);
    world
        .github
        .patch_body(3797, "text/x-patch; charset=utf-8", b"", usize::MAX);
    let before = world.branches(&world.fork);
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796", "3797"]);
    run.expect_code(1)
        .stderr_has("the patch GitHub sent for PR #3797 is not its commits (0 of 1 commits in it), and it could not be made locally either")
        .stderr_has("an empty body");
    lacks(&run, "already on");
    assert_eq!(patch_gets(&world), 2);
    nothing_done(&world, &before);
}

#[test]
fn a_pull_request_without_commits_has_no_changes() {
    let world = World::new();
    let first = world.simple_pr(3796, "Fix the widget", 3);
    world.pr(3798, "Nothing at all", "", &[], true);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796", "3798"]);
    run.expect_code(0)
        .stderr_has("PR #3798 has no changes (it has no commits)");
    lacks(&run, "already on");
    let branch = "automated-cherry-pick-of-#3796-#3798-upstream-release-3.1";
    assert_eq!(world.picked(branch), source(&world, &[&first]));
    let created = world.github.created();
    assert!(!created[0].body.contains("already present"), "{}", created[0].body);
}

#[test]
fn only_pull_requests_without_commits_is_an_error() {
    let world = World::new();
    world.pr(3798, "Nothing at all", "", &[], true);
    let before = world.branches(&world.fork);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3798"]);
    run.expect_code(1)
        .stderr_has("PR #3798 has no changes")
        .stderr_has("none of the pull requests has changes");
    lacks(&run, "already");
    nothing_done(&world, &before);
}

#[test]
fn a_pull_request_of_merge_commits_only_is_an_error_that_says_so() {
    let world = World::new();
    let master = world.git(&world.work, &["rev-parse", "master"]).trim().to_string();
    let merge = world
        .git(
            &world.work,
            &[
                "commit-tree",
                "master^{tree}",
                "-p",
                "master",
                "-p",
                "master~1",
                "-m",
                "Merge only",
            ],
        )
        .trim()
        .to_string();
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{merge}:refs/pull/3799/head")],
    );
    world.github.add_pull(FakePull {
        number: 3799,
        title: "Only a merge".into(),
        body: String::new(),
        merged: true,
        author: "bob".into(),
        head_ref: "merge-only".into(),
        head_sha: merge,
        base_ref: "master".into(),
        base_sha: master,
        labels: Vec::new(),
        patch: Vec::new(),
        state: "closed".into(),
    });
    world.github.set_commit_count(3799, 1);
    let before = world.branches(&world.fork);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3799"]);
    run.expect_code(1).stderr_has("PR #3799 has only merge commits (1 in ");
    lacks(&run, "already");
    lacks(&run, "no changes");
    nothing_done(&world, &before);
}

// 2. A patch cut short is not a partial backport.

/// Pull request #3796 of two commits, whose patch from GitHub was cut
/// after its first message.
fn truncated(world: &World) -> FakePull {
    let pr = two_commits(world, 3796);
    world.github.patch_body(
        3796,
        "text/x-patch; charset=utf-8",
        &first_message(&pr.patch),
        usize::MAX,
    );
    pr
}

#[test]
fn a_truncated_patch_is_never_a_partial_backport() {
    let world = World::new();
    let pr = truncated(&world);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(run.stdout, URL);
    let picked = world.picked(BRANCH);
    assert_eq!(picked.len(), 2);
    assert_eq!(picked, source(&world, &[&pr]));
    assert_eq!(patch_gets(&world), 0);

    let world = World::new();
    truncated(&world);
    let before = world.branches(&world.fork);
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has("the patch GitHub sent for PR #3796 is not its commits (1 of 2 commits in it)");
    nothing_done(&world, &before);
}

/// Pull request #3796 of two commits, and GitHub's patch of it as a proxy
/// cut it between two files of its last commit: as many messages as
/// commits, each a valid patch, the last one without its second file.
fn cut_between_files(world: &World) -> FakePull {
    let a = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let b = world.git(&world.work, &["show", "master:pkg/b.go"]);
    let pr = world.pr(
        3796,
        "Fix in two files",
        "",
        &[
            ("First", &[("pkg/a.go", &a.replace("a 3\n", "a 3 first\n"))]),
            (
                "Second",
                &[
                    (
                        "pkg/a.go",
                        &a.replace("a 3\n", "a 3 first\n").replace("a 15\n", "a 15 second\n"),
                    ),
                    ("pkg/b.go", &b.replace("b 3\n", "b 3 second\n")),
                ],
            ),
        ],
        true,
    );
    let text = String::from_utf8(pr.patch.clone()).unwrap();
    let cut = text.rfind("diff --git a/pkg/b.go").expect("the second file");
    let mut cut = text[..cut].to_string();
    cut.push_str("-- \n2.47.0\n\n");
    world
        .github
        .patch_body(3796, "text/x-patch", cut.as_bytes(), usize::MAX);
    pr
}

#[test]
fn a_patch_cut_between_two_files_of_its_last_commit_is_never_applied() {
    // Applied as is, the backport would lack the second file's change.
    let world = World::new();
    let pr = cut_between_files(&world);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    let release = world.git(&world.upstream, &["show", "release-3.1:pkg/b.go"]);
    assert_eq!(
        world.git(&world.fork, &["show", &format!("{BRANCH}:pkg/b.go")]),
        release.replace("b 3\n", "b 3 second\n")
    );
    assert_eq!(patch_gets(&world), 0);

    let world = World::new();
    cut_between_files(&world);
    let before = world.branches(&world.fork);
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has(
        "the patch GitHub sent for PR #3796 is not its commits (its changes differ from the commits' (patch ids))",
    );
    nothing_done(&world, &before);
}

// 3. A 200 that is not a patch is neither a conflict nor trusted.

#[test]
fn an_html_page_instead_of_the_patch_is_said_and_never_applied() {
    let world = World::new();
    let pr = two_commits(&world, 3796);
    world
        .github
        .patch_body(3796, "text/html; charset=utf-8", HTML, usize::MAX);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    assert_eq!(patch_gets(&world), 0);

    let world = World::new();
    two_commits(&world, 3796);
    world
        .github
        .patch_body(3796, "text/html; charset=utf-8", HTML, usize::MAX);
    let before = world.branches(&world.fork);
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has(&format!(
        "GitHub sent text/html; charset=utf-8, {} bytes starting \"<!DOCTYPE html>",
        HTML.len()
    ));
    lacks(&run, "conflict");
    nothing_done(&world, &before);
}

#[test]
fn plain_text_or_binary_bytes_instead_of_the_patch_are_never_applied() {
    for (content_type, body) in [
        (
            "text/plain",
            b"Service temporarily unavailable, try later.\n".as_slice(),
        ),
        (
            "application/octet-stream",
            &[0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x80, 0x00, b'\n'],
        ),
    ] {
        let world = World::new();
        world.simple_pr(3796, "Fix the widget", 3);
        world.github.patch_body(3796, content_type, body, usize::MAX);
        let before = world.branches(&world.fork);
        let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
        let run = run
            .expect_code(1)
            .stderr_has("the patch GitHub sent for PR #3796 is not its commits (0 of 1 commits in it)");
        // Prism's proxy passes bytes that are not UTF-8 on as U+FFFD, so
        // the size is what was sent only when the fake answers directly.
        if std::env::var_os("CPP_PRISM").is_some_and(|v| !v.is_empty()) {
            run.stderr_has(&format!("GitHub sent {content_type}, "));
        } else {
            run.stderr_has(&format!("GitHub sent {content_type}, {} bytes", body.len()));
        }
        nothing_done(&world, &before);
    }
}

/// Makes the maintainer's branch `branch` (from `base` to `head`) pull
/// request `number`, merged into master with a merge commit, as GitHub
/// would have it: its head at `refs/pull/N/head`, its patch GitHub's.
fn merged_from_branch(world: &World, number: u64, title: &str, branch: &str, base: String, head: String) -> FakePull {
    let patch = world
        .git_output(&world.work, &["format-patch", "--stdout", &format!("{base}..{head}")])
        .stdout;
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{head}:refs/pull/{number}/head")],
    );
    world.git(
        &world.work,
        &["merge", "--quiet", "--no-ff", "-m", &format!("Merge #{number}"), branch],
    );
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    let pr = FakePull {
        number,
        title: title.into(),
        body: String::new(),
        merged: true,
        author: "bob".into(),
        head_ref: branch.into(),
        head_sha: head,
        base_ref: "master".into(),
        base_sha: base,
        labels: Vec::new(),
        patch,
        state: "closed".into(),
    };
    world.github.add_pull(pr.clone());
    pr
}

/// Pull request #3796, adding a file in Latin-1: its patch is not UTF-8.
fn latin1_pr(world: &World) -> FakePull {
    let base = world.git(&world.work, &["rev-parse", "master"]).trim().to_string();
    world.git(&world.work, &["checkout", "--quiet", "-b", "feature-latin1"]);
    std::fs::write(world.work.join("pkg/latin1.txt"), b"caf\xe9 cr\xe8me\n").unwrap();
    world.git(&world.work, &["add", "pkg/latin1.txt"]);
    world.git(&world.work, &["commit", "--quiet", "-m", "Add a Latin-1 file"]);
    let head = world.git(&world.work, &["rev-parse", "HEAD"]).trim().to_string();
    let pr = merged_from_branch(world, 3796, "Add a Latin-1 file", "feature-latin1", base, head);
    assert!(std::str::from_utf8(&pr.patch).is_err(), "the patch is not UTF-8");
    pr
}

#[test]
fn a_patch_that_is_not_utf8_is_made_and_checked_byte_for_byte() {
    // Made here, byte for byte.
    let world = World::new();
    let pr = latin1_pr(&world);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    let latin1 = |world: &World| {
        world
            .git_output(&world.fork, &["show", &format!("{BRANCH}:pkg/latin1.txt")])
            .stdout
    };
    assert_eq!(latin1(&world), b"caf\xe9 cr\xe8me\n");
    assert_eq!(patch_gets(&world), 0);

    // GitHub's, where it cannot be made here: checked byte for byte.
    let world = World::new();
    let pr = latin1_pr(&world);
    let (run, _) = run_without_format_patch(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    if world.prism.is_some() {
        // Prism passes text on as UTF-8, which changes the patch: the check
        // refuses it, as it would from any proxy that does that.
        run.expect_code(1).stderr_has("is not its commits");
        return;
    }
    run.expect_code(0)
        .stderr_has("the patch of PR #3796 matches its commits (1 in ");
    lacks(&run, "is not its commits");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    assert_eq!(latin1(&world), b"caf\xe9 cr\xe8me\n");
}

#[test]
fn when_the_commits_are_not_to_be_had_the_error_says_what_github_sent() {
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.github.patch_body(3796, "text/html", HTML, usize::MAX);
    // GitHub names a head that refs/pull/3796/head is not.
    world.github.edit_pull(
        3796,
        "head",
        Some(json!({"ref": pr.head_ref, "sha": "0123456789abcdef0123456789abcdef01234567"})),
    );
    let before = world.branches(&world.fork);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has(&format!(
            "cannot check the patch of PR #3796 against its commits (GitHub sent text/html, {} bytes starting \"<!DOCTYPE html>",
            HTML.len()
        ))
        .stderr_has("is not refs/pull/3796/head");
    lacks(&run, "conflict");
    nothing_done(&world, &before);
}

/// The `--debug` lines of the git commands `name` in a run's stderr.
fn git_lines<'a>(run: &'a Run, name: &str) -> Vec<&'a str> {
    let needle = format!("] git {name}");
    run.stderr
        .lines()
        .filter(|l| l.starts_with("debug[") && l.contains(&needle))
        .collect()
}

#[test]
fn several_pull_requests_are_listed_with_one_rev_list_and_made_with_one_format_patch() {
    let world = World::new();
    let first = world.simple_pr(3796, "Fix the widget", 8);
    let second = two_commits(&world, 3797);
    let args = ["--yes", "--debug", "upstream/release-3.1", "3796", "3797"];
    let run = run(&world, &args);
    run.expect_code(0);
    let listed = git_lines(&run, "rev-list --parents");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].contains("[2 ranges]"), "{listed:?}");
    let made: Vec<&str> = run.stderr.lines().filter(|l| l.contains(" format-patch ")).collect();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].contains("[3 commits of 2 pull requests]"), "{made:?}");
    // Nothing downloaded, so nothing to check by patch id.
    assert!(git_lines(&run, "log").is_empty(), "{}", run.stderr);
    assert!(git_lines(&run, "patch-id").is_empty(), "{}", run.stderr);
    assert_eq!(patch_gets(&world), 0);
    assert_eq!(world.picked(BOTH), source(&world, &[&first, &second]));

    // GitHub's patches, where they cannot be made here, are checked with
    // one `git log -p | git patch-id` for the commits and one `git
    // patch-id` for the downloads.
    let world = World::new();
    let first = world.simple_pr(3796, "Fix the widget", 8);
    let second = two_commits(&world, 3797);
    let (run, _) = run_without_format_patch(&world, &args);
    run.expect_code(0)
        .stderr_has("the patch of PR #3796 matches its commits (1 in ")
        .stderr_has("the patch of PR #3797 matches its commits (2 in ");
    let logs = git_lines(&run, "log --stdin");
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains("[3 commits]"), "{logs:?}");
    let ids = git_lines(&run, "patch-id --stable <");
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].contains("[2 patch series]"), "{ids:?}");
    assert_eq!(patch_gets(&world), 2);
    assert_eq!(world.picked(BOTH), source(&world, &[&first, &second]));
}

#[test]
fn each_download_is_judged_on_its_own_in_the_one_patch_id() {
    // Three downloads through one `git patch-id`: the first two are right,
    // the third is another pull request's patch. Each is judged by its own
    // ids: the first two match, the third stops the run.
    let world = World::new();
    let first = world.simple_pr(3796, "Fix the widget", 8);
    two_commits(&world, 3797);
    world.simple_pr(3798, "Fix the gadget", 19);
    world
        .github
        .patch_body(3798, "text/x-patch; charset=utf-8", &first.patch, usize::MAX);
    let before = world.branches(&world.fork);
    let args = ["--yes", "--debug", "upstream/release-3.1", "3796", "3797", "3798"];
    let (run, _) = run_without_format_patch(&world, &args);
    run.expect_code(1)
        .stderr_has("the patch of PR #3796 matches its commits (1 in ")
        .stderr_has("the patch of PR #3797 matches its commits (2 in ")
        .stderr_has("the patch GitHub sent for PR #3798 is not its commits (its changes differ");
    assert!(run.stderr.contains("[3 patch series]"), "{}", run.stderr);
    nothing_done(&world, &before);
}

#[test]
fn a_download_that_lost_its_carriage_returns_is_picked_from_its_commits() {
    // GitHub's patch, taken where it cannot be made here, lost the carriage
    // returns of a CRLF file on the way: by patch id it is the commits (ids
    // ignore whitespace), but `git am` cannot apply it; the commits can be
    // picked, and are.
    let world = World::new();
    let pr = world.crlf_fallback_pr();
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("git am -3 could not apply #3796; git cherry-pick applied its commits cleanly");
    assert_eq!(
        world.git(&world.fork, &["show", &format!("{BRANCH}:win.txt")]),
        "one\r\ntwo fixed\r\nthree\r\n"
    );
    assert_eq!(
        world.picked(BRANCH),
        world.commits(&world.upstream, &format!("{0}^..{0}", pr.head_sha))
    );
}

#[test]
fn a_pull_request_that_merged_master_is_picked_as_git_lists_its_commits() {
    // #3797 branched before #3796 was merged, merged master (with #3796) into
    // its branch half way, and is listed with #3796 in one `git rev-list`:
    // its base reaches #3796's commit, which is #3796's all the same, and
    // its own commits are those `git rev-list base..head` names, in that
    // order, its merge aside.
    let world = World::new();
    let b = world.git(&world.work, &["show", "master:pkg/b.go"]);
    world.git(&world.work, &["checkout", "--quiet", "-b", "feature-3797"]);
    let first_half = b.replace("b 5\n", "b 5 first half\n");
    world.commit_files(&[("pkg/b.go", &first_half)], "First half");
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    let first = world.simple_pr(3796, "Fix the widget", 3);
    let base = world.git(&world.work, &["rev-parse", "master"]).trim().to_string();
    world.git(&world.work, &["checkout", "--quiet", "feature-3797"]);
    world.git(
        &world.work,
        &["merge", "--quiet", "--no-ff", "-m", "Merge master", "master"],
    );
    world.commit_files(
        &[("pkg/b.go", &first_half.replace("b 12\n", "b 12 second half\n"))],
        "Second half",
    );
    let head = world.git(&world.work, &["rev-parse", "HEAD"]).trim().to_string();
    let range = format!("{base}..{head}");
    merged_from_branch(&world, 3797, "Fix in two halves", "feature-3797", base, head);
    world.github.set_commit_count(3797, 3);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796", "3797"]);
    run.expect_code(0);
    let own: Vec<String> = world
        .git(&world.upstream, &["rev-list", "--reverse", "--no-merges", &range])
        .lines()
        .map(|sha| {
            let info = world.git(&world.upstream, &["log", "-1", "--format=%s|%an <%ae>", sha]);
            format!("{}|{}", info.trim(), world.patch_id(&world.upstream, sha))
        })
        .collect();
    let mut expected = source(&world, &[&first]);
    expected.extend(own);
    assert_eq!(world.picked(BOTH), expected);
    assert_eq!(
        world.picked_subjects(BOTH),
        ["Fix the widget", "First half", "Second half"]
    );
    assert_eq!(patch_gets(&world), 0);
}

#[test]
fn the_users_format_patch_settings_change_nothing_picked() {
    // The patches are made with the user's own git: settings of theirs that
    // sign off, record a base, quote `From ` lines, attach, number, or
    // drop prefixes change none of the commits picked.
    let world = World::new();
    for (key, value) in [
        ("format.signOff", "true"),
        ("format.useAutoBase", "true"),
        ("format.mboxrd", "true"),
        ("format.attach", "true"),
        ("format.numbered", "true"),
        ("format.coverLetter", "true"),
        ("format.signature", "a signature"),
        ("diff.noprefix", "true"),
    ] {
        world.git(&world.clone, &["config", key, value]);
    }
    let a = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let first = a.replace("a 3\n", "a 3 first\n");
    let pr = world.pr(
        3796,
        "Fix in two steps",
        "",
        &[
            (
                "First step\n\nFrom now on the widget starts.\n",
                &[("pkg/a.go", &first)],
            ),
            (
                "Second step",
                &[("pkg/a.go", &first.replace("a 15\n", "a 15 second\n"))],
            ),
        ],
        true,
    );
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    let messages =
        |repo: &std::path::Path, range: &str| world.git(repo, &["log", "--reverse", "--format=%B%x00", range]);
    assert_eq!(
        messages(&world.fork, &format!("release-3.1..{BRANCH}")),
        messages(&world.upstream, &format!("{}..{}", pr.base_sha, pr.head_sha))
    );
}

#[test]
fn a_base_the_fetch_did_not_bring_is_fetched_by_its_branch() {
    // GitHub's base is a master commit made after the pull request branched:
    // neither the target nor the pull request's head brings it, and this
    // server does not give out commits by id (protocol v0).
    let world = World::new();
    let a = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let mut pr = world.pr(
        3796,
        "Fix the widget",
        "",
        &[("Fix the widget", &[("pkg/a.go", &a.replace("a 3\n", "a 3 fixed\n"))])],
        false,
    );
    let b = world.git(&world.work, &["show", "master:pkg/b.go"]);
    let base = world.commit_files(&[("pkg/b.go", &b.replace("b 1\n", "b 1 meanwhile\n"))], "Meanwhile");
    world.git(
        &world.work,
        &["merge", "--quiet", "--no-ff", "-m", "Merge #3796", "feature-3796"],
    );
    world.commit_files(&[("README.md", "moved on\n")], "Later");
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    pr.base_sha = base;
    pr.merged = true;
    world.github.add_pull(pr.clone());
    world.git(&world.clone, &["config", "protocol.version", "0"]);
    // The project's settings are read from the default branch, fetched
    // first: with master the default, that fetch would bring the base.
    world.git(&world.upstream, &["symbolic-ref", "HEAD", "refs/heads/release-3.1"]);

    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("refs/heads/master  [exit 0");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    assert_eq!(patch_gets(&world), 0);
}

#[test]
fn a_commit_count_that_git_does_not_find_is_an_error() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.set_commit_count(3796, 3);
    let before = world.branches(&world.fork);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has("GitHub says PR #3796 has 3 commits, but git finds 1");
    nothing_done(&world, &before);
}

// 4. An answer cut short is asked for again.

#[test]
fn answers_cut_mid_body_are_asked_for_again() {
    let world = World::new();
    if world.prism.is_some() {
        return; // Prism reads the answer itself and never passes on a cut one.
    }
    let pr = two_commits(&world, 3796);
    world.github.cut("GET", "/pulls/3796", Some("json"), 1);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("was cut short");
    assert_eq!(run.stdout, URL);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    assert_eq!(world.github.requests_to("GET", "/pulls/3796").len(), 2);

    // GitHub's patch too, where it is taken.
    let world = World::new();
    let pr = two_commits(&world, 3796);
    world.github.cut("GET", "/pulls/3796", Some("patch"), 1);
    world.github.cut("GET", "/pulls/3796", Some("json"), 1);
    let (run, _) = run_without_format_patch(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("was cut short");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    assert_eq!(world.github.requests_to("GET", "/pulls/3796").len(), 4);
}

#[test]
fn a_create_call_cut_mid_body_finds_the_pull_request_it_made() {
    let world = World::new();
    if world.prism.is_some() {
        return; // Prism reads the answer itself and never passes on a cut one.
    }
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.github.cut("POST", "/pulls", None, 1);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    // This run opened it: it is not called "already open … updated".
    run.expect_code(0)
        .stderr_has("was cut short")
        .stderr_has("GitHub had opened #9000 on an earlier try whose answer was lost")
        .stderr_has("Opened PR #9000");
    assert!(!run.stderr.contains("already open"), "{}", run.stderr);
    assert_eq!(run.stdout, URL);
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

// 6. `merged` missing or null; a 200 that is not the JSON expected.

#[test]
fn a_missing_merged_field_is_read_from_merged_at() {
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.github.edit_pull(3796, "merged", None);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    lacks(&run, "not merged");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

#[test]
fn a_null_merged_without_merged_at_is_not_called_unmerged() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.edit_pull(3796, "merged", Some(json!(null)));
    world.github.edit_pull(3796, "merged_at", None);
    let before = world.branches(&world.fork);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("does not say whether it is merged");
    lacks(&run, "is not merged");
    lacks(&run, "refused");
    nothing_done(&world, &before);
}

#[test]
fn a_200_that_is_not_json_is_asked_for_once_more() {
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.github.pull_body(3796, "text/html", HTML, 1);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("asking once more");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

#[test]
fn a_200_that_is_never_json_says_what_came_back() {
    let html = format!("text/html, {} bytes starting \"<!DOCTYPE html>", HTML.len());
    for (content_type, body, shown) in [
        ("text/html", HTML, html.as_str()),
        (
            "application/json",
            b"{\"number\": 3796, \"title\": ".as_slice(),
            "application/json, 26 bytes starting \"{\\\"number\\\": 3796",
        ),
        (
            "application/json",
            b"[]".as_slice(),
            "application/json, 2 bytes starting \"[]\"",
        ),
    ] {
        let world = World::new();
        if world.prism.is_some() {
            return; // Prism does not pass on an answer that breaks the description.
        }
        world.simple_pr(3796, "Fix the widget", 3);
        world.github.pull_body(3796, content_type, body, 2);
        let before = world.branches(&world.fork);

        let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1)
            .stderr_has("GitHub's answer could not be read while fetching PR #3796")
            .stderr_has(shown);
        lacks(&run, "refused");
        nothing_done(&world, &before);
    }
}

// 7. A rate limit after the push says how to go on.

#[test]
fn a_rate_limit_on_the_create_call_says_continue_after() {
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    world.github.fault_times(
        "POST",
        "/pulls",
        403,
        json!({"message": "API rate limit exceeded for user ID 1."}),
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset.to_string()),
        ],
        1,
    );

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has("run `git cherry-pick-pr --continue` after ");
    lacks(&run, "the same command again");
    assert!(world.github.created().is_empty());

    let resumed = run_command(command(&world).args(["--continue"]));
    resumed.expect_code(0);
    assert_eq!(resumed.stdout, URL);
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

// 5. A body over GitHub's limit is fitted to it.

#[test]
fn a_body_over_github_limit_is_fitted_and_links_the_source() {
    let world = World::new();
    let note = "A very long release note line that goes on.\n".repeat(1700);
    let current = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let pr = world.pr(
        3796,
        "Fix the widget",
        &format!("Body.\n\n```release-note\n{note}```\n"),
        &[(
            "Fix the widget",
            &[("pkg/a.go", &current.replace("a 3\n", "a 3 fixed\n"))],
        )],
        true,
    );
    assert!(note.len() > 70_000);

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(run.stdout, URL);
    let created = world.github.created();
    let body = &created[0].body;
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(body.contains("shortened to fit GitHub's limit"), "{body}");
    assert!(body.contains("the full text is in #3796."), "{body}");
    assert!(body.starts_with("Cherry pick of #3796 on release-3.1."), "{body}");
    assert!(
        body.contains("```release-note\nA very long release note line"),
        "{body}"
    );
    assert!(body.trim_end().ends_with("```"), "the block is closed");
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

// 9. --debug shows redirects; a refusal without a message is in words.

#[test]
fn debug_shows_each_redirect() {
    let world = World::new();
    if world.prism.is_some() {
        return; // Prism would follow the redirect itself.
    }
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.github.redirect("/repos/kubesphere/kubesphere/pulls/3796", 2);

    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("-> 301, redirected to ");
    assert!(
        run.stderr
            .contains("/moved/repos/kubesphere/kubesphere/pulls/3796 -> 200"),
        "{}",
        run.stderr
    );
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
}

#[test]
fn a_label_refusal_without_a_message_is_in_words() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.fault(
        "POST",
        "/labels",
        422,
        json!({"errors": [{"resource": "Label", "code": "invalid", "field": "name", "value": "bad label"}]}),
    );
    world.github.fault(
        "PATCH",
        "/issues/",
        422,
        json!({"errors": [{"resource": "Label", "code": "invalid", "field": "name", "value": "bad label"}]}),
    );

    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("Label name is invalid (\"bad label\")");
    lacks(&run, "\"resource\"");
}

// 8. Memory with a large patch: measured, not asserted (run with --ignored).

#[test]
#[ignore = "a measurement: cargo test --test testsuite -- --ignored --nocapture integrity::peak"]
fn peak_memory_with_a_large_patch() {
    let world = World::new();
    let line = "a line of a large generated file, as a vendored dependency would have\n";
    let big = line.repeat(33 * 1024 * 1024 / line.len());
    let pr = world.pr(
        3796,
        "Vendor a large file",
        "",
        &[("Vendor a large file", &[("vendor/big.txt", &big)])],
        true,
    );
    let rss = world.root.path().join("rss");
    let cmd = command(&world);
    let program = cmd.get_program().to_owned();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss)
        .arg(program)
        .args(["--yes", "--debug", "upstream/release-3.1", "3796"])
        .current_dir(world.clone.as_path())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))))
        .stdin(std::process::Stdio::null());
    let run = run_command(&mut timed);
    run.expect_code(0);
    let kib: u64 = std::fs::read_to_string(&rss).unwrap().trim().parse().unwrap();
    let own = run
        .stderr
        .lines()
        .find_map(|l| {
            l.split_once("peak memory of this process: ")
                .map(|(_, v)| v.to_string())
        })
        .expect("--debug says the peak");
    eprintln!(
        "patch {:.1} MB; peak RSS of the tool {own}; of it or any git it ran {:.1} MB (/usr/bin/time %M)",
        pr.patch.len() as f64 / 1e6,
        kib as f64 * 1024.0 / 1e6
    );
    assert_eq!(world.picked(BRANCH), source(&world, &[&pr]));
    let _ = cmd.get_current_dir();
}
