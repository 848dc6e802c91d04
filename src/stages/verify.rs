//! Verify, don't trust: what is applied is the pull request's commits,
//! known here and checked by git against their ids. The fetch brought
//! `refs/pull/N/head`, and the pull request's JSON names its base and head
//! and says how many commits it has; git must find that many in
//! `base..head`. The patch series is then made here from those commits with
//! `git format-patch`, one process for every pull request of the run, and
//! each pull request's part of it must be exactly its commits' messages, in
//! order.
//!
//! GitHub's patch is downloaded only where that cannot be done. When the
//! commits cannot be had here even after fetching them, nothing can check a
//! download: the run stops and says what GitHub sent. When `git
//! format-patch` cannot make their patch, GitHub's is applied only if it is
//! an mbox of as many messages as the commits make (merges and empty commits
//! make none), with the same patch ids (`git patch-id --stable`) in the same
//! order; otherwise the run stops and says what GitHub sent.
//!
//! Every pull request's commits come from one `git rev-list` (after one
//! `git merge-base` when their bases differ): it lists all their ranges at
//! once down to what every base reaches, and each range is worked out here
//! from the commits' parents, so the git processes do not grow with the
//! pull requests.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;
use crate::git::ops::{PatchId, Patches};
use crate::github::{ApiError, Download, PullRequest, sent};
use crate::output::Output;
use crate::signals::join;
use crate::stages::apply::patch_commits;

/// Where the commits are, and where a patch is made from them.
pub struct Local<'a> {
    pub git: &'a Git<'a>,
    pub dir: &'a Path,
    /// The upstream remote, where `refs/pull/N/head` and the base come from.
    pub upstream: &'a str,
    pub out: &'a Output,
}

/// GitHub's patch of a pull request, asked for only where it cannot be made
/// here, and how a refusal to send it is told.
pub struct Api<'a> {
    pub download: &'a (dyn Fn(u64) -> Result<Download, ApiError> + Sync),
    pub explain: &'a (dyn Fn(ApiError, u64) -> anyhow::Error + Sync),
}

/// What a pull request brings to apply, once checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// A patch series that is the pull request's commits.
    Patch(Vec<u8>),
    /// The pull request has no commits: nothing to apply.
    Empty,
}

/// A pull request's patch, and the commits it was checked against.
#[derive(Debug)]
pub struct Verified {
    pub checked: Checked,
    pub commits: Commits,
}

/// The pull request's own commits, as the local objects say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commits {
    /// `base..head`, the commits GitHub counts as the pull request's.
    pub range: String,
    /// How many commits that is, merges included.
    pub total: u64,
    /// The commits a patch series holds (merges left out), oldest first.
    pub picked: Vec<String>,
    /// Those of `picked` that change something: each makes one message of
    /// the patch series (`git format-patch` leaves an empty commit out).
    pub changing: Vec<String>,
    /// The patch ids of `changing`, in order; known only when GitHub's patch
    /// is checked against them.
    pub patch_ids: Vec<String>,
}

/// The patch to apply for each of `pulls`, in order, with the commits it
/// was checked against: made here from the commits (one `git format-patch`
/// for all), or GitHub's where it cannot be (`api`, checked as above).
pub fn check_all(local: &Local<'_>, pulls: &[PullRequest], api: &Api<'_>) -> Vec<Result<Verified>> {
    let listed = list_all(local, pulls);
    let mut made = make_all(local, pulls, &listed);
    // GitHub's patch, where the commits cannot be had or their patch cannot be made.
    let wanted: Vec<usize> = (0..pulls.len())
        .filter(|&i| listed[i].is_err() || matches!(made[i], Some(Err(_))))
        .collect();
    for &i in &wanted {
        if let (Ok(_), Some(Err(why))) = (&listed[i], &made[i]) {
            local.out.note(&format!(
                "the patch of PR #{} cannot be made here ({}): downloading GitHub's, to check it against its commits",
                pulls[i].number,
                crate::safe::one_line(&format!("{why:#}"))
            ));
        }
    }
    let mut downloads = download_all(api, pulls, &wanted);
    // The downloads to check against commits known here: their patch ids
    // and the commits', each from one process.
    let checkable: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&i| listed[i].is_ok() && matches!(downloads[i], Some(Ok(_))))
        .collect();
    let reference = reference_ids(local, &listed, &checkable);
    let mut sent_ids = downloads_ids(local, &downloads, &checkable);
    listed
        .into_iter()
        .enumerate()
        .map(|(i, commits)| {
            let pull = &pulls[i];
            let commits = match commits {
                Ok(commits) => commits,
                Err(why) => return Err(unverifiable(pull.number, why, downloads[i].take())),
            };
            if let Some(error) = nothing_to_make(pull.number, &commits) {
                return error.map(|()| Verified {
                    checked: Checked::Empty,
                    commits,
                });
            }
            match (made[i].take(), downloads[i].take()) {
                (Some(Ok(patch)), _) => Ok(Verified {
                    checked: Checked::Patch(patch),
                    commits,
                }),
                (Some(Err(not_made)), Some(download)) => {
                    let fallback = Fallback {
                        not_made,
                        download,
                        sent_ids: sent_ids.get_mut(i).and_then(Option::take),
                        reference: &reference,
                    };
                    from_github(local, api, pull, commits, fallback)
                }
                _ => Err(failed(format!("the patch of PR #{} was not made", pull.number)).into()),
            }
        })
        .collect()
}

