//! The whole run: settings in, a report out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result.

use std::io::IsTerminal;

use anyhow::Result;

use crate::apply::{self, Applied};
use crate::errors::failed;
use crate::gather;
use crate::git::Git;
use crate::github::GitHub;
use crate::output::Output;
use crate::publish;
use crate::settings::{Env, Settings};
use crate::token;

/// How one target ended.
pub enum Outcome {
    /// A pull request was opened, or one already open was updated.
    Published { url: String },
    /// Dry run: the picked commits are on a local branch.
    DryRun { branch: String },
    /// Every pull request was already on the target: nothing to do.
    AlreadyPresent,
}

/// Runs a backport.
pub fn run(settings: &Settings, env: &Env, git: Git<'_>, out: &Output) -> Result<Vec<Outcome>> {
    for line in &settings.provenance {
        out.debug(|| format!("setting: {line}"));
    }
    let interactive = std::io::stdin().is_terminal();
    if !settings.dry_run && !settings.yes && !interactive {
        return Err(
            failed("refusing to push without confirmation: standard input is not a terminal")
                .hint("pass --yes to push and open the pull request without asking, or --dry-run to only apply")
                .into(),
        );
    }
    let found = token::find(
        env,
        out,
        &token::Lookup {
            git: &git,
            dir: &settings.toplevel,
            web_host: &settings.web_host,
            interactive,
        },
    )?;
    let github = GitHub::new(
        &settings.api_url,
        &settings.web_host,
        found.token.clone(),
        found.source.name(),
        settings.policy,
        out,
    )?;
    let gathered = gather::gather(settings, &git, &github, out);
    token::settle(
        &found,
        &git,
        &settings.toplevel,
        out,
        github.token_accepted(),
        github.token_refused(),
    );
    let gathered = gathered?;

    let mut outcomes = Vec::new();
    for target in &settings.targets {
        let applied = apply::apply(settings, git, out, target, &gathered)?;
        outcomes.push(finish(settings, &git, &github, out, applied, &gathered, interactive)?);
    }
    Ok(outcomes)
}

fn finish(
    settings: &Settings,
    git: &Git<'_>,
    github: &GitHub<'_>,
    out: &Output,
    mut applied: Applied<'_>,
    gathered: &gather::Gathered,
    interactive: bool,
) -> Result<Outcome> {
    let target = &applied.target;
    if applied.picked.is_empty() {
        out.note(&format!("Every pull request is already on {target}: nothing to push"));
        return Ok(Outcome::AlreadyPresent);
    }
    if settings.dry_run {
        applied.worktree.keep_branch();
        let branch = applied.worktree.branch.clone();
        out.note(&format!(
            "Dry run: {} commit(s) on the local branch {branch}; nothing was pushed",
            applied.commits
        ));
        out.hint(&format!("look at it:  git log --stat {}..'{branch}'", target));
        out.hint(&format!("delete it:   git branch -D '{branch}'"));
        return Ok(Outcome::DryRun { branch });
    }
    if !settings.yes && interactive {
        let question = format!(
            "Push {} commit(s) to `{}` as {} and open a pull request against {} {}?",
            applied.commits, settings.fork, applied.remote_branch, settings.repo, target.branch
        );
        let yes = out
            .confirm(&question)
            .map_err(|e| failed(format!("could not read the answer: {e}")))?;
        if !yes {
            return Err(failed("not pushed: the push was declined")
                .hint("nothing was pushed and nothing was left behind")
                .into());
        }
    }
    let published = publish::publish(settings, git, github, out, &applied, gathered)?;
    out.step(&format!(
        "{} PR #{}",
        if published.existed { "Updated" } else { "Opened" },
        published.number
    ));
    Ok(Outcome::Published { url: published.url })
}
