//! Bad input: each gets a clear message, the right exit code, and changes
//! nothing — not the checkout, not the fork, not GitHub.

use crate::support::{World, run_command};

/// Runs the tool and checks that nothing changed anywhere.
fn refused(world: &World, args: &[&str], code: i32, message: &str) -> crate::support::Run {
    let before = world.snapshot();
    let fork_before = world.branches(&world.fork);
    let run = world.run(args);
    run.expect_code(code).stderr_has(message);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert_eq!(world.snapshot(), before);
    assert_eq!(world.branches(&world.fork), fork_before);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty());
    run
}

#[test]
fn a_pr_that_is_not_a_number_is_a_usage_error() {
    let world = World::new();
    world.dirty_checkout();
    refused(&world, &["--yes", "upstream/release-3.1", "abc"], 2, "`abc`");
    refused(&world, &["--yes", "3796"], 2, "no target");
}

#[test]
fn an_unknown_pr_is_named() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    refused(
        &world,
        &["--yes", "upstream/release-3.1", "3796", "9999"],
        1,
        "PR #9999 was not found in kubesphere/kubesphere",
    );
}

#[test]
fn a_missing_target_branch_is_named() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    refused(
        &world,
        &["--yes", "upstream/release-9.9", "3796"],
        1,
        "`release-9.9` does not exist",
    );
}

#[test]
fn a_missing_remote_is_named() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    refused(
        &world,
        &["--yes", "--upstream", "nope", "nope/release-3.1", "3796"],
        1,
        "no remote named `nope`",
    );
    let run = run_command(
        world
            .command()
            .env("FORK_REMOTE", "myfork")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(1).stderr_has("no remote named `myfork`");
}

#[test]
fn a_fork_that_is_the_upstream_repository_is_refused() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let upstream_refs = world.git(&world.upstream, &["for-each-ref"]);
    let run = refused(
        &world,
        &["--yes", "--fork", "upstream", "upstream/release-3.1", "3796"],
        1,
        "is the upstream repository",
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    // Same repository under another remote name.
    world.git(
        &world.clone,
        &["remote", "add", "also-upstream", crate::support::path(&world.upstream)],
    );
    run_command(
        world
            .command()
            .args(["--yes", "--fork", "also-upstream", "upstream/release-3.1", "3796"]),
    )
    .expect_code(1);
    assert_eq!(world.git(&world.upstream, &["for-each-ref"]), upstream_refs);
}

#[test]
fn an_unmerged_pr_is_refused_unless_allowed() {
    let world = World::new();
    world.pr(3800, "Work in progress", "", &[("WIP", &[("pkg/d.go", "d\n")])], false);
    world.dirty_checkout();
    refused(
        &world,
        &["--yes", "upstream/release-3.1", "3800"],
        1,
        "--allow-unmerged",
    );
    let run = world.run(&["--yes", "--allow-unmerged", "upstream/release-3.1", "3800"]);
    run.expect_code(0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn no_token_without_a_terminal_names_github_token() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    let run = run_command(
        world
            .command()
            .env_remove("GITHUB_TOKEN")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    run.expect_code(1).stderr_has("GITHUB_TOKEN");
    assert_eq!(world.snapshot(), before);
    assert!(world.github.requests().is_empty());
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_pushed() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    refused(&world, &["upstream/release-3.1", "3796"], 1, "--yes");
}

#[test]
fn outside_a_repository_is_an_error() {
    let world = World::new();
    let run =
        run_command(
            world
                .command()
                .current_dir(world.root.path())
                .args(["--yes", "upstream/release-3.1", "3796"]),
        );
    run.expect_code(1).stderr_has("not inside a git work tree");
}

#[test]
fn a_pr_url_of_another_repository_is_a_usage_error() {
    let world = World::new();
    refused(
        &world,
        &["--yes", "upstream/release-3.1", "https://github.com/other/repo/pull/1"],
        2,
        "other/repo",
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let world = World::new();
    let run = run_command(world.command().env("GITHUB_API_URL", "http://api.example.com").args([
        "--yes",
        "upstream/release-3.1",
        "1",
    ]));
    run.expect_code(2).stderr_has("plain http");
}

#[test]
fn a_bad_token_is_explained() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = run_command(world.command().env("GITHUB_TOKEN", "ghp_NOT_THE_RIGHT_ONE").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(1).stderr_has("401");
    assert!(!run.stderr.contains("NOT_THE_RIGHT_ONE"), "{}", run.stderr);
}

#[test]
fn no_pr_given_says_so_and_shows_the_form() {
    let world = World::new();
    world.dirty_checkout();
    for args in [&["--yes", "release-3.1"][..], &["--yes", "upstream/release-3.1"]] {
        let run = refused(&world, args, 2, "no pull request given");
        run.stderr_has("git cherry-pick-pr upstream/release-3.1 3796");
        assert!(!run.stderr.contains("is not a pull request"), "{}", run.stderr);
    }
    // A last argument that is no pull request is still named.
    refused(
        &world,
        &["--yes", "upstream/release-3.1", "abc"],
        2,
        "no pull request given: `abc` is not a pull request",
    );
    // With a pull request given before it, the stray argument is named alone.
    let run = refused(
        &world,
        &["--yes", "upstream/release-3.1", "3796", "abc"],
        2,
        "`abc` is not a pull request",
    );
    assert!(!run.stderr.contains("no pull request given"), "{}", run.stderr);
}

/// The remote-tracking refs of the user's clone: empty when nothing was fetched.
fn fetched(world: &World) -> String {
    world.git(&world.clone, &["for-each-ref", "refs/remotes/upstream/"])
}

#[test]
fn an_empty_label_is_a_usage_error_before_anything_is_fetched() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    for empty in ["", " "] {
        let run = refused(
            &world,
            &["--yes", "--label", empty, "upstream/release-3.1", "3796"],
            2,
            "--label needs a label name",
        );
        run.stderr_has("--no-label");
        assert!(world.github.requests().is_empty());
        assert_eq!(fetched(&world), "");
    }
    // One empty value among good ones is still refused.
    refused(
        &world,
        &["--yes", "--label", "ok", "--label=", "upstream/release-3.1", "3796"],
        2,
        "--label needs a label name",
    );
}

#[test]
fn a_tag_or_a_commit_as_target_asks_for_a_branch() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let release = world.git(&world.upstream, &["rev-parse", "release-3.1"]);
    for (target, what) in [
        ("refs/tags/v3.1.0", "`refs/tags/v3.1.0` is a tag"),
        ("abc1234", "`abc1234` looks like a commit id"),
        (release.trim(), "looks like a commit id"),
        (&release.trim()[..12], "looks like a commit id"),
    ] {
        let run = refused(&world, &["--yes", target, "3796"], 2, what);
        run.stderr_has("a target must be a release branch such as upstream/release-3.1");
        assert!(world.github.requests().is_empty(), "{target}");
        assert_eq!(fetched(&world), "", "{target}");
    }
}

#[test]
fn a_tag_name_as_target_is_named_as_a_tag() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.git(&world.work, &["tag", "-m", "3.1.0", "v3.1.0", "release-3.1"]);
    world.git(&world.work, &["push", "--quiet", "origin", "v3.1.0"]);
    world.dirty_checkout();
    let run = refused(
        &world,
        &["--yes", "v3.1.0", "3796"],
        2,
        "`v3.1.0` is a tag on the `upstream` remote; a target must be a release branch such as upstream/release-3.1",
    );
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
    // A missing branch that is no tag either is still just missing.
    refused(&world, &["--yes", "v9.9.9", "3796"], 1, "`v9.9.9` does not exist");
}
