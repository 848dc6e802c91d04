//! `--json`: one JSON array on stdout with an object per job, for every way
//! a job ends, with the exit codes and stderr of a run without it.

use serde_json::{Value, json};

use crate::support::{Run, World};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// The jobs on stdout: one line, one JSON array.
#[track_caller]
fn jobs(run: &Run) -> Vec<Value> {
    assert_eq!(run.stdout.lines().count(), 1, "stdout:\n{}", run.stdout);
    match serde_json::from_str(&run.stdout) {
        Ok(Value::Array(jobs)) => jobs,
        other => panic!("not a JSON array: {other:?}\nstdout:\n{}", run.stdout),
    }
}

/// The URL of the pull request the fake opened against `base`.
fn url_for(world: &World, base: &str) -> String {
    let pull = world
        .github
        .created()
        .into_iter()
        .find(|p| p.base_ref == base)
        .unwrap_or_else(|| panic!("no PR against {base}"));
    format!("https://github.com/kubesphere/kubesphere/pull/{}", pull.number)
}

#[test]
fn json_reports_an_opened_pull_request_and_then_its_update() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("Opened PR #9000");
    let url = "https://github.com/kubesphere/kubesphere/pull/9000";
    let job = json!({
        "target": "upstream/release-3.1",
        "remote": "upstream",
        "base": "release-3.1",
        "prs": [3796],
        "picked": [3796],
        "skipped": [],
        "skipped_by_hand": [],
        "branch": BRANCH,
        "outcome": "opened",
        "url": url,
        "local_branch": null,
        "worktree": null,
        "conflicts": [],
        "prerequisites": [],
        "error": null,
    });
    assert_eq!(jobs(&run), vec![job.clone()]);

    // The same command again updates the pull request that is open.
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let mut updated = job;
    updated["outcome"] = json!("updated");
    assert_eq!(jobs(&run), vec![updated]);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn json_reports_a_dry_run_and_its_local_branch() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&["--dry-run", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("Dry run");
    let jobs = jobs(&run);
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job["outcome"], "dry-run");
    assert_eq!(job["picked"], json!([3796]));
    assert_eq!(job["url"], Value::Null);
    assert_eq!(job["worktree"], Value::Null);
    // The local branch the commits are on, which the text output prints.
    assert_eq!(job["local_branch"], BRANCH);
    assert!(world.local_branches().contains(&BRANCH.to_string()));
    assert!(world.github.writes().is_empty());
}

#[test]
fn json_reports_pull_requests_already_applied() {
    let world = World::new();
    let done = world.simple_pr(3796, "Already there", 3);
    world.simple_pr(3797, "New", 15);
    world.land_on_release(&done.head_sha);

    // One already there, one picked: opened, and the other named as skipped.
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796", "3797"]);
    run.expect_code(0);
    let job = &jobs(&run)[0];
    assert_eq!(job["outcome"], "opened");
    assert_eq!(job["prs"], json!([3796, 3797]));
    assert_eq!(job["picked"], json!([3797]));
    assert_eq!(job["skipped"], json!([3796]));
    assert_eq!(
        job["branch"],
        "automated-cherry-pick-of-#3796-#3797-upstream-release-3.1"
    );

    // Every one already there: nothing pushed, and the job still reported.
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let job = &jobs(&run)[0];
    assert_eq!(job["outcome"], "already-applied");
    assert_eq!(job["picked"], json!([]));
    assert_eq!(job["skipped"], json!([3796]));
    assert_eq!(job["url"], Value::Null);
    assert_eq!(job["error"], Value::Null);
}

