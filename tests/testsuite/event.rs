//! `--from-event`: the tool as a GitHub Actions step, in a checkout of the
//! repository itself (`origin` is the upstream), driven by event payloads
//! written as GitHub writes them.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{Run, World, path, run_command};

mod backported;
mod payload;

use payload::{comment_event, pull_request_event, push_event};

/// A workflow run's checkout and files.
struct Workflow {
    checkout: PathBuf,
    output: PathBuf,
    summary: PathBuf,
}

impl World {
    /// A checkout as `actions/checkout` makes it: a clone of the upstream.
    fn workflow(&self) -> Workflow {
        let dir = self.root.path().join("runner");
        let checkout = dir.join("work");
        self.git(
            self.root.path(),
            &["clone", "--quiet", path(&self.upstream), path(&checkout)],
        );
        Workflow {
            checkout,
            output: dir.join("output"),
            summary: dir.join("summary"),
        }
    }

    /// Runs `--from-event` on the event `name` with payload `payload`.
    fn on_event(&self, workflow: &Workflow, name: &str, payload: &Value) -> Run {
        self.on_event_with(workflow, name, payload, &[])
    }

    /// `on_event` with more arguments, as the action's inputs give them.
    fn on_event_with(&self, workflow: &Workflow, name: &str, payload: &Value, args: &[&str]) -> Run {
        let event = workflow
            .output
            .with_file_name(format!("event-{}.json", fastrand_name()));
        std::fs::write(&event, serde_json::to_vec(payload).unwrap()).unwrap();
        dump(name, payload);
        let mut cmd = self.command();
        cmd.current_dir(&workflow.checkout)
            .arg("--from-event")
            .args(args)
            .env("GITHUB_EVENT_NAME", name)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "kubesphere/kubesphere")
            .env("GITHUB_OUTPUT", &workflow.output)
            .env("GITHUB_STEP_SUMMARY", &workflow.summary)
            // Retries (of a 502) take milliseconds.
            .env("CHERRY_PICK_PR_BACKOFF_MS", "20");
        run_command(&mut cmd)
    }

    /// Makes the upstream run `script` as its pre-receive hook.
    fn pre_receive(&self, script: &str) {
        let hook = self.upstream.join("hooks/pre-receive");
        std::fs::write(&hook, script).unwrap();
        crate::support::set_executable(&hook);
    }

    /// The comments on `number`.
    fn comments_on(&self, number: u64) -> Vec<String> {
        let state = self.github.state.lock().unwrap();
        state
            .comments
            .iter()
            .filter(|(n, _)| *n == number)
            .map(|(_, text)| text.clone())
            .collect()
    }
}

/// Keeps the payload of event `name` in the folder `CPP_DUMP_EVENTS` names,
/// when set, with the test that fed it: `.ci/webhooks/` holds each one to
/// GitHub's published webhook schemas.
fn dump(name: &str, payload: &Value) {
    let Some(dir) = std::env::var_os("CPP_DUMP_EVENTS").filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("the folder for event payloads");
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let file = dir.join(format!("{}-{}.json", std::process::id(), fastrand_name()));
    let dumped = json!({"test": test, "event": name, "payload": payload});
    std::fs::write(file, serde_json::to_vec_pretty(&dumped).unwrap()).expect("an event payload kept");
}

/// A name for an event file that no other event of the test has.
fn fastrand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// The `urls` output: the lines between `urls<<DELIMITER` and the
/// delimiter's own line.
fn output_urls(output: &str) -> Vec<String> {
    let delimiter = output.lines().find_map(|l| l.strip_prefix("urls<<")).expect("urls<<");
    output
        .lines()
        .skip_while(|l| !l.starts_with("urls<<"))
        .skip(1)
        .take_while(|l| *l != delimiter)
        .map(str::to_string)
        .collect()
}

/// The `jobs` output, parsed.
fn output_jobs(output: &str) -> Value {
    let line = output.lines().find_map(|l| l.strip_prefix("jobs=")).expect("jobs=");
    serde_json::from_str(line).unwrap()
}

/// The branches of the upstream repository.
fn upstream_branches(world: &World) -> Vec<String> {
    world.branches(&world.upstream)
}

fn branch(number: u64, target: &str) -> String {
    format!("automated-cherry-pick-of-#{number}-origin-{target}")
}

