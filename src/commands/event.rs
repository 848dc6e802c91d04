//! `--from-event`: the tool as a GitHub Actions step. It reads the event
//! that started the workflow run, decides what it asks for (a merged pull
//! request's candidate labels, a label added after the merge, `/cherrypick`
//! comments), backports, and reports on the source pull request, in
//! `$GITHUB_OUTPUT` and in `$GITHUB_STEP_SUMMARY`.

use std::io::Write as _;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use crate::cli::Cli;
use crate::cli::args::{Mode, Target};
use crate::cli::session::Session;
use crate::cli::settings::{Env, Jobs, Selection, Settings};
use crate::commands::backported::{COMMENTS, MARKER};
use crate::errors::{Failure, Kind, failed, usage};
use crate::git::Git;
use crate::github::GitHub;
use crate::github::{ACTIONS_MAY_NOT_OPEN, ACTIONS_SETTING};
use crate::output::Output;
use crate::plan::state::JobState;
use crate::plan::state::Pushed;
use crate::run::report::{Outcome, Report};
use crate::stages::candidates::{self, Related, State};

/// The most pull requests against a target read to find a cherry pick made
/// for an earlier delivery of the event.
const LISTED: usize = 1000;
/// What an event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing: why, for the log.
    Ignore(String),
    /// Backport merged pull request `pr` onto `branches`.
    Backport { pr: u64, branches: Vec<String> },
    /// `/cherrypick` comments on `pr`: backport now if it is merged, else
    /// label it so that the merge does, unless it is closed (`merged`,
    /// `open`: as the event says, when it does).
    Request {
        pr: u64,
        branches: Vec<String>,
        merged: Option<bool>,
        open: Option<bool>,
    },
    /// A pull request from a branch of the repository named as the tool
    /// names its cherry picks was merged or closed: the status of the
    /// cherry pick, on its sources' comments, if it is one.
    Closed(crate::commands::backported::Closed),
}

/// The branch a candidate label names under `template` (`cherrypick/{branch}`).
pub fn branch_of_label(template: &str, label: &str) -> Option<String> {
    let (prefix, suffix) = template.split_once("{branch}")?;
    let branch = label.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!branch.is_empty() && !branch.contains(char::is_whitespace)).then(|| branch.to_string())
}

/// The branches of the candidate labels among `labels`, each once, in order.
fn branches_of_labels<'a>(labels: impl IntoIterator<Item = &'a str>, templates: &[String]) -> Vec<String> {
    let mut branches = Vec::new();
    for label in labels {
        for template in templates {
            if let Some(branch) = branch_of_label(template, label)
                && !branches.contains(&branch)
            {
                branches.push(branch);
            }
        }
    }
    branches
}

/// The branches `/cherrypick BRANCH` lines of a comment ask for, each once.
pub fn requested_branches(comment: &str) -> Vec<String> {
    let mut branches = Vec::new();
    for line in comment.lines() {
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("/cherrypick" | "/cherry-pick")) {
            continue;
        }
        if let Some(branch) = words.next()
            && !branches.iter().any(|b| b == branch)
        {
            branches.push(branch.to_string());
        }
    }
    branches
}

/// What the event `name` with payload `event` asks for.
pub fn decide(name: &str, event: &Value, templates: &[String], allowed: &[String]) -> Decision {
    let action = event["action"].as_str().unwrap_or_default();
    match name {
        "pull_request" | "pull_request_target" => {
            let pull = &event["pull_request"];
            let Some(pr) = pull["number"].as_u64() else {
                return Decision::Ignore("the event names no pull request".into());
            };
            let merged = pull["merged"].as_bool() == Some(true);
            let head = pull["head"]["ref"].as_str().unwrap_or_default();
            match action {
                "closed" if head.starts_with(crate::text::BRANCH_PREFIX) => {
                    let ours = pull["head"]["repo"]["full_name"].as_str().is_some()
                        && pull["head"]["repo"]["full_name"] == event["repository"]["full_name"];
                    if !ours {
                        return Decision::Ignore(format!(
                            "PR #{pr} is from another repository: no cherry pick this workflow opened"
                        ));
                    }
                    Decision::Closed(crate::commands::backported::Closed {
                        pr,
                        merged,
                        head: head.to_string(),
                        base: pull["base"]["ref"].as_str().unwrap_or_default().to_string(),
                    })
                }
                "closed" if merged => {
                    let labels = pull["labels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|l| l["name"].as_str());
                    let branches = branches_of_labels(labels, templates);
                    if branches.is_empty() {
                        Decision::Ignore(format!("PR #{pr} was merged with no candidate label"))
                    } else {
                        Decision::Backport { pr, branches }
                    }
                }
                "closed" => Decision::Ignore(format!("PR #{pr} was closed without being merged")),
                "labeled" => {
                    let label = event["label"]["name"].as_str().unwrap_or_default();
                    let branches = branches_of_labels([label], templates);
                    if branches.is_empty() {
                        Decision::Ignore(format!("`{label}` is not a candidate label"))
                    } else if !merged {
                        Decision::Ignore(format!("PR #{pr} is not merged yet: its merge will backport it"))
                    } else {
                        Decision::Backport { pr, branches }
                    }
                }
                other => Decision::Ignore(format!("nothing to do when a pull request is {other}")),
            }
        }
        "issue_comment" => {
            let issue = &event["issue"];
            let Some(pr) = issue["number"].as_u64() else {
                return Decision::Ignore("the event names no issue".into());
            };
            if action != "created" {
                return Decision::Ignore(format!("nothing to do when a comment is {action}"));
            }
            if issue["pull_request"].is_null() {
                return Decision::Ignore(format!("#{pr} is an issue, not a pull request"));
            }
            let comment = &event["comment"];
            let branches = requested_branches(comment["body"].as_str().unwrap_or_default());
            if branches.is_empty() {
                return Decision::Ignore("the comment asks for no cherry pick".into());
            }
            let association = comment["author_association"].as_str().unwrap_or("NONE");
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(association)) {
                let login = comment["user"]["login"].as_str().unwrap_or("someone");
                return Decision::Ignore(format!(
                    "@{login} ({association}) may not ask for cherry picks; only {} may",
                    allowed.join(", ")
                ));
            }
            let merged = match &issue["pull_request"]["merged_at"] {
                Value::String(_) => Some(true),
                Value::Null if issue["pull_request"].get("merged_at").is_some() => Some(false),
                _ => None,
            };
            let open = match issue["state"].as_str() {
                Some("open") => Some(true),
                Some("closed") => Some(false),
                _ => None,
            };
            Decision::Request {
                pr,
                branches,
                merged,
                open,
            }
        }
        other => Decision::Ignore(format!("nothing to do on a `{other}` event")),
    }
}