#[test]
fn json_reports_a_conflict_next_to_an_opened_job_and_continue_reports_the_rest() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    let run = world.run(&[
        "--yes",
        "--json",
        "upstream/release-3.1",
        "upstream/release-3.0",
        "3796",
    ]);
    // Exit code and stderr as without --json.
    run.expect_code(3)
        .stderr_has("PR #3796 does not apply cleanly to upstream/release-3.1")
        .stderr_has("Summary:");
    let jobs = jobs(&run);
    assert_eq!(jobs.len(), 2);
    // In the order of the targets.
    let (stopped, opened) = (&jobs[0], &jobs[1]);
    assert_eq!(stopped["target"], "upstream/release-3.1");
    assert_eq!(stopped["outcome"], "conflict");
    assert_eq!(stopped["conflicts"], json!(["pkg/a.go"]));
    assert_eq!(stopped["picked"], json!([]));
    assert_eq!(stopped["url"], Value::Null);
    assert_eq!(stopped["local_branch"], BRANCH);
    let worktree = world.state_worktree();
    assert_eq!(stopped["worktree"], worktree.to_str().unwrap());
    assert_eq!(
        stopped["error"],
        "PR #3796 does not apply cleanly to upstream/release-3.1"
    );
    assert_eq!(opened["target"], "upstream/release-3.0");
    assert_eq!(opened["base"], "release-3.0");
    assert_eq!(opened["outcome"], "opened");
    assert_eq!(opened["url"], url_for(&world, "release-3.0"));
    assert_eq!(opened["conflicts"], json!([]));
    assert_eq!(opened["error"], Value::Null);

    world.resolve(&worktree);
    let run = world.run(&["--continue", "--json"]);
    run.expect_code(0);
    let jobs = self::jobs(&run);
    // Only the job it took up.
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["target"], "upstream/release-3.1");
    assert_eq!(jobs[0]["outcome"], "opened");
    assert_eq!(jobs[0]["picked"], json!([3796]));
    assert_eq!(jobs[0]["url"], url_for(&world, "release-3.1"));
    assert_eq!(jobs[0]["worktree"], Value::Null);
    assert!(world.state().is_none());
}

#[test]
fn json_reports_a_failed_push_with_the_work_kept() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.hook("pre-push", "echo 'pre-push: no' >&2\nexit 1\n");
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("pre-push: no").stderr_has("--continue");
    let job = &jobs(&run)[0];
    assert_eq!(job["outcome"], "failed");
    assert_eq!(
        job["error"],
        "the cherry-pick onto upstream/release-3.1 was not published"
    );
    assert_eq!(job["picked"], json!([3796]));
    assert_eq!(job["conflicts"], json!([]));
    assert_eq!(job["url"], Value::Null);
    assert_eq!(job["worktree"], world.state_worktree().to_str().unwrap());
    assert_eq!(job["local_branch"], BRANCH);
    assert!(world.github.writes().is_empty());
}

#[test]
fn json_reports_a_failure_that_left_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let hooks = world.root.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("post-checkout");
    std::fs::write(&hook, "#!/bin/sh\nexit 1\n").unwrap();
    crate::support::set_executable(&hook);
    world.git(&world.clone, &["config", "core.hooksPath", hooks.to_str().unwrap()]);
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("nothing was left behind");
    let job = &jobs(&run)[0];
    assert_eq!(job["outcome"], "failed");
    assert!(job["error"].as_str().is_some_and(|e| !e.is_empty()), "{job}");
    assert_eq!(job["local_branch"], Value::Null);
    assert_eq!(job["worktree"], Value::Null);
    assert!(world.tool_dirs().is_empty());
}

#[test]
fn json_reports_a_job_whose_pull_requests_were_all_skipped_by_hand() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    world.git(&world.state_worktree(), &["am", "--skip"]);
    let run = world.run(&["--continue", "--json"]);
    run.expect_code(0).stderr_has("skipped by hand");
    let job = &jobs(&run)[0];
    assert_eq!(job["outcome"], "skipped-by-hand");
    assert_eq!(job["skipped_by_hand"], json!([3796]));
    assert_eq!(job["picked"], json!([]));
    assert_eq!(job["skipped"], json!([]));
    assert!(world.github.writes().is_empty());
}

#[test]
fn json_is_a_usage_error_with_status_and_abort() {
    let world = World::new();
    for action in ["--status", "--abort"] {
        let run = world.run(&["--json", action]);
        run.expect_code(2).stderr_has("cannot be used with");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

#[test]
fn json_prints_nothing_when_the_run_fails_before_any_job() {
    let world = World::new();
    world.pr(3796, "Not merged", "", &[("Fix", &[("pkg/a.go", "x\n")])], false);
    let run = world.run(&["--yes", "--json", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("not merged");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
