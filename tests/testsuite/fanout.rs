//! Several targets in one run, `--exec`, git config and its precedence,
//! follow-through (milestone, copied labels, assignees, source comments) and
//! title/body templates.

use crate::support::{World, run_command};

fn created_for(world: &World, base: &str) -> crate::support::FakePull {
    world
        .github
        .created()
        .into_iter()
        .find(|p| p.base_ref == base)
        .unwrap_or_else(|| panic!("no PR against {base}"))
}

#[test]
fn three_targets_make_three_pull_requests_in_order() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.release_branch("release-2.9");
    world.simple_pr(3796, "Fix", 3);
    world.dirty_checkout();
    let before = world.snapshot();
    let run = world.run(&[
        "--yes",
        "upstream/release-3.1",
        "upstream/release-3.0",
        "release-2.9",
        "3796",
    ]);
    run.expect_code(0).stderr_has("Summary:");
    let created = world.github.created();
    assert_eq!(created.len(), 3);
    // stdout: one URL per target, in the order given.
    let urls: Vec<&str> = run.stdout.lines().collect();
    let expected: Vec<String> = ["release-3.1", "release-3.0", "release-2.9"]
        .iter()
        .map(|b| {
            format!(
                "https://github.com/kubesphere/kubesphere/pull/{}",
                created_for(&world, b).number
            )
        })
        .collect();
    assert_eq!(urls, expected);
    for base in ["release-3.1", "release-3.0", "release-2.9"] {
        let pull = created_for(&world, base);
        assert_eq!(pull.head_ref, format!("automated-cherry-pick-of-#3796-upstream-{base}"));
        let tip = world.git(&world.upstream, &["rev-parse", base]);
        assert_eq!(
            world.git(&world.fork, &["rev-parse", &format!("{}^", pull.head_ref)]),
            tip,
            "{base}"
        );
        assert!(pull.body.starts_with(&format!("Cherry pick of #3796 on {base}.")));
    }
    assert_eq!(world.snapshot(), before);
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty());
    // One fetch for all targets, besides the one of the default branch
    // alone that the project's settings are read from.
    let debug = world.run(&[
        "--yes",
        "--debug",
        "upstream/release-3.1",
        "upstream/release-3.0",
        "3796",
    ]);
    let fetches = debug.stderr.lines().filter(|l| l.contains("git fetch"));
    let (settings, others): (Vec<&str>, Vec<&str>) =
        fetches.partition(|l| l.contains(" +HEAD:refs/cherry-pick-pr/head "));
    assert_eq!((settings.len(), others.len()), (1, 1), "{}", debug.stderr);
}

#[test]
fn a_conflict_on_one_target_does_not_stop_the_others() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"]);
    run.expect_code(3).stderr_has("conflict").stderr_has("opened");
    // The clean target is done and its URL printed.
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(
        created_for(&world, "release-3.0").head_ref,
        "automated-cherry-pick-of-#3796-upstream-release-3.0"
    );
    assert_eq!(run.stdout.lines().count(), 1);

    let status = world.run(&["--status"]);
    assert!(
        status.stdout.contains("upstream/release-3.0 (#3796): opened https://"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("upstream/release-3.1: stopped on conflicts in #3796"),
        "{}",
        status.stdout
    );

    // Several... no: only one is in progress, so plain --continue would do; name it anyway.
    world.resolve(&world.state_worktree());
    world.run(&["--continue", "release-3.1"]).expect_code(0);
    assert_eq!(world.github.created().len(), 2);
    assert!(world.state().is_none());
}

