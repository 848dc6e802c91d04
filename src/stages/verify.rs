//! Verify, don't trust: a patch downloaded from GitHub is applied only when it
//! is the pull request's commits. Those commits are known here, checked by
//! git against their ids: the fetch brought `refs/pull/N/head`, and the pull
//! request's JSON names its base and head and says how many commits it has.
//! The patch must be an mbox of as many messages as the pull request has
//! commits (merges aside, which a patch leaves out), with the same patch ids
//! (`git patch-id --stable`) in the same order. Otherwise (an empty body, a
//! proxy's page, a series cut short) the patch is made locally from the
//! commits with `git format-patch`; when even that is impossible, the run
//! fails and says what GitHub sent.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;
use crate::git::ops::{PatchId, Patches};
use crate::github::{Download, PullRequest, sent};
use crate::output::Output;
use crate::signals::join;
use crate::stages::apply::patch_commits;

/// Where a patch is made locally, when GitHub will not make it (406) or
/// what it sent is not the pull request's commits.
pub struct Local<'a> {
    pub git: &'a Git<'a>,
    pub dir: &'a Path,
    /// The upstream remote, where `refs/pull/N/head` and the base come from.
    pub upstream: &'a str,
    pub out: &'a Output,
}

/// What a pull request brings to apply, once checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// A patch series that is the pull request's commits.
    Patch(Vec<u8>),
    /// The pull request has no commits: nothing to apply.
    Empty,
}

/// The pull request's own commits, as the local objects say.
#[derive(Debug, PartialEq, Eq)]
pub struct Commits {
    /// `base..head`, the commits GitHub counts as the pull request's.
    pub range: String,
    /// How many commits that is, merges included.
    pub total: u64,
    /// The commits a patch series holds (merges left out), oldest first.
    pub picked: Vec<String>,
    /// Their patch ids, in order; a commit that changes nothing has none.
    pub patch_ids: Vec<String>,
}

/// The patch to apply for each of `pulls`, in order: its download when
/// that is the pull request's commits, else one made locally from them. A
/// download is `None` when GitHub would not make the patch (406). Each
/// pull request's commits are listed concurrently; their patch ids come
/// from one `git log -p | git patch-id` for all of them, and the downloads'
/// from one `git patch-id`.
pub fn check_all(local: &Local<'_>, pulls: &[PullRequest], downloads: Vec<Option<Download>>) -> Vec<Result<Checked>> {
    let listed: Vec<Result<Commits>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pulls
            .iter()
            .map(|pull| scope.spawn(move || commits(local, pull)))
            .collect();
        handles.into_iter().map(join).collect()
    });
    let wanted: Vec<&str> = listed
        .iter()
        .zip(&downloads)
        .filter(|(_, download)| download.is_some())
        .filter_map(|(commits, _)| commits.as_ref().ok())
        .flat_map(|commits| commits.picked.iter().map(String::as_str))
        .collect();
    let reference = if wanted.is_empty() {
        Ok(HashMap::new())
    } else {
        commit_patch_ids(local, &wanted).map_err(|e| format!("{e:#}"))
    };
    // Each download's patch ids; one that is not known here is asked for
    // on its own.
    let bodies: Vec<Option<&[u8]>> = downloads
        .iter()
        .map(|d| d.as_ref().map(|d| d.body.as_slice()))
        .collect();
    let mut sent_ids = match bodies
        .iter()
        .any(Option::is_some)
        .then(|| all_patch_ids(local, &bodies))
    {
        Some(Ok(ids)) => ids,
        Some(Err(e)) => {
            local
                .out
                .debug(|| format!("{e:#}; each patch's ids are asked for on its own"));
            Vec::new()
        }
        None => Vec::new(),
    };
    sent_ids.resize(pulls.len(), None);
    let reference = &reference;
    std::thread::scope(|scope| {
        let handles: Vec<_> = pulls
            .iter()
            .zip(listed)
            .zip(downloads)
            .zip(sent_ids)
            .map(|(((pull, commits), download), ids)| {
                scope.spawn(move || judge(local, pull, commits, download.map(|d| (d, ids)), reference))
            })
            .collect();
        handles.into_iter().map(join).collect()
    })
}

