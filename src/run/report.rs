//! How a run's jobs ended, and what the user is told of it: the URLs (or,
//! with `--json`, one JSON array of the jobs) on stdout in the order of the
//! jobs, errors and a summary on stderr, and the exit code's kind.

use serde::Serialize;

use crate::errors;
use crate::output::Output;
use crate::plan::ended::{Done, Ended, Wording};
use crate::plan::state::JobState;

/// How one job ended.
pub enum Outcome {
    /// A pull request was opened, or (`existed`) one already open was updated.
    Published { url: String, existed: bool },
    /// Dry run: the picked commits are on a local branch.
    DryRun { branch: String },
    /// Every pull request was already on the target: nothing to do.
    AlreadyPresent,
    /// Nothing is left to push: the user skipped the rest by hand.
    SkippedByHand,
    /// Stopped for the user (conflicts: exit 3; a failed push or command:
    /// exit 1); the state is saved for `--continue`. `conflicts`: the files
    /// in conflict, if any.
    Stopped {
        error: anyhow::Error,
        conflicts: Vec<String>,
    },
    /// Failed; nothing of it is left.
    Failed(anyhow::Error),
}

impl Outcome {
    /// How the job ended, without the error itself: what is saved and shown.
    /// A stop or failure on conflicts is a conflict, any other a failure.
    pub fn ended(&self) -> Ended {
        match self {
            Outcome::Published { url, existed: false } => Ended::Opened { url: url.clone() },
            Outcome::Published { url, existed: true } => Ended::Updated { url: url.clone() },
            Outcome::DryRun { branch } => Ended::DryRun { branch: branch.clone() },
            Outcome::AlreadyPresent => Ended::AlreadyApplied,
            Outcome::SkippedByHand => Ended::SkippedByHand,
            Outcome::Stopped { error, .. } | Outcome::Failed(error) => {
                let error_line = first_line(error);
                if errors::kind_of(error) == errors::Kind::Conflict {
                    Ended::Conflict { error: error_line }
                } else {
                    Ended::Failed { error: error_line }
                }
            }
        }
    }

    /// A stop with nothing in conflict.
    pub fn stopped(error: anyhow::Error) -> Outcome {
        Outcome::Stopped {
            error,
            conflicts: Vec::new(),
        }
    }
}

/// One job and how it ended.
pub struct Report {
    /// The job as far as it got: target, pull requests picked and skipped,
    /// its branches and worktree.
    pub job: JobState,
    pub outcome: Outcome,
}

/// What stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The URLs (or dry-run branches), one a line.
    Text,
    /// One JSON array with an object per job (`--json`).
    Json,
}

impl Report {
    /// A target that ended (not one stopped for the user), as `--status`
    /// shows it: `upstream/release-3.1: opened https://…`.
    pub fn done(&self) -> Option<Done> {
        if let Outcome::Stopped { .. } = self.outcome {
            return None;
        }
        Some(Done {
            target: self.job.name(),
            prs: self.job.prs.clone(),
            ended: self.outcome.ended(),
        })
    }

    /// The job as `--json` prints it.
    fn json(&self) -> JobJson<'_> {
        let job = &self.job;
        let outcome = self.outcome.ended().label(Wording::Json);
        let (url, local_branch) = match &self.outcome {
            Outcome::Published { url, .. } => (Some(url.as_str()), None),
            Outcome::DryRun { branch } => (None, Some(branch.as_str())),
            Outcome::Stopped { .. } => (None, kept(job).then_some(job.local_branch.as_str())),
            Outcome::AlreadyPresent | Outcome::SkippedByHand | Outcome::Failed(_) => (None, None),
        };
        let (error, conflicts) = match &self.outcome {
            Outcome::Stopped { error, conflicts } => (Some(error), conflicts.as_slice()),
            Outcome::Failed(error) => (Some(error), &[][..]),
            _ => (None, &[][..]),
        };
        // Only a stop keeps the worktree, for `--continue`.
        let kept = matches!(self.outcome, Outcome::Stopped { .. }) && kept(job);
        JobJson {
            target: job.name(),
            remote: &job.remote,
            base: &job.branch,
            prs: &job.prs,
            picked: &job.applied,
            skipped: &job.skipped,
            skipped_by_hand: &job.by_hand,
            branch: &job.remote_branch,
            outcome,
            url,
            local_branch,
            worktree: kept.then(|| job.worktree.display().to_string()),
            picked_as: &job.picked_as,
            conflicts,
            prerequisites: job.needs.iter().filter_map(|p| p.number).collect(),
            prerequisites_waiting: (job.needs.iter())
                .filter_map(|p| Some((p.number?.to_string(), p.waiting?)))
                .collect(),
            error: error.map(first_line),
        }
    }
}

