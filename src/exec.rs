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
    let numbers: Vec<String> = prs.iter().map(|n| format!("#{n}")).collect();
    format!("Regenerate generated files after cherry-pick of {}", numbers.join(" "))
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
    let status = git.run(dir, &["status", "--porcelain", "-z", "--untracked-files=all"])?;
    if status.is_empty() {
        out.note("  it changed nothing");
        return Ok(());
    }
    let committed = git
        .run(dir, &["add", "--all"])
        .and_then(|_| git.run(dir, &["commit", "--quiet", "-m", &message(prs)]));
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