#[test]
fn with_several_targets_in_progress_continue_wants_one_named() {
    let world = World::new();
    world.release_branch("release-3.0");
    // The same line changed on both release branches.
    world.conflict_on_release(3);
    world.git(&world.work, &["checkout", "--quiet", "release-3.0"]);
    world.commit_files(
        &[(
            "pkg/a.go",
            &crate::support::numbered("a", 20).replace("a 3\n", "a 3 on 3.0\n"),
        )],
        "3.0 change",
    );
    world.git(&world.work, &["push", "--quiet", "origin", "release-3.0"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.simple_pr(3796, "Fix", 3);
    world
        .run(&["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"])
        .expect_code(3);
    let status = world.run(&["--status"]);
    assert!(
        status.stdout.contains("release-3.0: stopped") && status.stdout.contains("release-3.1: stopped"),
        "{}",
        status.stdout
    );
    // With several in progress, what to run next names each.
    for name in ["upstream/release-3.0", "upstream/release-3.1"] {
        assert!(
            status
                .stdout
                .contains(&format!("`git cherry-pick-pr --continue {name}`")),
            "{}",
            status.stdout
        );
    }
    // Listed in the order given; the example is one in progress, for the
    // action typed.
    world.run(&["--continue"]).expect_code(2).stderr_eq(
        r#"
error: several jobs are in progress: upstream/release-3.1, upstream/release-3.0
hint: name the one to act on, e.g. `git cherry-pick-pr --continue upstream/release-3.1`
"#,
    );
    world.run(&["--abort"]).expect_code(2).stderr_eq(
        r#"
error: several jobs are in progress: upstream/release-3.1, upstream/release-3.0
hint: name the one to act on, e.g. `git cherry-pick-pr --abort upstream/release-3.1`
"#,
    );
    let at = |name: &str| status.stdout.find(&format!("  {name}: stopped")).unwrap();
    assert!(
        at("upstream/release-3.1") < at("upstream/release-3.0"),
        "{}",
        status.stdout
    );

    let state = world.state().unwrap();
    let worktree_of = |base: &str| {
        let t = state["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["branch"] == base)
            .unwrap();
        std::path::PathBuf::from(t["worktree"].as_str().unwrap())
    };
    world.resolve(&worktree_of("release-3.0"));
    world.run(&["--continue", "upstream/release-3.0"]).expect_code(0);
    assert_eq!(world.github.created().len(), 1);
    assert!(world.state().is_some(), "release-3.1 is still in progress");
    world.run(&["--abort", "release-3.1"]).expect_code(0);
    assert!(world.state().is_none());
    assert_eq!(world.local_branches(), vec!["master"]);
}

#[test]
fn exec_commits_what_it_changed() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&[
        "--yes",
        "--exec",
        "echo generated > docs.txt && echo more >> README.md",
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0);
    let picked = world.picked("automated-cherry-pick-of-#3796-upstream-release-3.1");
    assert_eq!(picked.len(), 2);
    assert!(
        picked[1].starts_with("Regenerate generated files after cherry-pick of #3796|"),
        "{picked:?}"
    );
    let files = world.git(
        &world.fork,
        &[
            "show",
            "--name-only",
            "--format=",
            "automated-cherry-pick-of-#3796-upstream-release-3.1",
        ],
    );
    assert_eq!(files.lines().collect::<Vec<_>>(), vec!["README.md", "docs.txt"]);
    // The command ran in the worktree, not in the user's checkout.
    assert!(!world.clone.join("docs.txt").exists());
}

#[test]
fn exec_that_changes_nothing_adds_no_commit() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world
        .run(&["--yes", "--exec", "true", "upstream/release-3.1", "3796"])
        .expect_code(0);
    assert_eq!(
        world
            .picked("automated-cherry-pick-of-#3796-upstream-release-3.1")
            .len(),
        1
    );
}

#[test]
fn a_failing_exec_pushes_nothing_and_continue_runs_it_again() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let script = world.clone.join("gen.sh");
    std::fs::write(&script, "#!/bin/sh\necho 'generator: missing tool' >&2\nexit 4\n").unwrap();
    let command = format!("sh {}", script.display());
    let run = world.run(&["--yes", "--exec", &command, "upstream/release-3.1", "3796"]);
    run.expect_code(1)
        .stderr_has("generator: missing tool")
        .stderr_has("--continue");
    assert!(world.github.writes().is_empty());
    assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
    assert_eq!(world.state().unwrap()["jobs"][0]["phase"], "exec");

    std::fs::write(&script, "#!/bin/sh\necho fixed > generated.txt\n").unwrap();
    world.run(&["--continue"]).expect_code(0);
    let picked = world.picked("automated-cherry-pick-of-#3796-upstream-release-3.1");
    assert_eq!(picked.len(), 2, "{picked:?}");
}

