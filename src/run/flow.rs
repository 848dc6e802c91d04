//! Every job of a run through to its pull request: prepared concurrently
//! (bounded by the cores), one question before pushing, then published
//! concurrently. One job's conflict or failure does not stop the others.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::Result;

use super::job::{Prepared, Ready, Start, prepare, was_interrupted};
use super::report::{Outcome, Report};
use super::{Run, check_can_push, interrupted_or};
use crate::errors::{Failure, Kind, failed};
use crate::github::GitHub;
use crate::output::Answer;
use crate::plan::ended::Wording;
use crate::plan::next::{Hint, Stopped, next_steps};
use crate::plan::state::{JobState, Phase};
use crate::signals;
use crate::stages::overwrite;
use crate::stages::publish;
use crate::text::PrList;

/// Runs every target: applies them concurrently (bounded by the cores), asks
/// once before pushing, then publishes them concurrently. One target's
/// conflict or failure does not stop the others. Reports come back in the
/// order of the targets.
pub fn process<'a>(
    run: &Run<'a>,
    github: &GitHub<'_>,
    starts: Vec<Start>,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<Vec<Report>> {
    let jobs: Vec<JobState> = starts
        .iter()
        .map(|s| match s {
            Start::Fresh(ts) | Start::Resume(ts) => ts.clone(),
        })
        .collect();
    let (mut reports, ready) = prepare_all(run, github, starts, &jobs, patches)?;
    let ready = edit_all(run, ready, &mut reports)?;
    if !ready.is_empty() {
        publish_all(run, github, ready, &mut reports, &jobs, patches)?;
    }
    let mut reports: Vec<Report> = jobs
        .into_iter()
        .zip(reports)
        .map(|(job, report)| {
            report.unwrap_or(Report {
                job,
                outcome: Outcome::AlreadyPresent,
            })
        })
        .collect();
    if run.plan.leave_nothing {
        for report in &mut reports {
            if matches!(report.outcome, Outcome::Stopped { .. }) {
                super::discard::discard(run, &mut report.job)?;
            }
        }
    }
    // While others are in progress, --status tells how these ended.
    run.record_done(reports.iter().filter_map(Report::done))?;
    Ok(reports)
}

/// The report of each job so far (`None`: not ended yet), in the order of
/// the targets.
type Reports = Vec<Option<Report>>;