#[test]
fn a_merge_with_two_labels_opens_two_pull_requests_and_says_so_once() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.simple_pr(3796, "Fix the widget", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.label(3796, "cherrypick/release-3.0");
    let workflow = world.workflow();
    let event = pull_request_event(
        "closed",
        3796,
        true,
        &["kind/bug", "cherrypick/release-3.1", "cherrypick/release-3.0"],
        None,
    );
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0);
    // Pushed to the repository itself, with the usual names.
    let branches = upstream_branches(&world);
    assert!(branches.contains(&branch(3796, "release-3.1")), "{branches:?}");
    assert!(branches.contains(&branch(3796, "release-3.0")), "{branches:?}");
    let created = world.github.created();
    let mut pulls: Vec<(String, String, String)> = created
        .iter()
        .map(|p| (p.base_ref.clone(), p.head_ref.clone(), p.author.clone()))
        .collect();
    pulls.sort();
    assert_eq!(
        pulls,
        [
            ("release-3.0".into(), branch(3796, "release-3.0"), "kubesphere".into()),
            ("release-3.1".into(), branch(3796, "release-3.1"), "kubesphere".into()),
        ]
    );
    // One comment on the source, linking both.
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1, "{comments:?}");
    let number_of = |base: &str| created.iter().find(|p| p.base_ref == base).unwrap().number;
    assert!(
        comments[0].contains(&format!("| `release-3.1` | #{} |", number_of("release-3.1"))),
        "{}",
        comments[0]
    );
    assert!(
        comments[0].contains(&format!("| `release-3.0` | #{} |", number_of("release-3.0"))),
        "{}",
        comments[0]
    );
    // The outputs: the URLs and the jobs.
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    let urls = output_urls(&output);
    assert_eq!(urls.len(), 2, "{output}");
    let jobs_line = output.lines().find_map(|l| l.strip_prefix("jobs=")).expect("jobs=");
    let jobs: Value = serde_json::from_str(jobs_line).unwrap();
    assert_eq!(jobs.as_array().map(Vec::len), Some(2));
    assert_eq!(jobs[0]["outcome"], "opened");
    let summary = std::fs::read_to_string(&workflow.summary).unwrap();
    assert!(summary.starts_with("### Cherry picks of #3796\n"), "{summary}");
    // The checkout is left as it was.
    assert_eq!(
        world.git(&workflow.checkout, &["branch", "--format=%(refname:short)"]),
        "master\n"
    );
}

#[test]
fn a_conflict_leaves_no_branch_and_says_how_to_do_it_by_hand() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3800, "Fix the gadget", 3);
    world.label(3800, "cherrypick/release-3.1");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3800, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(3).stderr_eq(r#"
→ Fetching release-3.1 and #3800 from origin
→ Applying #3800 to origin/release-3.1: Fix the gadget
→ Aborted the cherry-pick onto origin/release-3.1: removed [ROOT]/runner/work/.git/cherry-pick-pr/3800-origin-release-3.1-[..] and branch automated-cherry-pick-of-#3800-origin-release-3.1
→ Commented the results on PR #3800
error: PR #3800 could not be picked onto release-3.1 (PR #3800 does not apply cleanly to origin/release-3.1): nothing was left behind
  caused by: PR #3800 does not apply cleanly to origin/release-3.1
    conflicting files:
        pkg/a.go
    the work is in [ROOT]/runner/work/.git/cherry-pick-pr/3800-origin-release-3.1-[..] (branch automated-cherry-pick-of-#3800-origin-release-3.1)
hint: do it by hand: git cherry-pick-pr upstream/release-3.1 3800
"#);
    assert!(world.github.created().is_empty());
    assert!(!upstream_branches(&world).contains(&branch(3800, "release-3.1")));
    assert_eq!(
        world.git(&workflow.checkout, &["branch", "--format=%(refname:short)"]),
        "master\n"
    );
    assert_eq!(
        world.git(&workflow.checkout, &["worktree", "list"]).lines().count(),
        1,
        "no worktree is left"
    );
    assert!(!workflow.checkout.join(".git/cherry-pick-pr/state.json").exists());
    let comments = world.comments_on(3800);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("conflicts in `pkg/a.go`; nothing was left behind. Do it by hand: `git cherry-pick-pr upstream/release-3.1 3800`"),
        "{}",
        comments[0]
    );
    let jobs = std::fs::read_to_string(&workflow.output).unwrap();
    assert!(jobs.contains("\"outcome\":\"conflict\""), "{jobs}");
}

#[test]
fn a_label_added_after_the_merge_backports_to_that_branch() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.label(3796, "cherrypick/release-3.0");
    let workflow = world.workflow();
    let event = pull_request_event(
        "labeled",
        3796,
        true,
        &["cherrypick/release-3.1", "cherrypick/release-3.0"],
        Some("cherrypick/release-3.0"),
    );
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    let bases: Vec<String> = world.github.created().into_iter().map(|p| p.base_ref).collect();
    assert_eq!(bases, ["release-3.0"]);
}

#[test]
fn cherrypick_on_a_merged_pull_request_backports_now() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let event = comment_event(3796, "LGTM\n/cherrypick release-3.1\n", "MEMBER", true);
    world.on_event(&workflow, "issue_comment", &event).expect_code(0);
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].base_ref, "release-3.1");
    assert_eq!(world.comments_on(3796).len(), 1);
}

#[test]
fn cherrypick_on_an_open_pull_request_labels_it_for_the_merge() {
    let world = World::new();
    world.pr(3801, "Not merged yet", "", &[("Change", &[("pkg/c.go", "c\n")])], false);
    let workflow = world.workflow();
    let event = comment_event(3801, "/cherrypick release-3.1", "COLLABORATOR", false);
    world.on_event(&workflow, "issue_comment", &event).expect_code(0);
    assert!(world.github.created().is_empty());
    let labels = world.github.state.lock().unwrap().pulls[&3801].labels.clone();
    assert!(labels.contains(&"cherrypick/release-3.1".to_string()), "{labels:?}");
    let comments = world.comments_on(3801);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("it will be cherry picked when merged"),
        "{}",
        comments[0]
    );
    assert_eq!(upstream_branches(&world), ["master", "release-3.1"]);
}

