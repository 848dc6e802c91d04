//! A run as data: its `Plan` (decided before anything changes, never changed
//! after), its jobs (a target and the pull requests for it, each its own
//! branch, worktree and pull request) and how far each got. Saved when a run
//! stops for the user (a conflict, a failed hook) as a versioned JSON file
//! under the repository's git common directory, shared by all worktrees,
//! written atomically (write, then rename). The file holds every run that
//! stopped: a stopped job blocks only a later run that would push the same
//! fork branch.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::cli::options::Options;
use crate::errors::{Context, failed};
use crate::plan::ended::Saved;

/// The format's version; a file with another version is refused (and
/// `--abort` still clears it). 2: one run, a plan and jobs; 3: several runs,
/// each a plan and jobs. Version 2 is still read, as one run.
pub const VERSION: u32 = 3;

/// The earliest version still read.
const OLDEST: u32 = 2;

/// Where the state lives: `<git common dir>/cherry-pick-pr/state.json`.
pub fn path(common_dir: &Path) -> PathBuf {
    crate::git::worktrees_dir(common_dir).join("state.json")
}

/// A source pull request, as much as publishing needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pr {
    pub number: u64,
    pub title: String,
    pub body: String,
    /// The author's login.
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub labels: Vec<String>,
    /// What of it is picked: its own commits, or what landed (`--pick`).
    #[serde(default)]
    pub picked_as: PickedAs,
    /// The commits that landed, picked instead of its own (a squash or
    /// rebase), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub landed: Vec<String>,
    /// With `-x`: the commit each picked commit came from on the branch the
    /// pull request was merged into, in order; empty when none is named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// Picked because this requested pull request needs it
    /// (`--with-prerequisites`): named as such, not in the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<u64>,
}

/// What of a pull request is picked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PickedAs {
    /// Its own commits, through its patch.
    #[default]
    Commits,
    /// The one commit its squash merge made.
    Squash,
    /// The commits its rebase merge replayed.
    Rebase,
}

/// How far a job got, each step with what only it knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SavedPhase", into = "SavedPhase")]
pub enum Phase {
    /// Applying, with no pull request under way: a job not begun, or one
    /// between two pull requests. `--continue` applies the rest.
    Applying,
    /// `git am` stopped on the patch of `current` for the user to resolve.
    /// `base`: HEAD before it was applied; if HEAD has moved past it when
    /// the user is done, the pull request was applied.
    Conflict { current: u64, base: String },
    /// `current` is applied again from its patch on `--continue` (a hook
    /// refused it, or the run was interrupted mid-way); `base` as above.
    Retry { current: u64, base: String },
    /// Everything applied; the `--exec` command failed: it runs again on
    /// `--continue`.
    Exec,
    /// Everything applied; the push (or a hook) failed. `exec_done`: the
    /// `--exec` command has run and its changes are committed.
    Push { exec_done: bool },
    /// Pushed; opening the pull request failed. `--continue` pushes again
    /// (the same commits) and opens it.
    Open,
    /// Everything applied; the editor (`--edit`) failed, or left a text that
    /// cannot be used: `--continue` opens it again.
    Edit,
}

impl Phase {
    /// The step, without its data: what is saved as `phase`, and what the
    /// hints go by. A job between two pull requests is applied again.
    pub fn kind(&self) -> PhaseKind {
        match self {
            Phase::Applying | Phase::Retry { .. } => PhaseKind::Retry,
            Phase::Conflict { .. } => PhaseKind::Conflict,
            Phase::Exec => PhaseKind::Exec,
            Phase::Push { .. } => PhaseKind::Push,
            Phase::Open => PhaseKind::Open,
            Phase::Edit => PhaseKind::Edit,
        }
    }

    /// The pull request under way (stopped on, or to apply again), if any.
    pub fn current(&self) -> Option<u64> {
        match self {
            Phase::Conflict { current, .. } | Phase::Retry { current, .. } => Some(*current),
            Phase::Applying | Phase::Exec | Phase::Push { .. } | Phase::Open | Phase::Edit => None,
        }
    }

