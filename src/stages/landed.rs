//! What landed: how each pull request was merged, told by git from its
//! `merge_commit_sha` and the branch it was merged into, and what is picked
//! of it (`--pick`): its own commits, or the squash or rebased commits that
//! landed. With `-x`, each picked commit's message names the commit it came
//! from on that branch, as `git cherry-pick -x` writes it.
//!
//! Nothing here rests on what GitHub says alone: the merge commit must be on
//! the branch, a rebase's commits must have the pull request's patch ids, a
//! squash commit the pull request's whole change. When that cannot be told,
//! the run says so and picks the pull request's own commits.

use std::collections::HashMap;

use anyhow::Result;

use crate::cli::options::Pick;
use crate::errors::{Context, failed};
use crate::git::ops::Patches;
use crate::github::PullRequest;
use crate::plan::state::{PickedAs, Pr};
use crate::stages::verify::{Commits, Local, PLAIN_DIFF, commit_patch_ids, is_object_id};

/// How a pull request landed on the branch it was merged into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// A merge commit: its own commits are on the branch.
    Merge { commits: Vec<String> },
    /// One commit with its whole change.
    Squash { commit: String },
    /// Its commits replayed, oldest first.
    Rebase { commits: Vec<String> },
}

/// What a run picks of each pull request, and how.
pub struct Picking<'a> {
    pub local: &'a Local<'a>,
    pub pick: Pick,
    pub record_origin: bool,
}

/// Decides what is picked of each pull request with changes (`patches[i]`
/// not empty), and changes its patch and its entry in `prs` to match: the
/// landed commits' patch, and with `-x` the origin of each commit.
/// `commits[i]` are the pull request's own commits, as the check of its
/// patch listed them (`verify`): they are not listed again. One more fetch
/// at most (the branches the pull requests were merged into); none when
/// their own commits are picked without `-x`.
pub fn pick_all(
    picking: &Picking<'_>,
    pulls: &[PullRequest],
    commits: &[Commits],
    patches: &mut [Vec<u8>],
    prs: &mut [Pr],
) -> Result<()> {
    if picking.pick == Pick::Commits && !picking.record_origin {
        return Ok(());
    }
    let local = picking.local;
    let wanted: Vec<&PullRequest> = pulls
        .iter()
        .zip(patches.iter())
        .filter(|(_, patch)| !patch.is_empty())
        .map(|(pull, _)| pull)
        .collect();
    fetch_bases(local, &wanted);
    for (((pull, own), patch), pr) in pulls.iter().zip(commits).zip(patches.iter_mut()).zip(prs.iter_mut()) {
        if patch.is_empty() {
            continue;
        }
        let landing = landing(local, pull, own).map_err(|why| {
            local.out.note(&format!(
                "cannot tell how #{} landed ({why}): its own commits are picked{}",
                pull.number,
                if picking.record_origin {
                    ", with no `cherry picked from` line"
                } else {
                    ""
                }
            ));
        });
        let own = &own.picked;
        let picked_as = match (&landing, picking.pick) {
            (Ok(Landing::Squash { .. }), Pick::Landed | Pick::Auto) => PickedAs::Squash,
            (Ok(Landing::Rebase { .. }), Pick::Landed) => PickedAs::Rebase,
            _ => PickedAs::Commits,
        };
        let landed: Vec<String> = match (&landing, picked_as) {
            (Ok(Landing::Squash { commit }), PickedAs::Squash) => vec![commit.clone()],
            (Ok(Landing::Rebase { commits }), PickedAs::Rebase) => commits.clone(),
            _ => Vec::new(),
        };
        if !landed.is_empty() {
            *patch = format_patch(local, &landed)?;
            local.out.debug(|| {
                format!(
                    "#{} is picked as {} {}",
                    pull.number,
                    described(picked_as),
                    landed.iter().map(|c| short(c)).collect::<Vec<_>>().join(" ")
                )
            });
        }
        pr.picked_as = picked_as;
        pr.landed = landed.clone();
        if picking.record_origin
            && let Ok(landing) = &landing
        {
            let origins = origins(landing, picked_as, &landed, own);
            if origins.is_empty() {
                local.out.warn(&format!(
                    "-x: #{} was squash-merged, so its own commits are not on {}: they carry no `cherry picked from` line (`--pick=landed` picks the squash commit, which does)",
                    pull.number,
                    base_name(pull)
                ));
            } else {
                *patch = with_origins(patch, &origins);
            }
            pr.origins = origins;
        }
    }
    Ok(())
}