#[test]
fn cherrypick_from_an_outsider_is_ignored() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let event = comment_event(3796, "/cherrypick release-3.1", "CONTRIBUTOR", true);
    let run = world.on_event(&workflow, "issue_comment", &event);
    run.expect_code(0).stderr_eq(
        r#"
Nothing to do: @maintainer (CONTRIBUTOR) may not ask for cherry picks; only OWNER, MEMBER, COLLABORATOR may.
"#,
    );
    assert!(world.github.requests().is_empty());
    // The list is configurable.
    world.git(
        &workflow.checkout,
        &["config", "cherry-pick-pr.allowedAssociations", "OWNER,CONTRIBUTOR"],
    );
    world.on_event(&workflow, "issue_comment", &event).expect_code(0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn the_actions_pick_auto_backports_a_squash_merged_pull_request_as_its_squash() {
    let world = World::new();
    world.conflict_on_release(10);
    let base = crate::support::numbered("a", 20);
    world.pr_landed(
        3796,
        "Fix the widget",
        &[
            ("wip", &[("pkg/a.go", &base.replace("a 10\n", "a 10 wip\n"))]),
            ("undo the wip", &[("pkg/a.go", &base)]),
            ("Fix the widget", &[("pkg/a.go", &base.replace("a 3\n", "a 3 fixed\n"))]),
        ],
        crate::support::Landed::Squash,
    );
    let workflow = world.workflow();
    let event = comment_event(3796, "/cherrypick release-3.1", "OWNER", true);
    // As action.yml runs it, with its `pick` input's default.
    let run = world.on_event_with(&workflow, "issue_comment", &event, &["--pick", "auto"]);
    run.expect_code(0);
    let subjects = world.git(
        &world.upstream,
        &[
            "log",
            "--format=%s",
            "release-3.1..automated-cherry-pick-of-#3796-origin-release-3.1",
        ],
    );
    assert_eq!(subjects.trim(), "Fix the widget (#3796)");
    // The action passes its `pick` input, `auto` unless set.
    let action = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    assert!(action.contains("--pick \"$PICK\""), "{action}");
    let input = action.split("\n  pick:\n").nth(1).unwrap_or_default();
    assert!(
        input.lines().nth(1).is_some_and(|l| l.trim() == "default: auto"),
        "{action}"
    );
}

#[test]
fn an_unknown_branch_is_named_in_the_comment() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let event = comment_event(3796, "/cherrypick release-9.9\n/cherrypick release-3.1", "OWNER", true);
    let run = world.on_event(&workflow, "issue_comment", &event);
    run.expect_code(1).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 from origin
→ Applying #3796 to origin/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-origin-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for origin/release-3.1 (picks #3796)
→ Commented the results on PR #3796
error: there is no branch `release-9.9` in kubesphere/kubesphere
Summary:
  origin/release-3.1       #3796        opened           https://github.com/kubesphere/kubesphere/pull/9000
  origin/release-9.9       #3796        failed           there is no branch `release-9.9` in kubesphere/kubesphere
error: not every target is done
"#,
    );
    assert_eq!(world.github.created().len(), 1);
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("| `release-9.9` | ❌ there is no branch `release-9.9` in kubesphere/kubesphere |"),
        "{}",
        comments[0]
    );
    let order: Vec<&str> = comments[0].lines().filter(|l| l.starts_with("| `")).collect();
    assert!(
        order[0].contains("release-9.9") && order[1].contains("release-3.1"),
        "{order:?}"
    );
}

#[test]
fn an_event_that_is_not_for_us_does_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    for (name, event) in [
        ("pull_request", pull_request_event("opened", 3796, false, &[], None)),
        (
            "pull_request_target",
            pull_request_event("closed", 3796, true, &["kind/bug"], None),
        ),
        ("push", push_event()),
        ("issue_comment", comment_event(3796, "Thanks!", "OWNER", true)),
    ] {
        let run = world.on_event(&workflow, name, &event);
        run.expect_code(0).stderr_has("Nothing to do");
        assert_eq!(run.stdout, "");
    }
    assert!(world.github.requests().is_empty());
    assert!(!workflow.output.exists());
}

#[test]
fn a_redelivered_event_opens_nothing_twice_and_comments_once() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0).stderr_eq(
        r#"
PR #3796 already has a cherry pick onto release-3.1: #9000
PR #3796 has this comment already: not commenting again
"#,
    );
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(world.comments_on(3796).len(), 1);
}

