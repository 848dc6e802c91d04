//! Publishing: push the picked branch to the fork (leasing on the tip that
//! `overwrite` checked), open the pull request (or find the one already
//! open), and label it.

use std::path::Path;

use anyhow::Result;

use crate::errors::failed;
use crate::git::Git;
use crate::github::{ApiError, GitHub, NewPull};
use crate::output::Output;
use crate::plan::next::CONTINUE;
use crate::plan::state::{JobState, Plan, PrText};
use crate::stages::follow;
use crate::stages::overwrite::Lease;
use crate::text;

/// The pull request the run ended with.
pub struct Published {
    pub url: String,
    pub number: u64,
    /// True when GitHub already had it open.
    pub existed: bool,
}

/// What the run knows of the fork, for the push: the commit the pick was
/// made on, and the fork's branches (`None`: not known).
#[derive(Clone, Copy)]
pub struct Fork<'a> {
    pub base: Option<&'a str>,
    pub heads: Option<&'a crate::stages::fork::Heads>,
}

/// Pushes the local branch in `worktree` to the fork over whatever `lease`
/// expects there (a branch that moved since it was checked is left alone).
/// git's own words (a `pre-push` hook's output, a rejected push) are in the
/// error.
///
/// A fork on GitHub shares its objects with the upstream but advertises only
/// its own, perhaps months-old, branches, and a plain push would send all of
/// the target's history since. So, unless the user's git config sets
/// `push.negotiate` (then git does as it says), the push negotiates — git
/// asks the fork which of the pick's ancestors it has, on one more
/// connection (its own `git fetch --negotiate-only`), with one request —
/// except when the fork's branches, as the run listed them alongside the
/// upstream fetch (`fork::heads`), already reach the commit the pick was made
/// on: a plain push then sends only the picked commits, and the question
/// would cost a connection for nothing. A server that cannot negotiate gets
/// the push git would have made anyway. `--debug` says which and why.
pub fn push(
    job: &Plan,
    git: &Git<'_>,
    out: &Output,
    target: &JobState,
    worktree: &Path,
    fork: Fork<'_>,
    lease: &Lease,
) -> Result<()> {
    let branch = &target.remote_branch;
    let refspec = format!("refs/heads/{}:refs/heads/{branch}", target.local_branch);
    let negotiate = if job.negotiate_push {
        let decided = crate::stages::fork::negotiation(git, worktree, fork.base, fork.heads);
        crate::stages::fork::explain(out, &decided);
        decided.negotiate
    } else {
        out.debug(|| "git config sets push.negotiate: the push does as it says".to_string());
        false
    };
    let negotiate: &[&str] = if negotiate { &["-c", "push.negotiate=true"] } else { &[] };
    let lease_arg = lease.arg(branch);
    let args = [
        negotiate,
        &["push", "--porcelain", "--quiet", &lease_arg, &job.fork, &refspec],
    ]
    .concat();
    let mut stale = false;
    out.waiting(&format!("Pushing {branch} to {}", job.fork), || {
        // A negotiating push may say, in git's words, that negotiation
        // failed (read below): then git speaks English, the pre-push hook
        // it runs included. A plain push speaks the user's language.
        let mut pushed = if negotiate.is_empty() {
            git.capture(worktree, &args, None)?
        } else {
            git.capture_parsed(worktree, &args, None)?
        };
        if let Some((negotiation, rest)) = without_failed_negotiation(&pushed.stderr) {
            out.debug(|| format!("the fork could not negotiate; git pushed without it:\n{negotiation}"));
            pushed.stderr = rest;
        }
        stale = !pushed.success && lease_refused(&pushed.stdout);
        // What git says of each ref it did not update is on stdout.
        for line in pushed.stdout.lines().filter(|l| l.starts_with("!\t")) {
            pushed.stderr.push_str(line);
            pushed.stderr.push('\n');
        }
        pushed.checked()
    })
    .map(|_| ())
    .map_err(|e| {
        // What to do next is the caller's to say, once.
        let mut message = format!("pushing {branch} to the `{}` remote failed", job.fork);
        if stale {
            let was = match lease {
                Lease::Absent => "did not exist".to_string(),
                Lease::At(tip) => format!("was at {tip}"),
            };
            message.push_str(&format!(
                ": the branch changed there after it was checked (it {was}), and nothing of it was replaced"
            ));
        }
        failed(message).because(e).into()
    })
}

/// Whether `git push --porcelain`'s report says a ref was rejected because
/// its lease failed (`!<TAB>from:to<TAB>[rejected] (stale info)`).
fn lease_refused(porcelain: &str) -> bool {
    porcelain
        .lines()
        .filter_map(|line| line.strip_prefix("!\t"))
        .any(|line| line.ends_with("\t[rejected] (stale info)"))
}

/// When git says push negotiation failed (a server without protocol v2, or
/// without its `wait-for-done`): what it printed up to then (its `git fetch
/// --negotiate-only`'s complaints, which come just before; the pushing comes
/// after), and the rest of `stderr`, so a push that fails for another reason
/// shows only that reason.
fn without_failed_negotiation(stderr: &str) -> Option<(String, String)> {
    let end = stderr.find("push negotiation failed")?;
    let end = stderr[end..].find('\n').map_or(stderr.len(), |n| end + n + 1);
    Some((stderr[..end].to_string(), stderr[end..].to_string()))
}

/// The new pull request's title and body: as the user edited them, else
/// made from the templates, with the justification and the conflict
/// disclosure. `editing`: the text is for the editor, with the process's
/// questions (and, unless the pick is marked critical, the justification
/// headings) where no justification was given.
pub fn pr_text(job: &Plan, target: &JobState, editing: bool) -> PrText {
    pr_text_fitted(job, target, editing).0
}

