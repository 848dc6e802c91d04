//! What to do next when a job stopped: the one author of every hint about
//! `--continue` and `--abort`, for errors and for `--status` alike. Pure, and
//! tested byte for byte.

use std::path::Path;

use crate::plan::state::{Phase, PhaseKind};
use crate::text::PrNumber;

/// Where a stopped job is, as the hints need it.
#[derive(Debug, Clone, Copy)]
pub struct Stopped<'a> {
    pub phase: PhaseKind,
    /// The run is a dry run: nothing is pushed, even after `--continue`.
    pub dry_run: bool,
    /// The job's name when several are in progress (`--continue NAME`).
    pub name: Option<&'a str>,
    pub worktree: &'a Path,
}

/// The hints, in order: what to fix there (when anything), then what
/// `--continue` does, then what `--abort` does.
pub fn next_steps(stopped: Stopped<'_>) -> Vec<String> {
    let Stopped {
        phase,
        dry_run,
        name,
        worktree,
    } = stopped;
    let name = name.map(|n| format!(" {n}")).unwrap_or_default();
    let worktree = worktree.display();
    let fix = match phase {
        PhaseKind::Conflict => Some(format!(
            "resolve the conflicts in {worktree}: edit the files and `git add` them (running `git am --continue` there yourself is fine too)"
        )),
        PhaseKind::Retry => Some("fix the cause shown above".to_string()),
        PhaseKind::Exec => Some("fix the command, or what made its commit fail".to_string()),
        PhaseKind::Push | PhaseKind::Open | PhaseKind::Edit => None,
    };
    let does = match phase {
        PhaseKind::Conflict => "applies the rest",
        PhaseKind::Retry => "applies it again and the rest",
        PhaseKind::Exec => "runs the command again in the worktree",
        PhaseKind::Push => "checks the picked commits again",
        PhaseKind::Open => "pushes the same commits again",
        PhaseKind::Edit => "opens the editor again",
    };
    let publish = if dry_run {
        "leaves the result on a local branch (a dry run: nothing is pushed)"
    } else if phase == PhaseKind::Open {
        "opens the pull request"
    } else {
        "pushes and opens the pull request"
    };
    let then = if fix.is_some() { "then " } else { "" };
    let mut steps: Vec<String> = fix.into_iter().collect();
    steps.push(format!(
        "{then}`git cherry-pick-pr --continue{name}` {does}, then {publish}"
    ));
    steps.push(format!(
        "or `git cherry-pick-pr --abort{name}` removes the worktree and branch"
    ));
    steps
}

/// Where a job stopped, as `--status` says it.
pub fn where_stopped(phase: &Phase) -> String {
    match phase {
        Phase::Conflict { current, .. } => format!("stopped on conflicts in {}", PrNumber(*current)),
        Phase::Retry { current, .. } => format!(
            "stopped before {} was applied (not a conflict); `--continue` applies it again",
            PrNumber(*current)
        ),
        // Between two pull requests: the next one is applied.
        Phase::Applying => "stopped".to_string(),
        Phase::Push { .. } => "applied; not pushed yet".to_string(),
        Phase::Open => "pushed; the pull request is not opened yet".to_string(),
        Phase::Exec => "applied; the command to run after applying failed".to_string(),
        Phase::Edit => "applied; stopped at the editor (--edit): nothing pushed yet".to_string(),
    }
}

/// How the same work is tried again once it is saved (GitHub's errors say
/// `run <this> after …`).
pub const CONTINUE: &str = "`git cherry-pick-pr --continue`";

/// Every other hint about `--continue` and `--abort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint<'a> {
    /// Interrupted (after `interrupted: `) while applying; the job is saved.
    WorkKept,
    /// Interrupted while the `--exec` command ran; the job is saved.
    ExecKept,
    /// Interrupted while waiting at the terminal for a conflict.
    ConflictKept,
    /// Interrupted at the editor; the picked commits are saved.
    EditKept,
    /// Interrupted while pushing or opening; the picked commits are saved.
    PublishKept,
    /// A run is refused while another is in progress.
    InProgress,
    /// A run finds worktrees left by one that did not finish.
    LeftoverWorktrees,
    /// The saved state cannot be read.
    ClearUnreadable,
    /// Several jobs are in progress and none is named.
    NameOne,
    /// A job's worktree or branch is gone.
    CleanUp,
    /// Noted when `git am` was finished by hand in the worktree.
    AmFinishedByHand,
    /// `--status`, after `next: `: the saved state cannot be read.
    StatusUnreadable,
    /// `--status`, after `next: `: a job's worktree or branch is gone.
    StatusCleanUp,
    /// `--status`, after `next: `: worktrees left by a run that did not finish.
    StatusLeftovers,
    /// The fork branch moved while it was checked.
    ForkMoved,
    /// A push that would remove commits not the tool's (`them`: `it` or
    /// `them`): keep them by picking `shas` in `worktree`.
    KeepForeign {
        them: &'a str,
        worktree: &'a Path,
        shas: &'a str,
        name: Option<&'a str>,
    },
    /// … or push over them.
    PushOver { them: &'a str, name: Option<&'a str> },
    /// … or leave the fork branch as it is.
    LeaveBranch { name: Option<&'a str> },
    /// The end of the editor's note: what an empty title or body does.
    EditorEmpty,
}

