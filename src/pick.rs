//! The whole run: settings in, outcomes out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result, stopping for the user on conflicts with the state saved.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;

use crate::apply::{self, Applied, StopKind, Worktree};
use crate::errors::{Failure, Kind, failed};
use crate::gather;
use crate::git::Git;
use crate::github::GitHub;
use crate::output::Output;
use crate::publish;
use crate::settings::{Env, Settings};
use crate::signals;
use crate::state::{self, Phase, State, TargetState};
use crate::text;
use crate::token;

/// How one target ended.
pub enum Outcome {
    /// A pull request was opened, or one already open was updated.
    Published { url: String },
    /// Dry run: the picked commits are on a local branch.
    DryRun { branch: String },
    /// Every pull request was already on the target: nothing to do.
    AlreadyPresent,
    /// Stopped for the user (conflicts, a failed push); the state is saved.
    Stopped(anyhow::Error),
}

/// What every step of a run shares.
pub struct Ctx<'a> {
    pub git: Git<'a>,
    pub out: &'a Output,
    pub toplevel: PathBuf,
    pub common_dir: PathBuf,
    /// Standard input is a terminal: prompts are possible.
    pub interactive: bool,
    /// Push without asking.
    pub yes: bool,
}

/// Refuses to push without `--yes` when nobody can be asked.
pub fn check_can_push(interactive: bool, yes: bool, dry_run: bool) -> Result<()> {
    if dry_run || yes || interactive {
        return Ok(());
    }
    Err(
        failed("refusing to push without confirmation: standard input is not a terminal")
            .hint("pass --yes to push and open the pull request without asking, or --dry-run to only apply")
            .into(),
    )
}

/// Refuses a new run while another is in progress.
fn check_nothing_in_progress(common_dir: &std::path::Path) -> Result<()> {
    let what = match state::load(common_dir)? {
        state::Loaded::None => return Ok(()),
        state::Loaded::Some(state) => state
            .targets
            .iter()
            .map(TargetState::name)
            .collect::<Vec<_>>()
            .join(", "),
        state::Loaded::Unreadable(why) => why,
    };
    Err(failed(format!("a cherry-pick is already in progress ({what})"))
        .hint("see it with `git cherry-pick-pr --status`")
        .hint("finish it with `git cherry-pick-pr --continue`, or drop it with `git cherry-pick-pr --abort`")
        .into())
}

/// Runs a backport.
pub fn run(settings: &Settings, env: &Env, git: Git<'_>, out: &Output) -> Result<Vec<Outcome>> {
    for line in &settings.provenance {
        out.debug(|| format!("setting: {line}"));
    }
    check_nothing_in_progress(&settings.common_dir)?;
    let interactive = std::io::stdin().is_terminal();
    check_can_push(interactive, settings.yes, settings.dry_run)?;
    let token = token::find(env, out, interactive)?;
    let github = GitHub::new(&settings.api_url, token, out)?;
    let gathered =
        gather::gather(settings, &git, &github, out).map_err(|e| interrupted_or(e, "nothing was changed"))?;

    let ctx = Ctx {
        git,
        out,
        toplevel: settings.toplevel.clone(),
        common_dir: settings.common_dir.clone(),
        interactive,
        yes: settings.yes,
    };
    let mut job = State {
        version: state::VERSION,
        repo: settings.repo.to_string(),
        upstream: settings.upstream.clone(),
        fork: settings.fork.clone(),
        user: gathered.user.clone(),
        api_url: settings.api_url.clone(),
        labels: settings.labels.clone(),
        draft: settings.draft,
        signoff: settings.signoff,
        yes: settings.yes,
        dry_run: settings.dry_run,
        prs: gathered.prs.clone(),
        targets: Vec::new(),
    };
    let patches: HashMap<u64, Vec<u8>> = settings.prs.iter().copied().zip(gathered.patches).collect();

    let mut outcomes = Vec::new();
    for target in &settings.targets {
        let remote_branch = text::branch_name(&settings.prs, &target.remote, &target.branch);
        let worktree = apply::add_worktree(
            ctx.git,
            out,
            &ctx.toplevel,
            &ctx.common_dir,
            &remote_branch,
            &target.tracking_ref(),
        )
        .map_err(|e| interrupted_or(e, "nothing was left behind"))?;
        let ts = TargetState {
            remote: target.remote.clone(),
            branch: target.branch.clone(),
            remote_branch,
            local_branch: worktree.branch.clone(),
            worktree: worktree.path.clone(),
            phase: Phase::Conflict,
            applied: Vec::new(),
            skipped: Vec::new(),
            current: None,
            current_base: None,
            remaining: settings.prs.clone(),
        };
        outcomes.push(drive(&ctx, &github, &mut job, ts, worktree, &patches, false)?);
    }
    Ok(outcomes)
}

