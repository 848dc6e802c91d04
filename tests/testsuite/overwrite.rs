//! Running again for the same pull requests replaces the fork branch of the
//! first run, and only that: commits that others added to it (a reviewer's
//! suggestion) are never pushed away silently. The run refuses and names
//! them, `--force` pushes over them, and the push leases on the tip it
//! checked, so that a push racing it is never lost either (issue 23,
//! finding 4).

use std::path::PathBuf;

use crate::support::{World, path, set_executable};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";
const REVIEWER: &str = "Rita Reviewer <rita@example.com>";
const SUGGESTION: &str = "Apply suggestions from code review";

/// A clone of the fork, elsewhere (the reviewer's, or GitHub's web editor):
/// its objects are not in the user's clone.
fn reviewers_clone(world: &World) -> PathBuf {
    let dir = world.root.path().join("reviewer");
    world.git(
        world.root.path(),
        &["clone", "--quiet", "--branch", BRANCH, path(&world.fork), path(&dir)],
    );
    dir
}

/// The reviewer's commit on top of the fork branch, made in their clone;
/// pushed there as `push_to`. Returns its sha.
fn reviewer_commits(world: &World, push_to: &str) -> String {
    let dir = reviewers_clone(world);
    let file = dir.join("pkg/a.go");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("a 10\n", "a 10 as the reviewer suggests\n")).unwrap();
    world.git(
        &dir,
        &["commit", "--quiet", "-a", "--author", REVIEWER, "-m", SUGGESTION],
    );
    world.git(
        &dir,
        &["push", "--quiet", "origin", &format!("HEAD:refs/heads/{push_to}")],
    );
    world.git(&dir, &["rev-parse", "HEAD"]).trim().to_string()
}

fn fork_tip(world: &World) -> String {
    world.git(&world.fork, &["rev-parse", BRANCH]).trim().to_string()
}

