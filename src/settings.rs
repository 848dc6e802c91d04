//! Settings resolved once, before anything changes: command-line flag, then
//! environment variable, then git config (`cherry-pick-pr.*`), then the
//! default; and what the remotes point at.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;

use crate::args::{Target, check_labels, parse_repo, parse_target, split_args};
use crate::cli::Cli;
use crate::config::GitConfig;
use crate::errors::{Context, failed, usage};
use crate::git::{Git, Located};
use crate::github::Repo;
use crate::github::retry::Policy;
use crate::remote::{RepoUrl, api_url_for_host, parse_remote_url};
use crate::text;

/// What `--regenerate-docs` runs, as the script did.
pub const GENERATE_DOCS: &str = "hack/generate-docs.sh";

/// The labels added when none are configured.
pub const DEFAULT_LABEL: &str = "do-not-merge/cherry-pick-not-approved";

/// The environment variables the tool reads, captured once by `main`.
#[derive(Debug, Default, Clone)]
pub struct Env(HashMap<String, String>);

impl Env {
    pub fn from_process() -> Self {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// A variable's value; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Env(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// Everything a run needs to know, resolved once.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The top of the user's work tree.
    pub toplevel: PathBuf,
    /// The repository's common git directory (shared by all worktrees).
    pub common_dir: PathBuf,
    /// A hook that may look at the files would run in the tool's worktree:
    /// worktrees get every file from the start.
    pub tree_hooks: bool,
    pub targets: Vec<Target>,
    pub prs: Vec<u64>,
    pub upstream: String,
    pub fork: String,
    /// The fork owner's login; `None` means ask GitHub whose token it is.
    pub user: Option<String>,
    pub repo: Repo,
    pub api_url: String,
    /// The web host the repository is on (`github.com`, a GitHub Enterprise
    /// host): whose token to ask `gh` and git's credential helpers for.
    pub web_host: String,
    /// Timeouts and retries of GitHub requests.
    pub policy: Policy,
    pub labels: Vec<String>,
    pub dry_run: bool,
    pub yes: bool,
    pub signoff: bool,
    pub draft: bool,
    pub allow_unmerged: bool,
    /// A command run in the worktree after applying.
    pub exec: Option<String>,
    /// The shell that runs it (`$SHELL`, else `/bin/sh`).
    pub shell: String,
    /// `auto` or a milestone's title.
    pub milestone: Option<String>,
    /// Globs of source labels to copy.
    pub copy_labels: Vec<String>,
    pub assign_author: bool,
    pub comment_source: bool,
    pub templates: crate::text::Templates,
    /// One line per setting: its value and where it came from, for `--debug`.
    pub provenance: Vec<String>,
}

/// Resolves the settings of a run from the command line, the environment and
/// the repository's git config.
pub fn resolve(cli: &Cli, env: &Env, git: &Git<'_>, located: &Located) -> Result<Settings> {
    let (target_args, pr_refs) = split_args(&cli.args)?;
    check_labels(&cli.labels)?;
    let Located {
        toplevel,
        common_dir,
        tree_hooks,
        ..
    } = located.clone();

    let config_text = git.capture(
        &toplevel,
        &["config", "-z", "--get-regexp", r"^(cherry-pick-pr|remote)\."],
        None,
    )?;
    // Exit 1 means no key matched.
    let config = if config_text.success || config_text.stderr.trim().is_empty() {
        GitConfig::parse(&config_text.stdout)
    } else {
        config_text.checked().failure(|| failed("reading git config"))?;
        GitConfig::default()
    };

    let mut provenance = Vec::new();
    // The first candidate with a value wins; each is (value, where it came from).
    let mut pick = |name: &str, candidates: Vec<(Option<String>, String)>| -> Option<String> {
        let found = candidates.into_iter().find_map(|(v, from)| v.map(|v| (v, from)));
        match &found {
            Some((v, from)) if v.contains('\n') => provenance.push(format!("{name}: a multi-line value (from {from})")),
            Some((v, from)) => provenance.push(format!("{name} = {v} (from {from})")),
            None => provenance.push(format!("{name} is not set")),
        }
        found.map(|(v, _)| v)
    };
    let flag = |v: &Option<String>, name: &str| (v.clone(), format!("--{name}"));
    let var = |name: &str| (env.get(name).map(str::to_string), name.to_string());
    let key = |k: &str| {
        (
            config.get(k).map(str::to_string),
            format!("git config cherry-pick-pr.{k}"),
        )
    };
    let default = |v: Option<String>, from: &str| (v, from.to_string());

    let upstream = pick(
        "upstream",
        vec![
            flag(&cli.upstream, "upstream"),
            var("UPSTREAM_REMOTE"),
            key("upstream"),
            default(Some("upstream".into()), "default"),
        ],
    )
    .unwrap_or_default();
    let fork = pick(
        "fork",
        vec![
            flag(&cli.fork, "fork"),
            var("FORK_REMOTE"),
            key("fork"),
            default(Some("origin".into()), "default"),
        ],
    )
    .unwrap_or_default();

    let remotes = config.remotes();
    let url_of = |name: &str| remotes.iter().find(|(n, _)| n == name).map(|(_, u)| u.clone());
    let missing_remote = |name: &str, role: &str, flag: &str| {
        let known: Vec<&str> = remotes.iter().map(|(n, _)| n.as_str()).collect();
        failed(format!(
            "there is no remote named `{name}` (the {role} remote) in this repository"
        ))
        .hint(format!(
            "add it with `git remote add {name} URL`, or name another with --{flag}{}",
            if known.is_empty() {
                String::new()
            } else {
                format!(" (remotes here: {})", known.join(", "))
            }
        ))
    };
    let upstream_url = url_of(&upstream).ok_or_else(|| missing_remote(&upstream, "upstream", "upstream"))?;
    let fork_url = url_of(&fork).ok_or_else(|| missing_remote(&fork, "fork", "fork"))?;
    let upstream_repo = parse_remote_url(&upstream_url);
    let fork_repo = parse_remote_url(&fork_url);

    let env_repo = match (env.get("MAIN_REPO_ORG"), env.get("MAIN_REPO_NAME")) {
        (Some(org), Some(name)) => Some(format!("{org}/{name}")),
        _ => None,
    };
    let repo_text = pick(
        "repo",
        vec![
            flag(&cli.repo, "repo"),
            (env_repo, "MAIN_REPO_ORG and MAIN_REPO_NAME".into()),
            key("repo"),
            default(upstream_repo.as_ref().map(RepoUrl::slug), "the upstream remote's URL"),
        ],
    );
    let repo_text = repo_text.ok_or_else(|| {
        failed(format!(
            "cannot tell which GitHub repository the `{upstream}` remote ({upstream_url}) is"
        ))
        .hint("name it with --repo OWNER/NAME or git config cherry-pick-pr.repo OWNER/NAME")
    })?;
    let repo = parse_repo(&repo_text)?;

    let host = upstream_repo.as_ref().and_then(|r| r.host.clone());
    let api_url = pick(
        "api-url",
        vec![
            flag(&cli.api_url, "api-url"),
            var("GITHUB_API_URL"),
            key("apiUrl"),
            default(Some(api_url_for_host(host.as_deref())), "the upstream remote's host"),
        ],
    )
    .unwrap_or_default();
    check_api_url(&api_url)?;

    let user = pick(
        "user",
        vec![
            flag(&cli.user, "user"),
            var("GITHUB_USER"),
            key("user"),
            default(fork_repo.as_ref().map(|r| r.owner.clone()), "the fork remote's URL"),
        ],
    );

    let regenerate = cli.regenerate_docs.then(|| GENERATE_DOCS.to_string());
    let env_regenerate = env
        .get("REGENERATE_DOCS")
        .filter(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
        .map(|_| GENERATE_DOCS.to_string());
    let exec = pick(
        "exec",
        vec![
            flag(&cli.exec, "exec"),
            (regenerate, "--regenerate-docs".into()),
            (env_regenerate, "REGENERATE_DOCS".into()),
            key("exec"),
        ],
    );
    let milestone = pick("milestone", vec![flag(&cli.milestone, "milestone"), key("milestone")]);
    let title_template = pick(
        "titleTemplate",
        vec![
            key("titleTemplate"),
            default(Some(text::TITLE_TEMPLATE.into()), "default"),
        ],
    )
    .unwrap_or_default();
    let body_template = pick(
        "bodyTemplate",
        vec![
            key("bodyTemplate"),
            default(Some(text::BODY_TEMPLATE.into()), "default"),
        ],
    )
    .unwrap_or_default();
    let doc_link = pick(
        "docLink",
        vec![key("docLink"), default(Some(text::DOC_LINK.into()), "default")],
    )
    .unwrap_or_default();
    for (name, template) in [("titleTemplate", &title_template), ("bodyTemplate", &body_template)] {
        text::check_template(template).map_err(|e| {
            usage(format!("git config cherry-pick-pr.{name}: {e}"))
                .hint("see the placeholders in `git cherry-pick-pr --help`")
        })?;
    }
    let copy_labels = if cli.copy_labels.is_empty() {
        config
            .all("copyLabels")
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        cli.copy_labels.clone()
    };
    for pattern in &copy_labels {
        glob::Pattern::new(pattern).map_err(|e| usage(format!("`{pattern}` is not a label pattern: {e}")))?;
    }
    let assign_author = cli.assign_author || config.bool("assignAuthor")?.unwrap_or(false);
    let comment_source = cli.comment_source || config.bool("commentSource")?.unwrap_or(false);
    let shell = env.get("SHELL").unwrap_or("/bin/sh").to_string();

    let mut label_source: Vec<String> = Vec::new();
    let labels = if cli.no_label {
        label_source.push("labels: none (--no-label)".into());
        Vec::new()
    } else if !cli.labels.is_empty() {
        label_source.push(format!("labels = {} (from --label)", cli.labels.join(", ")));
        cli.labels.clone()
    } else if !config.all("label").is_empty() {
        let labels: Vec<String> = config
            .all("label")
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        label_source.push(format!(
            "labels = {} (from git config cherry-pick-pr.label)",
            labels.join(", ")
        ));
        labels
    } else {
        label_source.push(format!("labels = {DEFAULT_LABEL} (default)"));
        vec![DEFAULT_LABEL.to_string()]
    };

    provenance.extend(label_source);
    let dry_run = cli.dry_run || env.get("DRY_RUN").is_some();
    let signoff = cli.signoff || config.bool("signoff")?.unwrap_or(false);
    let draft = cli.draft || config.bool("draft")?.unwrap_or(false);

    // The fork must not be the repository the pull request goes to.
    let fork_is_upstream = fork == upstream
        || fork_url == upstream_url
        || fork_repo.as_ref().is_some_and(|f| {
            f.same_repo(&RepoUrl {
                host: host.clone(),
                owner: repo.owner.clone(),
                name: repo.name.clone(),
            })
        });
    if fork_is_upstream {
        return Err(failed(format!(
            "the fork remote `{fork}` ({fork_url}) is the upstream repository {repo}; refusing to push a cherry-pick branch there"
        ))
        .hint(format!("add your fork as a remote (git remote add fork git@github.com:YOU/{}.git) and pass --fork fork", repo.name))
        .into());
    }

    let remote_names: Vec<&str> = remotes.iter().map(|(n, _)| n.as_str()).collect();
    // One target however often and however spelled: two runs on one branch
    // would race for the same worktree branch and fork branch.
    let mut targets = Vec::new();
    for text in &target_args {
        let target = parse_target(text, &upstream, &remote_names)?;
        if !targets.contains(&target) {
            targets.push(target);
        }
    }

    let mut prs = Vec::new();
    for pr in pr_refs {
        if let Some(other) = &pr.repo {
            let ours = RepoUrl {
                host: other.host.clone(),
                owner: repo.owner.clone(),
                name: repo.name.clone(),
            };
            if !other.same_repo(&ours) {
                return Err(usage(format!(
                    "pull request #{} is in {}, not in the upstream repository {repo}",
                    pr.number,
                    other.slug()
                ))
                .into());
            }
        }
        if !prs.contains(&pr.number) {
            prs.push(pr.number);
        }
    }

    let web_host = web_host(&api_url, host.as_deref());
    let policy = network_policy(env);
    Ok(Settings {
        toplevel,
        common_dir,
        tree_hooks,
        targets,
        prs,
        upstream,
        fork,
        user,
        repo,
        api_url,
        web_host,
        policy,
        labels,
        dry_run,
        yes: cli.yes,
        signoff,
        draft,
        allow_unmerged: cli.allow_unmerged,
        exec,
        shell,
        milestone,
        copy_labels,
        assign_author,
        comment_source,
        templates: text::Templates {
            title: title_template,
            body: body_template,
            doc_link,
        },
        provenance,
    })
}

/// The retry policy. Two variables, meant for tests and left out of the
/// documentation, shorten it: `CHERRY_PICK_PR_TIMEOUT_MS` (one try) and
/// `CHERRY_PICK_PR_BACKOFF_MS` (the first backoff).
pub fn network_policy(env: &Env) -> Policy {
    let millis = |name: &str| {
        env.get(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_millis)
    };
    let mut policy = Policy::default();
    if let Some(timeout) = millis("CHERRY_PICK_PR_TIMEOUT_MS") {
        policy.timeout = timeout;
        policy.connect_timeout = policy.connect_timeout.min(timeout);
    }
    if let Some(base) = millis("CHERRY_PICK_PR_BACKOFF_MS") {
        policy.base = base;
    }
    policy
}

/// The web host whose token is looked for and named in messages: the one the
/// API URL serves (`https://ghe.example.com/api/v3` → ghe.example.com), as
/// the token goes there; but for an API on a loopback address (a proxy, a
/// test server), the upstream remote's host, else github.com.
fn web_host(api_url: &str, remote_host: Option<&str>) -> String {
    let served = crate::remote::web_host_for_api(api_url);
    match remote_host {
        Some(host) if is_loopback(&served) => host.to_string(),
        None if is_loopback(&served) => "github.com".to_string(),
        _ => served,
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Only loopback addresses may be spoken to in plain HTTP.
fn check_api_url(url: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| usage(format!("the API URL `{url}` is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            if is_loopback(parsed.host_str().unwrap_or_default()) {
                Ok(())
            } else {
                Err(usage(format!(
                    "the API URL `{url}` uses plain http, which would send the token unencrypted"
                ))
                .hint("use an https:// URL (plain http is accepted only for loopback addresses)")
                .into())
            }
        }
        other => Err(usage(format!("the API URL `{url}` has scheme `{other}`; expected https")).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_are_checked() {
        assert!(check_api_url("https://api.github.com").is_ok());
        assert!(check_api_url("http://127.0.0.1:8080").is_ok());
        assert!(check_api_url("http://[::1]:8080/api").is_ok());
        assert!(check_api_url("http://localhost:1").is_ok());
        assert!(check_api_url("http://api.github.com").is_err());
        assert!(check_api_url("http://10.0.0.1").is_err());
        assert!(check_api_url("ftp://x").is_err());
        assert!(check_api_url("not a url").is_err());
    }

    #[test]
    fn the_web_host_is_the_one_the_api_serves() {
        let ghe = Some("ghe.example.com");
        assert_eq!(web_host("https://api.github.com", Some("github.com")), "github.com");
        assert_eq!(web_host("https://ghe.example.com/api/v3", ghe), "ghe.example.com");
        // The remote says github.com, or nothing (a local path, an ssh alias
        // without a host), but the token goes to the Enterprise API.
        assert_eq!(web_host("https://ghe.example.com/api/v3", None), "ghe.example.com");
        assert_eq!(web_host("https://api.octo.ghe.com", Some("github.com")), "octo.ghe.com");
        // A local API (a proxy, a test server) says nothing of the host.
        assert_eq!(web_host("http://127.0.0.1:8080", ghe), "ghe.example.com");
        assert_eq!(web_host("http://[::1]:8080/api/v3", ghe), "ghe.example.com");
        assert_eq!(web_host("http://localhost:1", None), "github.com");
    }

    #[test]
    fn env_ignores_empty_values() {
        let env: Env = [("A", ""), ("B", "x")].into_iter().collect();
        assert_eq!(env.get("A"), None);
        assert_eq!(env.get("B"), Some("x"));
    }
}