/// The patch to apply for a pull request of a saved plan (`--continue`):
/// its landed commits' when those are picked, else `own` (its own
/// commits' patch, as `verify` made it), with the saved origins when `-x`
/// named any.
pub fn patch_for(local: &Local<'_>, pr: &Pr, own: Vec<u8>) -> Result<Vec<u8>> {
    let patch = if pr.landed.is_empty() || own.is_empty() {
        own
    } else {
        format_patch(local, &pr.landed)?
    };
    if pr.origins.is_empty() || patch.is_empty() {
        return Ok(patch);
    }
    Ok(with_origins(&patch, &pr.origins))
}

/// What is picked of `pr` in words, when not its own commits: `the squash
/// commit 1a2b3c4d5e6f`, `the rebased commits 1a2b3c4d5e6f 2b3c4d5e6f7a`.
pub fn picked_words(pr: &Pr) -> Option<String> {
    if pr.picked_as == PickedAs::Commits || pr.landed.is_empty() {
        return None;
    }
    let shas: Vec<&str> = pr.landed.iter().map(|c| short(c)).collect();
    Some(format!("{} {}", described(pr.picked_as), shas.join(" ")))
}

/// "the squash commit", "the rebased commits", "its own commits".
pub fn described(picked_as: PickedAs) -> &'static str {
    match picked_as {
        PickedAs::Squash => "the squash commit",
        PickedAs::Rebase => "the rebased commits",
        PickedAs::Commits => "its own commits",
    }
}

/// The commit each picked commit came from on the branch merged into: the
/// landed ones themselves, or for its own commits the same (a merge) or the
/// rebased commit at the same place. None for a squash's own commits.
fn origins(landing: &Landing, picked_as: PickedAs, landed: &[String], own: &[String]) -> Vec<String> {
    match (landing, picked_as) {
        (_, PickedAs::Squash | PickedAs::Rebase) => landed.to_vec(),
        (Landing::Merge { commits }, PickedAs::Commits) => commits.clone(),
        (Landing::Rebase { commits }, PickedAs::Commits) if commits.len() == own.len() => commits.clone(),
        (Landing::Rebase { .. } | Landing::Squash { .. }, PickedAs::Commits) => Vec::new(),
    }
}

/// The branch a pull request was merged into.
fn base_name(pull: &PullRequest) -> &str {
    pull.base.as_ref().map_or("", |b| b.name.as_str())
}

/// Where the branch merged into is tracked here.
fn base_ref(local: &Local<'_>, pull: &PullRequest) -> String {
    format!("refs/remotes/{}/{}", local.upstream, base_name(pull))
}

/// Fetches the branches the pull requests were merged into, in one fetch;
/// a failure is told when the landing is looked for.
fn fetch_bases(local: &Local<'_>, pulls: &[&PullRequest]) {
    let mut refspecs: Vec<String> = Vec::new();
    for pull in pulls {
        let name = base_name(pull);
        if !plausible_branch(name) {
            continue;
        }
        let spec = format!("+refs/heads/{name}:{}", base_ref(local, pull));
        if !refspecs.contains(&spec) {
            refspecs.push(spec);
        }
    }
    if refspecs.is_empty() {
        return;
    }
    let specs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
    if let Err(error) = local.git.fetch(local.dir, local.upstream, &specs) {
        local
            .out
            .debug(|| format!("fetching the branches merged into: {error}"));
    }
}

