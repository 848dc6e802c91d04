//! Prerequisites: a pick that stops on conflicts names the earlier pull
//! requests it needs that the target lacks, at the stop, in `--status`, in
//! `--json` and in the new pull request's body; found by `git blame`,
//! judged by content, and mapped to pull requests by their merge or squash
//! subject (confirmed by GitHub) or else GitHub's word on the commit.

use crate::support::{Landed, World};

/// The line that names #3805 at a stop of #3806.
const NEEDS: &str = "hint: #3806 needs #3805 (not on release-3.1): both change pkg/a.go:11-13";

/// The requests for the pull requests associated with a commit.
fn commit_lookups(world: &World) -> Vec<String> {
    (world.github.requests().into_iter())
        .filter(|r| r.method == "GET" && r.path.contains("/commits/") && r.path.ends_with("/pulls"))
        .map(|r| r.path)
        .collect()
}

/// The `GET` requests for pull request `number`'s JSON.
fn pull_reads(world: &World, number: u64) -> usize {
    (world.github.requests().into_iter())
        .filter(|r| r.method == "GET" && r.path.ends_with(&format!("/pulls/{number}")))
        .filter(|r| !r.header("Accept").unwrap_or_default().contains("patch"))
        .count()
}

#[test]
fn a_stop_names_the_earlier_pull_request_it_needs() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    let before = world.snapshot();

    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_eq(
        r#"
→ Fetching release-3.1 and #3806 from upstream
→ Applying #3806 to upstream/release-3.1: Change the setting
error: PR #3806 does not apply cleanly to upstream/release-3.1
conflicting files:
    pkg/a.go
the work is in [ROOT]/clone/.git/cherry-pick-pr/3806-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3806-upstream-release-3.1)
hint: #3806 needs #3805 (not on release-3.1): both change pkg/a.go:11-13
hint: resolve the conflicts in [ROOT]/clone/.git/cherry-pick-pr/3806-upstream-release-3.1-[..]: edit the files and `git add` them (running `git am --continue` there yourself is fine too)
hint: then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#,
    );
    let jobs: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(jobs[0]["prerequisites"], serde_json::json!([3805]), "{jobs}");
    // Read-only: the merge subject was confirmed by one request for #3805
    // (beside the run's own), and GitHub was not asked about the commit.
    assert!(world.github.writes().is_empty());
    assert_eq!(pull_reads(&world, 3805), 1);
    assert!(commit_lookups(&world).is_empty(), "{:?}", commit_lookups(&world));

    let status = world.run(&["--status"]);
    status.expect_code(0);
    assert!(
        status
            .stdout
            .contains("    hint:     #3806 needs #3805 (not on release-3.1): both change pkg/a.go:11-13\n"),
        "{}",
        status.stdout
    );

    // Resolved by hand, the pull request's body says what it needed.
    world.resolve(&world.state_worktree());
    let run = world.run(&["--continue"]);
    run.expect_code(0).stderr_has("Opened PR #9000");
    let body = &world.github.created()[0].body;
    assert!(
        body.contains(
            "- #3806: conflicts resolved by hand in `pkg/a.go`.\n- #3806 needs #3805 (not on release-3.1): both change `pkg/a.go:11-13`.\n"
        ),
        "{body}"
    );
    let mut after = world.snapshot();
    after.set_worktrees(before.worktrees());
    assert_eq!(after, before);
}

#[test]
fn a_prerequisite_already_on_the_target_is_not_named() {
    let world = World::new();
    let earlier = world.setting_added(true);
    world.setting_pr(3807, "Tune the setting", 2);
    world.setting_pr(3806, "Change the setting", 3);
    // #3805 is on the release branch, picked (a new commit, the same patch).
    world.land_on_release(&earlier.head_sha);

    let run = world.run(&["--yes", "upstream/release-3.1", "3806"]);
    run.expect_code(3)
        .stderr_has("hint: #3806 needs #3807 (not on release-3.1): both change pkg/a.go:12\n");
    assert!(!run.stderr.contains("#3805"), "{}", run.stderr);
}

