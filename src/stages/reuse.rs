//! Resolving once for every target: the tool's own `git am` and `git
//! cherry-pick` run with git's rerere on for that command alone (`-c
//! rerere.enabled=true`; the user's config is never changed), and every
//! worktree shares the repository's `rr-cache`. A conflict that another
//! job's recorded resolution fixes (the same conflict text) gets that
//! resolution in its files, never staged or pushed silently: the user is
//! told which target's resolution it is, and goes on with `--continue`.
//!
//! Which target resolved a conflict first is kept beside the state, in
//! `resolutions.json` (conflict id → branch), for the message; git's
//! `rr-cache` holds the resolutions themselves, and keeps them after
//! `--abort` as git does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;

use crate::git::RERERE;

/// The conflicts rerere tracks in the worktree `dir`: their ids, from its
/// `MERGE_RR` (`<id>[.<variant>]\t<path>\0` each), the same for the same
/// conflict text.
pub fn conflict_ids(git: &Git<'_>, dir: &Path) -> Vec<String> {
    let Ok(path) = git.run(dir, &["rev-parse", "--path-format=absolute", "--git-path", "MERGE_RR"]) else {
        return Vec::new();
    };
    let text = std::fs::read(path.trim()).unwrap_or_default();
    parse_merge_rr(&text)
}

fn parse_merge_rr(text: &[u8]) -> Vec<String> {
    text.split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (id, _) = entry.split_once('\t')?;
            // The conflict's hash, without the variant (`.2`) of its text.
            Some(id.split('.').next().unwrap_or(id).to_string())
        })
        .collect()
}

/// The paths in conflict in the index of `dir` whose files rerere resolved
/// with a recorded resolution.
pub fn resolved_paths(git: &Git<'_>, dir: &Path) -> Result<Vec<String>> {
    let unmerged = git.unmerged_paths(dir)?;
    if unmerged.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = RERERE.to_vec();
    args.extend(["rerere", "remaining"]);
    let remaining = git.run(dir, &args)?;
    let remaining: Vec<&str> = remaining.lines().collect();
    Ok(unmerged
        .into_iter()
        .filter(|path| !remaining.contains(&path.as_str()))
        .collect())
}

/// Applies the resolutions recorded since the stop to the files of `dir`
/// still in conflict; the paths rerere resolved.
pub fn replay(git: &Git<'_>, dir: &Path) -> Result<Vec<String>> {
    let mut args = RERERE.to_vec();
    args.push("rerere");
    git.run(dir, &args)?;
    resolved_paths(git, dir)
}

/// Stages `paths` of `dir`, as the user would after reviewing them.
pub fn stage(git: &Git<'_>, dir: &Path, paths: &[String]) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let mut args = vec!["add", "--"];
    args.extend(paths.iter().map(String::as_str));
    git.run(dir, &args)?;
    Ok(())
}

/// What the files `paths` of `dir` hold now against the target's side
/// (`git diff HEAD`), made safe to show; empty when git cannot say.
pub fn show(git: &Git<'_>, dir: &Path, paths: &[String]) -> String {
    let mut args = vec!["diff", "--no-color", "--no-ext-diff", "--no-textconv", "HEAD", "--"];
    args.extend(paths.iter().map(String::as_str));
    let shown = git.run(dir, &args).unwrap_or_default();
    crate::safe::lines(shown.trim_end())
}

/// Where the first resolver of each conflict is kept.
fn book(common_dir: &Path) -> PathBuf {
    crate::git::worktrees_dir(common_dir).join("resolutions.json")
}

fn read_book(common_dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(book(common_dir))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Records that `branch` resolved the conflicts `ids` (the first resolver
/// of each is kept).
pub fn remember(common_dir: &Path, ids: &[String], branch: &str) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut known = read_book(common_dir);
    for id in ids {
        known.entry(id.clone()).or_insert_with(|| branch.to_string());
    }
    let path = book(common_dir);
    let text = serde_json::to_string_pretty(&known)?;
    let dir = crate::git::worktrees_dir(common_dir);
    std::fs::create_dir_all(&dir).failure(|| failed(format!("creating {}", dir.display())))?;
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text).failure(|| failed(format!("writing {}", temporary.display())))?;
    std::fs::rename(&temporary, &path).failure(|| failed(format!("writing {}", path.display())))?;
    Ok(())
}

/// The branch whose recorded resolution rerere used in the worktree `dir`:
/// by the conflicts' `ids` saved at the stop, else (rerere forgets the id
/// of a conflict it resolved) by a recorded result that is one of the files
/// `paths` now. Else a word for an earlier one.
pub fn resolver(git: &Git<'_>, dir: &Path, common_dir: &Path, ids: &[String], paths: &[String]) -> String {
    let known = read_book(common_dir);
    let by_id = ids.iter().find_map(|id| known.get(id).cloned());
    by_id
        .or_else(|| by_result(git, dir, &known, paths))
        .unwrap_or_else(|| "an earlier pick".to_string())
}

/// The branch of the first known conflict whose recorded result
/// (`rr-cache/<id>/postimage…`) is the content of one of `paths` in `dir`.
fn by_result(git: &Git<'_>, dir: &Path, known: &BTreeMap<String, String>, paths: &[String]) -> Option<String> {
    let cache = git
        .run(dir, &["rev-parse", "--path-format=absolute", "--git-path", "rr-cache"])
        .ok()?;
    let cache = PathBuf::from(cache.trim());
    let files: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(dir.join(p)).ok()).collect();
    known.iter().find_map(|(id, branch)| {
        let entries = std::fs::read_dir(cache.join(id)).ok()?;
        entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("postimage"))
            .filter_map(|entry| std::fs::read(entry.path()).ok())
            .any(|result| files.contains(&result))
            .then(|| branch.clone())
    })
}

/// What the user is told of a resolution reused for `job` (how `--continue`
/// names it): `resolved as in release-3.1: review, then …`.
pub fn reused_hint(from: &str, job: &str) -> String {
    format!("resolved as in {from}: review, then `git cherry-pick-pr --continue {job}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_rr_names_each_conflict() {
        let text = b"ffce60f747a0c8093253ffb1c9d829e8de741064\tf\0abc.1\tpkg/a b.go\0";
        assert_eq!(
            parse_merge_rr(text),
            vec![
                "ffce60f747a0c8093253ffb1c9d829e8de741064".to_string(),
                "abc".to_string()
            ]
        );
        assert!(parse_merge_rr(b"").is_empty());
    }

    #[test]
    fn the_first_resolver_is_kept() {
        let root = tempfile::tempdir().expect("temp dir");
        remember(root.path(), &["a".into()], "release-3.1").expect("remembered");
        remember(root.path(), &["a".into(), "b".into()], "release-3.0").expect("remembered");
        let known = read_book(root.path());
        assert_eq!(known.get("a").map(String::as_str), Some("release-3.1"));
        assert_eq!(known.get("b").map(String::as_str), Some("release-3.0"));
    }
}
