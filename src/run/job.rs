//! One target's way to a branch ready to push: its worktree, the apply
//! loop with the cherry-pick fallback, stops for the user (waiting at the
//! terminal as the script did), the `--exec` command, and the dry run.

use std::collections::HashMap;

use anyhow::Result;

use super::report::{Outcome, Report};
use super::{Run, interrupted_or};
use crate::errors::{Failure, Kind, failed, with_hints};
use crate::git::Git;
use crate::github::GitHub;
use crate::output::Answer;
use crate::output::Output;
use crate::plan::next::{Hint, Stopped, next_steps, wait_steps};
use crate::plan::state::{Changed, How, JobState, Phase};
use crate::signals;
use crate::stages::apply::{self, Applied, Attempt, Stop, StopKind, Worktree};
use crate::stages::touched::touched_paths;
use crate::stages::{prereq, reuse};
use crate::text::PrList;

/// Whether a failed terminal read was Ctrl-C (the signal may reach the read
/// before the handler has recorded it).
pub fn was_interrupted(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::Interrupted || signals::interrupted()
}

/// Where a target begins.
pub enum Start {
    /// A new target: its worktree is made from the target's tip.
    Fresh(JobState),
    /// A target that stopped earlier, from the saved state.
    Resume(JobState),
}

/// A target whose commits are ready to push.
pub struct Ready<'a> {
    pub ts: JobState,
    pub worktree: Worktree<'a>,
    /// The user said to push when answering the conflict wait: the push is
    /// not asked about again.
    pub answered: bool,
    /// The job was taken up from a stopped run (`--continue`).
    pub resumed: bool,
}

impl Ready<'_> {
    /// Nothing in it is the user's: the tool applied every commit and no
    /// text was edited, and it was not kept before. Declined, it is removed
    /// rather than kept, since running the same command again redoes it.
    pub fn redoable(&self) -> bool {
        !self.resumed && !self.ts.has_work_by_hand()
    }
}

/// How preparing a target ended.
pub enum Prepared<'a> {
    Ready(Box<Ready<'a>>),
    Done(Box<Report>),
}

/// A job that ended before it was ready to push.
fn done<'a>(job: JobState, outcome: Outcome) -> Prepared<'a> {
    Prepared::Done(Box::new(Report { job, outcome }))
}

/// Applies what is left for one target and runs the `--exec` command.
/// Once a target's state is saved (`persisted`), nothing of it is removed on
/// failure.
pub fn prepare<'a>(
    run: &Run<'a>,
    github: &GitHub<'_>,
    start: Start,
    patches: &HashMap<u64, Vec<u8>>,
    wait: bool,
) -> Result<Prepared<'a>> {
    let (ts, worktree, persisted) = begin(run, start, patches)?;
    let resumed = persisted;
    let plan = run.plan;
    let mut job = JobRun {
        run,
        github,
        patches,
        ts,
        worktree,
        persisted,
        wait,
        answered: false,
    };
    let applied = job.apply_all();
    let JobRun {
        mut ts,
        mut worktree,
        persisted,
        answered,
        ..
    } = job;
    match applied {
        Ok(Some(stopped)) => return Ok(done(ts, stopped)),
        Ok(None) => {}
        Err(error) => {
            if persisted {
                // Keep the user's work; `ts.phase` already says how to go on.
                worktree.keep();
                run.save_job(&ts)?;
                let name = run.name_of(&ts);
                return Err(interrupted_or(
                    error,
                    &Hint::WorkKept { name: name.as_deref() }.to_string(),
                ));
            }
            return Err(interrupted_or(
                error,
                "the worktree and branch were removed; nothing was pushed",
            ));
        }
    }
    if let Some(ended) = nothing_to_push(run, &ts)? {
        return Ok(done(ts, ended));
    }
    if persisted && let Some(stopped) = refuse_markers(run, github, &mut ts, &mut worktree, patches)? {
        return Ok(done(ts, stopped));
    }
    if let Some(command) = plan.exec.as_deref().filter(|_| !ts.phase.exec_done())
        && let Some(stopped) = run_exec(run, &mut ts, &mut worktree, command)?
    {
        return Ok(done(ts, stopped));
    }
    if plan.dry_run {
        let ended = keep_dry_run(run, &ts, &mut worktree)?;
        return Ok(done(ts, ended));
    }
    // From here on the picked commits are kept until published; a job that
    // stopped at the editor goes back to it.
    if ts.phase != Phase::Edit {
        ts.phase = Phase::Push {
            exec_done: ts.phase.exec_done(),
        };
    }
    Ok(Prepared::Ready(Box::new(Ready {
        ts,
        worktree,
        answered,
        resumed,
    })))
}

