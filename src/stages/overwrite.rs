//! What a push would push away. Running again for the same pull requests and
//! target replaces the fork branch of the first run; before it does, the
//! commits on that branch are checked: each must be a pick of the same pull
//! requests (by patch id, `git patch-id --stable`, against what this run
//! picked and the pull requests' own patches) or the tool's own `--exec`
//! commit. Anything else (a reviewer's suggestion, a maintainer's fix) is
//! named, and the push is refused unless `--force`. The push then leases on
//! the tip that was checked, so that a push to the branch since is never lost.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Result;

use crate::errors::{Context, Failure, failed};
use crate::git::Git;
use crate::output::Output;
use crate::plan::next::Hint;
use crate::plan::state::JobState;
use crate::stages::verify::Local;

/// The fork branch as the push expects to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// It must not exist.
    Absent,
    /// It must be at this commit.
    At(String),
}

impl Lease {
    /// The push's `--force-with-lease=refs/heads/<branch>:<expect>`: an
    /// empty expect means the branch must not exist.
    pub fn arg(&self, branch: &str) -> String {
        let expect = match self {
            Lease::Absent => "",
            Lease::At(tip) => tip,
        };
        format!("--force-with-lease=refs/heads/{branch}:{expect}")
    }
}

/// A commit on the fork branch that the push would remove and that is not
/// the tool's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub short: String,
    pub subject: String,
    /// `Name <email>`.
    pub author: String,
}

/// What was found on the fork branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub lease: Lease,
    /// Its commits that are not the tool's, oldest first (at most `LISTED`).
    pub foreign: Vec<Foreign>,
    /// More such commits than `foreign` names, or more commits than were
    /// looked at.
    pub more: bool,
}

impl Checked {
    /// Whether the push removes nothing but the tool's own commits.
    pub fn only_ours(&self) -> bool {
        self.foreign.is_empty() && !self.more
    }
}

/// Where the check runs and what it compares with.
pub struct Job<'a> {
    pub git: &'a Git<'a>,
    pub out: &'a Output,
    /// The user's work tree (patch ids are read there).
    pub toplevel: &'a Path,
    /// The job's worktree, where its branch is checked out.
    pub worktree: &'a Path,
    pub fork: &'a str,
    pub upstream: &'a str,
    pub ts: &'a JobState,
    /// The pull requests' patches this run has (none of those applied before
    /// a `--continue`).
    pub patches: &'a HashMap<u64, Vec<u8>>,
    /// The fork's branches, when this run listed them.
    pub heads: Option<&'a crate::stages::fork::Heads>,
    /// The job's name in hints, when several are in progress.
    pub name: Option<&'a str>,
}

/// At most this many of the commits the push would remove are looked at.
const LISTED: usize = 50;

/// Checks the fork branch the job pushes to: its tip (from the listing of
/// the fork's branches, else asked of the fork), and, when the push would
/// replace it, whether what it removes is all the tool's. Fetches the
/// branch when its tip is not here (a reviewer pushed from elsewhere).
pub fn check(job: &Job<'_>) -> Result<Checked> {
    let branch = &job.ts.remote_branch;
    let tip = match job.heads {
        Some(heads) => heads.tip(branch).map(str::to_string),
        None => match crate::stages::fork::branch_tip(job.git, job.worktree, job.fork, branch) {
            Ok(tip) => tip,
            Err(error) => {
                // Not known: the push leases on "no such branch", so a branch
                // there is refused by git and nothing is lost.
                job.out
                    .debug(|| format!("the fork's {branch} could not be listed ({error})"));
                None
            }
        },
    };
    let Some(tip) = tip else {
        return Ok(Checked {
            lease: Lease::Absent,
            foreign: Vec::new(),
            more: false,
        });
    };
    let ours = format!("refs/heads/{}", job.ts.local_branch);
    let checking = || {
        failed(format!(
            "checking what the push would replace on `{}`'s {branch}; nothing was pushed",
            job.fork
        ))
    };
    if !present(job, &tip) {
        job.git
            .run(
                job.worktree,
                &[
                    "fetch",
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--refmap=",
                    "--quiet",
                    job.fork,
                    &format!("refs/heads/{branch}"),
                ],
            )
            .failure(checking)?;
        if !present(job, &tip) {
            return Err(failed(format!(
                "`{}`'s {branch} moved while it was being checked; nothing was pushed",
                job.fork
            ))
            .hint(Hint::ForkMoved { name: job.name }.to_string())
            .into());
        }
    }
    let mut removed = removed_commits(job, &tip, &ours).failure(checking)?;
    // Those past the newest `LISTED` are not looked at: not known to be ours.
    let capped = removed.len() > LISTED;
    if capped {
        removed.drain(..removed.len() - LISTED);
    }
    let foreign = not_ours(job, &ours, removed).failure(checking)?;
    let more = capped || foreign.len() > LISTED;
    Ok(Checked {
        lease: Lease::At(tip),
        foreign: foreign.into_iter().take(LISTED).collect(),
        more,
    })
}