/// GitHub's patches of the pull requests `which`, asked for at once (`None`
/// for the others).
fn download_all(api: &Api<'_>, pulls: &[PullRequest], which: &[usize]) -> Vec<Option<Result<Download, ApiError>>> {
    let mut downloads: Vec<Option<Result<Download, ApiError>>> = (0..pulls.len()).map(|_| None).collect();
    let fetched: Vec<(usize, Result<Download, ApiError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = which
            .iter()
            .map(|&i| {
                let number = pulls[i].number;
                scope.spawn(move || (i, (api.download)(number)))
            })
            .collect();
        handles.into_iter().map(join).collect()
    });
    for (i, download) in fetched {
        downloads[i] = Some(download);
    }
    downloads
}

/// `Some(Ok(()))` when the pull request has no commits (nothing to apply),
/// `Some(Err(…))` when it has commits but none a patch series carries;
/// `None` when its patch is to be made.
fn nothing_to_make(number: u64, commits: &Commits) -> Option<Result<()>> {
    if commits.total == 0 {
        return Some(Ok(()));
    }
    if commits.picked.is_empty() {
        return Some(Err(failed(format!(
            "PR #{number} has only merge commits ({} in {}), which a patch series cannot carry",
            commits.total, commits.range
        ))
        .hint("pick its merge by hand, e.g. `git cherry-pick -m 1 <merge>` on a branch made from the target")
        .into()));
    }
    if commits.changing.is_empty() {
        return Some(Err(failed(format!(
            "PR #{number} has only empty commits ({} in {}), which a patch series cannot carry",
            commits.picked.len(),
            commits.range
        ))
        .into()));
    }
    None
}

/// The error for a pull request whose commits cannot be had here: GitHub's
/// patch (when it was asked for) cannot be checked, so it is not applied;
/// what GitHub sent is said.
fn unverifiable(number: u64, why: anyhow::Error, download: Option<Result<Download, ApiError>>) -> anyhow::Error {
    let what = match &download {
        Some(Ok(download)) => format!("GitHub sent {}", sent(&download.content_type, &download.body)),
        Some(Err(refusal)) if refusal.status() == Some(406) => "GitHub would not make it".to_string(),
        Some(Err(error)) => format!("nor could it be downloaded: {error}"),
        None => "it was not downloaded".to_string(),
    };
    failed(format!(
        "cannot check the patch of PR #{number} against its commits ({what})"
    ))
    .hint(format!(
        "the pull request's commits (refs/pull/{number}/head) and the GitHub answer disagree or could not be fetched; \
         if the pull request changed a moment ago, run the same command again"
    ))
    .because(why)
    .into()
}

/// What is known of GitHub's patch of a pull request whose commits are
/// known here but whose patch could not be made.
struct Fallback<'r> {
    /// Why the patch could not be made here.
    not_made: anyhow::Error,
    download: Result<Download, ApiError>,
    /// The download's patch ids, when one `git patch-id` for all gave them.
    sent_ids: Option<Vec<String>>,
    /// The patch ids of every commit checked (or why they are not known).
    reference: &'r std::result::Result<HashMap<String, String>, String>,
}

