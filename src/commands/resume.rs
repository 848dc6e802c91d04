//! `--continue`, `--abort` and `--status`: what to do with a run that stopped,
//! from its saved state, checked against what git says is really there.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;

use crate::cli::session::Session;
use crate::errors::{failed, usage};
use crate::git::Git;
use crate::github::token;
use crate::output::Output;
use crate::plan::next::{Hint, Stopped, next_steps, where_stopped};
use crate::plan::state::{self, JobState, Loaded, Phase, Runs, State};
use crate::run::job::Start;
use crate::run::report::Report;
use crate::run::{self, Named, Run, flow};
use crate::stages::gather;
use crate::stages::{apply, reuse};

/// The flags `--continue` takes besides a target: each, given, holds for
/// the rest of the run (saved with its plan).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// `--yes`: push without asking.
    pub yes: bool,
    /// `--edit`: open the pull request's text in the editor first.
    pub edit: bool,
    /// `--force`: push over commits on the fork branch that are not the
    /// tool's.
    pub force: bool,
}

/// Says how to get back when the worktree the tool ran in is gone.
fn after(session: &Session<'_>) {
    let located = session.located;
    if let Some(inside) = located.inside.as_ref().filter(|dir| !dir.exists()) {
        session.out.note(&format!(
            "The worktree you ran this in, {}, is removed: go back with `cd {}`",
            inside.display(),
            located.toplevel.display()
        ));
    }
}

/// `--status`, of the job `selector` names (or all).
pub fn status_run(session: &Session<'_>, selector: Option<&str>) -> Result<Vec<Report>> {
    let Session { git, out, located, .. } = *session;
    let loaded = state::load(&located.common_dir)?;
    // A target named is one in progress, as for --continue and --abort.
    let chosen = match (&loaded, selector) {
        (Loaded::Some(runs), Some(_)) => Some(select(runs, selector, "--status")?),
        _ => None,
    };
    out.result(&status(
        &git,
        &loaded,
        &located.toplevel,
        &located.common_dir,
        chosen.as_deref(),
    ));
    after(session);
    Ok(Vec::new())
}

/// `--abort`, of the job `selector` names (or the only one).
pub fn abort_run(session: &Session<'_>, selector: Option<&str>) -> Result<Vec<Report>> {
    let Session { git, out, located, .. } = *session;
    let loaded = state::load(&located.common_dir)?;
    let result = abort(&git, out, &located.toplevel, &located.common_dir, loaded, selector);
    after(session);
    result.map(|()| Vec::new())
}

/// `--continue`, of the job `selector` names (or the only one).
pub fn resume(session: &Session<'_>, selector: Option<&str>, flags: Flags) -> Result<Vec<Report>> {
    let result = resume_jobs(session, selector, flags);
    after(session);
    result
}