#[test]
fn from_event_outside_a_workflow_is_a_usage_error() {
    let world = World::new();
    let run = world.run(&["--from-event"]);
    run.expect_code(2).stderr_eq(
        r#"
error: --from-event reads the GitHub Actions event, but GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set
hint: run it as a step of a GitHub Actions workflow; see "Automatic backports" in the README
"#,
    );
    let run = world.run(&["--from-event", "upstream/release-3.1", "3796"]);
    run.expect_code(2).stderr_eq(
        r#"
error: --from-event takes no targets and no pull requests: the event names them
hint: run it in a GitHub Actions workflow; see "Automatic backports" in the README
"#,
    );
}

#[test]
fn outside_a_workflow_the_fork_may_still_not_be_the_upstream() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let mut cmd = world.command();
    cmd.current_dir(&workflow.checkout).args([
        "--yes",
        "--upstream",
        "origin",
        "--repo",
        "kubesphere/kubesphere",
        "origin/release-3.1",
        "3796",
    ]);
    let run = run_command(&mut cmd);
    run.expect_code(1).stderr_eq(r#"
error: the fork remote `origin` ([ROOT]/remotes/kubesphere/kubesphere.git) is the upstream repository kubesphere/kubesphere; refusing to push a cherry-pick branch there
hint: add your fork as a remote (git remote add fork git@github.com:YOU/kubesphere.git) and pass --fork fork
"#);
}

#[test]
fn a_comment_whose_event_does_not_say_whether_merged_asks_github() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.pr(3801, "Not merged yet", "", &[("Change", &[("pkg/c.go", "c\n")])], false);
    let workflow = world.workflow();
    for number in [3796, 3801] {
        let mut event = comment_event(number, "/cherrypick release-3.1", "OWNER", false);
        event["issue"]["pull_request"]
            .as_object_mut()
            .unwrap()
            .remove("merged_at");
        world.on_event(&workflow, "issue_comment", &event).expect_code(0);
    }
    let bases: Vec<String> = world.github.created().into_iter().map(|p| p.base_ref).collect();
    assert_eq!(bases, ["release-3.1"]);
    let labels = world.github.state.lock().unwrap().pulls[&3801].labels.clone();
    assert!(labels.contains(&"cherrypick/release-3.1".to_string()), "{labels:?}");
}

#[test]
fn a_refused_push_leaves_nothing_and_says_why_on_the_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.pre_receive("#!/bin/sh\necho 'branch protection: no new branches' >&2\nexit 1\n");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from origin
→ Applying #3796 to origin/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-origin-release-3.1 to origin
→ Aborted the cherry-pick onto origin/release-3.1: removed [ROOT]/runner/work/.git/cherry-pick-pr/3796-origin-release-3.1-[..] and branch automated-cherry-pick-of-#3796-origin-release-3.1
→ Commented the results on PR #3796
error: PR #3796 could not be picked onto release-3.1 (the cherry-pick onto origin/release-3.1 was not published: pushing automated-cherry-pick-of-#3796-origin-release-3.1 to the `origin` remote failed): nothing was left behind
  caused by: `git push --porcelain --quiet --force-with-lease=refs/heads/automated-cherry-pick-of-#3796-origin-release-3.1: origin refs/heads/automated-cherry-pick-of-#3796-origin-release-3.1:refs/heads/automated-cherry-pick-of-#3796-origin-release-3.1` exited with status 1:
    remote: branch protection: no new branches        
    error: failed to push some refs to '[ROOT]/remotes/kubesphere/kubesphere.git'
    !	refs/heads/automated-cherry-pick-of-#3796-origin-release-3.1:refs/heads/automated-cherry-pick-of-#3796-origin-release-3.1	[remote rejected] (pre-receive hook declined)
hint: do it by hand: git cherry-pick-pr upstream/release-3.1 3796
"#);
    assert!(world.github.created().is_empty());
    assert_eq!(
        world.git(&workflow.checkout, &["branch", "--format=%(refname:short)"]),
        "master\n"
    );
    assert!(!workflow.checkout.join(".git/cherry-pick-pr/state.json").exists());
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    let line = comments[0]
        .lines()
        .find(|l| l.starts_with("| `release-3.1`"))
        .unwrap()
        .to_string();
    assert!(line.starts_with("| `release-3.1` | ❌ "), "{line}");
    assert!(line.contains("was not published: pushing"), "{line}");
    assert!(
        comments[0].contains("<details><summary>What stopped <code>release-3.1</code></summary>"),
        "{}",
        comments[0]
    );
    assert!(comments[0].contains("(pre-receive hook declined)"), "{}", comments[0]);
    assert!(!run.stderr.contains("--continue"), "{}", run.stderr);
    assert!(
        line.ends_with("Do it by hand: `git cherry-pick-pr upstream/release-3.1 3796` |"),
        "{line}"
    );
}