/// How one requested branch ended, for the comment and the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ended {
    /// A cherry-pick pull request exists: made now, or for an earlier delivery.
    Proposed {
        number: Option<u64>,
        url: String,
    },
    /// The change is on the branch already.
    AlreadyThere,
    /// Labelled, for the merge to backport.
    Labelled {
        label: String,
    },
    Conflict {
        files: Vec<String>,
        /// What the pull request needs that the branch lacks, in sentences.
        needs: Vec<String>,
    },
    Failed {
        /// In a line.
        error: String,
        /// Whole, as git or GitHub said it.
        words: String,
        /// What else the comment says: what became of a branch pushed,
        /// what to change; sentences, or empty.
        after: String,
    },
    /// `/cherrypick` on a pull request closed without being merged.
    ClosedUnmerged,
    NoSuchBranch,
    /// A maintainer's pull request says it is the cherry pick, though its
    /// commits differ (a conflict resolved by hand).
    Vouched {
        number: u64,
    },
}

/// One line of results: the branch and how it ended.
type Line = (String, Ended);

/// Runs `--from-event` and reports its jobs as any run does (`format`),
/// plus a failed one per branch that does not exist. The outputs are
/// written before the comment is tried, so that a comment GitHub refuses
/// fails the step (exit 1) without losing them.
pub fn run(cli: &Cli, session: &Session<'_>, format: crate::run::report::Format) -> Result<()> {
    let Session { env, git, out, .. } = *session;
    let (name, path) = match (env.get("GITHUB_EVENT_NAME"), env.get("GITHUB_EVENT_PATH")) {
        (Some(name), Some(path)) => (name.to_string(), path.to_string()),
        _ => {
            return Err(usage(
                "--from-event reads the GitHub Actions event, but GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set",
            )
            .hint("run it as a step of a GitHub Actions workflow; see \"Automatic backports\" in the README")
            .into());
        }
    };
    let event: Value = std::fs::read(&path)
        .map_err(anyhow::Error::new)
        .and_then(|bytes| Ok(serde_json::from_slice(&bytes)?))
        .map_err(|e| failed(format!("reading the event payload {path}")).because(e))?;

    let settings = crate::cli::settings::resolve(cli, &Mode::Event, session)?;
    let decision = decide(
        &name,
        &event,
        &settings.candidate_labels,
        &settings.allowed_associations,
    );
    out.debug(|| format!("event {name}: {decision:?}"));
    let mut closed = None;
    let asked = match decision {
        Decision::Ignore(why) => {
            out.note(&format!("Nothing to do: {why}."));
            return Ok(());
        }
        Decision::Backport { pr, branches } => Some(Asked {
            pr,
            branches,
            merged: Some(true),
            open: Some(false),
        }),
        Decision::Request {
            pr,
            branches,
            merged,
            open,
        } => Some(Asked {
            pr,
            branches,
            merged,
            open,
        }),
        Decision::Closed(pull) => {
            closed = Some(pull);
            None
        }
    };
    let (found, github) = crate::run::connect_for(session, &settings, false)?;
    let acted = match asked {
        Some(asked) => act(session, &settings, &github, asked),
        None => {
            let settled = closed.map_or(Ok(()), |closed| {
                crate::commands::backported::settle(session, &settings, &github, &closed)
            });
            crate::github::token::report_to_helper(&found, &git, &session.located.toplevel, out, &github);
            return settled;
        }
    };
    crate::github::token::report_to_helper(&found, &git, &session.located.toplevel, out, &github);
    let Acted {
        reports,
        failure,
        comment,
    } = acted?;
    let reported = match failure {
        Some(error) => Err(error),
        None => crate::run::report::report(reports, out, format),
    };
    match (reported, comment) {
        (reported, None) => reported,
        (Ok(()), Some(comment)) => Err(comment),
        // Both are said; the comment's failure decides the exit status (1).
        (Err(error), Some(comment)) => {
            out.error(&error);
            Err(comment)
        }
    }
}

/// What an event asks of a pull request: `merged` and `open` as the event
/// says (`None`: it does not).
struct Asked {
    pr: u64,
    branches: Vec<String>,
    merged: Option<bool>,
    open: Option<bool>,
}

/// How acting on an event ended: the jobs' reports; a failure that let no
/// job begin; and the comment's failure, when GitHub refused it (the
/// outputs are written all the same).
struct Acted {
    reports: Vec<Report>,
    failure: Option<anyhow::Error>,
    comment: Option<anyhow::Error>,
}

