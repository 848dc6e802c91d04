//! The user's environment, hooks and habits: nothing they set or do touches
//! their checkout, and nothing the tool leaves is unknown to `--status`.

use crate::interrupts;
use crate::support::{World, run_command};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// The PR's own commits, `subject|author|patch-id` each.
fn source_commits(world: &World, head: &str) -> Vec<String> {
    world.commits(&world.upstream, &format!("{head}^..{head}"))
}

#[test]
fn git_dir_and_work_tree_from_the_environment_do_not_reach_the_worktree() {
    // Run from elsewhere, the repository named by GIT_DIR and GIT_WORK_TREE:
    // `git am` used to commit onto the user's branch, and the fork branch was
    // pushed without the pull request's change.
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        let elsewhere = world.root.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();

        let run = run_command(
            world
                .command()
                .current_dir(&elsewhere)
                .env("GIT_DIR", world.clone.join(".git"))
                .env("GIT_WORK_TREE", &world.clone)
                .args(["--yes", "upstream/release-3.1", "3796"]),
        );
        run.expect_code(0);
        assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
        assert_eq!(world.picked(BRANCH), source_commits(world, &pr.head_sha));
    });
    assert_eq!(world.local_branches(), vec!["master"]);
}

#[test]
fn a_git_dir_outside_the_work_tree_works_as_git_does() {
    // GIT_DIR in another place than the work tree's `.git`, as for a
    // checkout whose repository is kept elsewhere.
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix", 3);
    let git_dir = world.root.path().join("kept-elsewhere.git");
    std::fs::rename(world.clone.join(".git"), &git_dir).unwrap();
    let run = run_command(
        world
            .command()
            .env("GIT_DIR", &git_dir)
            .env("GIT_WORK_TREE", &world.clone)
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(0);
    assert_eq!(world.picked(BRANCH), source_commits(&world, &pr.head_sha));
    assert!(!world.clone.join(".git").exists());
    let worktrees = world.git(&world.root.path().join("kept-elsewhere.git"), &["worktree", "list"]);
    assert_eq!(worktrees.lines().count(), 1, "{worktrees}");
}

#[test]
fn git_index_file_from_the_environment_is_not_overwritten() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        let run = run_command(
            world
                .command()
                .env("GIT_INDEX_FILE", world.clone.join(".git/index"))
                .args(["--yes", "--dry-run", "release-3.1", "3796"]),
        );
        run.expect_code(0);
        assert_eq!(run.stdout.trim(), BRANCH);
    });
    // The dry run's branch has the pick.
    let picked = world.commits(&world.clone, &format!("upstream/release-3.1..{BRANCH}"));
    assert_eq!(picked.len(), 1, "{picked:?}");
}

#[test]
fn git_c_settings_still_reach_every_git_command() {
    // `git -c` passes settings in GIT_CONFIG_PARAMETERS, a repository-local
    // variable that git keeps for other repositories: so does the tool.
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = run_command(
        world
            .command()
            .env("GIT_CONFIG_PARAMETERS", "'user.name'='Via Dash C'")
            .env_remove("GIT_COMMITTER_NAME")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(0);
    let committer = world.git(&world.fork, &["log", "-1", "--format=%cn", BRANCH]);
    assert_eq!(committer.trim(), "Via Dash C");
}

#[test]
fn continue_from_inside_the_worktree_removes_its_branch_too() {
    // Resolving inside the tool's worktree is the natural flow; its branch
    // used to stay behind after `--continue` from there.
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
        let worktree = world.state_worktree();
        world.resolve(&worktree);

        let run = run_command(world.command().current_dir(worktree.join("pkg")).arg("--continue"));
        run.expect_code(0)
            .stderr_has(&format!("go back with `cd {}`", world.clone.display()));
        assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
        assert!(!worktree.exists());
        assert!(world.state().is_none());
        assert_eq!(world.local_branches(), vec!["master"]);
    });
    assert_eq!(world.picked_subjects(BRANCH), vec!["Fix"]);
}

