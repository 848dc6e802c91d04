//! What the fork already has: its branches' tips, learnt with one `git
//! ls-remote` while the run fetches from the upstream; from them, what a push
//! would replace (see `overwrite`) and whether it needs git's push
//! negotiation.

use std::path::Path;

use crate::git::{Git, GitError};
use crate::output::Output;

/// The fork's branches as `git ls-remote --heads` listed them: each tip's
/// object name and its ref (`refs/heads/…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heads(Vec<(String, String)>);

impl Heads {
    /// The tip of `refs/heads/<branch>`; `None` when the fork has no such
    /// branch.
    pub fn tip(&self, branch: &str) -> Option<&str> {
        let wanted = format!("refs/heads/{branch}");
        self.0
            .iter()
            .find(|(_, name)| *name == wanted)
            .map(|(tip, _)| tip.as_str())
    }
}

/// Never asking: no terminal prompt from git, no askpass program (git's or
/// ssh's, which then fails at once). The fetch from the upstream, running
/// meanwhile, may be asking the user.
const NEVER_ASK: [(&str, &str); 4] = [
    ("GIT_TERMINAL_PROMPT", "0"),
    ("GIT_ASKPASS", ""),
    ("SSH_ASKPASS", "false"),
    ("SSH_ASKPASS_REQUIRE", "force"),
];

/// The fork's branches' tips, or `None` when they cannot be listed (an
/// unreachable fork, credentials someone would have to type): not knowing
/// is no error, the push then negotiates. Never asks anything.
pub fn heads(git: &Git<'_>, dir: &Path, fork: &str) -> Option<Heads> {
    let listed = git
        .capture_env(dir, &["ls-remote", "--heads", "--", fork], None, &NEVER_ASK)
        .ok()?
        .checked()
        .ok()?;
    Some(parse_heads(&listed))
}

/// The tip of the fork's `branch`, asked of the fork (when the run did not
/// list its branches: `--continue`, or the listing failed); `None` when the
/// fork has no such branch. The user's credentials apply, as for the push.
pub fn branch_tip(git: &Git<'_>, dir: &Path, fork: &str, branch: &str) -> Result<Option<String>, GitError> {
    let wanted = format!("refs/heads/{branch}");
    let listed = git.run(dir, &["ls-remote", "--heads", "--", fork, &wanted])?;
    Ok(parse_heads(&listed).tip(branch).map(str::to_string))
}

/// `git ls-remote`'s `<name>\t<ref>` lines: only object names, with their refs.
pub fn parse_heads(listed: &str) -> Heads {
    Heads(
        listed
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .filter(|(name, _)| !name.is_empty() && name.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|(name, reference)| (name.to_string(), reference.to_string()))
            .collect(),
    )
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
    if tips.iter().any(|(tip, _)| tip == base) {
        // The fork's branch is the target's tip: nothing to count.
        return plain;
    }
    // `--ignore-missing` leaves out the tips this repository lacks, as the
    // push does; `base` is here (the job's branch was made from it).
    let mut input = String::from("--not\n");
    for (tip, _) in tips {
        input.push_str(tip);
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

    /// Only object names reach `git rev-list --stdin`, where anything else
    /// (`--all`) would change what it counts.
    #[test]
    fn ls_remote_lines_give_their_object_names() {
        let listed = "1111111111111111111111111111111111111111\trefs/heads/main\n\
                      2222222222222222222222222222222222222222\trefs/heads/release-3.1\n\
                      not a line of ls-remote\n\
                      --all\trefs/heads/not-an-object-name\n\
                      \trefs/heads/no-object-name\n";
        let heads = parse_heads(listed);
        assert_eq!(
            heads,
            Heads(vec![
                ("1".repeat(40), "refs/heads/main".to_string()),
                ("2".repeat(40), "refs/heads/release-3.1".to_string()),
            ])
        );
        assert_eq!(heads.tip("release-3.1"), Some("2".repeat(40).as_str()));
        assert_eq!(heads.tip("release"), None);
        assert_eq!(heads.tip("not-an-object-name"), None);
        assert_eq!(parse_heads(""), Heads::default());
    }

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
                    .map(|(i, t)| (t.to_string(), format!("refs/heads/b{i}")))
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
