//! The release manager's view: which merged pull requests carry a target's
//! candidate label (`cherrypick/release-3.1`), and which of those are not on
//! the target yet, judged by GitHub (cherry-pick pull requests against the
//! target, by anyone) and by git (the same patch on the target, or a commit
//! saying it was cherry picked from one of theirs).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::thread;

use anyhow::Result;
use serde::Serialize;

use crate::args::Target;
use crate::errors::failed;
use crate::git::Git;
use crate::github::{ApiError, FoundIssue, GitHub, PullRequest, Repo};
use crate::output::Output;
use crate::text;

/// The most pull requests against a target looked at for cherry picks:
/// ten pages.
const LISTED: usize = 1000;

/// A merged pull request that may need backporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub number: u64,
    pub title: String,
    pub author: String,
    /// When it was merged, as GitHub writes it (`2026-01-31T12:00:00Z`).
    pub merged_at: String,
    pub url: String,
    /// Whether it carries a candidate label for the target; `--select` also
    /// offers recent merges without one.
    pub labelled: bool,
}

/// The widest title shown on a terminal.
const TITLE_WIDTH: usize = 60;

impl Candidate {
    /// The title on one line, safe to show (`safe::one_line`).
    pub fn title_line(&self) -> String {
        crate::safe::one_line(&self.title)
    }

    /// The title on one line, cut to fit a terminal's table or list.
    pub fn short_title(&self) -> String {
        console::truncate_str(&self.title_line(), TITLE_WIDTH, "…").into_owned()
    }
}

/// What became of a cherry-pick pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Open,
    Merged,
    Closed,
}

/// A pull request against the target that is a cherry pick of a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub number: u64,
    pub url: String,
    pub author: String,
    pub state: State,
}

/// Why a candidate needs nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Its commits, or its whole change, are on the target as the same patch.
    SamePatch,
    /// A commit on the target says it was cherry picked from one of its commits.
    PickedFrom { commit: String },
    /// An open or merged pull request against the target is a cherry pick of it.
    Proposed(Related),
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Done::SamePatch => write!(f, "its change is on the branch"),
            Done::PickedFrom { commit } => write!(f, "cherry picked in {}", short(commit)),
            Done::Proposed(related) => match related.state {
                State::Merged => write!(f, "cherry picked by #{} (merged)", related.number),
                _ => write!(f, "cherry pick #{} by {} is open", related.number, related.author),
            },
        }
    }
}

/// A candidate that is not on its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub candidate: Candidate,
    /// Closed, unmerged cherry picks of it.
    pub related: Vec<Related>,
}

/// One target's candidates, judged.
#[derive(Debug, Clone)]
pub struct View {
    pub target: Target,
    /// Oldest merge first: those labelled, then the others.
    pub missing: Vec<Missing>,
    pub done: Vec<(Candidate, Done)>,
}

/// A target's candidates so far: those missing, and those done with why.
type Judged = (Vec<Missing>, Vec<(Candidate, Done)>);

/// What to look for.
pub struct Query<'a> {
    pub repo: &'a Repo,
    pub upstream: &'a str,
    pub toplevel: &'a Path,
    pub targets: &'a [Target],
    /// Candidate label templates (`cherrypick/{branch}`).
    pub templates: &'a [String],
    /// How many recent merges into the default branch to judge besides the
    /// labelled ones (for `--select`); 0 for none.
    pub recent: usize,
}

impl<'a> Query<'a> {
    /// The query of a run's settings.
    pub fn of(settings: &'a crate::settings::Settings, recent: usize) -> Self {
        Query {
            repo: &settings.repo,
            upstream: &settings.upstream,
            toplevel: &settings.toplevel,
            targets: &settings.targets,
            templates: &settings.candidate_labels,
            recent,
        }
    }
}

/// The search that finds a target's labelled candidates.
pub fn search_query(repo: &Repo, default_branch: &str, label: &str) -> String {
    format!("repo:{repo} is:pr is:merged base:{default_branch} label:\"{label}\"")
}

/// What GitHub said, before git is asked.
struct Listed {
    default_branch: String,
    /// Per target: the candidates, and the pull requests against it.
    per_target: Vec<(Vec<Candidate>, Vec<PullRequest>)>,
}

/// Each target's candidates, judged, and what was learnt on the way.
pub struct Found {
    pub views: Vec<View>,
    /// The candidates git judged, as GitHub describes them; their heads and
    /// the targets are fetched.
    pub pulls: Vec<PullRequest>,
}

