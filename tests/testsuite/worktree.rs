//! What the tool's worktree holds: only the files the patches touch while
//! `git am` applies cleanly, the whole tree whenever someone else looks at
//! it (the user after a stop, the `--exec` command, `git am` hooks), and one
//! `git am` for several pull requests when they apply cleanly.

use std::path::Path;

use crate::support::{World, numbered};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// Lines of `--debug` output that ran git with `args` (after any `-c`
/// options).
fn git_calls<'a>(stderr: &'a str, args: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("debug[") && l.contains("] git ") && l.contains(args))
        .collect()
}

/// Each pull request is announced, with its own title, exactly once.
fn announced_once(stderr: &str, prs: &[(u64, &str)]) {
    for (n, title) in prs {
        let step = format!("Applying #{n} to upstream/release-3.1: {title}\n");
        assert_eq!(stderr.matches(&step).count(), 1, "{step:?} in:\n{stderr}");
    }
}

/// Whether the index of `worktree` ends with a real checksum (tools other
/// than git may refuse an index written with `index.skipHash`).
fn index_has_checksum(world: &World, worktree: &Path) -> bool {
    let index = world.git(
        worktree,
        &["rev-parse", "--path-format=absolute", "--git-path", "index"],
    );
    let bytes = std::fs::read(index.trim()).unwrap_or_default();
    bytes.len() > 20 && bytes[bytes.len() - 20..].iter().any(|&b| b != 0)
}

/// The files of the target branch, as `git ls-tree` names them.
fn target_files(world: &World) -> Vec<String> {
    world
        .git(&world.upstream, &["ls-tree", "-r", "--name-only", "release-3.1"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_stop_shows_the_whole_tree_with_only_the_conflict_to_resolve() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let worktree = world.state_worktree();
    for file in target_files(&world) {
        let on_target = world.git(&world.upstream, &["show", &format!("release-3.1:{file}")]);
        if file != "pkg/a.go" {
            let written = std::fs::read_to_string(worktree.join(&file)).unwrap_or_default();
            assert_eq!(written, on_target, "{file} in the stopped worktree");
        }
    }
    // Nothing looks deleted or changed but the conflict itself.
    let status = world.git(&worktree, &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "UU pkg/a.go\n");
    assert!(index_has_checksum(&world, &worktree));

    world.resolve(&worktree);
    world.run(&["--continue"]).expect_code(0);
    assert_eq!(world.picked(BRANCH).len(), 1);
}

#[test]
fn a_clean_three_way_merge_needs_only_the_touched_files() {
    let world = World::new();
    // The release changed a line near the fix: the patch's context does not
    // match there, and `git am -3` merges it.
    world.conflict_on_release(5);
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert!(
        git_calls(&run.stderr, "checkout-index --all").is_empty(),
        "{}",
        run.stderr
    );
    let fixed = world.git(&world.fork, &["show", &format!("{BRANCH}:pkg/a.go")]);
    let expected = numbered("a", 20)
        .replace("a 3\n", "a 3 fixed by #3796\n")
        .replace("a 5\n", "a 5 changed on release\n");
    assert_eq!(fixed, expected);
    assert_eq!(world.tool_dirs(), Vec::<std::path::PathBuf>::new());
}

/// The git commands of a `--debug` run, in order: each one's subcommand
/// (after any `-c` options), with `worktree`'s own subcommand.
fn git_plan(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("debug["))
        .filter_map(|l| l.split_once("] git ").map(|(_, rest)| rest))
        .map(|rest| {
            let mut words = rest.split_whitespace();
            let mut command = words.next().unwrap_or_default();
            while command == "-c" {
                words.next();
                command = words.next().unwrap_or_default();
            }
            match command {
                "worktree" => format!("worktree {}", words.next().unwrap_or_default()),
                other => other.to_string(),
            }
        })
        .collect()
}

/// What BENCHMARKS.md counts: one pull request that applies cleanly takes
/// sixteen git processes (its commits listed by `git rev-list`, its patch
/// made by `git format-patch`; the fork's branches are listed alongside the
/// fetch, so which of the two ends first varies), and nothing is run that
/// the job does not need.
#[test]
fn one_clean_pull_request_runs_only_the_git_it_needs() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let (listed, plan): (Vec<String>, Vec<String>) = git_plan(&run.stderr).into_iter().partition(|c| c == "ls-remote");
    assert_eq!(listed, ["ls-remote"], "{}", run.stderr);
    assert_eq!(
        plan,
        [
            "rev-parse",
            "config",
            // The project's settings: the default branch's tip alone, and
            // whether it has a `.cherry-pick-pr` (here it has none).
            "fetch",
            "rev-parse",
            // The committer's identity, checked before the targets are fetched.
            "var",
            "fetch",
            "rev-list",
            "format-patch",
            "for-each-ref",
            "worktree add",
            "read-tree",
            "checkout-index",
            "am",
            "rev-parse",
            "push",
            "worktree remove",
            "branch",
        ],
        "{}",
        run.stderr
    );
    announced_once(&run.stderr, &[(3796, "Fix")]);
    assert_eq!(world.picked(BRANCH).len(), 1);
}

#[test]
fn the_exec_command_sees_the_whole_tree_and_commits_only_its_changes() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world
        .run(&[
            "--yes",
            "--exec",
            "cat README.md pkg/b.go RELEASE > all.txt",
            "upstream/release-3.1",
            "3796",
        ])
        .expect_code(0);
    let files = world.git(&world.fork, &["show", "--name-status", "--format=", BRANCH]);
    assert_eq!(files, "A\tall.txt\n");
    let all = world.git(&world.fork, &["show", &format!("{BRANCH}:all.txt")]);
    let on_target = |file: &str| world.git(&world.upstream, &["show", &format!("release-3.1:{file}")]);
    assert_eq!(
        all,
        on_target("README.md") + &on_target("pkg/b.go") + &on_target("RELEASE")
    );
}

