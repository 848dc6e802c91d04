//! Applying: a new branch made from the target, checked out in a worktree
//! under the repository's git directory (never the user's checkout), and each
//! pull request's patch fed to `git am -3`, with `git cherry-pick` of the
//! pull request's own commits as a fallback.
//!
//! The worktree starts with only the files the patches touch written (the
//! index has the whole tree): on a large repository writing every file is
//! most of a run's time. The whole tree is written before anyone else looks
//! at it: before a stop for the user, before the `--exec` command, and from
//! the start, by git's own checkout, when a hook would run there (`git am`'s,
//! `pre-push`, `post-checkout`). When `git am` does not apply a patch
//! cleanly, the whole tree is written and the patch applied again, so
//! conflicts come out exactly as in a full checkout.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;
use crate::output::Output;

/// A worktree of the tool's own and the local branch checked out in it.
/// Dropping it removes both, unless it was told to keep them.
pub struct Worktree<'a> {
    git: Git<'a>,
    out: &'a Output,
    toplevel: PathBuf,
    pub path: PathBuf,
    pub branch: String,
    keep_worktree: bool,
    keep_branch: bool,
    /// Every file of the tree is known to be written.
    whole: bool,
    /// The commit the branch was made from, when made by this run: no
    /// `git am` is in progress and HEAD is there.
    pub start: Option<String>,
}

impl<'a> Worktree<'a> {
    /// A worktree of the tool's at `path` with `branch` checked out (made now,
    /// or by a run that stopped), removed with its branch when dropped.
    pub fn existing(git: Git<'a>, out: &'a Output, toplevel: &Path, path: PathBuf, branch: String) -> Self {
        Worktree {
            git,
            out,
            toplevel: toplevel.to_path_buf(),
            path,
            branch,
            keep_worktree: false,
            keep_branch: false,
            whole: false,
            start: None,
        }
    }

    /// Writes every file of the index not yet in the worktree (never
    /// overwriting one that is there), so the user or a command sees the
    /// whole tree.
    pub fn fill(&mut self) -> Result<()> {
        if !self.whole {
            checkout_index(
                &self.git,
                &self.path,
                &[PARALLEL_CHECKOUT.as_slice(), &["checkout-index", "--all", "--quiet"]].concat(),
                None,
            )?;
            self.whole = true;
        }
        Ok(())
    }

    /// Keeps the branch (with its commits) when dropped; the worktree goes.
    pub fn keep_branch(&mut self) {
        self.keep_branch = true;
    }

    /// Keeps both, for the user to resolve and `--continue`.
    pub fn keep(&mut self) {
        self.keep_worktree = true;
        self.keep_branch = true;
    }

    /// Removes both when dropped again: the run goes on with them (the user
    /// resolved a stop while the run waited); any later stop keeps them anew.
    pub fn release(&mut self) {
        self.keep_worktree = false;
        self.keep_branch = false;
    }
}

impl Drop for Worktree<'_> {
    fn drop(&mut self) {
        remove_worktree(
            self.git.for_cleanup(),
            self.out,
            &self.toplevel,
            &self.path,
            (!self.keep_branch).then_some(self.branch.as_str()),
            self.keep_worktree,
        );
    }
}

/// Held around every `git worktree add`, `remove` and `prune` of this process:
/// git does not guard `.git/worktrees/` against itself, and with several
/// targets one `worktree add` can read another's half-written entry ("failed
/// to read .git/worktrees/…/commondir") or a `prune` can drop it.
static WORKTREE_ADMIN: Mutex<()> = Mutex::new(());

fn worktree_admin() -> MutexGuard<'static, ()> {
    WORKTREE_ADMIN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes a worktree of the tool's (whatever state `git am` left it in) and,