/// `pr_text`, and what was cut from the body to fit GitHub's limit.
fn pr_text_fitted(job: &Plan, target: &JobState, editing: bool) -> (PrText, text::Fitted) {
    if let Some(text) = &target.text {
        return (text.clone(), text::Fitted::default());
    }
    let sources: Vec<text::Source<'_>> = job
        .prs
        .iter()
        .filter(|p| target.applied.contains(&p.number))
        .map(|p| text::Source {
            number: p.number,
            title: &p.title,
            body: &p.body,
            picked_as: crate::stages::landed::picked_words(p),
            needed_by: p.needed_by,
        })
        .collect();
    let title = text::title(&job.templates, &sources, &target.branch);
    let left_out = text::LeftOut {
        skipped: &target.skipped,
        by_hand: &target.by_hand,
    };
    let justification = match &job.why {
        Some(why) => format!("{why}\n\n"),
        None if editing => crate::stages::edit::justification_template(job.critical, &target.branch),
        None => String::new(),
    };
    let conflicts = crate::stages::disclose::section(&target.changed, &job.prs, &target.branch);
    let sections = text::Sections {
        justification: &justification,
        conflicts: &conflicts,
    };
    let (body, fitted) = text::body_fitted(&job.templates, &sources, left_out, sections, &target.branch);
    (PrText { title, body }, fitted)
}

/// Says on stderr what was cut from a body to fit GitHub's limit.
fn warn_fitted(out: &Output, fitted: text::Fitted, name: &str) {
    let limit = text::BODY_LIMIT;
    if fitted.justification {
        out.warn(&format!(
            "the body for {name} is longer than GitHub takes ({limit} characters): the justification was cut to fit, and the body says so; the rest of it is only in what was given to --why or --why-file"
        ));
    }
    if fitted.sources {
        out.warn(&format!(
            "the body for {name} is longer than GitHub takes ({limit} characters): the release notes or the list of pull requests were shortened, and the body says the source pull requests have the full text"
        ));
    }
}

/// Opens (or finds) the pull request, then labels it and does the rest of
/// the follow-through, running `alongside` meanwhile (once the pull request
/// exists, the local work can be cleaned up).
pub fn open(
    job: &Plan,
    github: &GitHub<'_>,
    out: &Output,
    target: &JobState,
    alongside: impl FnOnce() + Send,
) -> Result<Published> {
    let repo = job.repo.clone();
    let branch = &target.remote_branch;
    let (PrText { title, body }, fitted) = pr_text_fitted(job, target, false);
    warn_fitted(out, fitted, &target.name());
    let head = format!("{}:{branch}", job.user);
    let new = NewPull {
        title: &title,
        head: &head,
        base: &target.branch,
        body: &body,
        maintainer_can_modify: true,
        draft: job.draft,
    };

    let created = out.waiting(
        &format!("Opening a pull request against {repo} {}", target.branch),
        || github.create_pull(&repo, &new),
    );
    let (pull, existed) = match created {
        Ok(pull) => (pull, false),
        // 422: it exists (perhaps made by a try whose answer was lost); an
        // answer that cannot be read may still mean it was made.
        Err(error) if error.status() == Some(422) || matches!(error, ApiError::Unreadable { .. }) => {
            let found = github
                .find_open_pull(&repo, &job.user, branch)
                .map_err(|e| github.explain_saved(e, CONTINUE))?;
            match found {
                // None was open before this run: an earlier try of this
                // request opened it, and its answer was lost.
                Some(pull) if target.open_before == Some(false) => {
                    out.note(&format!(
                        "GitHub had opened #{} on an earlier try whose answer was lost",
                        pull.number
                    ));
                    (pull, false)
                }
                Some(pull) => {
                    out.note(&format!(
                        "A pull request from {head} is already open: #{}; its branch was updated",
                        pull.number
                    ));
                    (pull, true)
                }
                None => return Err(github.explain_saved(error, CONTINUE)),
            }
        }
        Err(error) => return Err(github.explain_saved(error, CONTINUE)),
    };
    std::thread::scope(|scope| {
        scope.spawn(alongside);
        follow::follow_through(job, &repo, github, out, target, &pull, existed);
    });
    Ok(Published {
        url: pull.html_url,
        number: pull.number,
        existed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_negotiation_is_left_out_of_what_the_push_said() {
        let stderr = "warning: --negotiate-only requires protocol v2\n\
                      fatal: the remote end hung up unexpectedly\n\
                      warning: push negotiation failed; proceeding anyway with push\n\
                      remote: rejected by a hook\n\
                      error: failed to push some refs to '/srv/fork.git'\n";
        let (negotiation, rest) = without_failed_negotiation(stderr).unwrap();
        assert_eq!(negotiation.lines().count(), 3);
        assert_eq!(
            rest,
            "remote: rejected by a hook\nerror: failed to push some refs to '/srv/fork.git'\n"
        );
        assert!(without_failed_negotiation("remote: rejected by a hook\n").is_none());
    }

    #[test]
    fn a_failed_lease_is_read_from_the_porcelain_report() {
        let stale = "To /srv/fork.git\n!\trefs/heads/a:refs/heads/b\t[rejected] (stale info)\nDone\n";
        assert!(lease_refused(stale));
        let hook =
            "To /srv/fork.git\n!\trefs/heads/a:refs/heads/b\t[remote rejected] (pre-receive hook declined)\nDone\n";
        assert!(!lease_refused(hook));
        assert!(!lease_refused(
            "To /srv/fork.git\n+\trefs/heads/a:refs/heads/b\tabc...def (forced update)\nDone\n"
        ));
    }
}
