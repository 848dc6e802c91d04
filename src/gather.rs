//! Gathering: one `git fetch` of the target branches and the pull requests'
//! heads from the upstream remote, while the pull requests' metadata and
//! patches are downloaded concurrently.

use std::thread;

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::git::Git;
use crate::github::{ApiError, GitHub, PullRequest};
use crate::output::Output;
use crate::settings::Settings;

/// What the network brought.
pub struct Gathered {
    /// The source pull requests, in the order given.
    pub pulls: Vec<PullRequest>,
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
        let pulls: Vec<Result<PullRequest, ApiError>> = pulls.into_iter().map(join).collect();
        let patches: Vec<Result<Vec<u8>, ApiError>> = patches.into_iter().map(join).collect();
        let user = user.map(join);
        (pulls, patches, user, fetched)
    });

    // The pull requests first: a missing or unmerged one explains a failed fetch too.
    let mut checked = Vec::new();
    for (pull, &number) in pulls.into_iter().zip(&settings.prs) {
        let pull = pull.map_err(|e| explain_pull_error(e, number, settings, github))?;
        if !pull.merged && !settings.allow_unmerged {
            return Err(failed(format!(
                "PR #{number} ({}) is not merged; only merged pull requests are picked",
                pull.title
            ))
            .hint("pass --allow-unmerged to pick it anyway")
            .into());
        }
        checked.push(pull);
    }
    let user = match user {
        Some(found) => found.map_err(|e| github.explain(e)).failure(|| {
            failed("cannot tell whose fork to open the pull request from").hint("pass --user LOGIN or set GITHUB_USER")
        })?,
        None => settings.user.clone().unwrap_or_default(),
    };
    fetched?;
    let mut made = Vec::new();
    for (patch, pull) in patches.into_iter().zip(&checked) {
        made.push(match patch {
            Ok(patch) => patch,
            Err(e) if e.status() == Some(406) => {
                out.note(&format!(
                    "GitHub will not make the patch of PR #{} (too large: over 300 files or 20,000 lines); making it locally from refs/pull/{}/head",
                    pull.number, pull.number
                ));
                local_patch(settings, git, pull).failure(|| {
                    failed(format!("making the patch of PR #{} with git format-patch", pull.number))
                        .because(e)
                })?
            }
            Err(e) => return Err(github.explain(e)),
        });
    }
    let patches = made;
    Ok(Gathered {
        pulls: checked,
        patches,
        user,
    })
}

fn explain_pull_error(error: ApiError, number: u64, settings: &Settings, github: &GitHub<'_>) -> anyhow::Error {
    match error.status() {
        Some(404) => failed(format!("PR #{number} was not found in {}", settings.repo))
            .hint(format!(
                "check the number, and that your token can see {} if it is private",
                settings.repo
            ))
            .because(error)
            .into(),
        _ => github.explain(error),
    }
}

/// The pull request's commits as a patch series, made by `git format-patch`
/// from its head (fetched with `refs/pull/N/head`) back to where it left its
/// base branch. The base commit is fetched when it is not here yet.
fn local_patch(settings: &Settings, git: &Git<'_>, pull: &PullRequest) -> Result<Vec<u8>> {
    let dir = &settings.toplevel;
    let head = pull.head.sha.as_str();
    let base = pull.base.as_ref().map(|b| b.sha.as_str()).unwrap_or_default();
    if !is_object_id(head) || !is_object_id(base) {
        return Err(failed(format!(
            "GitHub did not say which commits PR #{} has (no head or base commit)",
            pull.number
        ))
        .into());
    }
    let has = |sha: &str| git.run(dir, &["cat-file", "-e", &format!("{sha}^{{commit}}")]).is_ok();
    let fetch = |what: &str| {
        git.run(
            dir,
            &["fetch", "--no-tags", "--no-write-fetch-head", "--quiet", &settings.upstream, what],
        )
    };
    if !has(head) {
        fetch(&format!("refs/pull/{}/head", pull.number))?;
    }
    if !has(base) {
        // By commit id first (GitHub serves any reachable commit); else its branch.
        let by_id = fetch(base);
        if by_id.is_err() {
            if let Some(branch) = pull.base.as_ref().map(|b| b.name.as_str()).filter(|b| !b.is_empty()) {
                fetch(&format!("refs/heads/{branch}"))?;
            }
        }
        if !has(base) {
            by_id?;
        }
    }
    let range = format!("{base}..{head}");
    let made = git.capture(
        dir,
        &[
            "format-patch",
            "--stdout",
            "--no-cover-letter",
            "--no-signature",
            "--binary",
            &range,
        ],
        None,
    )?;
    if !made.success {
        made.checked()?;
        return Ok(Vec::new());
    }
    if made.stdout_bytes.is_empty() {
        return Err(failed(format!("PR #{} has no commits in {range}", pull.number)).into());
    }
    Ok(made.stdout_bytes)
}

fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One fetch: each target branch into its remote-tracking ref, and each pull
/// request's head (whose history holds the blobs `git am -3` falls back on).
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
