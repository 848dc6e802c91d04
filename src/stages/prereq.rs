//! Prerequisites: when a pull request's pick stops on conflicts, the earlier
//! changes it needs that the target lacks. For each hunk of its patch in a
//! conflicting file, `git blame` on the commit's parent names the commits
//! that last touched the lines the hunk expected (those it removes and its
//! context); those that are neither in the target's history nor on it by
//! content (patch id, or a `cherry picked from` trailer) are named, each by
//! its pull request.
//!
//! A commit's pull request is told by the merge that brought it in
//! (`Merge pull request #N`) or its own squash subject (`… (#N)`), a hint
//! that GitHub must confirm (that pull request is merged, and its merge made
//! that commit); only without such a hint is GitHub asked which pull request
//! the commit belongs to. At most one request per distinct commit, and the
//! history read is bounded: the hunks' lines, the target's own commits, and
//! the merges between each commit and the pull request.
//!
//! At a stop, a prerequisite waiting in an open pull request against the
//! target that is its cherry pick (judged as `--missing` judges one: by its
//! commits, or a maintainer's word) is named with it: one listing of the
//! open pull requests against the target and one `git fetch` of their heads
//! into no ref.
//!
//! The search never stops a run: what it cannot tell is left unnamed, and
//! `--debug` says why.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Result;

use crate::cli::args::Target;
use crate::git::Git;
use crate::github::{GitHub, PullRequest, Repo};
use crate::output::Output;
use crate::plan::state::{Place, Prerequisite};

/// What the search reads and asks.
pub struct Search<'a> {
    pub git: &'a Git<'a>,
    pub github: &'a GitHub<'a>,
    pub repo: &'a Repo,
    /// Where git runs: the repository (any of its worktrees).
    pub dir: &'a Path,
    /// The target's tip: `refs/remotes/upstream/release-3.1`.
    pub target: &'a str,
    pub out: &'a Output,
}

/// The most merges looked at between a commit and the pull request, to find
/// the one that brought it in.
const MERGES_LOOKED_AT: usize = 16;

/// The most commits a stop names.
const MOST: usize = 20;

/// The earlier changes pull request `number`'s `patch` needs in the
/// `conflicts` files that the target lacks, in merge order. Empty when none
/// is found or the search failed (said with `--debug`).
pub fn find(search: &Search<'_>, number: u64, patch: &[u8], conflicts: &[String]) -> Vec<Prerequisite> {
    found(search, number, patch, conflicts).0
}

/// As `find`, at a stop on `target`: each prerequisite waiting in an open
/// pull request against it that is its cherry pick is named with it. When
/// that cannot be told, they are named as `find` names them (`--debug`
/// says why).
pub fn find_at_stop(
    search: &Search<'_>,
    target: &Target,
    number: u64,
    patch: &[u8],
    conflicts: &[String],
) -> Vec<Prerequisite> {
    let (mut needs, pulls) = found(search, number, patch, conflicts);
    if let Err(e) = name_waiting(search, target, &mut needs, &pulls) {
        search.out.debug(|| {
            format!("could not tell whether what #{number} needs waits in an open pull request against {target}: {e:#}")
        });
    }
    needs
}

/// The prerequisites and, of those that are pull requests, GitHub's
/// description; nothing when the search failed (said with `--debug`).
fn found(
    search: &Search<'_>,
    number: u64,
    patch: &[u8],
    conflicts: &[String],
) -> (Vec<Prerequisite>, Vec<PullRequest>) {
    match search_for(search, patch, conflicts) {
        Ok(found) => found,
        Err(e) => {
            search
                .out
                .debug(|| format!("could not tell which earlier changes #{number} needs: {e:#}"));
            (Vec::new(), Vec::new())
        }
    }
}

/// Names, in each of `needs` that is a pull request (described in
/// `pulls`), the open pull request against `target` that is its cherry
/// pick, if one is: one listing of the open pull requests against the
/// target, and one fetch of their heads that moves no ref.
fn name_waiting(search: &Search<'_>, target: &Target, needs: &mut [Prerequisite], pulls: &[PullRequest]) -> Result<()> {
    let sources: Vec<PullRequest> = (pulls.iter())
        .filter(|p| needs.iter().any(|need| need.number == Some(p.number)))
        .cloned()
        .collect();
    if sources.is_empty() {
        return Ok(());
    }
    let open = search
        .github
        .list_pulls(search.repo, &target.branch, "open", crate::stages::candidates::LISTED)
        .map_err(|e| search.github.explain(e))?;
    let waiting = crate::stages::candidates::waiting_in(&sources, &open, target, search.git, search.dir)?;
    for need in needs.iter_mut() {
        let Some(n) = need.number else { continue };
        if let Some(related) = waiting.get(&n) {
            search
                .out
                .debug(|| format!("#{n} waits in #{} ({:?})", related.number, related.evidence));
            need.waiting = Some(related.number);
        }
    }
    Ok(())
}

