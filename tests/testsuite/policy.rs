//! The project's policy: `.cherry-pick-pr` on the upstream's default branch,
//! under the user's own git config, and only the keys a project may set.

use crate::support::World;

/// The KubeSphere example: the approval label and prow's candidates.
const POLICY: &str = "[cherry-pick-pr]\n\tlabel = kind/backport\n\tlabel = do-not-merge/cherry-pick-not-approved\n\tcandidateLabel = cherrypick/{branch}\n";

impl World {
    /// Commits `.cherry-pick-pr` with `text` on the upstream's master.
    fn set_policy(&self, text: &str) {
        self.commit_files(&[(".cherry-pick-pr", text)], "Set the project's cherry-pick policy");
        self.git(&self.work, &["push", "--quiet", "origin", "master"]);
    }
}

#[test]
fn the_projects_label_applies_with_no_user_config() {
    let world = World::new();
    world.set_policy(POLICY);
    world.simple_pr(3796, "Fix the widget", 3);
    let before = world.snapshot();
    // The user's clone has never seen the commit that set the policy.
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("setting: the project's settings: .cherry-pick-pr on the default branch of `upstream`\n")
        .stderr_has("setting: labels = kind/backport, do-not-merge/cherry-pick-not-approved (from cherry-pick-pr.label in .cherry-pick-pr on the default branch of `upstream`)\n")
        .stderr_has("setting: candidate labels = cherrypick/{branch} (from cherry-pick-pr.candidateLabel in .cherry-pick-pr on the default branch of `upstream`)\n");
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].labels,
        ["kind/backport", "do-not-merge/cherry-pick-not-approved"]
    );
    world.assert_untouched(&before);
}

#[test]
fn the_users_git_config_wins_over_the_project() {
    let world = World::new();
    world.set_policy(POLICY);
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(&world.clone, &["config", "cherry-pick-pr.label", "mine"]);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("setting: labels = mine (from git config cherry-pick-pr.label)\n");
    assert_eq!(world.github.created()[0].labels, ["mine"]);
    // And a flag wins over both.
    let world = World::new();
    world.set_policy(POLICY);
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["--yes", "--label", "flag", "upstream/release-3.1", "3796"])
        .expect_code(0);
    assert_eq!(world.github.created()[0].labels, ["flag"]);
}

#[test]
fn exec_in_the_projects_file_is_not_run_and_is_named() {
    let world = World::new();
    let marker = world.root.path().join("ran");
    world.set_policy(&format!(
        "[cherry-pick-pr]\n\texec = touch {}\n\tapiUrl = https://example.com\n\tdraft = true\n[core]\n\tsshCommand = touch {}\n",
        marker.display(),
        marker.display()
    ));
    world.simple_pr(3796, "Fix the widget", 3);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has(
        ".cherry-pick-pr on the default branch of `upstream` sets `cherry-pick-pr.exec`, `cherry-pick-pr.apiurl`, `core.sshcommand`, which a project's file may not set: ignored\n",
    );
    assert_eq!(run.stderr.matches("may not set").count(), 1, "{}", run.stderr);
    assert!(!marker.exists(), "the project's exec ran");
    assert!(run.stderr.contains("setting: exec is not set\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "setting: draft = true (from cherry-pick-pr.draft in .cherry-pick-pr on the default branch of `upstream`)\n"
        ),
        "{}",
        run.stderr
    );
    // What it may set, it does.
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pulls"));
    assert_eq!(create.map(|r| r.json()["draft"].clone()), Some(serde_json::json!(true)));
}

#[test]
fn a_malformed_file_is_an_error_naming_its_line() {
    let world = World::new();
    world.set_policy("[cherry-pick-pr]\n\tlabel = kind/backport\n\tthis is not = git config [\n");
    world.simple_pr(3796, "Fix the widget", 3);
    let before = world.snapshot();
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has(".cherry-pick-pr on the default branch of `upstream` (the project's settings) cannot be read")
        .stderr_has("line 3");
    assert!(world.github.created().is_empty());
    assert_eq!(world.branches(&world.fork), ["master", "release-3.1"]);
    world.assert_untouched(&before);
}

#[test]
fn the_file_on_a_forks_branch_or_in_the_checkout_has_no_effect() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let exec = "[cherry-pick-pr]\n\tlabel = lgtm\n\tdraft = true\n";
    // On the fork's master, and committed in the user's own checkout.
    std::fs::write(world.clone.join(".cherry-pick-pr"), exec).unwrap();
    world.git(&world.clone, &["add", ".cherry-pick-pr"]);
    world.git(&world.clone, &["commit", "--quiet", "-m", "my policy"]);
    world.git(&world.clone, &["push", "--quiet", "origin", "master"]);
    // And on a branch of the upstream that is not its default.
    world.git(&world.clone, &["push", "--quiet", "upstream", "HEAD:refs/heads/policy"]);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("setting: the project's settings: no .cherry-pick-pr on the default branch of `upstream`\n");
    let created = world.github.created();
    assert_eq!(created[0].labels, ["do-not-merge/cherry-pick-not-approved"]);
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pulls"));
    assert_eq!(
        create.map(|r| r.json()["draft"].clone()),
        Some(serde_json::json!(false))
    );
}
