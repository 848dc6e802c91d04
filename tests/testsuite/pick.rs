//! Whole runs that succeed: one PR, several PRs, dry run, re-runs, labels.

use crate::support::{USER, World};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

#[test]
fn one_pr_is_backported_and_proposed() {
    let world = World::new();
    let pr = world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    let before = world.snapshot();

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    eprintln!("{}", run.stderr);
    run.expect_code(0);

    // stdout: the URL alone on the last line.
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    // The fork has the branch: release-3.1 plus the PR's commit, same subject, author and patch id.
    assert_eq!(world.branches(&world.fork), vec![BRANCH, "master", "release-3.1"]);
    let picked = world.commits(&world.fork, &format!("release-3.1..{BRANCH}"));
    let source = world.commits(&world.upstream, &format!("{}^..{}", pr.head_sha, pr.head_sha));
    assert_eq!(picked, source);
    assert!(
        picked[0].starts_with("Fix the widget|Test User <user@example.com>|"),
        "{picked:?}"
    );
    let parent = world.git(&world.fork, &["rev-parse", &format!("{BRANCH}^")]);
    assert_eq!(parent, world.git(&world.upstream, &["rev-parse", "release-3.1"]));

    // The pull request, as SPEC words it.
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].title, "Automated cherry pick of #3796: Fix the widget");
    assert_eq!(
        created[0].body,
        "Cherry pick of #3796 on release-3.1.\n\n#3796: Fix the widget\n\nFor details on the cherry pick process, see the [cherry pick requests](https://git.k8s.io/community/contributors/devel/sig-release/cherry-picks.md) page.\n\n```release-note\nFixed 3796.\n```"
    );
    assert_eq!(created[0].labels, vec!["do-not-merge/cherry-pick-not-approved"]);
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pulls"))
        .unwrap();
    let body = create.json();
    assert_eq!(body["head"], format!("{USER}:{BRANCH}"));
    assert_eq!(body["base"], "release-3.1");
    assert_eq!(body["maintainer_can_modify"], true);
    assert_eq!(body["draft"], false);

    // Every request carries GitHub's headers.
    for request in world.github.requests() {
        assert_eq!(
            request.header("X-GitHub-Api-Version"),
            Some("2022-11-28"),
            "{request:?}"
        );
        assert!(
            request
                .header("User-Agent")
                .unwrap_or_default()
                .starts_with("git-cherry-pick-pr/")
        );
        let accept = request.header("Accept").unwrap_or_default();
        assert!(
            accept == "application/vnd.github+json" || accept == "application/vnd.github.v3.patch",
            "{accept}"
        );
    }

    // The user's checkout is exactly as it was; nothing of the tool's is left.
    assert_eq!(world.snapshot(), before);
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty(), "{:?}", world.tool_dirs());
}

#[test]
fn two_prs_in_order_make_one_pull_request() {
    let world = World::new();
    let first = world.simple_pr(3796, "Fix a", 3);
    let second = world.pr(
        3797,
        "Fix b",
        "```release-note\r\nNONE\r\n```",
        &[
            (
                "Fix b part one",
                &[(
                    "pkg/a.go",
                    &world
                        .git(&world.work, &["show", "master:pkg/a.go"])
                        .replace("a 10\n", "a 10 changed\n"),
                )],
            ),
            ("Fix b part two", &[("pkg/c.go", "new file\n")]),
        ],
        true,
    );
    let run = world.run(&[
        "-y",
        "upstream/release-3.1",
        "#3796",
        "https://github.com/kubesphere/kubesphere/pull/3797",
    ]);
    run.expect_code(0);
    let branch = "automated-cherry-pick-of-#3796-#3797-upstream-release-3.1";
    let picked = world.commits(&world.fork, &format!("release-3.1..{branch}"));
    let mut expected = world.commits(&world.upstream, &format!("{}^..{}", first.head_sha, first.head_sha));
    expected.extend(world.commits(&world.upstream, &format!("{}~2..{}", second.head_sha, second.head_sha)));
    assert_eq!(picked, expected);
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].title, "Automated cherry pick of #3796: Fix a #3797: Fix b");
    assert!(
        created[0]
            .body
            .starts_with("Cherry pick of #3796 #3797 on release-3.1.\n\n#3796: Fix a\n#3797: Fix b\n\n"),
        "{}",
        created[0].body
    );
    assert!(
        created[0].body.ends_with("```release-note\nFixed 3796.\nNONE\n```"),
        "{}",
        created[0].body
    );
}