/// GitHub's patch of `pull`, applied only when it is `commits`.
fn from_github(
    local: &Local<'_>,
    api: &Api<'_>,
    pull: &PullRequest,
    mut commits: Commits,
    fallback: Fallback<'_>,
) -> Result<Verified> {
    let number = pull.number;
    let Fallback {
        not_made,
        download,
        sent_ids,
        reference,
    } = fallback;
    let download = match download {
        Ok(download) => download,
        Err(refusal) if refusal.status() == Some(406) => {
            return Err(failed(format!(
                "the patch of PR #{number} cannot be made here, and GitHub will not make it (too large: over 300 files or 20,000 lines)"
            ))
            .because(not_made)
            .into());
        }
        Err(error) => {
            return Err(failed(format!(
                "the patch of PR #{number} cannot be made here ({}), and downloading GitHub's failed",
                crate::safe::one_line(&format!("{not_made:#}"))
            ))
            .because((api.explain)(error, number))
            .into());
        }
    };
    let reference = reference
        .as_ref()
        .map_err(|why| failed(format!("cannot check the patch of PR #{number}: {why}")))?;
    commits.patch_ids = commits
        .changing
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
                    commits.changing.len(),
                    commits.range
                )
            });
            Ok(Verified {
                checked: Checked::Patch(download.body),
                commits,
            })
        }
        Some(why) => Err(failed(format!(
            "the patch GitHub sent for PR #{number} is not its commits ({why}), and it could not be made locally either; GitHub sent {}",
            sent(&download.content_type, &download.body)
        ))
        .hint("a proxy or cache may have answered instead of GitHub; check HTTPS_PROXY/NO_PROXY, then try again")
        .because(not_made)
        .into()),
    }
}

/// The patch ids of the commits of the pull requests `which`, from one `git
/// log -p | git patch-id` (or why they are not known).
fn reference_ids(
    local: &Local<'_>,
    listed: &[Result<Commits>],
    which: &[usize],
) -> std::result::Result<HashMap<String, String>, String> {
    let wanted: Vec<&str> = which
        .iter()
        .filter_map(|&i| listed[i].as_ref().ok())
        .flat_map(|commits| commits.changing.iter().map(String::as_str))
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    commit_patch_ids(local, &wanted).map_err(|e| format!("{e:#}"))
}

/// The patch ids of the downloads of `which`, by pull request, from one
/// `git patch-id` (empty when that failed: each is then asked for on its own).
fn downloads_ids(
    local: &Local<'_>,
    downloads: &[Option<Result<Download, ApiError>>],
    which: &[usize],
) -> Vec<Option<Vec<String>>> {
    if which.is_empty() {
        return Vec::new();
    }
    let bodies: Vec<Option<&[u8]>> = (0..downloads.len())
        .map(|i| match &downloads[i] {
            Some(Ok(download)) if which.contains(&i) => Some(download.body.as_slice()),
            _ => None,
        })
        .collect();
    match all_patch_ids(local, &bodies) {
        Ok(ids) => ids,
        Err(e) => {
            local
                .out
                .debug(|| format!("{e:#}; each patch's ids are asked for on its own"));
            Vec::new()
        }
    }
}

/// Why a patch series is not `commits`, or `None` when it is: the number of
/// its messages, then their patch ids (`ids`, computed from `patch`).
pub fn mismatch(commits: &Commits, patch: &[u8], ids: &[String]) -> Option<String> {
    let messages = patch_commits(patch).len();
    let expected = commits.changing.len();
    if messages != expected {
        return Some(format!("{messages} of {expected} commits in it"));
    }
    if ids != commits.patch_ids.as_slice() {
        return Some("its changes differ from the commits' (patch ids)".to_string());
    }
    None
}

// ---------------------------------------------------------------------------
// The commits of every pull request, from one listing

