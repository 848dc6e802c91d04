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

use crate::cli::args::Target;
use crate::errors::failed;
use crate::git::Git;
use crate::git::ops::Patches;
use crate::github::{ApiError, FoundIssue, GitHub, PullRequest, Repo};
use crate::output::Output;
use crate::text;

/// The most pull requests against a target looked at for cherry picks:
/// ten pages.
pub const LISTED: usize = 1000;

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

/// What makes a pull request against the target count as a cherry pick of
/// a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Its commits carry the candidate's change (patch ids).
    Content,
    /// Its commits differ (a conflict resolved by hand, say), but someone who
    /// may write to the repository opened it saying it is one.
    Maintainer,
    /// Only its title, body or branch name says so: a hint, never evidence.
    Claim,
}

/// A pull request against the target that says it is a cherry pick of a
/// candidate, and what backs that up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub number: u64,
    pub url: String,
    pub author: String,
    pub state: State,
    pub evidence: Evidence,
    /// The candidate it says it picks.
    #[serde(skip)]
    pub source: u64,
}

impl Related {
    /// Whether it stands for the candidate's backport: open or merged, and
    /// backed by its content or by a maintainer.
    pub fn counts(&self) -> bool {
        self.state != State::Closed && self.evidence != Evidence::Claim
    }
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
            Done::Proposed(related) if related.evidence == Evidence::Maintainer => write!(
                f,
                "#{} by a maintainer says it picks #{}; its commits differ ({})",
                related.number,
                related.source,
                if related.state == State::Merged {
                    "merged"
                } else {
                    "open"
                }
            ),
            Done::Proposed(related) => match related.state {
                State::Merged => write!(f, "cherry picked by #{} (merged)", related.number),
                _ => write!(f, "cherry pick #{} by {} is open", related.number, related.author),
            },
        }
    }
}

impl Done {
    /// Whether its change is on the target, rather than only proposed by an
    /// open pull request.
    pub fn on_target(&self) -> bool {
        match self {
            Done::SamePatch | Done::PickedFrom { .. } => true,
            Done::Proposed(related) => related.state == State::Merged,
        }
    }
}

/// A candidate that is not on its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub candidate: Candidate,
    /// Pull requests that say they pick it but do not count: closed unmerged,
    /// or with other commits than its own.
    pub related: Vec<Related>,
    /// What of it is on the target all the same.
    pub part: Part,
}

/// What of a missing candidate is on the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    /// How many of its commits are on the target, of how many.
    pub present: usize,
    pub total: usize,
    /// A commit on the target that reverted its pick.
    pub reverted: Option<String>,
}

impl Part {
    /// What is there, in words, when anything is: `1 of 2 commits already on
    /// release-3.1`, `reverted in 0123456789ab`.
    pub fn describe(&self, branch: &str) -> Option<String> {
        let mut said = Vec::new();
        if self.present > 0 {
            said.push(format!(
                "{} of {} commits already on {branch}",
                self.present, self.total
            ));
        }
        if let Some(revert) = &self.reverted {
            said.push(format!("reverted in {}", short(revert)));
        }
        (!said.is_empty()).then(|| said.join("; "))
    }
}

/// One target's candidates, judged.
#[derive(Debug, Clone)]
pub struct View {
    pub target: Target,
    /// The labels that make a pull request a candidate for the target
    /// (`cherrypick/release-3.1`).
    pub labels: Vec<String>,
    /// Oldest merge first: those labelled, then the others.
    pub missing: Vec<Missing>,
    pub done: Vec<(Candidate, Done)>,
    /// The target is not a branch of the remote: nothing was judged.
    pub absent: bool,
}

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
    /// The query of a run's settings, for `targets`, in the repository at
    /// `toplevel`.
    pub fn of(
        settings: &'a crate::cli::settings::Settings,
        toplevel: &'a Path,
        targets: &'a [Target],
        recent: usize,
    ) -> Self {
        Query {
            repo: &settings.options.repo,
            upstream: &settings.options.upstream,
            toplevel,
            targets,
            templates: &settings.candidate_labels,
            recent,
        }
    }
}

impl Query<'_> {
    /// The candidate labels of `target`, each once: the templates rendered.
    pub fn labels(&self, target: &Target) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for template in self.templates {
            let label = text::candidate_label(template, &target.branch);
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }
}

