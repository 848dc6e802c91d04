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

/// The hints while a lone job waits at the terminal for the user: what to
/// fix, and that the answer there goes on (no `--continue` while it waits).
pub fn wait_steps(phase: PhaseKind, dry_run: bool, worktree: &Path) -> Vec<String> {
    let worktree = worktree.display();
    let fix = match phase {
        PhaseKind::Conflict => format!(
            "resolve the conflicts in {worktree}: edit the files and `git add` them (running `git am --continue` there yourself is fine too)"
        ),
        _ => format!("fix the cause shown above in {worktree}"),
    };
    let then = if dry_run {
        "then answer y below: the rest is applied and left on a local branch (a dry run: nothing is pushed)"
    } else {
        "then answer y below: the rest is applied, pushed and the pull request opened, with no other question"
    };
    vec![
        fix,
        then.to_string(),
        "any other answer stops here and keeps the work for `git cherry-pick-pr --continue` (or `--abort`)".to_string(),
    ]
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
    /// `name`: the job's, when several are in progress.
    WorkKept { name: Option<&'a str> },
    /// Interrupted while the `--exec` command ran; the job is saved.
    ExecKept { name: Option<&'a str> },
    /// Interrupted while waiting at the terminal for a conflict.
    ConflictKept { name: Option<&'a str> },
    /// Interrupted at the editor; the picked commits are saved.
    EditKept { name: Option<&'a str> },
    /// Interrupted while pushing or opening; the picked commits are saved.
    PublishKept { name: Option<&'a str> },
    /// A run is refused while a stopped one keeps the same job.
    InProgress { name: Option<&'a str> },
    /// A run finds worktrees left by one that did not finish.
    LeftoverWorktrees,
    /// The saved state cannot be read.
    ClearUnreadable,
    /// Several jobs are in progress and none is named: `action` (`--continue`
    /// or `--abort`) one of them, such as `example`.
    NameOne { action: &'a str, example: &'a str },
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
    ForkMoved { name: Option<&'a str> },
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
    /// A job removed before it was pushed, since the tool made it alone.
    Redo,
}

impl std::fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = |name: &Option<&str>| name.map(|n| format!(" {n}")).unwrap_or_default();
        let text = match self {
            Hint::WorkKept { name: n } => {
                format!(
                    "the work is kept: run `git cherry-pick-pr --continue{}` or `--abort{}`",
                    name(n),
                    name(n)
                )
            }
            Hint::ExecKept { name: n } => {
                format!(
                    "the work is kept: `git cherry-pick-pr --continue{}` runs the command again",
                    name(n)
                )
            }
            Hint::ConflictKept { name: n } => format!(
                "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue{}`, or `--abort{}`",
                name(n),
                name(n)
            ),
            Hint::EditKept { name: n } => format!(
                "the picked commits are kept: run `git cherry-pick-pr --continue{}`, or `--abort{}`",
                name(n),
                name(n)
            ),
            Hint::PublishKept { name: n } => format!(
                "the picked commits are kept: run `git cherry-pick-pr --continue{}` to push and open the pull request, or `--abort{}`",
                name(n),
                name(n)
            ),
            Hint::InProgress { name: n } => format!(
                "finish it with `git cherry-pick-pr --continue{}`, or drop it with `git cherry-pick-pr --abort{}`",
                name(n),
                name(n)
            ),
            Hint::LeftoverWorktrees => {
                "`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them".to_string()
            }
            Hint::ClearUnreadable => "run `git cherry-pick-pr --abort` to clear it".to_string(),
            Hint::NameOne { action, example } => {
                format!("name the one to act on, e.g. `git cherry-pick-pr {action} {example}`")
            }
            Hint::CleanUp => "run `git cherry-pick-pr --abort` to clean up, then start again".to_string(),
            Hint::AmFinishedByHand => {
                "`git am` was finished by hand in the worktree; `--continue` goes on from there".to_string()
            }
            Hint::StatusUnreadable => "git cherry-pick-pr --abort (clears it)".to_string(),
            Hint::StatusCleanUp => "git cherry-pick-pr --abort (cleans up), then start again".to_string(),
            Hint::StatusLeftovers => "git cherry-pick-pr --abort (removes them)".to_string(),
            Hint::ForkMoved { name: n } => format!(
                "run the same command again (or `git cherry-pick-pr --continue{}`) to check it again",
                name(n)
            ),
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
                format!(
                    "to push over {them}: `git cherry-pick-pr --continue{} --force`",
                    name(n)
                )
            }
            Hint::LeaveBranch { name: n } => {
                format!("to leave the branch as it is: `git cherry-pick-pr --abort{}`", name(n))
            }
            Hint::EditorEmpty => {
                "nothing is pushed, and `git cherry-pick-pr --continue` takes it up again.".to_string()
            }
            Hint::Redo => {
                "nothing in it was resolved by hand, so it was removed: run the same command again to redo it"
                    .to_string()
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
                Hint::WorkKept { name: None },
                "the work is kept: run `git cherry-pick-pr --continue` or `--abort`",
            ),
            (
                Hint::WorkKept {
                    name: Some("release-3.0"),
                },
                "the work is kept: run `git cherry-pick-pr --continue release-3.0` or `--abort release-3.0`",
            ),
            (
                Hint::ExecKept { name: None },
                "the work is kept: `git cherry-pick-pr --continue` runs the command again",
            ),
            (
                Hint::ConflictKept { name: None },
                "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue`, or `--abort`",
            ),
            (
                Hint::ConflictKept { name: Some("b") },
                "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue b`, or `--abort b`",
            ),
            (
                Hint::EditKept { name: Some("b") },
                "the picked commits are kept: run `git cherry-pick-pr --continue b`, or `--abort b`",
            ),
            (
                Hint::PublishKept { name: None },
                "the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`",
            ),
            (
                Hint::InProgress {
                    name: Some("upstream/release-3.1"),
                },
                "finish it with `git cherry-pick-pr --continue upstream/release-3.1`, or drop it with `git cherry-pick-pr --abort upstream/release-3.1`",
            ),
            (
                Hint::LeftoverWorktrees,
                "`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them",
            ),
            (Hint::ClearUnreadable, "run `git cherry-pick-pr --abort` to clear it"),
            (
                Hint::NameOne {
                    action: "--abort",
                    example: "upstream/release-3.2",
                },
                "name the one to act on, e.g. `git cherry-pick-pr --abort upstream/release-3.2`",
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
                Hint::ForkMoved { name: Some("b") },
                "run the same command again (or `git cherry-pick-pr --continue b`) to check it again",
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