#[test]
fn the_earlier_comment_is_found_on_a_later_page() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    let workflow = world.workflow();
    {
        let mut state = world.github.state.lock().unwrap();
        state.comments.push((3796, "LGTM".into()));
        state.comments.push((3796, "Thanks!".into()));
        state.page_size = Some(1);
    }
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    assert_eq!(
        world.comments_on(3796).len(),
        3,
        "two earlier comments and one of the tool's"
    );
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn the_comment_keeps_the_order_the_branches_were_asked_in() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let event = comment_event(3796, "/cherrypick release-3.1\n/cherrypick release-9.9", "OWNER", true);
    world.on_event(&workflow, "issue_comment", &event).expect_code(1);
    let comments = world.comments_on(3796);
    let order: Vec<&str> = comments[0].lines().filter(|l| l.starts_with("| `")).collect();
    assert!(
        order[0].contains("release-3.1") && order[1].contains("release-9.9"),
        "{order:?}"
    );
}

#[test]
fn a_run_that_fails_before_any_job_still_says_so_on_the_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.fault(
        "GET",
        "/pulls/3796",
        403,
        json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest", "status": "403"}),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from origin
→ Commented the results on PR #3796
error: GitHub did not allow fetching PR #3796 from kubesphere/kubesphere (403): the token from GITHUB_TOKEN lacks a permission
  caused by: fetching PR #3796 from kubesphere/kubesphere: GitHub answered 403 Forbidden: Resource not accessible by integration
hint: a fine-grained token needs Contents: read and Pull requests: read and write on the repository (labels also need Issues or Pull requests: write); a classic token needs the repo scope (public_repo for public repositories)
"#);
    assert!(world.github.created().is_empty());
    assert!(!upstream_branches(&world).iter().any(|b| b.starts_with("automated-")));
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("| `release-3.1` | ❌ "), "{}", comments[0]);
    assert!(
        comments[0].contains("Resource not accessible by integration"),
        "{}",
        comments[0]
    );
    assert_eq!(
        world.git(&workflow.checkout, &["branch", "--format=%(refname:short)"]),
        "master\n"
    );
}

#[test]
fn an_outsiders_claim_neither_stops_the_backport_nor_is_named_on_the_source() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    // Before the merge, an outsider opens a pull request against
    // release-3.1 named and worded like the tool's, with other commits.
    let base = world.git(&world.work, &["rev-parse", "release-3.1"]).trim().to_string();
    world.git(&world.work, &["checkout", "--quiet", "--detach", &base]);
    let head = world.commit_files(&[("pkg/evil.go", "evil\n")], "Not the fix");
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{head}:refs/pull/4010/head")],
    );
    world.github.add_pull(crate::support::FakePull {
        number: 4010,
        title: "Automated cherry pick of #3796: Fix".into(),
        body: "Cherry pick of #3796 on release-3.1.\n".into(),
        merged: false,
        author: "mallory".into(),
        head_ref: branch(3796, "release-3.1"),
        head_sha: head,
        base_ref: "release-3.1".into(),
        base_sha: base,
        labels: Vec::new(),
        patch: Vec::new(),
        state: "open".into(),
    });
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0)
        .stderr_has("#4010 says it cherry picks #3796 onto release-3.1, but its commits differ");
    let created = world.github.created();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        run.stdout.trim(),
        format!("https://github.com/kubesphere/kubesphere/pull/{}", created[0].number)
    );
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(!comments[0].contains("4010"), "{}", comments[0]);
    assert!(
        comments[0].contains(&format!("#{}", created[0].number)),
        "{}",
        comments[0]
    );
}

/// GitHub (or a proxy) echoes the token in an error message: the public
/// comment, the step's outputs and stderr name the error, never the token.
#[test]
fn a_token_echoed_in_an_error_is_never_posted_or_shown() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.fault(
        "GET",
        "/pulls/3796",
        403,
        json!({"message": format!("Token {} may not read this", crate::support::TOKEN), "status": "403"}),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from origin
→ Commented the results on PR #3796
error: GitHub did not allow fetching PR #3796 from kubesphere/kubesphere (403): the token from GITHUB_TOKEN lacks a permission
  caused by: fetching PR #3796 from kubesphere/kubesphere: GitHub answered 403 Forbidden: Token *** may not read this
hint: a fine-grained token needs Contents: read and Pull requests: read and write on the repository (labels also need Issues or Pull requests: write); a classic token needs the repo scope (public_repo for public repositories)
"#);
    let token = crate::support::TOKEN;
    assert!(!run.stderr.contains(token), "{}", run.stderr);
    assert!(!run.stdout.contains(token), "{}", run.stdout);
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("Token *** may not read this"), "{}", comments[0]);
    assert!(!comments[0].contains(token), "{}", comments[0]);
    for file in [&workflow.output, &workflow.summary] {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        assert!(!text.contains(token), "{}: {text}", file.display());
    }
}

/// GitHub's answer when the repository does not let workflows open pull
/// requests (the default).
fn actions_may_not_open_pull_requests() -> Value {
    json!({"message": "GitHub Actions is not permitted to create or approve pull requests.", "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", "status": "403"})
}