    /// Whether the `--exec` command has run and its changes are committed:
    /// it runs before anything is ready to push, edit or open.
    pub fn exec_done(&self) -> bool {
        match self {
            Phase::Push { exec_done } => *exec_done,
            Phase::Open | Phase::Edit => true,
            Phase::Applying | Phase::Conflict { .. } | Phase::Retry { .. } | Phase::Exec => false,
        }
    }
}

/// The step a job is at, without its data.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    Conflict,
    Retry,
    Exec,
    Push,
    Open,
    Edit,
}

/// A phase as the state file holds it, beside the job's other fields (as
/// earlier versions wrote it).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedPhase {
    phase: PhaseKind,
    /// The pull request `git am` stopped on, if any.
    current: Option<u64>,
    /// HEAD before the current pull request was applied.
    current_base: Option<String>,
    /// The `--exec` command has run and its changes are committed.
    #[serde(default)]
    exec_done: bool,
}

impl From<SavedPhase> for Phase {
    fn from(saved: SavedPhase) -> Phase {
        let base = saved.current_base.unwrap_or_default();
        match (saved.phase, saved.current) {
            (PhaseKind::Conflict, Some(current)) => Phase::Conflict { current, base },
            (PhaseKind::Retry, Some(current)) => Phase::Retry { current, base },
            (PhaseKind::Conflict | PhaseKind::Retry, None) => Phase::Applying,
            (PhaseKind::Exec, _) => Phase::Exec,
            (PhaseKind::Push, _) => Phase::Push {
                exec_done: saved.exec_done,
            },
            (PhaseKind::Open, _) => Phase::Open,
            (PhaseKind::Edit, _) => Phase::Edit,
        }
    }
}

impl From<Phase> for SavedPhase {
    fn from(phase: Phase) -> SavedPhase {
        let exec_done = phase.exec_done();
        let phase_kind = phase.kind();
        let (current, current_base) = match phase {
            Phase::Conflict { current, base } | Phase::Retry { current, base } => (Some(current), Some(base)),
            Phase::Applying | Phase::Exec | Phase::Push { .. } | Phase::Open | Phase::Edit => (None, None),
        };
        SavedPhase {
            phase: phase_kind,
            current,
            current_base,
            exec_done,
        }
    }
}

/// One job of a run and how far it got: a target branch, the pull requests
/// to pick onto it, the branch pushed to the fork (which names the job), and
/// the progress.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobState {
    pub remote: String,
    pub branch: String,
    /// The pull requests this job picks, in order.
    pub prs: Vec<u64>,
    /// The branch name pushed to the fork: the job's name.
    pub remote_branch: String,
    /// The local branch checked out in the worktree.
    pub local_branch: String,
    pub worktree: PathBuf,
    /// Saved as `phase`, `current`, `current_base` and `exec_done`.
    #[serde(flatten)]
    pub phase: Phase,
    /// Pull requests applied, in order.
    pub applied: Vec<u64>,
    /// Pull requests already on the target.
    pub skipped: Vec<u64>,
    /// Pull requests the user skipped while resolving (`git am --skip` or
    /// `--abort` in the worktree): not on the target, and not picked.
    #[serde(default)]
    pub by_hand: Vec<u64>,
    /// Pull requests still to apply after the current one.
    pub remaining: Vec<u64>,
    /// The files in conflict while the current pull request was stopped:
    /// those the user resolves by hand.
    #[serde(default)]
    pub conflicted: Vec<String>,
    /// The commits of the pull request stopped on, as its patch names them:
    /// what its resolution is compared with.
    #[serde(default)]
    pub current_commits: Vec<String>,
    /// The earlier changes the pull request stopped on needs and the target
    /// lacks, in merge order: named at the stop, in `--status` and `--json`,
    /// and in the new pull request's body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Prerequisite>,
    /// The conflicts of the stop, as git's rerere names them: recorded as
    /// resolved by this job's branch once the user's resolution is in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflict_ids: Vec<String>,
    /// The branch whose recorded resolution rerere reused for the stop, once
    /// the user was told so: `--continue` then takes it as reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused: Option<String>,
    /// The pull requests that did not apply as they are, and how far the
    /// backport differs from them: disclosed in the new pull request.
    #[serde(default)]
    pub changed: Vec<Changed>,
    /// The title and body as the user edited them (`--edit`), used as they
    /// are from then on.
    #[serde(default)]
    pub text: Option<PrText>,
    /// Whether a pull request from the branch to be pushed was open before
    /// the run (`None`: not known): says whether the one GitHub reports as
    /// existing after a lost answer was opened by this run.
    #[serde(default)]
    pub open_before: Option<bool>,
    /// What of each pull request (by its number, as text: a JSON key) is
    /// picked, when the run looked at how they landed (`--pick` other than
    /// `commits`, or `-x`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub picked_as: std::collections::BTreeMap<String, PickedAs>,
    /// What became of the branch pushed for a pull request that was not
    /// opened, when a run that leaves nothing behind discarded the job.
    #[serde(skip)]
    pub pushed: Option<Pushed>,
}

