//! The push to the fork. A fork on GitHub shares its objects with the
//! upstream but tells a push only of its own branches, often months behind:
//! the push must send the picked commits, not the target's history since.
//! The run lists the fork's branches (one `git ls-remote`, alongside the
//! fetch from the upstream); the push negotiates only when they do not
//! already reach the target's tip.

use crate::support::World;

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// The pick is on the fork, on top of the upstream's release-3.1.
fn assert_picked_onto_the_target(world: &World) {
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
    let target = world.git(&world.upstream, &["rev-parse", "release-3.1"]);
    let parent = world.git(&world.fork, &["rev-parse", &format!("{BRANCH}^")]);
    assert_eq!(parent, target);
}

/// A stale fork (its release-3.1 200 commits behind, its objects shared with
/// the upstream) is sent the pick, not those 200 commits (about 400 KiB
/// without negotiation): its branches were listed, they lack the target's
/// tip, and the push negotiated.
#[test]
fn a_stale_fork_sharing_the_upstreams_objects_is_sent_only_the_pick() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(200);
    world.count_pushed_bytes();
    let (run, connections) = world.run_traced(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("the push negotiates");
    let pushed = world.pushed_bytes();
    assert!(pushed < 16 * 1024, "the push sent {pushed} bytes");
    assert_eq!((connections.ls_remote, connections.negotiation), (1, 1));
    assert_picked_onto_the_target(&world);
}

/// A fork that is up to date (its release-3.1 at the upstream's) needs no
/// negotiation: the push makes no connection to its `upload-pack`, and
/// still sends only the pick. The user's checkout is not touched.
#[test]
fn an_up_to_date_fork_is_pushed_to_without_negotiating() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.count_pushed_bytes();
    world.untouched(|world| {
        let (run, connections) = world.run_traced(&["--yes", "--debug", "upstream/release-3.1", "3796"]);
        run.expect_code(0).stderr_has("the push does not negotiate");
        // Only the `ls-remote`, during the fetch.
        assert_eq!((connections.ls_remote, connections.negotiation), (1, 0));
        let pushed = world.pushed_bytes();
        assert!(pushed < 16 * 1024, "the push sent {pushed} bytes");
        assert_picked_onto_the_target(world);
    });
}

/// A fork without the release branch at all (its master does not reach the
/// target) is sent only the pick too: the push negotiated.
#[test]
fn a_fork_without_the_release_branch_is_negotiated_with() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(100);
    world.git(&world.fork, &["update-ref", "-d", "refs/heads/release-3.1"]);
    world.count_pushed_bytes();
    let (run, connections) = world.run_traced(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!((connections.ls_remote, connections.negotiation), (1, 1));
    let pushed = world.pushed_bytes();
    assert!(pushed < 16 * 1024, "the push sent {pushed} bytes");
    assert_picked_onto_the_target(&world);
}

/// When the fork's branches cannot be listed, nothing is said of it and the
/// push negotiates: a fork that turns out to be stale is still sent only the
/// pick.
#[test]
fn when_the_forks_branches_cannot_be_listed_the_push_negotiates() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(100);
    world.count_pushed_bytes();
    world.fork_cannot_be_listed();
    let (run, connections) = world.run_traced(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("cannot be reached"), "{}", run.stderr);
    assert!(!run.stderr.contains("ls-remote"), "{}", run.stderr);
    assert_eq!((connections.ls_remote, connections.negotiation), (0, 1));
    let pushed = world.pushed_bytes();
    assert!(pushed < 16 * 1024, "the push sent {pushed} bytes");
    assert_picked_onto_the_target(&world);
}

/// A dry run pushes nothing, so it does not ask the fork anything either.
#[test]
fn a_dry_run_does_not_list_the_forks_branches() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let (run, connections) = world.run_traced(&["--dry-run", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(connections.ls_remote, 0);
}

/// The user's `push.negotiate = false` is theirs to set (a workaround for a
/// server that mishandles negotiation): the tool does not override it. It
/// still lists the fork's branches, to check what the push would replace.
#[test]
fn the_users_push_negotiate_false_is_kept() {
    let world = World::new();
    world.fork_shares_upstream_objects();
    world.simple_pr(3796, "Fix", 3);
    world.release_moves_on(200);
    world.count_pushed_bytes();
    world.git(&world.clone, &["config", "push.negotiate", "false"]);
    let (run, connections) = world.run_traced(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let pushed = world.pushed_bytes();
    assert!(pushed > 128 * 1024, "the push sent only {pushed} bytes");
    assert_eq!((connections.ls_remote, connections.negotiation), (1, 0));
    assert_eq!(world.picked_subjects(BRANCH), ["Fix"]);
}

/// The user's `push.negotiate = true` is kept too: git negotiates even with
/// a fork that is up to date.
#[test]
fn the_users_push_negotiate_true_is_kept() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.git(&world.clone, &["config", "push.negotiate", "true"]);
    let (run, connections) = world.run_traced(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!((connections.ls_remote, connections.negotiation), (1, 1));
    assert_picked_onto_the_target(&world);
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
    world.release_moves_on(20);
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

/// The user's own `pre-push` hook runs, with a relative `core.hooksPath`
/// (`.githooks`, as many projects set it) too: git resolves it against the
/// top of the user's work tree, and so does the push from the tool's
/// worktree. It used to name `.githooks` in the tool's worktree, where the
/// hook is not, and the hook silently did not run (issue 23, finding 13).
#[test]
fn a_relative_hooks_path_runs_the_users_own_pre_push_hook() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let hooks = world.clone.join(".githooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let marker = world.root.path().join("pre-push-ran");
    let hook = hooks.join("pre-push");
    std::fs::write(&hook, format!("#!/bin/sh\necho \"$1\" > '{}'\n", marker.display())).unwrap();
    crate::support::set_executable(&hook);
    world.git(&world.clone, &["config", "core.hooksPath", ".githooks"]);
    // Run from a subdirectory: the path is still the work tree's.
    let run = crate::support::run_command(world.command().current_dir(world.clone.join("pkg")).args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(0);
    let said = std::fs::read_to_string(&marker).unwrap_or_default();
    assert_eq!(said.trim(), "origin", "the user's pre-push hook did not run");
    assert_picked_onto_the_target(&world);
}