/// An error caused by Ctrl-C becomes an `Interrupted` failure that says what
/// was left behind.
pub fn interrupted_or(error: anyhow::Error, left: &str) -> anyhow::Error {
    if !signals::interrupted() || crate::errors::kind_of(&error) == Kind::Interrupted {
        return error;
    }
    Failure::new(Kind::Interrupted, format!("interrupted: {left}"))
        .because(error)
        .into()
}

/// Whether a failed terminal read was Ctrl-C (the signal may reach the read
/// before the handler has recorded it).
fn was_interrupted(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::Interrupted || signals::interrupted()
}

/// Where a target's apply loop goes next.
enum Next {
    Apply(u64),
    Settle(u64),
    Done,
}

/// Applies what is left for one target, then publishes it. `persisted` says
/// the target's state is already saved (a resumed run): from then on nothing
/// of it is removed on failure.
pub fn drive<'a>(
    ctx: &Ctx<'a>,
    github: &GitHub<'_>,
    job: &mut State,
    mut ts: TargetState,
    mut worktree: Worktree<'a>,
    patches: &HashMap<u64, Vec<u8>>,
    persisted: bool,
) -> Result<Outcome> {
    let mut persisted = persisted;
    let applied = apply_all(ctx, job, &mut ts, &mut worktree, patches, &mut persisted);
    match applied {
        Ok(Some(stopped)) => return Ok(stopped),
        Ok(None) => {}
        Err(error) => {
            if persisted {
                // Keep the user's work; `ts.phase` already says how to go on.
                worktree.keep();
                save_target(ctx, job, &ts)?;
                return Err(interrupted_or(
                    error,
                    "the work is kept: run `git cherry-pick-pr --continue` or `--abort`",
                ));
            }
            return Err(interrupted_or(
                error,
                "the worktree and branch were removed; nothing was pushed",
            ));
        }
    }
    let target_name = ts.name();
    if ts.applied.is_empty() {
        ctx.out.note(&format!(
            "Every pull request is already on {target_name}: nothing to push"
        ));
        forget_target(ctx, job, &ts)?;
        return Ok(Outcome::AlreadyPresent);
    }
    if job.dry_run {
        worktree.keep_branch();
        forget_target(ctx, job, &ts)?;
        let branch = worktree.branch.clone();
        ctx.out.note(&format!(
            "Dry run: the picked commits are on the local branch {branch}; nothing was pushed"
        ));
        ctx.out
            .hint(&format!("look at it:  git log --stat {target_name}..'{branch}'"));
        ctx.out.hint(&format!("delete it:   git branch -D '{branch}'"));
        return Ok(Outcome::DryRun { branch });
    }
    // From here on the picked commits are kept until published.
    ts.phase = Phase::Push;
    ts.current = None;
    let published = confirm_push(ctx, job, &ts).and_then(|()| {
        publish::push(job, &ctx.git, ctx.out, &ts, &worktree.path)?;
        publish::open(job, github, ctx.out, &ts)
    });
    match published {
        Ok(published) => {
            forget_target(ctx, job, &ts)?;
            let verb = if published.existed { "Updated" } else { "Opened" };
            ctx.out
                .step(&format!("{verb} PR #{} for {target_name}", published.number));
            Ok(Outcome::Published { url: published.url })
        }
        Err(error) => {
            worktree.keep();
            save_target(ctx, job, &ts)?;
            let kept = "the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`";
            if signals::interrupted() {
                return Err(interrupted_or(error, kept));
            }
            let failure = failed(format!("the cherry-pick onto {target_name} was not published"))
                .hint(format!("the picked commits are kept in {} (branch {})", ts.worktree.display(), ts.local_branch))
                .hint("run `git cherry-pick-pr --continue` to push and open the pull request, or `git cherry-pick-pr --abort`")
                .because(error);
            Ok(Outcome::Stopped(failure.into()))
        }
    }
}