#[test]
fn regenerate_docs_runs_the_scripts_generator() {
    let world = World::new();
    world.git(&world.work, &["checkout", "--quiet", "release-3.1"]);
    std::fs::create_dir_all(world.work.join("hack")).unwrap();
    std::fs::write(
        world.work.join("hack/generate-docs.sh"),
        "#!/bin/sh\necho docs > docs.md\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            world.work.join("hack/generate-docs.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    world.git(&world.work, &["add", "hack/generate-docs.sh"]);
    world.git(&world.work, &["commit", "--quiet", "-m", "Add the generator"]);
    world.git(&world.work, &["push", "--quiet", "origin", "release-3.1"]);
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.simple_pr(3796, "Fix", 3);
    let branch = "automated-cherry-pick-of-#3796-upstream-release-3.1";
    let show = |w: &World| w.git(&w.fork, &["show", "--name-only", "--format=%s", branch]);

    run_command(
        world
            .command()
            .env("REGENERATE_DOCS", "true")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    )
    .expect_code(0);
    assert_eq!(
        show(&world),
        "Regenerate generated files after cherry-pick of #3796\n\ndocs.md\n"
    );
    // `false` turns it off; the flag turns it on.
    run_command(
        world
            .command()
            .env("REGENERATE_DOCS", "false")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    )
    .expect_code(0);
    assert!(show(&world).starts_with("Fix\n"), "{}", show(&world));
    world
        .run(&["--yes", "--regenerate-docs", "upstream/release-3.1", "3796"])
        .expect_code(0);
    assert!(show(&world).ends_with("docs.md\n"));
}

#[test]
fn git_config_is_honoured_and_env_and_flags_override_it() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.git(&world.clone, &["remote", "rename", "origin", "mine"]);
    world.git(&world.clone, &["remote", "rename", "upstream", "main"]);
    for (key, value) in [
        ("cherry-pick-pr.upstream", "main"),
        ("cherry-pick-pr.fork", "mine"),
        ("cherry-pick-pr.user", "carol"),
        ("cherry-pick-pr.draft", "true"),
        ("cherry-pick-pr.signoff", "yes"),
    ] {
        world.git(&world.clone, &["config", key, value]);
    }
    world.git(
        &world.clone,
        &["config", "--add", "cherry-pick-pr.label", "cherry-pick"],
    );
    world.git(
        &world.clone,
        &["config", "--add", "cherry-pick-pr.label", "kind/backport"],
    );

    let run = world.run(&["--yes", "--debug", "main/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("setting: user = carol (from git config cherry-pick-pr.user)");
    assert_eq!(
        run.stderr.matches("git config -z --get-regexp").count(),
        1,
        "one git config call"
    );
    let create = world
        .github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pulls"))
        .unwrap();
    assert_eq!(
        create.json()["head"],
        "carol:automated-cherry-pick-of-#3796-main-release-3.1"
    );
    assert_eq!(create.json()["draft"], true);
    assert_eq!(world.github.created()[0].labels, vec!["cherry-pick", "kind/backport"]);
    let message = world.git(
        &world.fork,
        &[
            "log",
            "-1",
            "--format=%B",
            "automated-cherry-pick-of-#3796-main-release-3.1",
        ],
    );
    assert!(message.contains("Signed-off-by:"));

    // The environment beats git config; a flag beats both.
    let run =
        run_command(
            world
                .command()
                .env("GITHUB_USER", "dave")
                .args(["--yes", "--debug", "main/release-3.1", "3796"]),
        );
    run.expect_code(0).stderr_has("setting: user = dave (from GITHUB_USER)");
    let run = run_command(world.command().env("GITHUB_USER", "dave").args([
        "--yes",
        "--debug",
        "--user",
        "erin",
        "--label",
        "x",
        "main/release-3.1",
        "3796",
    ]));
    run.expect_code(0)
        .stderr_has("setting: user = erin (from --user)")
        .stderr_has("labels = x (from --label)");

    // UPSTREAM_REMOTE and FORK_REMOTE beat the config too.
    world.git(&world.clone, &["config", "cherry-pick-pr.upstream", "nope"]);
    let run = run_command(
        world
            .command()
            .env("UPSTREAM_REMOTE", "main")
            .env("FORK_REMOTE", "mine")
            .args(["--yes", "main/release-3.1", "3796"]),
    );
    run.expect_code(0);
    world
        .run(&["--yes", "main/release-3.1", "3796"])
        .expect_code(1)
        .stderr_has("no remote named `nope`");
}

#[test]
fn repo_and_api_url_come_from_config_env_and_flags() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.git(&world.clone, &["config", "cherry-pick-pr.repo", "other/thing"]);
    // GitHub answers 404 for other/thing: the config was used.
    world
        .run(&["--yes", "upstream/release-3.1", "3796"])
        .expect_code(1)
        .stderr_has("not found in other/thing");
    run_command(
        world
            .command()
            .env("MAIN_REPO_ORG", "kubesphere")
            .env("MAIN_REPO_NAME", "kubesphere")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    )
    .expect_code(0);
    world
        .run(&[
            "--yes",
            "--repo",
            "kubesphere/kubesphere",
            "upstream/release-3.1",
            "3796",
        ])
        .expect_code(0);

    let url = world.github.url.clone();
    world.git(&world.clone, &["config", "--unset", "cherry-pick-pr.repo"]);
    world.git(&world.clone, &["config", "cherry-pick-pr.apiUrl", &url]);
    run_command(
        world
            .command()
            .env_remove("GITHUB_API_URL")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    )
    .expect_code(0);
    run_command(world.command().env("GITHUB_API_URL", "http://example.com").args([
        "--yes",
        "--api-url",
        &url,
        "upstream/release-3.1",
        "3796",
    ]))
    .expect_code(0);
}

#[test]
fn milestone_auto_picks_the_matching_open_one() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.state.lock().unwrap().milestones = vec![
        (1, "v3.0".into(), "open".into()),
        (2, "v3.1".into(), "closed".into()),
        (3, "3.1".into(), "open".into()),
        (4, "v3.1.x".into(), "open".into()),
    ];
    world
        .run(&[
            "--yes",
            "--milestone",
            "auto",
            "--assign-author",
            "upstream/release-3.1",
            "3796",
        ])
        .expect_code(0);
    let number = world.github.created()[0].number;
    assert_eq!(world.github.state.lock().unwrap().milestone_of.get(&number), Some(&3));
    assert_eq!(
        world.github.state.lock().unwrap().assignees.get(&number),
        Some(&vec!["bob".to_string()])
    );
    // Labels, milestone and assignees went in one request.
    let writes: Vec<String> = world
        .github
        .writes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        vec![
            "POST /repos/kubesphere/kubesphere/pulls".to_string(),
            format!("PATCH /repos/kubesphere/kubesphere/issues/{number}")
        ]
    );
    assert_eq!(
        world.github.created()[0].labels,
        vec!["do-not-merge/cherry-pick-not-approved"]
    );
}