/// Where a trial pick is made.
pub struct Trial<'a> {
    pub search: Search<'a>,
    pub common_dir: &'a Path,
    /// The target's remote and branch.
    pub remote: &'a str,
    pub branch: &'a str,
}

/// Tries `prs` (their `patches`) in order on the target, in a worktree of
/// its own that is removed after: for the first that conflicts, the earlier
/// pull requests it needs that the target lacks and `prs` do not hold, in
/// merge order. Nothing is pushed or kept.
pub fn trial(trial: &Trial<'_>, prs: &[u64], patches: &HashMap<u64, Vec<u8>>) -> Result<Vec<(u64, Vec<u64>)>> {
    let search = &trial.search;
    let mut worktree = crate::stages::apply::add_worktree(
        *search.git,
        search.out,
        search.dir,
        trial.common_dir,
        &format!(
            "cherry-pick-pr-trial-{}-{}",
            trial.remote,
            trial.branch.replace('/', "-")
        ),
        search.target,
        None,
    )?;
    let mut before = match worktree.start.clone() {
        Some(start) => start,
        None => crate::stages::apply::head(search.git, &worktree.path)?,
    };
    for n in prs {
        let Some(patch) = patches.get(n) else { continue };
        match worktree.apply(*n, patch, false, &before)? {
            crate::stages::apply::Attempt::Applied(_, after) => before = after,
            crate::stages::apply::Attempt::Stopped(stop) => {
                let needs: Vec<u64> = find(search, *n, patch, &stop.conflicts)
                    .into_iter()
                    .filter_map(|p| p.number)
                    .filter(|m| !prs.contains(m))
                    .collect();
                if crate::stages::apply::am_in_progress(search.git, &worktree.path)? {
                    search.git.am_abort(&worktree.path)?;
                }
                return Ok(if needs.is_empty() {
                    Vec::new()
                } else {
                    vec![(*n, needs)]
                });
            }
        }
    }
    Ok(Vec::new())
}

/// A commit the hunks' lines were last touched by.
struct Blamed {
    subject: String,
    /// The revision it was found from: where the merge that brought it in
    /// is looked for.
    from: String,
    /// Path → line numbers.
    lines: BTreeMap<String, Vec<u32>>,
}

fn search_for(
    search: &Search<'_>,
    patch: &[u8],
    conflicts: &[String],
) -> Result<(Vec<Prerequisite>, Vec<PullRequest>)> {
    let (git, dir) = (search.git, search.dir);
    let commits = hunks(patch);
    let own: Vec<&str> = commits.iter().map(|c| c.commit.as_str()).collect();
    let mut blamed: Vec<(String, Blamed)> = Vec::new();
    for commit in &commits {
        let parent = format!("{}^", commit.commit);
        for (path, ranges) in &commit.files {
            if !conflicts.contains(path) || ranges.is_empty() {
                continue;
            }
            for (sha, subject, line) in blame(git, dir, &parent, path, ranges)? {
                if own.contains(&sha.as_str()) {
                    continue;
                }
                let entry = match blamed.iter_mut().find(|(s, _)| *s == sha) {
                    Some((_, entry)) => entry,
                    None => {
                        blamed.push((
                            sha.clone(),
                            Blamed {
                                subject,
                                from: parent.clone(),
                                lines: BTreeMap::new(),
                            },
                        ));
                        &mut blamed.last_mut().expect("just pushed").1
                    }
                };
                entry.lines.entry(path.clone()).or_default().push(line);
            }
        }
    }
    // Not in the target's history, and not on it by content.
    let mut missing = Vec::new();
    for (sha, entry) in blamed {
        if !is_ancestor(git, dir, &sha, search.target)? {
            missing.push((sha, entry));
        }
    }
    let shas: Vec<String> = missing.iter().map(|(sha, _)| sha.clone()).collect();
    let picked = crate::stages::candidates::picked_onto(git, dir, search.target, &shas)?;
    missing.retain(|(sha, _)| !picked.contains(sha));
    missing.truncate(MOST);

    // Each by its pull request, else by itself; the commit that landed it
    // gives the merge order.
    let mut found: Vec<(String, Prerequisite)> = Vec::new();
    let mut confirmed: HashMap<u64, Option<PullRequest>> = HashMap::new();
    let mut pulls: Vec<PullRequest> = Vec::new();
    for (sha, entry) in missing {
        let (pull, landed) = pull_of(search, &sha, &entry, &mut confirmed)?;
        let number = pull.as_ref().map(|p| p.number);
        if let Some(pull) = pull
            && !pulls.iter().any(|p| p.number == pull.number)
        {
            pulls.push(pull);
        }
        let places = entry.lines.into_iter();
        match found.iter_mut().find(|(_, p)| p.number.is_some() && p.number == number) {
            Some((_, prerequisite)) => merge_places(&mut prerequisite.places, places),
            None => {
                let mut prerequisite = Prerequisite {
                    number,
                    commit: sha.clone(),
                    subject: entry.subject,
                    places: Vec::new(),
                    waiting: None,
                };
                merge_places(&mut prerequisite.places, places);
                found.push((landed, prerequisite));
            }
        }
    }
    merge_order(git, dir, &mut found)?;
    Ok((found.into_iter().map(|(_, p)| p).collect(), pulls))
}