fn resume_jobs(session: &Session<'_>, selector: Option<&str>, flags: Flags) -> Result<Vec<Report>> {
    let Session { env, git, out, located } = *session;
    let toplevel = &located.toplevel;
    let loaded = state::load(&located.common_dir)?;
    let Loaded::Some(runs) = &loaded else {
        return Err(nothing_to_continue(&loaded));
    };
    let chosen = select(runs, selector, "--continue")?;
    let state = one_run(runs, &chosen)?;
    let others = runs
        .jobs()
        .filter(|j| {
            !state
                .progress
                .jobs
                .iter()
                .any(|mine| mine.remote_branch == j.remote_branch)
        })
        .map(Named::of)
        .collect();
    let State {
        id, mut plan, progress, ..
    } = state;
    // Saved with the plan: a later `--continue` goes on as this one does.
    let Flags { yes, edit, force } = flags;
    plan.options.yes |= yes;
    plan.options.edit |= edit;
    plan.options.force |= force;
    let interactive = std::io::stdin().is_terminal();
    run::check_can_push(interactive, plan.yes, plan.dry_run)?;
    for ts in &chosen {
        check_present(&git, toplevel, ts)?;
    }
    // A job that stopped at the editor goes back to it.
    if (plan.edit || chosen.iter().any(|ts| ts.phase == Phase::Edit)) && !plan.dry_run {
        crate::stages::edit::check(&git, toplevel)?;
    }
    let (found, github) = run::connect(
        session,
        (&plan.api_url, &plan.web_host),
        crate::cli::settings::network_policy(env),
        interactive,
    )?;
    let ctx = Run {
        git,
        out,
        plan: &plan,
        id,
        jobs: progress.jobs.iter().map(Named::of).collect(),
        others,
        toplevel: toplevel.clone(),
        common_dir: located.common_dir.clone(),
        interactive,
        tree_hooks: located.tree_hooks,
        progress: std::sync::Mutex::new(progress),
        // Not listed again: the push negotiates, as it always did.
        fork_heads: None,
    };
    let mut wanted: Vec<u64> = Vec::new();
    for ts in &chosen {
        let retried = match ts.phase {
            Phase::Retry { current, .. } => Some(current),
            _ => None,
        };
        for n in ts.remaining.iter().copied().chain(retried) {
            if !wanted.contains(&n) {
                wanted.push(n);
            }
        }
    }
    let local = crate::stages::verify::Local {
        git: &git,
        dir: toplevel,
        upstream: &plan.upstream,
        out,
    };
    let made = gather::patches(&github, &local, &plan.repo, &wanted);
    token::report_to_helper(&found, &git, toplevel, out, &github);
    let made = made?;
    // What the run picked of each: what landed, with the origins `-x` named.
    let patches: HashMap<u64, Vec<u8>> = wanted
        .into_iter()
        .zip(made)
        .map(|(n, patch)| match plan.source(n) {
            Some(pr) => crate::stages::landed::patch_for(&local, pr, patch).map(|patch| (n, patch)),
            None => Ok((n, patch)),
        })
        .collect::<Result<_>>()?;
    let starts = chosen.into_iter().map(Start::Resume).collect();
    let reports = flow::process(&ctx, &github, starts, &patches);
    reuse_for_the_stopped(&git, out, &located.common_dir);
    reports
}

/// After a `--continue`, the jobs still stopped on conflicts that a
/// resolution recorded since fixes (git's rerere: the same conflict text)
/// get it in their files, and the user is told which it is; nothing is
/// staged or pushed until their own `--continue`.
fn reuse_for_the_stopped(git: &Git<'_>, out: &Output, common_dir: &Path) {
    let Ok(Loaded::Some(runs)) = state::load(common_dir) else {
        return;
    };
    for run in &runs.0 {
        let mut run = run.clone();
        let mut told = false;
        for job in &mut run.progress.jobs {
            let stopped = matches!(job.phase, Phase::Conflict { .. }) && job.reused.is_none();
            if !stopped || !job.worktree.is_dir() {
                continue;
            }
            let resolved = match reuse::replay(git, &job.worktree) {
                Ok(resolved) if !resolved.is_empty() => resolved,
                Ok(_) => continue,
                Err(e) => {
                    out.debug(|| format!("no resolution reused for {}: {e:#}", job.name()));
                    continue;
                }
            };
            let from = reuse::resolver(git, &job.worktree, common_dir, &job.conflict_ids, &resolved);
            out.note(&format!(
                "{}: {} {}",
                job.name(),
                resolved.join(", "),
                reuse::reused_hint(&from, &runs.selector(job))
            ));
            job.reused = Some(from);
            told = true;
        }
        if told && let Err(e) = state::save_run(common_dir, &run) {
            out.warn(&format!("could not save that a resolution was reused: {e:#}"));
        }
    }
}

fn nothing_to_continue(loaded: &Loaded) -> anyhow::Error {
    match loaded {
        Loaded::Unreadable(why) => failed(format!("the saved cherry-pick cannot be read: {why}"))
            .hint(Hint::ClearUnreadable.to_string())
            .into(),
        _ => failed("there is no cherry-pick in progress to continue")
            .hint("start one with `git cherry-pick-pr <TARGET>... <PR>...`")
            .into(),
    }
}

/// Every job in progress, as they are named to select them.
fn job_names(runs: &Runs) -> String {
    runs.jobs().map(|job| runs.selector(job)).collect::<Vec<_>>().join(", ")
}

