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
use crate::run::{Named, Run, check_can_push, flow, interrupted_or};
use crate::stages::candidates::{self, Candidate};
use crate::stages::gather::{self, Already, JobSpec};

/// How many recent merges `--select` offers besides the labelled candidates.
const RECENT: usize = 30;
use crate::github::token;
use crate::plan::state::{self, JobState, Plan, Progress};

/// The jobs that stopped runs kept (each blocks only a run that would push
/// its fork branch); warns of worktrees a run that did not finish left.
/// Refused when the saved state cannot be read: what it keeps is unknown.
fn kept_jobs(common_dir: &std::path::Path, out: &Output) -> Result<Vec<JobState>> {
    let kept: Vec<JobState> = match state::load(common_dir)? {
        state::Loaded::None => Vec::new(),
        state::Loaded::Some(runs) => runs.jobs().cloned().collect(),
        state::Loaded::Unreadable(why) => {
            return Err(failed(format!("the saved cherry-pick cannot be read: {why}"))
                .hint(Hint::ClearUnreadable.to_string())
                .into());
        }
    };
    let left = std::fs::read_dir(crate::git::worktrees_dir(common_dir))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir() && !kept.iter().any(|j| j.worktree == *p))
                .count()
        })
        .unwrap_or(0);
    if left > 0 {
        out.warn(&format!(
            "a run that did not finish left {left} worktree(s) under {}",
            crate::git::worktrees_dir(common_dir).display()
        ));
        out.hint(&Hint::LeftoverWorktrees.to_string());
    }
    Ok(kept)
}

/// The stopped job that already pushes `spec`'s fork branch, if any.
fn kept_for<'k>(kept: &'k [JobState], spec: &JobSpec) -> Option<&'k JobState> {
    let branch = spec.branch();
    kept.iter().find(|job| job.remote_branch == branch)
}

/// Refuses a job that a stopped run kept (the same fork branch), before
/// anything is asked or fetched.
fn refuse_kept(kept: &[JobState], specs: &[JobSpec]) -> Result<()> {
    let Some(job) = specs.iter().find_map(|spec| kept_for(kept, spec)) else {
        return Ok(());
    };
    let name = state::selector_among(job, kept);
    Err(failed(format!(
        "{} onto {} is already in progress: a run stopped with it (fork branch {})",
        crate::text::PrList(&job.prs),
        job.name(),
        job.remote_branch
    ))
    .hint(format!("see it with `git cherry-pick-pr --status {name}`"))
    .hint(Hint::InProgress { name: Some(&name) }.to_string())
    .into())
}

/// Leaves out the chosen jobs that a stopped run kept, each with a warning;
/// the others go ahead.
fn leave_out_kept(kept: &[JobState], specs: Vec<JobSpec>, out: &Output) -> Vec<JobSpec> {
    specs
        .into_iter()
        .filter(|spec| match kept_for(kept, spec) {
            None => true,
            Some(job) => {
                let name = state::selector_among(job, kept);
                out.warn(&format!(
                    "left out {} onto {}: a run stopped with it; `git cherry-pick-pr --continue {name}` finishes it",
                    crate::text::PrList(&job.prs),
                    job.name(),
                ));
                false
            }
        })
        .collect()
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
    let kept = kept_jobs(&located.common_dir, out)?;
    if jobs.selection == Selection::Given {
        refuse_kept(&kept, &given_specs(jobs))?;
    }
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
    let chosen = choose_jobs(session, settings, jobs, &github, interactive).map(|chosen| {
        chosen.and_then(|chosen| {
            // Given jobs were checked before anything was asked.
            if jobs.selection == Selection::Given || kept.is_empty() {
                return Some(chosen);
            }
            let specs = leave_out_kept(&kept, chosen.specs.clone(), out);
            chosen.without(specs, out)
        })
    });
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
    let (prs, specs, gathered) = if options.with_prerequisites {
        let widened = with_prerequisites(session, &github, &request, &specs, &already, gathered);
        let Some(widened) = widened.map_err(|e| interrupted_or(e, "nothing was changed"))? else {
            // A dry run shows the plan and stops.
            return Ok(Vec::new());
        };
        widened
    } else {
        (prs, specs, gathered)
    };

    let plan = Plan {
        options: options.clone(),
        user: gathered.user.clone(),
        prs: gathered.prs.clone(),
    };
    let run = Run {
        git,
        out,
        plan: &plan,
        id: crate::run::new_id(),
        jobs: specs
            .iter()
            .map(|spec| Named {
                target: spec.target.to_string(),
                branch: spec.branch(),
            })
            .collect(),
        others: kept.iter().map(Named::of).collect(),
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
            if plan.pick != crate::cli::options::Pick::Commits || plan.record_origin {
                for &n in &prs {
                    if let Some(source) = plan.source(n) {
                        job.picked_as.insert(n.to_string(), source.picked_as);
                    }
                }
            }
            Some(Start::Fresh(job))
        })
        .collect();
    flow::process(&run, &github, starts, &patches)
}

