//! `Options`: the settings a run carries to its end, resolved once by
//! `settings::resolve` and embedded whole in the saved plan, so that
//! `--continue` goes on as the run began without the command line.

use serde::{Deserialize, Serialize};

use crate::github::Repo;
use crate::text::Templates;

/// How a run backports, decided before anything changes and saved with its
/// plan. Each field is set in one place: `settings::resolve`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Options {
    pub repo: Repo,
    pub upstream: String,
    pub fork: String,
    pub api_url: String,
    /// The web host the repository is on (`github.com`, a GitHub Enterprise
    /// host): whose token to ask `gh` and git's credential helpers for.
    pub web_host: String,
    pub labels: Vec<String>,
    pub draft: bool,
    pub signoff: bool,
    /// Push without asking (`--yes`, or given to a `--continue`).
    pub yes: bool,
    /// A dry run: apply, push nothing.
    pub dry_run: bool,
    /// The command run in the worktree after applying, and the shell that
    /// runs it (`$SHELL`, else `/bin/sh`).
    pub exec: Option<String>,
    pub shell: String,
    /// Follow-through on the new pull request: `auto` or a milestone's title.
    pub milestone: Option<String>,
    /// Globs of source labels to copy.
    pub copy_labels: Vec<String>,
    pub assign_author: bool,
    pub comment_source: bool,
    /// The title and body templates, and the process-doc link.
    pub templates: Templates,
    /// The push adds `-c push.negotiate=true` (the user's git config does
    /// not set it).
    #[serde(default = "negotiate_by_default")]
    pub negotiate_push: bool,
    /// Added when a pull request did not apply as it is.
    #[serde(default)]
    pub conflict_label: Option<String>,
    /// Open the title and body in the editor before pushing (`--edit`, or
    /// given to a `--continue`).
    #[serde(default)]
    pub edit: bool,
    /// The pick is a critical fix: no justification headings.
    #[serde(default)]
    pub critical: bool,
    /// The justification given with `--why` or `--why-file`.
    #[serde(default)]
    pub why: Option<String>,
    /// Reviewers to request.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Push over commits on the fork branch that are not the tool's
    /// (`--force`, given to the run or to a `--continue`).
    #[serde(default)]
    pub force: bool,
    /// Also request review from those who approved the source pull requests.
    #[serde(default)]
    pub reviewers_from_source: bool,
    /// A job that stops leaves nothing behind: no worktree, no branch, no
    /// saved state, no branch pushed for a pull request that was not opened
    /// (`--from-event`: there is nobody to `--continue`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leave_nothing: bool,
    /// What is picked of each pull request (`--pick`).
    #[serde(default)]
    pub pick: Pick,
    /// Each picked commit's message names the commit it came from on the
    /// branch the pull request was merged into (`-x`).
    #[serde(default)]
    pub record_origin: bool,
    /// The earlier pull requests each one needs are picked first
    /// (`--with-prerequisites`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_prerequisites: bool,
    /// Turn on GitHub's auto-merge for the pull request, with this method
    /// (`--auto-merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_merge: Option<MergeMethod>,
}

/// How GitHub merges a pull request by itself (`--auto-merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum MergeMethod {
    /// A merge commit.
    Merge,
    /// One commit with the whole change.
    Squash,
    /// The commits replayed onto the base.
    Rebase,
}

impl MergeMethod {
    /// The value as typed: `merge`, `squash`, `rebase`.
    pub fn name(self) -> &'static str {
        match self {
            MergeMethod::Merge => "merge",
            MergeMethod::Squash => "squash",
            MergeMethod::Rebase => "rebase",
        }
    }

    /// GraphQL's `PullRequestMergeMethod`: `MERGE`, `SQUASH`, `REBASE`.
    pub fn graphql(self) -> &'static str {
        match self {
            MergeMethod::Merge => "MERGE",
            MergeMethod::Squash => "SQUASH",
            MergeMethod::Rebase => "REBASE",
        }
    }

    /// A git config value: a method, or a boolean (`true` is `merge`;
    /// `false` is none). `Err` for anything else.
    pub fn parse_setting(text: &str) -> Result<Option<MergeMethod>, ()> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "merge" | "true" | "yes" | "on" | "1" | "" => Ok(Some(MergeMethod::Merge)),
            "squash" => Ok(Some(MergeMethod::Squash)),
            "rebase" => Ok(Some(MergeMethod::Rebase)),
            "false" | "no" | "off" | "0" => Ok(None),
            _ => Err(()),
        }
    }
}

/// What is picked of each pull request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Pick {
    /// Its own commits, through its patch.
    #[default]
    Commits,
    /// What landed on the branch it was merged into: the squash commit, or
    /// the rebased commits (a merge commit's pull request: its own).
    Landed,
    /// What landed for a squash-merged pull request, else its own commits.
    Auto,
}

impl Pick {
    /// The value as typed: `commits`, `landed`, `auto`.
    pub fn name(self) -> &'static str {
        match self {
            Pick::Commits => "commits",
            Pick::Landed => "landed",
            Pick::Auto => "auto",
        }
    }

    /// Reads a value as typed.
    pub fn parse(text: &str) -> Option<Pick> {
        [Pick::Commits, Pick::Landed, Pick::Auto]
            .into_iter()
            .find(|p| p.name() == text.trim())
    }
}

fn negotiate_by_default() -> bool {
    true
}