/// Backports or labels, then reports to the workflow and on the pull request.
fn act(session: &Session<'_>, settings: &Settings, github: &GitHub<'_>, asked: Asked) -> Result<Acted> {
    let Session { env, git, out, located } = *session;
    let options = &settings.options;
    let repo = &options.repo;
    let pr = asked.pr;
    let (merged, closed) = merged_or_closed(github, repo, &asked)?;
    let existing = remote_branches(&git, &located.toplevel, &options.upstream)?;
    let mut lines: Vec<Line> = Vec::new();
    let mut wanted: Vec<String> = Vec::new();
    for branch in asked.branches.iter().cloned() {
        if existing.contains(&branch) {
            wanted.push(branch);
        } else {
            lines.push((branch, Ended::NoSuchBranch));
        }
    }
    let mut reports = Vec::new();
    let mut failure = None;
    if closed {
        // Its merge will never come: a label would promise what never happens.
        out.note(&format!(
            "PR #{pr} is closed and not merged: nothing to cherry pick; no label added"
        ));
        for branch in wanted {
            lines.push((branch, Ended::ClosedUnmerged));
        }
    } else if !merged {
        lines.extend(label_for_merge(session, settings, github, pr, wanted)?);
    } else {
        let backported = backport(session, settings, github, pr, wanted)?;
        lines.extend(backported.lines);
        reports = backported.reports;
        failure = backported.failure;
    }
    // Keep the order the event asked for.
    lines.sort_by_key(|(b, _)| asked.branches.iter().position(|o| o == b));
    for (branch, result) in &lines {
        if *result == Ended::NoSuchBranch {
            let job = JobState::new(&options.upstream, branch, &[pr]);
            let error = failed(format!("there is no branch `{branch}` in {repo}"));
            reports.push(Report {
                job,
                outcome: Outcome::Failed(error.into()),
            });
        }
    }
    // The outputs first: whatever becomes of the comment, the workflow has them.
    write_outputs(env, &reports, &lines, pr, repo)?;
    let comment = post_comment(github, out, repo, pr, &lines).err();
    Ok(Acted {
        reports,
        failure,
        comment,
    })
}

/// Whether the pull request is merged, and whether it is closed without
/// being merged: as the event says, else as GitHub does.
fn merged_or_closed(github: &GitHub<'_>, repo: &crate::github::Repo, asked: &Asked) -> Result<(bool, bool)> {
    Ok(match (asked.merged, asked.open) {
        (Some(true), _) => (true, false),
        (Some(false), Some(open)) => (false, !open),
        _ => {
            let pull = github.pull(repo, asked.pr).map_err(|e| github.explain(e))?;
            let merged = pull.is_merged() == Some(true);
            (merged, !merged && pull.state.as_deref() == Some("closed"))
        }
    })
}

/// prow's way for a pull request not merged yet: the candidate label of
/// each branch makes its merge backport it.
fn label_for_merge(
    session: &Session<'_>,
    settings: &Settings,
    github: &GitHub<'_>,
    pr: u64,
    wanted: Vec<String>,
) -> Result<Vec<Line>> {
    let template = settings
        .candidate_labels
        .first()
        .map_or("cherrypick/{branch}", String::as_str);
    let labels: Vec<String> = wanted
        .iter()
        .map(|b| crate::text::candidate_label(template, b))
        .collect();
    if !labels.is_empty() {
        github
            .add_labels(&settings.options.repo, pr, &labels)
            .map_err(|e| github.explain(e))?;
    }
    let mut lines = Vec::new();
    for (branch, label) in wanted.into_iter().zip(labels) {
        session.out.step(&format!(
            "Labelled PR #{pr} `{label}`: its merge will backport it to {branch}"
        ));
        lines.push((branch, Ended::Labelled { label }));
    }
    Ok(lines)
}

/// What backporting a merged pull request did: a line per branch, the
/// jobs' reports, and a failure that let no job begin.
struct Backported {
    lines: Vec<Line>,
    reports: Vec<Report>,
    failure: Option<anyhow::Error>,
}

/// Backports merged `pr` onto each `wanted` branch that has no cherry pick
/// of it yet.
fn backport(
    session: &Session<'_>,
    settings: &Settings,
    github: &GitHub<'_>,
    pr: u64,
    wanted: Vec<String>,
) -> Result<Backported> {
    let out = session.out;
    let upstream = &settings.options.upstream;
    let mut done = Backported {
        lines: Vec::new(),
        reports: Vec::new(),
        failure: None,
    };
    let mut to_do = Vec::new();
    for branch in wanted {
        let target = Target {
            remote: upstream.clone(),
            branch: branch.clone(),
        };
        match earlier_cherry_pick(session, settings, github, &target, pr)? {
            Some(related) => {
                let result = if related.evidence == candidates::Evidence::Maintainer {
                    out.note(&format!(
                        "PR #{pr} already has a cherry pick onto {branch}: {}",
                        candidates::Done::Proposed(related.clone())
                    ));
                    Ended::Vouched { number: related.number }
                } else {
                    out.note(&format!(
                        "PR #{pr} already has a cherry pick onto {branch}: #{}",
                        related.number
                    ));
                    Ended::Proposed {
                        number: Some(related.number),
                        url: related.url,
                    }
                };
                done.lines.push((branch, result));
            }
            None => to_do.push(branch),
        }
    }
    if to_do.is_empty() {
        return Ok(done);
    }
    let jobs = Jobs {
        selection: Selection::Given,
        targets: (to_do.iter())
            .map(|branch| Target {
                remote: upstream.clone(),
                branch: branch.clone(),
            })
            .collect(),
        prs: vec![pr],
    };
    match crate::commands::pick::run(session, settings, &jobs) {
        Ok(ran) => {
            for report in ran {
                let (line, report) = settle(report, pr, &settings.options.fork);
                done.lines.push(line);
                done.reports.push(report);
            }
        }
        // Cancelled: the workflow run says so; no comment.
        Err(error) if crate::errors::kind_of(&error) == Kind::Interrupted => return Err(error),
        // Nothing was begun (the run left nothing): each branch says why.
        Err(error) => {
            for branch in to_do {
                let ended = Ended::Failed {
                    error: first_line(&error),
                    words: deepest(&error),
                    after: String::new(),
                };
                done.lines.push((branch, ended));
            }
            done.failure = Some(error);
        }
    }
    Ok(done)
}

