//! Conflicts and recovery: stopping with exit 3, `--continue`, `--abort`,
//! `--status`, the cherry-pick fallback, already-applied pull requests,
//! hooks, and Ctrl-C.

use std::path::Path;

use crate::support::World;

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

#[test]
fn a_conflict_stops_with_exit_3_and_continue_finishes() {
    let world = World::new();
    world.conflict_on_release(3);
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    let before = world.snapshot();

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(3).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
error: PR #3796 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    assert!(run.stdout.is_empty());
    let worktree = world.state_worktree();
    assert!(worktree.join("pkg/a.go").exists());
    assert!(world.github.writes().is_empty());
    assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
    // The user's checkout is untouched, even by the stop.
    let mut stopped = world.snapshot();
    assert_ne!(stopped.worktrees(), before.worktrees());
    stopped.set_worktrees(before.worktrees());
    assert_eq!(stopped, before);

    world.resolve(&worktree);
    let run = world.run(&["--continue"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    let picked = world.picked(BRANCH);
    assert_eq!(picked.len(), 1);
    assert!(picked[0].starts_with("Fix the widget|Test User"), "{picked:?}");
    assert_eq!(
        world.github.created()[0].title,
        "Automated cherry pick of #3796: Fix the widget"
    );
    assert!(world.state().is_none());
    assert!(!worktree.exists());
    assert_eq!(world.snapshot(), before);
    assert_eq!(world.local_branches(), vec!["master"]);
    let _ = pr;
}

#[test]
fn abort_after_a_conflict_leaves_nothing() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let worktree = world.state_worktree();

    let run = world.run(&["--abort"]);
    run.expect_code(0).stderr_eq(r#"
→ Aborted the cherry-pick onto upstream/release-3.1: removed [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] and branch automated-cherry-pick-of-#3796-upstream-release-3.1
"#);
    assert!(world.state().is_none());
    assert!(!worktree.exists());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.snapshot(), before);
    assert!(world.github.writes().is_empty());
    // Nothing left to abort is fine too.
    world.run(&["--abort"]).expect_code(0).stderr_eq(
        r#"
No cherry-pick in progress: nothing to abort.
"#,
    );
}

#[test]
fn a_conflict_in_the_second_of_three_keeps_the_first_and_applies_the_third() {
    let world = World::new();
    world.conflict_on_release(10);
    let first = world.simple_pr(3796, "First", 3);
    let second = world.simple_pr(3797, "Second", 10);
    let third = world.simple_pr(3798, "Third", 17);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796", "3797", "3798"]);
    run.expect_code(3).stderr_eq(r#"
→ Fetching release-3.1 and #3796 #3797 #3798 from upstream
→ Applying #3796 to upstream/release-3.1: First
→ Applying #3797 to upstream/release-3.1: Second
→ Applying #3798 to upstream/release-3.1: Third
error: PR #3797 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1)
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    let state = world.state().unwrap();
    assert_eq!(state["jobs"][0]["applied"], serde_json::json!([3796]));
    assert_eq!(state["jobs"][0]["current"], 3797);
    assert_eq!(state["jobs"][0]["remaining"], serde_json::json!([3798]));

    let status = world.run(&["--status"]);
    status.expect_code(0).stdout_eq(r#"
Cherry-pick of #3796 #3797 #3798 into kubesphere/kubesphere in progress:
  upstream/release-3.1: stopped on conflicts in #3797
    applied:  #3796
    left:     #3797 #3798
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1)
    conflicts: pkg/a.go
    next:     resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too); then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request; or `git cherry-pick-pr --abort` removes the worktree and branch
"#);

    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    let branch = "automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1";
    let subjects = world.picked_subjects(branch);
    assert_eq!(subjects, vec!["First", "Second", "Third"]);
    let created = world.github.created();
    assert_eq!(
        created[0].title,
        "Automated cherry pick of #3796: First #3797: Second #3798: Third"
    );
    let _ = (first, second, third);
}

#[test]
fn a_stopped_job_blocks_only_a_run_that_would_push_its_branch() {
    let world = World::new();
    world.conflict_on_release(3);
    world.conflict_on_release(9);
    world.simple_pr(3796, "Fix", 3);
    world.simple_pr(3797, "Other", 15);
    world.simple_pr(3798, "Third", 9);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let state = world.state();
    let before = world.snapshot();
    let asked = world.github.requests().len();

    // The same job again: refused before anything is asked or fetched.
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_eq(
        r#"
error: #3796 onto upstream/release-3.1 is already in progress: a run stopped with it (fork branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: see it with `git cherry-pick-pr --status upstream/release-3.1`
hint: finish it with `git cherry-pick-pr --continue upstream/release-3.1`, or drop it with `git cherry-pick-pr --abort upstream/release-3.1`
"#,
    );
    assert_eq!(world.state(), state);
    assert_eq!(world.github.requests().len(), asked);
    assert_eq!(world.snapshot(), before);

    // Another pull request onto the same target goes ahead.
    let run = world.run(&["--yes", "upstream/release-3.1", "3797"]);
    run.expect_code(0);
    assert_eq!(
        world
            .picked("automated-cherry-pick-of-#3797-upstream-release-3.1")
            .len(),
        1
    );
    assert_eq!(world.github.created().len(), 1);
    // The stopped one is still there, as it was.
    assert_eq!(world.states(), vec![state.clone().unwrap()]);

    // Both stopped: each is named apart, by its fork branch.
    world.run(&["--yes", "upstream/release-3.1", "3798"]).expect_code(3);
    assert_eq!(world.states().len(), 2);
    let run = world.run(&["--continue"]);
    run.expect_code(2).stderr_eq(
        r#"
error: several jobs are in progress: automated-cherry-pick-of-#3796-upstream-release-3.1, automated-cherry-pick-of-#3798-upstream-release-3.1
hint: name the one to act on, e.g. `git cherry-pick-pr --continue automated-cherry-pick-of-#3796-upstream-release-3.1`
"#,
    );
    let run = world.run(&["--continue", "upstream/release-3.1"]);
    run.expect_code(2).stderr_eq(
        r#"
error: these jobs were stopped by 2 different runs: automated-cherry-pick-of-#3796-upstream-release-3.1, automated-cherry-pick-of-#3798-upstream-release-3.1
hint: name the one to act on, e.g. `git cherry-pick-pr --continue automated-cherry-pick-of-#3796-upstream-release-3.1`
"#,
    );
    world
        .run(&["--abort", "automated-cherry-pick-of-#3798-upstream-release-3.1"])
        .expect_code(0);
    assert_eq!(world.states(), vec![state.clone().unwrap()]);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    assert!(world.states().is_empty());
    assert_eq!(world.github.created().len(), 2);
}

#[test]
fn status_follows_reality() {
    let world = World::new();
    world.run(&["--status"]).expect_code(0);
    assert_eq!(world.run(&["--status"]).stdout.trim(), "No cherry-pick in progress.");
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let worktree = world.state_worktree();

    // The user finishes `git am` by hand: status says so, --continue goes on.
    world.resolve(&worktree);
    world.git(&worktree, &["am", "--continue"]);
    let status = world.run(&["--status"]);
    status.stdout_eq(r#"
Cherry-pick of #3796 into kubesphere/kubesphere in progress:
  upstream/release-3.1: stopped on conflicts in #3796
    applied:  none
    left:     #3796
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
    note:     `git am` was finished by hand in the worktree; `--continue` goes on from there
    next:     resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too); then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request; or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    world.run(&["--continue"]).expect_code(0).stderr_eq(
        r#"
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn a_deleted_worktree_is_reported_and_abort_cleans() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let worktree = world.state_worktree();
    std::fs::remove_dir_all(&worktree).unwrap();

    let status = world.run(&["--status"]);
    status.stdout_eq(r#"
Cherry-pick of #3796 into kubesphere/kubesphere in progress:
  upstream/release-3.1: stopped on conflicts in #3796
    applied:  none
    left:     #3796
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
    note:     its worktree [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] was removed
    next:     git cherry-pick-pr --abort (cleans up), then start again
"#);
    world
        .run(&["--continue"])
        .expect_code(1).stderr_eq(r#"
error: cannot continue the cherry-pick onto upstream/release-3.1: its worktree [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] was removed
hint: run `git cherry-pick-pr --abort` to clean up, then start again
"#);
    world.run(&["--abort"]).expect_code(0);
    assert!(world.state().is_none());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(
        world
            .git(&world.clone, &["worktree", "list", "--porcelain"])
            .lines()
            .filter(|l| l.starts_with("worktree "))
            .count()
            == 1
    );
    // A fresh start works.
    world.conflict_on_release(20);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
}

#[test]
fn an_unreadable_state_is_cleared_by_abort() {
    let world = World::new();
    std::fs::create_dir_all(world.clone.join(".git/cherry-pick-pr")).unwrap();
    std::fs::write(world.clone.join(".git/cherry-pick-pr/state.json"), "{\"version\": 99}").unwrap();
    world.run(&["--status"]).expect_code(0);
    assert!(world.run(&["--status"]).stdout.contains("version 99"));
    world.simple_pr(3796, "Fix", 3);
    world
        .run(&["--yes", "upstream/release-3.1", "3796"])
        .expect_code(1).stderr_eq(r#"
error: the saved cherry-pick cannot be read: [ROOT]/clone/.git/cherry-pick-pr/state.json has format version 99, this tool reads versions 2 and 3
hint: run `git cherry-pick-pr --abort` to clear it
"#);
    world.run(&["--continue"]).expect_code(1).stderr_eq(r#"
error: the saved cherry-pick cannot be read: [ROOT]/clone/.git/cherry-pick-pr/state.json has format version 99, this tool reads versions 2 and 3
hint: run `git cherry-pick-pr --abort` to clear it
"#);
    world.run(&["--abort"]).expect_code(0);
    assert!(world.state().is_none());
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
}

#[test]
fn crlf_files_apply_with_git_am() {
    let world = World::new();
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.commit_files(&[("win.txt", "one\r\ntwo\r\nthree\r\n")], "Add a CRLF file");
    world.git(
        &world.work,
        &["push", "--quiet", "origin", "master:release-3.1", "--force"],
    );
    world.pr(
        3796,
        "Fix CRLF",
        "",
        &[("Fix CRLF", &[("win.txt", "one\r\ntwo fixed\r\nthree\r\n")])],
        true,
    );
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("cherry-pick applied"), "{}", run.stderr);
    assert_eq!(
        world.git(&world.fork, &["show", &format!("{BRANCH}:win.txt")]),
        "one\r\ntwo fixed\r\nthree\r\n"
    );
}

#[test]
fn when_git_am_fails_git_cherry_pick_is_tried() {
    // A patch the user's git will not apply (a trailing space, under
    // `apply.whitespace=error`) stops `git am`; the pull request's own
    // commits can be picked.
    let world = World::new();
    let pr = world.am_refuses_pr();

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix notes
  git am -3 could not apply #3796; git cherry-pick applied its commits cleanly
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    assert_eq!(
        world.git(&world.fork, &["show", &format!("{BRANCH}:notes.txt")]),
        "one\ntwo fixed \nthree\n"
    );
    let picked = world.picked(BRANCH);
    assert_eq!(
        picked,
        world.commits(&world.upstream, &format!("{0}^..{0}", pr.head_sha))
    );
}

#[test]
fn when_both_fail_the_stop_is_in_the_git_am_state() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    let worktree = world.state_worktree();
    let am_dir = world.git(
        &worktree,
        &["rev-parse", "--path-format=absolute", "--git-path", "rebase-apply"],
    );
    assert!(Path::new(am_dir.trim()).exists(), "git am is in progress");
    let cherry = world.git(
        &worktree,
        &["rev-parse", "--path-format=absolute", "--git-path", "CHERRY_PICK_HEAD"],
    );
    assert!(!Path::new(cherry.trim()).exists(), "no cherry-pick in progress");
}

#[test]
fn a_conflicting_patch_whose_commits_are_not_here_stops_without_cherry_pick() {
    // GitHub's patch names commits the fetch did not bring (the pull request
    // was force-pushed since): only `git am`'s conflict is left to resolve.
    let world = World::new();
    world.conflict_on_release(3);
    let mut pr = world.simple_pr(3796, "Fix", 3);
    world.git(&world.work, &["checkout", "--quiet", "-b", "unpushed", &pr.base_sha]);
    let text = world
        .git(&world.work, &["show", "HEAD:pkg/a.go"])
        .replace("a 3\n", "a 3 rewritten\n");
    world.commit_files(&[("pkg/a.go", &text)], "Fix, rewritten");
    pr.patch = world
        .git(&world.work, &["format-patch", "--stdout", "-1", "HEAD"])
        .into_bytes();
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.github.add_pull(pr);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(3).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix
error: PR #3796 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    let status = world.git(&world.state_worktree(), &["status", "--porcelain"]);
    assert_eq!(status, "UU pkg/a.go\n");
}

#[test]
fn already_applied_prs_are_skipped_and_named() {
    let world = World::new();
    let done = world.simple_pr(3796, "Already there", 3);
    world.simple_pr(3797, "New", 15);
    // The first change is already on the release branch.
    world.land_on_release(&done.head_sha);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796", "3797"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 #3797 from upstream
→ Applying #3796 to upstream/release-3.1: Already there
→ Applying #3797 to upstream/release-3.1: New
  #3796 is already on upstream/release-3.1: skipped
→ Pushing automated-cherry-pick-of-#3796-#3797-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3797)
"#,
    );
    let created = world.github.created();
    assert_eq!(created[0].title, "Automated cherry pick of #3797: New");
    assert!(
        created[0]
            .body
            .contains("Not picked, already present on release-3.1: #3796."),
        "{}",
        created[0].body
    );
    let branch = "automated-cherry-pick-of-#3796-#3797-upstream-release-3.1";
    assert_eq!(world.picked(branch).len(), 1);
}

#[test]
fn when_everything_is_already_there_nothing_is_pushed() {
    let world = World::new();
    let done = world.simple_pr(3796, "Already there", 3);
    world.land_on_release(&done.head_sha);
    let fork = world.branches(&world.fork);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Already there
  #3796 is already on upstream/release-3.1: skipped
Every pull request is already on upstream/release-3.1: nothing to push
"#,
    );
    assert!(run.stdout.is_empty());
    assert_eq!(world.branches(&world.fork), fork);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.state().is_none());
}

#[test]
fn a_failing_pre_push_hook_is_shown_and_continue_retries() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let hook = world.clone.join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\necho 'pre-push: tests must pass first' >&2\nexit 1\n").unwrap();
    crate::support::set_executable(&hook);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
error: the cherry-pick onto upstream/release-3.1 was not published
  caused by: pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to the `origin` remote failed
  caused by: `git push --porcelain --quiet --force-with-lease=refs/heads/automated-cherry-pick-of-#3796-upstream-release-3.1: origin refs/heads/automated-cherry-pick-of-#3796-upstream-release-3.1:refs/heads/automated-cherry-pick-of-#3796-upstream-release-3.1` exited with status 1:
    pre-push: tests must pass first
    error: failed to push some refs to '[ROOT]/remotes/alice/kubesphere.git'
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: git's output above says why (a pre-push hook, credentials, a protected branch); fix that first
hint: `git cherry-pick-pr --continue` checks the picked commits again, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.state().unwrap()["jobs"][0]["phase"], "push");
    world.run(&["--status"]).stdout_eq(r#"
Cherry-pick of #3796 into kubesphere/kubesphere in progress:
  upstream/release-3.1: applied; not pushed yet
    applied:  #3796
    left:     none
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
    next:     `git cherry-pick-pr --continue` checks the picked commits again, then pushes and opens the pull request; or `git cherry-pick-pr --abort` removes the worktree and branch
"#);

    std::fs::remove_file(&hook).unwrap();
    let run = world.run(&["--continue"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    assert!(world.branches(&world.fork).contains(&BRANCH.to_string()));
    assert!(world.state().is_none());
    assert_eq!(world.local_branches(), vec!["master"]);
}

#[test]
fn a_refusing_applypatch_msg_hook_stops_and_continue_applies_again() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let hook = world.clone.join(".git/hooks/applypatch-msg");
    std::fs::write(&hook, "#!/bin/sh\necho 'applypatch-msg: no' >&2\nexit 1\n").unwrap();
    crate::support::set_executable(&hook);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    // Nothing is in conflict: not exit 3.
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix
error: `git am` stopped on PR #3796 with nothing in conflict: this is not a conflict, git says why
applypatch-msg: no
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: fix the cause shown above
hint: then `git cherry-pick-pr --continue` applies it again and the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    assert!(!run.stderr.contains("cherry-pick applied"));
    std::fs::remove_file(&hook).unwrap();
    world.run(&["--continue"]).expect_code(0);
    assert_eq!(world.picked(BRANCH).len(), 1);
}

#[test]
fn continue_without_anything_in_progress_says_so() {
    let world = World::new();
    world.run(&["--continue"]).expect_code(1).stderr_eq(
        r#"
error: there is no cherry-pick in progress to continue
hint: start one with `git cherry-pick-pr <TARGET>... <PR>...`
"#,
    );
}

#[test]
fn a_dry_run_that_stopped_stays_a_dry_run_after_continue() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--dry-run", "upstream/release-3.1", "3796"]).expect_code(3);
    world.resolve(&world.state_worktree());
    // A dry run stays a dry run after --continue.
    let run = world.run(&["--continue"]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), BRANCH);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.local_branches(), vec![BRANCH.to_string(), "master".into()]);
}

