//! Gathering: one `git fetch` of the target branches and the pull requests'
//! heads from the upstream remote, while the pull requests' metadata and
//! patches are downloaded concurrently.

use std::thread;

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;
use crate::github::{ApiError, GitHub, Repo};
use crate::output::Output;
use crate::settings::Settings;
use crate::state::Pr;

/// What the network brought.
pub struct Gathered {
    /// The source pull requests, in the order given.
    pub prs: Vec<Pr>,
    /// Each pull request's patch series (mbox), in the same order.
    pub patches: Vec<Vec<u8>>,
    /// The login that owns the fork.
    pub user: String,
}

/// Waits for a download thread; a panic there is a bug, passed on as one.
fn join<T>(handle: thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Fetches from git and GitHub at once, then checks what came back.
pub fn gather(settings: &Settings, git: &Git<'_>, github: &GitHub<'_>, out: &Output) -> Result<Gathered> {
    let repo = &settings.repo;
    let (pulls, patches, user, fetched) = thread::scope(|scope| {
        let pulls: Vec<_> = settings
            .prs
            .iter()
            .map(|&n| scope.spawn(move || github.pull(repo, n)))
            .collect();
        let patches: Vec<_> = settings
            .prs
            .iter()
            .map(|&n| scope.spawn(move || github.patch(repo, n)))
            .collect();
        let user = settings.user.is_none().then(|| scope.spawn(|| github.current_user()));
        let what = format!(
            "Fetching {} and {} from {}",
            settings
                .targets
                .iter()
                .map(|t| t.branch.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            settings
                .prs
                .iter()
                .map(|n| format!("#{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            settings.upstream
        );
        let fetched = out.waiting(&what, || fetch(settings, git));
        let pulls: Vec<_> = pulls.into_iter().map(join).collect();
        let patches: Vec<_> = patches.into_iter().map(join).collect();
        let user = user.map(join);
        (pulls, patches, user, fetched)
    });

    // The pull requests first: a missing or unmerged one explains a failed fetch too.
    let mut prs = Vec::new();
    for (pull, &number) in pulls.into_iter().zip(&settings.prs) {
        let pull = pull.map_err(|e| explain(e, number, repo))?;
        if !pull.merged && !settings.allow_unmerged {
            return Err(failed(format!(
                "PR #{number} ({}) is not merged; only merged pull requests are picked",
                pull.title
            ))
            .hint("pass --allow-unmerged to pick it anyway")
            .into());
        }
        prs.push(Pr {
            number,
            title: pull.title,
            body: pull.body.unwrap_or_default(),
            author: pull.user.map(|u| u.login).unwrap_or_default(),
            labels: pull.labels.into_iter().map(|l| l.name).collect(),
        });
    }
    let patches = patches
        .into_iter()
        .zip(&settings.prs)
        .map(|(p, &n)| p.map_err(|e| explain(e, n, repo)))
        .collect::<Result<Vec<_>>>()?;
    let user = match user {
        Some(found) => found.failure(|| {
            failed("cannot tell whose fork to open the pull request from").hint("pass --user LOGIN or set GITHUB_USER")
        })?,
        None => settings.user.clone().unwrap_or_default(),
    };
    fetched?;
    Ok(Gathered { prs, patches, user })
}

/// Downloads the patches of `numbers` concurrently, in order.
pub fn patches(github: &GitHub<'_>, repo: &Repo, numbers: &[u64]) -> Result<Vec<Vec<u8>>> {
    thread::scope(|scope| {
        let handles: Vec<_> = numbers
            .iter()
            .map(|&n| scope.spawn(move || github.patch(repo, n)))
            .collect();
        handles
            .into_iter()
            .zip(numbers)
            .map(|(h, &n)| join(h).map_err(|e| explain(e, n, repo)))
            .collect()
    })
}

fn explain(error: ApiError, number: u64, repo: &Repo) -> anyhow::Error {
    match error.status() {
        Some(404) => failed(format!("PR #{number} was not found in {repo}"))
            .hint(format!(
                "check the number, and that your token can see {repo} if it is private"
            ))
            .because(error)
            .into(),
        Some(401) => failed("GitHub refused the token (401): it is wrong or expired")
            .hint("make a new token at https://github.com/settings/tokens and set GITHUB_TOKEN")
            .because(error)
            .into(),
        _ => error.into(),
    }
}

/// One fetch: each target branch into its remote-tracking ref, and each pull
/// request's head (whose history holds the blobs `git am -3` falls back on and
/// the commits `git cherry-pick` can use).
fn fetch(settings: &Settings, git: &Git<'_>) -> Result<()> {
    let mut args: Vec<String> = [
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--quiet",
        settings.upstream.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for target in &settings.targets {
        args.push(format!("+refs/heads/{}:{}", target.branch, target.tracking_ref()));
    }
    for number in &settings.prs {
        args.push(format!("refs/pull/{number}/head"));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let Err(error) = git.run(&settings.toplevel, &argv) else {
        return Ok(());
    };
    if crate::signals::interrupted() {
        return Err(error.into());
    }
    // Say which target is missing, if one is.
    for target in &settings.targets {
        let branch_ref = format!("refs/heads/{}", target.branch);
        let listed = git.run(
            &settings.toplevel,
            &["ls-remote", "--heads", &settings.upstream, &branch_ref],
        );
        if matches!(&listed, Ok(out) if out.trim().is_empty()) {
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
    Err(failed(format!("fetching from the `{}` remote", settings.upstream))
        .because(error)
        .into())
}