/// Applies the pull requests left; `Some` when it stopped for the user.
fn apply_all<'a>(
    ctx: &Ctx<'a>,
    job: &mut State,
    ts: &mut TargetState,
    worktree: &mut Worktree<'a>,
    patches: &HashMap<u64, Vec<u8>>,
    persisted: &mut bool,
) -> Result<Option<Outcome>> {
    let dir = worktree.path.clone();
    let git = &ctx.git;
    loop {
        let next = match ts.current {
            Some(n) if ts.phase == Phase::Conflict => Next::Settle(n),
            Some(n) => Next::Apply(n),
            None if ts.remaining.is_empty() => Next::Done,
            None => Next::Apply(ts.remaining.remove(0)),
        };
        match next {
            Next::Done => return Ok(None),
            Next::Settle(n) => match settle(git, &dir)? {
                Settled::Done => record(git, ts, n)?,
                Settled::Conflicts(files) => {
                    let why = format!("PR #{n} still has conflicts");
                    if let Some(stopped) = wait_or_stop(ctx, job, ts, worktree, persisted, &why, &files, "")? {
                        return Ok(Some(stopped));
                    }
                }
                Settled::Unresolved(detail) => {
                    let why = format!("`git am` could not finish PR #{n}");
                    if let Some(stopped) = wait_or_stop(ctx, job, ts, worktree, persisted, &why, &[], &detail)? {
                        return Ok(Some(stopped));
                    }
                }
            },
            Next::Apply(n) => {
                if apply::am_in_progress(git, &dir)? {
                    git.run(&dir, &["am", "--abort"])?;
                }
                let patch = patches
                    .get(&n)
                    .ok_or_else(|| failed(format!("the patch of PR #{n} is missing")))?;
                let title = job
                    .prs
                    .iter()
                    .find(|p| p.number == n)
                    .map(|p| p.title.clone())
                    .unwrap_or_default();
                ctx.out.step(&format!("Applying #{n} to {}: {title}", ts.name()));
                ts.current = Some(n);
                ts.current_base = Some(git.run(&dir, &["rev-parse", "HEAD"])?.trim().to_string());
                // Should this stop half-way (Ctrl-C), it is applied again from the start.
                ts.phase = Phase::Retry;
                match apply::apply_pr(git, ctx.out, &dir, n, patch, job.signoff)? {
                    Ok(Applied::Picked) => finish_current(ts, n, true),
                    Ok(Applied::AlreadyThere) => {
                        ctx.out.note(&format!("  #{n} is already on {}: skipped", ts.name()));
                        finish_current(ts, n, false);
                    }
                    Err(stop) => {
                        ts.phase = match stop.kind {
                            StopKind::Conflict => Phase::Conflict,
                            StopKind::Retry => Phase::Retry,
                        };
                        let why = match stop.kind {
                            StopKind::Conflict => format!("PR #{n} does not apply cleanly to {}", ts.name()),
                            StopKind::Retry => format!("`git am` refused PR #{n} (a hook?)"),
                        };
                        if let Some(stopped) =
                            wait_or_stop(ctx, job, ts, worktree, persisted, &why, &stop.conflicts, &stop.detail)?
                        {
                            return Ok(Some(stopped));
                        }
                        if ts.phase == Phase::Retry {
                            // The user fixed the cause: apply it again.
                            continue;
                        }
                        ts.phase = Phase::Conflict;
                    }
                }
            }
        }
    }
}

fn finish_current(ts: &mut TargetState, n: u64, picked: bool) {
    if picked {
        ts.applied.push(n);
    } else {
        ts.skipped.push(n);
    }
    ts.current = None;
    ts.current_base = None;
}

/// The current pull request is done: applied if HEAD moved past where it began.
fn record(git: &Git<'_>, ts: &mut TargetState, n: u64) -> Result<()> {
    let head = git.run(&ts.worktree, &["rev-parse", "HEAD"])?.trim().to_string();
    let moved = ts.current_base.as_deref() != Some(head.as_str());
    finish_current(ts, n, moved);
    Ok(())
}

/// What the user's resolution amounts to.
pub enum Settled {
    /// `git am` is finished (by us now, or by the user).
    Done,
    /// Paths still conflict.
    Conflicts(Vec<String>),
    /// `git am --continue` failed with nothing in conflict (nothing staged).
    Unresolved(String),
}

/// Finishes a stopped `git am` if the user's resolution allows it.
pub fn settle(git: &Git<'_>, dir: &std::path::Path) -> Result<Settled> {
    if !apply::am_in_progress(git, dir)? {
        return Ok(Settled::Done);
    }
    let files = apply::unmerged(git, dir)?;
    if !files.is_empty() {
        return Ok(Settled::Conflicts(files));
    }
    let continued = git.capture(dir, &["am", "--continue"], None)?;
    if continued.success {
        return Ok(Settled::Done);
    }
    let files = apply::unmerged(git, dir)?;
    if !files.is_empty() {
        return Ok(Settled::Conflicts(files));
    }
    Ok(Settled::Unresolved(continued.stderr))
}