/// Each pull request's commits (`base..head`), in order, or why they cannot
/// be had. One `git rev-list` lists every range, after one `git merge-base`
/// when the bases differ; only when an end is not here (which the fetch
/// normally brought) are the missing ends fetched, in one fetch, and the
/// ranges listed again. GitHub's count of each pull request's commits must
/// be what git finds.
pub fn list_all(local: &Local<'_>, pulls: &[PullRequest]) -> Vec<Result<Commits>> {
    let mut found: Vec<Option<Result<Commits>>> = (0..pulls.len()).map(|_| None).collect();
    let mut ends: Vec<(&str, &str)> = vec![("", ""); pulls.len()];
    let mut ready: Vec<usize> = Vec::new();
    for (i, pull) in pulls.iter().enumerate() {
        match self::ends(pull) {
            Ok(both) => {
                ends[i] = both;
                ready.push(i);
            }
            Err(e) => found[i] = Some(Err(e)),
        }
    }
    let mut listed = listing(local, pulls, &ends, &ready);
    if let Err(error) = &listed {
        // Usually the fetch brought both ends; only when it did not are they fetched.
        local
            .out
            .debug(|| format!("listing the pull requests' commits: {error:#}; fetching what is not here"));
        let mut again = Vec::new();
        for (i, fetched) in fetch_missing(local, pulls, &ends, &ready) {
            match fetched {
                Ok(()) => again.push(i),
                Err(e) => found[i] = Some(Err(e)),
            }
        }
        ready = again;
        listed = listing(local, pulls, &ends, &ready);
    }
    match listed {
        Ok(listed) => {
            for (i, commits) in listed {
                found[i] = Some(commits);
            }
        }
        Err(error) => {
            // The first keeps the error itself; the others are told it in words.
            let words = format!("{error:#}");
            let mut error = Some(error);
            for &i in &ready {
                found[i] = Some(Err(error.take().unwrap_or_else(|| failed(words.clone()).into())));
            }
        }
    }
    found
        .into_iter()
        .map(|f| f.unwrap_or_else(|| Err(failed("the commits were not listed").into())))
        .collect()
}

/// The commits of the pull requests `which` from one listing, each checked
/// against GitHub's count; an error when git cannot list them (an end is
/// not here).
fn listing(
    local: &Local<'_>,
    pulls: &[PullRequest],
    ends: &[(&str, &str)],
    which: &[usize],
) -> Result<Vec<(usize, Result<Commits>)>> {
    if which.is_empty() {
        return Ok(Vec::new());
    }
    let mut bases: Vec<&str> = Vec::new();
    let mut tips: Vec<&str> = Vec::new();
    // The most recently merged first: `git merge-base --octopus` then walks
    // from each base to the one before it, not from each back to the oldest.
    let mut newest_first = which.to_vec();
    newest_first.sort_by(|&a, &b| {
        let key = |i: usize| (pulls[i].merged_at.clone(), pulls[i].number);
        key(b).cmp(&key(a))
    });
    for &i in &newest_first {
        let (base, head) = ends[i];
        for (list, sha) in [(&mut bases, base), (&mut tips, head)] {
            if !list.contains(&sha) {
                list.push(sha);
            }
        }
    }
    // Down to what every base reaches: no range goes below it.
    let below: Vec<String> = match bases.as_slice() {
        [one] => vec![one.to_string()],
        _ => common_ancestors(local, &bases)?,
    };
    if below.is_empty() {
        // The bases share no history: each range on its own.
        let mut all = Vec::new();
        for &i in which {
            all.extend(listing(local, pulls, ends, &[i])?);
        }
        return Ok(all);
    }
    for base in &bases {
        if !tips.contains(base) {
            tips.push(base);
        }
    }
    let graph = Graph::list(local, &tips, &below, which.len())?;
    Ok(which
        .iter()
        .map(|&i| {
            let (base, head) = ends[i];
            (i, checked_count(&pulls[i], graph.range(base, head)))
        })
        .collect())
}

/// `commits`, when GitHub says the pull request has that many.
fn checked_count(pull: &PullRequest, commits: Commits) -> Result<Commits> {
    match pull.commits {
        Some(said) if said == commits.total => Ok(commits),
        Some(said) => Err(failed(format!(
            "GitHub says PR #{} has {said} commits, but git finds {} in {}",
            pull.number, commits.total, commits.range
        ))
        .into()),
        None => Err(failed(format!(
            "GitHub's answer for PR #{} does not say how many commits it has",
            pull.number
        ))
        .into()),
    }
}

/// The best common ancestors of `commits` (`git merge-base --octopus
/// --all`); none when they share no history.
fn common_ancestors(local: &Local<'_>, commits: &[&str]) -> Result<Vec<String>> {
    let mut args = vec!["merge-base", "--octopus", "--all"];
    args.extend(commits);
    let found = local.git.capture(local.dir, &args, None)?;
    // Exit 1 without a word: no common ancestor.
    let none = found.code() == Some(1) && found.stdout.trim().is_empty() && found.stderr.trim().is_empty();
    if none {
        return Ok(Vec::new());
    }
    Ok(found.checked()?.split_whitespace().map(str::to_string).collect())
}