#[test]
fn a_prerequisite_merged_as_a_squash_is_found_by_its_subject() {
    let world = World::new();
    let added = world.with_setting(1);
    world.pr_landed(
        3805,
        "Add the setting",
        &[("Add the setting", &[("pkg/a.go", &added)])],
        Landed::Squash,
    );
    world.setting_pr(3806, "Change the setting", 2);

    let run = world.run(&["--yes", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!("{NEEDS}\n"));
    assert_eq!(pull_reads(&world, 3805), 1);
    assert!(commit_lookups(&world).is_empty(), "{:?}", commit_lookups(&world));
}

#[test]
fn a_subject_naming_a_pull_request_that_did_not_land_it_is_not_believed() {
    let world = World::new();
    // #3805 is merged, but its merge did not make the commit whose subject
    // names it.
    world.simple_pr(3805, "Something else", 3);
    let added = world.with_setting(1);
    let commit = world.commit_files(&[("pkg/a.go", &added)], "Add the setting (#3805)");
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    world.setting_pr(3806, "Change the setting", 2);

    let run = world.run(&["--yes", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!(
        "hint: #3806 needs commit {} \"Add the setting (#3805)\" (not on release-3.1): both change pkg/a.go:11-13\n",
        &commit[..12]
    ));
    // The hint cost one request, and GitHub was asked nothing more of the commit.
    assert_eq!(pull_reads(&world, 3805), 1);
    assert!(commit_lookups(&world).is_empty());
}

#[test]
fn a_prerequisite_without_a_pull_request_is_named_by_its_commit() {
    let world = World::new();
    let added = world.with_setting(1);
    let commit = world.commit_files(&[("pkg/a.go", &added)], "Add the setting");
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    world.setting_pr(3806, "Change the setting", 2);

    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!(
        "hint: #3806 needs commit {} \"Add the setting\" (not on release-3.1): both change pkg/a.go:11-13\n",
        &commit[..12]
    ));
    let jobs: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(jobs[0]["prerequisites"], serde_json::json!([]));
    // GitHub was asked once which pull request holds the commit.
    assert_eq!(
        commit_lookups(&world),
        vec![format!("/repos/kubesphere/kubesphere/commits/{commit}/pulls")]
    );
}

#[test]
fn a_prerequisite_github_associates_with_a_pull_request_is_named_by_it() {
    let world = World::new();
    // #3805 was merged by a fast-forward: no merge commit, no `(#N)`.
    let pull = world.setting_added(false);
    world.git(&world.work, &["merge", "--quiet", "--ff-only", &pull.head_ref]);
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    let mut merged = pull.clone();
    merged.merged = true;
    merged.state = "closed".into();
    world.github.add_pull(merged);
    world.github.set_merge_commit(3805, &pull.head_sha);
    world.setting_pr(3806, "Change the setting", 2);

    let run = world.run(&["--yes", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!("{NEEDS}\n"));
    assert_eq!(commit_lookups(&world).len(), 1);
}

#[test]
fn with_prerequisites_one_clean_pull_request_picks_the_earlier_one_first() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    let before = world.snapshot();

    let run = world.run(&["--yes", "--with-prerequisites", "upstream/release-3.1", "3806"]);
    run.expect_code(0)
        .stderr_has("upstream/release-3.1 picks #3805 (which #3806 needs), #3806\n")
        .stderr_has("Opened PR #9000");
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].title, "Automated cherry pick of #3806: Change the setting");
    assert!(
        created[0].body.contains("Also picks #3805, which #3806 needs.\n"),
        "{}",
        created[0].body
    );
    // A clean pick: no conflicts to disclose.
    assert!(!created[0].body.contains("### Conflicts"), "{}", created[0].body);
    let branch = "automated-cherry-pick-of-#3805-#3806-upstream-release-3.1";
    assert_eq!(
        world.picked_subjects(branch),
        vec!["Add the setting", "Change the setting"]
    );
    assert!(world.state().is_none());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty(), "{:?}", world.tool_dirs());
    assert_eq!(world.snapshot(), before);
}

#[test]
fn with_prerequisites_from_git_config_a_dry_run_shows_the_plan_and_stops() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    world.git(&world.clone, &["config", "cherry-pick-pr.withPrerequisites", "true"]);

    let run = world.run(&["--dry-run", "upstream/release-3.1", "3806"]);
    run.expect_code(0)
        .stderr_has("upstream/release-3.1 picks #3805 (which #3806 needs), #3806\n")
        .stderr_has("Dry run: that is the plan; nothing was picked or pushed\n");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.local_branches(), vec!["master"]);
    assert!(world.tool_dirs().is_empty(), "{:?}", world.tool_dirs());
}

impl World {
    /// An open pull request #`number` against release-3.1 by `author`,
    /// saying in its title, body and branch that it picks `source`, whose
    /// head is `files` committed with `message` on release-3.1.
    pub(crate) fn open_backport_of(
        &self,
        (number, source, author): (u64, u64, &str),
        files: &[(&str, &str)],
        message: &str,
    ) {
        let body = format!("Cherry pick of #{source} on release-3.1.\n");
        self.open_claim((number, source, author), (files, message), ("Add the setting", body));
    }

    /// The user's clone's remote-tracking ref of release-3.1.
    fn tracking_tip(&self) -> String {
        (self
            .git(&self.clone, &["rev-parse", "refs/remotes/upstream/release-3.1"])
            .trim())
        .to_string()
    }
}

