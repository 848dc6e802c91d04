//! What users read, pinned whole: the stderr of the stops and failures they
//! meet most, so that a change of layout or wording shows in review. Paths
//! of the test world read `[ROOT]`, the fake's address `[API]`; `[..]`
//! matches what changes from run to run (a worktree's random suffix, a
//! time). `SNAPSHOTS=overwrite cargo test --test testsuite snapshots`
//! rewrites them.

use snapbox::{assert_data_eq, str};

use crate::support::{Run, World, run_command};

/// stderr with the world's paths and the API's address made stable.
fn redacted(world: &World, run: &Run) -> String {
    let root = world.root.path().display().to_string();
    run.stderr.replace(&root, "[ROOT]").replace(&world.api_url, "[API]")
}

#[test]
fn a_conflict() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(3);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
error: PR #3796 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch

"#]]
    );
}

#[test]
fn a_failed_push() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.hook("pre-push", "echo 'pre-push: tests must pass first' >&2\nexit 1\n");
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
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

"#]]
    );
}

#[test]
fn a_refused_token() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = run_command(world.command().env("GITHUB_TOKEN", "ghp_NOT_THE_RIGHT_ONE").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(1);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1 and #3796 from upstream
error: GitHub refused the token from GITHUB_TOKEN (401): it is wrong, expired or revoked
  caused by: fetching PR #3796 from kubesphere/kubesphere: GitHub answered 401 Unauthorized: Bad credentials
hint: make a new token at https://github.com/settings/personal-access-tokens and set GITHUB_TOKEN (or run `gh auth login`)
hint: a fine-grained token needs Contents: read and Pull requests: read and write on the repository (labels also need Issues or Pull requests: write); a classic token needs the repo scope (public_repo for public repositories)

"#]]
    );
}

#[test]
fn a_403_on_the_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.fault(
        "POST",
        "/pulls",
        403,
        serde_json::json!({"message": "Resource not accessible by integration"}),
    );
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
error: the cherry-pick onto upstream/release-3.1 was not published
  caused by: GitHub did not allow opening a pull request from alice:automated-cherry-pick-of-#3796-upstream-release-3.1 into kubesphere/kubesphere release-3.1 (403): the token from GITHUB_TOKEN lacks a permission
  caused by: opening a pull request from alice:automated-cherry-pick-of-#3796-upstream-release-3.1 into kubesphere/kubesphere release-3.1: GitHub answered 403 Forbidden: Resource not accessible by integration
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: `git cherry-pick-pr --continue` pushes the same commits again, then opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
hint: a fine-grained token needs Contents: read and Pull requests: read and write on the repository (labels also need Issues or Pull requests: write); a classic token needs the repo scope (public_repo for public repositories)

"#]]
    );
}

#[test]
fn a_rate_limit_for_an_hour() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 3600)
        .unwrap_or_default();
    world.github.fault_times(
        "GET",
        "/pulls/3796",
        403,
        serde_json::json!({"message": "API rate limit exceeded for user ID 1."}),
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset.to_string()),
        ],
        usize::MAX,
    );
    let run = run_command(
        world
            .command()
            .env("TZ", "UTC")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(1);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1 and #3796 from upstream
error: GitHub's rate limit stopped fetching PR #3796 from kubesphere/kubesphere
  caused by: fetching PR #3796 from kubesphere/kubesphere: GitHub's rate limit for this token is reached until [..] UTC (local time) (403 Forbidden): API rate limit exceeded for user ID 1.
hint: run the same command again after [..] UTC
hint: requests made with a token have a much higher limit than anonymous ones; other tools using the same token share it

"#]]
    );
}

#[test]
fn a_summary_of_several_targets() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    // On one core the jobs run one after the other, so the whole of stderr
    // comes in one order (on more, the jobs' steps interleave).
    let env = world.command();
    let tool = crate::support::binary();
    let mut command = std::process::Command::new("taskset");
    command
        .args(["-c", "0"])
        .arg(tool)
        .current_dir(&world.clone)
        .env_clear()
        .envs(env.get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))))
        .stdin(std::process::Stdio::null())
        .args(["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"]);
    let run = crate::support::run_command(&mut command);
    run.expect_code(3);
    assert_data_eq!(
        redacted(&world, &run),
        str![[r#"
→ Fetching release-3.1, release-3.0 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Applying #3796 to upstream/release-3.0: Fix the widget
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.0 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.0
→ Opened PR #9000 for upstream/release-3.0 (picks #3796)
error: PR #3796 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue upstream/release-3.1` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort upstream/release-3.1` removes the worktree and branch
Summary:
  upstream/release-3.1     #3796        conflict         PR #3796 does not apply cleanly to upstream/release-3.1
  upstream/release-3.0     #3796        opened           https://github.com/kubesphere/kubesphere/pull/9000
error: not every target is done

"#]]
    );
}

#[test]
fn the_status_of_a_conflict() {
    let world = World::new();
    world.conflict_on_release(10);
    world.simple_pr(3796, "First", 3);
    world.simple_pr(3797, "Second", 10);
    world.simple_pr(3798, "Third", 17);
    world
        .run(&["--yes", "upstream/release-3.1", "3796", "3797", "3798"])
        .expect_code(3);
    let run = world.run(&["--status"]);
    run.expect_code(0);
    let root = world.root.path().display().to_string();
    assert_data_eq!(
        run.stdout.replace(&root, "[ROOT]"),
        str![[r#"
Cherry-pick of #3796 #3797 #3798 into kubesphere/kubesphere in progress:
  upstream/release-3.1: stopped on conflicts in #3797
    applied:  #3796
    left:     #3797 #3798
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-#3797-#3798-upstream-release-3.1)
    conflicts: pkg/a.go
    next:     resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3796-3797-3798-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too); then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request; or `git cherry-pick-pr --abort` removes the worktree and branch

"#]]
    );
}
