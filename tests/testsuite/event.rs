//! `--from-event`: the tool as a GitHub Actions step, in a checkout of the
//! repository itself (`origin` is the upstream), driven by event payloads
//! written as GitHub writes them.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{Run, World, path, run_command};

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
        let event = workflow
            .output
            .with_file_name(format!("event-{}.json", fastrand_name()));
        std::fs::write(&event, serde_json::to_vec(payload).unwrap()).unwrap();
        let mut cmd = self.command();
        cmd.current_dir(&workflow.checkout)
            .arg("--from-event")
            .env("GITHUB_EVENT_NAME", name)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "kubesphere/kubesphere")
            .env("GITHUB_OUTPUT", &workflow.output)
            .env("GITHUB_STEP_SUMMARY", &workflow.summary);
        run_command(&mut cmd)
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

/// A name for an event file that no other event of the test has.
fn fastrand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// The payload of a `pull_request_target` event.
fn pull_request_event(action: &str, number: u64, merged: bool, labels: &[&str], label: Option<&str>) -> Value {
    let mut event = json!({
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "state": if action == "closed" { "closed" } else { "open" },
            "merged": merged,
            "title": format!("Fix {number}"),
            "labels": labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
            "base": {"ref": "master"},
        },
        "repository": {"full_name": "kubesphere/kubesphere"},
    });
    if let Some(label) = label {
        event["label"] = json!({"name": label});
    }
    event
}

/// The payload of an `issue_comment` event on pull request `number`.
fn comment_event(number: u64, body: &str, association: &str, merged: bool) -> Value {
    json!({
        "action": "created",
        "issue": {
            "number": number,
            "pull_request": {
                "url": format!("https://api.github.com/repos/kubesphere/kubesphere/pulls/{number}"),
                "merged_at": if merged { json!("2026-01-01T00:00:00Z") } else { Value::Null },
            },
        },
        "comment": {"body": body, "author_association": association, "user": {"login": "maintainer"}},
        "repository": {"full_name": "kubesphere/kubesphere"},
    })
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
    let urls: Vec<&str> = output
        .lines()
        .skip_while(|l| !l.starts_with("urls<<"))
        .skip(1)
        .take_while(|l| !l.starts_with("GIT_CHERRY_PICK_PR_EOF"))
        .collect();
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
    run.expect_code(3)
        .stderr_has("git cherry-pick-pr upstream/release-3.1 3800");
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
    run.expect_code(0)
        .stderr_has("@maintainer (CONTRIBUTOR) may not ask for cherry picks");
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
fn an_unknown_branch_is_named_in_the_comment() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let workflow = world.workflow();
    let event = comment_event(3796, "/cherrypick release-9.9\n/cherrypick release-3.1", "OWNER", true);
    let run = world.on_event(&workflow, "issue_comment", &event);
    run.expect_code(1).stderr_has("there is no branch `release-9.9`");
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
        ("push", json!({"ref": "refs/heads/master"})),
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
    run.expect_code(0)
        .stderr_has("already has a cherry pick onto release-3.1");
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(world.comments_on(3796).len(), 1);
}

#[test]
fn from_event_outside_a_workflow_is_a_usage_error() {
    let world = World::new();
    let run = world.run(&["--from-event"]);
    run.expect_code(2)
        .stderr_has("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set");
    let run = world.run(&["--from-event", "upstream/release-3.1", "3796"]);
    run.expect_code(2).stderr_has("--from-event takes no targets");
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
    run.expect_code(1)
        .stderr_has("refusing to push a cherry-pick branch there");
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
    let hook = world.upstream.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'branch protection: no new branches' >&2\nexit 1\n",
    )
    .unwrap();
    crate::support::set_executable(&hook);
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_has("nothing was left behind");
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
    run.stderr_has("branch protection: no new branches");
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
    world.github.fault_patch(
        3796,
        403,
        json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest", "status": "403"}),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_has("Resource not accessible by integration");
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
    world.github.fault_patch(
        3796,
        403,
        json!({"message": format!("Token {} may not read this", crate::support::TOKEN), "status": "403"}),
    );
    let workflow = world.workflow();
    let event = pull_request_event("closed", 3796, true, &["cherrypick/release-3.1"], None);
    let run = world.on_event(&workflow, "pull_request_target", &event);
    run.expect_code(1).stderr_has("Token *** may not read this");
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