/// The jobs an action (`--continue`, `--abort`, `--status`) applies to:
/// those named (by target or fork branch), or every one in progress when
/// there is only one.
fn select(runs: &Runs, selector: Option<&str>, action: &str) -> Result<Vec<JobState>> {
    let all: Vec<&JobState> = runs.jobs().collect();
    match selector {
        Some(name) => {
            let found: Vec<JobState> = all.iter().filter(|t| t.is_named(name)).map(|t| (*t).clone()).collect();
            if found.is_empty() {
                return Err(usage(format!(
                    "`{name}` is not in progress (in progress: {})",
                    job_names(runs)
                ))
                .into());
            }
            Ok(found)
        }
        None if all.len() > 1 => {
            let example = runs.selector(all[0]);
            Err(usage(format!("several jobs are in progress: {}", job_names(runs)))
                .hint(
                    Hint::NameOne {
                        action,
                        example: &example,
                    }
                    .to_string(),
                )
                .into())
        }
        None => Ok(all.into_iter().cloned().collect()),
    }
}

/// The one stopped run that the `chosen` jobs belong to: jobs of two runs
/// (one target named, stopped twice with other pull requests) are named
/// apart by their fork branches.
fn one_run(runs: &Runs, chosen: &[JobState]) -> Result<State> {
    let mut found: Vec<&State> = Vec::new();
    for job in chosen {
        if let Some(run) = runs.run_of(job)
            && !found.iter().any(|f| f.id == run.id)
        {
            found.push(run);
        }
    }
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        _ => {
            let branches: Vec<&str> = chosen.iter().map(|j| j.remote_branch.as_str()).collect();
            Err(usage(format!(
                "these jobs were stopped by {} different runs: {}",
                found.len(),
                branches.join(", ")
            ))
            .hint(
                Hint::NameOne {
                    action: "--continue",
                    example: branches.first().copied().unwrap_or_default(),
                }
                .to_string(),
            )
            .into())
        }
    }
}

/// Refuses to continue when the worktree or branch is gone.
fn check_present(git: &Git<'_>, toplevel: &Path, ts: &JobState) -> Result<()> {
    if let Some(problem) = reality(git, toplevel, ts).into_iter().find(|p| p.fatal) {
        return Err(failed(format!(
            "cannot continue the cherry-pick onto {}: {}",
            ts.name(),
            problem.text
        ))
        .hint(Hint::CleanUp.to_string())
        .into());
    }
    Ok(())
}

/// Something the saved state says that git disagrees with.
struct Problem {
    text: String,
    /// `--continue` cannot go on.
    fatal: bool,
}

/// Compares a target's saved state with the repository.
fn reality(git: &Git<'_>, toplevel: &Path, ts: &JobState) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !ts.worktree.join(".git").exists() {
        problems.push(Problem {
            text: format!("its worktree {} was removed", ts.worktree.display()),
            fatal: true,
        });
    }
    let branch = format!("refs/heads/{}", ts.local_branch);
    if !matches!(git.resolve(toplevel, &branch), Ok(Some(_))) {
        problems.push(Problem {
            text: format!("its branch {} was deleted", ts.local_branch),
            fatal: true,
        });
    }
    if problems.is_empty()
        && let Phase::Conflict { .. } = ts.phase
        && let Ok(false) = apply::am_in_progress(git, &ts.worktree)
    {
        problems.push(Problem {
            text: Hint::AmFinishedByHand.to_string(),
            fatal: false,
        });
    }
    problems
}

/// The `--status` report.
fn status(git: &Git<'_>, loaded: &Loaded, toplevel: &Path, common_dir: &Path, chosen: Option<&[JobState]>) -> String {
    let mut lines = Vec::new();
    match crate::run::lock::holder(common_dir) {
        // Its worktrees are not saved yet: none is a leftover.
        Some(holder) => lines.push(format!("A git cherry-pick-pr is running now ({holder}).")),
        None => lines.extend(leftover_lines(git, toplevel, common_dir, loaded)),
    }
    let nothing = matches!(loaded, Loaded::None);
    if !nothing || lines.is_empty() {
        lines.push(state_status(git, loaded, toplevel, chosen));
    }
    lines.join("\n")
}

