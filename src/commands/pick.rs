//! The whole run: settings in, outcomes out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result, stopping for the user on conflicts with the state saved.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use anyhow::Result;

use crate::cli::args::Selection;
use crate::cli::settings::Settings;
use crate::env::Env;
use crate::errors::failed;
use crate::git::Git;
use crate::github::GitHub;
use crate::output::Output;
use crate::plan::next::Hint;
use crate::run::job::Start;
use crate::run::report::Report;
use crate::run::{Run, check_can_push, flow, interrupted_or};
use crate::stages::candidates::{self, Candidate};
use crate::stages::gather::{self, Already, JobSpec};

/// How many recent merges `--select` offers besides the labelled candidates.
const RECENT: usize = 30;
use crate::github::token;
use crate::plan::state::{self, JobState, Plan, Progress};

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
                out.hint(&Hint::LeftoverWorktrees.to_string());
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
        .hint(Hint::InProgress.to_string())
        .into())
}

/// Refuses to start when git cannot name the committer of the picked commits
/// (`user.useConfigOnly` without `user.email`, no name anywhere), before
/// anything is fetched, rather than after.
pub fn check_identity(git: &Git<'_>, toplevel: &std::path::Path) -> Result<()> {
    git.var(toplevel, "GIT_COMMITTER_IDENT").map(|_| ()).map_err(|e| {
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
        crate::stages::edit::check(&git, &settings.toplevel)?;
    }
    let interactive = std::io::stdin().is_terminal();
    check_can_push(interactive, settings.yes, settings.dry_run)?;
    if settings.selection == Selection::Choose {
        crate::commands::choose::check_terminal(interactive)?;
    }
    let (found, github) = crate::run::connect_for(settings, env, out, &git, interactive)?;
    let chosen = choose_jobs(settings, &git, &github, out, interactive);
    let (settings, jobs, already) = match chosen {
        Ok(Some(chosen)) => chosen,
        Ok(None) => {
            token::report_to_helper(&found, &git, &settings.toplevel, out, &github);
            return Ok(Vec::new());
        }
        Err(error) => {
            token::report_to_helper(&found, &git, &settings.toplevel, out, &github);
            return Err(interrupted_or(error, "nothing was changed"));
        }
    };
    let settings = &settings;
    let gathered = gather::gather(settings, &jobs, &already, &git, &github, out);
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
        force: settings.force,
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
        fork_heads: gathered.fork_heads,
    };
    let patches: HashMap<u64, Vec<u8>> = settings.prs.iter().copied().zip(gathered.patches).collect();
    let starts = jobs
        .iter()
        .zip(gathered.open_before)
        .filter_map(|(spec, open_before)| {
            // Those without changes are left out; the branch name keeps them.
            let prs: Vec<u64> = spec
                .prs
                .iter()
                .copied()
                .filter(|n| !gathered.empty.contains(n))
                .collect();
            if prs.is_empty() {
                return None;
            }
            let mut job = JobState::new(&spec.target.remote, &spec.target.branch, &prs);
            job.remote_branch = spec.branch();
            job.open_before = open_before;
            Some(Start::Fresh(job))
        })
        .collect();
    flow::process(&run, &github, starts, &patches)
}

/// The jobs of the run, and its settings with the pull requests they pick:
/// every target with the pull requests given, or one job per missing
/// candidate (`--from-labels`) or chosen one (`--select`) per target.
/// `None` when there is nothing to backport. What judging the candidates
/// asked GitHub and fetched is not asked or fetched again.
fn choose_jobs(
    settings: &Settings,
    git: &Git<'_>,
    github: &GitHub<'_>,
    out: &Output,
    interactive: bool,
) -> Result<Option<(Settings, Vec<JobSpec>, Already)>> {
    let recent = match settings.selection {
        Selection::Given | Selection::Missing | Selection::Event => {
            let jobs = settings
                .targets
                .iter()
                .map(|target| JobSpec {
                    target: target.clone(),
                    prs: settings.prs.clone(),
                })
                .collect();
            return Ok(Some((settings.clone(), jobs, Already::default())));
        }
        Selection::FromLabels => 0,
        Selection::Choose => RECENT,
    };
    let candidates::Found { views, pulls } =
        candidates::find(&candidates::Query::of(settings, recent), git, github, out)?;
    for view in &views {
        crate::commands::missing::summarise(view, out);
    }
    let chosen: Vec<(crate::cli::args::Target, Candidate)> = if settings.selection == Selection::Choose {
        crate::commands::choose::choose(&views, interactive)?
    } else {
        views
            .iter()
            .flat_map(|v| v.missing.iter().map(|m| (v.target.clone(), m.candidate.clone())))
            .collect()
    };
    if chosen.is_empty() {
        out.note("nothing to backport");
        return Ok(None);
    }
    let mut by_merge: Vec<&Candidate> = chosen.iter().map(|(_, c)| c).collect();
    by_merge.sort_by(|a, b| (&a.merged_at, a.number).cmp(&(&b.merged_at, b.number)));
    let mut prs: Vec<u64> = by_merge.iter().map(|c| c.number).collect();
    prs.dedup();
    let mut settings = settings.clone();
    settings
        .targets
        .retain(|t| chosen.iter().any(|(chosen, _)| chosen == t));
    settings.prs = prs;
    let jobs = chosen
        .into_iter()
        .map(|(target, candidate)| JobSpec {
            target,
            prs: vec![candidate.number],
        })
        .collect();
    // Every chosen pull request was judged by git: asked for and fetched.
    let already = Already { pulls, fetched: true };
    Ok(Some((settings, jobs, already)))
}
