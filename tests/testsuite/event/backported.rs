//! A cherry pick the workflow opened, merged or closed: its row in the
//! tool's comment on the source says so, and a merge adds the project's
//! `doneLabel` to the source. A pull request that merely looks like one
//! changes nothing.

use super::payload::{cherry_pick_closed_event, pull_request_event};
use super::{Workflow, branch};
use crate::support::{FakePull, OWNER, World};

/// The project's policy: the label a source gets once its cherry pick merged.
const POLICY: &str = "[cherry-pick-pr]\n\tdoneLabel = cherry-picked/{branch}\n";

/// #3796 merged with `cherrypick/release-3.1`, and the workflow's cherry
/// pick of it, #9000, opened and listed in its comment on #3796. In a
/// workflow one token opens the cherry pick and comments; the fake names a
/// pull request's opener by its branch's owner, so that token is the owner's.
fn backported() -> (World, Workflow) {
    let world = World::new();
    world.commit_files(&[(".cherry-pick-pr", POLICY)], "The project's cherry-pick policy");
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    world.simple_pr(3796, "Fix the widget", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.act_as(OWNER);
    let workflow = world.workflow();
    let merged = pull_request_event("closed", 3796, true, &["kind/bug", "cherrypick/release-3.1"], None);
    world.on_event(&workflow, "pull_request_target", &merged).expect_code(0);
    assert_eq!(world.github.created()[0].number, 9000);
    let comments = world.comments_on(3796);
    assert!(comments[0].contains("| `release-3.1` | #9000 |\n"), "{comments:?}");
    (world, workflow)
}

fn done_labels(world: &World) -> Vec<String> {
    world
        .github
        .requests_to("POST", "/issues/3796/labels")
        .iter()
        .map(|r| r.json()["labels"].to_string())
        .collect()
}

#[test]
fn the_row_turns_merged_after_the_cherry_picks_closed_event() {
    let (world, workflow) = backported();
    let event = cherry_pick_closed_event(9000, &branch(3796, "release-3.1"), "release-3.1", true, OWNER);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0)
        .stderr_has("PR #3796: #9000 merged, as its comment now says")
        .stderr_has("Labelled PR #3796 `cherry-picked/release-3.1`");
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        comments[0].contains("| `release-3.1` | #9000 merged |\n"),
        "{}",
        comments[0]
    );
    let patches = world.github.requests_to("PATCH", "/issues/comments/");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].path, "/repos/kubesphere/kubesphere/issues/comments/1");
    assert_eq!(done_labels(&world), [r#"["cherry-picked/release-3.1"]"#]);
    // Nothing new is opened or commented.
    assert_eq!(world.github.created().len(), 1);

    // The same event again changes nothing more.
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    assert_eq!(world.github.requests_to("PATCH", "/issues/comments/").len(), 1);
}

#[test]
fn the_row_says_closed_without_merging_and_no_label_is_added() {
    let (world, workflow) = backported();
    let event = cherry_pick_closed_event(9000, &branch(3796, "release-3.1"), "release-3.1", false, OWNER);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    let comments = world.comments_on(3796);
    assert!(
        comments[0].contains("| `release-3.1` | #9000 closed without merging |\n"),
        "{}",
        comments[0]
    );
    assert!(done_labels(&world).is_empty());
}

/// An outsider's pull request from a branch named as the workflow names its
/// cherry picks, whose commits are something else: merging it says nothing
/// on the source and adds no label.
#[test]
fn a_pull_request_that_merely_looks_like_a_cherry_pick_changes_nothing() {
    let (world, workflow) = backported();
    world.git(&world.work, &["checkout", "--quiet", "-b", "lookalike", "release-3.1"]);
    let head = world.commit_files(&[("pkg/b.go", "not the fix\n")], "Fix the widget");
    world.git(&world.work, &["push", "--quiet", "origin", "HEAD:refs/pull/4001/head"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    let base = world.git(&world.work, &["rev-parse", "release-3.1"]).trim().to_string();
    world.github.add_pull(FakePull {
        number: 4001,
        title: "Automated cherry pick of #3796: Fix the widget".into(),
        body: "Cherry pick of #3796 on release-3.1.".into(),
        merged: true,
        author: "mallory".into(),
        head_ref: branch(3796, "release-3.1"),
        head_sha: head,
        base_ref: "release-3.1".into(),
        base_sha: base,
        labels: Vec::new(),
        patch: Vec::new(),
        state: "closed".into(),
    });
    let before = world.comments_on(3796);
    let event = cherry_pick_closed_event(4001, &branch(3796, "release-3.1"), "release-3.1", true, "mallory");
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0).stderr_has(
        "PR #4001 is named as a cherry pick of #3796, but its commits do not carry its change: nothing said on #3796",
    );
    assert_eq!(world.comments_on(3796), before);
    assert!(world.github.requests_to("PATCH", "/issues/comments/").is_empty());
    assert!(done_labels(&world).is_empty());
}

/// A pull request from a fork's branch of that name is not the workflow's.
#[test]
fn a_forks_branch_of_that_name_is_not_the_workflows() {
    let (world, workflow) = backported();
    let mut event = cherry_pick_closed_event(9000, &branch(3796, "release-3.1"), "release-3.1", true, OWNER);
    event["pull_request"]["head"]["repo"] = crate::support::objects::repository("mallory", "kubesphere", true);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0)
        .stderr_has("PR #9000 is from another repository: no cherry pick this workflow opened");
    assert!(world.github.requests_to("PATCH", "/issues/comments/").is_empty());
    assert!(done_labels(&world).is_empty());
}