/// The saved run, and its targets (only the `chosen` ones, when named).
fn state_status(git: &Git<'_>, loaded: &Loaded, toplevel: &Path, chosen: Option<&[JobState]>) -> String {
    let runs = match loaded {
        Loaded::None => return "No cherry-pick in progress.".to_string(),
        Loaded::Unreadable(why) => {
            return format!(
                "A saved cherry-pick cannot be read: {why}\nnext: {}",
                Hint::StatusUnreadable
            );
        }
        Loaded::Some(runs) => runs,
    };
    let several = runs.jobs().count() > 1;
    let mut lines = Vec::new();
    for run in &runs.0 {
        let shown: Vec<&JobState> = match chosen {
            Some(chosen) => (run.progress.jobs.iter())
                .filter(|j| chosen.iter().any(|c| c.remote_branch == j.remote_branch))
                .collect(),
            None => run.progress.jobs.iter().collect(),
        };
        if shown.is_empty() {
            continue;
        }
        lines.extend(run_status(git, toplevel, runs, run, &shown, several));
    }
    lines.join("\n")
}

/// One stopped run's lines in `--status`: how the jobs that ended did, and
/// where each `shown` job is and what to do next.
fn run_status(
    git: &Git<'_>,
    toplevel: &Path,
    runs: &Runs,
    run: &State,
    shown: &[&JobState],
    several: bool,
) -> Vec<String> {
    let list = |prs: &[u64]| {
        if prs.is_empty() {
            "none".to_string()
        } else {
            crate::text::PrList(prs).to_string()
        }
    };
    let mut lines = vec![format!(
        "Cherry-pick of {} into {} in progress:",
        list(&run.plan.prs.iter().map(|p| p.number).collect::<Vec<_>>()),
        run.plan.repo
    )];
    for line in &run.progress.done {
        lines.push(format!("  {line}"));
    }
    for ts in shown {
        let name = several.then(|| runs.selector(ts));
        let heading = name.clone().unwrap_or_else(|| ts.name());
        lines.push(format!("  {heading}: {}", where_stopped(&ts.phase)));
        lines.push(format!("    applied:  {}", list(&ts.applied)));
        if !ts.skipped.is_empty() {
            lines.push(format!("    skipped (already there): {}", list(&ts.skipped)));
        }
        if !ts.by_hand.is_empty() {
            lines.push(format!("    skipped by hand: {}", list(&ts.by_hand)));
        }
        let mut left: Vec<u64> = ts.phase.current().into_iter().collect();
        left.extend(&ts.remaining);
        lines.push(format!("    left:     {}", list(&left)));
        lines.push(format!(
            "    worktree: {} (branch {})",
            ts.worktree.display(),
            ts.local_branch
        ));
        let problems = reality(git, toplevel, ts);
        for problem in &problems {
            lines.push(format!("    note:     {}", problem.text));
        }
        if problems.iter().any(|p| p.fatal) {
            lines.push(format!("    next:     {}", Hint::StatusCleanUp));
            continue;
        }
        if let Phase::Conflict { .. } = ts.phase
            && ts.worktree.exists()
            && let Ok(files) = apply::unmerged(git, &ts.worktree)
            && !files.is_empty()
        {
            lines.push(format!("    conflicts: {}", files.join(", ")));
            if let Some(from) = &ts.reused {
                let job = name.clone().unwrap_or_else(|| ts.name());
                lines.push(format!("    hint:     {}", reuse::reused_hint(from, &job)));
            }
            if let Some(n) = ts.phase.current() {
                for need in &ts.needs {
                    lines.push(format!("    hint:     {}", need.needed_by(n, &ts.branch, false)));
                }
            }
        }
        let next = next_steps(Stopped {
            phase: ts.phase.kind(),
            dry_run: run.plan.dry_run,
            name: name.as_deref(),
            worktree: &ts.worktree,
        })
        .join("; ");
        lines.push(format!("    next:     {next}"));
    }
    lines
}