/// Adds `lines` of each path to `places`, as sorted ranges.
fn merge_places(places: &mut Vec<Place>, lines: impl Iterator<Item = (String, Vec<u32>)>) {
    for (path, new) in lines {
        let mut all: Vec<u32> = places
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.lines.iter().flat_map(|(a, b)| *a..=*b).collect())
            .unwrap_or_default();
        all.extend(new);
        let ranges = ranges(all);
        match places.iter_mut().find(|p| p.path == path) {
            Some(place) => place.lines = ranges,
            None => places.push(Place { path, lines: ranges }),
        }
    }
}

/// Line numbers as sorted ranges of consecutive lines.
fn ranges(mut lines: Vec<u32>) -> Vec<(u32, u32)> {
    lines.sort_unstable();
    lines.dedup();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == line => *last = line,
            _ => out.push((line, line)),
        }
    }
    out
}

/// Sorts `found` in merge order: a change whose landing commit is an
/// ancestor of another's comes first; unrelated ones keep their order.
fn merge_order(git: &Git<'_>, dir: &Path, found: &mut Vec<(String, Prerequisite)>) -> Result<()> {
    let mut sorted: Vec<(String, Prerequisite)> = Vec::new();
    while !found.is_empty() {
        let mut first = 0;
        for i in 0..found.len() {
            let earlier = (0..found.len())
                .filter(|j| *j != i)
                .map(|j| is_ancestor(git, dir, &found[j].0, &found[i].0))
                .collect::<Result<Vec<bool>>>()?;
            if !earlier.contains(&true) {
                first = i;
                break;
            }
        }
        sorted.push(found.remove(first));
    }
    *found = sorted;
    Ok(())
}

/// Whether `commit` is in the history of `of`.
fn is_ancestor(git: &Git<'_>, dir: &Path, commit: &str, of: &str) -> Result<bool> {
    if commit == of {
        return Ok(true);
    }
    let answer = git.capture(dir, &["merge-base", "--is-ancestor", commit, of], None)?;
    match answer.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(answer
            .checked()
            .err()
            .map(anyhow::Error::from)
            .unwrap_or_else(|| anyhow::anyhow!("git merge-base --is-ancestor {commit} {of} failed"))),
    }
}

/// The pull request of commit `sha` (when told and confirmed), as GitHub
/// describes it, and the commit that landed it: a hint from the merge that
/// brought it in or its squash subject, confirmed by GitHub; else GitHub's
/// own word on the commit.
fn pull_of(
    search: &Search<'_>,
    sha: &str,
    entry: &Blamed,
    confirmed: &mut HashMap<u64, Option<PullRequest>>,
) -> Result<(Option<PullRequest>, String)> {
    let hint = match squash_number(&entry.subject) {
        Some(n) => Some((n, sha.to_string())),
        None => merge_of(search.git, search.dir, sha, &entry.from)?,
    };
    let Some((n, landed)) = hint else {
        // GitHub's association of the commit with the pull request that merged it.
        let pulls = match search.github.commit_pulls(search.repo, sha) {
            Ok(pulls) => pulls,
            Err(e) => {
                search.out.debug(|| format!("{e}"));
                return Ok((None, sha.to_string()));
            }
        };
        let merged = pulls.into_iter().find(|p| p.is_merged() == Some(true));
        return Ok((merged, sha.to_string()));
    };
    if let Some(known) = confirmed.get(&n) {
        return Ok((known.clone(), landed));
    }
    let pull = match search.github.pull(search.repo, n) {
        Ok(pull) if pull.is_merged() == Some(true) && pull.merge_commit_sha.as_deref() == Some(landed.as_str()) => {
            Some(pull)
        }
        Ok(_) => {
            search.out.debug(|| {
                format!(
                    "{} names #{n}, but GitHub says #{n} did not land it",
                    &sha[..sha.len().min(12)]
                )
            });
            None
        }
        Err(e) => {
            search.out.debug(|| format!("{e}"));
            None
        }
    };
    confirmed.insert(n, pull.clone());
    Ok((pull, landed))
}

