//! How a job ended, as data and in words: the one author of every outcome's
//! label, for the line `--status` shows, the summary of several targets and
//! `--json` alike. Saved as it is in the state file (not as text), and put
//! into words when shown. Pure, and tested byte for byte.

use serde::{Deserialize, Serialize};

/// How a job ended, without the error itself: what is saved and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Ended {
    /// A pull request was opened.
    Opened { url: String },
    /// A pull request from the branch was open already, and is updated.
    Updated { url: String },
    /// Dry run: the picked commits are on a local branch.
    DryRun { branch: String },
    /// Every pull request was already on the target: nothing to do.
    AlreadyApplied,
    /// Nothing is left to push: the user skipped the rest by hand.
    SkippedByHand,
    /// Stopped (or failed) on conflicts; `error`: the first line of why.
    Conflict { error: String },
    /// Stopped or failed otherwise; `error`: the first line of why.
    Failed { error: String },
}

/// Where an outcome is put into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// The line `--status` shows for a job that ended: `opened https://…`.
    Line,
    /// The result column of the summary of several targets: `already existed`.
    Summary,
    /// The `outcome` field of `--json`: `already-applied`.
    Json,
}

impl Ended {
    /// The outcome's label where it is shown.
    pub fn label(&self, wording: Wording) -> &'static str {
        use Wording::{Json, Line, Summary};
        match (self, wording) {
            (Ended::Opened { .. }, _) => "opened",
            (Ended::Updated { .. }, Summary) => "already existed",
            (Ended::Updated { .. }, Line | Json) => "updated",
            (Ended::DryRun { .. }, Json) => "dry-run",
            (Ended::DryRun { .. }, Line | Summary) => "dry run",
            (Ended::AlreadyApplied, Json) => "already-applied",
            (Ended::AlreadyApplied, Line | Summary) => "already applied",
            (Ended::SkippedByHand, Json) => "skipped-by-hand",
            (Ended::SkippedByHand, Line | Summary) => "skipped by hand",
            (Ended::Conflict { .. }, Summary | Json) => "conflict",
            // The line has one word for every error.
            (Ended::Conflict { .. }, Line) | (Ended::Failed { .. }, _) => "failed",
        }
    }

    /// What follows the label where it is shown (nothing for `--json`,
    /// whose fields carry it).
    pub fn detail(&self, wording: Wording) -> String {
        match (self, wording) {
            (_, Wording::Json) => String::new(),
            (Ended::Opened { url } | Ended::Updated { url }, _) => url.clone(),
            (Ended::DryRun { branch }, Wording::Line) => format!("on local branch {branch}"),
            (Ended::DryRun { branch }, Wording::Summary) => format!("local branch {branch}"),
            (Ended::AlreadyApplied | Ended::SkippedByHand, Wording::Line) => "nothing pushed".to_string(),
            (Ended::AlreadyApplied | Ended::SkippedByHand, Wording::Summary) => "nothing to push".to_string(),
            (Ended::Conflict { error } | Ended::Failed { error }, _) => error.clone(),
        }
    }

    /// The outcome in words: `opened https://…`, `dry run, on local branch
    /// b`, `failed: why` on a line; `label            detail` in the summary.
    pub fn words(&self, wording: Wording) -> String {
        let (label, detail) = (self.label(wording), self.detail(wording));
        match (self, wording) {
            (_, Wording::Json) => label.to_string(),
            (_, Wording::Summary) => format!("{label:<16} {detail}"),
            (Ended::Opened { .. } | Ended::Updated { .. }, Wording::Line) => format!("{label} {detail}"),
            (Ended::DryRun { .. } | Ended::AlreadyApplied | Ended::SkippedByHand, Wording::Line) => {
                format!("{label}, {detail}")
            }
            (Ended::Conflict { .. } | Ended::Failed { .. }, Wording::Line) => format!("{label}: {detail}"),
        }
    }
}

/// A job no longer in progress, and how it ended: shown by `--status` while
/// others are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    /// The job's target, `upstream/release-3.1`.
    pub target: String,
    /// The source pull requests it picks.
    #[serde(default)]
    pub prs: Vec<u64>,
    #[serde(flatten)]
    pub ended: Ended,
}

impl std::fmt::Display for Done {
    /// `upstream/release-3.1 (#3796): opened https://…`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prs.is_empty() {
            return write!(f, "{}: {}", self.target, self.ended.words(Wording::Line));
        }
        write!(
            f,
            "{} ({}): {}",
            self.target,
            crate::text::PrList(&self.prs),
            self.ended.words(Wording::Line)
        )
    }
}

/// A saved job that ended: typed, or as an earlier version saved it, the
/// line itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Saved {
    Done(Done),
    Line(String),
}

impl std::fmt::Display for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Saved::Done(done) => done.fmt(f),
            Saved::Line(line) => f.write_str(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Ended> {
        vec![
            Ended::Opened {
                url: "https://x/pull/2".into(),
            },
            Ended::Updated {
                url: "https://x/pull/2".into(),
            },
            Ended::DryRun { branch: "b".into() },
            Ended::AlreadyApplied,
            Ended::SkippedByHand,
            Ended::Conflict {
                error: "PR #1 does not apply".into(),
            },
            Ended::Failed { error: "no".into() },
        ]
    }

    #[test]
    fn each_outcome_has_its_words_in_each_place() {
        let words = |w| all().iter().map(|e| e.words(w)).collect::<Vec<_>>();
        assert_eq!(
            words(Wording::Line),
            [
                "opened https://x/pull/2",
                "updated https://x/pull/2",
                "dry run, on local branch b",
                "already applied, nothing pushed",
                "skipped by hand, nothing pushed",
                "failed: PR #1 does not apply",
                "failed: no",
            ]
        );
        assert_eq!(
            words(Wording::Summary),
            [
                "opened           https://x/pull/2",
                "already existed  https://x/pull/2",
                "dry run          local branch b",
                "already applied  nothing to push",
                "skipped by hand  nothing to push",
                "conflict         PR #1 does not apply",
                "failed           no",
            ]
        );
        assert_eq!(
            words(Wording::Json),
            [
                "opened",
                "updated",
                "dry-run",
                "already-applied",
                "skipped-by-hand",
                "conflict",
                "failed"
            ]
        );
    }

    #[test]
    fn a_done_job_is_saved_as_data_and_an_old_line_still_reads() {
        let done = Saved::Done(Done {
            target: "upstream/release-1.0".into(),
            prs: vec![3796, 3797],
            ended: Ended::Opened {
                url: "https://x/pull/2".into(),
            },
        });
        let text = serde_json::to_string(&done).unwrap();
        assert_eq!(
            text,
            r#"{"target":"upstream/release-1.0","prs":[3796,3797],"outcome":"opened","url":"https://x/pull/2"}"#
        );
        assert_eq!(serde_json::from_str::<Saved>(&text).unwrap(), done);
        assert_eq!(
            done.to_string(),
            "upstream/release-1.0 (#3796 #3797): opened https://x/pull/2"
        );
        // As an earlier version saved it, without the pull requests.
        let earlier: Saved =
            serde_json::from_str(r#"{"target":"upstream/release-1.0","outcome":"opened","url":"https://x/pull/2"}"#)
                .unwrap();
        assert_eq!(earlier.to_string(), "upstream/release-1.0: opened https://x/pull/2");
        let old: Saved = serde_json::from_str(r#""upstream/release-1.0: opened https://x/pull/2""#).unwrap();
        assert_eq!(old, Saved::Line("upstream/release-1.0: opened https://x/pull/2".into()));
        assert_eq!(old.to_string(), earlier.to_string());
    }
}
