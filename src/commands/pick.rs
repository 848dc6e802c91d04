//! The whole run: settings in, outcomes out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result, stopping for the user on conflicts with the state saved.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use anyhow::Result;

use crate::cli::args::Target;
use crate::cli::session::Session;
use crate::cli::settings::{Jobs, Selection, Settings};
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

/// Runs a backport of `jobs` (the settings', or those an event asks for).
pub fn run(session: &Session<'_>, settings: &Settings, jobs: &Jobs) -> Result<Vec<Report>> {
    let Session { git, out, located, .. } = *session;
    let options = &settings.options;
    for line in &settings.provenance {
        out.debug(|| format!("setting: {line}"));
    }
    check_nothing_in_progress(&located.common_dir, out)?;
    check_identity(&git, &located.toplevel)?;
    if options.edit && !options.dry_run {
        crate::stages::edit::check(&git, &located.toplevel)?;
    }
    let interactive = std::io::stdin().is_terminal();
    check_can_push(interactive, options.yes, options.dry_run)?;
    if jobs.selection == Selection::Choose {
        crate::commands::choose::check_terminal(interactive)?;
    }
    let (found, github) = crate::run::connect_for(session, settings, interactive)?;
    let chosen = choose_jobs(session, settings, jobs, &github, interactive);
    let Chosen {
        targets,
        prs,
        specs,
        already,
    } = match chosen {
        Ok(Some(chosen)) => chosen,
        Ok(None) => {
            token::report_to_helper(&found, &git, &located.toplevel, out, &github);
            return Ok(Vec::new());
        }
        Err(error) => {
            token::report_to_helper(&found, &git, &located.toplevel, out, &github);
            return Err(interrupted_or(error, "nothing was changed"));
        }
    };
    let request = gather::Request {
        toplevel: located.toplevel.clone(),
        options,
        user: settings.user.as_deref(),
        allow_unmerged: settings.allow_unmerged,
        targets: &targets,
        prs: &prs,
    };
    let gathered = gather::gather(&request, &specs, &already, &git, &github, out);
    token::report_to_helper(&found, &git, &located.toplevel, out, &github);
    let gathered = gathered.map_err(|e| interrupted_or(e, "nothing was changed"))?;

    let plan = Plan {
        options: options.clone(),
        user: gathered.user.clone(),
        prs: gathered.prs.clone(),
    };
    let run = Run {
        git,
        out,
        plan: &plan,
        toplevel: located.toplevel.clone(),
        common_dir: located.common_dir.clone(),
        interactive,
        tree_hooks: located.tree_hooks,
        progress: Mutex::new(Progress::default()),
        fork_heads: gathered.fork_heads,
    };
    let patches: HashMap<u64, Vec<u8>> = prs.iter().copied().zip(gathered.patches).collect();
    let starts = specs
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

/// The jobs a run chose: their targets and pull requests (each once, in
/// order), one spec per job, and what choosing them already asked GitHub
/// and fetched.
struct Chosen {
    targets: Vec<Target>,
    prs: Vec<u64>,
    specs: Vec<JobSpec>,
    already: Already,
}

/// The jobs of the run: every target with the pull requests given, or one
/// job per missing candidate (`--from-labels`) or chosen one (`--select`)
/// per target. `None` when there is nothing to backport. What judging the
/// candidates asked GitHub and fetched is not asked or fetched again.
fn choose_jobs(
    session: &Session<'_>,
    settings: &Settings,
    jobs: &Jobs,
    github: &GitHub<'_>,
    interactive: bool,
) -> Result<Option<Chosen>> {
    let Session { git, out, located, .. } = *session;
    let recent = match jobs.selection {
        Selection::Given => {
            let specs = jobs
                .targets
                .iter()
                .map(|target| JobSpec {
                    target: target.clone(),
                    prs: jobs.prs.clone(),
                })
                .collect();
            return Ok(Some(Chosen {
                targets: jobs.targets.clone(),
                prs: jobs.prs.clone(),
                specs,
                already: Already::default(),
            }));
        }
        Selection::FromLabels => 0,
        Selection::Choose => RECENT,
    };
    let query = candidates::Query::of(settings, &located.toplevel, &jobs.targets, recent);
    let candidates::Found { views, pulls } = candidates::find(&query, &git, github, out)?;
    for view in &views {
        crate::commands::missing::summarise(view, out);
    }
    let chosen: Vec<(Target, Candidate)> = if jobs.selection == Selection::Choose {
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
    let targets = (jobs.targets.iter())
        .filter(|t| chosen.iter().any(|(chosen, _)| chosen == *t))
        .cloned()
        .collect();
    let specs = chosen
        .into_iter()
        .map(|(target, candidate)| JobSpec {
            target,
            prs: vec![candidate.number],
        })
        .collect();
    // Every chosen pull request was judged by git: asked for and fetched.
    let already = Already { pulls, fetched: true };
    Ok(Some(Chosen {
        targets,
        prs,
        specs,
        already,
    }))
}