/// Comments the results on the source pull request, unless an earlier
/// comment says the same.
fn post_comment(github: &GitHub<'_>, out: &Output, repo: &crate::github::Repo, pr: u64, lines: &[Line]) -> Result<()> {
    // As it is posted (no token, no controls), to find it among the comments.
    let body = github.posted(&comment(pr, lines, repo));
    let not_commented = |e: crate::github::ApiError| -> anyhow::Error {
        failed(format!(
            "the results were not commented on PR #{pr}; the step's outputs and job summary have them"
        ))
        .hint("re-running the job comments them: the cherry picks made are found, not made again")
        .because(github.explain(e))
        .into()
    };
    let said = github
        .comments(repo, pr, COMMENTS)
        .map_err(not_commented)?
        .iter()
        .any(|c| c.body.as_deref() == Some(body.as_str()));
    if said {
        out.note(&format!("PR #{pr} has this comment already: not commenting again"));
    } else {
        github.comment(repo, pr, &body).map_err(not_commented)?;
        out.step(&format!("Commented the results on PR #{pr}"));
    }
    Ok(())
}

/// The branches of `remote` (one `git ls-remote`).
fn remote_branches(git: &Git<'_>, dir: &Path, remote: &str) -> Result<Vec<String>> {
    let listed = git
        .ls_remote_heads(dir, remote, &[])
        .map_err(|e| failed(format!("listing the branches of the `{remote}` remote")).because(e))?;
    Ok(listed.into_iter().map(|head| head.name).collect())
}

/// An open or merged cherry pick of `pr` against `branch` that counts: one
/// made for an earlier delivery of the same event, or by hand, whose
/// commits carry `pr`'s change (or, where they differ, opened by a
/// maintainer). What anyone else wrote in a title, body or branch name is
/// no reason to skip the backport, and is never named on the source pull
/// request: only in the log.
fn earlier_cherry_pick(
    session: &Session<'_>,
    settings: &Settings,
    github: &GitHub<'_>,
    target: &Target,
    pr: u64,
) -> Result<Option<Related>> {
    let Session { git, out, located, .. } = *session;
    let git = &git;
    let repo = &settings.options.repo;
    let pulls = github
        .list_pulls(repo, &target.branch, "all", LISTED)
        .map_err(|e| github.explain(e))?;
    let claims = candidates::claims_of(&pulls, target);
    if claims
        .get(&pr)
        .is_none_or(|c| c.iter().all(|c| c.related.state == State::Closed))
    {
        return Ok(None);
    }
    let source = github.pull(repo, pr).map_err(|e| github.explain(e))?;
    let (found, ignored) = candidates::proposal_for(&source, &pulls, target, git, &located.toplevel)?;
    for claim in ignored {
        out.note(&format!(
            "#{} says it cherry picks #{pr} onto {}, but its commits differ and its author may not write to {repo}: not taken as its backport",
            claim.number, target.branch
        ));
    }
    Ok(found)
}

/// How a job ended, as a line of results. A stopped job left nothing in a
/// workflow (the plan said so, and the flow discarded it): its report names
/// a branch it pushed that could not be deleted, and says how to do it by
/// hand (and, as the worktree is gone, the outputs name none).
fn settle(report: Report, pr: u64, fork: &str) -> (Line, Report) {
    let Report { job, outcome } = report;
    let branch = job.branch.clone();
    let (result, outcome) = match outcome {
        Outcome::Published { url, .. } => (
            Ended::Proposed {
                number: url.rsplit('/').next().and_then(|n| n.parse().ok()),
                url: url.clone(),
            },
            Outcome::Published { url, existed: false },
        ),
        Outcome::AlreadyPresent => (Ended::AlreadyThere, Outcome::AlreadyPresent),
        Outcome::Stopped { error, conflicts } => settle_stopped(&job, error, conflicts, pr, fork),
        Outcome::Failed(error) => (
            Ended::Failed {
                error: first_line(&error),
                words: deepest(&error),
                after: String::new(),
            },
            Outcome::Failed(error),
        ),
        other @ (Outcome::DryRun { .. } | Outcome::SkippedByHand) => (
            Ended::Failed {
                error: "nothing was pushed".into(),
                words: String::new(),
                after: String::new(),
            },
            other,
        ),
    };
    ((branch, result), Report { job, outcome })
}

