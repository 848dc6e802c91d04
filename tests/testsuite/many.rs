//! Many pull requests at once: more than the requests in flight can carry in
//! one round are asked for in one GraphQL query, and whatever it does not
//! bring back is asked of the REST API, with the REST API's errors. No
//! patch is downloaded, and the git processes a run starts do not grow with
//! its pull requests.
//!
//! Most runs here allow eight requests in flight (`IN_FLIGHT`), so that
//! nine pull requests are more than one round.

use std::collections::BTreeMap;

use crate::support::fake_github::Recorded;
use crate::support::{FakeGitHub, Run, World, run_command};

/// The requests in flight of `backport`'s runs.
const IN_FLIGHT: &str = "8";

/// `count` merged pull requests from `first` on, each adding its own file,
/// with a release note; their numbers.
fn merged_prs(world: &World, first: u64, count: u64) -> Vec<u64> {
    let numbers: Vec<u64> = (first..first + count).collect();
    for number in &numbers {
        let file = format!("pkg/new{number}.go");
        let message = format!("Add file {number}");
        let body = format!("Adds {number}.\n\n```release-note\nAdded {number}.\n```\n");
        world.pr(
            *number,
            &message,
            &body,
            &[(&message, &[(&file, "package pkg\n")])],
            true,
        );
    }
    numbers
}

fn backport(world: &World, numbers: &[u64], extra: &[&str]) -> Run {
    let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
    args.extend(["--yes".to_string(), "upstream/release-3.1".to_string()]);
    args.extend(numbers.iter().map(u64::to_string));
    run_command(world.command().env("CHERRY_PICK_PR_IN_FLIGHT", IN_FLIGHT).args(&args))
}

/// The JSON `GET`s of single pull requests (not their patches).
fn pull_gets(github: &FakeGitHub) -> Vec<Recorded> {
    github
        .requests_to("GET", "/pulls/")
        .into_iter()
        .filter(|r| !r.header("Accept").unwrap_or_default().contains("patch"))
        .collect()
}

fn patch_gets(github: &FakeGitHub) -> usize {
    github
        .requests_to("GET", "/pulls/")
        .iter()
        .filter(|r| r.header("Accept").unwrap_or_default().contains("patch"))
        .count()
}

fn queries(github: &FakeGitHub) -> Vec<Recorded> {
    github.requests_to("POST", "/graphql")
}

#[test]
fn nine_pull_requests_are_asked_for_in_one_query_and_proposed_as_with_rest() {
    // Nine pull requests' JSON and the lookup of an open pull request are
    // ten requests: more than the eight in flight. The JSON comes from one
    // query; the pull request proposed is the one the REST API's answers
    // make.
    let world = World::new();
    let numbers = merged_prs(&world, 3796, 9);
    let run = backport(&world, &numbers, &[]);
    run.expect_code(0);
    let asked = queries(&world.github);
    assert_eq!(asked.len(), 1, "{asked:#?}");
    let query = asked[0].json();
    assert_eq!(
        query["variables"],
        serde_json::json!({"owner": "kubesphere", "name": "kubesphere"})
    );
    for n in &numbers {
        assert!(
            query["query"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("pr{n}: pullRequest(number: {n})")),
            "{query}"
        );
    }
    assert_eq!(pull_gets(&world.github).len(), 0);
    assert_eq!(patch_gets(&world.github), 0);
    let by_query = world.github.created();

    let rest = World::new();
    rest.github.without_graphql();
    assert_eq!(merged_prs(&rest, 3796, 9), numbers);
    backport(&rest, &numbers, &[]).expect_code(0);
    assert_eq!(pull_gets(&rest.github).len(), 9);
    let by_rest = rest.github.created();
    assert_eq!(by_query.len(), 1);
    assert_eq!(by_rest.len(), 1);
    assert_eq!(by_query[0].title, by_rest[0].title);
    assert_eq!(by_query[0].body, by_rest[0].body);
    assert_eq!(by_query[0].labels, by_rest[0].labels);
    for n in &numbers {
        assert!(
            by_query[0].body.contains(&format!("Added {n}.")),
            "{}",
            by_query[0].body
        );
    }
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
}