#[test]
fn no_matching_milestone_is_a_notice() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.state.lock().unwrap().milestones = vec![(1, "v2.0".into(), "open".into())];
    world.git(&world.clone, &["config", "cherry-pick-pr.milestone", "auto"]);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("No open milestone matches v3.1, 3.1, v3.1.x or 3.1.x");
    assert!(world.github.state.lock().unwrap().milestone_of.is_empty());
}

#[test]
fn labels_are_copied_by_pattern_and_sources_get_a_comment() {
    let world = World::new();
    let mut pr = world.simple_pr(3796, "Fix", 3);
    pr.labels = vec!["kind/bug".into(), "lgtm".into(), "area/api".into()];
    world.github.add_pull(pr);
    world.git(&world.clone, &["config", "cherry-pick-pr.commentSource", "true"]);
    let run = world.run(&[
        "--yes",
        "--copy-labels",
        "kind/*",
        "--copy-labels",
        "area/*",
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0);
    let created = &world.github.created()[0];
    assert_eq!(
        created.labels,
        vec!["do-not-merge/cherry-pick-not-approved", "kind/bug", "area/api"]
    );
    let comments = world.github.state.lock().unwrap().comments.clone();
    assert_eq!(
        comments,
        vec![(
            3796,
            format!(
                "Cherry pick of #3796 onto release-3.1: https://github.com/kubesphere/kubesphere/pull/{}",
                created.number
            )
        )]
    );
    // A re-run finds the open PR and does not comment twice.
    world
        .run(&["--yes", "--comment-source", "upstream/release-3.1", "3796"])
        .expect_code(0);
    assert_eq!(world.github.state.lock().unwrap().comments.len(), 1);
}

#[test]
fn an_unassignable_author_is_a_warning() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.state.lock().unwrap().unassignable.push("bob".into());
    let run = world.run(&["--yes", "--assign-author", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("could not be assigned to bob");
}

#[test]
fn templates_shape_the_title_and_body() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(
        &world.clone,
        &["config", "cherry-pick-pr.titleTemplate", "[{target}] {title_list}"],
    );
    world.git(
        &world.clone,
        &[
            "config",
            "cherry-pick-pr.bodyTemplate",
            "Backport of {prs} to {target}.\n\n{release_notes}\n\nSee {doc_link}.",
        ],
    );
    world.git(
        &world.clone,
        &["config", "cherry-pick-pr.docLink", "https://example.com/backports"],
    );
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let created = &world.github.created()[0];
    assert_eq!(created.title, "[release-3.1] #3796: Fix the widget");
    assert_eq!(
        created.body,
        "Backport of #3796 to release-3.1.\n\nFixed 3796.\n\nSee https://example.com/backports."
    );
}

#[test]
fn an_unknown_placeholder_is_a_usage_error() {
    let world = World::new();
    world.git(&world.clone, &["config", "cherry-pick-pr.titleTemplate", "{nope}"]);
    world
        .run(&["--yes", "upstream/release-3.1", "3796"])
        .expect_code(2)
        .stderr_has("`{nope}`");
}

#[test]
fn no_right_to_set_the_milestone_is_a_warning() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.state.lock().unwrap().milestones = vec![(5, "v3.1".into(), "open".into())];
    world.github.fault(
        "PATCH",
        "/issues/",
        403,
        serde_json::json!({"message": "Must have push access", "status": "403"}),
    );
    let run = world.run(&["--yes", "--milestone", "v3.1", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("warning:")
        .stderr_has("triage permission")
        .stderr_has("Must have push access");
    assert_eq!(
        run.stdout,
        format!(
            "https://github.com/kubesphere/kubesphere/pull/{}\n",
            world.github.created()[0].number
        )
    );
}