/// What became of a branch pushed for a pull request that was not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    Deleted,
    /// Still there: why it was not deleted.
    Left {
        why: String,
    },
}

impl JobState {
    /// A job not begun: `prs` onto `remote/branch`.
    pub fn new(remote: &str, branch: &str, prs: &[u64]) -> JobState {
        JobState {
            remote: remote.to_string(),
            branch: branch.to_string(),
            prs: prs.to_vec(),
            remote_branch: crate::text::branch_name(prs, remote, branch),
            local_branch: String::new(),
            worktree: PathBuf::new(),
            phase: Phase::Applying,
            applied: Vec::new(),
            skipped: Vec::new(),
            by_hand: Vec::new(),
            remaining: prs.to_vec(),
            conflicted: Vec::new(),
            current_commits: Vec::new(),
            needs: Vec::new(),
            conflict_ids: Vec::new(),
            reused: None,
            changed: Vec::new(),
            text: None,
            open_before: None,
            picked_as: std::collections::BTreeMap::new(),
            pushed: None,
        }
    }

    /// The target, `upstream/release-3.1`: how the job is shown.
    pub fn name(&self) -> String {
        format!("{}/{}", self.remote, self.branch)
    }

    /// Whether anything in it is the user's: a conflict resolved or a pull
    /// request skipped by hand, or its text edited.
    pub fn has_work_by_hand(&self) -> bool {
        self.changed.iter().any(|c| c.how == How::ByHand) || !self.by_hand.is_empty() || self.text.is_some()
    }

    /// Whether `selector` names this job: its target (`upstream/release-3.1`
    /// or `release-3.1`), or its fork branch.
    pub fn is_named(&self, selector: &str) -> bool {
        selector == self.name() || selector == self.branch || selector == self.remote_branch
    }
}

/// How a pull request came to be applied other than as it is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// `git am` stopped on conflicts; the user resolved them.
    ByHand,
    /// `git am -3` could not apply the patch; `git cherry-pick` of the pull
    /// request's commits did.
    Fallback,
}

/// A pull request that did not apply as it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Changed {
    pub number: u64,
    pub how: How,
    /// The files resolved by hand.
    #[serde(default)]
    pub files: Vec<String>,
    /// The files whose changed lines differ from the original's, with how
    /// many lines differ; `None` when that could not be measured.
    pub differences: Option<Vec<(String, usize)>>,
    /// The earlier changes it needed that the target lacks, named at its stop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Prerequisite>,
    /// The branch whose resolution of the same conflicts was reused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused: Option<String>,
}

/// An earlier change that a pull request needs and the target lacks: the
/// commits on the source side that last touched the lines its conflicting
/// hunks expected, not on the target by content.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Prerequisite {
    /// Its pull request, when one is known for it (and confirmed).
    #[serde(default)]
    pub number: Option<u64>,
    /// The commit found (the first, when several of one pull request are).
    pub commit: String,
    /// That commit's subject (a stranger's text: made safe when shown).
    pub subject: String,
    /// The files and lines (in the source's numbering) both change.
    pub places: Vec<Place>,
    /// The open pull request against the target that is its cherry pick
    /// (by its commits, or a maintainer's word), when one was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
}