/// A job that picked nothing: every pull request is on the target already,
/// or the user skipped the rest by hand. Its state is forgotten.
fn nothing_to_push(run: &Run<'_>, ts: &JobState) -> Result<Option<Outcome>> {
    if !ts.applied.is_empty() {
        return Ok(None);
    }
    let target_name = ts.name();
    run.forget_job(ts)?;
    if ts.by_hand.is_empty() {
        run.out.note(&format!(
            "Every pull request is already on {target_name}: nothing to push"
        ));
        return Ok(Some(Outcome::AlreadyPresent));
    }
    run.out.note(&format!(
        "Nothing is left to push for {target_name}: {} skipped by hand",
        PrList(&ts.by_hand)
    ));
    Ok(Some(Outcome::SkippedByHand))
}

/// Runs the `--exec` command in the whole tree; `Some` when it failed and
/// the job stopped for the user (its worktree and state kept).
fn run_exec(run: &Run<'_>, ts: &mut JobState, worktree: &mut Worktree<'_>, command: &str) -> Result<Option<Outcome>> {
    ts.phase = Phase::Exec;
    // The command sees, and may change, the whole tree.
    let ran = worktree.fill().and_then(|()| {
        crate::stages::exec::run(&run.git, run.out, &run.plan.shell, command, &worktree.path, &ts.applied)
    });
    match ran {
        Ok(_) => {
            ts.phase = Phase::Push { exec_done: true };
            Ok(None)
        }
        Err(error) => {
            worktree.keep();
            run.save_job(ts)?;
            if signals::interrupted() {
                let name = run.name_of(ts);
                return Err(interrupted_or(
                    error,
                    &Hint::ExecKept { name: name.as_deref() }.to_string(),
                ));
            }
            let name = run.name_of(ts);
            let steps = next_steps(Stopped {
                phase: ts.phase.kind(),
                dry_run: run.plan.dry_run,
                name: name.as_deref(),
                worktree: &ts.worktree,
            });
            Ok(Some(Outcome::stopped(with_hints(error, steps))))
        }
    }
}

/// A dry run's end: the picked commits stay on the local branch, which the
/// user is told how to look at and delete; the job's state is forgotten.
fn keep_dry_run(run: &Run<'_>, ts: &JobState, worktree: &mut Worktree<'_>) -> Result<Outcome> {
    let target_name = ts.name();
    worktree.keep_branch();
    run.forget_job(ts)?;
    let branch = worktree.branch.clone();
    run.out.note(&format!(
        "Dry run: the picked commits are on the local branch {branch}; nothing was pushed"
    ));
    run.out
        .hint(&format!("look at it:  git log --stat {target_name}..'{branch}'"));
    run.out.hint(&format!("delete it:   git branch -D '{branch}'"));
    Ok(Outcome::DryRun { branch })
}