/// A stopped job as a line of results, and its stop worded anew for a
/// workflow: what stopped it, what became of a branch it pushed, and how to
/// do it by hand.
fn settle_stopped(
    job: &JobState,
    error: anyhow::Error,
    conflicts: Vec<String>,
    pr: u64,
    fork: &str,
) -> (Ended, Outcome) {
    let branch = &job.branch;
    let by_hand = format!("git cherry-pick-pr upstream/{branch} {pr}");
    let refused = error.chain().any(|e| e.to_string().contains(ACTIONS_MAY_NOT_OPEN));
    // The flow left nothing behind: what became of a branch pushed.
    let (left, mut after) = left_behind(job, fork);
    if refused {
        after.push(format!(
            "A repository admin can let workflows open pull requests: {ACTIONS_SETTING}."
        ));
    }
    let (kind, result) = if conflicts.is_empty() {
        (
            Kind::Failed,
            Ended::Failed {
                error: first_line(&error),
                words: deepest(&error),
                after: after.join(" "),
            },
        )
    } else {
        (
            Kind::Conflict,
            Ended::Conflict {
                files: conflicts.clone(),
                needs: needs(job, pr, true),
            },
        )
    };
    let why = first_line(&error);
    let mut failure = Failure::new(
        kind,
        format!("PR #{pr} could not be picked onto {branch} ({why}): {left}"),
    )
    // What stopped it, without the hints of a stop that is no more.
    .because(anyhow::Error::msg(deepest(&error)));
    if refused {
        failure = failure.hint(format!(
            "a repository admin can let workflows open pull requests: {ACTIONS_SETTING}"
        ));
    }
    if let Some(Pushed::Left { .. }) = job.pushed {
        failure = failure.hint(format!(
            "delete the branch: git push {fork} --delete '{}'",
            job.remote_branch
        ));
    }
    let failure = needs(job, pr, false)
        .into_iter()
        .fold(failure, |failure, need| failure.hint(need))
        .hint(format!("do it by hand: {by_hand}"));
    (
        result,
        Outcome::Stopped {
            error: failure.into(),
            conflicts,
        },
    )
}

/// What the pull request a job stopped on needs that its branch lacks, in
/// sentences (`code`: places as Markdown code).
fn needs(job: &JobState, pr: u64, code: bool) -> Vec<String> {
    let of = job.phase.current().unwrap_or(pr);
    (job.needs.iter())
        .map(|need| need.needed_by(of, &job.branch, code))
        .collect()
}

/// What became of the branch a stopped job pushed: in the log's words,
/// and as sentences for the comment.
fn left_behind(job: &JobState, fork: &str) -> (String, Vec<String>) {
    let mut after = Vec::new();
    let left = match &job.pushed {
        Some(Pushed::Deleted) => {
            after.push("Its branch was deleted: nothing was left behind.".to_string());
            "nothing was left behind".to_string()
        }
        Some(Pushed::Left { why }) => {
            let name = &job.remote_branch;
            after.push(format!(
                "Its branch `{name}` is left in this repository ({why}); delete it once it is not needed: `git push {fork} --delete '{name}'`."
            ));
            format!("the branch {name} pushed to {fork} is left there ({why})")
        }
        None => "nothing was left behind".to_string(),
    };
    (left, after)
}

/// An error in one line: its own message's first line and, when it has a
/// cause, that cause's first line.
fn first_line(error: &anyhow::Error) -> String {
    let top = crate::run::report::first_line(error);
    match error.chain().nth(1).map(|cause| cause.to_string()) {
        Some(cause) => match cause.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(cause) if cause != top => format!("{top}: {cause}"),
            _ => top,
        },
        None => top,
    }
}