#[test]
fn without_a_committer_identity_nothing_is_fetched_and_gits_words_are_shown() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let config = world.root.path().join("no-identity.gitconfig");
    std::fs::write(&config, "[user]\n\tuseConfigOnly = true\n").unwrap();
    let run = crate::support::run_command(
        world
            .command()
            .env("GIT_CONFIG_GLOBAL", &config)
            .env_remove("GIT_COMMITTER_NAME")
            .env_remove("GIT_COMMITTER_EMAIL")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(1)
        .stderr_has("git cannot tell who commits the cherry-picked commits")
        .stderr_has("Please tell me who you are")
        .stderr_has("git config --global user.email");
    // Checked before the fetch: nothing came.
    let fetched = world.git(&world.clone, &["for-each-ref", "refs/remotes/upstream/"]);
    assert_eq!(fetched, "");
    assert!(world.state().is_none());
    assert!(world.tool_dirs().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.github.writes().is_empty());
}

#[test]
fn a_state_from_an_older_version_is_reported_clearly_and_abort_clears_it() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    std::fs::create_dir_all(world.clone.join(".git/cherry-pick-pr")).unwrap();
    std::fs::write(
        world.clone.join(".git/cherry-pick-pr/state.json"),
        r#"{"version": 1, "repo": "kubesphere/kubesphere", "targets": []}"#,
    )
    .unwrap();
    let status = world.run(&["--status"]);
    status.expect_code(0).stdout_eq(r#"
A saved cherry-pick cannot be read: [ROOT]/clone/.git/cherry-pick-pr/state.json was written by an older git-cherry-pick-pr (format version 1; this one reads versions 2 and 3): finish it with that version, or drop it
next: git cherry-pick-pr --abort (clears it)
"#);
    world
        .run(&["--continue"])
        .expect_code(1).stderr_eq(r#"
error: the saved cherry-pick cannot be read: [ROOT]/clone/.git/cherry-pick-pr/state.json was written by an older git-cherry-pick-pr (format version 1; this one reads versions 2 and 3): finish it with that version, or drop it
hint: run `git cherry-pick-pr --abort` to clear it
"#);
    world.run(&["--abort"]).expect_code(0);
    assert!(world.state().is_none());
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
}

/// Release-3.0, made from the first commit, with `pkg/a.go`'s line 3 as
/// `changed` says.
fn release_3_0_with(world: &World, changed: &str) {
    world.release_branch("release-3.0");
    world.git(&world.work, &["checkout", "--quiet", "release-3.0"]);
    let current = world.git(&world.work, &["show", "release-3.0:pkg/a.go"]);
    world.commit_files(
        &[("pkg/a.go", &current.replace("a 3\n", changed))],
        "Release-only change",
    );
    world.git(&world.work, &["push", "--quiet", "origin", "release-3.0"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);
}

/// The worktree the saved state names for the job onto `branch`.
fn worktree_of(world: &World, branch: &str) -> std::path::PathBuf {
    let state = world.state().expect("a saved state");
    let jobs = state["jobs"].as_array().expect("jobs");
    let job = jobs.iter().find(|j| j["branch"] == branch).expect("the job");
    std::path::PathBuf::from(job["worktree"].as_str().expect("a worktree path"))
}

#[test]
fn a_conflict_resolved_on_one_target_is_reused_on_another() {
    let world = World::new();
    world.conflict_on_release(3);
    release_3_0_with(&world, "a 3 changed on release\n");
    world.simple_pr(3796, "Fix the widget", 3);
    let before = world.snapshot();
    world
        .run(&["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"])
        .expect_code(3);
    let other = worktree_of(&world, "release-3.0");

    world.resolve(&worktree_of(&world, "release-3.1"));
    let run = world.run(&["--continue", "upstream/release-3.1"]);
    run.expect_code(0).stderr_has(
        "upstream/release-3.0: pkg/a.go resolved as in release-3.1: review, then `git cherry-pick-pr --continue upstream/release-3.0`\n",
    );
    // In the files, for review; not staged, nothing pushed.
    let resolved = std::fs::read_to_string(other.join("pkg/a.go")).unwrap();
    assert!(!resolved.contains("<<<<<<<"), "{resolved}");
    assert!(
        !world
            .git(&other, &["diff", "--name-only", "--diff-filter=U"])
            .is_empty()
    );
    assert_eq!(world.github.created().len(), 1);
    let status = world.run(&["--status"]);
    status.expect_code(0);
    assert!(
        status.stdout.contains(
            "\n    hint:     resolved as in release-3.1: review, then `git cherry-pick-pr --continue upstream/release-3.0`\n"
        ),
        "{}",
        status.stdout
    );

    // No edit: its `--continue` takes the resolution.
    let run = world.run(&["--continue", "upstream/release-3.0"]);
    run.expect_code(0).stderr_has("Opened PR #9001");
    let created = world.github.created();
    assert!(
        created[1]
            .body
            .contains("- #3796: conflicts resolved by reusing release-3.1's resolution in `pkg/a.go`."),
        "{}",
        created[1].body
    );
    let file = |branch: &str| world.git(&world.fork, &["show", &format!("{branch}:pkg/a.go")]);
    assert_eq!(
        file("automated-cherry-pick-of-#3796-upstream-release-3.0"),
        file("automated-cherry-pick-of-#3796-upstream-release-3.1")
    );
    assert!(world.state().is_none());
    // The user's config is untouched: rerere was on for the tool's commands alone.
    let config = world.git_output(&world.clone, &["config", "--get", "rerere.enabled"]);
    assert!(config.stdout.is_empty());
    assert_eq!(world.snapshot(), before);
}

#[test]
fn a_resolution_recorded_before_is_named_at_the_stop_and_taken_at_continue() {
    let world = World::new();
    world.conflict_on_release(3);
    release_3_0_with(&world, "a 3 changed on release\n");
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);

    // A later run onto release-3.0 meets the same conflict.
    let run = world.run(&["--yes", "upstream/release-3.0", "3796"]);
    run.expect_code(3).stderr_has(
        "hint: resolved as in release-3.1: review, then `git cherry-pick-pr --continue upstream/release-3.0`\n",
    );
    assert_eq!(world.github.created().len(), 1);
    world.run(&["--continue"]).expect_code(0).stderr_has("Opened PR #9001");
}

#[test]
fn a_different_conflict_on_another_target_is_not_touched() {
    let world = World::new();
    world.conflict_on_release(3);
    release_3_0_with(&world, "a 3 changed on release 3.0\n");
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"])
        .expect_code(3);
    let other = worktree_of(&world, "release-3.0");
    let before = std::fs::read_to_string(other.join("pkg/a.go")).unwrap();

    world.resolve(&worktree_of(&world, "release-3.1"));
    let run = world.run(&["--continue", "upstream/release-3.1"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("resolved as in"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(other.join("pkg/a.go")).unwrap(), before);
    world
        .run(&["--continue", "upstream/release-3.0"])
        .expect_code(3)
        .stderr_has("PR #3796 still has conflicts");
}

#[test]
fn on_a_terminal_a_reused_resolution_is_shown_and_asked_about() {
    use crate::interrupts::{answer, on_a_terminal, wait_for_text};
    let world = World::new();
    world.conflict_on_release(3);
    release_3_0_with(&world, "a 3 changed on release\n");
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);

    let (mut child, screen) = on_a_terminal(&world, &["upstream/release-3.0", "3796"]);
    wait_for_text(&screen, "answer y to apply the rest");
    answer(&mut child, "y\n");
    wait_for_text(&screen, "/pull/");
    let status = child.0.wait().unwrap();
    let printed = screen.lock().unwrap().replace("\r\n", "\n");
    assert_eq!(status.code(), Some(0), "{printed}");
    assert!(
        printed.contains("The resolution reused from release-3.1:\n"),
        "{printed}"
    );
    assert!(
        printed.contains(" a 3 changed on release\n+a 3 fixed by #3796\n"),
        "{printed}"
    );
    assert_eq!(world.github.created().len(), 2);
}