/// One job on stdout with `--json`; README's "Machine-readable output" and
/// the man page (`--json`) describe each field.
#[derive(Debug, Serialize)]
struct JobJson<'a> {
    /// `upstream/release-3.1`.
    target: String,
    remote: &'a str,
    /// The target branch without its remote: the pull request's base.
    base: &'a str,
    /// The pull requests the job picks, in order.
    prs: &'a [u64],
    /// Those picked onto the target.
    picked: &'a [u64],
    /// Those already on the target.
    skipped: &'a [u64],
    /// Those skipped while resolving (`git am --skip` in the worktree).
    skipped_by_hand: &'a [u64],
    /// The branch pushed to the fork (also for a job that pushed nothing).
    branch: &'a str,
    outcome: &'static str,
    /// The pull request opened or updated.
    url: Option<&'a str>,
    /// The local branch left with the commits (a dry run, a stop).
    local_branch: Option<&'a str>,
    /// The worktree kept for `--continue` (a stop).
    worktree: Option<String>,
    /// The files in conflict (a stop on conflicts).
    conflicts: &'a [String],
    /// The earlier pull requests the one stopped on needs and the target
    /// lacks, in merge order (a stop on conflicts).
    prerequisites: Vec<u64>,
    /// Of those, the ones waiting in an open pull request against the
    /// target that is their cherry pick: `{"3805": 4001}`; left out when
    /// none is.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    prerequisites_waiting: std::collections::BTreeMap<String, u64>,
    /// The first line of what stopped or failed the job.
    error: Option<String>,
    /// What of each pull request is picked (`commits`, `squash`, `rebase`),
    /// when the run looked at how they landed.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    picked_as: &'a std::collections::BTreeMap<String, crate::plan::state::PickedAs>,
}

/// Whether a stopped job's worktree is still there: one removed since (a
/// workflow leaves nothing) is never named.
fn kept(job: &JobState) -> bool {
    job.worktree.is_dir()
}

/// The error's own message, first line only.
pub fn first_line(error: &anyhow::Error) -> String {
    error.to_string().lines().next().unwrap_or_default().to_string()
}

/// The jobs as `--json` prints them: one line, a JSON array.
pub fn jobs_json(reports: &[Report]) -> anyhow::Result<String> {
    let jobs: Vec<JobJson<'_>> = reports.iter().map(Report::json).collect();
    Ok(serde_json::to_string(&jobs)?)
}

/// URLs (or dry-run branches) on stdout, in the order of the targets, or
/// with `Format::Json` one JSON array of every job instead; the errors of
/// targets that stopped or failed, and with several targets a summary, on
/// stderr. Any failure makes the exit code 1, else any stop on conflicts 3.
pub fn report(reports: Vec<Report>, out: &Output, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        out.result_json(&jobs_json(&reports)?);
    }
    let text = format == Format::Text;
    let several = reports.len() > 1;
    let mut worst: Option<anyhow::Error> = None;
    let mut summary = Vec::new();
    for Report { job, outcome } in reports {
        summary.push(format!(
            "  {:<24} {:<12} {}",
            job.name(),
            crate::text::PrList(&job.prs).to_string(),
            outcome.ended().words(Wording::Summary)
        ));
        match outcome {
            Outcome::Published { url: shown, .. } | Outcome::DryRun { branch: shown } => {
                if text {
                    out.result(&shown);
                }
            }
            Outcome::AlreadyPresent | Outcome::SkippedByHand => {}
            Outcome::Stopped { error, .. } | Outcome::Failed(error) => {
                let kind = errors::kind_of(&error);
                if several || worst.is_some() {
                    out.error(&error);
                }
                let replace = match &worst {
                    None => true,
                    Some(w) => errors::kind_of(w) == errors::Kind::Conflict && kind != errors::Kind::Conflict,
                };
                if replace {
                    worst = Some(error);
                }
            }
        }
    }
    if several {
        out.note(&format!("Summary:\n{}", summary.join("\n")));
    }
    match worst {
        Some(error) if several => Err(errors::Failure::new(errors::kind_of(&error), "not every target is done").into()),
        Some(error) => Err(error),
        None => Ok(()),
    }
}