/// The deepest cause of an error, whole: git's or GitHub's own words.
fn deepest(error: &anyhow::Error) -> String {
    error
        .chain()
        .last()
        .map(|e| e.to_string())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A result in words, for markdown.
fn describe(result: &Ended, pr: u64, branch: &str, repo: &crate::github::Repo) -> String {
    let by_hand = format!("`git cherry-pick-pr upstream/{branch} {pr}`");
    match result {
        Ended::Proposed { number: Some(n), .. } => format!("#{n}"),
        Ended::Proposed { number: None, url } => url.clone(),
        Ended::Vouched { number } => {
            format!("#{number} by a maintainer says it picks #{pr}; its commits differ")
        }
        Ended::AlreadyThere => "already on the branch: nothing to do".into(),
        Ended::Labelled { label } => format!("labelled `{label}`: it will be cherry picked when merged"),
        Ended::Conflict { files, needs } => format!(
            "❌ conflicts in {}; {}nothing was left behind. Do it by hand: {by_hand}",
            files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
            needs.iter().map(|n| format!("{n}; ")).collect::<String>()
        )
        .replace('|', "\\|"),
        Ended::Failed { error, after, .. } => {
            let after = if after.is_empty() {
                String::new()
            } else {
                format!(" {after}")
            };
            format!("❌ {error}.{after} Do it by hand: {by_hand}").replace('|', "\\|")
        }
        Ended::ClosedUnmerged => format!("❌ #{pr} is closed and not merged: nothing was labelled or picked"),
        Ended::NoSuchBranch => format!("❌ there is no branch `{branch}` in {repo}"),
    }
}

/// The markdown table of the results, then what git or GitHub said of
/// each failure, folded; each `words` at most `room` characters (`None`:
/// whole), cut at a line with a note that says where the rest is.
fn table(pr: u64, lines: &[Line], repo: &crate::github::Repo, room: Option<usize>) -> String {
    let mut text = String::from("| branch | cherry pick |\n|---|---|\n");
    for (branch, result) in lines {
        text.push_str(&format!("| `{branch}` | {} |\n", describe(result, pr, branch, repo)));
    }
    for (branch, result) in lines {
        if let Ended::Failed { words, .. } = result
            && !words.is_empty()
        {
            let words = match room {
                Some(room) if words.chars().count() > room => format!(
                    "{}\n{CUT_WORDS}",
                    crate::text::cut_at_line(words, room.saturating_sub(CUT_WORDS.chars().count() + 1))
                ),
                _ => words.clone(),
            };
            let fence = if words.contains("```") { "~~~~" } else { "```" };
            text.push_str(&format!(
                "\n<details><summary>What stopped <code>{branch}</code></summary>\n\n{fence}\n{words}\n{fence}\n</details>\n"
            ));
        }
    }
    text
}

/// Ends what git or GitHub said when the comment has no room for all of it.
const CUT_WORDS: &str = "(cut to fit GitHub's limit; the whole of it is in the workflow run's log)";

/// The comment on the source pull request, within GitHub's limit for a
/// comment (`text::BODY_LIMIT`): when it is longer, what git or GitHub said
/// of the failures is cut, the longest first, to equal shares of the room. The
/// same results make the same text, so that a delivery of the same event
/// again says nothing new.
fn comment(pr: u64, lines: &[Line], repo: &crate::github::Repo) -> String {
    let limit = crate::text::BODY_LIMIT;
    let whole = |room| format!("{MARKER}\nCherry picks of #{pr}:\n\n{}", table(pr, lines, repo, room));
    let text = whole(None);
    let length = text.chars().count();
    if length <= limit {
        return text;
    }
    let mut said: Vec<usize> = lines
        .iter()
        .filter_map(|(_, result)| match result {
            Ended::Failed { words, .. } if !words.is_empty() => Some(words.chars().count()),
            _ => None,
        })
        .collect();
    said.sort_unstable();
    // The shortest are whole while they take no more than their share; the
    // rest get an equal share of what is left.
    let mut left = limit.saturating_sub(length - said.iter().sum::<usize>());
    let mut room = 0;
    for (i, &count) in said.iter().enumerate() {
        let share = left / (said.len() - i);
        if count > share {
            room = share;
            break;
        }
        left -= count;
    }
    // A table too long by itself (branches by the thousand) is cut all the same.
    crate::text::truncate(&whole(Some(room)), limit)
}

/// Appends the URLs of the new pull requests and the jobs JSON to
/// `$GITHUB_OUTPUT`, and the table to `$GITHUB_STEP_SUMMARY`, when set.
fn write_outputs(env: &Env, reports: &[Report], lines: &[Line], pr: u64, repo: &crate::github::Repo) -> Result<()> {
    if let Some(path) = env.get("GITHUB_OUTPUT") {
        let urls: String = reports
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Published { url, .. } => Some(format!("{url}\n")),
                _ => None,
            })
            .collect();
        let jobs = crate::run::report::jobs_json(reports)?;
        let text = format!("{}jobs={jobs}\n", multiline_output("urls", &urls, random_hex));
        append(path, &text)?;
    }
    if let Some(path) = env.get("GITHUB_STEP_SUMMARY") {
        append(
            path,
            &format!("### Cherry picks of #{pr}\n\n{}\n", table(pr, lines, repo, None)),
        )?;
    }
    Ok(())
}

/// `name<<DELIMITER`, `value` (ending with a newline when not empty), then
/// the delimiter's line: a multi-line value in `$GITHUB_OUTPUT`. The
/// delimiter is `ghadelimiter_` and random hex (`random`), as GitHub's
/// documentation advises, and never one whose line is in the value.
fn multiline_output(name: &str, value: &str, mut random: impl FnMut() -> String) -> String {
    let delimiter = loop {
        let delimiter = format!("ghadelimiter_{}", random());
        if !value.lines().any(|l| l.contains(&delimiter)) {
            break delimiter;
        }
    };
    let value = if value.is_empty() || value.ends_with('\n') {
        value.to_string()
    } else {
        format!("{value}\n")
    };
    format!("{name}<<{delimiter}\n{value}{delimiter}\n")
}

/// 128 random bits in hex.
fn random_hex() -> String {
    format!("{:032x}", fastrand::u128(..))
}

