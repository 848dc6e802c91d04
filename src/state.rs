//! The saved state of a run that stopped for the user (a conflict, a failed
//! hook): a versioned JSON file under the repository's git common directory,
//! shared by all worktrees, written atomically (write, then rename).

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::errors::{Context, failed};
use crate::text::Templates;

/// The format's version; a file with another version is refused (and
/// `--abort` still clears it).
pub const VERSION: u32 = 1;

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
}

/// Why a target stopped.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// `git am` stopped on a pull request's patch.
    Conflict,
    /// The current pull request is applied again from its patch on
    /// `--continue` (a hook refused it, or the run was interrupted mid-way).
    Retry,
    /// Everything applied; the `--exec` command failed: it runs again on
    /// `--continue`.
    Exec,
    /// Everything applied; the push (or a hook) failed.
    Push,
    /// Pushed; opening the pull request failed. `--continue` pushes again
    /// (the same commits) and opens it.
    Open,
}

/// How far one target got.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetState {
    pub remote: String,
    pub branch: String,
    /// The branch name pushed to the fork.
    pub remote_branch: String,
    /// The local branch checked out in the worktree.
    pub local_branch: String,
    pub worktree: PathBuf,
    pub phase: Phase,
    /// Pull requests applied, in order.
    pub applied: Vec<u64>,
    /// Pull requests already on the target.
    pub skipped: Vec<u64>,
    /// Pull requests the user skipped while resolving (`git am --skip` or
    /// `--abort` in the worktree): not on the target, and not picked.
    #[serde(default)]
    pub by_hand: Vec<u64>,
    /// The pull request `git am` stopped on, if any.
    pub current: Option<u64>,
    /// HEAD before the current pull request was applied: if HEAD has moved
    /// past it when the user is done, the pull request was applied.
    pub current_base: Option<String>,
    /// Pull requests still to apply after the current one.
    pub remaining: Vec<u64>,
    /// The `--exec` command has run and its changes are committed.
    #[serde(default)]
    pub exec_done: bool,
    /// Whether a pull request from the branch to be pushed was open before
    /// the run (`None`: not known): says whether the one GitHub reports as
    /// existing after a lost answer was opened by this run.
    #[serde(default)]
    pub open_before: Option<bool>,
}

impl TargetState {
    pub fn name(&self) -> String {
        format!("{}/{}", self.remote, self.branch)
    }
}

/// Everything `--continue` needs to finish the run without the original
/// command line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub version: u32,
    pub repo: String,
    pub upstream: String,
    pub fork: String,
    pub user: String,
    pub api_url: String,
    pub labels: Vec<String>,
    pub draft: bool,
    pub signoff: bool,
    /// The original run had `--yes`.
    pub yes: bool,
    /// The original run was a dry run.
    #[serde(default)]
    pub dry_run: bool,
    /// The command run after applying, and the shell that runs it.
    #[serde(default)]
    pub exec: Option<String>,
    #[serde(default)]
    pub shell: String,
    /// Follow-through on the new pull request.
    #[serde(default)]
    pub milestone: Option<String>,
    #[serde(default)]
    pub copy_labels: Vec<String>,
    #[serde(default)]
    pub assign_author: bool,
    #[serde(default)]
    pub comment_source: bool,
    /// The title and body templates, and the process-doc link.
    #[serde(default)]
    pub templates: Templates,
    /// Every requested pull request, in order.
    pub prs: Vec<Pr>,
    /// How the targets that are no longer in progress ended, one line each.
    #[serde(default)]
    pub done: Vec<String>,
    pub targets: Vec<TargetState>,
}

impl State {
    /// The upstream repository.
    pub fn repo(&self) -> crate::github::Repo {
        let (owner, name) = self.repo.split_once('/').unwrap_or((self.repo.as_str(), ""));
        crate::github::Repo {
            owner: owner.to_string(),
            name: name.to_string(),
        }
    }
}

/// What is on disk.
pub enum Loaded {
    None,
    Some(Box<State>),
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
    if version != Some(u64::from(VERSION)) {
        return Ok(Loaded::Unreadable(format!(
            "{} has format version {}, this tool reads version {VERSION}",
            file.display(),
            version.map_or("unknown".to_string(), |v| v.to_string())
        )));
    }
    match serde_json::from_str::<State>(&text) {
        Ok(state) => Ok(Loaded::Some(Box::new(state))),
        Err(e) => Ok(Loaded::Unreadable(format!("{} is not valid: {e}", file.display()))),
    }
}

/// Writes the state atomically: a temporary file in the same directory,
/// renamed over the old one, so a reader never sees half a file.
pub fn save(common_dir: &Path, state: &State) -> Result<()> {
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
            version: VERSION,
            repo: "o/n".into(),
            upstream: "upstream".into(),
            fork: "origin".into(),
            user: "alice".into(),
            api_url: "https://api.github.com".into(),
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
            templates: Templates::default(),
            prs: vec![Pr {
                author: "bob".into(),
                labels: vec!["kind/bug".into()],
                number: 1,
                title: "T".into(),
                body: "B".into(),
            }],
            done: vec!["upstream/release-1.0: opened https://x/pull/2".into()],
            targets: vec![TargetState {
                remote: "upstream".into(),
                branch: "release-1".into(),
                remote_branch: "automated-cherry-pick-of-#1-upstream-release-1".into(),
                local_branch: "automated-cherry-pick-of-#1-upstream-release-1".into(),
                worktree: "/tmp/x".into(),
                phase: Phase::Conflict,
                applied: vec![],
                skipped: vec![],
                by_hand: vec![],
                current: Some(1),
                current_base: Some("abc".into()),
                remaining: vec![],
                exec_done: false,
                open_before: Some(false),
            }],
        }
    }

    #[test]
    fn state_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::None));
        save(dir.path(), &sample()).unwrap();
        match load(dir.path()).unwrap() {
            Loaded::Some(state) => assert_eq!(*state, sample()),
            _ => panic!("state not loaded"),
        }
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(
            text.contains("\"version\": 1") && text.contains("\"phase\": \"conflict\""),
            "{text}"
        );
        // No temporary files are left next to it.
        let entries: Vec<_> = std::fs::read_dir(dir.path().join("cherry-pick-pr")).unwrap().collect();
        assert_eq!(entries.len(), 1);
        remove(dir.path()).unwrap();
        remove(dir.path()).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::None));
    }

    #[test]
    fn targets_are_named_remote_slash_branch() {
        assert_eq!(sample().targets[0].name(), "upstream/release-1");
        assert_eq!(
            sample().repo(),
            crate::github::Repo {
                owner: "o".into(),
                name: "n".into()
            }
        );
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
        std::fs::write(path(dir.path()), r#"{"version": 2}"#).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("version 2")));
        std::fs::write(path(dir.path()), "{not json").unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("unknown")));
        std::fs::write(path(dir.path()), r#"{"version": 1}"#).unwrap();
        assert!(matches!(load(dir.path()).unwrap(), Loaded::Unreadable(m) if m.contains("not valid")));
    }
}