/// The job's worktree: made now from the target's tip for a fresh job
/// (with only the files the patches touch, unless a hook may look), or the
/// one a stopped run kept; and whether the job's state is saved already.
fn begin<'a>(run: &Run<'a>, start: Start, patches: &HashMap<u64, Vec<u8>>) -> Result<(JobState, Worktree<'a>, bool)> {
    Ok(match start {
        Start::Fresh(mut ts) => {
            let mut paths: Vec<Vec<u8>> = Vec::new();
            for patch in ts.remaining.iter().filter_map(|n| patches.get(n)) {
                for path in touched_paths(patch) {
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
            }
            let worktree = apply::add_worktree(
                run.git,
                run.out,
                &run.toplevel,
                &run.common_dir,
                &ts.remote_branch,
                &format!("refs/remotes/{}/{}", ts.remote, ts.branch),
                // A hook (git am's, pre-push, post-checkout) may look at any file.
                (!run.tree_hooks).then_some(paths.as_slice()),
            )
            .map_err(|e| interrupted_or(e, "nothing was left behind"))?;
            ts.local_branch = worktree.branch.clone();
            ts.worktree = worktree.path.clone();
            (ts, worktree, false)
        }
        Start::Resume(ts) => {
            let worktree = Worktree::existing(
                run.git,
                run.out,
                &run.toplevel,
                ts.worktree.clone(),
                ts.local_branch.clone(),
            );
            (ts, worktree, true)
        }
    })
}

/// After a resolution by hand (only that can commit them), refuses picked
/// commits that add conflict markers the pull requests do not add: the job
/// is kept as applied and not pushed.
fn refuse_markers(
    run: &Run<'_>,
    github: &GitHub<'_>,
    ts: &mut JobState,
    worktree: &mut Worktree<'_>,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<Option<Outcome>> {
    let target_name = ts.name();
    let markers = leftover_markers(run, github, ts, patches)?;
    if !markers.is_empty() {
        ts.phase = Phase::Push {
            exec_done: ts.phase.exec_done(),
        };
        worktree.keep();
        run.save_job(ts)?;
        let mut message = format!(
            "the picked commits for {target_name} add conflict markers that the pull requests themselves do not; nothing was pushed"
        );
        for marker in &markers {
            message.push_str(&format!("\n    {marker}"));
        }
        let failure = failed(message)
            .hint(format!(
                "remove them in {} and commit the fix there (`git commit --amend -a`, or a new commit)",
                ts.worktree.display()
            ))
            .hints(next_steps(Stopped {
                phase: ts.phase.kind(),
                dry_run: run.plan.dry_run,
                name: run.name_of(ts).as_deref(),
                worktree: &ts.worktree,
            }));
        return Ok(Some(Outcome::stopped(failure.into())));
    }
    Ok(None)
}

/// Where a target's apply loop goes next.
enum Next {
    Apply(u64),
    Settle(u64),
    Done,
}

/// One job being prepared: its progress and its worktree.
struct JobRun<'r, 'a> {
    run: &'r Run<'a>,
    github: &'r GitHub<'r>,
    patches: &'r HashMap<u64, Vec<u8>>,
    ts: JobState,
    worktree: Worktree<'a>,
    /// The job's state is saved (it stopped for the user once): nothing of
    /// it is removed on failure.
    persisted: bool,
    /// A lone job waits at the terminal for its conflicts.
    wait: bool,
    /// The user answered the wait with "push".
    answered: bool,
}

impl JobRun<'_, '_> {
    /// Applies the pull requests left; `Some` when it stopped for the user.
    fn apply_all(&mut self) -> Result<Option<Outcome>> {
        // HEAD after a `git am` of ours that finished, while nobody else has
        // touched the worktree since: no `git am` is in progress, and HEAD needs
        // no asking. (Saves two git processes per pull request.)
        let mut known_head: Option<String> = self.worktree.start.clone();
        let mut announced = false;
        if !self.persisted && self.ts.phase.current().is_none() && self.ts.remaining.len() > 1 {
            announced = true;
            if self.apply_series(&mut known_head)? {
                return Ok(None);
            }
        }
        loop {
            let next = match self.ts.phase {
                Phase::Conflict { current, .. } => Next::Settle(current),
                Phase::Retry { current, .. } => Next::Apply(current),
                _ if self.ts.remaining.is_empty() => Next::Done,
                _ => Next::Apply(self.ts.remaining.remove(0)),
            };
            let stopped = match next {
                Next::Done => return Ok(None),
                Next::Settle(n) => self.settle(n)?,
                Next::Apply(n) => self.apply_one(n, &mut known_head, announced)?,
            };
            if let Some(stopped) = stopped {
                return Ok(Some(stopped));
            }
        }
    }

    /// A fresh worktree: tries every pull request in one `git am`, each
    /// announced; `true` when all of them applied. If not, HEAD is where it
    /// began (`known_head`).
    fn apply_series(&mut self, known_head: &mut Option<String>) -> Result<bool> {
        let (run, patches) = (self.run, self.patches);
        let mut series = Vec::new();
        for n in &self.ts.remaining {
            announce(run, &self.ts, *n);
            series.push(patches.get(n).map(Vec::as_slice).unwrap_or_default());
        }
        let before = match known_head.take() {
            Some(head) => head,
            None => apply::head(&run.git, &self.worktree.path)?,
        };
        if self
            .worktree
            .apply_together(&series, run.plan.signoff, &before)?
            .is_some()
        {
            self.ts.applied.append(&mut self.ts.remaining);
            return Ok(true);
        }
        *known_head = Some(before);
        Ok(false)
    }

    /// Goes on with the pull request that stopped for the user: finishes
    /// its `git am` and records it if their resolution allows, else stops
    /// (or waits) again; `Some` when it stopped.
    fn settle(&mut self, n: u64) -> Result<Option<Outcome>> {
        let run = self.run;
        let dir = self.worktree.path.clone();
        if apply::am_in_progress(&run.git, &dir)? {
            match &self.ts.reused {
                // The user was told which resolution it is, and went on.
                Some(_) => reuse::stage(&run.git, &dir, &reuse::resolved_paths(&run.git, &dir)?)?,
                None => {
                    // Another job's resolution, recorded since the stop.
                    let resolved = reuse::replay(&run.git, &dir)?;
                    if !resolved.is_empty() {
                        let ids = &self.ts.conflict_ids;
                        self.ts.reused = Some(reuse::resolver(&run.git, &dir, &run.common_dir, ids, &resolved));
                        let why = format!(
                            "PR #{n}'s conflicts in {} were resolved as another target's were",
                            resolved.join(", ")
                        );
                        let files = apply::unmerged(&run.git, &dir)?;
                        return self.wait_or_stop(&why, &files, "");
                    }
                }
            }
        }
        match finish_am(&run.git, &dir)? {
            Settled::Done => {
                record(
                    run.out,
                    &run.git,
                    &run.common_dir,
                    &mut self.ts,
                    n,
                    self.patches.get(&n),
                )?;
                Ok(None)
            }
            Settled::Conflicts(files) => {
                let why = format!("PR #{n} still has conflicts");
                self.wait_or_stop(&why, &files, "")
            }
            Settled::Unresolved(detail) => {
                let why = format!("`git am` could not finish PR #{n}");
                self.wait_or_stop(&why, &[], &detail)
            }
        }
    }

    /// Applies pull request `n` (`known_head`: HEAD, if known, which it
    /// moves on), announced unless the series was; `Some` when it stopped
    /// for the user.
    fn apply_one(&mut self, n: u64, known_head: &mut Option<String>, announced: bool) -> Result<Option<Outcome>> {
        let run = self.run;
        let git = &run.git;
        let dir = self.worktree.path.clone();
        if known_head.is_none() && apply::am_in_progress(git, &dir)? {
            git.am_abort(&dir)?;
        }
        let patch = self
            .patches
            .get(&n)
            .ok_or_else(|| failed(format!("the patch of PR #{n} is missing")))?;
        if !announced {
            announce(run, &self.ts, n);
        }
        let before = match known_head.take() {
            Some(head) => head,
            None => apply::head(git, &dir).inspect_err(|_| {
                // Not begun: it stays to apply.
                if self.ts.phase.current() != Some(n) {
                    self.ts.remaining.insert(0, n);
                }
            })?,
        };
        // Should this stop half-way (Ctrl-C), it is applied again from the start.
        self.ts.phase = Phase::Retry {
            current: n,
            base: before.clone(),
        };
        match self.worktree.apply(n, patch, run.plan.signoff, &before)? {
            Attempt::Applied(Applied::Picked, after) => {
                finish_current(&mut self.ts, n, Ended::Picked);
                *known_head = Some(after);
            }
            Attempt::Applied(Applied::Fallback, after) => {
                let differences = crate::stages::disclose::measure(git, &dir, Some(patch.as_slice()), &before, &after);
                self.ts.changed.push(Changed {
                    number: n,
                    how: How::Fallback,
                    files: Vec::new(),
                    differences,
                    needs: Vec::new(),
                    reused: None,
                });
                finish_current(&mut self.ts, n, Ended::Picked);
                *known_head = Some(after);
            }
            Attempt::Applied(Applied::AlreadyThere, after) => {
                run.out
                    .note(&format!("  #{n} is already on {}: skipped", self.ts.name()));
                finish_current(&mut self.ts, n, Ended::AlreadyThere);
                *known_head = Some(after);
            }
            // The user may fix the cause (`Retry`: it is applied again) or
            // resolve the conflict (`Conflict`: `git am` is finished).
            Attempt::Stopped(stop) => return self.stop_at(n, patch, &before, stop),
        }
        Ok(None)
    }

    /// Pull request `n` stopped, applied on `before`: the job waits for the
    /// user, or stops (`Some`).
    fn stop_at(&mut self, n: u64, patch: &[u8], before: &str, stop: Stop) -> Result<Option<Outcome>> {
        self.ts.current_commits = apply::patch_commits(patch);
        self.ts.needs = match stop.kind {
            StopKind::Conflict => {
                let run = self.run;
                let target = format!("refs/remotes/{}/{}", self.ts.remote, self.ts.branch);
                let search = prereq::Search {
                    git: &run.git,
                    github: self.github,
                    repo: &run.plan.repo,
                    dir: &run.toplevel,
                    target: &target,
                    out: run.out,
                };
                let on = crate::cli::args::Target {
                    remote: self.ts.remote.clone(),
                    branch: self.ts.branch.clone(),
                };
                prereq::find_at_stop(&search, &on, n, patch, &stop.conflicts)
            }
            StopKind::Retry => Vec::new(),
        };
        let run = self.run;
        let dir = &self.worktree.path;
        self.ts.conflict_ids = reuse::conflict_ids(&run.git, dir);
        self.ts.reused = None;
        let resolved = match stop.kind {
            StopKind::Conflict => reuse::resolved_paths(&run.git, dir)?,
            StopKind::Retry => Vec::new(),
        };
        if !resolved.is_empty() {
            // rerere applied a resolution recorded before: named, not taken.
            let ids = &self.ts.conflict_ids;
            self.ts.reused = Some(reuse::resolver(&run.git, dir, &run.common_dir, ids, &resolved));
        }
        self.ts.phase = match stop.kind {
            StopKind::Conflict => Phase::Conflict {
                current: n,
                base: before.to_string(),
            },
            StopKind::Retry => Phase::Retry {
                current: n,
                base: before.to_string(),
            },
        };
        let why = match stop.kind {
            StopKind::Conflict => format!("PR #{n} does not apply cleanly to {}", self.ts.name()),
            StopKind::Retry => {
                format!("`git am` stopped on PR #{n} with nothing in conflict: this is not a conflict, git says why")
            }
        };
        self.wait_or_stop(&why, &stop.conflicts, &stop.detail)
    }

    /// Saves the state, tells the user what to do, and on a terminal waits
    /// for them as the script did. `None`: they say it is resolved; go on.
    fn wait_or_stop(&mut self, why: &str, files: &[String], detail: &str) -> Result<Option<Outcome>> {
        let run = self.run;
        for file in files {
            if !self.ts.conflicted.contains(file) {
                self.ts.conflicted.push(file.clone());
            }
        }
        self.worktree.keep();
        run.save_job(&self.ts)?;
        self.persisted = true;
        let dry_run = run.plan.dry_run;
        let name = run.name_of(&self.ts);
        let reused = |failure: Failure| match &self.ts.reused {
            Some(from) => failure.hint(reuse::reused_hint(
                from,
                &name.clone().unwrap_or_else(|| self.ts.name()),
            )),
            None => failure,
        };
        let stopped = |detail: &str| {
            let steps = next_steps(Stopped {
                phase: self.ts.phase.kind(),
                dry_run,
                name: name.as_deref(),
                worktree: &self.ts.worktree,
            });
            Outcome::Stopped {
                error: reused(stop_failure(&self.ts, why, files, detail)).hints(steps).into(),
                conflicts: files.to_vec(),
            }
        };
        if !run.interactive || !self.wait {
            return Ok(Some(stopped(detail)));
        }
        // Worded for the wait: the answer here goes on, not `--continue`.
        let steps = wait_steps(self.ts.phase.kind(), dry_run, &self.ts.worktree);
        let failure = reused(stop_failure(&self.ts, why, files, detail)).hints(steps);
        run.out.error(&anyhow::Error::from(failure));
        if let Some(from) = &self.ts.reused {
            // Shown before it is asked about: what the reused resolution makes of the files.
            let shown = reuse::show(&run.git, &self.ts.worktree, files);
            run.out.note(&format!("The resolution reused from {from}:\n{shown}"));
        }
        let question = if dry_run {
            "Resolve it in another window, then answer y to apply the rest; any other answer stops here."
        } else {
            "Resolve it in another window, then answer y to apply the rest, push and open the pull request; any other answer stops here."
        };
        match run.out.confirm(question) {
            Ok(Answer::Yes) => {
                self.worktree.release();
                // The answer was to push: the push is not asked about again.
                self.answered = true;
                Ok(None)
            }
            Ok(Answer::No) => Ok(Some(stopped(""))),
            Ok(Answer::None(why)) => {
                run.out.warn(&format!("no answer ({why}): stopped here"));
                Ok(Some(stopped("")))
            }
            Err(e) if was_interrupted(&e) => Err(Failure::new(
                Kind::Interrupted,
                Hint::ConflictKept { name: name.as_deref() }.to_string(),
            )
            .because(e)
            .into()),
            Err(e) => {
                run.out.warn(&format!("could not read the answer ({e}): stopped here"));
                Ok(Some(stopped("")))
            }
        }
    }
}

/// Tells the user which pull request is applied where.
fn announce(run: &Run<'_>, ts: &JobState, n: u64) {
    let title = run.plan.source(n).map(|p| p.title.as_str()).unwrap_or_default();
    let title = crate::safe::one_line(title);
    run.out.step(&format!("Applying #{n} to {}: {title}", ts.name()));
}

/// How one pull request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Picked,
    /// git found nothing to apply: the change is already on the target.
    AlreadyThere,
    /// The user skipped it while resolving.
    ByHand,
}

