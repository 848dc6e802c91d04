//! The push to the fork. A fork on GitHub shares its objects with the
//! upstream but tells a push only of its own branches, often months behind:
//! the push must send the picked commits, not the target's history since.

use crate::support::World;

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// A stale fork (its release-3.1 200 commits behind, its objects shared with
/// the upstream) is sent the pick, not those 200 commits (about 400 KiB
/// without negotiation).
#[test]
fn a_stale_fork_sharing_the_upstreams_objects_is_sent_only_the_pick() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(200);
    world.count_pushed_bytes();
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let pushed = world.pushed_bytes();
    assert!(pushed < 16 * 1024, "the push sent {pushed} bytes");
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
    let target = world.git(&world.upstream, &["rev-parse", "release-3.1"]);
    let parent = world.git(&world.fork, &["rev-parse", &format!("{BRANCH}^")]);
    assert_eq!(parent, target);
}

/// The user's `push.negotiate = false` is theirs to set (a workaround for a
/// server that mishandles negotiation): the tool does not override it.
#[test]
fn the_users_push_negotiate_false_is_kept() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(200);
    world.count_pushed_bytes();
    world.git(&world.clone, &["config", "push.negotiate", "false"]);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let pushed = world.pushed_bytes();
    assert!(pushed > 128 * 1024, "the push sent only {pushed} bytes");
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
}

/// A server that cannot negotiate (git's negotiation needs protocol v2; here
/// the user's git speaks v0) still gets a correct push, and the user sees no
/// warning about it.
#[test]
fn a_fork_that_cannot_negotiate_gets_the_push_without_a_warning() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(20);
    world.git(&world.clone, &["config", "protocol.version", "0"]);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let said = format!("{}{}", run.stdout, run.stderr).to_lowercase();
    assert!(!said.contains("warning") && !said.contains("negotiat"), "{said}");
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
}

/// When such a push fails for another reason, the error gives that reason,
/// not git's note that negotiation failed.
#[test]
fn a_failed_push_without_negotiation_says_why_it_failed() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.git(&world.clone, &["config", "protocol.version", "0"]);
    let hook = world.fork.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'refused by the fork' >&2\nexit 1\n").unwrap();
    crate::support::set_executable(&hook);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("refused by the fork");
    for noise in ["negotiation failed", "--negotiate-only", "hung up"] {
        assert!(!run.stderr.contains(noise), "{}", run.stderr);
    }
}