#[test]
fn git_am_hooks_see_the_whole_tree() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let hook = world.clone.join(".git/hooks/pre-applypatch");
    std::fs::write(
        &hook,
        "#!/bin/sh\ntest -f README.md && test -f RELEASE || { echo 'pre-applypatch: tree missing' >&2; exit 1; }\n",
    )
    .unwrap();
    crate::support::set_executable(&hook);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH).len(), 1);
}

/// Hooks that look at the files after the commit, the push's and the
/// checkout's too, see the whole tree. Regression: `pre-push` ran in a
/// worktree holding only the touched files, and `post-checkout` did not run
/// at all (`git worktree add --no-checkout` skips it).
#[test]
fn hooks_that_look_at_the_files_see_the_whole_tree() {
    for hook_name in ["post-applypatch", "pre-push", "post-checkout"] {
        let world = World::new();
        world.simple_pr(3796, "Fix", 3);
        let seen = world.root.path().join("seen");
        let hook = world.clone.join(".git/hooks").join(hook_name);
        std::fs::write(
            &hook,
            format!("#!/bin/sh\nls RELEASE README.md pkg >> '{}'\n", seen.display()),
        )
        .unwrap();
        crate::support::set_executable(&hook);
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
        let listed = std::fs::read_to_string(&seen).unwrap_or_default();
        assert!(
            listed.contains("RELEASE") && listed.contains("README.md") && listed.contains("b.go"),
            "{hook_name} saw: {listed}"
        );
        assert_eq!(world.picked(BRANCH).len(), 1, "{hook_name}");
    }
}

#[test]
fn several_prs_that_apply_cleanly_take_one_git_am() {
    let world = World::new();
    world.simple_pr(3796, "First", 3);
    world.pr(
        3797,
        "Two commits",
        "Body.",
        &[
            ("One", &[("pkg/b.go", &numbered("b", 20).replace("b 2\n", "b 2 one\n"))]),
            ("Two", &[("docs/new.md", "new\n")]),
        ],
        true,
    );
    world.simple_pr(3798, "Third", 17);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796", "3797", "3798"]);
    run.expect_code(0);
    assert_eq!(git_calls(&run.stderr, "am -3").len(), 1, "{}", run.stderr);
    let branch = "automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1";
    let subjects = world.picked_subjects(branch);
    assert_eq!(subjects, ["First", "One", "Two", "Third"]);
    announced_once(&run.stderr, &[(3796, "First"), (3797, "Two commits"), (3798, "Third")]);
    assert_eq!(world.github.created()[0].title.matches('#').count(), 3);
}

#[test]
fn one_already_there_among_several_is_found_one_at_a_time() {
    let world = World::new();
    world.simple_pr(3796, "First", 3);
    let done = world.simple_pr(3797, "Already there", 10);
    world.simple_pr(3798, "Third", 17);
    world.land_on_release(&done.head_sha);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796", "3797", "3798"]);
    run.expect_code(0)
        .stderr_has("#3797 is already on upstream/release-3.1: skipped");
    assert!(!run.stderr.contains("#3796 is already"), "{}", run.stderr);
    // Once together, then one by one; each announced once.
    assert_eq!(git_calls(&run.stderr, "am -3").len(), 4, "{}", run.stderr);
    announced_once(
        &run.stderr,
        &[(3796, "First"), (3797, "Already there"), (3798, "Third")],
    );
    let branch = "automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1";
    let subjects = world.picked_subjects(branch);
    assert_eq!(subjects, ["First", "Third"]);
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
}

#[test]
fn a_conflict_among_several_stops_in_a_whole_tree_after_the_clean_ones() {
    let world = World::new();
    world.conflict_on_release(10);
    world.simple_pr(3796, "First", 3);
    world.simple_pr(3797, "Second", 10);
    world.simple_pr(3798, "Third", 17);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796", "3797", "3798"]);
    run.expect_code(3).stderr_has("PR #3797 does not apply cleanly");
    let worktree = world.state_worktree();
    let status = world.git(&worktree, &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "UU pkg/a.go\n");
    assert!(Path::new(&worktree.join("README.md")).exists());
    assert!(index_has_checksum(&world, &worktree));
    let log = world.git(&worktree, &["log", "--format=%s", "-2"]);
    assert_eq!(log, "First\nRelease-only change\n");
}

#[test]
fn hooks_in_the_work_tree_by_a_relative_hooks_path_still_run() {
    let world = World::new();
    let marker = world.root.path().join("hook-ran");
    let hook = format!("#!/bin/sh\ntest -f RELEASE && echo yes >> '{}'\n", marker.display());
    for branch in ["release-3.1", "master"] {
        world.git(&world.work, &["checkout", "--quiet", branch]);
        std::fs::create_dir_all(world.work.join(".githooks")).unwrap();
        std::fs::write(world.work.join(".githooks/post-applypatch"), &hook).unwrap();
        crate::support::set_executable(&world.work.join(".githooks/post-applypatch"));
        world.git(&world.work, &["add", ".githooks"]);
        world.git(&world.work, &["commit", "--quiet", "-m", "Hooks"]);
        world.git(&world.work, &["push", "--quiet", "origin", branch]);
    }
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.git(&world.clone, &["pull", "--quiet", "upstream", "master"]);
    world.git(&world.clone, &["config", "core.hooksPath", ".githooks"]);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(&marker).unwrap_or_default(), "yes\n");
}