#[test]
fn seven_pull_requests_are_asked_for_one_by_one() {
    // Their seven requests and the lookup beside them go out in one round
    // of eight: a query would save no round trip.
    let world = World::new();
    let numbers = merged_prs(&world, 3796, 7);
    backport(&world, &numbers, &[]).expect_code(0);
    assert!(queries(&world.github).is_empty());
    let asked: Vec<String> = pull_gets(&world.github).iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked.len(), 7, "{asked:?}");
    assert_eq!(patch_gets(&world.github), 0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn a_server_without_graphql_gets_one_request_per_pull_request() {
    let world = World::new();
    world.github.without_graphql();
    let numbers = merged_prs(&world, 3796, 9);
    let run = backport(&world, &numbers, &[]);
    run.expect_code(0);
    assert_eq!(queries(&world.github).len(), 1);
    assert_eq!(pull_gets(&world.github).len(), 9);
    assert!(!run.stderr.contains("graphql"), "{}", run.stderr);
    assert_eq!(world.github.created().len(), 1);
    // --debug says why.
    let again = backport(&world, &numbers, &["--debug"]);
    again
        .expect_code(0)
        .stderr_has("fetching PRs #3796 … #3804 from kubesphere/kubesphere in one query")
        .stderr_has("asking for each pull request instead");
}

#[test]
fn a_pull_request_the_query_cannot_find_is_named_as_rest_names_it() {
    // The query answers `null` for #9999; the REST API's 404 is the error.
    let world = World::new();
    let mut numbers = merged_prs(&world, 3796, 9);
    numbers.insert(4, 9999);
    let before = world.snapshot();
    let run = backport(&world, &numbers, &[]);
    run.expect_code(1)
        .stderr_has("PR #9999 was not found in kubesphere/kubesphere");
    assert_eq!(queries(&world.github).len(), 1);
    let asked: Vec<String> = pull_gets(&world.github).iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked, ["/repos/kubesphere/kubesphere/pulls/9999"]);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.snapshot(), before);
}

#[test]
fn an_unmerged_pull_request_among_many_is_refused() {
    let world = World::new();
    let mut numbers = merged_prs(&world, 3796, 9);
    world.pr(
        3900,
        "Not yet",
        "",
        &[("Not yet", &[("pkg/later.go", "package pkg\n")])],
        false,
    );
    numbers.push(3900);
    let run = backport(&world, &numbers, &[]);
    run.expect_code(1).stderr_has("#3900").stderr_has("not merged");
    assert_eq!(queries(&world.github).len(), 1);
    assert!(pull_gets(&world.github).is_empty());
    assert!(world.github.writes().is_empty());
}

#[test]
fn a_pull_request_with_more_labels_than_the_query_brings_is_asked_for_by_rest() {
    // --copy-labels needs every label; the query asks for a hundred.
    let world = World::new();
    let numbers = merged_prs(&world, 3796, 9);
    let labels: Vec<serde_json::Value> = (0..101)
        .map(|i| serde_json::json!({"name": format!("kind/l{i}")}))
        .collect();
    world
        .github
        .edit_pull(3800, "labels", Some(serde_json::Value::from(labels)));
    backport(&world, &numbers, &["--copy-labels", "kind/l100"]).expect_code(0);
    let asked: Vec<String> = pull_gets(&world.github).iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked, ["/repos/kubesphere/kubesphere/pulls/3800"]);
    let labelled = world.github.requests_to("POST", "/issues/9000/labels");
    assert!(labelled.iter().any(|r| r.body.contains("kind/l100")), "{labelled:#?}");
}

#[test]
fn one_pull_request_is_never_a_query() {
    // One at a time: a query would still be one request for one pull request.
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = run_command(world.command().env("CHERRY_PICK_PR_IN_FLIGHT", "1").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(0);
    assert!(queries(&world.github).is_empty());
    assert_eq!(pull_gets(&world.github).len(), 1);
}

#[test]
fn a_node_the_query_brings_back_unreadable_is_asked_for_by_rest_alone() {
    let world = World::new();
    let numbers = merged_prs(&world, 3796, 9);
    world.github.garble_node(3799);
    backport(&world, &numbers, &[]).expect_code(0);
    let asked: Vec<String> = pull_gets(&world.github).iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked, ["/repos/kubesphere/kubesphere/pulls/3799"]);
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert!(created[0].body.contains("Added 3799."), "{}", created[0].body);
}

#[test]
fn continue_after_a_conflict_asks_for_the_remaining_pull_requests_in_one_query() {
    // The first of ten conflicts; --continue fetches the nine left again,
    // their JSON in one query, and proposes all ten.
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    let mut numbers = vec![3796];
    numbers.extend(merged_prs(&world, 3797, 9));
    backport(&world, &numbers, &[]).expect_code(3);
    let before = queries(&world.github).len();
    world.resolve(&world.state_worktree());
    let run = run_command(
        world
            .command()
            .env("CHERRY_PICK_PR_IN_FLIGHT", IN_FLIGHT)
            .args(["--continue"]),
    );
    run.expect_code(0);
    assert_eq!(queries(&world.github).len(), before + 1);
    assert_eq!(patch_gets(&world.github), 0);
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    for n in &numbers[1..] {
        assert!(created[0].body.contains(&format!("Added {n}.")), "{}", created[0].body);
    }
    assert!(
        created[0]
            .title
            .starts_with("Automated cherry pick of #3796: Fix the widget #3797")
    );
}

