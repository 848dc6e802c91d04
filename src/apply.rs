//! Applying: a new branch made from the target, checked out in a worktree
//! under the repository's git directory (never the user's checkout), and each
//! pull request's patch fed to `git am -3`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::errors::{Context, Failure, Kind, failed};
use crate::gather::Gathered;
use crate::git::Git;
use crate::output::Output;
use crate::settings::{Settings, Target};
use crate::text;

/// A worktree of the tool's own and the local branch checked out in it.
/// Dropping it removes both, unless told to keep them.
pub struct Worktree<'a> {
    git: Git<'a>,
    out: &'a Output,
    toplevel: PathBuf,
    pub path: PathBuf,
    pub branch: String,
    keep_worktree: bool,
    keep_branch: bool,
}

impl Worktree<'_> {
    /// Keeps the branch (with its commits) when dropped; the worktree goes.
    pub fn keep_branch(&mut self) {
        self.keep_branch = true;
    }
}

impl Drop for Worktree<'_> {
    fn drop(&mut self) {
        if !self.keep_worktree {
            let path = self.path.to_string_lossy().into_owned();
            if let Err(e) = self.git.run(&self.toplevel, &["worktree", "remove", "--force", &path]) {
                self.out.warn(&format!("could not remove the worktree {path}: {e}"));
            }
        }
        if !self.keep_branch {
            if let Err(e) = self.git.run(&self.toplevel, &["branch", "--quiet", "-D", &self.branch]) {
                self.out
                    .warn(&format!("could not delete the temporary branch {}: {e}", self.branch));
            }
        }
    }
}

/// The result of applying every pull request onto one target.
pub struct Applied<'a> {
    pub target: Target,
    /// The branch name pushed to the fork.
    pub remote_branch: String,
    pub worktree: Worktree<'a>,
    /// Pull requests whose changes were applied, in order.
    pub picked: Vec<u64>,
    /// Pull requests whose changes were already on the target.
    pub skipped: Vec<u64>,
    /// How many commits the branch has on top of the target.
    pub commits: usize,
}

/// Makes the branch and worktree for `target` and applies every patch.
pub fn apply<'a>(
    settings: &Settings,
    git: Git<'a>,
    out: &'a Output,
    target: &Target,
    gathered: &Gathered,
) -> Result<Applied<'a>> {
    let remote_branch = text::branch_name(&settings.prs, &target.remote, &target.branch);
    let worktree = add_worktree(settings, git, out, target, &remote_branch)?;
    let dir = worktree.path.clone();

    let mut picked = Vec::new();
    let mut skipped = Vec::new();
    let mut head = rev_parse_head(&git, &dir)?;
    for ((pull, patch), &number) in gathered.pulls.iter().zip(&gathered.patches).zip(&settings.prs) {
        out.step(&format!("Applying #{number}: {}", pull.title));
        let mut args = vec!["am", "-3", "--quiet"];
        if settings.signoff {
            args.push("--signoff");
        }
        let result = git.capture(&dir, &args, Some(patch))?;
        if !result.success {
            let conflicted = git
                .run(&dir, &["diff", "--name-only", "--diff-filter=U", "-z"])
                .unwrap_or_default();
            let files: Vec<&str> = conflicted.split('\0').filter(|f| !f.is_empty()).collect();
            let _ = git.run(&dir, &["am", "--abort"]);
            let mut failure = Failure::new(
                Kind::Conflict,
                format!("PR #{number} does not apply cleanly to {target}"),
            );
            if !files.is_empty() {
                failure = failure.hint(format!("conflicting files: {}", files.join(", ")));
            }
            return Err(match result.checked() {
                Err(e) => failure.because(e),
                Ok(_) => failure,
            }
            .into());
        }
        let new_head = rev_parse_head(&git, &dir)?;
        if new_head == head {
            out.note(&format!("  #{number} is already on {target}: skipped"));
            skipped.push(number);
        } else {
            picked.push(number);
        }
        head = new_head;
    }
    let count = git.run(
        &dir,
        &["rev-list", "--count", &format!("{}..HEAD", target.tracking_ref())],
    )?;
    let commits = count.trim().parse().unwrap_or(0);
    Ok(Applied {
        target: target.clone(),
        remote_branch,
        worktree,
        picked,
        skipped,
        commits,
    })
}

fn rev_parse_head(git: &Git<'_>, dir: &Path) -> Result<String> {
    Ok(git.run(dir, &["rev-parse", "HEAD"])?.trim().to_string())
}

/// A new local branch from the target's tip, checked out in a fresh worktree
/// under `<git common dir>/cherry-pick-pr/`.
fn add_worktree<'a>(
    settings: &Settings,
    git: Git<'a>,
    out: &'a Output,
    target: &Target,
    name: &str,
) -> Result<Worktree<'a>> {
    let branch = free_branch_name(&git, &settings.toplevel, name)?;
    let parent = settings.common_dir.join("cherry-pick-pr");
    std::fs::create_dir_all(&parent).failure(|| failed(format!("creating {}", parent.display())))?;
    let path = tempfile::Builder::new()
        .prefix(&format!(
            "{}-",
            text::branch_name(&settings.prs, "", &target.branch)
                .trim_start_matches("automated-cherry-pick-of-")
                .replace('#', "")
        ))
        .tempdir_in(&parent)
        .failure(|| failed(format!("creating a worktree directory in {}", parent.display())))?
        .keep();
    let path_text = path.to_string_lossy().into_owned();
    let added = git.run(
        &settings.toplevel,
        &[
            "worktree",
            "add",
            "--quiet",
            "--no-track",
            "-b",
            &branch,
            &path_text,
            &target.tracking_ref(),
        ],
    );
    if let Err(e) = added {
        let _ = std::fs::remove_dir_all(&path);
        return Err(failed(format!("creating a worktree for {target}")).because(e).into());
    }
    out.debug(|| format!("worktree {path_text} on branch {branch}"));
    Ok(Worktree {
        git,
        out,
        toplevel: settings.toplevel.clone(),
        path,
        branch,
        keep_worktree: false,
        keep_branch: false,
    })
}

/// `name`, or `name-2`, `name-3`… when a local branch of that name exists.
fn free_branch_name(git: &Git<'_>, dir: &Path, name: &str) -> Result<String> {
    let existing = git.run(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname:lstrip=2)",
            &format!("refs/heads/{name}"),
            &format!("refs/heads/{name}-*"),
        ],
    )?;
    let taken: Vec<&str> = existing.lines().collect();
    Ok(pick_free(name, &taken))
}

fn pick_free(name: &str, taken: &[&str]) -> String {
    if !taken.contains(&name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}-{i}"))
        .find(|n| !taken.contains(&n.as_str()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_never_collide() {
        assert_eq!(pick_free("b", &[]), "b");
        assert_eq!(pick_free("b", &["b"]), "b-2");
        assert_eq!(pick_free("b", &["b", "b-2", "b-3"]), "b-4");
        assert_eq!(pick_free("b", &["b-2"]), "b");
    }
}