/// Finds each target's candidates and judges them.
pub fn find(query: &Query<'_>, git: &Git<'_>, github: &GitHub<'_>, out: &Output) -> Result<Found> {
    let listed = out.waiting(
        &format!(
            "Looking for pull requests labelled {} in {}",
            query
                .templates
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            query.repo
        ),
        || list(query, github),
    )?;
    // Per target: those settled by a cherry-pick pull request, and those git must judge.
    let mut judged: Vec<Judged> = Vec::new();
    let mut undecided: Vec<u64> = Vec::new();
    for (candidates, pulls) in &listed.per_target {
        let related = related_by_source(pulls);
        let mut missing = Vec::new();
        let mut done = Vec::new();
        for candidate in candidates {
            let mine = related.get(&candidate.number).cloned().unwrap_or_default();
            match mine.iter().find(|r| r.state != State::Closed) {
                Some(proposal) => done.push((candidate.clone(), Done::Proposed(proposal.clone()))),
                None => {
                    if !undecided.contains(&candidate.number) {
                        undecided.push(candidate.number);
                    }
                    missing.push(Missing {
                        candidate: candidate.clone(),
                        related: mine,
                    });
                }
            }
        }
        judged.push((missing, done));
    }
    let pulls = details(query.repo, &undecided, github, out)?;
    let changes = Changes::read(query, &listed.default_branch, &pulls, git, out)?;
    let mut views = Vec::new();
    for (target, (missing, mut done)) in query.targets.iter().zip(judged) {
        let on_target = OnTarget::read(query, target, &listed.default_branch, git)?;
        let mut still = Vec::new();
        for m in missing {
            match changes.done_on(m.candidate.number, &on_target) {
                Some(reason) => done.push((m.candidate, reason)),
                None => still.push(m),
            }
        }
        still.sort_by(|a, b| {
            (!a.candidate.labelled, &a.candidate.merged_at, a.candidate.number).cmp(&(
                !b.candidate.labelled,
                &b.candidate.merged_at,
                b.candidate.number,
            ))
        });
        done.sort_by(|a, b| (&a.0.merged_at, a.0.number).cmp(&(&b.0.merged_at, b.0.number)));
        views.push(View {
            target: target.clone(),
            missing: still,
            done,
        });
    }
    Ok(Found { views, pulls })
}