/// when named, its branch. Missing pieces are fine: this must always get back
/// to a clean slate.
pub fn remove_worktree(
    git: Git<'_>,
    out: &Output,
    toplevel: &Path,
    path: &Path,
    branch: Option<&str>,
    keep_worktree: bool,
) {
    if !keep_worktree {
        let _admin = worktree_admin();
        let path_text = path.to_string_lossy().into_owned();
        let removed = path.exists()
            && match git.worktree_remove(toplevel, &path_text) {
                Ok(()) => true,
                Err(e) => {
                    out.debug(|| format!("git worktree remove failed ({e}); removing the directory"));
                    if let Err(e) = std::fs::remove_dir_all(path) {
                        out.warn(&format!("could not remove the worktree {path_text}: {e}"));
                    }
                    false
                }
            };
        if !removed {
            // Forget git's record of it if the directory went some other way.
            let _ = git.worktree_prune(toplevel);
        }
    }
    if let Some(branch) = branch
        && let Err(e) = git.delete_branch(toplevel, branch)
    {
        let exists = git.resolve(toplevel, &format!("refs/heads/{branch}"));
        if matches!(exists, Ok(Some(_))) {
            out.warn(&format!("could not delete the temporary branch {branch}: {e}"));
        }
    }
}

/// A new local branch from `start` (a ref), checked out in a fresh worktree
/// under `<git common dir>/cherry-pick-pr/`: of its files, only `paths`
/// (those the patches touch) are written, or every one, by git's own
/// checkout, when `None`.
pub fn add_worktree<'a>(
    git: Git<'a>,
    out: &'a Output,
    toplevel: &Path,
    common_dir: &Path,
    name: &str,
    start: &str,
    paths: Option<&[Vec<u8>]>,
) -> Result<Worktree<'a>> {
    let (branch, start_commit) = free_branch_name(&git, toplevel, name, start)?;
    let parent = crate::git::worktrees_dir(common_dir);
    std::fs::create_dir_all(&parent).failure(|| failed(format!("creating {}", parent.display())))?;
    let prefix = format!(
        "{}-",
        name.trim_start_matches("automated-cherry-pick-of-").replace('#', "")
    );
    let path = tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(&parent)
        .failure(|| failed(format!("creating a worktree directory in {}", parent.display())))?
        .keep();
    let path_text = path.to_string_lossy().into_owned();
    let mut args: Vec<&str> = match paths {
        // The files are written below, only those the patches touch.
        Some(_) => vec!["worktree", "add", "--no-checkout"],
        // git's own checkout, which runs the `post-checkout` hook.
        None => [PARALLEL_CHECKOUT.as_slice(), &["worktree", "add"]].concat(),
    };
    let commit = start_commit.as_deref().unwrap_or(start);
    args.extend(["--quiet", "--no-track", "-b", &branch, &path_text, commit]);
    let admin = worktree_admin();
    let added = git.run(toplevel, &args);
    drop(admin);
    if let Err(e) = added {
        // git may have made the branch and registered the worktree before
        // failing (a `post-checkout` hook that exits non-zero): undo all of it.
        remove_worktree(git.for_cleanup(), out, toplevel, &path, Some(&branch), false);
        let _ = std::fs::remove_dir_all(&path);
        return Err(failed(format!(
            "creating a worktree from {start} failed; nothing was left behind"
        ))
        .hint("git's words below say why (a `post-checkout` hook?); fix that, then run the same command again")
        .because(e)
        .into());
    }
    out.debug(|| format!("worktree {path_text} on branch {branch}"));
    let mut worktree = Worktree::existing(git, out, toplevel, path, branch);
    worktree.start = start_commit;
    match paths {
        Some(paths) => {
            let [c, skip_hash] = UNSEEN_INDEX;
            git.run(&worktree.path, &[c, skip_hash, "read-tree", "HEAD"])?;
            check_out(&git, &worktree.path, paths)?;
        }
        None => worktree.whole = true,
    }
    Ok(worktree)
}

/// Writes `paths` from the index into the worktree `dir`; paths the index
/// does not have are skipped.
fn check_out(git: &Git<'_>, dir: &Path, paths: &[Vec<u8>]) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let mut input = Vec::new();
    for path in paths {
        input.extend_from_slice(path);
        input.push(0);
    }
    let [c, skip_hash] = UNSEEN_INDEX;
    checkout_index(
        git,
        dir,
        &[c, skip_hash, "checkout-index", "--quiet", "-z", "--stdin"],
        Some(&input),
    )
}

/// Runs `git checkout-index --quiet …`, which never overwrites a file. It
/// exits 1 without a word when a path is not in the index or a file is
/// already there (as wanted); any other failure says why.
fn checkout_index(git: &Git<'_>, dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<()> {
    let written = git.capture(dir, args, input)?;
    if !written.success && !written.stderr.trim().is_empty() {
        return Err(failed(format!("writing files into the worktree {}", dir.display()))
            .because_opt(written.checked().err())
            .into());
    }
    Ok(())
}

