//! One method per git operation, each beside the parser of what it prints
//! (as jj's `git_subprocess.rs`). They all run through `Git::call`, the one
//! spawn path; an operation whose human words are read says so
//! (`Call::parsed`), and git then speaks English.

use std::path::{Path, PathBuf};

use super::{Call, Git, GitError, Input, RERERE};

/// Never asking: no terminal prompt from git, no askpass program (git's or
/// ssh's, which then fails at once).
const NEVER_ASK: [(&str, &str); 4] = [
    ("GIT_TERMINAL_PROMPT", "0"),
    ("GIT_ASKPASS", ""),
    ("SSH_ASKPASS", "false"),
    ("SSH_ASKPASS_REQUIRE", "force"),
];

/// A ref of a remote and its tip, as `git ls-remote` lists it; `name`
/// without its `refs/heads/` (or `refs/tags/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    pub name: String,
    pub tip: String,
}

/// A worktree as `git worktree list` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedWorktree {
    pub path: PathBuf,
    /// Its branch, without `refs/heads/`; `None` when detached.
    pub branch: Option<String>,
}

/// One line of `git patch-id`: the patch id of `commit`'s change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchId {
    pub id: String,
    pub commit: String,
}

/// What `git patch-id --stable` reads.
#[derive(Debug, Clone, Copy)]
pub enum Patches<'c> {
    /// A patch series or a `git log -p`, in memory.
    Text(&'c [u8]),
    /// A patch series in a file.
    File(&'c Path),
    /// `git log ARGS` of the commits it reads on stdin (`commits`, one a
    /// line), piped straight in: the diffs are never held in memory.
    Log { args: &'c [&'c str], commits: &'c [u8] },
}

impl Git<'_> {
    /// `git fetch` of `refspecs` from `remote` into `dir`'s repository, as the
    /// tool always fetches: no tags, no `FETCH_HEAD`, quietly.
    pub fn fetch(&self, dir: &Path, remote: &str, refspecs: &[&str]) -> Result<String, GitError> {
        let mut args = vec!["fetch", "--no-tags", "--no-write-fetch-head", "--quiet", remote];
        args.extend_from_slice(refspecs);
        self.run(dir, &args)
    }

    /// The branches of `remote` named `branches` (all of them when none is
    /// named), with their tips: one `git ls-remote --heads`. The user's
    /// credentials apply, as for a fetch.
    pub fn ls_remote_heads(&self, dir: &Path, remote: &str, branches: &[&str]) -> Result<Vec<RemoteRef>, GitError> {
        self.ls_remote(dir, "heads", remote, branches, &[])
    }

    /// All the branches of `remote`, never asking anyone anything (for a
    /// listing that runs beside a fetch that may be asking the user).
    pub fn ls_remote_heads_unasked(&self, dir: &Path, remote: &str) -> Result<Vec<RemoteRef>, GitError> {
        self.ls_remote(dir, "heads", remote, &[], &NEVER_ASK)
    }

    /// The tags of `remote` named `tags`: one `git ls-remote --tags`.
    pub fn ls_remote_tags(&self, dir: &Path, remote: &str, tags: &[&str]) -> Result<Vec<RemoteRef>, GitError> {
        self.ls_remote(dir, "tags", remote, tags, &[])
    }

    fn ls_remote(
        &self,
        dir: &Path,
        kind: &str,
        remote: &str,
        names: &[&str],
        vars: &[(&str, &str)],
    ) -> Result<Vec<RemoteRef>, GitError> {
        let option = format!("--{kind}");
        let patterns: Vec<String> = names.iter().map(|n| format!("refs/{kind}/{n}")).collect();
        let mut args = vec!["ls-remote", option.as_str(), "--", remote];
        args.extend(patterns.iter().map(String::as_str));
        let listed = self.capture_env(dir, &args, None, vars)?.checked()?;
        Ok(parse_ls_remote(&listed, &format!("refs/{kind}/")))
    }

    /// The commit `remote`'s HEAD (its default branch) is at now, fetched
    /// and left without a ref: one `git fetch --dry-run --porcelain` of
    /// `HEAD` alone. `None` from a git older than 2.41, which lacks
    /// `--porcelain` (exit 129): `remote_head` asks instead.
    pub fn fetch_remote_head(&self, dir: &Path, remote: &str) -> Result<Option<String>, GitError> {
        let args = [
            "fetch",
            "--dry-run",
            "--porcelain",
            "--no-tags",
            "--no-write-fetch-head",
            remote,
            "+HEAD:refs/cherry-pick-pr/head",
        ];
        let fetched = self.capture(dir, &args, None)?;
        if fetched.code() == Some(129) {
            return Ok(None);
        }
        let listed = fetched.checked()?;
        Ok(parse_fetch_porcelain(&listed).into_iter().next())
    }

    /// The branch `remote`'s HEAD names (its default branch, without
    /// `refs/heads/`) and that branch's tip, or `None` when the remote does
    /// not say: one `git ls-remote --symref REMOTE HEAD`, which lists every
    /// ref of the remote (a pattern is matched here, not there).
    pub fn remote_head(&self, dir: &Path, remote: &str) -> Result<Option<RemoteRef>, GitError> {
        let listed = self.run(dir, &["ls-remote", "--symref", "--", remote, "HEAD"])?;
        Ok(parse_remote_head(&listed))
    }

    /// The git config file `path` in the commit `rev`, as `git config
    /// --blob` reads it: `key\nvalue\0` per entry (`-z --list`), includes
    /// never followed. Whatever git says is returned, a file git cannot
    /// parse included (exit 128, naming its line).
    pub fn config_blob(&self, dir: &Path, rev: &str, path: &str) -> Result<super::Captured, GitError> {
        let blob = format!("{rev}:{path}");
        self.capture(dir, &["config", "--no-includes", "--blob", &blob, "-z", "--list"], None)
    }

    /// The worktrees of `dir`'s repository, the main one first:
    /// `git worktree list --porcelain -z`.
    pub fn worktrees(&self, dir: &Path) -> Result<Vec<ListedWorktree>, GitError> {
        let listed = self.run(dir, &["worktree", "list", "--porcelain", "-z"])?;
        Ok(parse_worktrees(&listed))
    }

    /// `git am --abort`: the `git am` in progress in `dir` is undone.
    pub fn am_abort(&self, dir: &Path) -> Result<(), GitError> {
        self.run(dir, &["am", "--abort"]).map(drop)
    }

    /// `git am --continue`, whatever its exit status: git's words for the
    /// user when it cannot go on.
    pub fn am_continue(&self, dir: &Path) -> Result<super::Captured, GitError> {
        // rerere records the user's resolution, for the other targets.
        self.capture(dir, &[RERERE[0], RERERE[1], "am", "--continue"], None)
    }

    /// Whether `git am` is in the middle of a patch series in `dir`.
    pub fn am_in_progress(&self, dir: &Path) -> Result<bool, GitError> {
        let args = [
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "rebase-apply/applying",
        ];
        let path = self.run(dir, &args)?;
        Ok(Path::new(path.trim()).exists())
    }

    /// The paths in conflict, from the index (not from git's messages):
    /// `git diff --name-only --diff-filter=U -z`.
    pub fn unmerged_paths(&self, dir: &Path) -> Result<Vec<String>, GitError> {
        let listed = self.run(dir, &["diff", "--name-only", "--diff-filter=U", "-z"])?;
        let mut files: Vec<String> = listed
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        files.dedup();
        Ok(files)
    }

    /// The commit HEAD is at in `dir`.
    pub fn head(&self, dir: &Path) -> Result<String, GitError> {
        Ok(self.run(dir, &["rev-parse", "HEAD"])?.trim().to_string())
    }

    /// `git reset --quiet --keep COMMIT`.
    pub fn reset_keep(&self, dir: &Path, commit: &str) -> Result<(), GitError> {
        self.run(dir, &["reset", "--quiet", "--keep", commit]).map(drop)
    }

    /// `git worktree remove --force --force PATH`, locked or not.
    pub fn worktree_remove(&self, dir: &Path, path: &str) -> Result<(), GitError> {
        self.run(dir, &["worktree", "remove", "--force", "--force", path])
            .map(drop)
    }

    /// `git worktree prune`: git forgets worktrees whose directory is gone.
    pub fn worktree_prune(&self, dir: &Path) -> Result<(), GitError> {
        self.run(dir, &["worktree", "prune"]).map(drop)
    }

    /// `git branch --quiet -D BRANCH`.
    pub fn delete_branch(&self, dir: &Path, branch: &str) -> Result<(), GitError> {
        self.run(dir, &["branch", "--quiet", "-D", branch]).map(drop)
    }

    /// Whether anything in `dir`'s work tree changed, untracked files
    /// included (`git status --porcelain -z --untracked-files=all`).
    pub fn changed(&self, dir: &Path) -> Result<bool, GitError> {
        let status = self.run(dir, &["status", "--porcelain", "-z", "--untracked-files=all"])?;
        Ok(!status.is_empty())
    }

    /// Commits everything in `dir`'s work tree: `git add --all`, then
    /// `git commit --quiet -m MESSAGE`.
    pub fn commit_all(&self, dir: &Path, message: &str) -> Result<(), GitError> {
        self.run(dir, &["add", "--all"])?;
        self.run(dir, &["commit", "--quiet", "-m", message]).map(drop)
    }

    /// The text of `path` in the commit `rev` (`git show REV:PATH`).
    pub fn show_file(&self, dir: &Path, rev: &str, path: &str) -> Result<String, GitError> {
        self.run(dir, &["show", &format!("{rev}:{path}")])
    }

    /// `git cherry-pick --abort`.
    pub fn cherry_pick_abort(&self, dir: &Path) -> Result<(), GitError> {
        self.run(dir, &["cherry-pick", "--abort"]).map(drop)
    }

    /// The commits `git rev-list ARGS` lists, one per line as it prints them.
    pub fn rev_list(&self, dir: &Path, args: &[&str]) -> Result<Vec<String>, GitError> {
        let args = [&["rev-list"], args].concat();
        Ok(self.run(dir, &args)?.lines().map(str::to_string).collect())
    }

    /// Whether `object` names a commit that is here (`git cat-file -e`).
    pub fn has_commit(&self, dir: &Path, object: &str) -> Result<bool, GitError> {
        let named = format!("{object}^{{commit}}");
        Ok(self.capture(dir, &["cat-file", "-e", &named], None)?.success)
    }

    /// The commit `name` is at, or `None` when there is no such ref or
    /// commit (`git rev-parse --verify --quiet`).
    pub fn resolve(&self, dir: &Path, name: &str) -> Result<Option<String>, GitError> {
        let resolved = self.capture(dir, &["rev-parse", "--verify", "--quiet", name], None)?;
        if resolved.success {
            return Ok(Some(resolved.stdout.trim().to_string()));
        }
        // Exit 1 without a word: no such name.
        if resolved.code() == Some(1) && resolved.stderr.trim().is_empty() {
            return Ok(None);
        }
        resolved.checked().map(|_| None)
    }

    /// A git variable, such as `GIT_EDITOR` (`git var`).
    pub fn var(&self, dir: &Path, name: &str) -> Result<String, GitError> {
        self.run(dir, &["var", name])
    }

    /// The patch ids of what `patches` holds, in order: one `git patch-id
    /// --stable` (after the `git log` it reads, for `Patches::Log`).
    /// `note` is said with the command in `--debug`.
    pub fn patch_ids(&self, dir: &Path, patches: Patches<'_>, note: Option<&str>) -> Result<Vec<PatchId>, GitError> {
        const PATCH_ID: [&str; 2] = ["patch-id", "--stable"];
        let call = match patches {
            Patches::Text(text) => Call {
                args: &PATCH_ID,
                input: Input::Bytes(text),
                ..Call::default()
            },
            Patches::File(path) => Call {
                args: &PATCH_ID,
                input: Input::File(path),
                ..Call::default()
            },
            Patches::Log { args, commits } => Call {
                args,
                input: Input::Bytes(commits),
                into: Some(&PATCH_ID),
                ..Call::default()
            },
        };
        let listed = self.call(dir, Call { note, ..call })?.checked()?;
        Ok(parse_patch_ids(&listed))
    }
}