/// The patch to apply for `pull`, given its commits (or why they are not
/// known), its download with the download's patch ids when they are known
/// already, and the patch ids of every commit (`reference`).
fn judge(
    local: &Local<'_>,
    pull: &PullRequest,
    commits: Result<Commits>,
    download: Option<(Download, Option<Vec<String>>)>,
    reference: &std::result::Result<HashMap<String, String>, String>,
) -> Result<Checked> {
    let number = pull.number;
    let (download, sent_ids) = match download {
        Some((download, ids)) => (Some(download), ids),
        None => (None, None),
    };
    let mut commits = commits.failure(|| {
        let what = match &download {
            Some(download) => format!("GitHub sent {}", sent(&download.content_type, &download.body)),
            None => "GitHub would not make it".to_string(),
        };
        failed(format!(
            "cannot check the patch of PR #{number} against its commits ({what})"
        ))
        .hint(format!(
            "the pull request's commits (refs/pull/{number}/head) and the GitHub answer disagree or could not be fetched; \
             if the pull request changed a moment ago, run the same command again"
        ))
    })?;
    if commits.picked.is_empty() && commits.total > 0 {
        return Err(failed(format!(
            "PR #{number} has only merge commits ({} in {}), which a patch series cannot carry",
            commits.total, commits.range
        ))
        .hint("pick its merge by hand, e.g. `git cherry-pick -m 1 <merge>` on a branch made from the target")
        .into());
    }
    if commits.picked.is_empty() {
        return Ok(Checked::Empty);
    }
    let Some(download) = download else {
        return made(local, number, &commits).map(Checked::Patch);
    };
    let reference = reference
        .as_ref()
        .map_err(|why| failed(format!("cannot check the patch of PR #{number}: {why}")))?;
    commits.patch_ids = commits
        .picked
        .iter()
        .filter_map(|c| reference.get(c).cloned())
        .collect();
    let ids = match sent_ids {
        Some(ids) => ids,
        None => patch_ids(local, &download.body)?,
    };
    match mismatch(&commits, &download.body, &ids) {
        None => {
            local.out.debug(|| {
                format!(
                    "the patch of PR #{number} matches its commits ({} in {}, by patch id)",
                    commits.picked.len(),
                    commits.range
                )
            });
            Ok(Checked::Patch(download.body))
        }
        Some(why) => {
            local.out.debug(|| {
                format!(
                    "the patch GitHub sent for PR #{number} is not its commits ({why}; it sent {}): making it locally from refs/pull/{number}/head",
                    sent(&download.content_type, &download.body)
                )
            });
            made(local, number, &commits)
                .failure(|| {
                    failed(format!(
                        "the patch GitHub sent for PR #{number} is not its commits ({why}), and it could not be made locally either; GitHub sent {}",
                        sent(&download.content_type, &download.body)
                    ))
                    .hint("a proxy or cache may have answered instead of GitHub; check HTTPS_PROXY/NO_PROXY, then try again")
                })
                .map(Checked::Patch)
        }
    }
}

/// Why a patch series is not `commits`, or `None` when it is: the number of
/// its messages, then their patch ids (`ids`, computed from `patch`).
pub fn mismatch(commits: &Commits, patch: &[u8], ids: &[String]) -> Option<String> {
    let messages = patch_commits(patch).len();
    let expected = commits.picked.len();
    if messages != expected {
        return Some(format!("{messages} of {expected} commits in it"));
    }
    if ids != commits.patch_ids.as_slice() {
        return Some("its changes differ from the commits' (patch ids)".to_string());
    }
    None
}