#[test]
fn abort_from_inside_the_worktree_removes_its_branch_too() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
        let worktree = world.state_worktree();

        let run = run_command(world.command().current_dir(&worktree).arg("--abort"));
        run.expect_code(0).stderr_has("Aborted");
        assert!(!worktree.exists());
        assert!(world.state().is_none());
        assert_eq!(world.local_branches(), vec!["master"]);
        assert!(world.tool_dirs().is_empty());
    });
}

#[test]
fn a_second_run_while_one_is_running_refuses_and_names_it() {
    // Both used to pass the "in progress" check; the state then knew only
    // the second, and the first's worktree and branch were orphaned.
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.simple_pr(3797, "Other", 15);
    world.dirty_checkout();
    world.untouched(|world| {
        world.github.delay("POST", "/pulls", std::time::Duration::from_secs(30));
        let first = interrupts::spawn_in_group(world.command().args(["--yes", "upstream/release-3.1", "3796"]));
        interrupts::wait_until("the first run's pull request request", || {
            world.github.requests().iter().any(|r| r.method == "POST")
        });

        let second = world.run(&["--yes", "upstream/release-3.1", "3797"]);
        second
            .expect_code(1)
            .stderr_has("another git cherry-pick-pr is running in this repository")
            .stderr_has(&format!("pid {}", first.id()));
        world
            .run(&["--abort"])
            .expect_code(1)
            .stderr_has("another git cherry-pick-pr is running");
        let status = world.run(&["--status"]);
        status.expect_code(0);
        assert!(
            status.stdout.contains(&format!("running now (pid {}", first.id())),
            "{}",
            status.stdout
        );
        assert!(
            !status.stdout.contains("No cherry-pick in progress"),
            "{}",
            status.stdout
        );

        // The first is killed outright: what it left is found and cleared.
        kill(&first);
        let run = interrupts::finish(first);
        assert_ne!(run.code, 0);
        let status = world.run(&["--status"]);
        assert!(
            status.stdout.contains("Left over by a run that did not finish"),
            "{}",
            status.stdout
        );
        assert!(
            status
                .stdout
                .contains("(branch automated-cherry-pick-of-#3796-upstream-release-3.1)"),
            "{}",
            status.stdout
        );
        // Its registered worktree and its directory are one leftover.
        assert_eq!(
            status
                .stdout
                .matches("cherry-pick-pr/3796-upstream-release-3.1-")
                .count(),
            1,
            "{}",
            status.stdout
        );
        assert!(status.stdout.contains("--abort"), "{}", status.stdout);
        // A new run is warned of it, takes over the lock, and goes on.
        world.github.state.lock().unwrap().delays.clear();
        world
            .run(&["--yes", "upstream/release-3.1", "3797"])
            .expect_code(0)
            .stderr_has("taking over its lock")
            .stderr_has("a run that did not finish left 1 worktree(s)");
        world.run(&["--abort"]).expect_code(0).stderr_has("Removed");
        assert!(world.tool_dirs().is_empty());
        assert_eq!(world.local_branches(), vec!["master"]);
    });
}

/// SIGKILL: nothing of the tool's own cleanup runs.
fn kill(child: &std::process::Child) {
    let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL).expect("kill the run");
}

#[test]
fn a_failing_post_checkout_hook_leaves_nothing_behind() {
    // The worktree used to stay registered with its branch; `--abort` said
    // "nothing to abort" and the next run named its branch `…-2`.
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        let hooks = world.root.path().join("hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        let hook = hooks.join("post-checkout");
        std::fs::write(&hook, "#!/bin/sh\necho 'post-checkout: no' >&2\nexit 1\n").unwrap();
        crate::support::set_executable(&hook);
        world.git(&world.clone, &["config", "core.hooksPath", hooks.to_str().unwrap()]);
        let before_config = world.snapshot();

        let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1)
            .stderr_has("post-checkout: no")
            .stderr_has("nothing was left behind");
        assert_eq!(world.snapshot(), before_config);
        assert_eq!(world.local_branches(), vec!["master"]);
        assert!(world.tool_dirs().is_empty());
        assert!(world.state().is_none());
        assert!(world.github.writes().is_empty());
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);

        world.git(&world.clone, &["config", "--unset", "core.hooksPath"]);
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
        assert!(world.branches(&world.fork).contains(&BRANCH.to_string()));
    });
}