/// Saves the state, tells the user what to do, and on a terminal waits for
/// them as the script did. `None`: they say it is resolved; go on.
#[allow(clippy::too_many_arguments)]
fn wait_or_stop(
    ctx: &Ctx<'_>,
    job: &mut State,
    ts: &TargetState,
    worktree: &mut Worktree<'_>,
    persisted: &mut bool,
    why: &str,
    files: &[String],
    detail: &str,
) -> Result<Option<Outcome>> {
    worktree.keep();
    save_target(ctx, job, ts)?;
    *persisted = true;
    let failure = stop_failure(ts, why, files, detail);
    if !ctx.interactive {
        return Ok(Some(Outcome::Stopped(failure.into())));
    }
    ctx.out.error(&anyhow::Error::from(failure));
    let answer = ctx
        .out
        .confirm("Resolve it in another window, then answer y to continue; any other answer stops here.");
    match answer {
        Ok(true) => Ok(None),
        Ok(false) => Ok(Some(Outcome::Stopped(stop_failure(ts, why, files, "").into()))),
        Err(e) if was_interrupted(&e) => Err(Failure::new(
            Kind::Interrupted,
            "interrupted: the conflict is kept: resolve it, then run `git cherry-pick-pr --continue`, or `--abort`",
        )
        .because(e)
        .into()),
        Err(_) => Ok(Some(Outcome::Stopped(stop_failure(ts, why, files, "").into()))),
    }
}

/// The message of a stop: what happened, the conflicting paths, where the
/// worktree is, and what to run next.
pub fn stop_failure(ts: &TargetState, why: &str, files: &[String], detail: &str) -> Failure {
    let mut message = why.to_string();
    // git's own words matter when there is nothing to resolve (a hook said
    // no); with conflicts, its advice about `git am` is ours to give.
    if files.is_empty() && !detail.trim().is_empty() {
        message.push_str(&format!("\n{}", detail.trim_end()));
    }
    if !files.is_empty() {
        message.push_str("\nconflicting files:");
        for file in files {
            message.push_str(&format!("\n    {file}"));
        }
    }
    message.push_str(&format!(
        "\nthe work is in {} (branch {})",
        ts.worktree.display(),
        ts.local_branch
    ));
    let mut failure = Failure::new(Kind::Conflict, message);
    failure = match ts.phase {
        Phase::Retry => failure.hint("fix the cause shown above, then run `git cherry-pick-pr --continue` to apply it again"),
        _ => failure.hint(format!(
            "resolve the conflicts in {}: edit the files and `git add` them (running `git am --continue` there yourself is fine too)",
            ts.worktree.display()
        )),
    };
    failure
        .hint("then `git cherry-pick-pr --continue` applies the rest, pushes and opens the pull request")
        .hint("or `git cherry-pick-pr --abort` removes the worktree and branch")
}

/// Asks before pushing when nobody said `--yes`.
fn confirm_push(ctx: &Ctx<'_>, job: &State, ts: &TargetState) -> Result<()> {
    if ctx.yes || job.yes || !ctx.interactive {
        return check_can_push(ctx.interactive, ctx.yes || job.yes, false);
    }
    let question = format!(
        "Push {} to `{}` as {} and open a pull request against {} {}?",
        ts.applied.iter().map(|n| format!("#{n}")).collect::<Vec<_>>().join(" "),
        job.fork,
        ts.remote_branch,
        job.repo,
        ts.branch
    );
    let yes = ctx.out.confirm(&question).map_err(|e| {
        if was_interrupted(&e) {
            Failure::new(Kind::Interrupted, "interrupted: nothing was pushed").because(e)
        } else {
            failed(format!("could not read the answer: {e}"))
        }
    })?;
    if yes {
        Ok(())
    } else {
        Err(failed("not pushed: the push was declined").into())
    }
}

/// Records a target as stopped in the state file.
fn save_target(ctx: &Ctx<'_>, job: &mut State, ts: &TargetState) -> Result<()> {
    job.targets.retain(|t| t.name() != ts.name());
    job.targets.push(ts.clone());
    state::save(&ctx.common_dir, job)
}

/// Drops a finished target from the state file (and the file when empty).
fn forget_target(ctx: &Ctx<'_>, job: &mut State, ts: &TargetState) -> Result<()> {
    let before = job.targets.len();
    job.targets.retain(|t| t.name() != ts.name());
    if job.targets.len() == before {
        return Ok(());
    }
    if job.targets.is_empty() {
        state::remove(&ctx.common_dir)
    } else {
        state::save(&ctx.common_dir, job)
    }
}