/// A pull request GitHub refuses to open leaves no
/// branch, and nobody is told that nothing was left when something was.
#[test]
fn a_pull_request_github_refuses_to_open_leaves_no_branch_and_names_the_setting() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.fault(
        "POST",
        "/repos/kubesphere/kubesphere/pulls",
        403,
        actions_may_not_open_pull_requests(),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from origin
→ Applying #3796 to origin/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-origin-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Deleted the branch automated-cherry-pick-of-#3796-origin-release-3.1 from origin: no pull request was opened for it
→ Aborted the cherry-pick onto origin/release-3.1: removed [ROOT]/runner/work/.git/cherry-pick-pr/3796-origin-release-3.1-[..] and branch automated-cherry-pick-of-#3796-origin-release-3.1
→ Commented the results on PR #3796
error: PR #3796 could not be picked onto release-3.1 (the cherry-pick onto origin/release-3.1 was not published: GitHub did not allow opening a pull request from kubesphere:automated-cherry-pick-of-#3796-origin-release-3.1 into kubesphere/kubesphere release-3.1 (403): the repository does not let GitHub Actions open pull requests): nothing was left behind
  caused by: opening a pull request from kubesphere:automated-cherry-pick-of-#3796-origin-release-3.1 into kubesphere/kubesphere release-3.1: GitHub answered 403 Forbidden: GitHub Actions is not permitted to create or approve pull requests.
hint: a repository admin can let workflows open pull requests: Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"
hint: do it by hand: git cherry-pick-pr upstream/release-3.1 3796
"#);
    assert!(world.github.created().is_empty());
    assert!(
        !upstream_branches(&world).contains(&branch(3796, "release-3.1")),
        "{:?}",
        upstream_branches(&world)
    );
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("Settings → Actions → General → Workflow permissions → \"Allow GitHub Actions to create and approve pull requests\""),
        "{}",
        comments[0]
    );
    assert!(comments[0].contains("Its branch was deleted"), "{}", comments[0]);
    // The outputs name nothing that is gone.
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    let jobs = output_jobs(&output);
    assert_eq!(jobs[0]["outcome"], "failed", "{output}");
    assert_eq!(jobs[0]["worktree"], Value::Null, "{output}");
    assert_eq!(jobs[0]["local_branch"], Value::Null, "{output}");
    assert!(output_urls(&output).is_empty(), "{output}");
    assert_eq!(
        world.git(&workflow.checkout, &["worktree", "list"]).lines().count(),
        1,
        "no worktree is left"
    );
    assert_eq!(
        world.git(&workflow.checkout, &["branch", "--format=%(refname:short)"]),
        "master\n"
    );
}

/// A 422 that is not "it exists already" leaves no
/// branch either.
#[test]
fn a_pull_request_refused_as_invalid_leaves_no_branch() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.fault(
        "POST",
        "/repos/kubesphere/kubesphere/pulls",
        422,
        json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": "base", "code": "invalid"}], "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", "status": "422"}),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from origin
→ Applying #3796 to origin/release-3.1: Fix
→ Pushing automated-cherry-pick-of-#3796-origin-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Deleted the branch automated-cherry-pick-of-#3796-origin-release-3.1 from origin: no pull request was opened for it
→ Aborted the cherry-pick onto origin/release-3.1: removed [ROOT]/runner/work/.git/cherry-pick-pr/3796-origin-release-3.1-[..] and branch automated-cherry-pick-of-#3796-origin-release-3.1
→ Commented the results on PR #3796
error: PR #3796 could not be picked onto release-3.1 (the cherry-pick onto origin/release-3.1 was not published: GitHub rejected opening a pull request from kubesphere:automated-cherry-pick-of-#3796-origin-release-3.1 into kubesphere/kubesphere release-3.1 (422)): nothing was left behind
  caused by: opening a pull request from kubesphere:automated-cherry-pick-of-#3796-origin-release-3.1 into kubesphere/kubesphere release-3.1: GitHub answered 422 Unprocessable Entity: Validation Failed
    PullRequest base is invalid
hint: do it by hand: git cherry-pick-pr upstream/release-3.1 3796
"#);
    assert!(!upstream_branches(&world).contains(&branch(3796, "release-3.1")));
    let comments = world.comments_on(3796);
    assert!(comments[0].contains("Its branch was deleted"), "{}", comments[0]);
    assert!(!comments[0].contains("Allow GitHub Actions"), "{}", comments[0]);
}

/// When the branch cannot be deleted, it is named as
/// left, and nothing says that nothing was.
#[test]
fn a_branch_that_cannot_be_deleted_is_named_as_left() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.github.fault(
        "POST",
        "/repos/kubesphere/kubesphere/pulls",
        403,
        actions_may_not_open_pull_requests(),
    );
    // The repository takes new branches, but refuses to delete any.
    world.pre_receive("#!/bin/sh\nwhile read old new ref; do\n  case $new in 0000000000000000000000000000000000000000) echo 'branch protection: no deletions' >&2; exit 1;; esac\ndone\n");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    let name = branch(3796, "release-3.1");
    run.expect_code(1)
        .stderr_has(&format!("the branch {name} pushed to origin is left there"))
        .stderr_has("branch protection: no deletions")
        .stderr_has(&format!("git push origin --delete '{name}'"));
    assert!(!run.stderr.contains("nothing was left behind"), "{}", run.stderr);
    assert!(upstream_branches(&world).contains(&name));
    let comments = world.comments_on(3796);
    assert!(
        comments[0].contains(&format!("Its branch `{name}` is left in this repository")),
        "{}",
        comments[0]
    );
    assert!(!comments[0].contains("nothing was left behind"), "{}", comments[0]);
}

