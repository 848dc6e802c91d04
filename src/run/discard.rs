//! Leaving nothing behind: a job that stops in a run whose plan says so
//! (`--from-event`, where nobody is there to `--continue`) is discarded by
//! the flow itself: the branch it pushed for a pull request that was not
//! opened is deleted, its worktree and local branch are removed, and it is
//! forgotten. `--abort` removes a job the same way.

use std::path::Path;

use anyhow::Result;

use super::Run;
use crate::git::Git;
use crate::output::Output;
use crate::plan::state::{JobState, Phase, Pushed};
use crate::stages::apply;

/// Discards a stopped job, noting on it what became of a branch it pushed.
pub fn discard(run: &Run<'_>, job: &mut JobState) -> Result<()> {
    // Pushed, and no pull request opened for it: the branch goes too.
    if job.phase == Phase::Open {
        job.pushed = Some(delete_pushed(&run.git, run.out, &run.toplevel, &run.plan.fork, job));
    }
    remove(&run.git, run.out, &run.toplevel, job);
    run.forget_job(job)
}

/// Removes a job's worktree (after stopping a `git am` there) and local branch.
pub fn remove(git: &Git<'_>, out: &Output, toplevel: &Path, ts: &JobState) {
    if ts.worktree.join(".git").exists() && apply::am_in_progress(git, &ts.worktree).unwrap_or(false) {
        let _ = git.am_abort(&ts.worktree);
    }
    apply::remove_worktree(*git, out, toplevel, &ts.worktree, Some(&ts.local_branch), false);
    out.step(&format!(
        "Aborted the cherry-pick onto {}: removed {} and branch {}",
        ts.name(),
        ts.worktree.display(),
        ts.local_branch
    ));
}

/// Deletes the branch `job` pushed to `fork`, with git (as it was pushed,
/// with the same credentials and hooks), and only while it still holds what
/// this run pushed (a lease on the local branch's tip): a push made since,
/// by anyone, is never lost.
fn delete_pushed(git: &Git<'_>, out: &Output, dir: &Path, fork: &str, job: &JobState) -> Pushed {
    let name = &job.remote_branch;
    let local = format!("refs/heads/{}", job.local_branch);
    let tip = match git.resolve(dir, &local) {
        Ok(Some(tip)) => tip,
        Ok(None) | Err(_) => {
            return Pushed::Left {
                why: "what was pushed is not known any more, so it was not deleted".to_string(),
            };
        }
    };
    let lease = format!("--force-with-lease=refs/heads/{name}:{tip}");
    let refspec = format!(":refs/heads/{name}");
    let deleted = git.capture(dir, &["push", "--porcelain", &lease, fork, &refspec], None);
    match deleted {
        Ok(done) if done.success => {
            out.step(&format!(
                "Deleted the branch {name} from {fork}: no pull request was opened for it"
            ));
            Pushed::Deleted
        }
        Ok(refused) if refused.stdout.contains("(stale info)") => Pushed::Left {
            why: "it no longer holds what this run pushed, so it was not deleted".to_string(),
        },
        Ok(refused) => Pushed::Left {
            why: format!("deleting it failed: {}", one_line(&refused.stderr)),
        },
        Err(error) => Pushed::Left {
            why: format!("deleting it failed: {}", one_line(&error.to_string())),
        },
    }
}

/// git's words on one line, for a sentence.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