/// Whether the commit `tip` is in the repository.
fn present(job: &Job<'_>, tip: &str) -> bool {
    job.git.has_commit(job.worktree, tip).unwrap_or(false)
}

/// A commit the push would remove, as `git log` shows it.
struct Removed {
    sha: String,
    short: String,
    merge: bool,
    author: String,
    subject: String,
    body: String,
}

/// The commits on `tip` that `ours` (the branch to push) lacks, oldest
/// first: the newest `LISTED`, and one more when there are more.
fn removed_commits(job: &Job<'_>, tip: &str, ours: &str) -> Result<Vec<Removed>> {
    let max = format!("--max-count={}", LISTED + 1);
    let listed = job.git.run(
        job.worktree,
        &[
            "log",
            "-z",
            &max,
            "--format=%H%x00%h%x00%P%x00%an <%ae>%x00%s%x00%b",
            tip,
            "--not",
            ours,
            "--",
        ],
    )?;
    let fields: Vec<&str> = listed.split('\0').collect();
    let mut removed: Vec<Removed> = fields
        .chunks(6)
        .filter(|c| c.len() == 6)
        .map(|c| Removed {
            sha: c[0].trim_start_matches('\n').to_string(),
            short: c[1].to_string(),
            merge: c[2].split_whitespace().count() > 1,
            author: c[3].to_string(),
            subject: c[4].to_string(),
            body: c[5].to_string(),
        })
        .collect();
    removed.reverse();
    Ok(removed)
}

/// Those of `removed` that are neither picks of the job's pull requests
/// (their patch id is one of the commits to push or of the pull requests'
/// patches) nor the tool's `--exec` commit.
fn not_ours(job: &Job<'_>, ours: &str, removed: Vec<Removed>) -> Result<Vec<Foreign>> {
    let candidates: Vec<Removed> = removed
        .into_iter()
        .filter(|c| c.merge || !crate::stages::exec::is_own(&c.subject, c.body.trim(), &job.ts.prs))
        .collect();
    let singles: Vec<&str> = candidates.iter().filter(|c| !c.merge).map(|c| c.sha.as_str()).collect();
    let ids = if singles.is_empty() {
        HashMap::new()
    } else {
        let target = format!("refs/remotes/{}/{}", job.ts.remote, job.ts.branch);
        let pushed = job
            .git
            .rev_list(job.worktree, &["--no-merges", ours, "--not", &target])?;
        let local = Local {
            git: job.git,
            dir: job.toplevel,
            upstream: job.upstream,
            out: job.out,
        };
        let mut commits: Vec<&str> = pushed.iter().map(String::as_str).collect();
        commits.extend(&singles);
        let ids = crate::stages::verify::commit_patch_ids(&local, &commits)?;
        let mut known: HashSet<String> = pushed.iter().filter_map(|c| ids.get(c)).cloned().collect();
        let series: Vec<Option<&[u8]>> = job
            .ts
            .prs
            .iter()
            .map(|n| job.patches.get(n).map(Vec::as_slice))
            .collect();
        if series.iter().any(Option::is_some) {
            for part in crate::stages::verify::all_patch_ids(&local, &series)?
                .into_iter()
                .flatten()
            {
                known.extend(part);
            }
        }
        singles
            .iter()
            .filter_map(|c| ids.get(*c).map(|id| (c.to_string(), known.contains(id))))
            .collect()
    };
    Ok(candidates
        .into_iter()
        .filter(|c| c.merge || !ids.get(&c.sha).copied().unwrap_or(false))
        .map(|c| Foreign {
            short: c.short,
            subject: crate::safe::one_line(&c.subject),
            author: crate::safe::one_line(&c.author),
        })
        .collect())
}

