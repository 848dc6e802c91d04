//! How a run's jobs ended, and what the user is told of it: the URLs on
//! stdout in the order of the jobs, errors and a summary on stderr, and the
//! exit code's kind.

use crate::errors;
use crate::output::Output;
use crate::state::JobState;

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
    /// exit 1); the state is saved for `--continue`.
    Stopped(anyhow::Error),
    /// Failed; nothing of it is left.
    Failed(anyhow::Error),
}

/// One job and how it ended.
pub struct Report {
    /// The job as far as it got: target, pull requests picked and skipped,
    /// its branches and worktree.
    pub job: JobState,
    pub outcome: Outcome,
}

impl Report {
    /// `upstream/release-3.1: opened https://…`, for a target that ended.
    pub fn done_line(&self) -> Option<String> {
        let how = match &self.outcome {
            Outcome::Published { url, existed: false } => format!("opened {url}"),
            Outcome::Published { url, existed: true } => format!("updated {url}"),
            Outcome::DryRun { branch } => format!("dry run, on local branch {branch}"),
            Outcome::AlreadyPresent => "already applied, nothing pushed".to_string(),
            Outcome::SkippedByHand => "skipped by hand, nothing pushed".to_string(),
            Outcome::Failed(error) => format!("failed: {}", first_line(error)),
            Outcome::Stopped(_) => return None,
        };
        Some(format!("{}: {how}", self.job.name()))
    }
}

/// `conflict` for a stop on conflicts (exit 3), else `failed` (exit 1).
fn conflict_or_failed(error: &anyhow::Error) -> &'static str {
    if errors::kind_of(error) == errors::Kind::Conflict {
        "conflict"
    } else {
        "failed"
    }
}

/// The error's own message, first line only.
fn first_line(error: &anyhow::Error) -> String {
    error.to_string().lines().next().unwrap_or_default().to_string()
}

/// URLs (or dry-run branches) on stdout, in the order of the targets; the
/// errors of targets that stopped or failed, and with several targets a
/// summary, on stderr. Any failure makes the exit code 1, else any stop on
/// conflicts 3.
pub fn report(reports: Vec<Report>, out: &Output) -> anyhow::Result<()> {
    let several = reports.len() > 1;
    let mut worst: Option<anyhow::Error> = None;
    let mut summary = Vec::new();
    for Report { job, outcome } in reports {
        let (result, detail) = match outcome {
            Outcome::Published { url, existed } => {
                out.result(&url);
                (if existed { "already existed" } else { "opened" }, url)
            }
            Outcome::DryRun { branch } => {
                out.result(&branch);
                ("dry run", format!("local branch {branch}"))
            }
            Outcome::AlreadyPresent => ("already applied", "nothing to push".to_string()),
            Outcome::SkippedByHand => ("skipped by hand", "nothing to push".to_string()),
            Outcome::Stopped(error) | Outcome::Failed(error) => {
                let kind = errors::kind_of(&error);
                let line = first_line(&error);
                let word = conflict_or_failed(&error);
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
                (word, line)
            }
        };
        summary.push(format!("  {:<24} {result:<16} {detail}", job.name()));
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