/// Removes the selected targets' worktrees and branches and forgets them,
/// and whatever a run that ended without finishing left. Always gets back
/// to a clean slate, whatever was removed by hand.
pub fn abort(
    git: &Git<'_>,
    out: &Output,
    toplevel: &Path,
    common_dir: &Path,
    loaded: Loaded,
    selector: Option<&str>,
) -> Result<()> {
    let (runs, known) = match loaded {
        Loaded::None => (None, Vec::new()),
        Loaded::Unreadable(why) => {
            out.warn(&format!("the saved cherry-pick cannot be read ({why}); clearing it"));
            (None, Vec::new())
        }
        Loaded::Some(runs) => {
            let known = runs.jobs().map(|t| t.worktree.clone()).collect();
            (Some(runs), known)
        }
    };
    // A job named that is not in progress is refused before anything goes.
    let chosen = match &runs {
        Some(runs) => select(runs, selector, "--abort")?,
        None => Vec::new(),
    };
    let left = leftovers(git, toplevel, common_dir, &known);
    if runs.is_none() && left.is_empty() {
        state::remove(common_dir)?;
        out.note("No cherry-pick in progress: nothing to abort.");
        return Ok(());
    }
    for leftover in &left {
        apply::remove_worktree(*git, out, toplevel, &leftover.path, leftover.branch.as_deref(), false);
        out.step(&format!(
            "Removed {}, left by a run that did not finish",
            leftover.describe()
        ));
    }
    let Some(Runs(mut runs)) = runs else {
        return state::remove(common_dir);
    };
    for ts in &chosen {
        crate::run::discard::remove(git, out, toplevel, ts);
        for run in &mut runs {
            run.progress.jobs.retain(|t| t.remote_branch != ts.remote_branch);
        }
    }
    state::save_all(common_dir, runs)
}

/// A worktree (or directory) of the tool's that no saved state names: left
/// by a run that was killed, or by a version of the tool that lost track.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Leftover {
    path: std::path::PathBuf,
    /// The branch checked out in it, when git still knows the worktree.
    branch: Option<String>,
}

impl Leftover {
    fn describe(&self) -> String {
        match &self.branch {
            Some(branch) => format!("{} (branch {branch})", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// The tool's worktrees and directories under the git directory that are not
/// in `known` (the saved state's), with their branches. Only meaningful while
/// no run is going on (one holds the lock, or none is running).
fn leftovers(git: &Git<'_>, toplevel: &Path, common_dir: &Path, known: &[std::path::PathBuf]) -> Vec<Leftover> {
    let dir = crate::git::worktrees_dir(common_dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let dirs: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !known.contains(p))
        .collect();
    let mut found: Vec<Leftover> = registered_worktrees(git, toplevel)
        .into_iter()
        .filter(|w| w.path.starts_with(&dir) && !known.contains(&w.path))
        .collect();
    for path in dirs {
        if !found.iter().any(|w| w.path == path) {
            found.push(Leftover { path, branch: None });
        }
    }
    found
}

/// `git worktree list`: each worktree's path and branch.
fn registered_worktrees(git: &Git<'_>, toplevel: &Path) -> Vec<Leftover> {
    let listed = git.worktrees(toplevel).unwrap_or_default();
    listed
        .into_iter()
        .map(|w| Leftover {
            path: w.path,
            branch: w.branch,
        })
        .collect()
}

/// Says what a run that did not finish left, for `--status`.
fn leftover_lines(git: &Git<'_>, toplevel: &Path, common_dir: &Path, loaded: &Loaded) -> Vec<String> {
    let known: Vec<std::path::PathBuf> = match loaded {
        Loaded::Some(runs) => runs.jobs().map(|t| t.worktree.clone()).collect(),
        _ => Vec::new(),
    };
    let left = leftovers(git, toplevel, common_dir, &known);
    if left.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["Left over by a run that did not finish:".to_string()];
    lines.extend(left.iter().map(|l| format!("  {}", l.describe())));
    lines.push(format!("  next: {}", Hint::StatusLeftovers));
    lines
}
