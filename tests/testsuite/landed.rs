//! `--pick=commits|landed|auto` and `-x`: what is picked of a pull request
//! merged as a merge commit, squashed or rebased, and the origin each picked
//! commit names.

use serde_json::Value;

use crate::support::{Landed, World, numbered};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// The release branch changes line 10 of `pkg/a.go`, and #3796 is three
/// work-in-progress commits: one touches line 10 (conflicting there), the
/// next undoes it, the last fixes line 3. Its whole change, line 3 only,
/// applies cleanly.
fn wip_pr(world: &World, how: Landed) {
    world.conflict_on_release(10);
    let base = numbered("a", 20);
    let wip = base.replace("a 10\n", "a 10 wip\n");
    let undone = base.clone();
    let fixed = base.replace("a 3\n", "a 3 fixed\n");
    world.pr_landed(
        3796,
        "Fix the widget",
        &[
            ("wip", &[("pkg/a.go", &wip)]),
            ("undo the wip", &[("pkg/a.go", &undone)]),
            ("Fix the widget", &[("pkg/a.go", &fixed)]),
        ],
        how,
    );
}

/// Two commits that apply cleanly, each on its own line.
fn two_commits(world: &World, how: Landed) -> crate::support::FakePull {
    let base = numbered("a", 20);
    let first = base.replace("a 3\n", "a 3 first\n");
    let second = first.replace("a 15\n", "a 15 second\n");
    world.pr_landed(
        3796,
        "Fix the widget",
        &[
            ("First part", &[("pkg/a.go", &first)]),
            ("Second part", &[("pkg/a.go", &second)]),
        ],
        how,
    )
}

fn jobs(run: &crate::support::Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&run.stdout)
        .expect("JSON")
        .as_array()
        .unwrap()
        .clone()
}

/// The full messages of the commits picked onto the fork branch, oldest first.
fn messages(world: &World) -> Vec<String> {
    let base = world.git(&world.upstream, &["rev-parse", "release-3.1"]);
    let shas = world.git(
        &world.fork,
        &["rev-list", "--reverse", &format!("{}..{BRANCH}", base.trim())],
    );
    shas.lines()
        .map(|sha| {
            world
                .git(&world.fork, &["log", "-1", "--format=%B", sha])
                .trim_end()
                .to_string()
        })
        .collect()
}

fn master_commits(world: &World, n: usize) -> Vec<String> {
    let listed = world.git(
        &world.upstream,
        &["rev-list", "--reverse", "-n", &n.to_string(), "master"],
    );
    listed.lines().map(str::to_string).collect()
}

#[test]
fn a_squash_merged_pull_request_that_conflicts_commit_by_commit_applies_as_its_squash() {
    let world = World::new();
    wip_pr(&world, Landed::Squash);
    // Its own commits, as the script picks them: the wip conflicts.
    world
        .run(&["--yes", "--dry-run", "upstream/release-3.1", "3796"])
        .expect_code(3)
        .stderr_has("does not apply cleanly");
    world.run(&["--abort"]).expect_code(0);

    for pick in ["--pick=landed", "--pick=auto"] {
        let world = World::new();
        wip_pr(&world, Landed::Squash);
        let squash = master_commits(&world, 1).remove(0);
        let run = world.run(&["--yes", "--json", pick, "upstream/release-3.1", "3796"]);
        run.expect_code(0);
        assert_eq!(world.picked_subjects(BRANCH), ["Fix the widget (#3796)"], "{pick}");
        assert_eq!(jobs(&run)[0]["picked_as"], serde_json::json!({"3796": "squash"}));
        let body = &world.github.created()[0].body;
        assert!(
            body.contains(&format!(
                "#3796 is picked as the squash commit {}, as it landed.",
                &squash[..12]
            )),
            "{body}"
        );
    }
}