#[test]
fn dry_run_pushes_nothing_and_writes_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    let before_fork = world.branches(&world.fork);
    let before = world.snapshot();

    let run = world.run(&["--dry-run", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("git branch -D");
    assert_eq!(run.stdout.trim(), BRANCH);
    assert_eq!(world.branches(&world.fork), before_fork);
    assert!(world.github.writes().is_empty(), "{:?}", world.github.writes());
    // Nothing is pushed, so no fork branch's pull request is looked for.
    assert!(
        !world
            .github
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/pulls")),
        "{:?}",
        world.github.requests()
    );
    // The local branch holds the commit; the checkout is untouched.
    assert_eq!(
        world
            .commits(&world.clone, &format!("upstream/release-3.1..{BRANCH}"))
            .len(),
        1
    );
    assert_eq!(world.local_branches(), vec![BRANCH.to_string(), "master".into()]);
    assert!(world.tool_dirs().is_empty());
    let after = world.snapshot();
    assert_eq!(after, before);

    // DRY_RUN from the environment does the same, on a fresh name.
    let run = crate::support::run_command(
        world
            .command()
            .env("DRY_RUN", "1")
            .args(["upstream/release-3.1", "3796"]),
    );
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), format!("{BRANCH}-2"));
    assert!(world.github.writes().is_empty());
}

#[test]
fn rerun_updates_the_branch_and_finds_the_open_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let first_tip = world.git(&world.fork, &["rev-parse", BRANCH]);

    // The release branch moves on; the same command again.
    world.git(&world.work, &["checkout", "--quiet", "release-3.1"]);
    world.commit_files(&[("NOTES", "more\n")], "Another release commit");
    world.git(&world.work, &["push", "--quiet", "origin", "release-3.1"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);

    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    // Open before this run: updated, not taken for one a lost answer opened.
    run.expect_code(0)
        .stderr_has("is already open: #9000; its branch was updated")
        .stderr_has("Updated PR #9000");
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    let second_tip = world.git(&world.fork, &["rev-parse", BRANCH]);
    assert_ne!(first_tip, second_tip, "the fork branch was force-updated");
    assert_eq!(
        world.git(&world.fork, &["rev-parse", &format!("{BRANCH}^")]),
        world.git(&world.upstream, &["rev-parse", "release-3.1"])
    );
    assert_eq!(world.github.created().len(), 1);
    let lookups: Vec<_> = world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/pulls"))
        .collect();
    // One before each run's push (none open, then one), one after the 422.
    assert_eq!(lookups.len(), 3);
    assert!(lookups.iter().all(|l| l.query.contains("state=open")), "{lookups:?}");
    // The labels were already there: no second labelling request.
    let labelling = world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/labels"))
        .count();
    assert_eq!(labelling, 1);
}

#[test]
fn only_the_target_branch_is_fetched() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    for extra in ["release-2.0", "release-3.0", "feature-x"] {
        world.git(&world.upstream, &["branch", extra, "master"]);
    }
    world.git(&world.upstream, &["tag", "v9.9.9", "master"]);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let tracking = world.git(
        &world.clone,
        &["for-each-ref", "--format=%(refname)", "refs/remotes/upstream/"],
    );
    assert_eq!(tracking.trim(), "refs/remotes/upstream/release-3.1");
    assert!(world.git(&world.clone, &["tag", "--list"]).trim().is_empty());
}

#[test]
fn labels_are_configurable_and_a_refusal_is_only_a_warning() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.fault("POST", "/labels", 403, serde_json::json!({"message": "Must have admin rights to Repository.", "documentation_url": "https://docs.github.com/rest", "status": "403"}));
    let run = world.run(&[
        "--yes",
        "--label",
        "kind/bug",
        "--label",
        "cherry-pick",
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0)
        .stderr_has("warning:")
        .stderr_has("Must have admin rights");
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    let labelling = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/labels"))
        .unwrap();
    assert_eq!(
        labelling.json()["labels"],
        serde_json::json!(["kind/bug", "cherry-pick"])
    );
}

