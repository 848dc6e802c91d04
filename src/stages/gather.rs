//! Gathering: one `git fetch` of the target branches and the pull requests'
//! heads from the upstream remote, while the pull requests' metadata is
//! downloaded concurrently; then each pull request's patch is made from its
//! commits (`verify`).

use std::thread;

use anyhow::Result;

use crate::cli::args::Target;
use crate::cli::options::Options;
use crate::errors::{Context, failed, usage};
use crate::git::Git;
use crate::github::{ApiError, GitHub, PullRequest, Repo};
use crate::output::Output;
use crate::plan::state::{PickedAs, Pr};
use crate::signals::join;
use crate::stages::verify::{self, Checked, Commits, Local, Verified};

/// A job to be: a target and the pull requests to pick onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    pub target: crate::cli::args::Target,
    /// The pull requests asked for, which name its fork branch (those
    /// without changes are left out of the job itself).
    pub prs: Vec<u64>,
}

impl JobSpec {
    /// The fork branch the job pushes.
    pub fn branch(&self) -> String {
        crate::text::branch_name(&self.prs, &self.target.remote, &self.target.branch)
    }
}

/// What a run has from GitHub and git before it gathers: the pull requests
/// as GitHub described them, and whether the targets and the pull requests'
/// heads are fetched (the candidates' judging brought both).
#[derive(Default)]
pub struct Already {
    pub pulls: Vec<PullRequest>,
    pub fetched: bool,
}

/// What gathering is asked for: a run's options, where its repository is,
/// whose fork (`None`: ask GitHub), and the targets and pull requests of
/// its jobs.
pub struct Request<'a> {
    pub toplevel: std::path::PathBuf,
    pub options: &'a Options,
    pub user: Option<&'a str>,
    pub allow_unmerged: bool,
    pub targets: &'a [Target],
    pub prs: &'a [u64],
}

/// What the network brought, checked.
pub struct Gathered {
    /// The source pull requests, in the order given.
    pub prs: Vec<Pr>,
    /// Each pull request's patch series (mbox), in the same order, made from
    /// its commits (`verify`); empty for one in `empty`.
    pub patches: Vec<Vec<u8>>,
    /// The pull requests that have no changes (no commits): nothing to pick.
    pub empty: Vec<u64>,
    /// The login that owns the fork.
    pub user: String,
    /// For each job, whether a pull request from the branch to be pushed
    /// was open before the run (`None`: not looked for, or not known).
    pub open_before: Vec<Option<bool>>,
    /// The fork's branches (`None`: not known, or nothing is to be pushed).
    pub fork_heads: Option<crate::stages::fork::Heads>,
}

/// Fetches from git and GitHub at once, then checks what came back.
pub fn gather(
    settings: &Request<'_>,
    jobs: &[JobSpec],
    already: &Already,
    git: &Git<'_>,
    github: &GitHub<'_>,
    out: &Output,
) -> Result<Gathered> {
    let repo = &settings.options.repo;
    let local = Local {
        git,
        dir: &settings.toplevel,
        upstream: &settings.options.upstream,
        out,
    };
    let Brought {
        pulls: downloaded,
        user,
        open,
        fetched,
        fork_heads,
    } = bring(settings, jobs, already, &local, github);

    // The pull requests first: a missing or unmerged one explains a failed fetch too.
    let (prs, pulls) = check_pulls(settings, github, downloaded)?;
    let user = user.failure(|| {
        failed("cannot tell whose fork to open the pull request from").hint("pass --user LOGIN or set GITHUB_USER")
    })?;
    let mut open_before = vec![None; jobs.len()];
    for ((job, pull), known) in jobs.iter().zip(open).zip(&mut open_before) {
        *known = pull.as_ref().map(Option::is_some);
        check_not_taken(job, pull.flatten())?;
    }
    fetched?;
    let api = verify::Api {
        download: &|n| github.patch(repo, n),
        explain: &|e, n| explain_pr(e, n, repo, github),
    };
    let verified = verify::check_all(&local, &pulls, &api)
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let Changes {
        mut patches,
        empty,
        commits,
    } = with_changes(verified, &pulls, out)?;
    let mut prs = prs;
    let picking = crate::stages::landed::Picking {
        local: &local,
        pick: settings.options.pick,
        record_origin: settings.options.record_origin,
    };
    crate::stages::landed::pick_all(&picking, &pulls, &commits, &mut patches, &mut prs)?;
    Ok(Gathered {
        prs,
        patches,
        empty,
        user,
        open_before,
        fork_heads,
    })
}

