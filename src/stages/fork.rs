//! What the fork already has: its branches' tips, learnt with one `git
//! ls-remote` while the run fetches from the upstream; from them, what a push
//! would replace (see `overwrite`) and whether it needs git's push
//! negotiation.

use std::path::Path;

use crate::git::ops::RemoteRef;
use crate::git::{Git, GitError};
use crate::output::Output;

/// The fork's branches as `git ls-remote --heads` listed them, with their tips.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heads(Vec<RemoteRef>);

impl Heads {
    /// The tip of `refs/heads/<branch>`; `None` when the fork has no such
    /// branch.
    pub fn tip(&self, branch: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|head| head.name == branch)
            .map(|head| head.tip.as_str())
    }
}

/// The fork's branches' tips, or `None` when they cannot be listed (an
/// unreachable fork, credentials someone would have to type): not knowing
/// is no error, the push then negotiates. Never asks anything: the fetch
/// from the upstream, running meanwhile, may be asking the user.
pub fn heads(git: &Git<'_>, dir: &Path, fork: &str) -> Option<Heads> {
    git.ls_remote_heads_unasked(dir, fork).ok().map(Heads)
}

/// The tip of the fork's `branch`, asked of the fork (when the run did not
/// list its branches: `--continue`, or the listing failed); `None` when the
/// fork has no such branch. The user's credentials apply, as for the push.
pub fn branch_tip(git: &Git<'_>, dir: &Path, fork: &str, branch: &str) -> Result<Option<String>, GitError> {
    Ok(Heads(git.ls_remote_heads(dir, fork, &[branch])?)
        .tip(branch)
        .map(str::to_string))
}

/// Whether the push adds `-c push.negotiate=true`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    pub negotiate: bool,
    pub why: String,
}

/// Whether the push needs git's negotiation: not when `base` (the target's
/// tip the pick was made on) is reachable from the fork's branches that are
/// here too, since a plain push then sends only the picked commits' objects
/// (git leaves out what the branches it is told of reach). Else, or when
/// either is not known (a `--continue` run, a failed `ls-remote`), it does.
/// One `git rev-list` in `dir`, unless a branch is at `base` itself.
pub fn negotiation(git: &Git<'_>, dir: &Path, base: Option<&str>, heads: Option<&Heads>) -> Negotiation {
    let negotiate = |why: &str| Negotiation {
        negotiate: true,
        why: why.to_string(),
    };
    let Some(base) = base else {
        return negotiate("the commit the pick was made on is not known in this run");
    };
    let Some(Heads(tips)) = heads else {
        return negotiate("the fork's branches are not known (its `git ls-remote` failed or did not run)");
    };
    if tips.is_empty() {
        return negotiate("the fork has no branches");
    }
    let plain = Negotiation {
        negotiate: false,
        why: format!("{base} is on the fork's branches; a plain push sends only the picked commits"),
    };
    if tips.iter().any(|head| head.tip == base) {
        // The fork's branch is the target's tip: nothing to count.
        return plain;
    }
    // `--ignore-missing` leaves out the tips this repository lacks, as the
    // push does; `base` is here (the job's branch was made from it).
    let mut input = String::from("--not\n");
    for head in tips {
        input.push_str(&head.tip);
        input.push('\n');
    }
    let counted = git
        .capture(
            dir,
            &["rev-list", "--count", "--ignore-missing", base, "--stdin"],
            Some(input.as_bytes()),
        )
        .ok()
        .and_then(|c| c.checked().ok())
        .and_then(|out| out.trim().parse::<u64>().ok());
    match counted {
        Some(0) => plain,
        Some(n) => Negotiation {
            negotiate: true,
            why: format!("the fork's branches lack {n} commit(s) of the target up to {base}"),
        },
        None => negotiate("could not tell whether the fork's branches have the target"),
    }
}

/// Says in `--debug` how the push was decided.
pub fn explain(out: &Output, decided: &Negotiation) {
    let how = if decided.negotiate {
        "the push negotiates"
    } else {
        "the push does not negotiate"
    };
    out.debug(|| format!("{how}: {}", decided.why));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with two commits, `first` and its child `second`.
    fn two_commits(git: &Git<'_>, dir: &Path) -> (String, String) {
        git.run(dir, &["init", "--quiet"]).expect("git init");
        let tree = git.run(dir, &["mktree"]).expect("git mktree").trim().to_string();
        let first = git
            .run(dir, &["commit-tree", "-m", "first", &tree])
            .expect("commit-tree");
        let first = first.trim().to_string();
        let second = git.run(dir, &["commit-tree", "-p", &first, "-m", "second", &tree]);
        (first, second.expect("commit-tree").trim().to_string())
    }

    #[test]
    fn the_push_negotiates_unless_the_forks_branches_reach_the_base() {
        let out = Output::new(false, true);
        let exe = crate::git::find().expect("git on PATH");
        // Not a repository, nor inside one.
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let ceiling = elsewhere
            .path()
            .parent()
            .unwrap_or(elsewhere.path())
            .display()
            .to_string();
        let env = [
            ("GIT_CEILING_DIRECTORIES", ceiling.as_str()),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_AUTHOR_NAME", "Test"),
            ("GIT_AUTHOR_EMAIL", "test@example.com"),
            ("GIT_COMMITTER_NAME", "Test"),
            ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ];
        let git = Git::new(&exe, &out).with_env(&env);
        let dir = tempfile::tempdir().expect("temp dir");
        let dir = dir.path();
        let (first, second) = two_commits(&git, dir);
        let missing = "1".repeat(40);
        let heads = |tips: &[&str]| {
            Heads(
                tips.iter()
                    .enumerate()
                    .map(|(i, t)| RemoteRef {
                        name: format!("b{i}"),
                        tip: t.to_string(),
                    })
                    .collect(),
            )
        };
        let negotiates = |base: Option<&str>, heads: Option<&Heads>| negotiation(&git, dir, base, heads).negotiate;

        // The fork's branch is at the base, or past it; tips not here are left out.
        assert!(!negotiates(Some(&second), Some(&heads(&[&second]))));
        assert!(!negotiates(Some(&first), Some(&heads(&[&missing, &second]))));
        // Behind the base, or without branches.
        assert!(negotiates(Some(&second), Some(&heads(&[&first]))));
        assert!(negotiates(Some(&second), Some(&heads(&[&missing]))));
        assert!(negotiates(Some(&second), Some(&Heads::default())));
        // Not known.
        assert!(negotiates(Some(&second), None));
        assert!(negotiates(None, Some(&heads(&[&second]))));
        // git cannot count (not in a repository): not known either; but a
        // branch at the base itself needs no counting.
        assert!(negotiation(&git, elsewhere.path(), Some(&first), Some(&heads(&[&second]))).negotiate);
        assert!(!negotiation(&git, elsewhere.path(), Some(&second), Some(&heads(&[&first, &second]))).negotiate);
    }
}
