//! The whole run: settings in, outcomes out. Gathers from git and GitHub,
//! then for each target applies the pull requests in a worktree and publishes
//! the result, stopping for the user on conflicts with the state saved.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use crate::errors::{Failure, Kind, failed};
use crate::gather;
use crate::git::Git;
use crate::github::GitHub;
use crate::github::retry::Policy;
use crate::output::Output;
use crate::publish;
use crate::settings::{Env, Settings};
use crate::signals;
use crate::state::{self, JobState, Phase, Plan, Progress, State};
use crate::target::{Prepared, Ready, Start, prepare, was_interrupted};
use crate::text;
use crate::token;

/// How one target ended.
pub enum Outcome {
    /// A pull request was opened, or (`existed`) one already open was updated.
    Published { url: String, existed: bool },
    /// Dry run: the picked commits are on a local branch.
    DryRun { branch: String },
    /// Every pull request was already on the target: nothing to do.
    AlreadyPresent,
    /// Nothing is left to push: the user skipped the rest by hand.
    SkippedByHand,
    /// Stopped for the user (conflicts: exit 3; a failed push or command:
    /// exit 1); the state is saved for `--continue`.
    Stopped(anyhow::Error),
    /// Failed; nothing of it is left.
    Failed(anyhow::Error),
}

/// One target's outcome.
pub struct Report {
    pub target: String,
    pub outcome: Outcome,
}

/// What every step of a run shares.
pub struct Ctx<'a> {
    pub git: Git<'a>,
    pub out: &'a Output,
    /// What the run is to do; it does not change.
    pub plan: &'a Plan,
    pub toplevel: PathBuf,
    pub common_dir: PathBuf,
    /// Standard input is a terminal: prompts are possible.
    pub interactive: bool,
    /// Push without asking.
    pub yes: bool,
    /// A hook that may look at the files would run in the tool's worktree:
    /// worktrees get every file from the start.
    pub tree_hooks: bool,
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

/// Refuses a new run while another is in progress; warns of what a run
/// that did not finish left.
fn check_nothing_in_progress(common_dir: &std::path::Path, out: &Output) -> Result<()> {
    let what = match state::load(common_dir)? {
        state::Loaded::None => {
            let left = std::fs::read_dir(crate::git::worktrees_dir(common_dir))
                .map(|entries| entries.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).count())
                .unwrap_or(0);
            if left > 0 {
                out.warn(&format!(
                    "a run that did not finish left {left} worktree(s) under {}",
                    crate::git::worktrees_dir(common_dir).display()
                ));
                out.hint("`git cherry-pick-pr --status` lists them; `git cherry-pick-pr --abort` removes them");
            }
            return Ok(());
        }
        state::Loaded::Some(state) => state
            .progress
            .jobs
            .iter()
            .map(JobState::name)
            .collect::<Vec<_>>()
            .join(", "),
        state::Loaded::Unreadable(why) => why,
    };
    Err(failed(format!("a cherry-pick is already in progress ({what})"))
        .hint("see it with `git cherry-pick-pr --status`")
        .hint("finish it with `git cherry-pick-pr --continue`, or drop it with `git cherry-pick-pr --abort`")
        .into())
}

/// Refuses to start when git cannot name the committer of the picked commits
/// (`user.useConfigOnly` without `user.email`, no name anywhere), before
/// anything is fetched, rather than after.
pub fn check_identity(git: &Git<'_>, toplevel: &std::path::Path) -> Result<()> {
    git.run(toplevel, &["var", "GIT_COMMITTER_IDENT"]).map(|_| ()).map_err(|e| {
        failed("git cannot tell who commits the cherry-picked commits; nothing was done")
            .hint("set your name and email: git config --global user.name 'Your Name'; git config --global user.email you@example.com")
            .because(e)
            .into()
    })
}

/// Finds the token and makes the GitHub client for the API at `api.0`, the
/// web host `api.1`.
pub fn connect<'a>(
    env: &Env,
    out: &'a Output,
    git: &Git<'_>,
    dir: &std::path::Path,
    api: (&str, &str),
    policy: Policy,
    interactive: bool,
) -> Result<(token::Found, GitHub<'a>)> {
    let (api_url, web_host) = api;
    let lookup = token::Lookup {
        git,
        dir,
        web_host,
        interactive,
    };
    let found = token::find(env, out, &lookup)?;
    let github = GitHub::new(api_url, web_host, found.token.clone(), found.source.name(), policy, out)?;
    Ok((found, github))
}