/// What the network brought, not checked yet.
struct Brought {
    /// GitHub's answers for the pull requests, in the order given.
    pulls: Vec<Result<PullRequest, ApiError>>,
    /// The login that owns the fork.
    user: Result<String, ApiError>,
    /// For each job, the open pull request from the branch to be pushed
    /// (`None`: not known).
    open: Vec<Option<Option<PullRequest>>>,
    /// How the `git fetch` went.
    fetched: Result<()>,
    /// The fork's branches (`None`: not known, or nothing is to be pushed).
    fork_heads: Option<crate::stages::fork::Heads>,
}

/// Asks GitHub for the pull requests (those not known already), whose fork
/// it is and what is open from it, and the fork for its branches, all at
/// once while the targets and heads are fetched here (unless they are
/// already). No patch is downloaded: each is made from the commits fetched.
fn bring(
    settings: &Request<'_>,
    jobs: &[JobSpec],
    already: &Already,
    local: &Local<'_>,
    github: &GitHub<'_>,
) -> Brought {
    let (git, out) = (local.git, local.out);
    let repo = &settings.options.repo;
    thread::scope(|scope| {
        // Those judging the candidates brought are not asked for again.
        let unknown: Vec<u64> = (settings.prs.iter().copied())
            .filter(|&n| !already.pulls.iter().any(|p| p.number == n))
            .collect();
        // Alongside them: whose fork, then what is open from it, one at a time.
        let pulls = scope.spawn(move || github.pulls(repo, &unknown, 1, &|_| ()));
        // Whose fork, then which of its branches to be pushed already head
        // an open pull request.
        let user = scope.spawn(|| {
            let user = match settings.user {
                Some(user) => Ok(user.to_string()),
                None => github.current_user(),
            };
            let open = match &user {
                Ok(user) if !settings.options.dry_run => open_pulls(&settings.options.repo, jobs, github, user),
                _ => Vec::new(),
            };
            (user, open)
        });
        let what = format!(
            "Fetching {} and {} from {}",
            settings
                .targets
                .iter()
                .map(|t| t.branch.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            crate::text::PrList(settings.prs),
            settings.options.upstream
        );
        // What the fork has (unless nothing is pushed): what each push
        // would replace, and whether it negotiates.
        let listed = (!settings.options.dry_run)
            .then(|| scope.spawn(|| crate::stages::fork::heads(git, &settings.toplevel, &settings.options.fork)));
        let fetched = if already.fetched {
            Ok(())
        } else {
            out.waiting(&what, || fetch(settings, git))
        };
        let mut asked = join(pulls).into_iter();
        let pulls: Vec<_> = (settings.prs.iter())
            .map(|&n| match already.pulls.iter().find(|p| p.number == n) {
                Some(pull) => Ok(pull.clone()),
                None => asked.next().unwrap_or_else(|| github.pull(repo, n)),
            })
            .collect();
        let (user, open) = join(user);
        Brought {
            pulls,
            user,
            open,
            fetched,
            fork_heads: listed.and_then(join),
        }
    })
}

/// The pull requests as GitHub describes them, each merged (unless
/// `--allow-unmerged`): their metadata for the plan, and GitHub's answers.
fn check_pulls(
    settings: &Request<'_>,
    github: &GitHub<'_>,
    downloaded: Vec<Result<PullRequest, ApiError>>,
) -> Result<(Vec<Pr>, Vec<PullRequest>)> {
    let repo = &settings.options.repo;
    let mut prs = Vec::new();
    let mut pulls = Vec::new();
    for (pull, &number) in downloaded.into_iter().zip(settings.prs) {
        let pull = pull.map_err(|e| explain_pr(e, number, repo, github))?;
        match pull.is_merged() {
            _ if settings.allow_unmerged => {}
            Some(true) => {}
            Some(false) => {
                return Err(failed(format!(
                    "PR #{number} ({}) is not merged; only merged pull requests are picked",
                    crate::safe::one_line(&pull.title)
                ))
                .hint("pass --allow-unmerged to pick it anyway")
                .into());
            }
            None => {
                return Err(failed(format!(
                    "GitHub's answer for PR #{number} ({}) does not say whether it is merged (no `merged` or `merged_at`)",
                    crate::safe::one_line(&pull.title)
                ))
                .hint("a proxy or cache may have changed the answer; run the same command again")
                .hint("pass --allow-unmerged to pick it whether merged or not")
                .into());
            }
        }
        pulls.push(pull.clone());
        prs.push(Pr {
            number,
            title: pull.title,
            body: pull.body.unwrap_or_default(),
            author: pull.user.map(|u| u.login).unwrap_or_default(),
            labels: pull.labels.into_iter().map(|l| l.name).collect(),
            picked_as: PickedAs::Commits,
            landed: Vec::new(),
            origins: Vec::new(),
            needed_by: None,
        });
    }
    Ok((prs, pulls))
}

/// The pull requests' patches, in order, and what checking them found.
struct Changes {
    patches: Vec<Vec<u8>>,
    /// The pull requests without changes (whose patch is empty).
    empty: Vec<u64>,
    /// Each pull request's own commits.
    commits: Vec<Commits>,
}

/// The patches, in order, the pull requests without changes, and each
/// pull request's commits; an error when none has any.
fn with_changes(verified: Vec<Verified>, pulls: &[PullRequest], out: &Output) -> Result<Changes> {
    let mut patches = Vec::new();
    let mut empty = Vec::new();
    let mut commits = Vec::new();
    for (verified, pull) in verified.into_iter().zip(pulls) {
        match verified.checked {
            Checked::Patch(patch) => patches.push(patch),
            Checked::Empty => {
                out.note(&format!(
                    "PR #{} has no changes (it has no commits): nothing to pick from it",
                    pull.number
                ));
                empty.push(pull.number);
                patches.push(Vec::new());
            }
        }
        commits.push(verified.commits);
    }
    if empty.len() == pulls.len() {
        return Err(
            failed("none of the pull requests has changes: there is nothing to pick")
                .hint("check the numbers: a pull request with no commits changes nothing")
                .into(),
        );
    }
    Ok(Changes {
        patches,
        empty,
        commits,
    })
}

/// For each job, the open pull request whose head is the fork branch the
/// run would push, if there is one.
fn open_pulls(repo: &Repo, jobs: &[JobSpec], github: &GitHub<'_>, user: &str) -> Vec<Option<Option<PullRequest>>> {
    // Not knowing is no reason to stop: the push goes on as it would have.
    jobs.iter()
        .map(|job| github.find_open_pull(repo, user, &job.branch()).ok())
        .collect()
}

/// Refuses to push a fork branch that already heads an open pull request
/// against another branch: `upstream/release/3.1` and `upstream/release-3.1`
/// make the same branch name, and the force-push would change that pull
/// request.
fn check_not_taken(job: &JobSpec, open: Option<PullRequest>) -> Result<()> {
    let Some(pull) = open else { return Ok(()) };
    let target = &job.target;
    let base = pull.base.as_ref().map(|b| b.name.as_str()).unwrap_or_default();
    if base == target.branch {
        return Ok(());
    }
    let branch = job.branch();
    Err(failed(format!(
        "the fork branch {branch} already heads PR #{} against {base}, not {}; pushing it would change that pull request",
        pull.number, target.branch
    ))
    .hint(format!(
        "{} and {base} make the same branch name; nothing was done",
        target.branch
    ))
    .hint(format!(
        "once PR #{} ({}) is merged or closed, run the same command again",
        pull.number, pull.html_url
    ))
    .into())
}

/// The pull requests `numbers` (asked for concurrently) and each one's
/// patch, in order, made from its commits (`verify`).
pub fn patches(github: &GitHub<'_>, local: &Local<'_>, repo: &Repo, numbers: &[u64]) -> Result<Vec<Vec<u8>>> {
    let pulls = github
        .pulls(repo, numbers, 0, &|_| ())
        .into_iter()
        .zip(numbers)
        .map(|(pull, &n)| pull.map_err(|e| explain_pr(e, n, repo, github)))
        .collect::<Result<Vec<_>>>()?;
    let api = verify::Api {
        download: &|n| github.patch(repo, n),
        explain: &|e, n| explain_pr(e, n, repo, github),
    };
    verify::check_all(local, &pulls, &api)
        .into_iter()
        .map(|verified| {
            verified.map(|v| match v.checked {
                Checked::Patch(patch) => patch,
                Checked::Empty => Vec::new(),
            })
        })
        .collect()
}

fn explain_pr(error: ApiError, number: u64, repo: &Repo, github: &GitHub<'_>) -> anyhow::Error {
    match error.status() {
        Some(404) => failed(format!("PR #{number} was not found in {repo}"))
            .hint(format!(
                "check the number, and that your token can see {repo} if it is private"
            ))
            .because(error)
            .into(),
        _ => github.explain(error),
    }
}

/// One fetch: each target branch into its remote-tracking ref, and each pull
/// request's head (whose history holds the blobs `git am -3` falls back on and
/// the commits `git cherry-pick` can use).
fn fetch(settings: &Request<'_>, git: &Git<'_>) -> Result<()> {
    let mut refspecs: Vec<String> = Vec::new();
    for target in settings.targets {
        refspecs.push(format!("+refs/heads/{}:{}", target.branch, target.tracking_ref()));
    }
    for number in settings.prs {
        refspecs.push(format!("refs/pull/{number}/head"));
    }
    let refspecs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
    let Err(error) = git.fetch(&settings.toplevel, &settings.options.upstream, &refspecs) else {
        return Ok(());
    };
    if crate::signals::interrupted() {
        return Err(error.into());
    }
    // Say which target is missing, if one is, and whether it is a tag.
    for target in settings.targets {
        let (dir, remote, name) = (&settings.toplevel, &target.remote, target.branch.as_str());
        let listed = git.ls_remote_heads(dir, remote, &[name]);
        if matches!(&listed, Ok(heads) if heads.is_empty()) {
            let tagged = git.ls_remote_tags(dir, remote, &[name]);
            if matches!(&tagged, Ok(tags) if !tags.is_empty()) {
                return Err(usage(format!(
                    "`{}` is a tag on the `{}` remote; a target must be a release branch such as {}/release-3.1",
                    target.branch, target.remote, target.remote
                ))
                .hint(format!(
                    "list the release branches with: git ls-remote --heads {} 'release-*'",
                    target.remote
                ))
                .because(error)
                .into());
            }
            return Err(failed(format!(
                "the target branch `{}` does not exist on the `{}` remote",
                target.branch, target.remote
            ))
            .hint(format!(
                "list the release branches with: git ls-remote --heads {} 'release-*'",
                target.remote
            ))
            .because(error)
            .into());
        }
    }
    Err(
        failed(format!("fetching from the `{}` remote", settings.options.upstream))
            .because(error)
            .into(),
    )
}
