//! Writes to GitHub under its secondary rate limits: one at a time, content
//! paced, and a secondary limit waited out as GitHub asks. One of GitHub's
//! seconds lasts `SECOND_MS` here, for the tool and the fake alike.

use std::time::Duration;

use serde_json::json;

use crate::support::fake_github::SECONDARY_LIMIT;
use crate::support::{Run, World, run_command};

const SECOND_MS: u64 = 40;

fn run(world: &World, args: &[&str]) -> Run {
    run_command(
        world
            .command()
            .env("CHERRY_PICK_PR_SECOND_MS", SECOND_MS.to_string())
            .args(args),
    )
}

#[test]
fn many_pull_requests_and_comments_meet_no_secondary_limit_and_each_opens_once() {
    let world = World::new();
    world.release_branch("release-3.0");
    for (number, line) in [(3796, 1), (3797, 5), (3798, 9), (3799, 13)] {
        world.simple_pr(number, &format!("Fix {number}"), line);
        world.label(number, "cherrypick/release-3.1");
        world.label(number, "cherrypick/release-3.0");
    }
    world.github.secondary_limits(Duration::from_millis(SECOND_MS));
    let run = run(
        &world,
        &[
            "--from-labels",
            "--yes",
            "--comment-source",
            "upstream/release-3.1",
            "upstream/release-3.0",
        ],
    );
    run.expect_code(0).stderr_has("→ Pacing writes for GitHub's limits: ");
    assert_eq!(world.github.secondary_hits(), 0);
    let mut heads: Vec<String> = world.github.created().into_iter().map(|p| p.head_ref).collect();
    assert_eq!(heads.len(), 8, "{heads:?}");
    heads.sort();
    heads.dedup();
    assert_eq!(heads.len(), 8, "each opened once: {heads:?}");
    assert_eq!(world.github.state.lock().unwrap().comments.len(), 8);
}

#[test]
fn a_secondary_limit_with_retry_after_is_waited_out_and_the_pull_request_opened_once() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.fault_times(
        "POST",
        "/kubesphere/pulls",
        403,
        json!({"message": SECONDARY_LIMIT}),
        &[("retry-after", "2")],
        1,
    );
    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has(&format!(
            "secondary rate limit on try 1: waiting {} ms (retry-after: 2)",
            2 * SECOND_MS
        ))
        .stderr_has("GitHub's secondary rate limit was reached while opening a pull request");
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn a_secondary_limit_that_names_no_time_waits_at_least_a_minute() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.fault_times(
        "POST",
        "/kubesphere/pulls",
        403,
        json!({"message": SECONDARY_LIMIT}),
        &[],
        1,
    );
    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has(&format!(
        "secondary rate limit on try 1: waiting {} ms (no retry-after and no reset: GitHub asks for at least a minute)",
        60 * SECOND_MS
    ));
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn one_pull_request_with_its_labels_pays_no_pacing() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.secondary_limits(Duration::from_millis(SECOND_MS));
    let run = run(&world, &["--yes", "--comment-source", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("Pacing"), "{}", run.stderr);
    assert_eq!(world.github.secondary_hits(), 0);
}