/// The commits `git rev-list --parents --boundary` listed, each with its
/// parents and tree, in the order listed.
#[derive(Debug, Default)]
struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    /// For each node, its parents that are listed and not boundary.
    inside_parents: Vec<Vec<usize>>,
}

#[derive(Debug)]
struct Node {
    sha: String,
    parents: Vec<String>,
    tree: String,
    /// Below every range (what every base reaches): listed for its tree only.
    boundary: bool,
}

/// The tree of no files, as SHA-1 and SHA-256 repositories name it.
const EMPTY_TREES: [&str; 2] = [
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
];

impl Graph {
    /// Everything `tips` reach that `below` do not, from one `git rev-list`,
    /// with the commits just below (`--boundary`) for their trees.
    fn list(local: &Local<'_>, tips: &[&str], below: &[String], ranges: usize) -> Result<Graph> {
        let mut input = String::new();
        for tip in tips {
            input.push_str(tip);
            input.push('\n');
        }
        for commit in below {
            input.push('^');
            input.push_str(commit);
            input.push('\n');
        }
        let note = format!("{ranges} ranges");
        let listed = local.git.call(
            local.dir,
            crate::git::Call {
                args: &["rev-list", "--parents", "--boundary", "--format=%T", "--stdin"],
                input: crate::git::Input::Bytes(input.as_bytes()),
                note: Some(&note),
                ..crate::git::Call::default()
            },
        )?;
        Ok(Graph::parse(&listed.checked()?))
    }

    /// `git rev-list --parents --boundary --format=%T` output: a `commit
    /// [-]<id> <parent>…` line (`-` for a boundary commit), then its tree.
    fn parse(listed: &str) -> Graph {
        let mut graph = Graph::default();
        for line in listed.lines() {
            if let Some(rest) = line.strip_prefix("commit ") {
                let boundary = rest.starts_with('-');
                let mut ids = rest.trim_start_matches('-').split_whitespace().map(str::to_string);
                let Some(sha) = ids.next() else { continue };
                graph.index.insert(sha.clone(), graph.nodes.len());
                graph.nodes.push(Node {
                    sha,
                    parents: ids.collect(),
                    tree: String::new(),
                    boundary,
                });
            } else if let Some(node) = graph.nodes.last_mut()
                && node.tree.is_empty()
            {
                node.tree = line.trim().to_string();
            }
        }
        graph.inside_parents = graph
            .nodes
            .iter()
            .map(|node| {
                node.parents
                    .iter()
                    .filter_map(|p| graph.index.get(p).copied())
                    .filter(|&p| !graph.nodes[p].boundary)
                    .collect()
            })
            .collect();
        graph
    }

    /// The listed (not boundary) node `sha` is, if it is one.
    fn inside(&self, sha: &str) -> Option<usize> {
        self.index.get(sha).copied().filter(|&i| !self.nodes[i].boundary)
    }