/// Prepares every job concurrently: those ready to publish (with their
/// index), and the reports of those that ended. `Err` for an interruption,
/// with the ready ones kept for `--continue`.
fn prepare_all<'a>(
    run: &Run<'a>,
    github: &GitHub<'_>,
    starts: Vec<Start>,
    jobs: &[JobState],
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<(Reports, Vec<(usize, Ready<'a>)>)> {
    // Only a lone target waits at the terminal for its conflicts.
    let wait = starts.len() == 1;
    let prepared = parallel(starts, |start| prepare(run, github, start, patches, wait));
    let mut reports: Reports = Vec::new();
    let mut ready: Vec<(usize, Ready<'a>)> = Vec::new();
    let mut interrupted = None;
    for (i, result) in prepared.into_iter().enumerate() {
        match result {
            Ok(Prepared::Ready(r)) => {
                ready.push((i, *r));
                reports.push(None);
            }
            Ok(Prepared::Done(report)) => reports.push(Some(*report)),
            Err(error) if crate::errors::kind_of(&error) == Kind::Interrupted => {
                interrupted.get_or_insert(error);
                reports.push(None);
            }
            Err(error) => reports.push(Some(failed_job(run, &jobs[i], error))),
        }
    }
    if let Some(error) = interrupted {
        for (_, mut r) in ready {
            keep(run, &mut r)?;
        }
        return Err(error);
    }
    Ok((reports, ready))
}

/// Opens the editor on each ready job that is to be edited (`--edit`, or
/// stopped at the editor before), one at a time in the order of the
/// targets; a job whose editing failed is kept and reported.
fn edit_all<'a>(
    run: &Run<'a>,
    ready: Vec<(usize, Ready<'a>)>,
    reports: &mut Reports,
) -> Result<Vec<(usize, Ready<'a>)>> {
    // A job that stopped at the editor goes back to it, whatever this run says.
    if !run.plan.edit && ready.iter().all(|(_, r)| r.ts.phase != Phase::Edit) {
        return Ok(ready);
    }
    let mut edited = Vec::new();
    for (i, mut r) in ready {
        if !run.plan.edit && r.ts.phase != Phase::Edit {
            edited.push((i, r));
            continue;
        }
        match edit_text(run, &mut r.ts) {
            Ok(()) => {
                r.ts.phase = Phase::Push {
                    exec_done: r.ts.phase.exec_done(),
                };
                edited.push((i, r));
            }
            Err(error) if signals::interrupted() => {
                keep(run, &mut r)?;
                for (_, mut other) in edited {
                    keep(run, &mut other)?;
                }
                let name = run.name_of(&r.ts);
                return Err(interrupted_or(
                    error,
                    &Hint::EditKept { name: name.as_deref() }.to_string(),
                ));
            }
            Err(error) => {
                r.ts.phase = Phase::Edit;
                keep(run, &mut r)?;
                let failure = kept(run, &r.ts, format!("nothing was pushed for {}", r.ts.name())).because(error);
                reports[i] = Some(Report {
                    job: r.ts.clone(),
                    outcome: Outcome::stopped(failure.into()),
                });
            }
        }
    }
    Ok(edited)
}

/// The failure of a job kept for `--continue` before anything was pushed:
/// `what` happened, where its commits are, and what to do next.
fn kept(run: &Run<'_>, ts: &JobState, what: String) -> Failure {
    failed(what)
        .hint(format!(
            "the picked commits are kept in {} (branch {})",
            ts.worktree.display(),
            ts.local_branch
        ))
        .hints(next_steps(Stopped {
            phase: ts.phase.kind(),
            dry_run: false,
            name: run.name_of(ts).as_deref(),
            worktree: &ts.worktree,
        }))
}

/// Asks once, then pushes and opens the pull request of every ready job
/// concurrently. Declined (or interrupted at the question), each ready job
/// that the tool made alone is removed and any other kept for `--continue`.
fn publish_all<'a>(
    run: &Run<'a>,
    github: &GitHub<'_>,
    mut ready: Vec<(usize, Ready<'a>)>,
    reports: &mut Reports,
    jobs: &[JobState],
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<()> {
    if let Err(error) = confirm_push(run, &ready, reports, jobs) {
        let interrupted = crate::errors::kind_of(&error) == Kind::Interrupted;
        let mut removed = Vec::new();
        for (i, mut r) in ready.drain(..) {
            let name = r.ts.name();
            let prs = PrList(&r.ts.prs).to_string();
            if r.redoable() {
                r.worktree.release();
                run.forget_job(&r.ts)?;
                let job = r.ts.clone();
                drop(r);
                removed.push(format!("{prs} onto {name}"));
                let failure = failed(format!("{error}: nothing was pushed for {name}")).hint(Hint::Redo.to_string());
                reports[i] = Some(Report {
                    job,
                    outcome: Outcome::Failed(failure.into()),
                });
            } else {
                keep(run, &mut r)?;
                let failure = kept(run, &r.ts, format!("{error}: nothing was pushed for {name}"));
                reports[i] = Some(Report {
                    job: r.ts.clone(),
                    outcome: Outcome::stopped(failure.into()),
                });
            }
        }
        if interrupted {
            let kept: Vec<String> = reports
                .iter()
                .flatten()
                .filter(|r| matches!(r.outcome, Outcome::Stopped { .. }))
                .map(|r| r.job.name())
                .collect();
            let mut left = vec!["nothing was pushed".to_string()];
            if !removed.is_empty() {
                left.push(format!(
                    "the picks of {} were removed ({})",
                    removed.join(", "),
                    Hint::Redo
                ));
            }
            if !kept.is_empty() {
                left.push(format!(
                    "the work on {} is kept: `git cherry-pick-pr --status` says how to finish or drop it",
                    kept.join(", ")
                ));
            }
            return Err(
                Failure::new(Kind::Interrupted, format!("interrupted: {}", left.join("; ")))
                    .because(error)
                    .into(),
            );
        }
    }
    // What the writes' pacing counts: a pull request each, and a comment on
    // each source when asked.
    let comments = |r: &Ready<'_>| if run.plan.comment_source { r.ts.applied.len() } else { 0 };
    github.expect_content(ready.iter().map(|(_, r)| 1 + comments(r)).sum());
    let mut interrupted = None;
    let published = parallel(ready, |(i, r)| (i, publish_one(run, github, r, patches)));
    for (i, result) in published {
        match result {
            Ok(report) => reports[i] = Some(report),
            Err(error) => {
                interrupted.get_or_insert(error);
            }
        }
    }
    match interrupted {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// A job whose preparation failed: stopped if its state is saved for
/// `--continue` (its worktree is kept), else failed with nothing left.
fn failed_job(run: &Run<'_>, start: &JobState, error: anyhow::Error) -> Report {
    let saved = run
        .lock()
        .jobs
        .iter()
        .find(|j| j.remote_branch == start.remote_branch)
        .cloned();
    match saved {
        Some(job) => Report {
            job,
            outcome: Outcome::stopped(error),
        },
        None => Report {
            job: start.clone(),
            outcome: Outcome::Failed(error),
        },
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

/// Opens the pull request's title and body in the editor; what the user
/// leaves is the text from then on (saved with the job).
fn edit_text(run: &Run<'_>, ts: &mut JobState) -> Result<()> {
    let offered = publish::pr_text(run.plan, ts, true);
    run.out.step(&format!(
        "Opening the pull request's text for {} in your editor",
        ts.name()
    ));
    let dir = crate::git::worktrees_dir(&run.common_dir);
    let edited = crate::stages::edit::edit(
        &run.git,
        &dir,
        &ts.worktree,
        &crate::stages::edit::editor_text(&offered),
    )
    .map_err(|e| failed(format!("editing the pull request's text for {}", ts.name())).because(e))?;
    let (edited, dropped) = crate::stages::edit::without_controls(&edited).map_err(|line| {
        failed(format!(
            "the edited text has NUL bytes (line {line}): it is not UTF-8 text, as an editor that saves UTF-16 writes it"
        ))
        .hint("save the text as UTF-8")
    })?;
    if dropped > 0 {
        run.out.warn(&format!(
            "dropped {dropped} control character{} from the edited text (only newlines and tabs are kept)",
            if dropped == 1 { "" } else { "s" }
        ));
    }
    match crate::stages::edit::parse(&edited) {
        Ok(text) => {
            for (what, length, limit) in [
                ("title", text.title.chars().count(), crate::text::TITLE_LIMIT),
                ("body", text.body.chars().count(), crate::text::BODY_LIMIT),
            ] {
                if length > limit {
                    return Err(failed(format!(
                        "the {what} is {length} characters long; GitHub takes at most {limit}"
                    ))
                    .into());
                }
            }
            ts.text = Some(text);
            Ok(())
        }
        Err(crate::stages::edit::Empty::Title) => Err(failed("the title was left empty").into()),
        Err(crate::stages::edit::Empty::Body) => Err(failed("the body was left empty").into()),
    }
}

/// Keeps a ready target's commits for `--continue`.
fn keep(run: &Run<'_>, ready: &mut Ready<'_>) -> Result<()> {
    ready.worktree.keep();
    run.save_job(&ready.ts)
}

/// Checks what the push would replace, pushes and opens the pull request of
/// a ready target. `Err` only for an interruption; any other failure (a
/// refusal to push over others' commits too) keeps the commits for
/// `--continue`.
fn publish_one(
    run: &Run<'_>,
    github: &GitHub<'_>,
    ready: Ready<'_>,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<Report> {
    let Ready { mut ts, worktree, .. } = ready;
    let path = worktree.path.clone();
    let base = worktree.start.clone();
    // Once the pull request exists, the worktree and local branch go (on
    // being dropped) while the labels and the rest are set.
    let slot = Mutex::new(Some(worktree));
    let fork = publish::Fork {
        base: base.as_deref(),
        heads: run.fork_heads.as_ref(),
    };
    let checked = lease(run, &ts, &path, patches);
    let (checked_ok, refused) = (matches!(checked, Ok(Ok(_))), matches!(checked, Ok(Err(_))));
    let pushed = match checked {
        Ok(Ok(lease)) => publish::push(run.plan, &run.git, run.out, &ts, &path, fork, &lease),
        Ok(Err(refusal)) => Err(refusal.into()),
        Err(error) => Err(error),
    };
    let pushed_ok = pushed.is_ok();
    let published = pushed.and_then(|()| {
        publish::open(run.plan, github, run.out, &ts, || {
            drop(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
        })
    });
    if pushed_ok {
        ts.phase = Phase::Open;
    }
    let ts = &ts;
    match published {
        Ok(published) => {
            run.forget_job(ts)?;
            let verb = if published.existed { "Updated" } else { "Opened" };
            run.out.step(&format!(
                "{verb} PR #{} for {} (picks {})",
                published.number,
                ts.name(),
                PrList(&ts.applied)
            ));
            Ok(Report {
                job: ts.clone(),
                outcome: Outcome::Published {
                    url: published.url,
                    existed: published.existed,
                },
            })
        }
        Err(error) => {
            let name = ts.name();
            let (path, branch) = (ts.worktree.display().to_string(), ts.local_branch.clone());
            if let Some(mut worktree) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
                worktree.keep();
            }
            run.save_job(ts)?;
            let job_name = run.name_of(ts);
            if signals::interrupted() {
                return Err(interrupted_or(
                    error,
                    &Hint::PublishKept {
                        name: job_name.as_deref(),
                    }
                    .to_string(),
                ));
            }
            let mut failure = failed(format!("the cherry-pick onto {name} was not published"))
                .hint(format!("the picked commits are kept in {path} (branch {branch})"));
            if checked_ok && !pushed_ok {
                failure = failure.hint(
                    "git's output above says why (a pre-push hook, credentials, a protected branch); fix that first",
                );
            }
            if !refused {
                // A refusal says itself how to go on.
                failure = failure.hints(next_steps(Stopped {
                    phase: ts.phase.kind(),
                    dry_run: false,
                    name: job_name.as_deref(),
                    worktree: &ts.worktree,
                }));
            }
            let failure = failure.because(error);
            Ok(Report {
                job: ts.clone(),
                outcome: Outcome::stopped(failure.into()),
            })
        }
    }
}

/// What the push of `ts` may replace on the fork: the lease to push with,
/// or the refusal to push over commits that are not the tool's (unless
/// `--force`: then a warning names them). `Err` when that cannot be told.
fn lease(
    run: &Run<'_>,
    ts: &JobState,
    worktree: &std::path::Path,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<std::result::Result<overwrite::Lease, Failure>> {
    let name = run.name_of(ts);
    let checked = overwrite::check(&overwrite::Job {
        git: &run.git,
        out: run.out,
        toplevel: &run.toplevel,
        worktree,
        fork: &run.plan.fork,
        upstream: &run.plan.upstream,
        ts,
        patches,
        heads: run.fork_heads.as_ref(),
        name: name.as_deref(),
    })?;
    if checked.only_ours() {
        return Ok(Ok(checked.lease));
    }
    if !run.plan.force {
        return Ok(Err(overwrite::refusal(&run.plan.fork, ts, &checked, name.as_deref())));
    }
    run.out.warn(&overwrite::forced(&run.plan.fork, ts, &checked));
    Ok(Ok(checked.lease))
}

/// Asks once before pushing when nobody said `--yes` (nor answered the
/// conflict wait with "push"), listing every job and what becomes of it.
fn confirm_push(run: &Run<'_>, ready: &[(usize, Ready<'_>)], reports: &Reports, jobs: &[JobState]) -> Result<()> {
    let plan = run.plan;
    if plan.yes || !run.interactive || ready.iter().all(|(_, r)| r.answered) {
        return check_can_push(run.interactive, plan.yes, false);
    }
    let lines: Vec<String> = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let what = match (ready.iter().find(|(at, _)| *at == i), &reports[i]) {
                (Some((_, r)), _) => format!("push {} and open a pull request", r.ts.remote_branch),
                (None, Some(report)) => report.outcome.ended().words(Wording::Summary),
                (None, None) => "not ready".to_string(),
            };
            format!("  {:<24} {:<12} {what}", job.name(), PrList(&job.prs).to_string())
        })
        .collect();
    run.out.note(&format!(
        "Ready to push to `{}` and open pull requests against {}:\n{}",
        plan.fork,
        plan.repo,
        lines.join("\n")
    ));
    let question = if ready.len() == 1 {
        "Push and open the pull request?"
    } else {
        "Push and open these pull requests?"
    };
    match run.out.confirm(question) {
        Ok(Answer::Yes) => Ok(()),
        Ok(Answer::No) => Err(failed("the push was declined").into()),
        Ok(Answer::None(why)) => Err(failed(format!("no answer to the question ({why}), taken as no")).into()),
        Err(e) if was_interrupted(&e) => Err(Failure::new(Kind::Interrupted, "interrupted at the question")
            .because(e)
            .into()),
        Err(e) => Err(failed(format!("could not read the answer ({e}), taken as no")).into()),
    }
}