/// `git ls-remote`'s `<object>\t<ref>` lines whose ref starts with
/// `prefix`, without it. Only object names are taken (they may reach
/// another git's stdin, where `--all` would change what it does).
pub fn parse_ls_remote(listed: &str, prefix: &str) -> Vec<RemoteRef> {
    listed
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(tip, _)| !tip.is_empty() && tip.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter_map(|(tip, name)| {
            Some(RemoteRef {
                name: name.strip_prefix(prefix)?.to_string(),
                tip: tip.to_string(),
            })
        })
        .collect()
}

/// `git ls-remote --symref REMOTE HEAD`: `ref: refs/heads/<branch>\tHEAD`,
/// then `<object>\tHEAD`. A HEAD that names no branch (detached, or a
/// server that does not say) is `None`.
pub fn parse_remote_head(listed: &str) -> Option<RemoteRef> {
    let name = listed.lines().find_map(|line| {
        let (target, name) = line.strip_prefix("ref: ")?.split_once('\t')?;
        (name == "HEAD").then_some(target.strip_prefix("refs/heads/")?)
    })?;
    let tip = parse_ls_remote(listed, "").into_iter().find(|r| r.name == "HEAD")?.tip;
    Some(RemoteRef {
        name: name.to_string(),
        tip,
    })
}