/// Labels in words: `` `a` ``, `` `a` or `b` ``, `` `a`, `b` or `c` ``.
pub fn either(labels: &[String]) -> String {
    let quoted: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// `1 pull request`, `2 pull requests`: `n` and the noun, plural when `n`
/// is not 1.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
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
    let mut labels: Vec<String> = Vec::new();
    for label in query.targets.iter().flat_map(|target| query.labels(target)) {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    let listed = out.waiting(
        &format!(
            "Looking for pull requests labelled {}{} in {}",
            either(&labels),
            if query.recent > 0 { " and recent merges" } else { "" },
            query.repo
        ),
        || list(query, github),
    )?;
    // Every candidate is judged by git. A pull request that says it picks
    // one only tells where else to look.
    let mut numbers: Vec<u64> = Vec::new();
    for candidate in listed.per_target.iter().flat_map(|(candidates, _)| candidates) {
        if !numbers.contains(&candidate.number) {
            numbers.push(candidate.number);
        }
    }
    let claims: Vec<HashMap<u64, Vec<Claim>>> = query
        .targets
        .iter()
        .zip(&listed.per_target)
        .map(|(target, (_, pulls))| claims_of(pulls, target))
        .collect();
    let pulls = details(query.repo, &numbers, github, out)?;
    let open: Vec<&Claim> = claims
        .iter()
        .flat_map(HashMap::values)
        .flatten()
        .filter(|claim| claim.related.state != State::Closed)
        .collect();
    let there = fetch(query, &listed.default_branch, &pulls, &open, git, out)?;
    let changes = Changes::read(git, query.toplevel, &pulls, &open)?;
    let mut views = Vec::new();
    for ((target, (candidates, _)), claims) in query.targets.iter().zip(&listed.per_target).zip(&claims) {
        if !there.contains(target) {
            views.push(View {
                target: target.clone(),
                labels: query.labels(target),
                missing: Vec::new(),
                done: Vec::new(),
                absent: true,
            });
            continue;
        }
        let on_target = OnTarget::read(query, target, &listed.default_branch, git)?;
        let mut missing = Vec::new();
        let mut done = Vec::new();
        for candidate in candidates {
            let claimed = claims.get(&candidate.number).map(Vec::as_slice).unwrap_or_default();
            match judge(candidate.number, claimed, &changes, &on_target) {
                Ok(reason) => done.push((candidate.clone(), reason)),
                Err((related, part)) => missing.push(Missing {
                    candidate: candidate.clone(),
                    related,
                    part,
                }),
            }
        }
        missing.sort_by(|a, b| {
            (!a.candidate.labelled, &a.candidate.merged_at, a.candidate.number).cmp(&(
                !b.candidate.labelled,
                &b.candidate.merged_at,
                b.candidate.number,
            ))
        });
        done.sort_by(|a, b| (&a.0.merged_at, a.0.number).cmp(&(&b.0.merged_at, b.0.number)));
        views.push(View {
            target: target.clone(),
            labels: query.labels(target),
            missing,
            done,
            absent: false,
        });
    }
    Ok(Found { views, pulls })
}

/// Why candidate `number` needs nothing more on the target: its change is
/// there, or a pull request that counts proposes it. Otherwise the pull
/// requests that say they pick it but do not count, and what of it is there.
fn judge(
    number: u64,
    claimed: &[Claim],
    changes: &Changes,
    on_target: &OnTarget,
) -> std::result::Result<Done, (Vec<Related>, Part)> {
    let part = match changes.on(number, on_target) {
        Ok(done) => return Ok(done),
        Err(part) => part,
    };
    let related: Vec<Related> = claimed
        .iter()
        .map(|claim| {
            let evidence = if changes.carries(number, claim.related.number) {
                Evidence::Content
            } else if claim.by_maintainer {
                Evidence::Maintainer
            } else {
                Evidence::Claim
            };
            Related {
                evidence,
                ..claim.related.clone()
            }
        })
        .collect();
    let counted = related
        .iter()
        .filter(|r| r.counts())
        .find(|r| r.evidence == Evidence::Content)
        .or_else(|| related.iter().find(|r| r.counts()));
    match counted {
        Some(proposal) => Ok(Done::Proposed(proposal.clone())),
        None => Err((related, part)),
    }
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
            .map(|per_template| per_template.into_iter().map(crate::signals::join).collect())
            .collect();
        let listings: Vec<_> = listings.into_iter().map(crate::signals::join).collect();
        let recent = recent.map(crate::signals::join);
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

/// A pull request against a target that says it is a cherry pick: a hint
/// of where to look, which its commits confirm or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// As it would be shown; its evidence is `Claim` until judged.
    pub related: Related,
    /// Its head commit (`refs/pull/M/head`), when GitHub named one.
    pub head: Option<String>,
    /// The target's remote-tracking ref: its commits are those of its head
    /// that the target does not have.
    pub target_ref: String,
    /// Whether its author may write to the repository (author association
    /// `OWNER`, `MEMBER` or `COLLABORATOR`).
    pub by_maintainer: bool,
}

impl Claim {
    /// Its ref to fetch, when it names a head commit.
    fn refspec(&self) -> Option<String> {
        self.head
            .as_ref()
            .map(|_| format!("refs/pull/{}/head", self.related.number))
    }
}

/// The pull requests among `pulls` (against `target`) that say they are
/// cherry picks, by the source pull request they name.
pub fn claims_of(pulls: &[PullRequest], target: &Target) -> HashMap<u64, Vec<Claim>> {
    let mut claims: HashMap<u64, Vec<Claim>> = HashMap::new();
    for pull in pulls {
        let state = if pull.merged_at.is_some() || pull.merged == Some(true) {
            State::Merged
        } else if pull.state.as_deref() == Some("open") {
            State::Open
        } else {
            State::Closed
        };
        let by_maintainer = matches!(
            pull.author_association.as_deref(),
            Some("OWNER" | "MEMBER" | "COLLABORATOR")
        );
        let head = Some(pull.head.sha.clone()).filter(|sha| crate::stages::verify::is_object_id(sha));
        for source in sources_of(&pull.title, pull.body.as_deref().unwrap_or_default(), &pull.head.name) {
            if source == pull.number {
                continue;
            }
            claims.entry(source).or_default().push(Claim {
                related: Related {
                    number: pull.number,
                    url: pull.html_url.clone(),
                    author: pull.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
                    state,
                    evidence: Evidence::Claim,
                    source,
                },
                head: head.clone(),
                target_ref: target.tracking_ref(),
                by_maintainer,
            });
        }
    }
    claims
}

/// The pull request against `target` that stands for `source`'s backport
/// there, if one does: open or merged, and carrying its change (or opened
/// by a maintainer who says so). The others that say they pick it, for the
/// log. Fetches the target, the source's head and theirs first.
pub fn proposal_for(
    source: &PullRequest,
    pulls: &[PullRequest],
    target: &Target,
    git: &Git<'_>,
    dir: &Path,
) -> Result<(Option<Related>, Vec<Related>)> {
    let claimed: Vec<Claim> = claims_of(pulls, target)
        .remove(&source.number)
        .unwrap_or_default()
        .into_iter()
        .filter(|claim| claim.related.state != State::Closed)
        .collect();
    if claimed.is_empty() {
        return Ok((None, Vec::new()));
    }
    let mut refspecs = vec![
        format!("+refs/heads/{}:{}", target.branch, target.tracking_ref()),
        format!("refs/pull/{}/head", source.number),
    ];
    refspecs.extend(claimed.iter().filter_map(Claim::refspec));
    let refspecs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
    git.fetch(dir, &target.remote, &refspecs).map_err(|e| {
        failed(format!(
            "fetching {target} and the pull requests that say they cherry pick #{}",
            source.number
        ))
        .because(e)
    })?;
    let open: Vec<&Claim> = claimed.iter().collect();
    let changes = Changes::read(git, dir, std::slice::from_ref(source), &open)?;
    Ok(proposal(source.number, &claimed, &changes))
}

/// Of the pull requests in `claimed` that say they pick `source`, the one
/// that stands for its backport (carrying its change, or opened by a
/// maintainer who says so), and the others, as `changes` (read already)
/// tell. What is on the target is not asked: only the pull requests are
/// judged.
fn proposal(source: u64, claimed: &[Claim], changes: &Changes) -> (Option<Related>, Vec<Related>) {
    let nothing = OnTarget::default();
    match judge(source, claimed, changes, &nothing) {
        Ok(Done::Proposed(related)) => (Some(related), Vec::new()),
        Ok(_) => (None, Vec::new()),
        Err((related, _)) => (None, related),
    }
}

/// Whether `pull` (against `target`, open, merged or closed) is a cherry
/// pick of `source` by the same judgement as `proposal_for`: its commits
/// carry `source`'s change, or a maintainer opened it saying so. What its
/// title, body or branch name say alone is never enough.
pub fn carries(source: &PullRequest, pull: &PullRequest, target: &Target, git: &Git<'_>, dir: &Path) -> Result<bool> {
    // Judged as if open: a closed one is judged all the same.
    let judged = PullRequest {
        state: Some("open".into()),
        merged: Some(false),
        merged_at: None,
        ..pull.clone()
    };
    let (found, _) = proposal_for(source, std::slice::from_ref(&judged), target, git, dir)?;
    Ok(found.is_some_and(|related| related.number == pull.number))
}

/// For each of `sources`, the open pull request among `pulls` (against
/// `target`) that stands for its backport there, judged as `proposal_for`
/// does: by its commits, or a maintainer's word; never by its title, body
/// or branch alone. One `git fetch` of the heads of the sources and of
/// those that say they pick them, into no ref: the target's
/// remote-tracking ref is read where it is, never moved.
pub fn waiting_in(
    sources: &[PullRequest],
    pulls: &[PullRequest],
    target: &Target,
    git: &Git<'_>,
    dir: &Path,
) -> Result<HashMap<u64, Related>> {
    let mut claims = claims_of(pulls, target);
    let claimed: Vec<(&PullRequest, Vec<Claim>)> = sources
        .iter()
        .map(|source| {
            let open = (claims.remove(&source.number).unwrap_or_default().into_iter())
                .filter(|claim| claim.related.state == State::Open)
                .collect();
            (source, open)
        })
        .filter(|(_, open): &(_, Vec<Claim>)| !open.is_empty())
        .collect();
    if claimed.is_empty() {
        return Ok(HashMap::new());
    }
    let mut refspecs: Vec<String> = Vec::new();
    for (source, open) in &claimed {
        refspecs.push(format!("refs/pull/{}/head", source.number));
        refspecs.extend(open.iter().filter_map(Claim::refspec));
    }
    refspecs.sort();
    refspecs.dedup();
    let refspecs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
    git.fetch(dir, &target.remote, &refspecs).map_err(|e| {
        failed(format!(
            "fetching the pull requests against {target} that say they cherry pick {}",
            (claimed.iter())
                .map(|(source, _)| format!("#{}", source.number))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .because(e)
    })?;
    let judged: Vec<PullRequest> = claimed.iter().map(|(source, _)| (*source).clone()).collect();
    let open: Vec<&Claim> = claimed.iter().flat_map(|(_, open)| open).collect();
    let changes = Changes::read(git, dir, &judged, &open)?;
    Ok(claimed
        .iter()
        .filter_map(|(source, open)| {
            let (found, _) = proposal(source.number, open, &changes);
            found.map(|related| (source.number, related))
        })
        .collect())
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

/// Fetches the targets, the default branch, the candidates' heads and the
/// heads of the open or merged pull requests that say they pick them, in
/// one `git fetch`. A target that is not a branch of the remote is left
/// out, so that the others are judged all the same: the targets fetched.
fn fetch(
    query: &Query<'_>,
    default_branch: &str,
    pulls: &[PullRequest],
    claims: &[&Claim],
    git: &Git<'_>,
    out: &Output,
) -> Result<Vec<Target>> {
    let dir = query.toplevel;
    let refspecs = |targets: &[&Target]| {
        let mut refspecs = vec![format!(
            "+refs/heads/{default_branch}:refs/remotes/{}/{default_branch}",
            query.upstream
        )];
        for target in targets {
            refspecs.push(format!("+refs/heads/{}:{}", target.branch, target.tracking_ref()));
        }
        for pull in pulls {
            refspecs.push(format!("refs/pull/{}/head", pull.number));
        }
        for claim in claims {
            // Only for the targets fetched: the tracking ref tells its commits.
            if targets.iter().any(|t| t.tracking_ref() == claim.target_ref) {
                refspecs.extend(claim.refspec());
            }
        }
        refspecs.dedup();
        refspecs
    };
    let fetch = |targets: &[&Target]| {
        let refspecs = refspecs(targets);
        let refspecs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
        out.waiting(
            &format!(
                "Fetching {} and {} from {}",
                targets
                    .iter()
                    .map(|t| t.branch.as_str())
                    .chain([default_branch])
                    .collect::<Vec<_>>()
                    .join(", "),
                count(pulls.len(), "pull request"),
                query.upstream
            ),
            || git.fetch(dir, query.upstream, &refspecs),
        )
    };
    let explain = |e: crate::git::GitError| {
        failed(format!(
            "fetching the target branches and the candidates from the `{}` remote",
            query.upstream
        ))
        .hint(format!(
            "check that each target exists: git ls-remote --heads {} 'release-*'",
            query.upstream
        ))
        .because(e)
    };
    let all: Vec<&Target> = query.targets.iter().collect();
    let Err(error) = fetch(&all) else {
        return Ok(query.targets.to_vec());
    };
    // Which targets the remote has; without them the rest is fetched again.
    let branches: Vec<&str> = query.targets.iter().map(|t| t.branch.as_str()).collect();
    let Ok(heads) = git.ls_remote_heads(dir, query.upstream, &branches) else {
        return Err(explain(error).into());
    };
    let there: Vec<&Target> = all
        .into_iter()
        .filter(|t| heads.iter().any(|head| head.name == t.branch))
        .collect();
    if there.len() == query.targets.len() {
        return Err(explain(error).into());
    }
    // Each absent target is said once, with its view.
    fetch(&there).map_err(explain)?;
    Ok(there.into_iter().cloned().collect())
}

/// The candidates' changes as git sees them: each one's commits and merge
/// commit, the commits of the pull requests that say they pick them, and
/// their patch ids.
struct Changes {
    /// Per pull request: its commits (without merges) and the commit its merge made.
    commits: HashMap<u64, (Vec<String>, Option<String>)>,
    /// Per pull request that says it is a cherry pick: its commits on top of the target.
    claims: HashMap<u64, Vec<String>>,
    patch_ids: HashMap<String, String>,
}

/// The most commits of a pull request that says it is a cherry pick that
/// are looked at: GitHub's own limit of a pull request's commits.
const CLAIM_COMMITS: &str = "--max-count=250";

impl Changes {
    /// Reads the commits of `pulls` and of `claims`, fetched already, and
    /// their patch ids.
    fn read(git: &Git<'_>, dir: &Path, pulls: &[PullRequest], claims: &[&Claim]) -> Result<Changes> {
        let mut commits = HashMap::new();
        for pull in pulls {
            // Its commits are those of its head that its base did not have.
            // Without a base (or with one GitHub no longer has), only the
            // merge commit is left to go by.
            let base = pull.base.as_ref().map(|b| format!("^{}", b.sha)).unwrap_or_default();
            let mine = git
                .rev_list(dir, &["--no-merges", &pull.head.sha, &base])
                .unwrap_or_default();
            commits.insert(pull.number, (mine, pull.merge_commit_sha.clone()));
        }
        let mut theirs: HashMap<u64, Vec<String>> = HashMap::new();
        for claim in claims {
            let Some(head) = &claim.head else { continue };
            // What its head adds to the target; nothing when it is not here.
            let listed = git
                .rev_list(
                    dir,
                    &["--no-merges", CLAIM_COMMITS, head, "--not", &claim.target_ref, "--"],
                )
                .unwrap_or_default();
            theirs.insert(claim.related.number, listed);
        }
        let mut shas: Vec<&str> = Vec::new();
        for (mine, merge) in commits.values() {
            shas.extend(mine.iter().map(String::as_str));
            shas.extend(merge.as_deref());
        }
        for listed in theirs.values() {
            shas.extend(listed.iter().map(String::as_str));
        }
        let patch_ids = patch_ids_of(git, dir, &shas)?;
        Ok(Changes {
            commits,
            claims: theirs,
            patch_ids,
        })
    }

    /// The patch id of the change `source`'s merge made, when it stands for
    /// the whole pull request: not when the merge was a rebase, whose last
    /// commit is one of the pull request's own.
    fn whole(&self, source: u64) -> Option<&String> {
        let (mine, merge) = self.commits.get(&source)?;
        let whole = self.patch_ids.get(merge.as_ref()?)?;
        let rebased = mine.len() > 1 && mine.iter().any(|c| self.patch_ids.get(c) == Some(whole));
        (!rebased).then_some(whole)
    }

    /// Whether the commits of `claim` carry the change of `source`: each of
    /// its commits by patch id, or its merge's whole change in one.
    fn carries(&self, source: u64, claim: u64) -> bool {
        let (Some((mine, _)), Some(theirs)) = (self.commits.get(&source), self.claims.get(&claim)) else {
            return false;
        };
        let ids: HashSet<&String> = theirs.iter().filter_map(|c| self.patch_ids.get(c)).collect();
        let own: Vec<&String> = mine.iter().filter_map(|c| self.patch_ids.get(c)).collect();
        (!own.is_empty() && own.iter().all(|id| ids.contains(id)))
            || self.whole(source).is_some_and(|whole| ids.contains(whole))
    }

    /// Why the pull request `number` needs nothing more on the target: each
    /// of its commits is there (by patch id, or a commit saying it was
    /// cherry picked from it), or the commit its merge made is. Otherwise
    /// what of it is there.
    fn on(&self, number: u64, target: &OnTarget) -> std::result::Result<Done, Part> {
        let Some((mine, merge)) = self.commits.get(&number) else {
            return Err(Part::default());
        };
        let mut part = Part::default();
        let mut trailer = None;
        for commit in mine {
            let id = self.patch_ids.get(commit);
            match target.find(commit, id) {
                Presence::There(by) => {
                    part.present += 1;
                    part.total += 1;
                    trailer = trailer.or(by);
                }
                // A commit that changes nothing has nothing to carry.
                Presence::Absent if id.is_none() => {}
                Presence::Absent => part.total += 1,
                Presence::Reverted(revert) => {
                    part.total += 1;
                    part.reverted.get_or_insert(revert);
                }
            }
        }
        if part.total > 0 && part.present == part.total {
            return Ok(trailer.map_or(Done::SamePatch, |commit| Done::PickedFrom { commit }));
        }
        if let Some(merge) = merge {
            // Without a whole change (a rebase), only a trailer naming the
            // merge can say it is there.
            match target.find(merge, self.whole(number)) {
                Presence::There(Some(commit)) => return Ok(Done::PickedFrom { commit }),
                Presence::There(None) => return Ok(Done::SamePatch),
                Presence::Reverted(revert) => {
                    part.reverted.get_or_insert(revert);
                }
                Presence::Absent => {}
            }
        }
        Err(part)
    }
}

/// The patch ids of those of `shas` that are commits here (a merge's: its
/// change to its first parent), without context, as the target's are made.
fn patch_ids_of(git: &Git<'_>, dir: &Path, shas: &[&str]) -> Result<HashMap<String, String>> {
    let present = present_commits(git, dir, shas)?;
    let shas: Vec<&str> = shas.iter().copied().filter(|s| present.contains(*s)).collect();
    if shas.is_empty() {
        return Ok(HashMap::new());
    }
    let mut input = shas.join("\n");
    input.push('\n');
    let mut args = vec![
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "-p",
        "--diff-merges=first-parent",
    ];
    args.extend(PLAIN_LOG);
    let log = git.capture(dir, &args, Some(input.as_bytes()))?.checked()?;
    patch_ids(git, dir, &log)
}

/// How commits are shown for their patch ids and trailers: without context
/// (a change is known on a branch whose lines around it differ), with the
/// whole message, and in git's own format whatever the user's config says.
const PLAIN_LOG: [&str; 5] = [
    "--unified=0",
    "--format=medium",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
];

/// Which of `commits` have their change on `tip` though they are not in its
/// history: a commit there has the same patch, or says it was cherry picked
/// from it (and was not reverted since). Reads only the commits of `tip`
/// that none of `commits` reaches.
pub fn picked_onto(git: &Git<'_>, dir: &Path, tip: &str, commits: &[String]) -> Result<HashSet<String>> {
    if commits.is_empty() {
        return Ok(HashSet::new());
    }
    let shas: Vec<&str> = commits.iter().map(String::as_str).collect();
    let on = OnTarget::of(git, dir, tip, &shas)?;
    let ids = patch_ids_of(git, dir, &shas)?;
    Ok(commits
        .iter()
        .filter(|c| matches!(on.find(c, ids.get(*c)), Presence::There(_)))
        .cloned()
        .collect())
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
    let ids = git.patch_ids(dir, Patches::Text(log.as_bytes()), None)?;
    Ok(ids.into_iter().map(|p| (p.commit, p.id)).collect())
}

/// What is on a target since it left the default branch.
#[derive(Debug, Default)]
struct OnTarget {
    /// Patch id → the commits on the target with it.
    patch_ids: HashMap<String, Vec<String>>,
    /// The commits named by "(cherry picked from commit X)", and the commit
    /// on the target that says so.
    picked_from: Vec<(String, String)>,
    /// The commits named by "This reverts commit X.", and the commit on the
    /// target that reverted it.
    reverts: Vec<(String, String)>,
}

/// Whether a commit's change is on a target.
#[derive(Debug, PartialEq, Eq)]
enum Presence {
    /// It is: by patch id (`None`), or the commit saying it was picked from it.
    There(Option<String>),
    /// It was, and the given commit reverted it.
    Reverted(String),
    Absent,
}

/// The hex object name (7 digits or more) that ends a line of a message
/// after `prefix`, such as `(cherry picked from commit ` … `)`.
fn named_commit<'a>(line: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let name = line.trim().strip_prefix(prefix)?.strip_suffix(suffix)?;
    (name.len() >= 7 && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_hexdigit())).then_some(name)
}

impl OnTarget {
    fn read(query: &Query<'_>, target: &Target, default_branch: &str, git: &Git<'_>) -> Result<OnTarget> {
        let since = format!("refs/remotes/{}/{default_branch}", query.upstream);
        OnTarget::of(git, query.toplevel, &target.tracking_ref(), &[&since])
    }

    /// What is on `tip` by its commits that none of `not` reaches (its own,
    /// since it left them).
    fn of(git: &Git<'_>, dir: &Path, tip: &str, not: &[&str]) -> Result<OnTarget> {
        let mut args = vec!["log", "-p", "--no-merges"];
        args.extend(PLAIN_LOG);
        args.extend([tip, "--not"]);
        args.extend(not);
        args.push("--");
        let log = git.capture(dir, &args, None)?.checked()?;
        OnTarget::from_log(git, dir, &log)
    }

    /// What a `git log -p` (`PLAIN_LOG`) of a target's own commits says is
    /// on it.
    fn from_log(git: &Git<'_>, dir: &Path, log: &str) -> Result<OnTarget> {
        let mut on = OnTarget::parse(log);
        for (commit, id) in patch_ids(git, dir, log)? {
            on.patch_ids.entry(id).or_default().push(commit);
        }
        Ok(on)
    }

    /// The trailers of a `git log --format=medium`: where commits say they
    /// came from, and what they revert.
    fn parse(log: &str) -> OnTarget {
        let mut on = OnTarget::default();
        let mut current = String::new();
        for line in log.lines() {
            if let Some(commit) = line.strip_prefix("commit ") {
                current = commit.split_whitespace().next().unwrap_or_default().to_string();
            } else if let Some(from) = named_commit(line, "(cherry picked from commit ", ")") {
                on.picked_from.push((from.to_string(), current.clone()));
            } else if let Some(reverted) = named_commit(line, "This reverts commit ", ".") {
                on.reverts.push((reverted.to_string(), current.clone()));
            }
        }
        on
    }

    /// The commit on the target that reverted `commit`, if one did.
    fn reverted(&self, commit: &str) -> Option<&String> {
        self.reverts
            .iter()
            .find(|(reverted, _)| commit.starts_with(reverted.as_str()))
            .map(|(_, by)| by)
    }

    /// Whether the change of `sha` (patch id `id`) is on the target: a
    /// commit there says it was picked from it, or has its patch id, and was
    /// not reverted since.
    fn find(&self, sha: &str, id: Option<&String>) -> Presence {
        let mut revert = None;
        let by_trailer = self
            .picked_from
            .iter()
            .filter(|(from, _)| sha.starts_with(from.as_str()))
            .map(|(_, commit)| (commit, true));
        let by_patch = id
            .and_then(|id| self.patch_ids.get(id))
            .into_iter()
            .flatten()
            .map(|commit| (commit, false));
        for (commit, trailer) in by_trailer.chain(by_patch) {
            match self.reverted(commit) {
                None => return Presence::There(trailer.then(|| commit.clone())),
                Some(by) => {
                    revert.get_or_insert_with(|| by.clone());
                }
            }
        }
        revert.map_or(Presence::Absent, Presence::Reverted)
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
            evidence: Evidence::Content,
            source: 3796,
        };
        assert_eq!(
            Done::Proposed(related.clone()).to_string(),
            "cherry pick #9 by carol is open"
        );
        let merged = Related {
            state: State::Merged,
            ..related.clone()
        };
        assert_eq!(
            Done::Proposed(merged.clone()).to_string(),
            "cherry picked by #9 (merged)"
        );
        let vouched = Related {
            evidence: Evidence::Maintainer,
            ..related
        };
        assert_eq!(
            Done::Proposed(vouched.clone()).to_string(),
            "#9 by a maintainer says it picks #3796; its commits differ (open)"
        );
        assert_eq!(
            Done::Proposed(Related {
                state: State::Merged,
                ..vouched
            })
            .to_string(),
            "#9 by a maintainer says it picks #3796; its commits differ (merged)"
        );
        assert_eq!(day("2026-01-31T12:00:00Z"), "2026-01-31");
        assert_eq!(day("x"), "x");
    }

    /// A made-up object name, all of one hex digit: `a`, `b` for a pull
    /// request's commits, `m` its merge, `x`, `y` a claim's commits, the
    /// rest commits on the target.
    fn sha(c: char) -> String {
        let digit = match c {
            't' => '1',
            'r' => '2',
            's' => '3',
            'u' => '4',
            'v' => '5',
            'm' => 'c',
            'x' => 'd',
            'y' => 'e',
            other => other,
        };
        digit.to_string().repeat(40)
    }

    /// The changes of candidate 1 (commits `a`, `b`, merge `m`) and of
    /// claims 7 (commits `x`, `y`), with the patch ids given.
    fn changes(ids: &[(char, &str)], merge_of_rebase: bool) -> Changes {
        let merge = if merge_of_rebase { sha('b') } else { sha('m') };
        Changes {
            commits: HashMap::from([(1, (vec![sha('a'), sha('b')], Some(merge)))]),
            claims: HashMap::from([(7, vec![sha('x'), sha('y')])]),
            patch_ids: ids.iter().map(|(c, id)| (sha(*c), id.to_string())).collect(),
        }
    }

    fn on_target(log: &str, ids: &[(&str, char)]) -> OnTarget {
        let mut on = OnTarget::parse(log);
        for (id, commit) in ids {
            on.patch_ids.entry(id.to_string()).or_default().push(sha(*commit));
        }
        on
    }

    #[test]
    fn trailers_name_where_commits_came_from_and_what_they_revert() {
        let log = format!(
            "commit {t}\nAuthor: x\n\n    Fix\n\n    (cherry picked from commit {a})\n\ncommit {r}\n\n    Revert\n\n    This reverts commit {t}.\n    (cherry picked from commit zzzzzzz)\n    (cherry picked from commit abc)\n",
            t = sha('t'),
            a = sha('a'),
            r = sha('r')
        );
        let on = OnTarget::parse(&log);
        assert_eq!(on.picked_from, [(sha('a'), sha('t'))]);
        assert_eq!(on.reverts, [(sha('t'), sha('r'))]);
        assert_eq!(on.reverted(&sha('t')), Some(&sha('r')));
        assert_eq!(on.reverted(&sha('a')), None);
        assert_eq!(
            named_commit(
                "  (cherry picked from commit abcdef0)",
                "(cherry picked from commit ",
                ")"
            ),
            Some("abcdef0")
        );
        assert_eq!(
            named_commit("(cherry picked from commit abcdef)", "(cherry picked from commit ", ")"),
            None
        );
        assert_eq!(
            named_commit(
                &format!("This reverts commit {}.", "a".repeat(64)),
                "This reverts commit ",
                "."
            ),
            Some("a".repeat(64).as_str())
        );
        assert_eq!(
            named_commit(
                &format!("This reverts commit {}.", "a".repeat(65)),
                "This reverts commit ",
                "."
            ),
            None
        );
    }

    #[test]
    fn a_change_is_there_by_trailer_or_patch_id_unless_reverted() {
        let id = "p1".to_string();
        let on = on_target(
            &format!(
                "commit {}\n\n    (cherry picked from commit {})\n",
                sha('t'),
                &sha('a')[..7]
            ),
            &[("p1", 'u')],
        );
        assert_eq!(on.find(&sha('a'), None), Presence::There(Some(sha('t'))));
        assert_eq!(on.find(&sha('b'), Some(&id)), Presence::There(None));
        assert_eq!(on.find(&sha('b'), Some(&"p2".to_string())), Presence::Absent);
        assert_eq!(on.find(&sha('b'), None), Presence::Absent);
        let reverted = on_target(
            &format!("commit {}\n\n    This reverts commit {}.\n", sha('r'), sha('u')),
            &[("p1", 'u')],
        );
        assert_eq!(reverted.find(&sha('b'), Some(&id)), Presence::Reverted(sha('r')));
        // Picked again after the revert: there.
        let again = on_target(
            &format!("commit {}\n\n    This reverts commit {}.\n", sha('r'), sha('u')),
            &[("p1", 'u'), ("p1", 'v')],
        );
        assert_eq!(again.find(&sha('b'), Some(&id)), Presence::There(None));
    }

    #[test]
    fn every_commit_must_be_there_for_the_pull_request_to_be_done() {
        let changes = changes(&[('a', "pa"), ('b', "pb"), ('m', "pm")], false);
        let both = on_target("", &[("pa", 's'), ("pb", 't')]);
        assert_eq!(changes.on(1, &both), Ok(Done::SamePatch));
        let one = on_target("", &[("pa", 's')]);
        assert_eq!(
            changes.on(1, &one),
            Err(Part {
                present: 1,
                total: 2,
                reverted: None
            })
        );
        let by_trailer = on_target(
            &format!("commit {}\n\n    (cherry picked from commit {})\n", sha('s'), sha('a')),
            &[("pb", 't')],
        );
        assert_eq!(changes.on(1, &by_trailer), Ok(Done::PickedFrom { commit: sha('s') }));
        // The squash or merge commit's whole change counts for all of them.
        let whole = on_target("", &[("pm", 's')]);
        assert_eq!(changes.on(1, &whole), Ok(Done::SamePatch));
        let merge_picked = on_target(
            &format!("commit {}\n\n    (cherry picked from commit {})\n", sha('s'), sha('m')),
            &[],
        );
        assert_eq!(changes.on(1, &merge_picked), Ok(Done::PickedFrom { commit: sha('s') }));
        assert_eq!(changes.on(2, &whole), Err(Part::default()));
        assert_eq!(
            changes.on(1, &OnTarget::default()),
            Err(Part {
                present: 0,
                total: 2,
                reverted: None
            })
        );
    }

    #[test]
    fn a_reverted_pick_is_missing_and_says_so() {
        let changes = changes(&[('a', "pa"), ('b', "pb"), ('m', "pm")], false);
        let log = format!("commit {}\n\n    This reverts commit {}.\n", sha('r'), sha('s'));
        let reverted = on_target(&log, &[("pa", 's'), ("pb", 's')]);
        assert_eq!(
            changes.on(1, &reverted),
            Err(Part {
                present: 0,
                total: 2,
                reverted: Some(sha('r'))
            })
        );
        let whole_reverted = on_target(&log, &[("pm", 's')]);
        assert_eq!(
            changes.on(1, &whole_reverted).map_err(|p| p.reverted),
            Err(Some(sha('r')))
        );
    }

    #[test]
    fn commits_that_change_nothing_carry_nothing() {
        // `b` has no patch id: it changes nothing.
        let changes = changes(&[('a', "pa")], false);
        assert_eq!(changes.on(1, &on_target("", &[("pa", 's')])), Ok(Done::SamePatch));
        let none = Changes {
            commits: HashMap::from([(1, (vec![sha('a')], None))]),
            claims: HashMap::new(),
            patch_ids: HashMap::new(),
        };
        assert_eq!(none.on(1, &on_target("", &[])), Err(Part::default()));
    }

    #[test]
    fn the_last_commit_of_a_rebase_is_not_the_whole_change() {
        let rebased = changes(&[('a', "pa"), ('b', "pb")], true);
        assert_eq!(rebased.whole(1), None);
        assert_eq!(
            rebased.on(1, &on_target("", &[("pb", 's')])),
            Err(Part {
                present: 1,
                total: 2,
                reverted: None
            })
        );
        let merged = changes(&[('a', "pa"), ('b', "pb"), ('m', "pm")], false);
        assert_eq!(merged.whole(1), Some(&"pm".to_string()));
        let single = Changes {
            commits: HashMap::from([(1, (vec![sha('a')], Some(sha('a'))))]),
            claims: HashMap::new(),
            patch_ids: HashMap::from([(sha('a'), "pa".to_string())]),
        };
        assert_eq!(single.whole(1), Some(&"pa".to_string()));
    }

    #[test]
    fn a_claim_counts_only_when_its_commits_carry_the_change() {
        let all = changes(
            &[('a', "pa"), ('b', "pb"), ('m', "pm"), ('x', "pa"), ('y', "pb")],
            false,
        );
        assert!(all.carries(1, 7));
        let half = changes(
            &[('a', "pa"), ('b', "pb"), ('m', "pm"), ('x', "pa"), ('y', "other")],
            false,
        );
        assert!(!half.carries(1, 7));
        let squashed = changes(&[('a', "pa"), ('b', "pb"), ('m', "pm"), ('x', "pm")], false);
        assert!(squashed.carries(1, 7));
        let rebased = changes(&[('a', "pa"), ('b', "pb"), ('x', "pb")], true);
        assert!(
            !rebased.carries(1, 7),
            "the rebase's last commit is not the whole change"
        );
        assert!(!all.carries(2, 7));
        assert!(!all.carries(1, 8));
        let nothing = changes(&[('x', "pa")], false);
        assert!(!nothing.carries(1, 7));
    }

    fn claim(number: u64, state: State, by_maintainer: bool) -> Claim {
        Claim {
            related: Related {
                number,
                url: String::new(),
                author: "mallory".into(),
                state,
                evidence: Evidence::Claim,
                source: 1,
            },
            head: Some(sha('x')),
            target_ref: "refs/remotes/upstream/release-3.1".into(),
            by_maintainer,
        }
    }

    #[test]
    fn judging_takes_content_then_a_maintainers_word_never_an_outsiders() {
        let differ = changes(&[('a', "pa"), ('b', "pb"), ('m', "pm"), ('x', "q")], false);
        let carry = changes(
            &[('a', "pa"), ('b', "pb"), ('m', "pm"), ('x', "pa"), ('y', "pb")],
            false,
        );
        let none = OnTarget::default();
        let outsider = [claim(7, State::Open, false)];
        match judge(1, &outsider, &differ, &none) {
            Err((related, part)) => {
                assert_eq!(related[0].evidence, Evidence::Claim);
                assert_eq!(part.total, 2);
            }
            other => panic!("{other:?}"),
        }
        match judge(1, &outsider, &carry, &none) {
            Ok(Done::Proposed(r)) => assert_eq!((r.number, r.evidence), (7, Evidence::Content)),
            other => panic!("{other:?}"),
        }
        let maintainer = [claim(7, State::Merged, true)];
        match judge(1, &maintainer, &differ, &none) {
            Ok(Done::Proposed(r)) => assert_eq!(r.evidence, Evidence::Maintainer),
            other => panic!("{other:?}"),
        }
        // Closed: shown, never counted.
        let closed = [claim(7, State::Closed, true)];
        assert!(judge(1, &closed, &carry, &none).is_err());
        // Content first, whatever the order.
        let mut both = vec![claim(6, State::Open, true), claim(7, State::Open, false)];
        both[0].related.number = 6;
        match judge(1, &both, &carry, &none) {
            Ok(Done::Proposed(r)) => assert_eq!(r.number, 7),
            other => panic!("{other:?}"),
        }
        // The change on the target wins over any claim.
        let there = on_target("", &[("pm", 's')]);
        assert_eq!(judge(1, &outsider, &differ, &there), Ok(Done::SamePatch));
    }

    #[test]
    fn related_counts_when_open_or_merged_and_backed() {
        let r = |state, evidence| Related {
            number: 1,
            url: String::new(),
            author: String::new(),
            state,
            evidence,
            source: 2,
        };
        assert!(r(State::Open, Evidence::Content).counts());
        assert!(r(State::Merged, Evidence::Maintainer).counts());
        assert!(!r(State::Open, Evidence::Claim).counts());
        assert!(!r(State::Closed, Evidence::Content).counts());
    }

    #[test]
    fn what_of_a_missing_candidate_is_there_in_words() {
        assert_eq!(Part::default().describe("release-3.1"), None);
        let part = Part {
            present: 1,
            total: 2,
            reverted: Some(sha('r')),
        };
        assert_eq!(
            part.describe("release-3.1").as_deref(),
            Some("1 of 2 commits already on release-3.1; reverted in 222222222222")
        );
    }

    fn pull(number: u64, title: &str, head: &str, state: &str, merged: bool, association: &str) -> PullRequest {
        serde_json::from_value(serde_json::json!({
            "number": number, "title": title, "body": null, "html_url": format!("u/{number}"),
            "user": {"login": "mallory"}, "head": {"ref": head, "sha": sha('x')}, "base": null,
            "state": state, "merged_at": if merged { serde_json::json!("2026-01-01T00:00:00Z") } else { serde_json::Value::Null },
            "author_association": association,
        }))
        .expect("a pull request")
    }

    #[test]
    fn claims_are_read_from_words_with_state_and_association() {
        let target = Target {
            remote: "upstream".into(),
            branch: "release-3.1".into(),
        };
        let pulls = [
            pull(7, "Cherry pick of #1", "x", "open", false, "CONTRIBUTOR"),
            pull(
                8,
                "x",
                "automated-cherry-pick-of-#1-upstream-release-3.1",
                "closed",
                true,
                "MEMBER",
            ),
            pull(9, "Cherry pick of #1", "x", "closed", false, "OWNER"),
            pull(10, "Cherry pick of #10", "x", "open", false, "COLLABORATOR"),
        ];
        let claims = claims_of(&pulls, &target);
        let of_one = &claims[&1];
        assert_eq!(of_one.len(), 3);
        assert_eq!((of_one[0].related.state, of_one[0].by_maintainer), (State::Open, false));
        assert_eq!(
            (of_one[1].related.state, of_one[1].by_maintainer),
            (State::Merged, true)
        );
        assert_eq!(
            (of_one[2].related.state, of_one[2].by_maintainer),
            (State::Closed, true)
        );
        assert_eq!(of_one[0].head.as_deref(), Some(sha('x').as_str()));
        assert_eq!(of_one[0].target_ref, "refs/remotes/upstream/release-3.1");
        assert_eq!(of_one[0].refspec().as_deref(), Some("refs/pull/7/head"));
        assert!(!claims.contains_key(&10), "a pull request is no cherry pick of itself");
        let collaborator = claims_of(
            &[pull(11, "Cherry pick of #1", "x", "open", false, "COLLABORATOR")],
            &target,
        );
        assert!(collaborator[&1][0].by_maintainer);
    }
}