#[test]
fn a_signing_failure_is_not_reported_as_a_conflict() {
    // `git am` stops with nothing in conflict when the commit cannot be
    // signed: exit 1 with git's words, not "does not apply cleanly", exit 3.
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        let signer = world.root.path().join("failing-signer");
        std::fs::write(&signer, "#!/bin/sh\necho 'signer: no key here' >&2\nexit 1\n").unwrap();
        crate::support::set_executable(&signer);
        world.git(&world.clone, &["config", "commit.gpgSign", "true"]);
        world.git(&world.clone, &["config", "gpg.program", signer.to_str().unwrap()]);

        let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1)
            .stderr_has("nothing in conflict")
            .stderr_has("gpg failed to sign the data")
            .stderr_has("--continue");
        assert!(!run.stderr.contains("does not apply cleanly"), "{}", run.stderr);
        assert!(!run.stderr.contains("conflicting files"), "{}", run.stderr);
        let status = world.run(&["--status"]);
        assert!(!status.stdout.contains("conflicts"), "{}", status.stdout);
        assert!(status.stdout.contains("not a conflict"), "{}", status.stdout);
        assert!(world.github.writes().is_empty());

        world.git(&world.clone, &["config", "commit.gpgSign", "false"]);
        world.run(&["--continue"]).expect_code(0);
        assert_eq!(world.picked_subjects(BRANCH), vec!["Fix"]);
        assert_eq!(world.local_branches(), vec!["master"]);
    });
}

#[test]
fn a_pull_request_skipped_by_hand_is_not_called_already_present() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.conflict_on_release(10);
        world.conflict_on_release(17);
        world.simple_pr(3796, "First", 3);
        world.simple_pr(3800, "Conflicting", 10);
        world.simple_pr(3801, "Conflicting too", 17);
        world
            .run(&["--yes", "upstream/release-3.1", "3796", "3800", "3801"])
            .expect_code(3);
        let worktree = world.state_worktree();
        world.git(&worktree, &["am", "--skip"]);

        let run = world.run(&["--continue"]);
        run.expect_code(3).stderr_has("#3800 was skipped by hand");
        assert!(!run.stderr.contains("already on"), "{}", run.stderr);
        let status = world.run(&["--status"]);
        assert!(status.stdout.contains("skipped by hand: #3800"), "{}", status.stdout);
        assert!(!status.stdout.contains("already there"), "{}", status.stdout);

        world.resolve(&worktree);
        world.run(&["--continue"]).expect_code(0);
        let created = world.github.created();
        assert_eq!(
            created[0].title,
            "Automated cherry pick of #3796: First #3801: Conflicting too"
        );
        assert!(
            created[0]
                .body
                .contains("Not picked, skipped by hand while resolving conflicts: #3800."),
            "{}",
            created[0].body
        );
        assert!(!created[0].body.contains("already present"), "{}", created[0].body);
    });
}

#[test]
fn when_the_only_pull_request_is_dropped_by_hand_nothing_is_called_already_present() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.conflict_on_release(3);
        world.simple_pr(3800, "Conflicting", 3);
        world.run(&["--yes", "upstream/release-3.1", "3800"]).expect_code(3);
        world.git(&world.state_worktree(), &["am", "--abort"]);

        let run = world.run(&["--continue"]);
        run.expect_code(0)
            .stderr_has("#3800 was skipped by hand")
            .stderr_has("Nothing is left to push for upstream/release-3.1: #3800 skipped by hand");
        assert!(!run.stderr.contains("already on"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(world.github.writes().is_empty());
        assert!(world.state().is_none());
        assert_eq!(world.local_branches(), vec!["master"]);
    });
}