/// The `N` of a squash commit's subject `Its title (#N)`.
fn squash_number(subject: &str) -> Option<u64> {
    let inner = subject.trim_end().strip_suffix(')')?;
    let (_, number) = inner.rsplit_once("(#")?;
    number.parse().ok()
}

/// The `N` of a merge's subject `Merge pull request #N from …`.
fn merge_number(subject: &str) -> Option<u64> {
    let rest = subject.strip_prefix("Merge pull request #")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    (after.is_empty() || after.starts_with(' ')).then(|| digits.parse().ok())?
}

/// The merge of a pull request that brought `sha` into `tip`'s history: the
/// first merge on the way from one to the other whose first parent lacks it,
/// when its subject names a pull request; with that merge.
fn merge_of(git: &Git<'_>, dir: &Path, sha: &str, tip: &str) -> Result<Option<(u64, String)>> {
    let range = format!("{sha}..{tip}");
    let listed = git.run(
        dir,
        &[
            "log",
            "--ancestry-path",
            "--merges",
            "--topo-order",
            "--reverse",
            "--format=%H %s",
            &range,
            "--",
        ],
    )?;
    for line in listed.lines().take(MERGES_LOOKED_AT) {
        let Some((merge, subject)) = line.split_once(' ') else {
            continue;
        };
        if is_ancestor(git, dir, sha, &format!("{merge}^1"))? {
            continue;
        }
        return Ok(merge_number(subject).map(|n| (n, merge.to_string())));
    }
    Ok(None)
}

/// The commits that last touched `ranges` of `path` at `rev`: each line's
/// commit, its subject and the line number.
fn blame(
    git: &Git<'_>,
    dir: &Path,
    rev: &str,
    path: &str,
    ranges: &[(u32, u32)],
) -> Result<Vec<(String, String, u32)>> {
    let mut args = vec!["blame".to_string(), "--porcelain".to_string()];
    for (a, b) in ranges {
        args.push(format!("-L{a},{b}"));
    }
    args.extend([rev.to_string(), "--".to_string(), path.to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let answer = git.capture(dir, &args, None)?;
    if !answer.success {
        // A file the commit adds, or lines past its end: nothing to blame.
        return Ok(Vec::new());
    }
    Ok(parse_blame(&answer.stdout))
}

/// `git blame --porcelain`: each line's commit, that commit's subject and
/// the line's number in the blamed revision.
fn parse_blame(text: &str) -> Vec<(String, String, u32)> {
    let mut subjects: HashMap<String, String> = HashMap::new();
    let mut lines: Vec<(String, u32)> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with('\t') {
            continue;
        }
        let mut words = line.split(' ');
        let first = words.next().unwrap_or_default();
        if (first.len() == 40 || first.len() == 64) && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            let final_line = words.nth(1).and_then(|n| n.parse().ok());
            if let Some(number) = final_line {
                current = first.to_string();
                lines.push((current.clone(), number));
            }
        } else if let Some(subject) = line.strip_prefix("summary ") {
            subjects.entry(current.clone()).or_insert_with(|| subject.to_string());
        }
    }
    lines
        .into_iter()
        .map(|(sha, n)| {
            let subject = subjects.get(&sha).cloned().unwrap_or_default();
            (sha, subject, n)
        })
        .collect()
}

/// One commit of a patch series and, per file it changes (by its old
/// path), the lines its hunks expect there: removed and context lines, as
/// ranges in the old file.
#[derive(Debug, PartialEq, Eq)]
struct CommitHunks {
    commit: String,
    files: Vec<(String, Vec<(u32, u32)>)>,
}