/// Lines of a file, as ranges of line numbers (first, last).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Place {
    pub path: String,
    pub lines: Vec<(u32, u32)>,
}

impl std::fmt::Display for Place {
    /// `pkg/a.go:14-16,20`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ranges: Vec<String> = (self.lines.iter())
            .map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
            .collect();
        write!(f, "{}:{}", self.path, ranges.join(","))
    }
}

impl Prerequisite {
    /// How it is named: `#3805`, or `commit 1a2b3c4d5e6f "Its subject"`.
    pub fn name(&self) -> String {
        match self.number {
            Some(n) => format!("#{n}"),
            None => format!(
                "commit {} \"{}\"",
                self.commit.get(..12).unwrap_or(&self.commit),
                crate::safe::one_line(&self.subject)
            ),
        }
    }

    /// What `of` needs of it, on `branch`: `#3806 needs #3805 (not on
    /// release-3.1): both change pkg/a.go:14-16`, or `(not on release-3.1;
    /// waiting in #4001)` when an open pull request picks it there; with
    /// `code`, the places as Markdown code.
    pub fn needed_by(&self, of: u64, branch: &str, code: bool) -> String {
        let places: Vec<String> = (self.places.iter())
            .map(|p| if code { format!("`{p}`") } else { p.to_string() })
            .collect();
        let waiting = self.waiting.map(|w| format!("; waiting in #{w}")).unwrap_or_default();
        format!(
            "#{of} needs {} (not on {branch}{waiting}): both change {}",
            self.name(),
            places.join(", ")
        )
    }
}

/// The pull request's title and body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PrText {
    pub title: String,
    pub body: String,
}

/// What a run is to do, decided before anything changes and never changed
/// after: passed by reference, and saved with the progress for `--continue`.
/// The options sit beside `user` and `prs` in the file, as they always did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Plan {
    #[serde(flatten)]
    pub options: Options,
    /// The fork owner's login.
    pub user: String,
    /// Every requested pull request, in order.
    pub prs: Vec<Pr>,
}

/// A plan is read as its options: `plan.fork`, `plan.dry_run`.
impl std::ops::Deref for Plan {
    type Target = Options;

    fn deref(&self) -> &Options {
        &self.options
    }
}

impl Plan {
    /// The source pull request numbered `n`.
    pub fn source(&self, n: u64) -> Option<&Pr> {
        self.prs.iter().find(|p| p.number == n)
    }
}

/// How far a run got: what only changes as it goes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Progress {
    /// The jobs still in progress.
    pub jobs: Vec<JobState>,
    /// How the jobs that are no longer in progress ended.
    #[serde(default)]
    pub done: Vec<Saved>,
}

/// Everything `--continue` needs to finish a run without the original
/// command line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// Tells the run's record from the others' in the file.
    #[serde(default)]
    pub id: String,
    pub plan: Plan,
    #[serde(flatten)]
    pub progress: Progress,
}

/// The file: every run that stopped for the user, in the order they stopped.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    version: u32,
    runs: Vec<State>,
}

/// Every run in progress, and their jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runs(pub Vec<State>);

impl Runs {
    /// Every job in progress, run by run, each in the order it was given.
    pub fn jobs(&self) -> impl Iterator<Item = &JobState> {
        self.0.iter().flat_map(|run| run.progress.jobs.iter())
    }

    /// The run that `job` (named by its fork branch) belongs to.
    pub fn run_of(&self, job: &JobState) -> Option<&State> {
        self.0
            .iter()
            .find(|run| run.progress.jobs.iter().any(|j| j.remote_branch == job.remote_branch))
    }