fn finish_current(ts: &mut JobState, n: u64, ended: Ended) {
    match ended {
        Ended::Picked => ts.applied.push(n),
        Ended::AlreadyThere => ts.skipped.push(n),
        Ended::ByHand => ts.by_hand.push(n),
    }
    ts.phase = Phase::Applying;
}

/// The current pull request, which stopped for the user, is done: applied
/// if HEAD moved past where it began. If it did not, the user skipped it
/// (`git am --skip` or `--abort` in the worktree): a stop means git did
/// find something to apply, so it is not "already there".
///
/// A pull request applied after a stop is disclosed: the files that were
/// in conflict, and how far the commits differ from its `patch`.
fn record(
    out: &Output,
    git: &Git<'_>,
    common_dir: &std::path::Path,
    ts: &mut JobState,
    n: u64,
    patch: Option<&Vec<u8>>,
) -> Result<()> {
    let head = apply::head(git, &ts.worktree)?;
    // The resolution is recorded (git's rerere): other targets may reuse it.
    let ids = std::mem::take(&mut ts.conflict_ids);
    let reused = ts.reused.take();
    let needs = std::mem::take(&mut ts.needs);
    if reused.is_none()
        && let Err(e) = reuse::remember(common_dir, &ids, &ts.branch)
    {
        out.debug(|| format!("the resolution's target is not kept: {e:#}"));
    }
    let files = std::mem::take(&mut ts.conflicted);
    let commits = std::mem::take(&mut ts.current_commits);
    let base = match &ts.phase {
        Phase::Conflict { base, .. } | Phase::Retry { base, .. } => Some(base.clone()),
        _ => None,
    };
    if base.as_deref() != Some(head.as_str()) {
        // The patch, else (after `--continue`) its commits, fetched with the pull request.
        let original = match patch {
            Some(patch) => Some(patch.clone()),
            None => crate::stages::disclose::commits_patch(git, &ts.worktree, &commits),
        };
        let differences = base
            .as_deref()
            .and_then(|base| crate::stages::disclose::measure(git, &ts.worktree, original.as_deref(), base, &head));
        ts.changed.push(Changed {
            number: n,
            how: How::ByHand,
            files,
            differences,
            needs,
            reused,
        });
        finish_current(ts, n, Ended::Picked);
    } else {
        out.warn(&format!(
            "#{n} was skipped by hand in the worktree: it is not picked onto {}",
            ts.name()
        ));
        finish_current(ts, n, Ended::ByHand);
    }
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
pub fn finish_am(git: &Git<'_>, dir: &std::path::Path) -> Result<Settled> {
    if !apply::am_in_progress(git, dir)? {
        return Ok(Settled::Done);
    }
    let files = apply::unmerged(git, dir)?;
    if !files.is_empty() {
        return Ok(Settled::Conflicts(files));
    }
    let continued = git.am_continue(dir)?;
    if continued.success {
        return Ok(Settled::Done);
    }
    let files = apply::unmerged(git, dir)?;
    if !files.is_empty() {
        return Ok(Settled::Conflicts(files));
    }
    Ok(Settled::Unresolved(continued.stderr))
}

/// The message of a stop: what happened, the conflicting paths, where the
/// worktree is, and what to run next.
pub fn stop_failure(ts: &JobState, why: &str, files: &[String], detail: &str) -> Failure {
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
    // With nothing in conflict (a hook said no, signing failed), it is no
    // conflict: exit 1, though the work is kept as for one.
    let kind = if files.is_empty() { Kind::Failed } else { Kind::Conflict };
    let mut failure = Failure::new(kind, message);
    if let Some(n) = ts.phase.current() {
        for need in &ts.needs {
            failure = failure.hint(need.needed_by(n, &ts.branch, false));
        }
    }
    failure
}

/// Conflict-marker lines that the commits picked onto the target add and
/// that no source pull request's own patch adds (a test fixture may hold
/// markers on purpose): `path:line: text` each. From `git diff --check`
/// between the target and HEAD.
fn leftover_markers(
    run: &Run<'_>,
    github: &GitHub<'_>,
    ts: &JobState,
    patches: &HashMap<u64, Vec<u8>>,
) -> Result<Vec<String>> {
    let range = format!("refs/remotes/{}/{}...HEAD", ts.remote, ts.branch);
    let checked = run
        .git
        .capture_parsed(&ts.worktree, &["diff", "--check", &range], None)?;
    let places = parse_markers(&checked.stdout);
    match checked.code() {
        // 2: something was found (markers, or whitespace, which is not ours to judge).
        Some(0 | 2) => {}
        _ => {
            checked.checked()?;
        }
    }
    if places.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut files: HashMap<String, String> = HashMap::new();
    for (path, number) in places {
        if !files.contains_key(&path) {
            let text = run.git.show_file(&ts.worktree, "HEAD", &path)?;
            files.insert(path.clone(), text);
        }
        let text = files
            .get(&path)
            .and_then(|t| t.lines().nth(number.saturating_sub(1)))
            .unwrap_or_default();
        found.push((format!("{path}:{number}"), text.trim_end_matches('\r').to_string()));
    }
    let missing: Vec<u64> = ts
        .applied
        .iter()
        .copied()
        .filter(|n| !patches.contains_key(n))
        .collect();
    let made = if missing.is_empty() {
        Vec::new()
    } else {
        let (repo, upstream) = (&run.plan.repo, run.plan.upstream.clone());
        let local = crate::stages::verify::Local {
            git: &run.git,
            dir: &run.toplevel,
            upstream: &upstream,
            out: run.out,
        };
        crate::stages::gather::patches(github, &local, repo, &missing)?
    };
    let sources: Vec<&[u8]> = ts
        .applied
        .iter()
        .filter_map(|n| patches.get(n))
        .map(Vec::as_slice)
        .chain(made.iter().map(Vec::as_slice))
        .collect();
    Ok(found
        .into_iter()
        .filter(|(_, line)| !sources.iter().any(|patch| adds_line(patch, line)))
        .map(|(at, line)| format!("{at}: {line}"))
        .collect())
}

/// `git diff --check` output: the path and line number of each leftover
/// conflict marker (its other findings, such as whitespace, are followed by
/// the line itself, which is skipped).
fn parse_markers(output: &str) -> Vec<(String, usize)> {
    output
        .lines()
        .filter_map(|line| line.strip_suffix(": leftover conflict marker"))
        .filter_map(|at| {
            let (path, number) = at.rsplit_once(':')?;
            Some((path.to_string(), number.parse().ok()?))
        })
        .collect()
}

/// Whether `patch` adds the line `text`.
fn adds_line(patch: &[u8], text: &str) -> bool {
    patch
        .split(|b| *b == b'\n')
        .filter_map(|l| l.strip_prefix(b"+"))
        .filter(|l| !l.starts_with(b"++"))
        .any(|l| l.strip_suffix(b"\r").unwrap_or(l) == text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_from_git_diff_check() {
        let output = "pkg/a.go:3: leftover conflict marker\npkg/a.go:5: trailing whitespace.\n+x \na:b.go:17: leftover conflict marker\nx:y: leftover conflict marker\n";
        assert_eq!(
            parse_markers(output),
            vec![("pkg/a.go".to_string(), 3), ("a:b.go".to_string(), 17)]
        );
        assert!(parse_markers("").is_empty());
    }

    #[test]
    fn a_line_a_patch_adds_is_found() {
        let patch = b"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+<<<<<<< fixture\r\n context\n";
        assert!(adds_line(patch, "<<<<<<< fixture"));
        assert!(!adds_line(patch, "old"));
        assert!(!adds_line(patch, "+ b/x"));
        assert!(!adds_line(patch, "context"));
    }
}
