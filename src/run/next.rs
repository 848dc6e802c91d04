//! What to do next when a job stopped: the one author of every hint about
//! `--continue` and `--abort`, for errors and for `--status` alike. Pure, and
//! tested byte for byte.

use std::path::Path;

use crate::plan::state::Phase;

/// Where a stopped job is, as the hints need it.
#[derive(Debug, Clone, Copy)]
pub struct Stopped<'a> {
    pub phase: Phase,
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
        Phase::Conflict => Some(format!(
            "resolve the conflicts in {worktree}: edit the files and `git add` them (running `git am --continue` there yourself is fine too)"
        )),
        Phase::Retry => Some("fix the cause shown above".to_string()),
        Phase::Exec => Some("fix the command, or what made its commit fail".to_string()),
        Phase::Push | Phase::Open | Phase::Edit => None,
    };
    let does = match phase {
        Phase::Conflict => "applies the rest",
        Phase::Retry => "applies it again and the rest",
        Phase::Exec => "runs the command again in the worktree",
        Phase::Push => "checks the picked commits again",
        Phase::Open => "pushes the same commits again",
        Phase::Edit => "opens the editor again",
    };
    let publish = if dry_run {
        "leaves the result on a local branch (a dry run: nothing is pushed)"
    } else if phase == Phase::Open {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