    /// How `job` is named to select it among every job in progress: by its
    /// target, or by its fork branch where another job shares the target.
    pub fn selector(&self, job: &JobState) -> String {
        selector_among(job, self.jobs())
    }
}

/// How `job` is named among `all` (which may include it): by its target,
/// or by its fork branch where another job shares the target.
pub fn selector_among<'a>(job: &JobState, all: impl IntoIterator<Item = &'a JobState>) -> String {
    let shared = all
        .into_iter()
        .any(|j| j.remote_branch != job.remote_branch && j.name() == job.name());
    if shared { job.remote_branch.clone() } else { job.name() }
}

/// What is on disk.
pub enum Loaded {
    None,
    Some(Runs),
    /// A file that cannot be read as this version's state.
    Unreadable(String),
}

/// Reads the state file, if there is one.
pub fn load(common_dir: &Path) -> Result<Loaded> {
    let file = path(common_dir);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::None),
        Err(e) => return Err(failed(format!("reading {}", file.display())).because(e).into()),
    };
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("version").and_then(|v| v.as_u64()));
    let parsed = match version {
        Some(v) if v == u64::from(VERSION) => serde_json::from_str::<File>(&text).map(|f| f.runs),
        // One run, as the whole file.
        Some(v) if v == u64::from(OLDEST) => serde_json::from_str::<State>(&text).map(|run| vec![run]),
        Some(v) if v < u64::from(OLDEST) => {
            return Ok(Loaded::Unreadable(format!(
                "{} was written by an older git-cherry-pick-pr (format version {v}; this one reads versions {OLDEST} and {VERSION}): finish it with that version, or drop it",
                file.display()
            )));
        }
        _ => {
            return Ok(Loaded::Unreadable(format!(
                "{} has format version {}, this tool reads versions {OLDEST} and {VERSION}",
                file.display(),
                version.map_or("unknown".to_string(), |v| v.to_string())
            )));
        }
    };
    match parsed {
        Ok(runs) if runs.is_empty() => Ok(Loaded::None),
        Ok(runs) => Ok(Loaded::Some(Runs(runs))),
        Err(e) => Ok(Loaded::Unreadable(format!("{} is not valid: {e}", file.display()))),
    }
}

/// Saves one run's record: replaces the one with its id, or adds it. A run
/// with no job left is dropped, and the file with the last run.
pub fn save_run(common_dir: &Path, run: &State) -> Result<()> {
    let mut runs = match load(common_dir)? {
        Loaded::Some(Runs(runs)) => runs,
        // A run starts only when the file can be read (or `--abort` clears it).
        Loaded::None | Loaded::Unreadable(_) => Vec::new(),
    };
    match runs.iter_mut().find(|r| r.id == run.id) {
        Some(slot) => *slot = run.clone(),
        None => runs.push(run.clone()),
    }
    save_all(common_dir, runs)
}

/// Writes every run's record (those with a job left), or removes the file
/// when none is left.
pub fn save_all(common_dir: &Path, mut runs: Vec<State>) -> Result<()> {
    runs.retain(|r| !r.progress.jobs.is_empty());
    if runs.is_empty() {
        return remove(common_dir);
    }
    write(common_dir, &File { version: VERSION, runs })
}

/// Writes the file atomically: a temporary file in the same directory,
/// renamed over the old one, so a reader never sees half a file.
fn write(common_dir: &Path, state: &File) -> Result<()> {
    let file = path(common_dir);
    let dir = file.parent().unwrap_or(common_dir);
    std::fs::create_dir_all(dir).failure(|| failed(format!("creating {}", dir.display())))?;
    let text = serde_json::to_string_pretty(state)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".state-")
        .tempfile_in(dir)
        .failure(|| failed(format!("writing the state in {}", dir.display())))?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(&file)
        .failure(|| failed(format!("writing {}", file.display())))?;
    Ok(())
}