/// The pull request's commits (their patch ids not yet known), fetching
/// its head and base when they are not here. GitHub's count of its commits
/// must match what git finds.
pub fn commits(local: &Local<'_>, pull: &PullRequest) -> Result<Commits> {
    let (base, head) = ends(pull)?;
    let range = format!("{base}..{head}");
    let list = || {
        local
            .git
            .run(local.dir, &["rev-list", "--reverse", "--parents", &range])
    };
    // Usually the fetch brought both ends; only when it did not are they fetched.
    let listed = match list() {
        Ok(listed) => listed,
        Err(_) => {
            fetch_ends(local, pull, base, head)?;
            list()?
        }
    };
    let (total, picked) = count(&listed);
    match pull.commits {
        Some(said) if said == total => {}
        Some(said) => {
            return Err(failed(format!(
                "GitHub says PR #{} has {said} commits, but git finds {total} in {range}",
                pull.number
            ))
            .into());
        }
        None => {
            return Err(failed(format!(
                "GitHub's answer for PR #{} does not say how many commits it has",
                pull.number
            ))
            .into());
        }
    }
    Ok(Commits {
        range,
        total,
        picked,
        patch_ids: Vec::new(),
    })
}

/// From `git rev-list --parents` output: how many commits, and those that are
/// not merges (one parent or none), in order.
pub fn count(listed: &str) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut picked = Vec::new();
    for line in listed.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        let mut ids = line.split_whitespace();
        if let Some(commit) = ids.next()
            && ids.count() <= 1
        {
            picked.push(commit.to_string());
        }
    }
    (total, picked)
}

/// The pull request's base and head commits, as GitHub names them.
fn ends(pull: &PullRequest) -> Result<(&str, &str)> {
    let head = pull.head.sha.as_str();
    let base = pull.base.as_ref().map(|b| b.sha.as_str()).unwrap_or_default();
    if !is_object_id(head) || !is_object_id(base) {
        return Err(failed(format!(
            "GitHub did not say which commits PR #{} has (no head or base commit)",
            pull.number
        ))
        .into());
    }
    Ok((base, head))
}

/// Fetches the pull request's head and base when they are not here.
fn fetch_ends(local: &Local<'_>, pull: &PullRequest, base: &str, head: &str) -> Result<()> {
    let (git, dir) = (local.git, local.dir);
    let has = |sha: &str| git.has_commit(dir, sha).unwrap_or(false);
    let fetch = |what: &str| git.fetch(dir, local.upstream, &[what]);
    if !has(head) {
        fetch(&format!("refs/pull/{}/head", pull.number))?;
        if !has(head) {
            return Err(failed(format!(
                "the head of PR #{0} that GitHub names ({head}) is not refs/pull/{0}/head on `{1}`",
                pull.number, local.upstream
            ))
            .into());
        }
    }
    if !has(base) {
        // By commit id first (GitHub serves any reachable commit); else its branch.
        let by_id = fetch(base);
        if by_id.is_err()
            && let Some(branch) = pull.base.as_ref().map(|b| b.name.as_str()).filter(|b| !b.is_empty())
        {
            fetch(&format!("refs/heads/{branch}"))?;
        }
        if !has(base) {
            by_id?;
        }
    }
    Ok(())
}

pub fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The patch series of `commits`, made by `git format-patch` as GitHub
/// makes it (binary changes included).
fn made(local: &Local<'_>, number: u64, commits: &Commits) -> Result<Vec<u8>> {
    let made = format_patch(local, &commits.range)?;
    if made.is_empty() {
        return Err(failed(format!("PR #{number} has no commits in {}", commits.range)).into());
    }
    Ok(made)
}

/// The patch series of `range`, as `git format-patch` makes it (binary
/// changes included): what GitHub's patch is, made here.
pub fn format_patch(local: &Local<'_>, range: &str) -> Result<Vec<u8>> {
    let args = [
        "format-patch",
        "--stdout",
        "--no-cover-letter",
        "--no-signature",
        "--binary",
        range,
    ];
    let made = local.git.capture(local.dir, &args, None)?;
    if !made.success {
        made.checked()?;
        return Ok(Vec::new());
    }
    Ok(made.stdout_bytes)
}

/// How a diff is made for patch ids: as `git format-patch` makes it,
/// whatever the user's diff settings (prefixes, colour, external tools).
pub const PLAIN_DIFF: [&str; 6] = [
    "--binary",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
];