/// Whether GitHub's name of the branch merged into can be a branch name
/// (git's rules, roughly): it goes into a refspec, so no `:`, no wildcard,
/// no `..`, no space or control character.
fn plausible_branch(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("@{")
        && !name.contains("//")
        && !name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, ':' | '~' | '^' | '?' | '*' | '[' | '\\'))
}

/// How `pull` landed, from git; why not, when that cannot be told.
pub fn landing(local: &Local<'_>, pull: &PullRequest, own: &Commits) -> std::result::Result<Landing, String> {
    let (git, dir) = (local.git, local.dir);
    if pull.is_merged() != Some(true) {
        // Its `merge_commit_sha` is GitHub's test merge, on no branch.
        return Err("it is not merged".to_string());
    }
    let merge = pull
        .merge_commit_sha
        .as_deref()
        .filter(|s| is_object_id(s))
        .ok_or("GitHub names no merge commit")?;
    let branch = base_name(pull);
    if !plausible_branch(branch) {
        return Err("GitHub names no branch it was merged into".to_string());
    }
    let tracked = base_ref(local, pull);
    if !git.has_commit(dir, merge).unwrap_or(false) {
        return Err(format!("its merge commit {} is not in what was fetched", short(merge)));
    }
    let on_branch = git
        .capture(dir, &["merge-base", "--is-ancestor", merge, &tracked], None)
        .map(|c| c.success)
        .unwrap_or(false);
    if !on_branch {
        return Err(format!("its merge commit {} is not on {branch}", short(merge)));
    }
    let parents = git
        .rev_list(dir, &["--parents", "-n", "1", merge])
        .map_err(|e| e.to_string())?;
    let parents: Vec<&str> = parents
        .first()
        .map(|l| l.split(' ').skip(1).collect())
        .unwrap_or_default();
    match parents.as_slice() {
        [_, second] if *second == pull.head.sha => Ok(Landing::Merge {
            commits: own.picked.clone(),
        }),
        [_, _] => Err(format!(
            "its merge commit {} does not merge the pull request's head",
            short(merge)
        )),
        [_] => {
            let count = own.picked.len().to_string();
            let mut chain = git
                .rev_list(dir, &["--first-parent", "--no-merges", "-n", &count, merge])
                .map_err(|e| e.to_string())?;
            chain.reverse();
            let mut all: Vec<&str> = own.picked.iter().map(String::as_str).collect();
            all.extend(chain.iter().map(String::as_str));
            let ids = commit_patch_ids(local, &all).map_err(|e| format!("{e:#}"))?;
            if same_changes(&ids, &own.picked, &chain) {
                return Ok(Landing::Rebase { commits: chain });
            }
            if squashed(local, &own.range, merge, &ids)? {
                return Ok(Landing::Squash {
                    commit: merge.to_string(),
                });
            }
            Err(format!(
                "its merge commit {} is neither its commits replayed nor its whole change",
                short(merge)
            ))
        }
        _ => Err(format!("its merge commit {} has no parent", short(merge))),
    }
}

/// Whether `theirs` are `ours` replayed: as many, with the same patch ids in
/// the same order.
fn same_changes(ids: &HashMap<String, String>, ours: &[String], theirs: &[String]) -> bool {
    ours.len() == theirs.len()
        && ours
            .iter()
            .zip(theirs)
            .all(|(a, b)| matches!((ids.get(a), ids.get(b)), (Some(x), Some(y)) if x == y))
}