fn append(path: &str, text: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| failed(format!("opening {path} to write the step's results")).because(e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| failed(format!("writing the step's results to {path}")).because(e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn templates() -> Vec<String> {
        vec!["cherrypick/{branch}".into()]
    }

    fn allowed() -> Vec<String> {
        ["OWNER", "MEMBER", "COLLABORATOR"].map(String::from).to_vec()
    }

    #[test]
    fn labels_name_branches_through_templates() {
        assert_eq!(
            branch_of_label("cherrypick/{branch}", "cherrypick/release-3.1").as_deref(),
            Some("release-3.1")
        );
        assert_eq!(
            branch_of_label("backport-{branch}-please", "backport-v1-please").as_deref(),
            Some("v1")
        );
        assert_eq!(branch_of_label("cherrypick/{branch}", "cherrypick/"), None);
        assert_eq!(branch_of_label("cherrypick/{branch}", "kind/bug"), None);
        assert_eq!(branch_of_label("needs-backport", "needs-backport"), None);
        assert_eq!(
            branches_of_labels(
                ["kind/bug", "cherrypick/a", "cherrypick/b", "cherrypick/a"],
                &templates()
            ),
            ["a", "b"]
        );
    }

    #[test]
    fn cherrypick_lines_name_branches() {
        assert_eq!(
            requested_branches(
                "Thanks!\n/cherrypick release-3.1\n  /cherrypick release-3.0 \n/cherrypick release-3.1\n/cherrypick\nnot /cherrypick x"
            ),
            ["release-3.1", "release-3.0"]
        );
        assert!(requested_branches("please cherrypick release-3.1").is_empty());
    }

    #[test]
    fn a_merge_backports_to_each_labelled_branch() {
        let event = json!({"action": "closed", "pull_request": {"number": 7, "merged": true,
            "labels": [{"name": "cherrypick/release-3.1"}, {"name": "kind/bug"}, {"name": "cherrypick/release-3.0"}]}});
        assert_eq!(
            decide("pull_request_target", &event, &templates(), &allowed()),
            Decision::Backport {
                pr: 7,
                branches: vec!["release-3.1".into(), "release-3.0".into()]
            }
        );
        let unmerged = json!({"action": "closed", "pull_request": {"number": 7, "merged": false, "labels": [{"name": "cherrypick/release-3.1"}]}});
        assert!(matches!(
            decide("pull_request", &unmerged, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
        let no_label = json!({"action": "closed", "pull_request": {"number": 7, "merged": true, "labels": []}});
        assert!(matches!(
            decide("pull_request", &no_label, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn a_label_after_the_merge_backports_to_its_branch_only() {
        let event = json!({"action": "labeled", "label": {"name": "cherrypick/release-3.0"},
            "pull_request": {"number": 7, "merged": true, "labels": [{"name": "cherrypick/release-3.1"}, {"name": "cherrypick/release-3.0"}]}});
        assert_eq!(
            decide("pull_request_target", &event, &templates(), &allowed()),
            Decision::Backport {
                pr: 7,
                branches: vec!["release-3.0".into()]
            }
        );
        let before_merge = json!({"action": "labeled", "label": {"name": "cherrypick/release-3.0"}, "pull_request": {"number": 7, "merged": false}});
        assert!(matches!(
            decide("pull_request_target", &before_merge, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
        let other =
            json!({"action": "labeled", "label": {"name": "kind/bug"}, "pull_request": {"number": 7, "merged": true}});
        assert!(matches!(
            decide("pull_request_target", &other, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn comments_count_from_allowed_associations_on_pull_requests() {
        let comment = |association: &str, merged_at: Value| {
            json!({"action": "created", "issue": {"number": 9, "pull_request": {"url": "u", "merged_at": merged_at}},
                "comment": {"body": "/cherrypick release-3.1", "author_association": association, "user": {"login": "eve"}}})
        };
        assert_eq!(
            decide(
                "issue_comment",
                &comment("MEMBER", json!("2026-01-01T00:00:00Z")),
                &templates(),
                &allowed()
            ),
            Decision::Request {
                pr: 9,
                branches: vec!["release-3.1".into()],
                merged: Some(true),
                open: None
            }
        );
        assert_eq!(
            decide(
                "issue_comment",
                &comment("OWNER", Value::Null),
                &templates(),
                &allowed()
            ),
            Decision::Request {
                pr: 9,
                branches: vec!["release-3.1".into()],
                merged: Some(false),
                open: None
            }
        );
        let mut closed = comment("OWNER", Value::Null);
        closed["issue"]["state"] = json!("closed");
        assert_eq!(
            decide("issue_comment", &closed, &templates(), &allowed()),
            Decision::Request {
                pr: 9,
                branches: vec!["release-3.1".into()],
                merged: Some(false),
                open: Some(false)
            }
        );
        let Decision::Ignore(why) = decide(
            "issue_comment",
            &comment("CONTRIBUTOR", Value::Null),
            &templates(),
            &allowed(),
        ) else {
            panic!("an outsider's comment counts");
        };
        assert!(why.contains("@eve (CONTRIBUTOR) may not ask"), "{why}");
        let on_issue = json!({"action": "created", "issue": {"number": 9}, "comment": {"body": "/cherrypick release-3.1", "author_association": "OWNER"}});
        assert!(matches!(
            decide("issue_comment", &on_issue, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
        let edited = json!({"action": "edited", "issue": {"number": 9, "pull_request": {}}, "comment": {"body": "/cherrypick release-3.1", "author_association": "OWNER"}});
        assert!(matches!(
            decide("issue_comment", &edited, &templates(), &allowed()),
            Decision::Ignore(_)
        ));
        let no_merge_field = json!({"action": "created", "issue": {"number": 9, "pull_request": {"url": "u"}},
            "comment": {"body": "/cherrypick r", "author_association": "COLLABORATOR"}});
        assert_eq!(
            decide("issue_comment", &no_merge_field, &templates(), &allowed()),
            Decision::Request {
                pr: 9,
                branches: vec!["r".into()],
                merged: None,
                open: None
            }
        );
        assert!(matches!(
            decide("push", &json!({}), &templates(), &allowed()),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn an_error_in_a_line_is_its_message_and_its_first_cause() {
        let alone = anyhow::anyhow!("not published\nmore");
        assert_eq!(first_line(&alone), "not published");
        let caused = anyhow::anyhow!("`git push` exited 1:\n  rejected")
            .context("pushing failed")
            .context("not published");
        assert_eq!(first_line(&caused), "not published: pushing failed");
        assert_eq!(deepest(&caused), "`git push` exited 1:\n  rejected");
        let same = anyhow::anyhow!("not published").context("not published");
        assert_eq!(first_line(&same), "not published");
        let empty = anyhow::anyhow!("").context("not published");
        assert_eq!(first_line(&empty), "not published");
    }

    #[test]
    fn the_comment_lists_each_branch_and_what_to_do_by_hand() {
        let repo = crate::github::Repo {
            owner: "o".into(),
            name: "n".into(),
        };
        let lines = vec![
            (
                "release-3.1".to_string(),
                Ended::Proposed {
                    number: Some(12),
                    url: "u".into(),
                },
            ),
            (
                "release-3.0".to_string(),
                Ended::Conflict {
                    files: vec!["pkg/a.go".into()],
                    needs: vec![],
                },
            ),
            ("release-9.9".to_string(), Ended::NoSuchBranch),
        ];
        assert_eq!(
            comment(7, &lines, &repo),
            "<!-- git-cherry-pick-pr -->\nCherry picks of #7:\n\n| branch | cherry pick |\n|---|---|\n| `release-3.1` | #12 |\n| `release-3.0` | ❌ conflicts in `pkg/a.go`; nothing was left behind. Do it by hand: `git cherry-pick-pr upstream/release-3.0 7` |\n| `release-9.9` | ❌ there is no branch `release-9.9` in o/n |\n"
        );
    }

    #[test]
    fn a_closed_cherry_pick_turns_its_row_and_only_its_row() {
        let comment = "<!-- git-cherry-pick-pr -->\nCherry picks of #7:\n\n| branch | cherry pick |\n|---|---|\n| `release-3.1` | #12 |\n| `release-3.0` | #13 |\n| `release-2.9` | #120 |\n";
        use crate::commands::backported::{closed_status, with_status};
        let merged = with_status(comment, "release-3.1", 12, closed_status(true)).expect("changed");
        assert_eq!(merged, comment.replace("| #12 |", "| #12 merged |"));
        assert_eq!(with_status(&merged, "release-3.1", 12, "merged"), None, "said already");
        let closed = with_status(&merged, "release-3.1", 12, closed_status(false)).expect("changed");
        assert!(
            closed.contains("| `release-3.1` | #12 closed without merging |\n"),
            "{closed}"
        );
        assert_eq!(
            with_status(comment, "release-3.1", 13, "merged"),
            None,
            "another branch's"
        );
        assert_eq!(
            with_status(comment, "release-2.9", 12, "merged"),
            None,
            "#120 is not #12"
        );
        assert_eq!(with_status(comment, "release-3.1", 1, "merged"), None);
    }

    #[test]
    fn a_cherry_pick_closed_from_the_repository_itself_is_settled() {
        let repository = json!({"full_name": "o/n"});
        let event = |head_repo: &str, merged: bool| {
            json!({"action": "closed", "repository": repository, "pull_request": {"number": 12, "merged": merged,
                "labels": [{"name": "cherrypick/release-3.0"}],
                "head": {"ref": "automated-cherry-pick-of-#7-origin-release-3.1", "repo": {"full_name": head_repo}},
                "base": {"ref": "release-3.1"}}})
        };
        assert_eq!(
            decide("pull_request_target", &event("o/n", true), &templates(), &allowed()),
            Decision::Closed(crate::commands::backported::Closed {
                pr: 12,
                merged: true,
                head: "automated-cherry-pick-of-#7-origin-release-3.1".into(),
                base: "release-3.1".into(),
            })
        );
        assert!(matches!(
            decide("pull_request_target", &event("o/n", false), &templates(), &allowed()),
            Decision::Closed(crate::commands::backported::Closed { merged: false, .. })
        ));
        assert!(matches!(
            decide(
                "pull_request_target",
                &event("mallory/n", true),
                &templates(),
                &allowed()
            ),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn a_multiline_output_never_ends_at_a_line_of_its_value() {
        let mut tries = ["a", "a", "b"].into_iter().map(String::from);
        assert_eq!(
            multiline_output("urls", "u1\nghadelimiter_a\n", || tries.next().unwrap_or_default()),
            "urls<<ghadelimiter_b\nu1\nghadelimiter_a\nghadelimiter_b\n"
        );
        assert_eq!(
            multiline_output("urls", "", || "c".into()),
            "urls<<ghadelimiter_c\nghadelimiter_c\n"
        );
        assert_eq!(
            multiline_output("u", "x", || "c".into()),
            "u<<ghadelimiter_c\nx\nghadelimiter_c\n"
        );
        let hex = random_hex();
        assert!(hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()), "{hex}");
    }

    #[test]
    fn a_comment_longer_than_github_takes_cuts_what_stopped_each_branch() {
        let repo = crate::github::Repo {
            owner: "o".into(),
            name: "n".into(),
        };
        let words = |n: usize| (0..n).map(|i| format!("line {i}\n")).collect::<String>();
        let lines = vec![
            (
                "a".to_string(),
                Ended::Failed {
                    error: "e".into(),
                    words: words(9000),
                    after: String::new(),
                },
            ),
            (
                "b".to_string(),
                Ended::Failed {
                    error: "e".into(),
                    words: "short".into(),
                    after: String::new(),
                },
            ),
            (
                "c".to_string(),
                Ended::Failed {
                    error: "e".into(),
                    words: words(9000),
                    after: String::new(),
                },
            ),
        ];
        let text = comment(7, &lines, &repo);
        assert!(
            text.chars().count() <= crate::text::BODY_LIMIT,
            "{}",
            text.chars().count()
        );
        assert!(
            text.chars().count() > crate::text::BODY_LIMIT - 200,
            "only what is needed goes"
        );
        assert_eq!(text.matches(CUT_WORDS).count(), 2, "the short one is whole");
        assert!(text.ends_with("</details>\n"));
        assert_eq!(text, comment(7, &lines, &repo), "the same results, the same text");
        let short = &lines[1..2];
        assert!(!comment(7, short, &repo).contains(CUT_WORDS));
    }
}