/// `name`, or `name-2`, `name-3`… when a local branch of that name exists;
/// and the commit `start` names, when it is a ref.
fn free_branch_name(git: &Git<'_>, dir: &Path, name: &str, start: &str) -> Result<(String, Option<String>)> {
    let listed = git.run(
        dir,
        &[
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            start,
            &format!("refs/heads/{name}"),
            &format!("refs/heads/{name}-*"),
        ],
    )?;
    let mut taken = Vec::new();
    let mut start_commit = None;
    for (commit, refname) in listed.lines().filter_map(|l| l.split_once(' ')) {
        if refname == start {
            start_commit = Some(commit.to_string());
        } else if let Some(branch) = refname.strip_prefix("refs/heads/") {
            taken.push(branch);
        }
    }
    Ok((pick_free(name, &taken), start_commit))
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

/// Why applying stopped for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    /// `git am` stopped with the patch half applied: resolve and continue.
    Conflict,
    /// `git am` stopped before applying, with nothing to resolve (a hook
    /// refused it): fix the cause and continue, which applies it again.
    Retry,
}

/// Where applying stopped.
#[derive(Debug)]
pub struct Stop {
    pub kind: StopKind,
    /// Conflicting paths, from the index.
    pub conflicts: Vec<String>,
    /// git's own words.
    pub detail: String,
}

/// What one try at a pull request's patch came to.
#[derive(Debug)]
pub enum Attempt {
    /// It is done, and HEAD is at this commit now.
    Applied(Applied, String),
    /// The user has to act; the `git am` state is left for them.
    Stopped(Stop),
}

/// How applying one pull request ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// New commits on the branch.
    Picked,
    /// New commits on the branch, made by `git cherry-pick` after `git am
    /// -3` could not apply the patch: perhaps not the same change.
    Fallback,
    /// Nothing changed: the change is already on the target.
    AlreadyThere,
}

impl Worktree<'_> {
    /// Applies one pull request's patch; its HEAD is `before`. On success,
    /// also the HEAD after; `Attempt::Stopped` when the user has to act, the
    /// `git am` state left for them in the whole tree.
    pub fn apply(&mut self, number: u64, patch: &[u8], signoff: bool, before: &str) -> Result<Attempt> {
        let (git, dir) = (&self.git, self.path.as_path());
        let mut am = run_am(git, dir, patch, signoff, false)?;
        if !am.success && !self.whole && am_in_progress(git, dir)? {
            // A three-way merge may want files that are not written yet:
            // start over in the whole tree, where the user would resolve.
            self.fill()?;
            let (git, dir) = (&self.git, self.path.as_path());
            git.am_abort(dir)?;
            am = run_am(git, dir, patch, signoff, false)?;
        }
        let (git, dir) = (&self.git, self.path.as_path());
        if am.success {
            return moved(git, dir, before);
        }
        if !am_in_progress(git, dir)? {
            // `git am` did not even begin (no identity, a patch it cannot read):
            // its own words say why.
            let error = am.checked().err();
            return Err(failed(format!("`git am` could not apply PR #{number}"))
                .because_opt(error)
                .into());
        }
        let conflicts = unmerged(git, dir)?;
        if conflicts.is_empty() && am_hook_present(git, dir)? {
            // Most likely a hook said no: let the user see git's words and fix it.
            return Ok(Attempt::Stopped(Stop {
                kind: StopKind::Retry,
                conflicts,
                detail: am.stderr,
            }));
        }
        let commits = patch_commits(patch);
        if commits.is_empty() || !all_present(git, dir, &commits)? {
            return Ok(Attempt::Stopped(stop(conflicts, am.stderr)));
        }
        // git's merge machinery sometimes succeeds where am's three-way fallback does not.
        git.am_abort(dir)?;
        let mut args = crate::git::RERERE.to_vec();
        args.push("cherry-pick");
        if signoff {
            args.push("--signoff");
        }
        args.extend(commits.iter().map(String::as_str));
        let picked = git.capture(dir, &args, None)?;
        if picked.success {
            self.out.note(&format!(
                "  git am -3 could not apply #{number}; git cherry-pick applied its commits cleanly"
            ));
            return Ok(match moved(git, dir, before)? {
                Attempt::Applied(Applied::Picked, after) => Attempt::Applied(Applied::Fallback, after),
                other => other,
            });
        }
        // Back to the `git am` state, which is what the user resolves.
        git.cherry_pick_abort(dir)?;
        let again = run_am(git, dir, patch, signoff, false)?;
        if again.success {
            return moved(git, dir, before);
        }
        Ok(Attempt::Stopped(stop(unmerged(git, dir)?, again.stderr)))
    }

    /// Applies several pull requests' patches with one `git am`, HEAD being
    /// `before`. `Some(HEAD after)` when every patch's every commit applied
    /// cleanly; otherwise HEAD and the files are put back as they were
    /// (`None`), to apply one at a time.
    pub fn apply_together(&mut self, patches: &[&[u8]], signoff: bool, before: &str) -> Result<Option<String>> {
        let counts: Vec<usize> = patches.iter().map(|p| patch_commits(p).len()).collect();
        if counts.contains(&0) {
            // Without its commits named, what `git am` made cannot be checked.
            return Ok(None);
        }
        let (git, dir) = (&self.git, self.path.as_path());
        let am = run_am(git, dir, &patches.concat(), signoff, true)?;
        if am.success {
            let made = git.rev_list(dir, &[&format!("{before}..HEAD")])?;
            if made.len() == counts.iter().sum::<usize>() {
                return Ok(made.first().map(|head| head.to_string()));
            }
            // Some change is already on the target: which one, applying
            // them one at a time tells.
            git.reset_keep(dir, before)?;
        } else if am_in_progress(git, dir)? {
            git.am_abort(dir)?;
        }
        Ok(None)
    }
}