/// Whether the one commit `merge` has the pull request's whole change: the
/// patch id of `range`'s three-dot diff (`base...head`, as GitHub shows it).
fn squashed(
    local: &Local<'_>,
    range: &str,
    merge: &str,
    ids: &HashMap<String, String>,
) -> std::result::Result<bool, String> {
    let three_dots = range.replace("..", "...");
    let mut args = vec!["diff"];
    args.extend(PLAIN_DIFF);
    args.push(&three_dots);
    let whole = local.git.capture(local.dir, &args, None).map_err(|e| e.to_string())?;
    if !whole.success {
        return Err(format!("cannot diff {range}"));
    }
    let mut text = format!("commit {}\n\n", "0".repeat(40)).into_bytes();
    text.extend_from_slice(&whole.stdout_bytes);
    let file = tempfile::Builder::new()
        .prefix("cherry-pick-pr-diff-")
        .tempfile()
        .map_err(|e| e.to_string())?;
    std::fs::write(file.path(), &text).map_err(|e| e.to_string())?;
    let whole_ids = local
        .git
        .patch_ids(local.dir, Patches::File(file.path()), None)
        .map_err(|e| e.to_string())?;
    let whole_id = whole_ids.first().map(|p| p.id.as_str());
    let merge_id = match ids.get(merge) {
        Some(id) => Some(id.clone()),
        None => commit_patch_ids(local, &[merge])
            .map_err(|e| format!("{e:#}"))?
            .remove(merge),
    };
    Ok(whole_id.is_some() && whole_id == merge_id.as_deref())
}

/// The patch series of `commits` (consecutive, oldest first), as
/// `git format-patch` makes it.
fn format_patch(local: &Local<'_>, commits: &[String]) -> Result<Vec<u8>> {
    let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
        return Ok(Vec::new());
    };
    let range = format!("{first}^..{last}");
    crate::stages::verify::format_patch(local, &range).failure(|| failed(format!("making the patch of {range}")))
}

/// The first 12 characters of a commit id.
fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `patch` with `(cherry picked from commit <origin>)` at the end of the
/// message of each commit, in order: after the trailers when the message
/// ends with some, else after a blank line, as `git cherry-pick -x` does.
pub fn with_origins(patch: &[u8], origins: &[String]) -> Vec<u8> {
    /// Where in a message a line is.
    #[derive(PartialEq)]
    enum At {
        Headers,
        Body,
        Diff,
    }
    let text = String::from_utf8_lossy(patch);
    let mut out = String::with_capacity(text.len() + origins.len() * 64);
    let mut message = 0usize;
    let mut at = At::Diff;
    // The body's last paragraph, so far.
    let mut paragraph: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if is_mbox_start(line) {
            at = At::Headers;
        } else if at == At::Headers && bare.is_empty() {
            at = At::Body;
            paragraph.clear();
        } else if at == At::Body && bare == "---" {
            if let Some(origin) = origins.get(message) {
                // The body's own blank lines before the separator go.
                while out.ends_with("\n\n") {
                    out.pop();
                }
                if paragraph.is_empty() || !paragraph.iter().all(|l| is_trailer(l)) {
                    out.push('\n');
                }
                out.push_str(&format!("(cherry picked from commit {origin})\n"));
            }
            message += 1;
            at = At::Diff;
        } else if at == At::Body && bare.is_empty() {
            paragraph.clear();
        } else if at == At::Body {
            paragraph.push(bare.to_string());
        }
        out.push_str(line);
    }
    out.into_bytes()
}

/// `From <40 hex> Mon Sep 17 00:00:00 2001`: where a message of an mbox
/// made by `git format-patch` begins.
fn is_mbox_start(line: &str) -> bool {
    line.strip_prefix("From ")
        .and_then(|rest| rest.split(' ').next())
        .is_some_and(is_object_id)
        && line.contains("Mon Sep 17 00:00:00 2001")
}