/// A run's pull requests, jobs and what was gathered for them, with the
/// pull requests they need.
type Widened = (Vec<u64>, Vec<JobSpec>, gather::Gathered);

/// `--with-prerequisites`: each job's pull requests tried on its target
/// (`prereq::trial`), and those they need picked first, in merge order, in
/// the same job; what is gathered for them, gathered anew. `None` after a
/// dry run, which shows the plan and stops.
fn with_prerequisites(
    session: &Session<'_>,
    github: &GitHub<'_>,
    request: &gather::Request<'_>,
    specs: &[JobSpec],
    already: &Already,
    gathered: gather::Gathered,
) -> Result<Option<Widened>> {
    let Session { git, out, located, .. } = *session;
    let options = request.options;
    let patches: HashMap<u64, Vec<u8>> = request
        .prs
        .iter()
        .copied()
        .zip(gathered.patches.iter().cloned())
        .collect();
    let mut needed_by: HashMap<u64, u64> = HashMap::new();
    let mut widened = Vec::new();
    for spec in specs {
        let target = format!("refs/remotes/{}/{}", spec.target.remote, spec.target.branch);
        let trial = crate::stages::prereq::Trial {
            search: crate::stages::prereq::Search {
                git: &git,
                github,
                repo: &options.repo,
                dir: &located.toplevel,
                target: &target,
                out,
            },
            common_dir: &located.common_dir,
            remote: &spec.target.remote,
            branch: &spec.target.branch,
        };
        let found = crate::stages::prereq::trial(&trial, &spec.prs, &patches)?;
        let mut prs = Vec::new();
        for &n in &spec.prs {
            for (of, needs) in found.iter().filter(|(of, _)| *of == n) {
                for &m in needs {
                    if !prs.contains(&m) {
                        prs.push(m);
                        needed_by.entry(m).or_insert(*of);
                    }
                }
            }
            if !prs.contains(&n) {
                prs.push(n);
            }
        }
        let names: Vec<String> = (prs.iter())
            .map(|n| match needed_by.get(n).filter(|_| !spec.prs.contains(n)) {
                Some(of) => format!("#{n} (which #{of} needs)"),
                None => format!("#{n}"),
            })
            .collect();
        if prs.len() > spec.prs.len() || options.dry_run {
            out.note(&format!("{} picks {}", spec.target, names.join(", ")));
        }
        widened.push(JobSpec {
            target: spec.target.clone(),
            prs,
        });
    }
    if options.dry_run {
        out.note("Dry run: that is the plan; nothing was picked or pushed");
        return Ok(None);
    }
    if needed_by.is_empty() {
        return Ok(Some((request.prs.to_vec(), specs.to_vec(), gathered)));
    }
    let mut all: Vec<u64> = Vec::new();
    for spec in &widened {
        for &n in &spec.prs {
            if !all.contains(&n) {
                all.push(n);
            }
        }
    }
    let again = gather::Request {
        toplevel: request.toplevel.clone(),
        options,
        user: request.user,
        allow_unmerged: request.allow_unmerged,
        targets: request.targets,
        prs: &all,
    };
    let mut gathered = gather::gather(&again, &widened, already, &git, github, out)?;
    for pr in &mut gathered.prs {
        if !request.prs.contains(&pr.number) {
            pr.needed_by = needed_by.get(&pr.number).copied();
        }
    }
    Ok(Some((all, widened, gathered)))
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

/// The jobs of a run given its targets and pull requests: every target
/// with every pull request.
fn given_specs(jobs: &Jobs) -> Vec<JobSpec> {
    jobs.targets
        .iter()
        .map(|target| JobSpec {
            target: target.clone(),
            prs: jobs.prs.clone(),
        })
        .collect()
}

impl Chosen {
    /// The same choice with only `specs` (a subset of its own): `None`, with
    /// a note, when none is left.
    fn without(self, specs: Vec<JobSpec>, out: &Output) -> Option<Chosen> {
        if specs.is_empty() {
            out.note("nothing to backport");
            return None;
        }
        let mut prs: Vec<u64> = Vec::new();
        for n in self.prs {
            if specs.iter().any(|s| s.prs.contains(&n)) {
                prs.push(n);
            }
        }
        let targets = (self.targets.into_iter())
            .filter(|t| specs.iter().any(|s| s.target == *t))
            .collect();
        Some(Chosen {
            targets,
            prs,
            specs,
            already: self.already,
        })
    }
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
            let specs = given_specs(jobs);
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