#[test]
fn conflict_markers_left_in_a_resolution_are_never_pushed() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.conflict_on_release(3);
        world.simple_pr(3796, "Fix", 3);
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
        let worktree = world.state_worktree();
        // Staged with its markers still in.
        world.git(&worktree, &["add", "pkg/a.go"]);

        let run = world.run(&["--continue"]);
        run.expect_code(1)
            .stderr_has("add conflict markers")
            .stderr_has("pkg/a.go:3: <<<<<<<")
            .stderr_has("git commit --amend");
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
        assert!(world.github.writes().is_empty());
        assert!(world.run(&["--status"]).stdout.contains("not pushed yet"));

        // Fixed and amended: --continue checks again and pushes.
        crate::support::keep_both_sides(&worktree.join("pkg/a.go"));
        world.git(&worktree, &["commit", "--quiet", "--amend", "--no-edit", "-a"]);
        world.run(&["--continue"]).expect_code(0);
        let pushed = world.git(&world.fork, &["show", &format!("{BRANCH}:pkg/a.go")]);
        assert!(!pushed.contains("<<<<<<<"), "{pushed}");
    });
}

#[test]
fn conflict_markers_that_the_pull_request_itself_adds_are_pushed() {
    // A test fixture may hold markers on purpose.
    let world = World::new();
    world.conflict_on_release(3);
    let current = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let changed = current.replace("a 3\n", "a 3 fixed\n");
    let fixture = "<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n";
    world.pr(
        3796,
        "Fix with a fixture",
        "",
        &[(
            "Fix with a fixture",
            &[("pkg/a.go", changed.as_str()), ("testdata/merge.txt", fixture)],
        )],
        true,
    );
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    let pushed = world.git(&world.fork, &["show", &format!("{BRANCH}:testdata/merge.txt")]);
    assert_eq!(pushed, fixture);
}

#[test]
fn status_and_continue_agree_on_a_target_not_in_progress() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.conflict_on_release(3);
        world.simple_pr(3796, "Fix", 3);
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
        world
            .run(&["--status", "release-9.9"])
            .expect_code(2)
            .stderr_has("`release-9.9` is not in progress");
        world
            .run(&["--continue", "release-9.9"])
            .expect_code(2)
            .stderr_has("`release-9.9` is not in progress");
        let status = world.run(&["--status", "release-3.1"]);
        status.expect_code(0);
        assert!(
            status
                .stdout
                .contains("upstream/release-3.1: stopped on conflicts in #3796"),
            "{}",
            status.stdout
        );
        world.run(&["--abort"]).expect_code(0);
    });
}

#[test]
fn a_failed_commit_of_the_exec_commands_changes_says_where_and_what_next() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.simple_pr(3796, "Fix", 3);
        let hooks = world.root.path().join("hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        let hook = hooks.join("pre-commit");
        std::fs::write(&hook, "#!/bin/sh\necho 'pre-commit: lint failed' >&2\nexit 1\n").unwrap();
        crate::support::set_executable(&hook);
        world.git(&world.clone, &["config", "core.hooksPath", hooks.to_str().unwrap()]);

        let run = world.run(&[
            "--yes",
            "--exec",
            "echo generated > gen.txt",
            "upstream/release-3.1",
            "3796",
        ]);
        run.expect_code(1)
            .stderr_has("pre-commit: lint failed")
            .stderr_has("git cherry-pick-pr --continue")
            .stderr_has("git cherry-pick-pr --abort");
        let worktree = world.state_worktree();
        run.stderr_has(&worktree.display().to_string());
        assert!(world.github.writes().is_empty());

        std::fs::remove_file(&hook).unwrap();
        world.run(&["--continue"]).expect_code(0);
        let files = world.git(&world.fork, &["show", "--name-status", "--format=", BRANCH]);
        assert_eq!(files, "A\tgen.txt\n");
    });
}

#[test]
fn after_the_pull_request_could_not_be_opened_status_says_it_was_pushed() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.simple_pr(3796, "Fix", 3);
        world.github.fault(
            "POST",
            "/pulls",
            403,
            serde_json::json!({"message": "Resource not accessible by integration"}),
        );
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(1);
        assert!(world.branches(&world.fork).contains(&BRANCH.to_string()));
        // A refusal is no sign that the pull request exists: it is not looked
        // for again after the create (only once, before the push).
        let lookups = world
            .github
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/pulls"))
            .count();
        assert_eq!(lookups, 1);
        let status = world.run(&["--status"]);
        assert!(
            status.stdout.contains("pushed; the pull request is not opened yet"),
            "{}",
            status.stdout
        );
        assert!(!status.stdout.contains("not pushed yet"), "{}", status.stdout);
        world.run(&["--abort"]).expect_code(0);
    });
}

