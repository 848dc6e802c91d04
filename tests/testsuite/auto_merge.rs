//! `--auto-merge`: GitHub's auto-merge turned on for the new pull request,
//! with `enablePullRequestAutoMerge`; a repository that does not allow it
//! gets a warning, and the pull request is opened all the same.

use crate::support::World;

/// The mutation the fake received: its variables.
fn mutations(world: &World) -> Vec<serde_json::Value> {
    world
        .github
        .requests_to("POST", "/graphql")
        .into_iter()
        .map(|r| r.json())
        .filter(|body| {
            body["query"]
                .as_str()
                .is_some_and(|q| q.contains("enablePullRequestAutoMerge("))
        })
        .map(|body| body["variables"].clone())
        .collect()
}

#[test]
fn auto_merge_is_turned_on_with_each_method() {
    for (args, method) in [
        (&["--auto-merge"][..], "MERGE"),
        (&["--auto-merge=merge"], "MERGE"),
        (&["--auto-merge=squash"], "SQUASH"),
        (&["--auto-merge=rebase"], "REBASE"),
    ] {
        let world = World::new();
        world.simple_pr(3796, "Fix the widget", 3);
        let run = world.run(&[&["--yes"], args, &["upstream/release-3.1", "3796"]].concat());
        run.expect_code(0)
            .stderr_has("Turned on auto-merge of PR #9000 (picks #3796)");
        assert_eq!(
            mutations(&world),
            [serde_json::json!({"pullRequestId": "PR_kwDOB6Kx0c9000", "mergeMethod": method})],
            "{args:?}"
        );
        assert_eq!(world.github.auto_merge().get(&9000).map(String::as_str), Some(method));
        // After the label that holds it until approved.
        let writes: Vec<String> = world
            .github
            .writes()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        let label = writes.iter().position(|w| w.ends_with("/labels"));
        let merge = writes.iter().position(|w| w == "POST /graphql");
        assert!(label < merge, "{writes:?}");
    }
}

#[test]
fn git_config_turns_auto_merge_on_and_the_projects_file_may() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(&world.clone, &["config", "cherry-pick-pr.autoMerge", "squash"]);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert_eq!(world.github.auto_merge().get(&9000).map(String::as_str), Some("SQUASH"));

    let world = World::new();
    world.commit_files(
        &[(".cherry-pick-pr", "[cherry-pick-pr]\n\tautoMerge = rebase\n")],
        "Policy",
    );
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["--yes", "--debug", "upstream/release-3.1", "3796"])
        .expect_code(0)
        .stderr_has("setting: autoMerge = rebase (from cherry-pick-pr.autoMerge in .cherry-pick-pr on the default branch of `upstream`)\n");
    assert_eq!(world.github.auto_merge().get(&9000).map(String::as_str), Some("REBASE"));

    // Without it, nothing is asked.
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert!(mutations(&world).is_empty());
}

#[test]
fn a_repository_without_auto_merge_gets_a_warning_and_the_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.disallow_auto_merge();
    let run = world.run(&["--yes", "--auto-merge=squash", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has(
        "auto-merge of PR #9000 (picks #3796) was not turned on; GitHub says: Pull request Auto merge is not allowed for this repository",
    );
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(mutations(&world).len(), 1);
    assert!(world.github.auto_merge().is_empty());
}

#[test]
fn an_updated_pull_request_gets_auto_merge_too() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert!(mutations(&world).is_empty());
    world
        .run(&["--yes", "--auto-merge", "upstream/release-3.1", "3796"])
        .expect_code(0);
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(world.github.auto_merge().get(&9000).map(String::as_str), Some("MERGE"));
}

#[test]
fn a_bad_auto_merge_setting_is_a_usage_error() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(&world.clone, &["config", "cherry-pick-pr.autoMerge", "fast-forward"]);
    world
        .run(&["--yes", "upstream/release-3.1", "3796"])
        .expect_code(2)
        .stderr_has(
            "git config cherry-pick-pr.autoMerge is `fast-forward`; it takes merge, squash, rebase, true or false",
        );
    let run = world.run(&["--yes", "--auto-merge", "squash", "upstream/release-3.1", "3796"]);
    // `--auto-merge` takes its method after `=` only: `squash` is no target.
    assert_ne!(run.code, 0);
}
