//! A run as it goes: `Run` holds what every step shares and the progress of
//! the jobs; `job` prepares one job (worktree, `git am`, stops for the user),
//! `flow` takes every job through to its pull request, and `report` says how
//! they ended.
//!
//! It may use the plan it carries out (`plan`), the stages, the settings,
//! the git and GitHub edges and the shared floor; never a command.

pub mod discard;
pub mod flow;
pub mod job;
pub mod lock;
pub mod report;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use anyhow::Result;

use crate::cli::session::Session;
use crate::errors::{Failure, Kind, failed};
use crate::git::Git;
use crate::github::GitHub;
use crate::github::retry::Policy;
use crate::github::token;
use crate::output::Output;
use crate::plan::state::{self, JobState, Plan, Progress, State};
use crate::signals;

/// A run: what every step shares (the plan, git, the terminal), and the
/// progress of its jobs, the one thing that changes.
pub struct Run<'a> {
    pub git: Git<'a>,
    pub out: &'a Output,
    /// What the run is to do; it does not change.
    pub plan: &'a Plan,
    pub toplevel: PathBuf,
    pub common_dir: PathBuf,
    /// Standard input is a terminal: prompts are possible.
    pub interactive: bool,
    /// A hook that may look at the files would run in the tool's worktree:
    /// worktrees get every file from the start.
    pub tree_hooks: bool,
    /// Tells this run's record from other stopped runs' in the state file.
    pub id: String,
    /// The run's jobs, in the order they were given: the order they are
    /// saved (and listed by `--status`) in.
    pub jobs: Vec<Named>,
    /// The jobs other stopped runs keep.
    pub others: Vec<Named>,
    /// How far each job got; saved with the plan when a job stops.
    pub progress: Mutex<Progress>,
    /// The fork's branches, when this run listed them: whether each push
    /// needs negotiation.
    pub fork_heads: Option<crate::stages::fork::Heads>,
}

/// A job as hints name it: its target and its fork branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// `upstream/release-3.1`.
    pub target: String,
    pub branch: String,
}

impl Named {
    pub fn of(job: &JobState) -> Named {
        Named {
            target: job.name(),
            branch: job.remote_branch.clone(),
        }
    }
}

impl Run<'_> {
    /// How the hints name `ts` (`--continue NAME`) when more than one job is
    /// in progress or may be after this run: by its target, or by its fork
    /// branch where another job shares the target. `None` for a lone job.
    pub fn name_of(&self, ts: &JobState) -> Option<String> {
        let all = || self.jobs.iter().chain(&self.others);
        if all().count() <= 1 {
            return None;
        }
        let target = ts.name();
        let shared = all().any(|j| j.target == target && j.branch != ts.remote_branch);
        Some(if shared { ts.remote_branch.clone() } else { target })
    }

    /// The progress, whoever else holds it.
    pub fn lock(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves the plan and `progress` for `--continue`, beside the other
    /// stopped runs' (dropped with its last job).
    fn save(&self, progress: &Progress) -> Result<()> {
        let state = State {
            id: self.id.clone(),
            plan: self.plan.clone(),
            progress: progress.clone(),
        };
        state::save_run(&self.common_dir, &state)
    }

    /// Records a job as stopped in the state file, in the order the jobs
    /// were given.
    pub fn save_job(&self, job: &JobState) -> Result<()> {
        let mut progress = self.lock();
        match progress.jobs.iter_mut().find(|t| t.remote_branch == job.remote_branch) {
            Some(slot) => *slot = job.clone(),
            None => progress.jobs.push(job.clone()),
        }
        let place = |t: &JobState| self.jobs.iter().position(|j| j.branch == t.remote_branch);
        progress.jobs.sort_by_key(place);
        self.save(&progress)
    }

    /// Drops a finished job from the state file (and the run's record with
    /// its last job).
    pub fn forget_job(&self, job: &JobState) -> Result<()> {
        let mut progress = self.lock();
        let before = progress.jobs.len();
        progress.jobs.retain(|t| t.remote_branch != job.remote_branch);
        if progress.jobs.len() == before {
            return Ok(());
        }
        self.save(&progress)
    }

    /// Tells how the jobs that ended did, for `--status`, while others are
    /// still in progress.
    pub fn record_done(&self, done: impl IntoIterator<Item = crate::plan::ended::Done>) -> Result<()> {
        let mut progress = self.lock();
        if progress.jobs.is_empty() {
            return Ok(());
        }
        progress
            .done
            .extend(done.into_iter().map(crate::plan::ended::Saved::Done));
        self.save(&progress)
    }
}

/// Refuses to push without `--yes` when nobody can be asked.
pub fn check_can_push(interactive: bool, yes: bool, dry_run: bool) -> Result<()> {
    if dry_run || yes || interactive {
        return Ok(());
    }
    Err(
        failed("refusing to push without confirmation: standard input is not a terminal")
            .hint("pass --yes to push and open the pull request without asking, or --dry-run to only apply")
            .into(),
    )
}

/// Finds the token and makes the GitHub client for the API at `api.0`, the
/// web host `api.1`.
pub fn connect<'a>(
    session: &Session<'a>,
    api: (&str, &str),
    policy: Policy,
    interactive: bool,
) -> Result<(token::Found, GitHub<'a>)> {
    let (api_url, web_host) = api;
    let lookup = token::Lookup {
        git: &session.git,
        dir: &session.located.toplevel,
        web_host,
        interactive,
    };
    let out = session.out;
    let found = token::find(session.env, out, &lookup)?;
    let github = GitHub::new(api_url, web_host, found.token.clone(), found.source.name(), policy, out)?;
    Ok((found, github))
}

/// `connect` with the API and the network policy of a run's settings.
pub fn connect_for<'a>(
    session: &Session<'a>,
    settings: &crate::cli::settings::Settings,
    interactive: bool,
) -> Result<(token::Found, GitHub<'a>)> {
    let options = &settings.options;
    connect(
        session,
        (&options.api_url, &options.web_host),
        settings.policy,
        interactive,
    )
}

/// A new run's id: its process and when it began, which no other run in
/// this repository shares (one runs at a time).
pub fn new_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{now}", std::process::id())
}

/// An error caused by Ctrl-C becomes an `Interrupted` failure that says what
/// was left behind.
pub fn interrupted_or(error: anyhow::Error, left: &str) -> anyhow::Error {
    if !signals::interrupted() || crate::errors::kind_of(&error) == Kind::Interrupted {
        return error;
    }
    Failure::new(Kind::Interrupted, format!("interrupted: {left}"))
        .because(error)
        .into()
}