/// The hunks of an mbox patch series, commit by commit.
fn hunks(patch: &[u8]) -> Vec<CommitHunks> {
    let text = String::from_utf8_lossy(patch);
    let mut commits: Vec<CommitHunks> = Vec::new();
    // Lines of the hunk being read still to come: old side, new side.
    let mut left = (0u32, 0u32);
    for line in text.lines() {
        if left != (0, 0) {
            match line.as_bytes().first() {
                Some(b' ') | None => left = (left.0.saturating_sub(1), left.1.saturating_sub(1)),
                Some(b'-') => left.0 = left.0.saturating_sub(1),
                Some(b'+') => left.1 = left.1.saturating_sub(1),
                Some(b'\\') => {}
                _ => left = (0, 0),
            }
            continue;
        }
        if let Some(commit) = crate::stages::apply::mbox_commit(line) {
            commits.push(CommitHunks {
                commit: commit.to_string(),
                files: Vec::new(),
            });
        } else if let Some(old) = line.strip_prefix("--- ") {
            let Some(commit) = commits.last_mut() else { continue };
            // `/dev/null`: a new file, nothing expected.
            let path = old.strip_prefix("a/").unwrap_or_default().trim_end_matches('\t');
            commit.files.push((path.to_string(), Vec::new()));
        } else if let Some(header) = line.strip_prefix("@@ -") {
            let Some((old, new)) = header.split_once(" +") else {
                continue;
            };
            let new = new.split(' ').next().unwrap_or_default();
            let (start, count) = span(old);
            left = (count, span(new).1);
            if let Some((_, ranges)) = commits.last_mut().and_then(|c| c.files.last_mut())
                && count > 0
            {
                ranges.push((start, start + count - 1));
            }
        }
    }
    commits.retain(|c| !c.files.is_empty());
    for commit in &mut commits {
        commit.files.retain(|(path, _)| !path.is_empty());
    }
    commits
}

/// A hunk header's `start,count` (count 1 when left out).
fn span(text: &str) -> (u32, u32) {
    match text.split_once(',') {
        Some((start, count)) => (start.parse().unwrap_or(0), count.parse().unwrap_or(0)),
        None => (text.parse().unwrap_or(0), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_name_the_lines_they_expect() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let patch = format!(
            "From {a} Mon Sep 17 00:00:00 2001\nSubject: x\n\n---\n pkg/a.go | 2 +-\n\n\
diff --git a/pkg/a.go b/pkg/a.go\n--- a/pkg/a.go\n+++ b/pkg/a.go\n@@ -12,7 +12,7 @@ func x\n c\n c\n c\n-old\n+new\n c\n c\n c\n\
@@ -30 +30,2 @@\n-x\n+y\n+z\n\
diff --git a/new.go b/new.go\nnew file mode 100644\n--- /dev/null\n+++ b/new.go\n@@ -0,0 +1 @@\n+hi\n\
-- \n2.40.0\n\nFrom {b} Mon Sep 17 00:00:00 2001\nSubject: y\n\n---\n\
diff --git a/pkg/b.go b/pkg/b.go\n--- a/pkg/b.go\n+++ b/pkg/b.go\n@@ -1,2 +1 @@\n--- a removed line that looks like a header\n c\n"
        );
        assert_eq!(
            hunks(patch.as_bytes()),
            vec![
                CommitHunks {
                    commit: a,
                    files: vec![("pkg/a.go".into(), vec![(12, 18), (30, 30)])],
                },
                CommitHunks {
                    commit: b,
                    files: vec![("pkg/b.go".into(), vec![(1, 2)])],
                },
            ]
        );
    }

    #[test]
    fn pull_requests_are_hinted_by_merge_and_squash_subjects() {
        assert_eq!(squash_number("Add the setting (#3805)"), Some(3805));
        assert_eq!(squash_number("Add the setting (#38a)"), None);
        assert_eq!(squash_number("Add the setting"), None);
        assert_eq!(merge_number("Merge pull request #3805 from bob/setting"), Some(3805));
        assert_eq!(merge_number("Merge pull request #3805"), Some(3805));
        assert_eq!(merge_number("Merge pull request #3805x"), None);
        assert_eq!(merge_number("Merge branch 'x'"), None);
    }

    #[test]
    fn lines_become_ranges() {
        assert_eq!(ranges(vec![16, 14, 15, 20, 14]), vec![(14, 16), (20, 20)]);
        let mut places = Vec::new();
        merge_places(&mut places, [("a".to_string(), vec![3, 4])].into_iter());
        merge_places(&mut places, [("a".to_string(), vec![5, 9])].into_iter());
        assert_eq!(places[0].to_string(), "a:3-5,9");
    }

    #[test]
    fn blame_porcelain_gives_each_line_its_commit() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let text = format!(
            "{a} 3 14 2\nauthor X\nsummary Add the setting (#3805)\nfilename p\n\tx\n{a} 4 15\n\ty\n{b} 1 16 1\nsummary Initial\nboundary\nfilename p\n\tz\n"
        );
        assert_eq!(
            parse_blame(&text),
            vec![
                (a.clone(), "Add the setting (#3805)".to_string(), 14),
                (a, "Add the setting (#3805)".to_string(), 15),
                (b, "Initial".to_string(), 16),
            ]
        );
    }
}