/// Release-3.1 moves on upstream (a file the pick does not touch).
fn release_moves_on(world: &World) {
    world.git(&world.work, &["checkout", "--quiet", "release-3.1"]);
    world.commit_files(&[("NOTES", "more\n")], "Another release commit");
    world.git(&world.work, &["push", "--quiet", "origin", "release-3.1"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);
}

/// The regression: the second run exited 0 with "its branch was updated"
/// and the reviewer's commit was gone. Now it exits 1, names the commit and
/// its author, leaves the fork branch as it was and writes nothing to
/// GitHub; `--continue --force` then pushes over it.
#[test]
fn a_rerun_does_not_push_away_a_reviewers_commit() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let suggestion = reviewer_commits(&world, BRANCH);
    let writes = world.github.writes().len();

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has(&format!(
            "`origin`'s {BRANCH} has 1 commit that is not a pick of #3796: pushing would remove it, so nothing was pushed"
        ))
        .stderr_has(&format!("{} {SUGGESTION} ({REVIEWER})", &suggestion[..7]))
        .stderr_has("`git cherry-pick-pr --continue --force`")
        .stderr_has(&format!("cherry-pick {}", &suggestion[..7]));
    assert!(!run.stderr.contains("branch was updated"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(fork_tip(&world), suggestion, "the fork branch was changed");
    assert_eq!(world.github.writes().len(), writes, "{:?}", world.github.writes());

    // Pushing over it is the user's to choose.
    let run = world.run(&["--continue", "--force"]);
    run.expect_code(0)
        .stderr_has("--force pushes over it")
        .stderr_has(SUGGESTION);
    assert_eq!(world.picked_subjects(BRANCH), ["Fix the widget"]);
}

/// Keeping the reviewer's commit, as the refusal says: cherry-pick it onto
/// the kept pick, then `--continue` pushes both.
#[test]
fn a_reviewers_commit_added_to_the_pick_is_pushed_with_it() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let suggestion = reviewer_commits(&world, BRANCH);
    release_moves_on(&world);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(1);
    let worktree = world.state_worktree();
    world.git(&worktree, &["cherry-pick", &suggestion[..7]]);
    world.run(&["--continue"]).expect_code(0);
    assert_eq!(world.picked_subjects(BRANCH), ["Fix the widget", SUGGESTION]);
}

/// `--force` on the run itself pushes over the reviewer's commit, and says
/// which commit it pushed over.
#[test]
fn force_pushes_over_others_commits_and_names_them() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let suggestion = reviewer_commits(&world, BRANCH);
    let run = world.run(&["--yes", "--force", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has(&format!("{} {SUGGESTION} ({REVIEWER})", &suggestion[..7]))
        .stderr_has("is already open: #9000; its branch was updated");
    assert_eq!(world.picked_subjects(BRANCH), ["Fix the widget"]);
}

/// A fork branch that holds only the tool's earlier pick, made on an older
/// release-3.1, and its `--exec` commit (whose content differs this time):
/// the run after the target moved on replaces it, as before.
#[test]
fn the_tools_own_earlier_pick_and_exec_commit_are_replaced() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    // What it generates differs from one run to the next.
    let exec = "git rev-parse HEAD > GENERATED";
    let args = ["--yes", "--exec", exec, "upstream/release-3.1", "3796"];
    world.run(&args).expect_code(0);
    let first = fork_tip(&world);
    assert_eq!(
        world.picked_subjects(BRANCH),
        [
            "Fix the widget",
            "Regenerate generated files after cherry-pick of #3796"
        ]
    );
    release_moves_on(&world);

    let run = world.run(&args);
    run.expect_code(0).stderr_has("its branch was updated");
    assert!(!run.stderr.contains("not a pick"), "{}", run.stderr);
    assert_ne!(fork_tip(&world), first);
    assert_eq!(
        world.git(&world.fork, &["rev-parse", &format!("{BRANCH}~2")]),
        world.git(&world.upstream, &["rev-parse", "release-3.1"])
    );
}

/// A push to the fork branch between the check and the push (here: as the
/// push connects, a receive-pack wrapper moves the branch to the reviewer's
/// commit) is not pushed away: the push leases on the tip it checked, git
/// refuses it, and the run says so.
#[test]
fn a_push_racing_the_runs_is_not_lost() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let first = fork_tip(&world);
    release_moves_on(&world);
    // The reviewer's commit is in the fork, on another branch for now.
    let suggestion = reviewer_commits(&world, "reviewer-work");
    let script = world.root.path().join("racing-receive-pack");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nGIT_DIR='{}' git update-ref 'refs/heads/{BRANCH}' {suggestion} || exit 1\nexec git receive-pack \"$@\"\n",
            world.fork.display()
        ),
    )
    .unwrap();
    set_executable(&script);
    world.git(&world.clone, &["config", "remote.origin.receivepack", path(&script)]);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has("[rejected] (stale info)")
        .stderr_has(&format!(
            "the branch changed there after it was checked (it was at {first}), and nothing of it was replaced"
        ));
    assert_eq!(fork_tip(&world), suggestion, "the racing push was lost");
}

/// On a fork without the branch the push leases on its absence: a branch
/// made meanwhile is not replaced either.
#[test]
fn a_branch_made_meanwhile_is_not_replaced() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let dir = world.root.path().join("someone");
    world.git(world.root.path(), &["clone", "--quiet", path(&world.fork), path(&dir)]);
    world.git(
        &dir,
        &[
            "commit",
            "--quiet",
            "--allow-empty",
            "--author",
            REVIEWER,
            "-m",
            "Theirs",
        ],
    );
    world.git(&dir, &["push", "--quiet", "origin", "HEAD:refs/heads/theirs"]);
    let theirs = world.git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    let script = world.root.path().join("racing-receive-pack");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nGIT_DIR='{}' git update-ref 'refs/heads/{BRANCH}' {theirs} || exit 1\nexec git receive-pack \"$@\"\n",
            world.fork.display()
        ),
    )
    .unwrap();
    set_executable(&script);
    world.git(&world.clone, &["config", "remote.origin.receivepack", path(&script)]);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("(it did not exist)");
    assert_eq!(fork_tip(&world), theirs);
    assert!(world.github.created().is_empty());
}