/// Asks GitHub, concurrently: the default branch, then each target's labelled
/// candidates and the pull requests against it, and the recent merges.
fn list(query: &Query<'_>, github: &GitHub<'_>) -> Result<Listed> {
    let repo = query.repo;
    let default_branch = github.default_branch(repo).map_err(|e| github.explain(e))?;
    let default = default_branch.as_str();
    let (searches, listings, recent) = thread::scope(|scope| {
        let searches: Vec<Vec<_>> = query
            .targets
            .iter()
            .map(|target| {
                query
                    .templates
                    .iter()
                    .map(|template| {
                        let label = text::candidate_label(template, &target.branch);
                        let q = search_query(repo, default, &label);
                        scope.spawn(move || github.search_pulls(&q))
                    })
                    .collect()
            })
            .collect();
        let listings: Vec<_> = query
            .targets
            .iter()
            .map(|target| scope.spawn(move || github.list_pulls(repo, &target.branch, "all", LISTED)))
            .collect();
        let recent =
            (query.recent > 0).then(|| scope.spawn(|| github.list_pulls(repo, default, "closed", query.recent)));
        let searches: Vec<Vec<_>> = searches
            .into_iter()
            .map(|per_template| per_template.into_iter().map(crate::gather::join).collect())
            .collect();
        let listings: Vec<_> = listings.into_iter().map(crate::gather::join).collect();
        let recent = recent.map(crate::gather::join);
        (searches, listings, recent)
    });
    let explain = |e: ApiError| github.explain(e);
    let recent: Vec<Candidate> = match recent {
        Some(found) => found
            .map_err(explain)?
            .into_iter()
            .filter_map(|p| {
                let merged_at = p.merged_at.clone()?;
                Some(Candidate {
                    number: p.number,
                    title: p.title,
                    author: p.user.map(|u| u.login).unwrap_or_default(),
                    merged_at,
                    url: p.html_url,
                    labelled: false,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let mut per_target = Vec::new();
    for (found, pulls) in searches.into_iter().zip(listings) {
        let mut candidates: Vec<Candidate> = Vec::new();
        for items in found {
            for item in items.map_err(explain)? {
                if !candidates.iter().any(|c| c.number == item.number) {
                    candidates.extend(labelled(item));
                }
            }
        }
        for other in &recent {
            if !candidates.iter().any(|c| c.number == other.number) {
                candidates.push(other.clone());
            }
        }
        per_target.push((candidates, pulls.map_err(explain)?));
    }
    Ok(Listed {
        default_branch,
        per_target,
    })
}

/// A search result as a candidate, if it is a merged pull request.
fn labelled(item: FoundIssue) -> Option<Candidate> {
    let merged_at = item.pull_request?.merged_at?;
    Some(Candidate {
        number: item.number,
        title: item.title,
        author: item.user.map(|u| u.login).unwrap_or_default(),
        merged_at,
        url: item.html_url,
        labelled: true,
    })
}

/// The pull requests a cherry-pick pull request names as its sources: "cherry
/// pick of #N #M" in its title or body (the script's and prow's words), or its
/// branch (`automated-cherry-pick-of-#N-#M-…`, prow's `cherry-pick-N-to-…`).
pub fn sources_of(title: &str, body: &str, head: &str) -> Vec<u64> {
    let mut found = Vec::new();
    for text in [title, body] {
        let lower = text.to_ascii_lowercase();
        for phrase in ["cherry pick of", "cherry-pick of"] {
            let mut rest = lower.as_str();
            while let Some(i) = rest.find(phrase) {
                rest = &rest[i + phrase.len()..];
                found.extend(numbers_after(rest, ' '));
            }
        }
    }
    if let Some(rest) = head.strip_prefix("automated-cherry-pick-of-") {
        found.extend(numbers_after(rest, '-'));
    } else if let Some(rest) = head.strip_prefix("cherry-pick-")
        && let Some((number, _)) = rest.split_once("-to-")
        && let Ok(number) = number.parse()
    {
        found.push(number);
    }
    let mut seen = HashSet::new();
    found.retain(|n| seen.insert(*n));
    found
}

/// The `#N` numbers at the start of `text`, separated by `separator`s (and commas).
fn numbers_after(text: &str, separator: char) -> Vec<u64> {
    let mut numbers = Vec::new();
    let mut rest = text.trim_start_matches([separator, ' ']);
    while let Some(after) = rest.strip_prefix('#') {
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let Ok(number) = digits.parse() else { break };
        numbers.push(number);
        rest = after[digits.len()..].trim_start_matches([separator, ' ', ',']);
    }
    numbers
}

/// The cherry picks among `pulls`, by the source pull request they name.
pub fn related_by_source(pulls: &[PullRequest]) -> HashMap<u64, Vec<Related>> {
    let mut related: HashMap<u64, Vec<Related>> = HashMap::new();
    for pull in pulls {
        let state = if pull.merged_at.is_some() || pull.merged == Some(true) {
            State::Merged
        } else if pull.state.as_deref() == Some("open") {
            State::Open
        } else {
            State::Closed
        };
        for source in sources_of(&pull.title, pull.body.as_deref().unwrap_or_default(), &pull.head.name) {
            if source == pull.number {
                continue;
            }
            related.entry(source).or_default().push(Related {
                number: pull.number,
                url: pull.html_url.clone(),
                author: pull.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
                state,
            });
        }
    }
    related
}

/// The undecided candidates as GitHub describes them (head, base, merge
/// commit), in one query when there are more of them than the client
/// sends requests at a time, with a progress bar.
fn details(repo: &Repo, numbers: &[u64], github: &GitHub<'_>, out: &Output) -> Result<Vec<PullRequest>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let progress = out.progress(numbers.len() as u64, "Checking pull requests");
    let answers = github.pulls(repo, numbers, 0, &|n| progress.inc(n as u64));
    progress.finish_and_clear();
    if crate::signals::interrupted() {
        return Err(
            crate::errors::Failure::new(crate::errors::Kind::Interrupted, "interrupted: nothing was changed").into(),
        );
    }
    answers
        .into_iter()
        .map(|answer| answer.map_err(|e| github.explain(e)))
        .collect()
}

/// The candidates' changes as git sees them: each one's commits and merge
/// commit, and their patch ids.
struct Changes {
    /// Per pull request: its commits (without merges) and the commit its merge made.
    commits: HashMap<u64, (Vec<String>, Option<String>)>,
    patch_ids: HashMap<String, String>,
}

impl Changes {
    /// Fetches the targets, the default branch and the undecided pull
    /// requests' heads in one `git fetch`, then reads their commits.
    fn read(
        query: &Query<'_>,
        default_branch: &str,
        pulls: &[PullRequest],
        git: &Git<'_>,
        out: &Output,
    ) -> Result<Changes> {
        let dir = query.toplevel;
        let mut refspecs = vec![format!(
            "+refs/heads/{default_branch}:refs/remotes/{}/{default_branch}",
            query.upstream
        )];
        for target in query.targets {
            refspecs.push(format!("+refs/heads/{}:{}", target.branch, target.tracking_ref()));
        }
        for pull in pulls {
            refspecs.push(format!("refs/pull/{}/head", pull.number));
        }
        let refspecs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
        out.waiting(
            &format!(
                "Fetching {} and {} pull request(s) from {}",
                query
                    .targets
                    .iter()
                    .map(|t| t.branch.as_str())
                    .chain([default_branch])
                    .collect::<Vec<_>>()
                    .join(", "),
                pulls.len(),
                query.upstream
            ),
            || git.fetch(dir, query.upstream, &refspecs),
        )
        .map_err(|e| {
            failed(format!(
                "fetching the target branches and the candidates from the `{}` remote",
                query.upstream
            ))
            .hint(format!(
                "check that each target exists: git ls-remote --heads {} 'release-*'",
                query.upstream
            ))
            .because(e)
        })?;
        let mut commits = HashMap::new();
        for pull in pulls {
            // Its commits are those of its head that its base did not have.
            // Without a base (or with one GitHub no longer has), only the
            // merge commit is left to go by.
            let base = pull.base.as_ref().map(|b| format!("^{}", b.sha)).unwrap_or_default();
            let listed = git
                .run(dir, &["rev-list", "--no-merges", &pull.head.sha, &base])
                .unwrap_or_default();
            let mine: Vec<String> = listed.lines().map(str::to_string).collect();
            commits.insert(pull.number, (mine, pull.merge_commit_sha.clone()));
        }
        let mut shas: Vec<&str> = Vec::new();
        for (mine, merge) in commits.values() {
            shas.extend(mine.iter().map(String::as_str));
            shas.extend(merge.as_deref());
        }
        let present = present_commits(git, dir, &shas)?;
        let shas: Vec<&str> = shas.into_iter().filter(|s| present.contains(*s)).collect();
        let patch_ids = if shas.is_empty() {
            HashMap::new()
        } else {
            let mut input = shas.join("\n");
            input.push('\n');
            let log = git
                .capture(
                    dir,
                    &[
                        "log",
                        "--no-walk=unsorted",
                        "--stdin",
                        "-p",
                        "--diff-merges=first-parent",
                        "--unified=0",
                        "--format=medium",
                        "--no-color",
                        "--no-ext-diff",
                        "--no-textconv",
                    ],
                    Some(input.as_bytes()),
                )?
                .checked()?;
            patch_ids(git, dir, &log)?
        };
        Ok(Changes { commits, patch_ids })
    }

    /// Why the pull request `number` needs nothing more on the target, if
    /// git can tell.
    fn done_on(&self, number: u64, target: &OnTarget) -> Option<Done> {
        let (mine, merge) = self.commits.get(&number)?;
        let picked = mine.iter().chain(merge).find_map(|sha| {
            target
                .picked_from
                .iter()
                .find(|(from, _)| from.len() >= 7 && sha.starts_with(from.as_str()))
                .map(|(_, commit)| commit.clone())
        });
        if let Some(commit) = picked {
            return Some(Done::PickedFrom { commit });
        }
        let ids: Vec<&String> = mine.iter().filter_map(|sha| self.patch_ids.get(sha)).collect();
        if !ids.is_empty() && ids.iter().all(|id| target.patch_ids.contains(*id)) {
            return Some(Done::SamePatch);
        }
        // The merge's change is the whole pull request, unless the merge was a
        // rebase, whose last commit is one of the pull request's own.
        let whole = merge.as_ref().and_then(|sha| self.patch_ids.get(sha));
        if let Some(whole) = whole
            && (mine.len() == 1 || !ids.contains(&whole))
            && target.patch_ids.contains(whole)
        {
            return Some(Done::SamePatch);
        }
        None
    }
}

/// Which of `shas` are commits in the repository (`git cat-file --batch-check`).
fn present_commits(git: &Git<'_>, dir: &Path, shas: &[&str]) -> Result<HashSet<String>> {
    if shas.is_empty() {
        return Ok(HashSet::new());
    }
    let mut input = shas.join("\n");
    input.push('\n');
    let answer = git
        .capture(
            dir,
            &["cat-file", "--batch-check=%(objectname) %(objecttype)"],
            Some(input.as_bytes()),
        )?
        .checked()?;
    Ok(answer
        .lines()
        .filter_map(|line| line.strip_suffix(" commit"))
        .map(str::to_string)
        .collect())
}

/// `git patch-id --stable` of a `git log -p`: commit → patch id. The diffs
/// are made without context (`--unified=0`), so that a change is known on a
/// release branch whose lines around it differ from the default branch's.
fn patch_ids(git: &Git<'_>, dir: &Path, log: &str) -> Result<HashMap<String, String>> {
    let ids = git
        .capture(dir, &["patch-id", "--stable"], Some(log.as_bytes()))?
        .checked()?;
    Ok(ids
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(id, commit)| (commit.to_string(), id.to_string()))
        .collect())
}

/// What is on a target since it left the default branch.
struct OnTarget {
    patch_ids: HashSet<String>,
    /// The commits named by "(cherry picked from commit X)", and the commit
    /// on the target that says so.
    picked_from: Vec<(String, String)>,
}

impl OnTarget {
    fn read(query: &Query<'_>, target: &Target, default_branch: &str, git: &Git<'_>) -> Result<OnTarget> {
        let since = format!("^refs/remotes/{}/{default_branch}", query.upstream);
        let tip = target.tracking_ref();
        let log = git
            .capture(
                query.toplevel,
                &[
                    "log",
                    "-p",
                    "--no-merges",
                    "--unified=0",
                    "--format=medium",
                    "--no-color",
                    "--no-ext-diff",
                    "--no-textconv",
                    &tip,
                    &since,
                    "--",
                ],
                None,
            )?
            .checked()?;
        let mut picked_from = Vec::new();
        let mut current = String::new();
        for line in log.lines() {
            if let Some(commit) = line.strip_prefix("commit ") {
                current = commit.split_whitespace().next().unwrap_or_default().to_string();
            } else if let Some(from) = line
                .trim()
                .strip_prefix("(cherry picked from commit ")
                .and_then(|rest| rest.strip_suffix(')'))
                && from.chars().all(|c| c.is_ascii_hexdigit())
            {
                picked_from.push((from.to_string(), current.clone()));
            }
        }
        let patch_ids = patch_ids(git, query.toplevel, &log)?.into_values().collect();
        Ok(OnTarget { patch_ids, picked_from })
    }
}

/// A commit's abbreviation for messages.
fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `YYYY-MM-DD` of a GitHub time.
pub fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cherry_picks_name_their_sources_in_title_body_or_branch() {
        assert_eq!(sources_of("Automated cherry pick of #3796: Fix it", "", "x"), [3796]);
        assert_eq!(
            sources_of("Automated cherry pick of #3796 #3800", "", "x"),
            [3796, 3800]
        );
        assert_eq!(
            sources_of("[release-3.1] Fix", "This is an automated cherry-pick of #12", "x"),
            [12]
        );
        assert_eq!(sources_of("Fix", "Cherry pick of #1, #2 on release-3.1.", "x"), [1, 2]);
        assert_eq!(
            sources_of("Fix", "", "automated-cherry-pick-of-#3796-#3800-upstream-release-3.1"),
            [3796, 3800]
        );
        assert_eq!(sources_of("Fix", "", "cherry-pick-77-to-release-3.1"), [77]);
        assert_eq!(
            sources_of(
                "Cherry pick of #5",
                "Cherry pick of #5",
                "automated-cherry-pick-of-#5-u-r"
            ),
            [5]
        );
        assert!(sources_of("Fix #3796", "Fixes #3796; cherry pick of nothing", "cherry-pick-x-to-y").is_empty());
        assert!(sources_of("Cherry pick of", "", "automated-cherry-pick-of-").is_empty());
    }

    #[test]
    fn the_search_names_repository_merge_base_and_label() {
        let repo = Repo {
            owner: "o".into(),
            name: "n".into(),
        };
        assert_eq!(
            search_query(&repo, "main", "cherrypick/release-3.1"),
            "repo:o/n is:pr is:merged base:main label:\"cherrypick/release-3.1\""
        );
    }

    #[test]
    fn reasons_are_put_in_words() {
        assert_eq!(Done::SamePatch.to_string(), "its change is on the branch");
        assert_eq!(
            Done::PickedFrom {
                commit: "0123456789abcdef".into()
            }
            .to_string(),
            "cherry picked in 0123456789ab"
        );
        let related = Related {
            number: 9,
            url: String::new(),
            author: "carol".into(),
            state: State::Open,
        };
        assert_eq!(
            Done::Proposed(related.clone()).to_string(),
            "cherry pick #9 by carol is open"
        );
        let merged = Related {
            state: State::Merged,
            ..related
        };
        assert_eq!(Done::Proposed(merged).to_string(), "cherry picked by #9 (merged)");
        assert_eq!(day("2026-01-31T12:00:00Z"), "2026-01-31");
        assert_eq!(day("x"), "x");
    }
}