/// `git fetch --porcelain`'s `<flag> <old> <new> <ref>` lines: the new
/// object of each, in order.
pub fn parse_fetch_porcelain(listed: &str) -> Vec<String> {
    listed
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter(|tip| tip.len() >= 40 && tip.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect()
}

/// `git worktree list --porcelain -z`: `worktree <path>` opens each
/// worktree's fields, `branch refs/heads/<name>` names its branch.
pub fn parse_worktrees(listed: &str) -> Vec<ListedWorktree> {
    let mut worktrees: Vec<ListedWorktree> = Vec::new();
    for field in listed.split('\0') {
        if let Some(path) = field.strip_prefix("worktree ") {
            worktrees.push(ListedWorktree {
                path: path.into(),
                branch: None,
            });
        } else if let Some(branch) = field.strip_prefix("branch refs/heads/")
            && let Some(last) = worktrees.last_mut()
        {
            last.branch = Some(branch.to_string());
        }
    }
    worktrees
}

/// `git patch-id`'s `<patch id> <commit>` lines, in order.
pub fn parse_patch_ids(listed: &str) -> Vec<PatchId> {
    listed
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let id = words.next()?.to_string();
            let commit = words.next()?.to_string();
            Some(PatchId { id, commit })
        })
        .collect()
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
                      \trefs/heads/no-object-name\n\
                      3333333333333333333333333333333333333333\trefs/tags/v1\n";
        let branch = |name: &str, digit: &str| RemoteRef {
            name: name.to_string(),
            tip: digit.repeat(40),
        };
        assert_eq!(
            parse_ls_remote(listed, "refs/heads/"),
            vec![branch("main", "1"), branch("release-3.1", "2")]
        );
        assert_eq!(parse_ls_remote(listed, "refs/tags/"), vec![branch("v1", "3")]);
        assert!(parse_ls_remote("", "refs/heads/").is_empty());
    }

    #[test]
    fn a_remote_head_names_its_branch_and_tip() {
        let listed = "ref: refs/heads/main\tHEAD\n0123abcd\tHEAD\n";
        assert_eq!(
            parse_remote_head(listed),
            Some(RemoteRef {
                name: "main".into(),
                tip: "0123abcd".into()
            })
        );
        assert_eq!(parse_remote_head("0123abcd\tHEAD\n"), None, "detached");
        let sha = "ac6ba7422d52663531b27e80cfc9284658bf07f4";
        let fetched = format!("* 0000000000000000000000000000000000000000 {sha} refs/cherry-pick-pr/head\n");
        assert_eq!(parse_fetch_porcelain(&fetched), [sha]);
        assert!(parse_fetch_porcelain("! nonsense\n").is_empty());
        assert_eq!(parse_remote_head(""), None, "empty");
    }

    #[test]
    fn worktree_lists_give_paths_and_branches() {
        let listed = "worktree /r\0HEAD 1111\0branch refs/heads/main\0\0\
                      worktree /r/.git/w\0HEAD 2222\0detached\0\0";
        assert_eq!(
            parse_worktrees(listed),
            vec![
                ListedWorktree {
                    path: "/r".into(),
                    branch: Some("main".into()),
                },
                ListedWorktree {
                    path: "/r/.git/w".into(),
                    branch: None,
                },
            ]
        );
    }

    #[test]
    fn patch_id_output_gives_the_ids_in_order() {
        let ids: Vec<String> = parse_patch_ids("p1 c1\np2 c2\n\n").into_iter().map(|p| p.id).collect();
        assert_eq!(ids, vec!["p1".to_string(), "p2".to_string()]);
    }
}
