//! The whole run: settings in, outcomes out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result, stopping for the user on conflicts with the state saved.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use anyhow::Result;

use crate::errors::failed;
use crate::gather;
use crate::git::Git;
use crate::output::Output;
use crate::run::job::Start;
use crate::run::report::Report;
use crate::run::{Run, check_can_push, connect, flow, interrupted_or};
use crate::settings::{Env, Settings};
use crate::state::{self, JobState, Plan, Progress};
use crate::text;
use crate::token;

/// Refuses a new run while another is in progress; warns of what a run
/// that did not finish left.
fn check_nothing_in_progress(common_dir: &std::path::Path, out: &Output) -> Result<()> {
    let what = match state::load(common_dir)? {
        state::Loaded::None => {
            let left = std::fs::read_dir(crate::git::worktrees_dir(common_dir))
                .map(|entries| entries.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).count())
                .unwrap_or(0);
            if left > 0 {
                out.warn(&format!(
                    "a run that did not finish left {left} worktree(s) under {}",
                    crate::git::worktrees_dir(common_dir).display()
                ));
                out.hint("`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them");
            }
            return Ok(());
        }
        state::Loaded::Some(state) => state
            .progress
            .jobs
            .iter()
            .map(JobState::name)
            .collect::<Vec<_>>()
            .join(", "),
        state::Loaded::Unreadable(why) => why,
    };
    Err(failed(format!("a cherry-pick is already in progress ({what})"))
        .hint("see it with `git cherry-pick-pr --status`")
        .hint("finish it with `git cherry-pick-pr --continue`, or drop it with `git cherry-pick-pr --abort`")
        .into())
}

/// Refuses to start when git cannot name the committer of the picked commits
/// (`user.useConfigOnly` without `user.email`, no name anywhere), before
/// anything is fetched, rather than after.
pub fn check_identity(git: &Git<'_>, toplevel: &std::path::Path) -> Result<()> {
    git.run(toplevel, &["var", "GIT_COMMITTER_IDENT"]).map(|_| ()).map_err(|e| {
        failed("git cannot tell who commits the cherry-picked commits; nothing was done")
            .hint("set your name and email: git config --global user.name 'Your Name'; git config --global user.email you@example.com")
            .because(e)
            .into()
    })
}

/// Runs a backport.
pub fn run(settings: &Settings, env: &Env, git: Git<'_>, out: &Output) -> Result<Vec<Report>> {
    for line in &settings.provenance {
        out.debug(|| format!("setting: {line}"));
    }
    check_nothing_in_progress(&settings.common_dir, out)?;
    check_identity(&git, &settings.toplevel)?;
    if settings.edit && !settings.dry_run {
        crate::edit::check(&git, &settings.toplevel)?;
    }
    let interactive = std::io::stdin().is_terminal();
    check_can_push(interactive, settings.yes, settings.dry_run)?;
    let (found, github) = connect(
        env,
        out,
        &git,
        &settings.toplevel,
        (&settings.api_url, &settings.web_host),
        settings.policy,
        interactive,
    )?;
    let gathered = gather::gather(settings, &git, &github, out);
    token::report_to_helper(&found, &git, &settings.toplevel, out, &github);
    let gathered = gathered.map_err(|e| interrupted_or(e, "nothing was changed"))?;

    let plan = Plan {
        repo: settings.repo.clone(),
        upstream: settings.upstream.clone(),
        fork: settings.fork.clone(),
        user: gathered.user.clone(),
        api_url: settings.api_url.clone(),
        web_host: settings.web_host.clone(),
        labels: settings.labels.clone(),
        draft: settings.draft,
        signoff: settings.signoff,
        yes: settings.yes,
        dry_run: settings.dry_run,
        exec: settings.exec.clone(),
        shell: settings.shell.clone(),
        milestone: settings.milestone.clone(),
        copy_labels: settings.copy_labels.clone(),
        assign_author: settings.assign_author,
        comment_source: settings.comment_source,
        templates: settings.templates.clone(),
        prs: gathered.prs.clone(),
        negotiate_push: settings.negotiate_push,
        conflict_label: settings.conflict_label.clone(),
        edit: settings.edit,
        critical: settings.critical,
        why: settings.why.clone(),
        reviewers: settings.reviewers.clone(),
        reviewers_from_source: settings.reviewers_from_source,
    };
    let run = Run {
        git,
        out,
        plan: &plan,
        toplevel: settings.toplevel.clone(),
        common_dir: settings.common_dir.clone(),
        interactive,
        yes: settings.yes,
        edit: settings.edit,
        tree_hooks: settings.tree_hooks,
        progress: Mutex::new(Progress::default()),
    };
    let patches: HashMap<u64, Vec<u8>> = settings.prs.iter().copied().zip(gathered.patches).collect();
    // Every target, the same pull requests (but those without changes).
    let prs: Vec<u64> = settings
        .prs
        .iter()
        .copied()
        .filter(|n| !gathered.empty.contains(n))
        .collect();
    let starts = settings
        .targets
        .iter()
        .zip(gathered.open_before)
        .map(|(t, open_before)| {
            let mut job = JobState::new(&t.remote, &t.branch, &prs);
            // The branch name keeps every requested pull request.
            job.remote_branch = text::branch_name(&settings.prs, &t.remote, &t.branch);
            job.open_before = open_before;
            Start::Fresh(job)
        })
        .collect();
    flow::process(&run, &github, starts, &patches)
}