/// The commits, one a line: `    <short sha> <subject> (<author>)`.
fn listing(checked: &Checked) -> String {
    let mut lines = String::new();
    for commit in &checked.foreign {
        lines.push_str(&format!(
            "\n    {} {} ({})",
            commit.short, commit.subject, commit.author
        ));
    }
    if checked.more {
        lines.push_str("\n    … and more, not listed");
    }
    lines
}

/// "it" for one commit, "them" for more.
fn them(checked: &Checked) -> &'static str {
    if checked.foreign.len() == 1 && !checked.more {
        "it"
    } else {
        "them"
    }
}

/// `` `origin`'s <branch> has 1 commit that is not a pick of #3796 ``.
fn found(fork: &str, ts: &JobState, checked: &Checked) -> String {
    let these = if them(checked) == "it" {
        "1 commit that is not a pick"
    } else {
        "commits that are not picks"
    };
    format!(
        "`{fork}`'s {} has {these} of {}",
        ts.remote_branch,
        crate::text::PrList(&ts.prs)
    )
}

/// The refusal: which commits the push would remove, and how to keep them,
/// push over them or leave the branch alone. `name`: the job's name when
/// several are in progress.
pub fn refusal(fork: &str, ts: &JobState, checked: &Checked, name: Option<&str>) -> Failure {
    let them = them(checked);
    let message = format!(
        "{}: pushing would remove {them}, so nothing was pushed{}",
        found(fork, ts, checked),
        listing(checked)
    );
    let shas: Vec<&str> = checked.foreign.iter().map(|c| c.short.as_str()).collect();
    let shas = shas.join(" ");
    failed(message)
        .hint(
            Hint::KeepForeign {
                them,
                worktree: &ts.worktree,
                shas: &shas,
                name,
            }
            .to_string(),
        )
        .hint(Hint::PushOver { them, name }.to_string())
        .hint(Hint::LeaveBranch { name }.to_string())
}

/// The warning of `--force`: which commits it pushes over.
pub fn forced(fork: &str, ts: &JobState, checked: &Checked) -> String {
    format!(
        "{}; --force pushes over {}:{}",
        found(fork, ts, checked),
        them(checked),
        listing(checked)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_names_the_branch_and_the_tip_or_nothing() {
        assert_eq!(Lease::Absent.arg("b"), "--force-with-lease=refs/heads/b:");
        assert_eq!(
            Lease::At("abc".into()).arg("automated-cherry-pick-of-#1-upstream-r"),
            "--force-with-lease=refs/heads/automated-cherry-pick-of-#1-upstream-r:abc"
        );
    }

    #[test]
    fn the_refusal_names_each_commit_and_says_how_to_keep_or_overwrite_them() {
        let mut ts = JobState::new("upstream", "release-3.1", &[3796]);
        ts.worktree = "/r/.git/cherry-pick-pr/wt".into();
        let checked = Checked {
            lease: Lease::At("1".repeat(40)),
            foreign: vec![Foreign {
                short: "1234567".into(),
                subject: "Apply suggestions from code review".into(),
                author: "Rev <rev@example.com>".into(),
            }],
            more: false,
        };
        let failure = refusal("origin", &ts, &checked, None);
        assert_eq!(
            failure.message,
            "`origin`'s automated-cherry-pick-of-#3796-upstream-release-3.1 has 1 commit that is not a pick of #3796: pushing would remove it, so nothing was pushed\n    1234567 Apply suggestions from code review (Rev <rev@example.com>)"
        );
        assert_eq!(
            forced("origin", &ts, &checked),
            "`origin`'s automated-cherry-pick-of-#3796-upstream-release-3.1 has 1 commit that is not a pick of #3796; --force pushes over it:\n    1234567 Apply suggestions from code review (Rev <rev@example.com>)"
        );
        assert_eq!(
            failure.hints,
            [
                "to keep it, add it to the pick: `git -C /r/.git/cherry-pick-pr/wt cherry-pick 1234567`, then `git cherry-pick-pr --continue`",
                "to push over it: `git cherry-pick-pr --continue --force`",
                "to leave the branch as it is: `git cherry-pick-pr --abort`",
            ]
        );
    }
}