/// The patch ids of a patch series, in order. `git patch-id` reads it
/// from a temporary file (private, removed after), so that a large patch is
/// not copied in memory.
fn patch_ids(local: &Local<'_>, patch: &[u8]) -> Result<Vec<String>> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix("cherry-pick-pr-patch-")
        .tempfile()
        .failure(|| failed("making a temporary file for the patch"))?;
    file.write_all(patch)
        .and_then(|()| file.flush())
        .failure(|| failed(format!("writing the patch to {}", file.path().display())))?;
    let ids = local.git.patch_ids(local.dir, Patches::File(file.path()), None)?;
    Ok(ids.into_iter().map(|p| p.id).collect())
}

/// The patch ids of each of `series` (`None`: nothing downloaded), in
/// order, from one `git patch-id` for all of them: the series go through it
/// one after another, each followed by a boundary patch that names a
/// commit id made up for this call, so the ids are told apart whatever a
/// download holds. An error when the boundaries do not all come back.
pub fn all_patch_ids(local: &Local<'_>, series: &[Option<&[u8]>]) -> Result<Vec<Option<Vec<String>>>> {
    use std::io::Write;
    let boundary: String = (0..40)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect();
    let mut file = tempfile::Builder::new()
        .prefix("cherry-pick-pr-patches-")
        .tempfile()
        .failure(|| failed("making a temporary file for the patches"))?;
    let between = format!(
        "\nFrom {boundary} Mon Sep 17 00:00:00 2001\n\n\
         diff --git a/boundary b/boundary\n--- a/boundary\n+++ b/boundary\n@@ -1 +1 @@\n-a\n+b\n"
    );
    for body in series.iter().flatten() {
        file.write_all(body)
            .and_then(|()| file.write_all(between.as_bytes()))
            .failure(|| failed(format!("writing the patches to {}", file.path().display())))?;
    }
    file.flush()
        .failure(|| failed(format!("writing the patches to {}", file.path().display())))?;
    let note = format!("{} patch series", series.iter().flatten().count());
    let ids = local
        .git
        .patch_ids(local.dir, Patches::File(file.path()), Some(&note))?;
    let present: Vec<bool> = series.iter().map(Option::is_some).collect();
    share(&present, split_at(&ids, &boundary)).ok_or_else(|| {
        let what = format!("git patch-id --stable < {}  [{note}]", file.path().display());
        failed(format!("`{what}` did not give each series its ids")).into()
    })
}

/// `parts`, one for each `true` of `present`, in order, and `None` for each
/// `false`; `None` when there are not exactly as many parts.
fn share(present: &[bool], parts: Vec<Vec<String>>) -> Option<Vec<Option<Vec<String>>>> {
    if parts.len() != present.iter().filter(|&&p| p).count() {
        return None;
    }
    let mut parts = parts.into_iter();
    Some(present.iter().map(|&p| if p { parts.next() } else { None }).collect())
}

/// `git patch-id` output cut at the lines naming commit `boundary`: the
/// patch ids of each part, in order (the part after the last boundary,
/// always empty here, is left out).
fn split_at(ids: &[PatchId], boundary: &str) -> Vec<Vec<String>> {
    let mut parts = Vec::new();
    let mut part = Vec::new();
    for PatchId { id, commit } in ids {
        if commit == boundary {
            parts.push(std::mem::take(&mut part));
        } else {
            part.push(id.clone());
        }
    }
    parts
}