    /// The nodes `from` reaches, itself included, within the listing.
    fn reach(&self, from: &str, stop: &[bool]) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<usize> = self.inside(from).into_iter().collect();
        while let Some(i) = stack.pop() {
            if seen[i] || stop[i] {
                continue;
            }
            seen[i] = true;
            stack.extend(&self.inside_parents[i]);
        }
        seen
    }

    /// The commits of `base..head`: what `head` reaches and `base` does not.
    /// Everything below the listing is reached by every base, so within it
    /// the ranges are exact. In the order `git rev-list --reverse` gives
    /// them, parents before children: the listing's order, kept wherever it
    /// puts a commit after its children.
    fn range(&self, base: &str, head: &str) -> Commits {
        let none = vec![false; self.nodes.len()];
        let based = self.reach(base, &none);
        let mine = self.reach(head, &based);
        let newest_first = self.in_order(&mine);
        let mut picked = Vec::new();
        let mut changing = Vec::new();
        for &i in newest_first.iter().rev() {
            let node = &self.nodes[i];
            if node.parents.len() > 1 {
                continue;
            }
            picked.push(node.sha.clone());
            if self.changes(node) {
                changing.push(node.sha.clone());
            }
        }
        Commits {
            range: format!("{base}..{head}"),
            total: newest_first.len() as u64,
            picked,
            changing,
            patch_ids: Vec::new(),
        }
    }

    /// The nodes of `set`, children before parents, otherwise as listed.
    fn in_order(&self, set: &[bool]) -> Vec<usize> {
        let mut children = vec![0usize; self.nodes.len()];
        for i in (0..self.nodes.len()).filter(|&i| set[i]) {
            for &p in &self.inside_parents[i] {
                if set[p] {
                    children[p] += 1;
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..self.nodes.len())
            .filter(|&i| set[i] && children[i] == 0)
            .map(Reverse)
            .collect();
        let mut out = Vec::new();
        while let Some(Reverse(i)) = ready.pop() {
            out.push(i);
            for &p in &self.inside_parents[i] {
                if set[p] {
                    children[p] -= 1;
                    if children[p] == 0 {
                        ready.push(Reverse(p));
                    }
                }
            }
        }
        out
    }

    /// Whether a commit of one parent (or none) changes its tree: `git
    /// format-patch` leaves one that does not out. Not known (a parent
    /// neither listed nor at the boundary) counts as changing.
    fn changes(&self, node: &Node) -> bool {
        match node.parents.first() {
            None => !EMPTY_TREES.contains(&node.tree.as_str()),
            Some(parent) => match self.index.get(parent) {
                Some(&p) => self.nodes[p].tree != node.tree,
                None => true,
            },
        }
    }
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

/// The commits of `shas` that are not here (`git cat-file --batch-check`).
fn missing_commits(local: &Local<'_>, shas: &[&str]) -> Result<HashSet<String>> {
    let input: String = shas.iter().map(|c| format!("{c}^{{commit}}\n")).collect();
    let checked = local
        .git
        .capture_parsed(local.dir, &["cat-file", "--batch-check"], Some(input.as_bytes()))?;
    let listed = checked.checked()?;
    Ok(shas
        .iter()
        .zip(listed.lines())
        .filter(|(_, line)| line.ends_with(" missing"))
        .map(|(sha, _)| sha.to_string())
        .collect())
}

/// Fetches the ends of the pull requests `which` that are not here: in one
/// fetch (heads by `refs/pull/N/head`, bases by id), else each pull
/// request's on its own (a base by id, else by its branch). Whether each
/// pull request's ends are here now.
fn fetch_missing(
    local: &Local<'_>,
    pulls: &[PullRequest],
    ends: &[(&str, &str)],
    which: &[usize],
) -> Vec<(usize, Result<()>)> {
    let shas: Vec<&str> = which.iter().flat_map(|&i| [ends[i].0, ends[i].1]).collect();
    let missing = match missing_commits(local, &shas) {
        Ok(missing) => missing,
        Err(e) => {
            let e = format!("{e:#}");
            return which.iter().map(|&i| (i, Err(failed(e.clone()).into()))).collect();
        }
    };
    let lacking = |missing: &HashSet<String>| -> Vec<usize> {
        which
            .iter()
            .copied()
            .filter(|&i| missing.contains(ends[i].0) || missing.contains(ends[i].1))
            .collect()
    };
    let mut left = lacking(&missing);
    if !left.is_empty() {
        let mut refspecs: Vec<String> = Vec::new();
        for &i in &left {
            let (base, head) = ends[i];
            let wanted = [
                (missing.contains(head), format!("refs/pull/{}/head", pulls[i].number)),
                (missing.contains(base), base.to_string()),
            ];
            for (lacks, spec) in wanted {
                if lacks && !refspecs.contains(&spec) {
                    refspecs.push(spec);
                }
            }
        }
        let specs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
        if local.git.fetch(local.dir, local.upstream, &specs).is_ok() {
            left = missing_commits(local, &shas).map_or(left, |missing| lacking(&missing));
        }
    }
    // What one fetch did not bring, each on its own: it says which end is missing.
    let mut each: HashMap<usize, Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = left
            .iter()
            .map(|&i| scope.spawn(move || (i, fetch_ends(local, &pulls[i], ends[i].0, ends[i].1))))
            .collect();
        handles.into_iter().map(join).collect()
    });
    which.iter().map(|&i| (i, each.remove(&i).unwrap_or(Ok(())))).collect()
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

// ---------------------------------------------------------------------------
// Patches made here

/// The patch of each pull request whose commits change something (`None`
/// for the others): one `git format-patch` for all of them, cut where each
/// pull request's first message begins; a pull request that shares a
/// commit with another, or whose part does not come out as its commits, has
/// its own `git format-patch`.
fn make_all(local: &Local<'_>, pulls: &[PullRequest], listed: &[Result<Commits>]) -> Vec<Option<Result<Vec<u8>>>> {
    let mut made: Vec<Option<Result<Vec<u8>>>> = (0..pulls.len()).map(|_| None).collect();
    let wanted: Vec<usize> = (0..pulls.len())
        .filter(|&i| {
            listed[i]
                .as_ref()
                .is_ok_and(|c| nothing_to_make(pulls[i].number, c).is_none())
        })
        .collect();
    let series = |i: usize| -> &[String] { listed[i].as_ref().map_or(&[], |c| c.changing.as_slice()) };
    // `git format-patch` writes a commit given twice once.
    let mut owners: HashMap<&str, usize> = HashMap::new();
    let mut shared: HashSet<usize> = HashSet::new();
    for &i in &wanted {
        for commit in series(i) {
            if let Some(&other) = owners.get(commit.as_str())
                && other != i
            {
                shared.extend([i, other]);
            }
            owners.insert(commit, i);
        }
    }
    let together: Vec<usize> = wanted.iter().copied().filter(|i| !shared.contains(i)).collect();
    if !together.is_empty() {
        let all: Vec<&[String]> = together.iter().map(|&i| series(i)).collect();
        match format_series(local, &all) {
            Ok(parts) => {
                for (&i, part) in together.iter().zip(parts) {
                    made[i] = Some(Ok(part));
                }
            }
            Err(error) if together.len() == 1 => made[together[0]] = Some(Err(error)),
            Err(error) => local
                .out
                .debug(|| format!("{error:#}; each pull request's patch is made on its own")),
        }
    }
    for &i in &wanted {
        if made[i].is_none() {
            made[i] = Some(format_series(local, &[series(i)]).map(|mut parts| parts.remove(0)));
        }
    }
    made
}

/// What `git format-patch` is told, whatever the user's settings: no
/// cover letter, signature, numbering, attachment, `Signed-off-by`, base
/// or mboxrd quoting, and every submodule change, so that `git am` makes the
/// same commits from it as from GitHub's patch.
const FORMAT_PATCH: [&str; 13] = [
    "-c",
    "format.signOff=false",
    "-c",
    "format.useAutoBase=false",
    "-c",
    "format.mboxrd=false",
    "format-patch",
    "--stdout",
    "--no-cover-letter",
    "--no-signature",
    "--no-numbered",
    "--no-attach",
    "--ignore-submodules=none",
];

/// The patch series of each of `series` (commits oldest first, each
/// changing something), from one `git format-patch` of them all, cut where
/// each begins. An error unless it wrote exactly one message for each
/// commit, in order.
fn format_series(local: &Local<'_>, series: &[&[String]]) -> Result<Vec<Vec<u8>>> {
    let commits: Vec<&str> = series.iter().flat_map(|s| s.iter().map(String::as_str)).collect();
    // It writes the commits it reads in the reverse order.
    let input: String = commits.iter().rev().map(|c| format!("{c}\n")).collect();
    let count = format!("--max-count={}", commits.len());
    let mut args: Vec<&str> = FORMAT_PATCH.to_vec();
    args.extend(PLAIN_DIFF);
    args.extend(["--no-walk=unsorted", "--stdin", &count]);
    let note = match series.len() {
        1 => format!("{} commits", commits.len()),
        n => format!("{} commits of {n} pull requests", commits.len()),
    };
    let made = local.git.call(
        local.dir,
        crate::git::Call {
            args: &args,
            input: crate::git::Input::Bytes(input.as_bytes()),
            note: Some(&note),
            ..crate::git::Call::default()
        },
    )?;
    if !made.success {
        made.checked()?;
        return Err(failed("git format-patch failed").into());
    }
    let out = made.stdout_bytes;
    let starts = message_starts(&out);
    let written: Vec<&str> = starts.iter().map(|(_, sha)| sha.as_str()).collect();
    if written != commits {
        return Err(failed(format!(
            "`git format-patch` of {} commits wrote {} messages, not one for each in order",
            commits.len(),
            written.len()
        ))
        .into());
    }
    let mut parts = Vec::with_capacity(series.len());
    let mut at = 0;
    for s in series {
        let from = starts.get(at).map_or(out.len(), |(offset, _)| *offset);
        at += s.len();
        let to = starts.get(at).map_or(out.len(), |(offset, _)| *offset);
        parts.push(out[from..to].to_vec());
    }
    Ok(parts)
}

/// Where each message of an mbox made by `git format-patch` begins, and its
/// commit: the `From <id> Mon Sep 17 00:00:00 2001` lines.
fn message_starts(mbox: &[u8]) -> Vec<(usize, String)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in mbox.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ")
            && let Some(sha) = patch_commits(line).into_iter().next()
        {
            starts.push((offset, sha));
        }
        offset += line.len();
    }
    starts
}