impl std::fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = |name: &Option<&str>| name.map(|n| format!(" {n}")).unwrap_or_default();
        let text = match self {
            Hint::WorkKept => "the work is kept: run `git cherry-pick-pr --continue` or `--abort`".to_string(),
            Hint::ExecKept => "the work is kept: `git cherry-pick-pr --continue` runs the command again".to_string(),
            Hint::ConflictKept => {
                "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue`, or `--abort`"
                    .to_string()
            }
            Hint::EditKept => "the picked commits are kept: run `git cherry-pick-pr --continue`, or `--abort`".to_string(),
            Hint::PublishKept => "the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`".to_string(),
            Hint::InProgress => {
                "finish it with `git cherry-pick-pr --continue`, or drop it with `git cherry-pick-pr --abort`".to_string()
            }
            Hint::LeftoverWorktrees => {
                "`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them".to_string()
            }
            Hint::ClearUnreadable => "run `git cherry-pick-pr --abort` to clear it".to_string(),
            Hint::NameOne => "name the one to act on, e.g. `git cherry-pick-pr --continue release-3.0`".to_string(),
            Hint::CleanUp => "run `git cherry-pick-pr --abort` to clean up, then start again".to_string(),
            Hint::AmFinishedByHand => {
                "`git am` was finished by hand in the worktree; `--continue` goes on from there".to_string()
            }
            Hint::StatusUnreadable => "git cherry-pick-pr --abort (clears it)".to_string(),
            Hint::StatusCleanUp => "git cherry-pick-pr --abort (cleans up), then start again".to_string(),
            Hint::StatusLeftovers => "git cherry-pick-pr --abort (removes them)".to_string(),
            Hint::ForkMoved => {
                "run the same command again (or `git cherry-pick-pr --continue`) to check it again".to_string()
            }
            Hint::KeepForeign {
                them,
                worktree,
                shas,
                name: n,
            } => format!(
                "to keep {them}, add {them} to the pick: `git -C {} cherry-pick {shas}`, then `git cherry-pick-pr --continue{}`",
                worktree.display(),
                name(n)
            ),
            Hint::PushOver { them, name: n } => {
                format!("to push over {them}: `git cherry-pick-pr --continue{} --force`", name(n))
            }
            Hint::LeaveBranch { name: n } => {
                format!("to leave the branch as it is: `git cherry-pick-pr --abort{}`", name(n))
            }
            Hint::EditorEmpty => {
                "nothing is pushed, and `git cherry-pick-pr --continue` takes it up again.".to_string()
            }
        };
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::state::PhaseKind as Phase;

    fn steps(phase: Phase, dry_run: bool, name: Option<&str>) -> Vec<String> {
        next_steps(Stopped {
            phase,
            dry_run,
            name,
            worktree: Path::new("/r/.git/cherry-pick-pr/wt"),
        })
    }

    #[test]
    fn a_conflict_says_where_to_resolve_then_continue_and_abort() {
        assert_eq!(
            steps(Phase::Conflict, false, None),
            [
                "resolve the conflicts in /r/.git/cherry-pick-pr/wt: edit the files and `git add` them (running `git am --continue` there yourself is fine too)",
                "then `git cherry-pick-pr --continue` applies the rest, then pushes and opens the pull request",
                "or `git cherry-pick-pr --abort` removes the worktree and branch",
            ]
        );
    }

    #[test]
    fn a_dry_run_never_promises_a_push() {
        assert_eq!(
            steps(Phase::Retry, true, Some("release-3.0")),
            [
                "fix the cause shown above",
                "then `git cherry-pick-pr --continue release-3.0` applies it again and the rest, then leaves the result on a local branch (a dry run: nothing is pushed)",
                "or `git cherry-pick-pr --abort release-3.0` removes the worktree and branch",
            ]
        );
    }

    #[test]
    fn after_applying_nothing_is_left_to_fix_here() {
        assert_eq!(
            steps(Phase::Push, false, None),
            [
                "`git cherry-pick-pr --continue` checks the picked commits again, then pushes and opens the pull request",
                "or `git cherry-pick-pr --abort` removes the worktree and branch",
            ]
        );
        assert_eq!(
            steps(Phase::Open, false, None)[0],
            "`git cherry-pick-pr --continue` pushes the same commits again, then opens the pull request"
        );
        assert_eq!(
            steps(Phase::Edit, false, Some("release-3.0")),
            [
                "`git cherry-pick-pr --continue release-3.0` opens the editor again, then pushes and opens the pull request",
                "or `git cherry-pick-pr --abort release-3.0` removes the worktree and branch",
            ]
        );
        assert_eq!(
            steps(Phase::Exec, false, None),
            [
                "fix the command, or what made its commit fail",
                "then `git cherry-pick-pr --continue` runs the command again in the worktree, then pushes and opens the pull request",
                "or `git cherry-pick-pr --abort` removes the worktree and branch",
            ]
        );
    }

    #[test]
    fn status_says_where_each_phase_stopped() {
        use crate::plan::state::Phase;
        let base = String::new;
        assert_eq!(
            where_stopped(&Phase::Conflict {
                current: 7,
                base: base()
            }),
            "stopped on conflicts in #7"
        );
        assert_eq!(
            where_stopped(&Phase::Retry {
                current: 7,
                base: base()
            }),
            "stopped before #7 was applied (not a conflict); `--continue` applies it again"
        );
        assert_eq!(where_stopped(&Phase::Applying), "stopped");
        assert_eq!(
            where_stopped(&Phase::Push { exec_done: true }),
            "applied; not pushed yet"
        );
        assert_eq!(
            where_stopped(&Phase::Open),
            "pushed; the pull request is not opened yet"
        );
        assert_eq!(
            where_stopped(&Phase::Exec),
            "applied; the command to run after applying failed"
        );
        assert_eq!(
            where_stopped(&Phase::Edit),
            "applied; stopped at the editor (--edit): nothing pushed yet"
        );
    }

    #[test]
    fn every_other_hint_is_worded_here() {
        let wt = Path::new("/r/wt");
        let cases: Vec<(Hint<'_>, &str)> = vec![
            (
                Hint::WorkKept,
                "the work is kept: run `git cherry-pick-pr --continue` or `--abort`",
            ),
            (
                Hint::ExecKept,
                "the work is kept: `git cherry-pick-pr --continue` runs the command again",
            ),
            (
                Hint::ConflictKept,
                "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue`, or `--abort`",
            ),
            (
                Hint::EditKept,
                "the picked commits are kept: run `git cherry-pick-pr --continue`, or `--abort`",
            ),
            (
                Hint::PublishKept,
                "the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`",
            ),
            (
                Hint::InProgress,
                "finish it with `git cherry-pick-pr --continue`, or drop it with `git cherry-pick-pr --abort`",
            ),
            (
                Hint::LeftoverWorktrees,
                "`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them",
            ),
            (Hint::ClearUnreadable, "run `git cherry-pick-pr --abort` to clear it"),
            (
                Hint::NameOne,
                "name the one to act on, e.g. `git cherry-pick-pr --continue release-3.0`",
            ),
            (
                Hint::CleanUp,
                "run `git cherry-pick-pr --abort` to clean up, then start again",
            ),
            (
                Hint::AmFinishedByHand,
                "`git am` was finished by hand in the worktree; `--continue` goes on from there",
            ),
            (Hint::StatusUnreadable, "git cherry-pick-pr --abort (clears it)"),
            (
                Hint::StatusCleanUp,
                "git cherry-pick-pr --abort (cleans up), then start again",
            ),
            (Hint::StatusLeftovers, "git cherry-pick-pr --abort (removes them)"),
            (
                Hint::ForkMoved,
                "run the same command again (or `git cherry-pick-pr --continue`) to check it again",
            ),
            (
                Hint::KeepForeign {
                    them: "them",
                    worktree: wt,
                    shas: "1234567 89abcde",
                    name: Some("release-3.0"),
                },
                "to keep them, add them to the pick: `git -C /r/wt cherry-pick 1234567 89abcde`, then `git cherry-pick-pr --continue release-3.0`",
            ),
            (
                Hint::PushOver { them: "it", name: None },
                "to push over it: `git cherry-pick-pr --continue --force`",
            ),
            (
                Hint::LeaveBranch {
                    name: Some("release-3.0"),
                },
                "to leave the branch as it is: `git cherry-pick-pr --abort release-3.0`",
            ),
            (
                Hint::EditorEmpty,
                "nothing is pushed, and `git cherry-pick-pr --continue` takes it up again.",
            ),
        ];
        for (hint, text) in cases {
            assert_eq!(hint.to_string(), text);
        }
        assert_eq!(CONTINUE, "`git cherry-pick-pr --continue`");
    }
}