/// The patch ids of `commits`, by commit: `git log -p` of just those
/// commits piped into `git patch-id`, so their diffs are never held in
/// memory. The diff is made as `git format-patch` makes it, whatever the
/// user's diff settings (prefixes, colour, external tools).
pub fn commit_patch_ids(local: &Local<'_>, commits: &[&str]) -> Result<HashMap<String, String>> {
    let mut log = vec!["log", "--stdin", "--no-walk=unsorted", "--format=commit %H", "--patch"];
    log.extend(PLAIN_DIFF);
    let input: String = commits.iter().map(|c| format!("{c}\n")).collect();
    let note = format!("{} commits", commits.len());
    let log = Patches::Log {
        args: &log,
        commits: input.as_bytes(),
    };
    let ids = local.git.patch_ids(local.dir, log, Some(&note))?;
    Ok(ids.into_iter().map(|p| (p.commit, p.id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::ops::parse_patch_ids;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const M: &str = "3333333333333333333333333333333333333333";

    fn message(sha: &str, subject: &str) -> String {
        format!(
            "From {sha} Mon Sep 17 00:00:00 2001\nFrom: T <t@example.com>\nSubject: [PATCH] {subject}\n\n---\n a | 1 +\n"
        )
    }

    fn two() -> Commits {
        Commits {
            range: "b..h".into(),
            total: 2,
            picked: vec![A.into(), B.into()],
            patch_ids: vec!["p1".into(), "p2".into()],
        }
    }

    #[test]
    fn a_series_of_the_commits_with_their_patch_ids_is_them() {
        let patch = format!("{}{}", message(A, "one"), message(B, "two"));
        let ids = vec!["p1".to_string(), "p2".to_string()];
        assert_eq!(mismatch(&two(), patch.as_bytes(), &ids), None);
    }

    #[test]
    fn a_series_cut_short_empty_or_not_a_patch_is_not_them() {
        let first = message(A, "one");
        let ids = vec!["p1".to_string()];
        assert_eq!(
            mismatch(&two(), first.as_bytes(), &ids).as_deref(),
            Some("1 of 2 commits in it")
        );
        assert_eq!(mismatch(&two(), b"", &[]).as_deref(), Some("0 of 2 commits in it"));
        assert_eq!(
            mismatch(&two(), b"<!DOCTYPE html><html>Sign in</html>", &[]).as_deref(),
            Some("0 of 2 commits in it")
        );
    }

    #[test]
    fn the_right_count_with_other_changes_is_not_them() {
        let patch = format!("{}{}", message(A, "one"), message(B, "two"));
        for ids in [
            vec!["p1".to_string()],
            vec!["p2".into(), "p1".into()],
            vec!["p1".into(), "px".into()],
        ] {
            assert!(
                mismatch(&two(), patch.as_bytes(), &ids).is_some_and(|why| why.contains("patch ids")),
                "{ids:?}"
            );
        }
    }

    #[test]
    fn merges_count_but_are_not_picked() {
        let listed = format!("{A} {M}\n{M} {A} {B}\n{B}\n\n");
        assert_eq!(count(&listed), (3, vec![A.to_string(), B.to_string()]));
        assert_eq!(count(""), (0, Vec::new()));
    }

    #[test]
    fn object_ids_are_40_or_64_hex_digits() {
        assert!(is_object_id(A));
        assert!(is_object_id(&"a".repeat(64)));
        assert!(!is_object_id(&"a".repeat(39)));
        assert!(!is_object_id(&"g".repeat(40)));
        assert!(!is_object_id(""));
    }

    #[test]
    fn patch_id_output_is_cut_at_the_boundaries() {
        let out = "p1 c1\np2 c2\nb0 BOUND\nb1 BOUND\np3 c1\nb2 BOUND\n";
        assert_eq!(
            split_at(&parse_patch_ids(out), "BOUND"),
            vec![vec!["p1".to_string(), "p2".to_string()], vec![], vec!["p3".to_string()]]
        );
        assert!(split_at(&parse_patch_ids("p1 c1\n"), "BOUND").is_empty());
    }

    #[test]
    fn each_download_gets_its_part_and_a_missing_one_none() {
        let part = |id: &str| vec![id.to_string()];
        assert_eq!(
            share(&[true, false, true], vec![part("a"), part("b")]),
            Some(vec![Some(part("a")), None, Some(part("b"))])
        );
        assert_eq!(share(&[true, true], vec![part("a")]), None);
        assert_eq!(share(&[true], vec![part("a"), part("b")]), None);
        assert_eq!(share(&[false], vec![]), Some(vec![None]));
    }
}