/// A stop with paths in conflict is one to resolve; one with none (signing
/// failed, a hook said no, a patch git cannot read) is applied again once
/// the cause is fixed.
fn stop(conflicts: Vec<String>, detail: String) -> Stop {
    let kind = if conflicts.is_empty() {
        StopKind::Retry
    } else {
        StopKind::Conflict
    };
    Stop {
        kind,
        conflicts,
        detail,
    }
}

/// git's parallel checkout, one worker per core: writing every file of a
/// large tree is most of a run's time.
const PARALLEL_CHECKOUT: [&str; 2] = ["-c", "checkout.workers=0"];

/// Options for git commands whose index nobody but the tool will see: the
/// index's trailing checksum is not computed (git's `index.skipHash`, which
/// `feature.manyFiles` turns on too). Writing the index of a large tree is
/// most of a `git am`'s time per patch, and the checksum most of that. A stop
/// for the user always follows a `git am` without it.
const UNSEEN_INDEX: [&str; 2] = ["-c", "index.skipHash=true"];

/// `git am` of `patch`; `unseen`: the index is not handed to the user after it.
fn run_am(git: &Git<'_>, dir: &Path, patch: &[u8], signoff: bool, unseen: bool) -> Result<crate::git::Captured> {
    let mut args = Vec::new();
    if unseen {
        args.extend(UNSEEN_INDEX);
    }
    // --keep-cr: GitHub's patch is byte-exact, so carriage returns in it are
    // real (files with CRLF line endings) and must not be stripped.
    args.extend(crate::git::RERERE);
    args.extend(["am", "-3", "--keep-cr", "--quiet"]);
    if signoff {
        args.push("--signoff");
    }
    Ok(git.capture(dir, &args, Some(patch))?)
}

/// The commit HEAD is at in `dir`.
pub fn head(git: &Git<'_>, dir: &Path) -> Result<String> {
    Ok(git.head(dir)?)
}

/// Whether HEAD moved past `before`, and where it is now.
fn moved(git: &Git<'_>, dir: &Path, before: &str) -> Result<Attempt> {
    let after = head(git, dir)?;
    let applied = if after == before {
        Applied::AlreadyThere
    } else {
        Applied::Picked
    };
    Ok(Attempt::Applied(applied, after))
}

/// Paths with conflicts, from the index (not from git's messages).
pub fn unmerged(git: &Git<'_>, dir: &Path) -> Result<Vec<String>> {
    Ok(git.unmerged_paths(dir)?)
}