#[test]
fn a_label_github_does_not_know_is_a_warning() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .github
        .state
        .lock()
        .unwrap()
        .unknown_labels
        .push("no-such-label".into());
    let run = world.run(&["--yes", "--label", "no-such-label", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("no-such-label");
}

#[test]
fn no_label_sends_no_labelling_request_and_draft_is_honoured() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["--yes", "--no-label", "--draft", "release-3.1", "3796"])
        .expect_code(0);
    assert!(world.github.requests().iter().all(|r| !r.path.ends_with("/labels")));
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(create.json()["draft"], true);
}

#[test]
fn signoff_adds_the_trailer() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .run(&["--yes", "--signoff", "upstream/release-3.1", "3796"])
        .expect_code(0);
    let message = world.git(&world.fork, &["log", "-1", "--format=%B", BRANCH]);
    assert!(
        message.contains("Signed-off-by: Test User <user@example.com>"),
        "{message}"
    );
}

#[test]
fn the_token_only_travels_in_the_authorization_header() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = world.run(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("HTTP GET").stderr_has("git fetch");
    assert!(!run.stderr.contains(crate::support::TOKEN) && !run.stdout.contains(crate::support::TOKEN));
    for request in world.github.requests() {
        assert!(
            !request.path.contains(crate::support::TOKEN)
                && !request.query.contains(crate::support::TOKEN)
                && !request.body.contains(crate::support::TOKEN)
        );
    }
}

#[test]
fn the_user_comes_from_flag_then_env_then_the_fork_url() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let head_of_last_create = || {
        let create = world
            .github
            .requests()
            .into_iter()
            .rfind(|r| r.method == "POST" && r.path.ends_with("/pulls"))
            .unwrap();
        create.json()["head"].as_str().unwrap().to_string()
    };
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    assert_eq!(head_of_last_create(), format!("alice:{BRANCH}"));
    crate::support::run_command(world.command().env("GITHUB_USER", "carol").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]))
    .expect_code(0);
    assert_eq!(head_of_last_create(), format!("carol:{BRANCH}"));
    crate::support::run_command(world.command().env("GITHUB_USER", "carol").args([
        "--yes",
        "--user",
        "dave",
        "upstream/release-3.1",
        "3796",
    ]))
    .expect_code(0);
    assert_eq!(head_of_last_create(), format!("dave:{BRANCH}"));
}

#[test]
fn a_target_spelled_as_a_full_remote_tracking_ref_is_understood() {
    for spelled in ["refs/remotes/upstream/release-3.1", "remotes/upstream/release-3.1"] {
        let world = World::new();
        world.simple_pr(3796, "Fix the widget", 3);
        let run = world.run(&["--yes", spelled, "3796"]);
        run.expect_code(0);
        let created = world.github.created();
        assert_eq!(created.len(), 1, "{spelled}");
        assert_eq!(created[0].base_ref, "release-3.1");
        assert_eq!(created[0].head_ref, BRANCH);
        assert_eq!(world.branches(&world.fork), vec![BRANCH, "master", "release-3.1"]);
    }
}

#[test]
fn the_same_target_twice_opens_one_pull_request() {
    for twice in [
        &["release-3.1", "release-3.1"][..],
        &["release-3.1", "upstream/release-3.1"],
        &["upstream/release-3.1", "refs/remotes/upstream/release-3.1"],
    ] {
        let world = World::new();
        world.simple_pr(3796, "Fix the widget", 3);
        let mut args = vec!["--yes"];
        args.extend(twice);
        args.push("3796");
        let run = world.run(&args);
        run.expect_code(0);
        assert_eq!(
            run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n",
            "{twice:?}"
        );
        assert!(!run.stderr.contains("Summary:"), "{}", run.stderr);
        assert_eq!(world.github.created().len(), 1, "{twice:?}");
        assert_eq!(world.branches(&world.fork), vec![BRANCH, "master", "release-3.1"]);
        assert_eq!(world.local_branches(), vec!["master"]);
        assert!(world.tool_dirs().is_empty());
    }
}
