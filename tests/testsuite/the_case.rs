//! Making the case for a cherry pick: the conflict disclosure in the new pull
//! request's body (and its label), `--edit` with a scripted editor, `--why`
//! and `--why-file`, and review requests.

use std::path::{Path, PathBuf};

use crate::support::{USER, World, set_executable};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";

/// A shell script in the world's temp dir, run as the editor with the file
/// to edit as `$1`.
fn editor(world: &World, name: &str, body: &str) -> PathBuf {
    let path = world.root.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    set_executable(&path);
    path
}

fn run_with_editor(world: &World, editor: &Path, args: &[&str]) -> crate::support::Run {
    crate::support::run_command(world.command().env("GIT_EDITOR", editor).args(args))
}

#[test]
fn a_clean_pick_has_no_conflict_section_and_no_conflict_label() {
    let world = World::new();
    world.git(
        &world.clone,
        &["config", "cherry-pick-pr.conflictLabel", "cherry-pick/conflicts"],
    );
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let created = world.github.created();
    assert!(!created[0].body.contains("Conflicts"), "{}", created[0].body);
    assert!(!created[0].body.contains("not the same change"), "{}", created[0].body);
    assert_eq!(created[0].labels, vec!["do-not-merge/cherry-pick-not-approved"]);
}

#[test]
fn a_conflict_resolved_by_hand_is_disclosed_with_the_file_and_the_size_of_the_difference() {
    let world = World::new();
    world.git(
        &world.clone,
        &["config", "cherry-pick-pr.conflictLabel", "cherry-pick/conflicts"],
    );
    world.conflict_on_release(3);
    world.simple_pr(3796, "Fix the widget", 3);
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(3);
    // Keeping both sides keeps the release's line the original replaced.
    world.resolve(&world.state_worktree());
    let run = world.run(&["--continue"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    let created = world.github.created();
    let body = &created[0].body;
    let section = "### Conflicts\n\nThis backport is not the same change as the original:\n\n\
- #3796: conflicts resolved by hand in `pkg/a.go`.\n\n\
Compared with the original's commits, 1 file differs in the lines added and removed:\n\n\
- `pkg/a.go`: 1 line\n\n1 line in all.\n\n";
    assert!(
        body.contains(&format!("#3796: Fix the widget\n\n{section}For details")),
        "{body}"
    );
    assert!(body.ends_with("```release-note\nFixed 3796.\n```"), "{body}");
    assert_eq!(
        created[0].labels,
        vec!["do-not-merge/cherry-pick-not-approved", "cherry-pick/conflicts"]
    );
}

#[test]
fn the_cherry_pick_fallbacks_change_is_disclosed() {
    let world = World::new();
    world.am_refuses_pr();
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix notes
  git am -3 could not apply #3796; git cherry-pick applied its commits cleanly
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    let body = &world.github.created()[0].body;
    assert!(
        body.contains(
            "### Conflicts\n\nThis backport is not the same change as the original:\n\n\
- #3796: `git am -3` could not apply its patch; `git cherry-pick` applied its commits.\n\n\
Its commits add and remove the same lines as the original's"
        ),
        "{body}"
    );
}

#[test]
fn the_conflicts_placeholder_puts_the_section_where_the_template_says() {
    let world = World::new();
    world.git(
        &world.clone,
        &["config", "cherry-pick-pr.bodyTemplate", "{conflicts}Picked {prs}."],
    );
    world.am_refuses_pr();
    world.run(&["--yes", "upstream/release-3.1", "3796"]).expect_code(0);
    let body = &world.github.created()[0].body;
    assert!(body.starts_with("### Conflicts\n\n"), "{body}");
    assert!(
        body.ends_with("only the surrounding lines differ.\n\nPicked #3796."),
        "{body}"
    );
}

#[test]
fn edit_keeps_what_was_added_and_strips_the_comments() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let offered = world.root.path().join("offered.md");
    let script = editor(
        &world,
        "editor.sh",
        &format!(
            "cp \"$1\" '{}'\nawk 'NR == 1 {{ print \"[release-3.1] Fix the widget\"; next }} {{ print }} /^### Issue$/ {{ print \"Fixes #42, a crash on start.\" }}' \"$1\" > \"$1.new\"\nmv \"$1.new\" \"$1\"",
            offered.display()
        ),
    );
    let run = run_with_editor(&world, &script, &["--yes", "--edit", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    let offered = std::fs::read_to_string(offered).unwrap();
    assert!(
        offered.starts_with("Automated cherry pick of #3796: Fix the widget\n\nCherry pick of #3796 on release-3.1.\n\n#3796: Fix the widget\n\n<!--\n"),
        "{offered}"
    );
    for heading in ["Issue", "Scope", "Risks", "Regression risks", "Testing", "Reviewers"] {
        assert!(
            offered.contains(&format!("\n### {heading}\n<!-- ")),
            "{heading}: {offered}"
        );
    }
    let created = world.github.created();
    assert_eq!(created[0].title, "[release-3.1] Fix the widget");
    let body = &created[0].body;
    assert!(!body.contains("<!--") && !body.contains("-->"), "{body}");
    assert!(
        body.starts_with("Cherry pick of #3796 on release-3.1.\n\n#3796: Fix the widget\n\n### Issue\nFixes #42, a crash on start.\n\n### Scope\n\n### Risks"),
        "{body}"
    );
    assert!(body.ends_with("```release-note\nFixed 3796.\n```"), "{body}");
    // The file given to the editor is gone.
    assert!(world.tool_dirs().is_empty(), "{:?}", world.tool_dirs());
}

#[test]
fn a_critical_fix_gets_no_headings_and_an_unchanged_text_is_the_usual_body() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = crate::support::run_command(world.command().env("GIT_EDITOR", ":").args([
        "--yes",
        "--edit",
        "--critical",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(0);
    let body = &world.github.created()[0].body;
    assert!(
        body.starts_with("Cherry pick of #3796 on release-3.1.\n\n#3796: Fix the widget\n\nFor details"),
        "{body}"
    );
}

#[test]
fn a_failing_editor_pushes_nothing_and_continue_opens_it_again() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.dirty_checkout();
    world.untouched(|world| {
        let failing = editor(world, "failing.sh", "exit 1");
        let run = run_with_editor(world, &failing, &["--yes", "--edit", "upstream/release-3.1", "3796"]);
        run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Opening the pull request's text for upstream/release-3.1 in your editor
error: nothing was pushed for upstream/release-3.1
  caused by: editing the pull request's text for upstream/release-3.1
  caused by: the editor `[ROOT]/failing.sh` exited with status 1
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
        assert!(run.stdout.is_empty());
        assert!(world.github.writes().is_empty());
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
        assert!(world.state().is_some());

        let adding = editor(
            world,
            "adding.sh",
            "printf 'Backport of the widget fix\\n\\nThe widget crashed on start.\\n' > \"$1\"",
        );
        let run = run_with_editor(world, &adding, &["--continue"]);
        run.expect_code(0);
        let created = world.github.created();
        assert_eq!(created[0].title, "Backport of the widget fix");
        assert_eq!(created[0].body, "The widget crashed on start.");
        assert_eq!(world.picked_subjects(BRANCH), vec!["Fix the widget"]);
        assert!(world.state().is_none());
    });
}

/// A failed editor gives one hint about
/// `--continue`, and `--status` says that it opens the editor.
#[test]
fn a_failed_editor_has_one_continue_hint_and_status_names_the_editor() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let failing = editor(&world, "failing.sh", "exit 1");
    let run = run_with_editor(&world, &failing, &["--yes", "--edit", "upstream/release-3.1", "3796"]);
    run.expect_code(1);
    let continues: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("git cherry-pick-pr --continue"))
        .collect();
    assert_eq!(
        continues,
        ["hint: `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request"],
        "{}",
        run.stderr
    );
    let status = world.run(&["--status"]);
    status.expect_code(0).stdout_eq(r#"
Cherry-pick of #3796 into kubesphere/kubesphere in progress:
  upstream/release-3.1: applied; stopped at the editor (--edit): nothing pushed yet
    applied:  #3796
    left:     none
    worktree: [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
    next:     `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request; or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    // A `--continue` that did not ask for the editor still opens it: that is where the job stopped.
    let run = crate::support::run_command(
        world
            .command()
            .env(
                "GIT_EDITOR",
                editor(&world, "titled.sh", "printf 'Title\\n\\nBody.\\n' > \"$1\""),
            )
            .args(["--continue"]),
    );
    run.expect_code(0);
    assert_eq!(world.github.created()[0].title, "Title");
}

/// An editor that writes NUL bytes (a file saved as
/// UTF-16) pushes nothing; other control characters are dropped from what
/// goes to GitHub, newlines and tabs kept in the body.
#[test]
fn an_editor_that_writes_nul_bytes_pushes_nothing_and_controls_are_dropped() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let nul = editor(&world, "nul.sh", "printf 'T\\000itle\\n\\nBody\\000.\\n' > \"$1\"");
    let run = run_with_editor(&world, &nul, &["--yes", "--edit", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Opening the pull request's text for upstream/release-3.1 in your editor
error: nothing was pushed for upstream/release-3.1
  caused by: the edited text has NUL bytes (line 1): it is not UTF-8 text, as an editor that saves UTF-16 writes it
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
hint: save the text as UTF-8
"#);
    assert!(world.github.writes().is_empty());
    let controls = editor(
        &world,
        "controls.sh",
        "printf 'A\\033[2J title\\twith a tab\\n\\nBody\\033]0;x\\007 here.\\n\\tindented\\r\\nend\\n' > \"$1\"",
    );
    let run = run_with_editor(&world, &controls, &["--continue"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Opening the pull request's text for upstream/release-3.1 in your editor
warning: dropped 3 control characters from the edited text (only newlines and tabs are kept)
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    let created = world.github.created();
    assert_eq!(created[0].title, "A[2J title with a tab");
    assert_eq!(created[0].body, "Body]0;x here.\n\tindented\nend");
}

#[test]
fn an_emptied_body_pushes_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    // git config asks for the editor as --edit does.
    world.git(&world.clone, &["config", "cherry-pick-pr.edit", "true"]);
    let emptying = editor(
        &world,
        "emptying.sh",
        "printf 'Only a title\\n\\n<!-- and a comment -->\\n' > \"$1\"",
    );
    let run = run_with_editor(&world, &emptying, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Opening the pull request's text for upstream/release-3.1 in your editor
error: nothing was pushed for upstream/release-3.1
  caused by: the body was left empty
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    assert!(world.github.writes().is_empty());
    assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
    // It is kept: --continue --edit asks again, and an editor that keeps the text goes on.
    let run = crate::support::run_command(world.command().env("GIT_EDITOR", ":").args(["--continue", "--edit"]));
    run.expect_code(0);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn edit_without_a_terminal_or_an_editor_that_can_run_is_a_usage_error() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = crate::support::run_command(world.command().env("GIT_EDITOR", "no-such-editor --wait").args([
        "--yes",
        "--edit",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(2).stderr_eq(r#"
error: --edit: the editor `no-such-editor --wait` cannot be run, and there is no terminal to run one in
hint: set GIT_EDITOR (or core.editor) to an editor that can run here, or put the justification in with --why TEXT or --why-file FILE
"#);
    assert!(world.github.requests().is_empty());
    assert!(world.state().is_none());
    assert!(world.tool_dirs().is_empty());
}

#[test]
fn why_and_why_file_put_the_case_in_the_body() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.simple_pr(3797, "Fix the gadget", 10);
    world
        .run(&[
            "--yes",
            "--why",
            "Fixes #42: a panic on start.",
            "upstream/release-3.1",
            "3796",
        ])
        .expect_code(0);
    let file = world.root.path().join("why.md");
    std::fs::write(
        &file,
        "### Issue\r\nFixes #43.\r\n\r\n### Testing\r\nUnit tests on release-3.1.\r\n",
    )
    .unwrap();
    world
        .run(&[
            "--yes",
            "--why-file",
            file.to_str().unwrap(),
            "upstream/release-3.1",
            "3797",
        ])
        .expect_code(0);
    let created = world.github.created();
    assert!(
        created[0]
            .body
            .contains("#3796: Fix the widget\n\nFixes #42: a panic on start.\n\nFor details"),
        "{}",
        created[0].body
    );
    assert!(
        created[1].body.contains(
            "#3797: Fix the gadget\n\n### Issue\nFixes #43.\n\n### Testing\nUnit tests on release-3.1.\n\nFor details"
        ),
        "{}",
        created[1].body
    );
    let run = world.run(&["--yes", "--why-file", "/no/such/file", "upstream/release-3.1", "3797"]);
    run.expect_code(2).stderr_eq(
        r#"
error: --why-file: reading /no/such/file failed: No such file or directory (os error 2)
hint: name a readable UTF-8 text file, or give the text with --why TEXT
"#,
    );
}

/// A `--why-file` too long for GitHub is cut, the
/// release note is kept, and the user and the body are told.
#[test]
fn a_long_why_file_is_cut_and_the_release_note_kept() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let file = world.root.path().join("why.md");
    std::fs::write(&file, "The case for the pick, at length.\n".repeat(2500)).unwrap();
    let run = world.run(&[
        "--yes",
        "--why-file",
        file.to_str().unwrap(),
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
warning: the body for upstream/release-3.1 is longer than GitHub takes (65536 characters): the justification was cut to fit, and the body says so; the rest of it is only in what was given to --why or --why-file
→ Opening a pull request against kubesphere/kubesphere release-3.1
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#);
    let body = &world.github.created()[0].body;
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(
        body.ends_with("```release-note\nFixed 3796.\n```"),
        "{}",
        &body[body.len() - 500..]
    );
    assert!(
        body.contains("at length.\n…\n\nThe justification above was cut to fit GitHub's limit of 65536 characters; the rest of it is not on GitHub.\n\nFor details"),
        "{}",
        &body[body.len() - 800..]
    );
    assert!(!body.contains("the full text is in #3796"), "{}", &body[..300]);
}

#[test]
fn reviewers_named_are_requested_but_never_yourself() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.git(&world.clone, &["config", "--add", "cherry-pick-pr.reviewer", "dave"]);
    world.git(&world.clone, &["config", "--add", "cherry-pick-pr.reviewer", USER]);
    world.git(&world.clone, &["config", "--add", "cherry-pick-pr.reviewer", "erin"]);
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_eq(
        r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
Requested reviews of PR #9000 (picks #3796) from dave, erin
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#,
    );
    assert_eq!(world.github.requested_reviewers(9000), vec!["dave", "erin"]);
    // A flag replaces the configured ones.
    world.simple_pr(3797, "Fix the gadget", 10);
    world
        .run(&["--yes", "--reviewer", "carol", "upstream/release-3.1", "3797"])
        .expect_code(0);
    assert_eq!(world.github.requested_reviewers(9001), vec!["carol"]);
}

#[test]
fn reviewers_from_source_are_its_approvers_without_the_author_or_you() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    for (login, state) in [
        ("ann", "APPROVED"),
        ("ben", "APPROVED"),
        ("ben", "CHANGES_REQUESTED"),
        ("bob", "APPROVED"),
        (USER, "APPROVED"),
        ("cat", "COMMENTED"),
        ("dan", "CHANGES_REQUESTED"),
        ("dan", "APPROVED"),
        ("ann", "COMMENTED"),
    ] {
        world.github.review(3796, login, state);
    }
    let run = world.run(&[
        "--yes",
        "--reviewers-from-source",
        "--reviewer",
        "carol",
        "upstream/release-3.1",
        "3796",
    ]);
    run.expect_code(0);
    let asked = world.github.requests_to("POST", "/pulls/9000/requested_reviewers");
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].json(),
        serde_json::json!({"reviewers": ["carol", "ann", "dan"]})
    );
    assert_eq!(world.github.requested_reviewers(9000), vec!["carol", "ann", "dan"]);
    assert_eq!(world.github.requests_to("GET", "/pulls/3796/reviews").len(), 1);
}

#[test]
fn a_refused_review_request_is_a_warning() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.collaborators(&["ann"]);
    let run = world.run(&["--yes", "--reviewer", "zed", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Pushing automated-cherry-pick-of-#3796-upstream-release-3.1 to origin
→ Opening a pull request against kubesphere/kubesphere release-3.1
warning: could not request reviews of PR #9000 (picks #3796) from zed: GitHub refused them: a reviewer may not be a collaborator of the repository; ask them by mentioning them instead
  requesting reviews of PR #9000 in kubesphere/kubesphere from zed: GitHub answered 422 Unprocessable Entity: Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the kubesphere/kubesphere repository.
→ Opened PR #9000 for upstream/release-3.1 (picks #3796)
"#);
    assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
    assert_eq!(world.github.requests_to("POST", "/requested_reviewers").len(), 1);
    assert!(world.github.requested_reviewers(9000).is_empty());
    assert_eq!(
        world.github.created()[0].labels,
        vec!["do-not-merge/cherry-pick-not-approved"]
    );
}

/// The body the README shows for a conflicted backport is the one the tool
/// makes for it.
#[test]
fn the_readme_shows_the_body_of_a_conflicted_backport_as_made() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("````markdown\n").expect("the README's example body") + "````markdown\n".len();
    let end = start + readme[start..].find("\n````").expect("the end of the example body");
    let shown = &readme[start..end];

    let world = World::new();
    world.conflict_on_release(3);
    let current = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let fixed = current.replace("a 3\n", "a 3 fixed by #3796\n");
    world.pr(
        3796,
        "Fix the widget",
        "Fixes #3790.\n\n```release-note\nFixed a panic of the widget on start.\n```\n",
        &[("Fix the widget", &[("pkg/a.go", &fixed)])],
        true,
    );
    let why = world.root.path().join("why.md");
    std::fs::write(
        &why,
        "### Issue\nFixes #3790: the widget panics on start when its config is empty.\n\n\
### Testing\nUnit tests and a manual start with an empty config, on release-3.1.\n",
    )
    .unwrap();
    world
        .run(&[
            "--yes",
            "--why-file",
            why.to_str().unwrap(),
            "upstream/release-3.1",
            "3796",
        ])
        .expect_code(3);
    world.resolve(&world.state_worktree());
    world.run(&["--continue"]).expect_code(0);
    assert_eq!(world.github.created()[0].body, shown);
}

#[test]
fn an_edited_title_too_long_for_github_pushes_nothing() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let long = editor(
        &world,
        "long.sh",
        &format!("printf '{}\\n\\nA body.\\n' > \"$1\"", "t".repeat(300)),
    );
    let run = run_with_editor(&world, &long, &["--yes", "--edit", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_eq(r#"
→ Fetching release-3.1 and #3796 from upstream
→ Applying #3796 to upstream/release-3.1: Fix the widget
→ Opening the pull request's text for upstream/release-3.1 in your editor
error: nothing was pushed for upstream/release-3.1
  caused by: the title is 300 characters long; GitHub takes at most 256
hint: the picked commits are kept in [ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (branch automated-cherry-pick-of-#3796-upstream-release-3.1)
hint: `git cherry-pick-pr --continue` opens the editor again, then pushes and opens the pull request
hint: or `git cherry-pick-pr --abort` removes the worktree and branch
"#);
    assert!(world.github.writes().is_empty());
    assert!(world.state().is_some());
}