/// A conflict's jobs output names no worktree or local
/// branch, as both were removed.
#[test]
fn a_conflict_names_no_removed_worktree_in_the_outputs() {
    let world = World::new();
    world.conflict_on_release(3);
    world.simple_pr(3800, "Fix the gadget", 3);
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3800, true, &["cherrypick/release-3.1"], None);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(3);
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    let jobs = output_jobs(&output);
    assert_eq!(jobs[0]["outcome"], "conflict", "{output}");
    assert_eq!(jobs[0]["worktree"], Value::Null, "{output}");
    assert_eq!(jobs[0]["local_branch"], Value::Null, "{output}");
    assert_eq!(jobs[0]["conflicts"], json!(["pkg/a.go"]), "{output}");
}

/// A comment GitHub refuses does not lose the outputs.
#[test]
fn a_refused_comment_still_writes_every_output_then_fails() {
    for (method, status) in [("POST", 403), ("GET", 502)] {
        let world = World::new();
        world.simple_pr(3796, "Fix", 3);
        world.label(3796, "cherrypick/release-3.1");
        world.github.fault(
            method,
            "/issues/3796/comments",
            status,
            json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest", "status": status.to_string()}),
        );
        let workflow = world.workflow();
        let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
        let run = world.on_event(&workflow, "pull_request_target", &event);
        run.expect_code(1)
            .stderr_has(&format!("GitHub answered {status}"))
            .stderr_has("the results were not commented on PR #3796");
        assert_eq!(world.github.created().len(), 1);
        assert_eq!(
            run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n",
            "{method} {status}"
        );
        let output = std::fs::read_to_string(&workflow.output).unwrap();
        assert_eq!(
            output_urls(&output),
            ["https://github.com/kubesphere/kubesphere/pull/9000"],
            "{output}"
        );
        assert_eq!(output_jobs(&output)[0]["outcome"], "opened", "{output}");
        let summary = std::fs::read_to_string(&workflow.summary).unwrap();
        assert!(summary.contains("| `release-3.1` | #9000 |"), "{summary}");
        assert!(world.comments_on(3796).is_empty());
    }
}

/// The `$GITHUB_OUTPUT` delimiter is not a fixed word
/// that a value could hold.
#[test]
fn the_output_delimiter_is_random() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    world.on_event(&workflow, "pull_request_target", &event).expect_code(0);
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    let delimiters: Vec<&str> = output.lines().filter_map(|l| l.strip_prefix("urls<<")).collect();
    assert_eq!(delimiters.len(), 2, "{output}");
    for delimiter in &delimiters {
        let hex = delimiter.strip_prefix("ghadelimiter_").expect(delimiter);
        assert!(
            hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{delimiter}"
        );
        assert_eq!(output.lines().filter(|l| l == delimiter).count(), 1, "{output}");
    }
    assert_ne!(delimiters[0], delimiters[1]);
}

/// A comment is cut to GitHub's limit, as bodies are.
#[test]
fn a_long_failure_is_cut_to_fit_the_comment() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.label(3796, "cherrypick/release-3.1");
    world.pre_receive("#!/bin/sh\ni=0\nwhile [ $i -lt 1000 ]; do echo \"policy line $i: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" >&2; i=$((i+1)); done\nexit 1\n");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_has("policy line 999");
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1, "the comment was made");
    let comment = &comments[0];
    assert!(comment.chars().count() <= 65_536, "{}", comment.chars().count());
    assert!(comment.contains("policy line 0:"), "{}", &comment[..2000]);
    assert!(
        comment.contains("cut to fit GitHub's limit; the whole of it is in the workflow run's log"),
        "{}",
        &comment[comment.len() - 2000..]
    );
    assert!(
        comment.trim_end().ends_with("</details>"),
        "{}",
        &comment[comment.len() - 500..]
    );
}

/// `/cherrypick` on a pull request closed without
/// being merged labels nothing and says why.
#[test]
fn cherrypick_on_a_closed_unmerged_pull_request_adds_nothing_and_says_so() {
    let world = World::new();
    world.pr(3801, "Abandoned", "", &[("Change", &[("pkg/c.go", "c\n")])], false);
    world.github.state.lock().unwrap().pulls.get_mut(&3801).unwrap().state = "closed".into();
    let workflow = world.workflow();
    let mut event = comment_event(3801, "/cherrypick release-3.1", "MEMBER", false);
    event["issue"]["state"] = json!("closed");
    let run = world.on_event(&workflow, "issue_comment", &event);
    run.expect_code(0).stderr_eq(
        r#"
PR #3801 is closed and not merged: nothing to cherry pick; no label added
→ Commented the results on PR #3801
"#,
    );
    assert!(world.github.requests_to("POST", "/labels").is_empty());
    assert_eq!(world.github.state.lock().unwrap().pulls[&3801].labels, ["kind/bug"]);
    assert!(world.github.created().is_empty());
    let comments = world.comments_on(3801);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("| `release-3.1` | ❌ #3801 is closed and not merged: nothing was labelled or picked |"),
        "{}",
        comments[0]
    );
    assert!(!comments[0].contains("when merged"), "{}", comments[0]);
    // An event that does not say the state: GitHub is asked.
    let mut event = comment_event(3801, "/cherrypick release-3.1", "MEMBER", false);
    event["issue"]["pull_request"]
        .as_object_mut()
        .unwrap()
        .remove("merged_at");
    world.on_event(&workflow, "issue_comment", &event).expect_code(0);
    assert!(world.github.requests_to("POST", "/labels").is_empty());
    assert_eq!(world.comments_on(3801).len(), 1, "the same results are not said twice");
}