#[test]
fn a_rebase_merged_pull_request_names_its_rebased_commits_and_never_its_own() {
    let world = World::new();
    let pull = two_commits(&world, Landed::Rebase);
    let rebased = master_commits(&world, 2);
    assert!(!rebased.contains(&pull.head_sha));
    let run = world.run(&["--yes", "--json", "--pick=landed", "-x", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(jobs(&run)[0]["picked_as"], serde_json::json!({"3796": "rebase"}));
    let messages = messages(&world);
    assert_eq!(messages.len(), 2);
    for (message, origin) in messages.iter().zip(&rebased) {
        assert!(
            message.ends_with(&format!("\n\n(cherry picked from commit {origin})")),
            "{message}"
        );
    }
    let own = world.git(
        &world.upstream,
        &["rev-list", &format!("{}..{}", pull.base_sha, pull.head_sha)],
    );
    for sha in own.lines() {
        assert!(!messages.iter().any(|m| m.contains(sha)), "{messages:?}");
    }
}

#[test]
fn auto_picks_a_rebased_pull_request_as_its_own_commits_and_x_still_names_the_rebased_ones() {
    let world = World::new();
    two_commits(&world, Landed::Rebase);
    let rebased = master_commits(&world, 2);
    let run = world.run(&["--yes", "--json", "--pick=auto", "-x", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(jobs(&run)[0]["picked_as"], serde_json::json!({"3796": "commits"}));
    assert_eq!(world.picked_subjects(BRANCH), ["First part", "Second part"]);
    let messages = messages(&world);
    for (message, origin) in messages.iter().zip(&rebased) {
        assert!(
            message.ends_with(&format!("(cherry picked from commit {origin})")),
            "{message}"
        );
    }
    // Its own commits' text, as picked.
    assert!(!world.github.created()[0].body.contains("is picked as"));
}

#[test]
fn a_merge_commit_pull_request_is_picked_as_its_own_commits_which_x_names() {
    let world = World::new();
    let pull = two_commits(&world, Landed::Merge);
    let (mut cmd, log) = world.command_with_git(&[]);
    let run = crate::support::run_command(cmd.args([
        "--yes",
        "--json",
        "--pick=landed",
        "-x",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(0);
    assert_eq!(jobs(&run)[0]["picked_as"], serde_json::json!({"3796": "commits"}));
    // Its own commits are listed once, by the patch's check, not again to
    // tell how it landed: that takes one `git rev-list` of the merge commit.
    let listed = log.all().iter().filter(|s| *s == "rev-list").count();
    assert_eq!(listed, 2, "{:?}", log.all());
    let own = world.git(
        &world.upstream,
        &[
            "rev-list",
            "--reverse",
            &format!("{}..{}", pull.base_sha, pull.head_sha),
        ],
    );
    let messages = messages(&world);
    assert_eq!(messages.len(), 2);
    for (message, origin) in messages.iter().zip(own.lines()) {
        assert!(
            message.ends_with(&format!("(cherry picked from commit {origin})")),
            "{message}"
        );
    }
}

#[test]
fn x_on_a_squash_merged_pull_requests_own_commits_names_nothing_and_says_why() {
    let world = World::new();
    two_commits(&world, Landed::Squash);
    let run = world.run(&["--yes", "-x", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has(
        "warning: -x: #3796 was squash-merged, so its own commits are not on master: they carry no `cherry picked from` line (`--pick=landed` picks the squash commit, which does)",
    );
    assert!(messages(&world).iter().all(|m| !m.contains("cherry picked from")));
}

#[test]
fn a_landed_commit_missing_from_the_fetch_falls_back_to_its_own_commits() {
    let world = World::new();
    two_commits(&world, Landed::Squash);
    world.github.set_merge_commit(3796, &"e".repeat(40));
    let run = world.run(&["--yes", "--json", "--pick=landed", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has(
        "cannot tell how #3796 landed (its merge commit eeeeeeeeeeee is not in what was fetched): its own commits are picked",
    );
    assert_eq!(jobs(&run)[0]["picked_as"], serde_json::json!({"3796": "commits"}));
    assert_eq!(world.picked_subjects(BRANCH), ["First part", "Second part"]);
}

#[test]
fn a_merge_commit_that_is_not_the_change_is_not_trusted() {
    let world = World::new();
    two_commits(&world, Landed::Squash);
    // GitHub names the unrelated commit before it as what landed.
    let unrelated = world.git(&world.upstream, &["rev-parse", "master~1"]);
    world.github.set_merge_commit(3796, unrelated.trim());
    let run = world.run(&["--yes", "--pick=landed", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("is neither its commits replayed nor its whole change");
    assert_eq!(world.picked_subjects(BRANCH), ["First part", "Second part"]);
}

#[test]
fn the_pick_is_set_in_git_config_and_a_bad_value_is_a_usage_error() {
    let world = World::new();
    wip_pr(&world, Landed::Squash);
    world.git(&world.clone, &["config", "cherry-pick-pr.pick", "landed"]);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert_eq!(world.picked_subjects(BRANCH), ["Fix the widget (#3796)"]);

    world.git(&world.clone, &["config", "cherry-pick-pr.pick", "squash"]);
    world
        .run(&["--yes", "upstream/release-3.1", "3796"])
        .expect_code(2)
        .stderr_eq("\nerror: git config cherry-pick-pr.pick is `squash`; it takes commits, landed or auto\n");
}

#[test]
fn continue_goes_on_with_what_landed_and_its_origin() {
    let world = World::new();
    // The squashed change itself conflicts on the release branch.
    world.conflict_on_release(3);
    let base = numbered("a", 20);
    let wip = base.replace("a 7\n", "a 7 wip\n");
    let fixed = base.replace("a 3\n", "a 3 fixed\n");
    world.pr_landed(
        3796,
        "Fix the widget",
        &[
            ("wip", &[("pkg/a.go", &wip)]),
            ("Fix the widget", &[("pkg/a.go", &fixed)]),
        ],
        Landed::Squash,
    );
    let squash = master_commits(&world, 1).remove(0);
    world
        .run(&["--yes", "--pick=landed", "-x", "upstream/release-3.1", "3796"])
        .expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    let messages = messages(&world);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("Fix the widget (#3796)"), "{messages:?}");
    assert!(
        messages[0].ends_with(&format!("(cherry picked from commit {squash})")),
        "{messages:?}"
    );
    let body = &world.github.created()[0].body;
    assert!(
        body.contains(&format!(
            "- #3796 (picked as the squash commit {}): conflicts resolved by hand in `pkg/a.go`.",
            &squash[..12]
        )),
        "{body}"
    );
}

#[test]
fn missing_counts_a_landed_pick_by_its_origin_line_when_its_content_differs() {
    let world = World::new();
    world.conflict_on_release(3);
    let base = numbered("a", 20);
    world.pr_landed(
        3796,
        "Fix the widget",
        &[
            ("wip", &[("pkg/a.go", &base.replace("a 7\n", "a 7 wip\n"))]),
            ("Fix the widget", &[("pkg/a.go", &base.replace("a 3\n", "a 3 fixed\n"))]),
        ],
        Landed::Squash,
    );
    world.label(3796, "cherrypick/release-3.1");
    let before = world.run(&["--missing", "--pick=landed", "upstream/release-3.1"]);
    before.expect_code(0);
    assert!(before.stdout.contains("#3796"), "{}", before.stdout);
    // Picked as its squash commit, the conflict resolved by hand, and merged.
    world
        .run(&["--yes", "--pick=landed", "-x", "upstream/release-3.1", "3796"])
        .expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    world.git(
        &world.fork,
        &[
            "push",
            "--quiet",
            crate::support::path(&world.upstream),
            &format!("{BRANCH}:release-3.1"),
        ],
    );
    let run = world.run(&["--missing", "--pick=landed", "upstream/release-3.1"]);
    // Its content differs from the squash commit's: its origin line tells.
    run.expect_code(0).stderr_has("#3796 is done: cherry picked in ");
    assert!(!run.stdout.contains("#3796"), "{}", run.stdout);
}

#[test]
fn an_unmerged_pull_request_is_picked_as_its_own_commits() {
    let world = World::new();
    let fixed = numbered("a", 20).replace("a 3\n", "a 3 fixed\n");
    world.pr(3796, "Fix", "Body.", &[("Fix", &[("pkg/a.go", &fixed)])], false);
    // GitHub names a test merge for an open pull request; it is on no branch.
    let head = world.git(&world.upstream, &["rev-parse", "refs/pull/3796/head"]);
    world.github.set_merge_commit(3796, head.trim());
    let run = world.run(&[
        "--yes",
        "--allow-unmerged",
        "--pick=landed",
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0)
        .stderr_has("cannot tell how #3796 landed (it is not merged): its own commits are picked");
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
}