/// The requests listing the open pull requests against release-3.1.
fn open_listings(world: &World) -> usize {
    (world.github.requests().into_iter())
        .filter(|r| r.method == "GET" && r.path == "/repos/kubesphere/kubesphere/pulls")
        .filter(|r| r.param("state").as_deref() == Some("open") && r.param("base").as_deref() == Some("release-3.1"))
        .count()
}

#[test]
fn a_prerequisite_waiting_in_an_open_backport_is_named_as_such() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    // carol, an outsider, opened #4001: #3805's change picked onto
    // release-3.1 (its content says it is the cherry pick).
    let added = world.with_setting(1);
    let release_a = world.git(&world.work, &["show", "release-3.1:pkg/a.go"]);
    let picked = release_a.replace("a 10\n", "a 10\nsetting begin\nx = 1\nsetting end\n");
    assert_ne!(picked, release_a);
    assert!(added.contains("setting begin\nx = 1\nsetting end\n"));
    world.open_backport_of((4001, 3805, "carol"), &[("pkg/a.go", &picked)], "Add the setting");

    // Once the run has fetched release-3.1, upstream's release-3.1 moves
    // on: a later fetch into the remote-tracking ref would take it there.
    let tip = world
        .git(&world.upstream, &["rev-parse", "release-3.1"])
        .trim()
        .to_string();
    world.git(&world.work, &["checkout", "--quiet", "--detach", &tip]);
    let moved = world.commit_files(&[("MOVED", "moved\n")], "Moved on");
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{moved}:refs/keep/moved")],
    );
    let marker = world.clone.join(".git/moved-upstream");
    world.hook(
        "reference-transaction",
        &format!(
            "[ \"$1\" = committed ] || exit 0\n\
grep -q ' refs/remotes/upstream/release-3.1$' || exit 0\n\
[ -e '{marker}' ] && exit 0\n\
: > '{marker}'\n\
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES\n\
git --git-dir='{upstream}' update-ref refs/heads/release-3.1 {moved}\n",
            marker = marker.display(),
            upstream = world.upstream.display(),
        ),
    );

    let waiting = "#3806 needs #3805 (not on release-3.1; waiting in #4001): both change pkg/a.go:11-13";
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!("hint: {waiting}\n"));
    let jobs: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(jobs[0]["prerequisites"], serde_json::json!([3805]), "{jobs}");
    assert_eq!(
        jobs[0]["prerequisites_waiting"],
        serde_json::json!({"3805": 4001}),
        "{jobs}"
    );
    // Upstream moved on during the run, and the remote-tracking ref stayed
    // where the run's own fetch put it.
    assert!(marker.exists(), "the hook never saw the run's fetch");
    assert_eq!(world.git(&world.upstream, &["rev-parse", "release-3.1"]).trim(), moved);
    assert_eq!(world.tracking_tip(), tip);
    // One listing, read-only.
    assert_eq!(open_listings(&world), 1);
    assert!(world.github.writes().is_empty());

    let status = world.run(&["--status"]);
    status.expect_code(0);
    assert!(
        status.stdout.contains(&format!("    hint:     {waiting}\n")),
        "{}",
        status.stdout
    );

    world.resolve(&world.state_worktree());
    let run = world.run(&["--continue"]);
    run.expect_code(0).stderr_has("Opened PR #9000");
    let body = &world.github.created()[0].body;
    assert!(
        body.contains("- #3806 needs #3805 (not on release-3.1; waiting in #4001): both change `pkg/a.go:11-13`.\n"),
        "{body}"
    );
}

#[test]
fn an_outsiders_pull_request_that_only_says_it_picks_a_prerequisite_is_not_named() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    // mallory's #4010 says it picks #3805, but changes something else.
    let release_b = world.git(&world.work, &["show", "release-3.1:pkg/b.go"]);
    let changed = format!("{release_b}by mallory\n");
    world.open_backport_of((4010, 3805, "mallory"), &[("pkg/b.go", &changed)], "Add the setting");
    let tip = world
        .git(&world.upstream, &["rev-parse", "release-3.1"])
        .trim()
        .to_string();

    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3806"]);
    run.expect_code(3).stderr_has(&format!("{NEEDS}\n"));
    assert!(!run.stderr.contains("4010"), "{}", run.stderr);
    let jobs: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(jobs[0]["prerequisites"], serde_json::json!([3805]), "{jobs}");
    assert!(jobs[0].get("prerequisites_waiting").is_none(), "{jobs}");
    assert_eq!(open_listings(&world), 1);
    assert_eq!(world.tracking_tip(), tip);
}