#[test]
fn forty_pull_requests_get_a_branch_git_can_make_and_a_rerun_finds_it() {
    // Forty numbers spelled out would make a 276-byte branch name, over the
    // 200 the tool allows (a ref is a file: at most 255 bytes).
    let world = World::new();
    let numbers = merged_prs(&world, 3796, 40);
    let before = world.branches(&world.fork);
    backport(&world, &numbers, &[]).expect_code(0);

    let made: Vec<String> = world
        .branches(&world.fork)
        .into_iter()
        .filter(|b| !before.contains(b))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let branch = &made[0];
    assert!(branch.len() <= 200, "{branch}");
    assert!(branch.starts_with("automated-cherry-pick-of-#3796-#3797-"), "{branch}");
    assert!(branch.ends_with("-upstream-release-3.1"), "{branch}");
    let named = branch.matches('#').count();
    assert!(branch.contains(&format!("-and-{}-more-", 40 - named)), "{branch}");
    assert_eq!(
        world
            .git(&world.fork, &["rev-list", "--count", &format!("release-3.1..{branch}")])
            .trim(),
        "40"
    );
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].head_ref, *branch);

    // The same pull requests make the same name: a second run finds the
    // branch and its pull request instead of opening another.
    let again = backport(&world, &numbers, &[]);
    again.expect_code(0).stderr_has("is already open: #9000");
    assert_eq!(world.branches(&world.fork).len(), before.len() + 1);
    assert_eq!(world.github.created().len(), 1);
}

/// One run of the tool on `numbers` with the default requests in flight:
/// its requests, and the git commands it started, by subcommand.
fn counted(world: &World, numbers: &[u64]) -> (Vec<Recorded>, BTreeMap<String, usize>) {
    let (mut cmd, log) = world.command_with_git(&[]);
    cmd.args(["--yes", "upstream/release-3.1"])
        .args(numbers.iter().map(u64::to_string));
    run_command(&mut cmd).expect_code(0);
    let mut by_subcommand = BTreeMap::new();
    for subcommand in log.all() {
        *by_subcommand.entry(subcommand).or_insert(0) += 1;
    }
    (world.github.requests(), by_subcommand)
}

#[test]
fn twenty_pull_requests_cost_the_requests_of_one_and_the_git_of_two() {
    // No patch is downloaded: each is made from the commits fetched. One
    // pull request's JSON is one `GET`, twenty's one query; their commits
    // come from one `git rev-list` (after one `git merge-base` once the
    // bases differ) and their patches from one `git format-patch`.
    let one = World::new();
    let (one_asked, one_git) = counted(&one, &merged_prs(&one, 3796, 1));
    let two = World::new();
    let (two_asked, two_git) = counted(&two, &merged_prs(&two, 3796, 2));
    let twenty = World::new();
    let (twenty_asked, twenty_git) = counted(&twenty, &merged_prs(&twenty, 3796, 20));
    for asked in [&one_asked, &two_asked, &twenty_asked] {
        assert!(
            !asked
                .iter()
                .any(|r| r.header("Accept").unwrap_or_default().contains("patch")),
            "{asked:#?}"
        );
    }
    assert_eq!(one_asked.len(), twenty_asked.len(), "{one_asked:#?}\n{twenty_asked:#?}");
    assert_eq!(queries(&twenty.github).len(), 1);
    assert_eq!(pull_gets(&twenty.github).len(), 0);
    assert_eq!(two_git, twenty_git);
    // One pull request's job checks what `git am` made with `git
    // rev-parse`, several pull requests' with `git rev-list`; its bases
    // need no `git merge-base`.
    let total = |git: &BTreeMap<String, usize>| git.values().sum::<usize>();
    assert_eq!(total(&one_git) + 1, total(&twenty_git), "{one_git:?}\n{twenty_git:?}");
    assert_eq!(one_git.get("merge-base"), None);
    assert_eq!(twenty_git.get("merge-base"), Some(&1));
    assert_eq!(twenty_git.get("format-patch"), Some(&1));
    assert_eq!(twenty_git.get("log"), None, "{twenty_git:?}");
    assert_eq!(twenty_git.get("patch-id"), None, "{twenty_git:?}");
}