/// The patch series of `range`, as `git format-patch` makes it (binary
/// changes included): what GitHub's patch is, made here.
pub fn format_patch(local: &Local<'_>, range: &str) -> Result<Vec<u8>> {
    let mut args: Vec<&str> = FORMAT_PATCH.to_vec();
    args.extend(PLAIN_DIFF);
    args.push(range);
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
            changing: vec![A.into(), B.into()],
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

    /// `git rev-list --parents --boundary --format=%T` output for
    /// `(commit, parents, tree)`, boundary commits named with a `-`.
    fn listed(commits: &[(&str, &[&str], &str)]) -> String {
        commits
            .iter()
            .map(|(sha, parents, tree)| {
                let mut line = format!("commit {sha}");
                for parent in *parents {
                    line.push(' ');
                    line.push_str(parent);
                }
                format!("{line}\n{tree}\n")
            })
            .collect()
    }

    #[test]
    fn merges_count_but_are_not_picked_and_empty_commits_make_no_message() {
        // base -- a -- m (merges x) -- e (changes nothing) -- h
        let graph = Graph::parse(&listed(&[
            ("h", &["e"], "t4"),
            ("e", &["m"], "t3"),
            ("m", &["a", "x"], "t3"),
            ("x", &["base"], "t2"),
            ("a", &["base"], "t1"),
            ("-base", &["older"], "t0"),
        ]));
        let commits = graph.range("base", "h");
        assert_eq!(commits.total, 5);
        assert_eq!(commits.range, "base..h");
        // Oldest first: the listing's order, reversed, as `git rev-list --reverse`.
        assert_eq!(commits.picked, ["a", "x", "e", "h"]);
        assert_eq!(commits.changing, ["a", "x", "h"]);
        assert_eq!(graph.range("h", "h").total, 0);
    }

    #[test]
    fn a_range_keeps_what_another_pull_request_s_base_reaches() {
        // #1 (a) is merged as m1; #2 (b) is based on m1. One listing of both
        // ranges down to their common base still gives #1 its commit, which
        // #2's base reaches (a union of `base..head` ranges would not).
        let graph = Graph::parse(&listed(&[
            ("b", &["m1"], "tb"),
            ("m1", &["base", "a"], "tm"),
            ("a", &["base"], "ta"),
            ("-base", &[], "t0"),
        ]));
        assert_eq!(graph.range("base", "a").picked, ["a"]);
        assert_eq!(graph.range("m1", "b").picked, ["b"]);
        assert_eq!(graph.range("m1", "b").total, 1);
        // A head the base reaches has no commits of its own.
        assert_eq!(graph.range("m1", "a").total, 0);
    }

    #[test]
    fn a_commit_listed_before_its_child_still_comes_after_it() {
        // rev-list's date order can put `p` before its child `c` (clock
        // skew); the range puts parents first whatever the listing says.
        let graph = Graph::parse(&listed(&[
            ("h", &["p", "c"], "th"),
            ("p", &["r"], "tp"),
            ("c", &["p"], "tc"),
            ("r", &["-"], "tr"),
        ]));
        assert_eq!(graph.range("-", "h").picked, ["r", "p", "c"]);
    }

    #[test]
    fn a_root_commit_changes_something_unless_its_tree_is_empty() {
        let graph = Graph::parse(&listed(&[("r", &[], EMPTY_TREES[0]), ("s", &[], "t1")]));
        assert!(graph.range("x", "r").changing.is_empty());
        assert_eq!(graph.range("x", "s").changing, ["s"]);
    }

    #[test]
    fn messages_start_at_their_from_lines() {
        let mbox = format!("{}body\n{}", message(A, "one"), message(B, "two"));
        let starts = message_starts(mbox.as_bytes());
        assert_eq!(
            starts,
            vec![(0, A.to_string()), (message(A, "one").len() + 5, B.to_string())]
        );
        assert!(message_starts(b"From nobody\n").is_empty());
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