#[test]
fn a_failed_pre_push_hook_gives_each_hint_once() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.simple_pr(3796, "Fix", 3);
        world.hook("pre-push", "exit 1\n");
        let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1);
        assert_eq!(run.stderr.matches("--continue").count(), 1, "{}", run.stderr);
        assert_eq!(run.stderr.matches("--abort").count(), 1, "{}", run.stderr);
        assert_eq!(
            run.stderr.matches("git's output above says why").count(),
            1,
            "{}",
            run.stderr
        );
        world.run(&["--abort"]).expect_code(0);
    });
}

#[test]
fn a_dry_run_that_stops_does_not_promise_a_push() {
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.simple_pr(3796, "Fix", 3);
        world.hook("applypatch-msg", "exit 1\n");
        let run = world.run(&["--dry-run", "upstream/release-3.1", "3796"]);
        run.expect_code(1).stderr_has("nothing is pushed");
        assert!(!run.stderr.contains("pushes and opens"), "{}", run.stderr);
        // One "then" line, not two.
        assert_eq!(
            run.stderr.matches("then `git cherry-pick-pr --continue`").count(),
            1,
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.matches("then run").count(), 0, "{}", run.stderr);
        world.run(&["--abort"]).expect_code(0);
    });
}

#[test]
fn a_fork_branch_heading_a_pull_request_against_another_branch_is_not_pushed_over() {
    // `upstream/release/3.1` and `upstream/release-3.1` make the same fork
    // branch: the second run used to force-push over the first one's open PR.
    let world = World::new();
    world.dirty_checkout();
    world.untouched(|world| {
        world.release_branch("release/3.1");
        world.simple_pr(3796, "Fix", 3);
        world.run(&["--yes", "upstream/release/3.1", "3796"]).expect_code(0);
        let pushed = world.git(&world.fork, &["rev-parse", BRANCH]);
        let writes = world.github.writes().len();

        let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1)
            .stderr_has("already heads PR #9000 against release/3.1, not release-3.1")
            .stderr_has("nothing was done");
        assert_eq!(world.git(&world.fork, &["rev-parse", BRANCH]), pushed);
        assert_eq!(world.github.writes().len(), writes);
        assert_eq!(world.github.created().len(), 1);
        assert_eq!(world.local_branches(), vec!["master"]);
        assert!(world.tool_dirs().is_empty());

        // The same target again updates its own pull request, as before.
        world.run(&["--yes", "upstream/release/3.1", "3796"]).expect_code(0);
    });
}

#[test]
fn a_stray_directory_beside_a_saved_run_is_listed_once_and_abort_clears_both() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
        let saved = world.state_worktree();
        // A directory of the tool's that git does not know (a run killed right
        // after making it).
        let stray = world.clone.join(".git/cherry-pick-pr/3797-upstream-release-3.1-stray");
        std::fs::create_dir_all(&stray).unwrap();

        let status = world.run(&["--status"]);
        let text = &status.stdout;
        assert_eq!(text.matches(&stray.display().to_string()).count(), 1, "{text}");
        assert!(text.contains("stopped on conflicts in #3796"), "{text}");
        let leftover_part = &text[..text.find("Cherry-pick of").unwrap_or(text.len())];
        assert!(
            !leftover_part.contains(&saved.display().to_string()),
            "the saved run's worktree is no leftover:\n{text}"
        );

        world
            .run(&["--abort"])
            .expect_code(0)
            .stderr_has("Removed")
            .stderr_has("Aborted");
        assert!(world.tool_dirs().is_empty());
        assert!(world.state().is_none());
        assert_eq!(world.local_branches(), vec!["master"]);
    });
}
