//! Publishing: force-push the picked branch to the fork, open the pull request
//! (or find the one already open), and label it.

use anyhow::Result;

use crate::apply::Applied;
use crate::errors::{Context, failed};
use crate::gather::Gathered;
use crate::git::Git;
use crate::github::{ApiError, GitHub, NewPull, PullRequest};
use crate::output::Output;
use crate::settings::Settings;
use crate::text;

/// The pull request the run ended with.
pub struct Published {
    pub url: String,
    pub number: u64,
    /// True when GitHub already had it open.
    pub existed: bool,
}

/// Pushes, opens (or finds) the pull request and labels it.
pub fn publish(
    settings: &Settings,
    git: &Git<'_>,
    github: &GitHub<'_>,
    out: &Output,
    applied: &Applied<'_>,
    gathered: &Gathered,
) -> Result<Published> {
    let target = &applied.target;
    let branch = &applied.remote_branch;
    out.waiting(&format!("Pushing {branch} to {}", settings.fork), || {
        let refspec = format!("refs/heads/{}:refs/heads/{branch}", applied.worktree.branch);
        git.run(
            &applied.worktree.path,
            &["push", "--force", "--quiet", &settings.fork, &refspec],
        )
    })
    .failure(|| {
        failed(format!("pushing {branch} to the `{}` remote", settings.fork))
            .hint("git's output above says why; fix it and run the same command again")
    })?;

    let sources: Vec<text::Source<'_>> = gathered
        .pulls
        .iter()
        .filter(|p| applied.picked.contains(&p.number))
        .map(|p| text::Source {
            number: p.number,
            title: &p.title,
            body: p.body.as_deref().unwrap_or(""),
        })
        .collect();
    let title = text::title(&sources);
    let body = text::body(&sources, &applied.skipped, &target.branch);
    let head = format!("{}:{branch}", gathered.user);
    let new = NewPull {
        title: &title,
        head: &head,
        base: &target.branch,
        body: &body,
        maintainer_can_modify: true,
        draft: settings.draft,
    };

    let created = out.waiting(
        &format!("Opening a pull request against {} {}", settings.repo, target.branch),
        || github.create_pull(&settings.repo, &new),
    );
    let (pull, existed) = match created {
        Ok(pull) => (pull, false),
        Err(error) if error.status() == Some(422) => {
            let found = github
                .find_open_pull(&settings.repo, &gathered.user, branch)
                .map_err(|e| github.explain(e))?;
            match found {
                Some(pull) => {
                    out.note(&format!(
                        "A pull request from {head} is already open: #{}; the branch was updated",
                        pull.number
                    ));
                    (pull, true)
                }
                None => return Err(github.explain(error)),
            }
        }
        Err(error) => return Err(github.explain(error)),
    };
    label(settings, github, out, &pull);
    Ok(Published {
        url: pull.html_url,
        number: pull.number,
        existed,
    })
}

/// Adds the labels; lacking the right to label is a warning, not a failure.
fn label(settings: &Settings, github: &GitHub<'_>, out: &Output, pull: &PullRequest) {
    let missing: Vec<String> = settings
        .labels
        .iter()
        .filter(|l| !pull.labels.iter().any(|have| &have.name == *l))
        .cloned()
        .collect();
    if missing.is_empty() {
        return;
    }
    match github.add_labels(&settings.repo, pull.number, &missing) {
        Ok(now) => {
            let absent: Vec<&String> = missing.iter().filter(|l| !now.contains(l)).collect();
            if !absent.is_empty() {
                out.warn(&format!(
                    "PR #{} does not have the label(s) {} after labelling; ask a maintainer to add them",
                    pull.number,
                    absent.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        Err(error) => {
            let why = match &error {
                ApiError::RateLimited { .. } => "GitHub's rate limit was reached; add them later".to_string(),
                e if matches!(e.status(), Some(403 | 404)) => "the token may not have the right to label pull requests in this repository (it needs Issues or Pull requests: write, or triage permission)".to_string(),
                _ => "the request failed".to_string(),
            };
            out.warn(&format!(
                "could not label PR #{} with {}: {why}\n  {error}",
                pull.number,
                missing.join(", ")
            ));
        }
    }
}