/// Whether `git am` is in the middle of a patch series in `dir`.
pub fn am_in_progress(git: &Git<'_>, dir: &Path) -> Result<bool> {
    Ok(git.am_in_progress(dir)?)
}

/// Whether an `applypatch-msg` or `pre-applypatch` hook would run (these
/// can refuse a patch).
fn am_hook_present(git: &Git<'_>, dir: &Path) -> Result<bool> {
    let mut args = vec!["rev-parse".to_string(), "--path-format=absolute".to_string()];
    args.extend(crate::git::hook_path_args(&["applypatch-msg", "pre-applypatch"]));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let paths = git.run(dir, &args)?;
    Ok(crate::git::any_hook(paths.lines()))
}

/// The commits a patch series was made from, in order: the object names in
/// its mbox `From <sha> Mon Sep 17 00:00:00 2001` separator lines.
pub fn patch_commits(patch: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(patch)
        .lines()
        .filter_map(|line| mbox_commit(line).map(str::to_string))
        .collect()
}

/// The commit an mbox separator line `From <sha> Mon Sep 17 00:00:00 2001`
/// names, when `line` is one.
pub fn mbox_commit(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("From ")?;
    let (sha, date) = rest.split_once(' ')?;
    let hex = sha.len() == 40 || sha.len() == 64;
    (hex && sha.bytes().all(|b| b.is_ascii_hexdigit()) && date == "Mon Sep 17 00:00:00 2001").then_some(sha)
}

/// Whether every commit is in the local object store.
fn all_present(git: &Git<'_>, dir: &Path, commits: &[String]) -> Result<bool> {
    let input = commits.iter().map(|c| format!("{c}^{{commit}}\n")).collect::<String>();
    let checked = git.capture_parsed(dir, &["cat-file", "--batch-check"], Some(input.as_bytes()))?;
    Ok(checked.success && !checked.stdout.contains("missing"))
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

    #[test]
    fn checking_out_skips_what_the_index_lacks_and_reports_what_it_cannot_write() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = &root.path().join("repo");
        std::fs::create_dir(dir).expect("repo dir");
        let exe = crate::git::find().expect("git on PATH");
        let out = Output::new(false, true);
        let config = root.path().join("gitconfig");
        std::fs::write(&config, "").expect("an empty global config");
        let config = config.to_string_lossy().into_owned();
        let env = [("GIT_CONFIG_GLOBAL", config.as_str()), ("GIT_CONFIG_NOSYSTEM", "1")];
        let git = Git::new(&exe, &out).with_env(&env);
        git.run(dir, &["init", "--quiet"]).expect("git init");
        let blob = git
            .capture(dir, &["hash-object", "-w", "--stdin"], Some(b"hi\n"))
            .expect("hash-object")
            .stdout;
        for path in ["x/y", "z"] {
            let entry = format!("100644,{},{path}", blob.trim());
            git.run(dir, &["update-index", "--add", "--cacheinfo", &entry])
                .expect("update-index");
        }
        check_out(&git, dir, &[b"z".to_vec(), b"not-in-the-index".to_vec()]).expect("z is written");
        assert_eq!(std::fs::read_to_string(dir.join("z")).ok().as_deref(), Some("hi\n"));
        assert!(!dir.join("x").exists());

        std::fs::write(dir.join("x"), "a file where a directory should be").expect("write x");
        let error = check_out(&git, dir, &[b"x/y".to_vec()]).expect_err("x/y cannot be written");
        let message = format!("{error:#}");
        assert!(message.contains("writing files into the worktree"), "{message}");
        assert!(message.contains("cannot create directory"), "{message}");
    }

    #[test]
    fn commits_come_from_the_mbox_separators() {
        let a = "a".repeat(40);
        let b = "0123456789abcdef0123456789abcdef01234567";
        let patch = format!(
            "From {a} Mon Sep 17 00:00:00 2001\nFrom: Bob <b@x>\nSubject: x\n\nFrom {b} is not a separator\n---\nFrom {b} Mon Sep 17 00:00:00 2001\nSubject: y\n"
        );
        assert_eq!(patch_commits(patch.as_bytes()), vec![a, b.to_string()]);
        assert!(patch_commits(b"From nothing Mon Sep 17 00:00:00 2001\n").is_empty());
        assert!(patch_commits(&[0xff, 0xfe]).is_empty());
    }
}