/// Removes the state file; a missing file is fine.
pub fn remove(common_dir: &Path) -> Result<()> {
    let file = path(common_dir);
    match std::fs::remove_file(&file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(failed(format!("removing {}", file.display())).because(e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State {
            id: "1-2".into(),
            plan: Plan {
                options: Options {
                    repo: crate::github::Repo {
                        owner: "o".into(),
                        name: "n".into(),
                    },
                    upstream: "upstream".into(),
                    fork: "origin".into(),
                    api_url: "https://api.github.com".into(),
                    web_host: "github.com".into(),
                    labels: vec!["x".into()],
                    draft: false,
                    signoff: true,
                    yes: true,
                    dry_run: false,
                    exec: Some("make docs".into()),
                    shell: "/bin/sh".into(),
                    milestone: Some("auto".into()),
                    copy_labels: vec!["kind/*".into()],
                    assign_author: true,
                    comment_source: false,
                    templates: crate::text::Templates::default(),
                    negotiate_push: true,
                    conflict_label: Some("cherry-pick/conflicts".into()),
                    edit: true,
                    critical: false,
                    why: Some("Fixes a crash.".into()),
                    reviewers: vec!["carol".into()],
                    reviewers_from_source: true,
                    force: true,
                    leave_nothing: false,
                    pick: crate::cli::options::Pick::Auto,
                    record_origin: true,
                    with_prerequisites: false,
                    auto_merge: Some(crate::cli::options::MergeMethod::Squash),
                },
                user: "alice".into(),
                prs: vec![Pr {
                    author: "bob".into(),
                    labels: vec!["kind/bug".into()],
                    number: 1,
                    title: "T".into(),
                    body: "B".into(),
                    picked_as: PickedAs::Commits,
                    landed: Vec::new(),
                    origins: Vec::new(),
                    needed_by: None,
                }],
            },
            progress: Progress {
                done: vec![
                    Saved::Line("upstream/release-1.0: opened https://x/pull/2".into()),
                    Saved::Done(crate::plan::ended::Done {
                        target: "upstream/release-1.1".into(),
                        prs: vec![1],
                        ended: crate::plan::ended::Ended::Failed { error: "no".into() },
                    }),
                ],
                jobs: vec![JobState {
                    local_branch: "automated-cherry-pick-of-#1-upstream-release-1".into(),
                    worktree: "/tmp/x".into(),
                    phase: Phase::Conflict {
                        current: 1,
                        base: "abc".into(),
                    },
                    remaining: vec![],
                    open_before: Some(false),
                    conflicted: vec!["pkg/a.go".into()],
                    changed: vec![Changed {
                        number: 1,
                        how: How::ByHand,
                        files: vec!["pkg/a.go".into()],
                        differences: Some(vec![("pkg/a.go".into(), 2)]),
                        needs: vec![],
                        reused: None,
                    }],
                    text: Some(PrText {
                        title: "T".into(),
                        body: "B".into(),
                    }),
                    ..JobState::new("upstream", "release-1", &[1])
                }],
            },
        }
    }

    #[test]
    fn state_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::None));
        save_run(dir.path(), &sample()).unwrap();
        match load(dir.path()).unwrap() {
            Loaded::Some(runs) => assert_eq!(runs, Runs(vec![sample()])),
            _ => panic!("state not loaded"),
        }
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(
            text.contains("\"version\": 3")
                && text.contains("\"phase\": \"conflict\"")
                && text.contains("\"repo\": \"o/n\"")
                && text.contains("\"jobs\": ["),
            "{text}"
        );
        // The options sit in the plan as they always did: not nested, and
        // what is never saved as true is not written.
        let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &saved["runs"][0];
        assert_eq!(run["plan"]["fork"], "origin");
        assert_eq!(run["plan"]["user"], "alice");
        assert!(run["plan"].get("options").is_none() && run["plan"].get("leave_nothing").is_none());
        // No temporary files are left next to it.
        let entries: Vec<_> = std::fs::read_dir(dir.path().join("cherry-pick-pr")).unwrap().collect();
        assert_eq!(entries.len(), 1);
        remove(dir.path()).unwrap();
        remove(dir.path()).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::None));
    }

    #[test]
    fn runs_are_saved_side_by_side_and_each_goes_with_its_last_job() {
        let dir = tempfile::tempdir().unwrap();
        let first = sample();
        let mut second = sample();
        second.id = "3-4".into();
        second.progress.jobs[0] = JobState::new("upstream", "release-2", &[2]);
        save_run(dir.path(), &first).unwrap();
        save_run(dir.path(), &second).unwrap();
        // Saved again, a run's record is replaced where it is.
        let mut again = first.clone();
        again.progress.jobs[0].applied = vec![1];
        save_run(dir.path(), &again).unwrap();
        let Loaded::Some(runs) = load(dir.path()).unwrap() else {
            panic!("state not loaded")
        };
        assert_eq!(runs, Runs(vec![again.clone(), second.clone()]));
        let names: Vec<String> = runs.jobs().map(JobState::name).collect();
        assert_eq!(names, ["upstream/release-1", "upstream/release-2"]);
        assert_eq!(
            runs.run_of(&second.progress.jobs[0]).map(|r| r.id.as_str()),
            Some("3-4")
        );
        assert_eq!(runs.run_of(&JobState::new("upstream", "release-9", &[9])), None);
        // A run with no job left is dropped; the file goes with the last one.
        again.progress.jobs.clear();
        save_run(dir.path(), &again).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Some(Runs(r)) if r == vec![second.clone()]));
        second.progress.jobs.clear();
        save_run(dir.path(), &second).unwrap();
        assert!(!path(dir.path()).exists());
    }

    #[test]
    fn a_version_2_file_is_read_as_one_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cherry-pick-pr")).unwrap();
        let mut old = serde_json::to_value(sample()).unwrap();
        old["version"] = 2.into();
        old.as_object_mut().unwrap().remove("id");
        std::fs::write(path(dir.path()), old.to_string()).unwrap();
        let Loaded::Some(runs) = load(dir.path()).unwrap() else {
            panic!("state not loaded")
        };
        assert_eq!(runs.0.len(), 1);
        assert_eq!(runs.0[0].id, "");
        assert_eq!(runs.0[0].progress, sample().progress);
    }

    #[test]
    fn a_job_is_named_by_its_fork_branch_only_where_another_shares_its_target() {
        let a = JobState::new("upstream", "release-1", &[1]);
        let b = JobState::new("upstream", "release-1", &[2]);
        let c = JobState::new("upstream", "release-2", &[1]);
        assert_eq!(selector_among(&a, [&a, &c]), "upstream/release-1");
        assert_eq!(selector_among(&a, [&a, &b, &c]), a.remote_branch);
        assert_eq!(selector_among(&c, [&a, &b, &c]), "upstream/release-2");
    }

    #[test]
    fn work_by_hand_is_a_resolution_a_skip_or_an_edited_text() {
        let fresh = JobState::new("upstream", "release-1", &[1]);
        assert!(!fresh.has_work_by_hand());
        let mut fallback = fresh.clone();
        fallback.changed.push(Changed {
            number: 1,
            how: How::Fallback,
            files: vec![],
            differences: None,
            needs: vec![],
            reused: None,
        });
        assert!(!fallback.has_work_by_hand());
        let mut resolved = fresh.clone();
        resolved.changed.push(Changed {
            number: 1,
            how: How::ByHand,
            files: vec![],
            differences: None,
            needs: vec![],
            reused: None,
        });
        assert!(resolved.has_work_by_hand());
        let mut skipped = fresh.clone();
        skipped.by_hand.push(1);
        assert!(skipped.has_work_by_hand());
        let mut edited = fresh;
        edited.text = Some(PrText {
            title: "t".into(),
            body: "b".into(),
        });
        assert!(edited.has_work_by_hand());
    }

    #[test]
    fn a_phase_is_saved_beside_the_job_as_earlier_versions_saved_it() {
        let job = |phase: serde_json::Value| {
            let mut value = serde_json::to_value(JobState::new("upstream", "release-1", &[1])).unwrap();
            for (key, v) in phase.as_object().unwrap() {
                value[key] = v.clone();
            }
            serde_json::from_value::<JobState>(value).unwrap().phase
        };
        let fresh = serde_json::to_value(JobState::new("upstream", "release-1", &[1])).unwrap();
        assert_eq!(
            (
                &fresh["phase"],
                &fresh["current"],
                &fresh["current_base"],
                &fresh["exec_done"]
            ),
            (
                &serde_json::json!("retry"),
                &serde_json::Value::Null,
                &serde_json::Value::Null,
                &serde_json::json!(false)
            )
        );
        let cases = [
            (
                serde_json::json!({"phase": "conflict", "current": 3, "current_base": "abc"}),
                Phase::Conflict {
                    current: 3,
                    base: "abc".into(),
                },
            ),
            (
                serde_json::json!({"phase": "retry", "current": 3, "current_base": "abc"}),
                Phase::Retry {
                    current: 3,
                    base: "abc".into(),
                },
            ),
            (
                serde_json::json!({"phase": "conflict", "current": null}),
                Phase::Applying,
            ),
            (serde_json::json!({"phase": "exec"}), Phase::Exec),
            (
                serde_json::json!({"phase": "push", "exec_done": true}),
                Phase::Push { exec_done: true },
            ),
            (
                serde_json::json!({"phase": "push", "exec_done": false}),
                Phase::Push { exec_done: false },
            ),
            (serde_json::json!({"phase": "open", "exec_done": true}), Phase::Open),
            (serde_json::json!({"phase": "edit", "exec_done": true}), Phase::Edit),
        ];
        for (saved, phase) in cases {
            assert_eq!(job(saved.clone()), phase, "{saved}");
            let mut ts = JobState::new("upstream", "release-1", &[1]);
            ts.phase = phase.clone();
            let again: JobState = serde_json::from_str(&serde_json::to_string(&ts).unwrap()).unwrap();
            assert_eq!(again.phase, phase);
        }
    }

    #[test]
    fn jobs_are_shown_by_target_and_named_by_target_or_fork_branch() {
        let job = &sample().progress.jobs[0];
        assert_eq!(job.name(), "upstream/release-1");
        assert_eq!(job.remote_branch, "automated-cherry-pick-of-#1-upstream-release-1");
        for name in [
            "upstream/release-1",
            "release-1",
            "automated-cherry-pick-of-#1-upstream-release-1",
        ] {
            assert!(job.is_named(name), "{name}");
        }
        assert!(!job.is_named("release-2"));
        assert_eq!(sample().plan.source(1).map(|p| p.title.as_str()), Some("T"));
        assert_eq!(sample().plan.source(2), None);
    }

    #[test]
    fn a_repository_is_saved_as_owner_slash_name() {
        let repo: crate::github::Repo = serde_json::from_str("\"o/n\"").unwrap();
        assert_eq!(serde_json::to_string(&repo).unwrap(), "\"o/n\"");
        for bad in ["\"o\"", "\"/n\"", "\"o/\"", "\"o/n/x\""] {
            assert!(serde_json::from_str::<crate::github::Repo>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_state_path_that_cannot_be_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(path(dir.path())).unwrap();
        assert!(load(dir.path()).is_err());
        assert!(remove(dir.path()).is_err());
    }

    #[test]
    fn other_versions_and_garbage_are_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cherry-pick-pr")).unwrap();
        std::fs::write(path(dir.path()), r#"{"version": 4}"#).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("version 4")));
        std::fs::write(path(dir.path()), r#"{"version": 1, "targets": []}"#).unwrap();
        assert!(
            matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("older git-cherry-pick-pr (format version 1"))
        );
        std::fs::write(path(dir.path()), "{not json").unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("unknown")));
        for invalid in [r#"{"version": 2}"#, r#"{"version": 3}"#] {
            std::fs::write(path(dir.path()), invalid).unwrap();
            assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("not valid")));
        }
        // No run at all is nothing in progress.
        std::fs::write(path(dir.path()), r#"{"version": 3, "runs": []}"#).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::None));
    }
}