/// A trailer line (`Signed-off-by: A <a@b>`), or an earlier origin line.
fn is_trailer(line: &str) -> bool {
    if line.starts_with("(cherry picked from commit ") {
        return true;
    }
    match line.split_once(": ") {
        Some((key, _)) => !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    fn mbox(messages: &[&str]) -> String {
        messages
            .iter()
            .map(|body| {
                format!(
                    "From {A} Mon Sep 17 00:00:00 2001\nFrom: Bob <b@x>\nSubject: [PATCH] Fix\n\n{body}---\n a.go | 2 +-\n\ndiff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-a\n+b\n"
                )
            })
            .collect()
    }

    #[test]
    fn each_message_ends_with_its_origin_as_git_cherry_pick_x_writes_it() {
        let patch = mbox(&[
            "The fix.\n",
            "Another.\n\nSigned-off-by: Bob <b@x>\n",
            "Fixes: a thing\nand prose.\n",
            "",
        ]);
        let origins = [A.into(), B.into(), A.into()];
        let done = String::from_utf8(with_origins(patch.as_bytes(), &origins)).unwrap();
        let expected = mbox(&[
            &format!("The fix.\n\n(cherry picked from commit {A})\n"),
            &format!("Another.\n\nSigned-off-by: Bob <b@x>\n(cherry picked from commit {B})\n"),
            &format!("Fixes: a thing\nand prose.\n\n(cherry picked from commit {A})\n"),
            "",
        ]);
        assert_eq!(done, expected);
        // The diff's own `---` lines are not the separator.
        assert_eq!(done.matches("cherry picked from").count(), 3);
    }

    #[test]
    fn no_origins_change_nothing() {
        let patch = mbox(&["The fix.\n"]);
        assert_eq!(with_origins(patch.as_bytes(), &[]), patch.as_bytes());
    }

    #[test]
    fn a_branch_name_from_github_must_look_like_one() {
        for good in ["master", "main", "release/3.1", "dev-2"] {
            assert!(plausible_branch(good), "{good}");
        }
        for bad in [
            "", "-x", "a:b", "a..b", "a b", "a\nb", "a*", "x.lock", "/a", "a/", "a@{1}", "a\\b",
        ] {
            assert!(!plausible_branch(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_message_starts_at_a_from_line_with_an_id_and_git_s_date() {
        assert!(is_mbox_start(&format!("From {A} Mon Sep 17 00:00:00 2001\n")));
        // A body line that begins with "From " is no start.
        assert!(!is_mbox_start(&format!("From {A} onwards, it works\n")));
        assert!(!is_mbox_start("From Bob Mon Sep 17 00:00:00 2001\n"));
        assert!(!is_mbox_start("Fixes it\n"));
    }

    #[test]
    fn trailers_are_key_colon_value_lines() {
        assert!(is_trailer("Signed-off-by: Bob <b@x>"));
        assert!(is_trailer("(cherry picked from commit 1234)"));
        assert!(!is_trailer("The fix for it: here"));
        assert!(!is_trailer("The fix."));
        assert!(!is_trailer(": nothing"));
    }

    #[test]
    fn the_origin_of_each_commit_is_on_the_branch_merged_into() {
        let own = vec!["a".to_string(), "b".to_string()];
        let landed = vec!["x".to_string(), "y".to_string()];
        let merge = Landing::Merge { commits: own.clone() };
        let rebase = Landing::Rebase {
            commits: landed.clone(),
        };
        let squash = Landing::Squash { commit: "s".into() };
        assert_eq!(origins(&merge, PickedAs::Commits, &[], &own), own);
        assert_eq!(origins(&rebase, PickedAs::Commits, &[], &own), landed);
        assert_eq!(origins(&rebase, PickedAs::Rebase, &landed, &own), landed);
        assert_eq!(origins(&squash, PickedAs::Squash, &["s".to_string()], &own), ["s"]);
        // A squash's own commits are not on the branch: never named.
        assert!(origins(&squash, PickedAs::Commits, &[], &own).is_empty());
        // A rebase that does not line up with them names none.
        assert!(origins(&rebase, PickedAs::Commits, &[], &own[..1]).is_empty());
    }

    #[test]
    fn replayed_commits_have_the_same_patch_ids_in_order() {
        let ids: HashMap<String, String> = [("a", "1"), ("b", "2"), ("x", "1"), ("y", "2")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_changes(&ids, &s(&["a", "b"]), &s(&["x", "y"])));
        assert!(!same_changes(&ids, &s(&["a", "b"]), &s(&["y", "x"])));
        assert!(!same_changes(&ids, &s(&["a", "b"]), &s(&["x"])));
        assert!(!same_changes(&ids, &s(&["a", "z"]), &s(&["x", "z"])));
    }
}
