//! The `--exec` command (`--regenerate-docs`): run in the worktree after the
//! pull requests are applied, through the user's shell; what it changes is
//! committed as one commit.

use std::path::Path;

use anyhow::Result;

use crate::errors::failed;
use crate::git::Git;
use crate::output::Output;

/// The commit message for what the command changed.
pub fn message(prs: &[u64]) -> String {
    format!(
        "Regenerate generated files after cherry-pick of {}",
        crate::text::PrList(prs)
    )
}

/// Whether a commit with `subject` and `body` is the one `run` makes for
/// some of `prs`: its message is `message` of them, and nothing else.
pub fn is_own(subject: &str, body: &str, prs: &[u64]) -> bool {
    let Some(listed) = subject.strip_prefix(&message(&[])) else {
        return false;
    };
    let numbers: Option<Vec<u64>> = listed
        .split(' ')
        .map(|n| n.strip_prefix('#').and_then(|n| n.parse().ok()))
        .collect();
    numbers.is_some_and(|numbers| {
        body.is_empty()
            && !numbers.is_empty()
            && numbers.iter().all(|n| prs.contains(n))
            && message(&numbers) == subject
    })
}

/// Runs `command` in `dir` and commits what it changed.
pub fn run(git: &Git<'_>, out: &Output, shell: &str, command: &str, dir: &Path, prs: &[u64]) -> Result<()> {
    out.step(&format!("Running `{command}` in the worktree"));
    let ran = git.shell(shell, command, dir)?;
    if !ran.success {
        let mut output = format!("{}{}", ran.stdout, ran.stderr);
        if output.trim().is_empty() {
            output = "(it printed nothing)".to_string();
        }
        return Err(failed(format!(
            "`{command}` failed in {}; nothing was pushed\n{}",
            dir.display(),
            output.trim_end()
        ))
        .into());
    }
    if !git.changed(dir)? {
        out.note("  it changed nothing");
        return Ok(());
    }
    let committed = git.commit_all(dir, &message(prs));
    if let Err(error) = committed {
        return Err(failed(format!(
            "committing what `{command}` changed failed in {}; nothing was pushed",
            dir.display()
        ))
        .hint("git's words below say why (a pre-commit or commit-msg hook?)")
        .because(error)
        .into());
    }
    out.note("  committed what it changed");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn its_own_commit_is_told_by_its_whole_message() {
        let own = super::message(&[1, 2]);
        assert!(super::is_own(&own, "", &[1, 2, 3]));
        assert!(super::is_own(&super::message(&[2]), "", &[1, 2]));
        // Another pull request, another body, or another spelling is not it.
        assert!(!super::is_own(&own, "", &[1]));
        assert!(!super::is_own(&own, "Also fixed a typo.", &[1, 2]));
        assert!(!super::is_own(
            "Regenerate generated files after cherry-pick of #01",
            "",
            &[1]
        ));
        assert!(!super::is_own(
            "Regenerate generated files after cherry-pick of ",
            "",
            &[1]
        ));
        assert!(!super::is_own("Apply suggestions from code review", "", &[1]));
    }

    #[test]
    fn message_names_the_picked_prs() {
        assert_eq!(
            super::message(&[3796]),
            "Regenerate generated files after cherry-pick of #3796"
        );
        assert_eq!(
            super::message(&[1, 2]),
            "Regenerate generated files after cherry-pick of #1 #2"
        );
    }
}
