//! The tool's comment on a source pull request, which `--from-event` leaves
//! (`event`), and what becomes of it once a cherry pick it opened is merged
//! or closed: the row of its branch says so ("#4001 merged", "#4001 closed
//! without merging"), and a merge adds the project's `doneLabel` to each
//! source. A pull request counts as the
//! tool's cherry pick only when its branch is in the repository itself,
//! named as the tool names them, and its commits carry each source's change
//! (or a maintainer opened it): never by its title.

use anyhow::Result;

use crate::cli::args::Target;
use crate::cli::session::Session;
use crate::cli::settings::Settings;
use crate::errors::failed;
use crate::github::{GitHub, Repo};
use crate::stages::candidates;

/// Opens the comment the tool leaves on a source pull request.
pub const MARKER: &str = "<!-- git-cherry-pick-pr -->";
/// The most comments read to find the tool's own.
pub const COMMENTS: usize = 1000;

/// A pull request from a branch of the repository itself, named as the
/// tool names its cherry picks, that was merged or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub pr: u64,
    pub merged: bool,
    /// Its branch, and the branch it was against.
    pub head: String,
    pub base: String,
}

/// Says on each source pull request what became of cherry pick `closed`.
pub fn settle(session: &Session<'_>, settings: &Settings, github: &GitHub<'_>, closed: &Closed) -> Result<()> {
    let Session { git, out, located, .. } = *session;
    let Closed { pr, merged, head, base } = closed;
    let options = &settings.options;
    let repo = &options.repo;
    let Some(sources) = crate::text::branch_sources(head, &options.upstream, base) else {
        out.note(&format!(
            "Nothing to do: the branch of PR #{pr} is not one this workflow names for a cherry pick onto {base}."
        ));
        return Ok(());
    };
    let explain = |what: String| move |e| failed(what).because(github.explain(e));
    let pull = github.pull(repo, *pr).map_err(explain(format!(
        "reading PR #{pr}, whose branch names it a cherry pick"
    )))?;
    let target = Target {
        remote: options.upstream.clone(),
        branch: base.clone(),
    };
    let status = closed_status(*merged);
    for source_number in sources {
        let source = github
            .pull(repo, source_number)
            .map_err(explain(format!("reading PR #{source_number}, which #{pr} picks")))?;
        if !candidates::carries(&source, &pull, &target, &git, &located.toplevel)? {
            out.note(&format!(
                "PR #{pr} is named as a cherry pick of #{source_number}, but its commits do not carry its change: nothing said on #{source_number}"
            ));
            continue;
        }
        let updated = update_comments(github, repo, source_number, &pull, base, status)?;
        if updated == 0 {
            out.note(&format!(
                "Nothing to update on PR #{source_number}: no comment of this workflow's lists #{pr} onto {base}, or it says {status} already"
            ));
        } else {
            out.step(&format!("PR #{source_number}: #{pr} {status}, as its comment now says"));
        }
        if *merged && let Some(template) = &settings.done_label {
            let label = crate::text::candidate_label(template, base);
            match github.add_labels(repo, source_number, std::slice::from_ref(&label)) {
                Ok(_) => out.step(&format!("Labelled PR #{source_number} `{label}`")),
                Err(error) => out.warn(&format!("could not label PR #{source_number} `{label}`: {error}")),
            }
        }
    }
    Ok(())
}

/// Updates the tool's comments on `source` whose row for `base` names
/// `pull`: comments that open with the tool's marker and were written by
/// whoever opened `pull` (the workflow's token does both; anyone else's
/// comment is left alone). Returns how many were updated.
fn update_comments(
    github: &GitHub<'_>,
    repo: &Repo,
    source: u64,
    pull: &crate::github::PullRequest,
    base: &str,
    status: &str,
) -> Result<usize> {
    let opener = pull.user.as_ref().map(|u| u.login.as_str());
    let not_updated = |e| {
        failed(format!(
            "the comment on PR #{source} does not say that #{} is {status}",
            pull.number
        ))
        .hint("re-running the job updates it")
        .because(github.explain(e))
    };
    let comments = github.comments(repo, source, COMMENTS).map_err(not_updated)?;
    let mut updated = 0;
    for comment in comments {
        let by_opener = opener.is_some() && comment.user.as_ref().map(|u| u.login.as_str()) == opener;
        let body = comment.body.as_deref().unwrap_or_default();
        if !by_opener || !body.starts_with(MARKER) {
            continue;
        }
        if let Some(new) = with_status(body, base, pull.number, status) {
            github.update_comment(repo, comment.id, &new).map_err(not_updated)?;
            updated += 1;
        }
    }
    Ok(updated)
}

/// What becomes of a cherry pick, as its row says once it is merged or closed.
pub fn closed_status(merged: bool) -> &'static str {
    if merged { "merged" } else { "closed without merging" }
}

/// `comment` (the tool's comment on a source pull request, whose rows
/// `event` writes as ``| `release-3.1` | #4001 |``) with the row of `branch`
/// that names cherry pick #`number` saying `status` ("#4001 merged");
/// `None` when it has no such row, or the row says so already.
pub fn with_status(comment: &str, branch: &str, number: u64, status: &str) -> Option<String> {
    let row = format!("| `{branch}` | #{number}");
    let new = format!("{row} {status} |");
    let known = [" |", " merged |", " closed without merging |"];
    let mut changed = false;
    let lines: Vec<String> = comment
        .split('\n')
        .map(|line| match line.strip_prefix(&row) {
            Some(rest) if known.contains(&rest) && line != new => {
                changed = true;
                new.clone()
            }
            _ => line.to_string(),
        })
        .collect();
    changed.then(|| lines.join("\n"))
}
