//! The upstream remote a target names: in a clone whose upstream remote is
//! not called `upstream`, `kubesphere/release-3.1` picks from `kubesphere`
//! when no `--upstream` (nor `UPSTREAM_REMOTE`, nor git config) says
//! otherwise.

use crate::support::{USER, World};

/// The user's clone with its upstream remote renamed `kubesphere`.
fn world_with_upstream_named_kubesphere() -> World {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(&world.clone, &["remote", "rename", "upstream", "kubesphere"]);
    world
}

/// Was: "there is no remote named `upstream`", though the target named its
/// remote.
#[test]
fn a_target_on_another_remote_picks_from_that_remote() {
    let world = world_with_upstream_named_kubesphere();
    let run = world.run(&["--debug", "kubesphere/release-3.1", "3796", "--yes"]);
    run.expect_code(0)
        .stderr_has("setting: upstream = kubesphere (from the target kubesphere/release-3.1)");
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");

    // The branch is pushed to the fork, named after the target's remote.
    let branch = "automated-cherry-pick-of-#3796-kubesphere-release-3.1";
    assert_eq!(world.branches(&world.fork), vec![branch, "master", "release-3.1"]);
    let parent = world.git(&world.fork, &["rev-parse", &format!("{branch}^")]);
    assert_eq!(parent, world.git(&world.upstream, &["rev-parse", "release-3.1"]));

    // The pull request is opened in the repository that remote names.
    let created = world.github.created();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0].title, "Automated cherry pick of #3796: Fix the widget");
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pulls"))
        .expect("the pull request was created");
    assert_eq!(create.path, "/repos/kubesphere/kubesphere/pulls");
    let body = create.json();
    assert_eq!(body["head"], format!("{USER}:{branch}"));
    assert_eq!(body["base"], "release-3.1");
}

#[test]
fn an_upstream_that_is_given_still_wins_over_the_target() {
    let world = world_with_upstream_named_kubesphere();
    world.git(
        &world.clone,
        &["remote", "add", "mirror", crate::support::path(&world.upstream)],
    );
    // Given by flag, by environment or by git config, the upstream is that
    // remote, and a target on another remote is the usage error it was.
    world
        .run(&["--upstream", "mirror", "kubesphere/release-3.1", "3796", "--yes"])
        .expect_code(2)
        .stderr_has("target `kubesphere/release-3.1` is a branch of the `kubesphere` remote, but the upstream remote is `mirror`");
    let by_env = crate::support::run_command(world.command().env("UPSTREAM_REMOTE", "mirror").args([
        "kubesphere/release-3.1",
        "3796",
        "--yes",
    ]));
    by_env.expect_code(2).stderr_has("but the upstream remote is `mirror`");
    world.git(&world.clone, &["config", "cherry-pick-pr.upstream", "mirror"]);
    world
        .run(&["kubesphere/release-3.1", "3796", "--yes"])
        .expect_code(2)
        .stderr_has("but the upstream remote is `mirror`");
    assert!(world.github.writes().is_empty());
}

#[test]
fn targets_on_two_remotes_are_a_usage_error_naming_both() {
    let world = world_with_upstream_named_kubesphere();
    world.git(
        &world.clone,
        &["remote", "add", "mirror", crate::support::path(&world.upstream)],
    );
    let run = world.run(&["kubesphere/release-3.1", "mirror/release-3.1", "3796", "--yes"]);
    run.expect_code(2)
        .stderr_has(
            "the targets name two remotes, `kubesphere` (kubesphere/release-3.1) and `mirror` (mirror/release-3.1)",
        )
        .stderr_has("hint: run once for the targets on `kubesphere` and once for those on `mirror`");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
}

/// `origin/release-3.1` where origin is the fork: a slip, not an upstream.
#[test]
fn a_target_on_the_fork_remote_does_not_make_it_the_upstream() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["origin/release-3.1", "3796", "--yes"])
        .expect_code(2)
        .stderr_has(
            "target `origin/release-3.1` is a branch of the `origin` remote, but the upstream remote is `upstream`",
        );
    assert!(world.github.writes().is_empty());
}