/// The outsider who titles a pull request to fool the bot: a merged pull
/// request of theirs with a title of terminal escapes, and a pull request
/// against the release branch from a branch named with shell syntax that
/// says it is the cherry pick. None of it changes what the tool does, or
/// what it says of anyone's pull request.
#[test]
fn a_hostile_outsider_changes_nothing() {
    let world = World::new();
    let title = "\u{1b}]0;pwned\u{7}Fix\u{1b}[2J the\tbot\u{202e}";
    world.simple_pr(3796, title, 3);
    world.label(3796, "cherrypick/release-3.1");
    let base = world.git(&world.work, &["rev-parse", "release-3.1"]).trim().to_string();
    world.git(&world.work, &["checkout", "--quiet", "--detach", &base]);
    let head = world.commit_files(&[("pkg/evil.go", "evil\n")], "Not the fix");
    world.git(&world.work, &["checkout", "--quiet", "master"]);
    let hostile_ref = "x$(touch${IFS}pwned)`touch${IFS}pwned`";
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{head}:refs/heads/{hostile_ref}")],
    );
    world.git(
        &world.work,
        &["push", "--quiet", "origin", &format!("{head}:refs/pull/4010/head")],
    );
    world.github.add_pull(crate::support::FakePull {
        number: 4010,
        title: format!("Automated cherry pick of #3796: {title}"),
        body: "not a cherry pick of #3796".into(),
        merged: false,
        author: "mallory".into(),
        head_ref: hostile_ref.into(),
        head_sha: head,
        base_ref: "release-3.1".into(),
        base_sha: base,
        labels: Vec::new(),
        patch: Vec::new(),
        state: "open".into(),
    });
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(0);
    let created = world.github.created();
    assert_eq!(created.len(), 1, "the backport is opened: {created:?}");
    assert_eq!(
        created[0].title,
        "Automated cherry pick of #3796: ]0;pwnedFix[2J the bot"
    );
    let comments = world.comments_on(3796);
    assert_eq!(comments.len(), 1);
    assert!(!comments[0].contains("4010"), "{}", comments[0]);
    for text in [&run.stdout, &run.stderr, &comments[0], &created[0].body] {
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "a control reached the output: {text:?}"
        );
    }
    for dir in [world.root.path(), &workflow.checkout, &world.clone] {
        assert!(!dir.join("pwned").exists(), "a ref name ran in {}", dir.display());
    }
}

/// A conflict's comment names the earlier pull request the branch lacks.
#[test]
fn a_conflict_comment_names_the_pull_request_it_needs() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3806, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(3)
        .stderr_has("hint: #3806 needs #3805 (not on release-3.1): both change pkg/a.go:11-13\n");
    let comments = world.comments_on(3806);
    assert!(
        comments[0].contains(
            "❌ conflicts in `pkg/a.go`; #3806 needs #3805 (not on release-3.1): both change `pkg/a.go:11-13`; nothing was left behind."
        ),
        "{}",
        comments[0]
    );
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    assert_eq!(output_jobs(&output)[0]["prerequisites"], json!([3805]), "{output}");
}

/// A conflict's comment names the earlier pull request as waiting in the
/// open cherry pick of it against the branch.
#[test]
fn a_conflict_comment_names_the_open_cherry_pick_the_needed_pull_request_waits_in() {
    let world = World::new();
    world.pr_needing_an_earlier_one();
    let release_a = world.git(&world.work, &["show", "release-3.1:pkg/a.go"]);
    let picked = release_a.replace("a 10\n", "a 10\nsetting begin\nx = 1\nsetting end\n");
    world.open_backport_of((4001, 3805, "carol"), &[("pkg/a.go", &picked)], "Add the setting");
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3806, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    let waiting = "#3806 needs #3805 (not on release-3.1; waiting in #4001)";
    run.expect_code(3)
        .stderr_has(&format!("hint: {waiting}: both change pkg/a.go:11-13\n"));
    let comments = world.comments_on(3806);
    assert!(
        comments[0].contains(&format!("{waiting}: both change `pkg/a.go:11-13`")),
        "{}",
        comments[0]
    );
    let output = std::fs::read_to_string(&workflow.output).unwrap();
    assert_eq!(
        output_jobs(&output)[0]["prerequisites_waiting"],
        json!({"3805": 4001}),
        "{output}"
    );
}