/// Runs a backport.
pub fn run(settings: &Settings, env: &Env, git: Git<'_>, out: &Output) -> Result<Vec<Report>> {
    for line in &settings.provenance {
        out.debug(|| format!("setting: {line}"));
    }
    check_nothing_in_progress(&settings.common_dir, out)?;
    check_identity(&git, &settings.toplevel)?;
    let interactive = std::io::stdin().is_terminal();
    check_can_push(interactive, settings.yes, settings.dry_run)?;
    let (found, github) = connect(
        env,
        out,
        &git,
        &settings.toplevel,
        (&settings.api_url, &settings.web_host),
        settings.policy,
        interactive,
    )?;
    let gathered = gather::gather(settings, &git, &github, out);
    token::settle(&found, &git, &settings.toplevel, out, &github);
    let gathered = gathered.map_err(|e| interrupted_or(e, "nothing was changed"))?;

    let plan = Plan {
        repo: settings.repo.clone(),
        upstream: settings.upstream.clone(),
        fork: settings.fork.clone(),
        user: gathered.user.clone(),
        api_url: settings.api_url.clone(),
        web_host: settings.web_host.clone(),
        labels: settings.labels.clone(),
        draft: settings.draft,
        signoff: settings.signoff,
        yes: settings.yes,
        dry_run: settings.dry_run,
        exec: settings.exec.clone(),
        shell: settings.shell.clone(),
        milestone: settings.milestone.clone(),
        copy_labels: settings.copy_labels.clone(),
        assign_author: settings.assign_author,
        comment_source: settings.comment_source,
        templates: settings.templates.clone(),
        prs: gathered.prs.clone(),
    };
    let ctx = Ctx {
        git,
        out,
        plan: &plan,
        toplevel: settings.toplevel.clone(),
        common_dir: settings.common_dir.clone(),
        interactive,
        yes: settings.yes,
        tree_hooks: settings.tree_hooks,
    };
    let patches: HashMap<u64, Vec<u8>> = settings.prs.iter().copied().zip(gathered.patches).collect();
    // Every target, the same pull requests (but those without changes).
    let prs: Vec<u64> = settings
        .prs
        .iter()
        .copied()
        .filter(|n| !gathered.empty.contains(n))
        .collect();
    let starts = settings
        .targets
        .iter()
        .zip(gathered.open_before)
        .map(|(t, open_before)| {
            let mut job = JobState::new(&t.remote, &t.branch, &prs);
            // The branch name keeps every requested pull request.
            job.remote_branch = text::branch_name(&settings.prs, &t.remote, &t.branch);
            job.open_before = open_before;
            Start::Fresh(job)
        })
        .collect();
    process(&ctx, &github, Progress::default(), starts, &patches)
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

/// Runs every target: applies them concurrently (bounded by the cores), asks
/// once before pushing, then publishes them concurrently. One target's
/// conflict or failure does not stop the others. Reports come back in the
/// order of the targets.
pub fn process<'a>(
    ctx: &Ctx<'a>,
    github: &GitHub<'_>,
    progress: Progress,
    starts: Vec<Start>,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<Vec<Report>> {
    let names: Vec<String> = starts
        .iter()
        .map(|s| match s {
            Start::Fresh(ts) | Start::Resume(ts) => ts.name(),
        })
        .collect();
    // Only a lone target waits at the terminal for its conflicts.
    let wait = starts.len() == 1;
    let progress = Mutex::new(progress);
    let prepared = parallel(starts, |start| prepare(ctx, github, &progress, start, patches, wait));

    let mut outcomes: Vec<Option<Outcome>> = Vec::new();
    let mut ready: Vec<(usize, Ready<'a>)> = Vec::new();
    let mut interrupted = None;
    for (i, result) in prepared.into_iter().enumerate() {
        match result {
            Ok(Prepared::Ready(r)) => {
                ready.push((i, *r));
                outcomes.push(None);
            }
            Ok(Prepared::Done(outcome)) => outcomes.push(Some(outcome)),
            Err(error) if crate::errors::kind_of(&error) == Kind::Interrupted => {
                interrupted.get_or_insert(error);
                outcomes.push(None);
            }
            Err(error) => outcomes.push(Some(Outcome::Failed(error))),
        }
    }
    if let Some(error) = interrupted {
        for (_, mut r) in ready {
            keep(ctx, &progress, &mut r)?;
        }
        return Err(error);
    }

    if !ready.is_empty() {
        let targets: Vec<&JobState> = ready.iter().map(|(_, r)| &r.ts).collect();
        if let Err(error) = confirm_push(ctx, &targets) {
            for (_, r) in &mut ready {
                keep(ctx, &progress, r)?;
            }
            if crate::errors::kind_of(&error) == Kind::Interrupted {
                return Err(error);
            }
            // Declined: every ready target is kept for --continue.
            for (i, r) in &ready {
                let failure = failed(format!("{error}: nothing was pushed for {}", r.ts.name()))
                    .hint(format!(
                        "the picked commits are kept in {} (branch {})",
                        r.ts.worktree.display(),
                        r.ts.local_branch
                    ))
                    .hint("`git cherry-pick-pr --continue` pushes them, `git cherry-pick-pr --abort` drops them");
                outcomes[*i] = Some(Outcome::Stopped(failure.into()));
            }
            ready.clear();
        }
        let published = parallel(ready, |(i, r)| (i, publish_one(ctx, github, &progress, r)));
        for (i, result) in published {
            match result {
                Ok(outcome) => outcomes[i] = Some(outcome),
                Err(error) => {
                    interrupted.get_or_insert(error);
                }
            }
        }
        if let Some(error) = interrupted {
            return Err(error);
        }
    }
    let reports: Vec<Report> = names
        .into_iter()
        .zip(outcomes)
        .map(|(target, outcome)| Report {
            target,
            outcome: outcome.unwrap_or(Outcome::AlreadyPresent),
        })
        .collect();
    // While others are in progress, --status tells how these ended.
    let mut progress = lock(&progress);
    if !progress.jobs.is_empty() {
        for report in &reports {
            if let Some(line) = report.done_line() {
                progress.done.push(line);
            }
        }
        save(ctx, &progress)?;
    }
    Ok(reports)
}

impl Report {
    /// `upstream/release-3.1: opened https://…`, for a target that ended.
    fn done_line(&self) -> Option<String> {
        let how = match &self.outcome {
            Outcome::Published { url, existed: false } => format!("opened {url}"),
            Outcome::Published { url, existed: true } => format!("updated {url}"),
            Outcome::DryRun { branch } => format!("dry run, on local branch {branch}"),
            Outcome::AlreadyPresent => "already applied, nothing pushed".to_string(),
            Outcome::SkippedByHand => "skipped by hand, nothing pushed".to_string(),
            Outcome::Failed(error) => format!("failed: {}", error.to_string().lines().next().unwrap_or_default()),
            Outcome::Stopped(_) => return None,
        };
        Some(format!("{}: {how}", self.target))
    }
}

/// Maps `work` over `items` on up to as many threads as there are cores,
/// keeping the order.
fn parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.into_iter().map(work).collect();
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, items.len());
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let results = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((i, item)) = next else { break };
                    let result = work(item);
                    results.lock().unwrap_or_else(|e| e.into_inner()).push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Keeps a ready target's commits for `--continue`.
fn keep(ctx: &Ctx<'_>, progress: &Mutex<Progress>, ready: &mut Ready<'_>) -> Result<()> {
    ready.worktree.keep();
    save_target(ctx, progress, &ready.ts)
}

/// Pushes and opens the pull request of a ready target. `Err` only for an
/// interruption; any other failure keeps the commits for `--continue`.
fn publish_one(ctx: &Ctx<'_>, github: &GitHub<'_>, progress: &Mutex<Progress>, ready: Ready<'_>) -> Result<Outcome> {
    let Ready { mut ts, worktree } = ready;
    let path = worktree.path.clone();
    // Once the pull request exists, the worktree and local branch go (on
    // being dropped) while the labels and the rest are set.
    let slot = Mutex::new(Some(worktree));
    let pushed = publish::push(ctx.plan, &ctx.git, ctx.out, &ts, &path);
    let pushed_ok = pushed.is_ok();
    let published = pushed.and_then(|()| {
        publish::open(ctx.plan, github, ctx.out, &ts, || {
            drop(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
        })
    });
    if pushed_ok {
        ts.phase = Phase::Open;
    }
    let ts = &ts;
    match published {
        Ok(published) => {
            forget_target(ctx, progress, ts)?;
            let verb = if published.existed { "Updated" } else { "Opened" };
            ctx.out
                .step(&format!("{verb} PR #{} for {}", published.number, ts.name()));
            Ok(Outcome::Published {
                url: published.url,
                existed: published.existed,
            })
        }
        Err(error) => {
            let name = ts.name();
            let (path, branch) = (ts.worktree.display().to_string(), ts.local_branch.clone());
            if let Some(mut worktree) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
                worktree.keep();
            }
            save_target(ctx, progress, ts)?;
            if signals::interrupted() {
                return Err(interrupted_or(
                    error,
                    "the picked commits are kept: run `git cherry-pick-pr --continue` to push and open the pull request, or `--abort`",
                ));
            }
            let mut failure = failed(format!("the cherry-pick onto {name} was not published"))
                .hint(format!("the picked commits are kept in {path} (branch {branch})"));
            if !pushed_ok {
                failure = failure.hint(
                    "git's output above says why (a pre-push hook, credentials, a protected branch); fix that first",
                );
            }
            let failure = failure
                .hint("run `git cherry-pick-pr --continue` to push and open the pull request, or `git cherry-pick-pr --abort`")
                .because(error);
            Ok(Outcome::Stopped(failure.into()))
        }
    }
}

pub fn lock(progress: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    progress.lock().unwrap_or_else(|e| e.into_inner())
}

/// Saves the plan and `progress` for `--continue`.
fn save(ctx: &Ctx<'_>, progress: &Progress) -> Result<()> {
    let state = State {
        version: state::VERSION,
        plan: ctx.plan.clone(),
        progress: progress.clone(),
    };
    state::save(&ctx.common_dir, &state)
}

/// Asks once before pushing when nobody said `--yes`.
fn confirm_push(ctx: &Ctx<'_>, targets: &[&JobState]) -> Result<()> {
    let plan = ctx.plan;
    if ctx.yes || plan.yes || !ctx.interactive {
        return check_can_push(ctx.interactive, ctx.yes || plan.yes, false);
    }
    let lines: Vec<String> = targets
        .iter()
        .map(|ts| {
            let prs: Vec<String> = ts.applied.iter().map(|n| format!("#{n}")).collect();
            format!("  {} onto {} as {}", prs.join(" "), ts.branch, ts.remote_branch)
        })
        .collect();
    ctx.out.note(&format!(
        "Ready to push to `{}` and open pull requests against {}:\n{}",
        plan.fork,
        plan.repo,
        lines.join("\n")
    ));
    let question = if targets.len() == 1 {
        "Push and open the pull request?"
    } else {
        "Push and open these pull requests?"
    };
    let yes = ctx.out.confirm(question).map_err(|e| {
        if was_interrupted(&e) {
            Failure::new(Kind::Interrupted, "interrupted: nothing was pushed").because(e)
        } else {
            failed(format!("could not read the answer: {e}"))
        }
    })?;
    if yes {
        Ok(())
    } else {
        Err(failed("the push was declined").into())
    }
}

/// Records a job as stopped in the state file.
pub fn save_target(ctx: &Ctx<'_>, progress: &Mutex<Progress>, ts: &JobState) -> Result<()> {
    let mut progress = lock(progress);
    progress.jobs.retain(|t| t.remote_branch != ts.remote_branch);
    progress.jobs.push(ts.clone());
    save(ctx, &progress)
}

/// Drops a finished job from the state file (and the file when empty).
pub fn forget_target(ctx: &Ctx<'_>, progress: &Mutex<Progress>, ts: &JobState) -> Result<()> {
    let mut progress = lock(progress);
    let before = progress.jobs.len();
    progress.jobs.retain(|t| t.remote_branch != ts.remote_branch);
    if progress.jobs.len() == before {
        return Ok(());
    }
    if progress.jobs.is_empty() {
        state::remove(&ctx.common_dir)
    } else {
        save(ctx, &progress)
    }
}
