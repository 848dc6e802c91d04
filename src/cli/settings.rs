//! Settings resolved once, before anything changes: command-line flag, then
//! environment variable, then git config (`cherry-pick-pr.*`), then the
//! project's `.cherry-pick-pr` file on the upstream's default branch, then
//! the default; and what the remotes point at.

use std::path::Path;

use anyhow::Result;

use crate::cli::Cli;
pub use crate::cli::args::Selection;
use crate::cli::args::{Mode, PrRef, Target, check_labels, parse_repo, parse_target, remote_named};
use crate::cli::config::{GitConfig, PROJECT_FILE};
use crate::cli::options::{MergeMethod, Options, Pick};
use crate::cli::session::Session;
use crate::errors::{Context, Failure, Kind, failed, usage};
use crate::git::Git;
use crate::git::remote::{RepoUrl, api_url_for_host, parse_remote_url};
use crate::github::Repo;
use crate::github::retry::Policy;
use crate::text;

/// The remote of a workflow's checkout: upstream and fork with `--from-event`.
const EVENT_REMOTE: &str = "origin";

/// What `--regenerate-docs` runs, as the script did.
pub const GENERATE_DOCS: &str = "hack/generate-docs.sh";

/// The labels added when none are configured.
pub const DEFAULT_LABEL: &str = "do-not-merge/cherry-pick-not-approved";

pub use crate::env::Env;

/// Everything a run needs to know, resolved once and only read after:
/// the jobs it is asked for, the options it carries to its end (saved with
/// its plan), and what only its start needs. Where the repository is, is
/// the session's.
#[derive(Debug)]
pub struct Settings {
    /// The targets and pull requests named on the command line.
    pub jobs: Jobs,
    /// What the plan embeds.
    pub options: Options,
    /// The fork owner's login; `None` means ask GitHub whose token it is.
    pub user: Option<String>,
    /// Timeouts and retries of GitHub requests.
    pub policy: Policy,
    pub allow_unmerged: bool,
    /// Templates of the labels that make a merged pull request a candidate
    /// for a target (`{branch}`).
    pub candidate_labels: Vec<String>,
    /// The `author_association`s whose `/cherrypick` comments count.
    pub allowed_associations: Vec<String>,
    /// The label added to a source pull request when a cherry pick of it
    /// is merged (`{branch}`: the cherry pick's base); `--from-event` only.
    pub done_label: Option<String>,
    /// One line per setting: its value and where it came from, for `--debug`.
    pub provenance: Vec<String>,
}

/// What a run is asked to pick onto what: where its pull requests come
/// from, its targets (each once) and the pull requests (each once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jobs {
    pub selection: Selection,
    pub targets: Vec<Target>,
    pub prs: Vec<u64>,
}

/// The default candidate label: prow's convention.
pub const DEFAULT_CANDIDATE_LABEL: &str = "cherrypick/{branch}";

/// The positional arguments of a mode, as typed: where its pull requests
/// come from, its targets, and its pull requests.
fn positionals(mode: &Mode) -> (Selection, &[String], &[PrRef]) {
    match mode {
        Mode::Pick {
            selection,
            targets,
            prs,
        } => (*selection, targets, prs),
        Mode::Missing { targets } => (Selection::Given, targets, &[]),
        _ => (Selection::Given, &[], &[]),
    }
}

/// Resolves the settings of a run in `mode` from the command line, the
/// environment, the repository's git config and, with `--from-event`, the
/// workflow's defaults. Each setting is resolved in one place below, in the
/// order the `--debug` lines list them.
pub fn resolve(cli: &Cli, mode: &Mode, session: &Session<'_>) -> Result<Settings> {
    let Session { env, git, located, .. } = *session;
    let (selection, target_args, pr_refs) = positionals(mode);
    check_labels(&cli.labels)?;
    let config = read_config(&git, &located.toplevel)?;
    let mut sources = Sources {
        cli,
        env,
        config,
        event: *mode == Mode::Event,
        provenance: Vec::new(),
    };
    let remotes = Remotes::resolve(&mut sources, target_args)?;
    project(&mut sources, session, &remotes.upstream)?;
    let repo = repository(&mut sources, &remotes)?;
    let api_url = api_url(&mut sources, remotes.host())?;
    let user = user(&mut sources, &remotes, &repo);
    let exec = exec(&mut sources);
    let milestone = sources.pick(
        "milestone",
        [flag(&cli.milestone, "milestone"), sources.key("milestone")],
    );
    let templates = templates(&mut sources)?;
    let copy_labels = copy_labels(cli, &sources.config)?;
    let assign_author = sources.switch(cli.assign_author, "assignAuthor")?;
    let comment_source = sources.switch(cli.comment_source, "commentSource")?;
    let negotiate_push = negotiate_push(&mut sources);
    let labels = labels(&mut sources);
    let candidate_labels = candidate_labels(&mut sources)?;
    let allowed_associations = allowed_associations(&mut sources);
    let done_label = done_label(&mut sources)?;
    let signoff = sources.switch(cli.signoff, "signoff")?;
    let pick = pick(&mut sources)?;
    let record_origin = sources.switch(cli.record_origin, "recordOrigin")?;
    let with_prerequisites = sources.switch(cli.with_prerequisites, "withPrerequisites")?;
    let draft = sources.switch(cli.draft, "draft")?;
    let auto_merge = auto_merge(&mut sources)?;
    let conflict_label = conflict_label(&mut sources);
    let edit = sources.switch(cli.edit, "edit")?;
    let why = why(cli)?;
    let reviewers = reviewers(&mut sources)?;
    let reviewers_from_source = sources.switch(cli.reviewers_from_source, "reviewersFromSource")?;
    // In a workflow the repository's own checkout is both: the one mode
    // in which pushing to the upstream repository is right.
    if !sources.event {
        remotes.check_fork_is_not_upstream(&repo)?;
    }
    let jobs = Jobs {
        selection,
        targets: targets(target_args, &remotes)?,
        prs: pr_numbers(pr_refs, &repo)?,
    };
    let web_host = web_host(&api_url, remotes.host());
    let options = Options {
        repo,
        upstream: remotes.upstream,
        fork: remotes.fork,
        api_url,
        web_host,
        labels,
        draft,
        signoff,
        yes: cli.yes || sources.event,
        dry_run: cli.dry_run || env.get("DRY_RUN").is_some(),
        exec,
        shell: env.get("SHELL").unwrap_or("/bin/sh").to_string(),
        milestone,
        copy_labels,
        assign_author,
        comment_source,
        templates,
        negotiate_push,
        conflict_label,
        edit,
        critical: cli.critical,
        why,
        reviewers,
        force: cli.force,
        reviewers_from_source,
        leave_nothing: sources.event,
        pick,
        record_origin,
        with_prerequisites,
        auto_merge,
    };
    Ok(Settings {
        jobs,
        options,
        user,
        policy: network_policy(env),
        allow_unmerged: cli.allow_unmerged,
        candidate_labels,
        allowed_associations,
        done_label,
        provenance: sources.provenance,
    })
}

/// The repository's `cherry-pick-pr.*` keys, remote URLs and
/// `push.negotiate`, from one call.
fn read_config(git: &Git<'_>, toplevel: &Path) -> Result<GitConfig> {
    let config_text = git.capture(
        toplevel,
        &[
            "config",
            "-z",
            "--get-regexp",
            r"^(cherry-pick-pr|remote)\.|^push\.negotiate$",
        ],
        None,
    )?;
    // Exit 1 means no key matched.
    if config_text.success || config_text.stderr.trim().is_empty() {
        return Ok(GitConfig::parse(&config_text.stdout));
    }
    config_text.checked().failure(|| failed("reading git config"))?;
    Ok(GitConfig::default())
}

/// Puts the project's settings under the user's git config, saying which
/// keys it sets that it may not (one notice), and in `--debug` where it was.
fn project(sources: &mut Sources<'_>, session: &Session<'_>, upstream: &str) -> Result<()> {
    let Some(project) = read_project(&session.git, &session.located.toplevel, upstream)? else {
        sources.provenance.push(format!(
            "the project's settings: no {PROJECT_FILE} on the default branch of `{upstream}`"
        ));
        return Ok(());
    };
    let ignored = sources.config.with_project(&project.name, &project.text);
    sources
        .provenance
        .push(format!("the project's settings: {}", project.name));
    if !ignored.is_empty() {
        let keys: Vec<String> = (ignored.iter())
            .map(|k| format!("`{}`", crate::safe::one_line(k)))
            .collect();
        session.out.note(&format!(
            "{} sets {}, which a project's file may not set: ignored",
            project.name,
            keys.join(", ")
        ));
    }
    Ok(())
}

/// The project's file as read: what to call it, and its text as `git config
/// -z --list` prints it.
struct ProjectFile {
    name: String,
    text: String,
}

/// The project's settings: `.cherry-pick-pr` on the default branch of the
/// `remote` (the upstream), as that branch is now, fetched for the purpose.
/// Never the user's checkout or a branch of theirs or of a fork, which
/// anyone can change. `None` when the file is not there; an error when git
/// cannot read it, naming its line.
fn read_project(git: &Git<'_>, toplevel: &Path, remote: &str) -> Result<Option<ProjectFile>> {
    let name = format!("{PROJECT_FILE} on the default branch of `{remote}`");
    let reading = || failed(format!("reading the project's settings ({name})"));
    let tip = default_branch_tip(git, toplevel, remote).map_err(|e| {
        // Ctrl-C reaches git too, which may die of it before the handler
        // has marked the run as interrupted.
        if crate::signals::interrupted_within(std::time::Duration::from_millis(200)) {
            Failure::new(Kind::Interrupted, "interrupted: nothing was changed").because(e)
        } else {
            reading().because(e)
        }
    });
    let Some(tip) = tip? else {
        return Ok(None);
    };
    if git.resolve(toplevel, &format!("{tip}:{PROJECT_FILE}"))?.is_none() {
        return Ok(None);
    }
    match git.config_blob(toplevel, &tip, PROJECT_FILE)?.checked() {
        Ok(text) => Ok(Some(ProjectFile { name, text })),
        Err(error) => Err(failed(format!("{name} (the project's settings) cannot be read"))
            .hint(format!(
                "its maintainers can fix it there; `git config --blob {tip}:{PROJECT_FILE} --list` shows what git makes of it"
            ))
            .because(error)
            .into()),
    }
}

/// The commit the default branch of `remote` is at now, here: fetched
/// without a ref, or (a git without `fetch --porcelain`) named by
/// `ls-remote` and fetched into its remote-tracking branch when it is not
/// here. `None` when the remote names no default branch.
fn default_branch_tip(git: &Git<'_>, toplevel: &Path, remote: &str) -> Result<Option<String>> {
    if let Some(tip) = git.fetch_remote_head(toplevel, remote)? {
        return Ok(Some(tip));
    }
    let Some(head) = git.remote_head(toplevel, remote)? else {
        return Ok(None);
    };
    let branch = &head.name;
    if git.has_commit(toplevel, &head.tip)? {
        return Ok(Some(head.tip));
    }
    if !check_ref_name(branch) {
        anyhow::bail!("its default branch is called `{}`", crate::safe::one_line(branch));
    }
    let tracking = format!("refs/remotes/{remote}/{branch}");
    git.fetch(toplevel, remote, &[&format!("+refs/heads/{branch}:{tracking}")])?;
    Ok(git.resolve(toplevel, &tracking)?)
}

/// Whether `branch` may go into a refspec as it is: no option, no pattern,
/// no other side.
fn check_ref_name(branch: &str) -> bool {
    !branch.is_empty()
        && !branch.starts_with('-')
        && !branch
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '*' | '?' | '[' | '\\' | '^' | '~'))
}

/// A value a setting may take (`None` when that source does not set it), and
/// where it comes from.
type Candidate = (Option<String>, String);

/// Where settings come from (flags, environment, git config over the
/// project's file), and the `--debug` line of each setting resolved so far.
struct Sources<'a> {
    cli: &'a Cli,
    env: &'a Env,
    config: GitConfig,
    /// `--from-event`: the workflow's defaults come before the others.
    event: bool,
    provenance: Vec<String>,
}

impl Sources<'_> {
    /// The first candidate with a value wins; its line in the provenance
    /// names the setting `name` and where the value came from.
    fn pick(&mut self, name: &str, candidates: impl IntoIterator<Item = Candidate>) -> Option<String> {
        let found = candidates.into_iter().find_map(|(v, from)| v.map(|v| (v, from)));
        self.provenance.push(match &found {
            Some((v, from)) if v.contains('\n') => format!("{name}: a multi-line value (from {from})"),
            Some((v, from)) => format!("{name} = {v} (from {from})"),
            None => format!("{name} is not set"),
        });
        found.map(|(v, _)| v)
    }

    /// An environment variable.
    fn var(&self, name: &str) -> Candidate {
        (self.env.get(name).map(str::to_string), name.to_string())
    }

    /// What `--from-event` sets (`None` in any other mode).
    fn event(&self, value: Option<String>) -> Candidate {
        (value.filter(|_| self.event), "--from-event".to_string())
    }

    /// The git config key `cherry-pick-pr.KEY` (the user's, else the
    /// project's file's).
    fn key(&self, key: &str) -> Candidate {
        (self.config.get(key).map(str::to_string), self.config.source(key))
    }

    /// A setting that only git config sets, else its default.
    fn key_or_default(&mut self, key: &str, value: &str) -> String {
        self.pick(key, [self.key(key), default(Some(value.into()), "default")])
            .unwrap_or_default()
    }

    /// A switch: on with its flag, else as git config `cherry-pick-pr.KEY`
    /// (or the project's file) says, else off. Where git config or the file
    /// decides, `--debug` says so.
    fn switch(&mut self, flag: bool, key: &str) -> Result<bool> {
        let configured = self.config.bool(key)?;
        if let (false, Some(on)) = (flag, configured) {
            let from = self.config.source(key);
            self.provenance.push(format!("{key} = {on} (from {from})"));
        }
        Ok(flag || configured.unwrap_or(false))
    }
}

/// Whether the push turns on git's push negotiation: it asks the fork which
/// of the pushed commits' ancestors it already has, so a fork that shares
/// its objects with the upstream (as GitHub's forks do) but whose branches
/// are months behind is sent the picked commits, not the target's history
/// since. On unless the user's git config sets `push.negotiate` either way:
/// git then does as they said (`false` is how one works around a server that
/// mishandles it).
fn negotiate_push(sources: &mut Sources<'_>) -> bool {
    let theirs = sources.config.git_key("push.negotiate").map(str::to_string);
    let set = theirs.is_some();
    sources.pick(
        "push.negotiate",
        [
            (theirs, "git config push.negotiate".to_string()),
            default(Some("true".into()), "default"),
        ],
    );
    !set
}

/// The flag `--NAME`.
fn flag(value: &Option<String>, name: &str) -> Candidate {
    (value.clone(), format!("--{name}"))
}

/// A value of the tool's own, and where it comes from.
fn default(value: Option<String>, from: &str) -> Candidate {
    (value, from.to_string())
}

/// The upstream and fork remotes: their names, their URLs, and the
/// repositories those name.
struct Remotes {
    upstream: String,
    fork: String,
    upstream_url: String,
    fork_url: String,
    upstream_repo: Option<RepoUrl>,
    fork_repo: Option<RepoUrl>,
    /// Every remote of the repository, in config order.
    names: Vec<String>,
}

impl Remotes {
    /// Which remotes are upstream and fork, and their URLs; an error names a
    /// remote that is not there. Unless flag, environment or git config names
    /// the upstream, it is the remote the targets name (but the fork's), else
    /// `upstream`.
    fn resolve(sources: &mut Sources<'_>, targets: &[String]) -> Result<Remotes> {
        let cli = sources.cli;
        let remotes = sources.config.remotes();
        let given = [
            flag(&cli.upstream, "upstream"),
            sources.event(Some(EVENT_REMOTE.into())),
            sources.var("UPSTREAM_REMOTE"),
            sources.key("upstream"),
        ];
        let forks = [
            flag(&cli.fork, "fork"),
            sources.event(Some(EVENT_REMOTE.into())),
            sources.var("FORK_REMOTE"),
            sources.key("fork"),
            default(Some("origin".into()), "default"),
        ];
        let named = if given.iter().any(|(value, _)| value.is_some()) {
            (None, String::new())
        } else {
            // `origin/release-3.1` with origin your fork is a slip, not a
            // choice of upstream: the target's own error says so.
            let fork = forks.iter().find_map(|(value, _)| value.as_deref());
            let names: Vec<&str> = remotes
                .iter()
                .map(|(name, _)| name.as_str())
                .filter(|name| Some(*name) != fork)
                .collect();
            remote_of_targets(targets, &names)?
        };
        let upstream = sources
            .pick(
                "upstream",
                given
                    .into_iter()
                    .chain([named, default(Some("upstream".into()), "default")]),
            )
            .unwrap_or_default();
        let fork = sources.pick("fork", forks).unwrap_or_default();
        let url_of = |name: &str| remotes.iter().find(|(n, _)| n == name).map(|(_, u)| u.clone());
        let upstream_url = url_of(&upstream).ok_or_else(|| missing_remote(&remotes, &upstream, "upstream"))?;
        let fork_url = url_of(&fork).ok_or_else(|| missing_remote(&remotes, &fork, "fork"))?;
        Ok(Remotes {
            upstream_repo: parse_remote_url(&upstream_url),
            fork_repo: parse_remote_url(&fork_url),
            names: remotes.into_iter().map(|(name, _)| name).collect(),
            upstream,
            fork,
            upstream_url,
            fork_url,
        })
    }

    /// The upstream remote's host; `None` for a local path.
    fn host(&self) -> Option<&str> {
        self.upstream_repo.as_ref().and_then(|r| r.host.as_deref())
    }

    /// The fork must not be the repository the pull request goes to.
    fn check_fork_is_not_upstream(&self, repo: &Repo) -> Result<()> {
        let Remotes { fork, fork_url, .. } = self;
        let fork_is_upstream = *fork == self.upstream
            || *fork_url == self.upstream_url
            || self.fork_repo.as_ref().is_some_and(|f| {
                f.same_repo(&RepoUrl {
                    host: self.host().map(str::to_string),
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
        Ok(())
    }
}

/// The remote the targets name (`kubesphere` for `kubesphere/release-3.1`),
/// as the upstream's candidate; none when they name none. Targets that name
/// two remotes are a usage error: a run has one upstream repository, which
/// its pull request numbers belong to.
fn remote_of_targets(targets: &[String], remotes: &[&str]) -> Result<Candidate> {
    let mut named: Vec<(&str, &str)> = Vec::new();
    for target in targets {
        if let Some(remote) = remote_named(target, remotes)
            && !named.iter().any(|(r, _)| *r == remote)
        {
            named.push((remote, target.as_str()));
        }
    }
    match named[..] {
        [] => Ok((None, String::new())),
        [(remote, target)] => Ok((Some(remote.to_string()), format!("the target {target}"))),
        [(first, first_target), (second, second_target), ..] => Err(usage(format!(
            "the targets name two remotes, `{first}` ({first_target}) and `{second}` ({second_target}), but a run picks from one upstream remote"
        ))
        .hint(format!(
            "run once for the targets on `{first}` and once for those on `{second}`"
        ))
        .into()),
    }
}

/// There is no remote `name`, which was to be the `role` (and `--role`) remote.
fn missing_remote(remotes: &[(String, String)], name: &str, role: &str) -> Failure {
    let known: Vec<&str> = remotes.iter().map(|(n, _)| n.as_str()).collect();
    failed(format!(
        "there is no remote named `{name}` (the {role} remote) in this repository"
    ))
    .hint(format!(
        "add it with `git remote add {name} URL`, or name another with --{role}{}",
        if known.is_empty() {
            String::new()
        } else {
            format!(" (remotes here: {})", known.join(", "))
        }
    ))
}

/// The upstream repository: `--repo`, `MAIN_REPO_ORG` with `MAIN_REPO_NAME`,
/// git config, else what the upstream remote's URL names.
fn repository(sources: &mut Sources<'_>, remotes: &Remotes) -> Result<Repo> {
    let env_repo = match (sources.env.get("MAIN_REPO_ORG"), sources.env.get("MAIN_REPO_NAME")) {
        (Some(org), Some(name)) => Some(format!("{org}/{name}")),
        _ => None,
    };
    let text = sources.pick(
        "repo",
        [
            flag(&sources.cli.repo, "repo"),
            sources.event(sources.env.get("GITHUB_REPOSITORY").map(str::to_string)),
            (env_repo, "MAIN_REPO_ORG and MAIN_REPO_NAME".into()),
            sources.key("repo"),
            default(
                remotes.upstream_repo.as_ref().map(RepoUrl::slug),
                "the upstream remote's URL",
            ),
        ],
    );
    let Remotes {
        upstream, upstream_url, ..
    } = remotes;
    let text = text.ok_or_else(|| {
        failed(format!(
            "cannot tell which GitHub repository the `{upstream}` remote ({upstream_url}) is"
        ))
        .hint("name it with --repo OWNER/NAME or git config cherry-pick-pr.repo OWNER/NAME")
    })?;
    parse_repo(&text)
}

/// The REST API's base URL: `--api-url`, `GITHUB_API_URL`, git config, else
/// the one that serves the upstream remote's host.
fn api_url(sources: &mut Sources<'_>, host: Option<&str>) -> Result<String> {
    let url = sources
        .pick(
            "api-url",
            [
                flag(&sources.cli.api_url, "api-url"),
                sources.var("GITHUB_API_URL"),
                sources.key("apiUrl"),
                default(Some(api_url_for_host(host)), "the upstream remote's host"),
            ],
        )
        .unwrap_or_default();
    check_api_url(&url)?;
    Ok(url)
}

/// The fork owner's login: with `--from-event` the repository's owner
/// (the workflow pushes to the repository itself), else `--user`,
/// `GITHUB_USER`, git config, else the owner the fork remote's URL names.
fn user(sources: &mut Sources<'_>, remotes: &Remotes, repo: &Repo) -> Option<String> {
    sources.pick(
        "user",
        [
            sources.event(Some(repo.owner.clone())),
            flag(&sources.cli.user, "user"),
            sources.var("GITHUB_USER"),
            sources.key("user"),
            default(
                remotes.fork_repo.as_ref().map(|r| r.owner.clone()),
                "the fork remote's URL",
            ),
        ],
    )
}

/// The command run after applying: `--exec`, `--regenerate-docs`,
/// `REGENERATE_DOCS` (but `false`, `0` or `no`), else git config.
fn exec(sources: &mut Sources<'_>) -> Option<String> {
    let regenerate = sources.cli.regenerate_docs.then(|| GENERATE_DOCS.to_string());
    let env_regenerate = sources
        .env
        .get("REGENERATE_DOCS")
        .filter(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
        .map(|_| GENERATE_DOCS.to_string());
    sources.pick(
        "exec",
        [
            flag(&sources.cli.exec, "exec"),
            (regenerate, "--regenerate-docs".into()),
            (env_regenerate, "REGENERATE_DOCS".into()),
            sources.key("exec"),
        ],
    )
}

/// The title and body templates and the documentation link, from git config
/// or the defaults; a template may use only the placeholders there are.
fn templates(sources: &mut Sources<'_>) -> Result<text::Templates> {
    let title = sources.key_or_default("titleTemplate", text::TITLE_TEMPLATE);
    let body = sources.key_or_default("bodyTemplate", text::BODY_TEMPLATE);
    let doc_link = sources.key_or_default("docLink", text::DOC_LINK);
    for (name, template) in [("titleTemplate", &title), ("bodyTemplate", &body)] {
        text::check_template(template).map_err(|e| {
            usage(format!("{}: {e}", sources.config.source(name)))
                .hint("see the placeholders in `git cherry-pick-pr --help`")
        })?;
    }
    Ok(text::Templates { title, body, doc_link })
}

/// The globs of source labels to copy: every `--copy-labels`, else git
/// config's (multi-valued); each must be a glob.
fn copy_labels(cli: &Cli, config: &GitConfig) -> Result<Vec<String>> {
    let patterns: Vec<String> = if cli.copy_labels.is_empty() {
        config
            .all("copyLabels")
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        cli.copy_labels.clone()
    };
    for pattern in &patterns {
        glob::Pattern::new(pattern).map_err(|e| usage(format!("`{pattern}` is not a label pattern: {e}")))?;
    }
    Ok(patterns)
}

/// The labels to add: none with `--no-label`, else every `--label`, else git
/// config's (multi-valued), else the default.
fn labels(sources: &mut Sources<'_>) -> Vec<String> {
    let cli = sources.cli;
    let configured = sources.config.all("label");
    let (labels, line) = if cli.no_label {
        (Vec::new(), "labels: none (--no-label)".to_string())
    } else if !cli.labels.is_empty() {
        let line = format!("labels = {} (from --label)", cli.labels.join(", "));
        (cli.labels.clone(), line)
    } else if !configured.is_empty() {
        let labels: Vec<String> = configured
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let line = format!(
            "labels = {} (from {})",
            labels.join(", "),
            sources.config.source("label")
        );
        (labels, line)
    } else {
        let line = format!("labels = {DEFAULT_LABEL} (default)");
        (vec![DEFAULT_LABEL.to_string()], line)
    };
    sources.provenance.push(line);
    labels
}

/// The `author_association`s whose `/cherrypick` comments count, upper case.
fn allowed_associations(sources: &mut Sources<'_>) -> Vec<String> {
    let list = sources
        .pick(
            "allowedAssociations",
            [
                flag(&sources.cli.allowed_associations, "allowed-associations"),
                sources.key("allowedAssociations"),
                default(Some(DEFAULT_ASSOCIATIONS.into()), "default"),
            ],
        )
        .unwrap_or_default();
    list.split(',')
        .map(|a| a.trim().to_ascii_uppercase())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The label for a source pull request whose cherry pick merged: git config
/// `cherry-pick-pr.doneLabel` only (a template in which `{branch}` stands
/// for the cherry pick's base), none by default.
fn done_label(sources: &mut Sources<'_>) -> Result<Option<String>> {
    let Some(template) = sources.pick("doneLabel", [sources.key("doneLabel")]) else {
        return Ok(None);
    };
    let template = template.trim().to_string();
    if template.is_empty() {
        return Ok(None);
    }
    text::check_candidate_label(&template).map_err(|e| {
        usage(format!("{}: `{template}`: {e}", sources.config.source("doneLabel"))).hint(
            "it is a label name in which `{branch}` stands for the cherry pick's branch, e.g. 'cherry-picked/{branch}'",
        )
    })?;
    Ok(Some(template))
}

/// Who may ask for a cherry pick with a comment, as prow allows.
pub const DEFAULT_ASSOCIATIONS: &str = "OWNER,MEMBER,COLLABORATOR";

/// The candidate label templates: every `--candidate-label`, else git
/// config's (multi-valued), else prow's `cherrypick/{branch}`.
fn candidate_labels(sources: &mut Sources<'_>) -> Result<Vec<String>> {
    let cli = sources.cli;
    let configured: Vec<String> = sources
        .config
        .all("candidateLabel")
        .into_iter()
        .map(str::to_string)
        .collect();
    let (templates, from) = if !cli.candidate_labels.is_empty() {
        (cli.candidate_labels.clone(), "--candidate-label".to_string())
    } else if !configured.is_empty() {
        (configured, sources.config.source("candidateLabel"))
    } else {
        (vec![DEFAULT_CANDIDATE_LABEL.to_string()], "default".to_string())
    };
    for template in &templates {
        text::check_candidate_label(template).map_err(|e| {
            usage(format!("the candidate label `{template}` (from {from}): {e}"))
                .hint("a candidate label is a label name in which `{branch}` stands for the target branch, e.g. 'backport/{branch}'")
        })?;
    }
    sources
        .provenance
        .push(format!("candidate labels = {} (from {from})", templates.join(", ")));
    Ok(templates)
}

/// The label for pull requests that did not apply as they are: git config
/// only, none by default (and then not in `--debug`'s list, which a clean
/// run keeps free of talk of conflicts).
fn conflict_label(sources: &mut Sources<'_>) -> Option<String> {
    let label = sources
        .config
        .get("conflictLabel")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)?;
    let from = sources.config.source("conflictLabel");
    sources
        .provenance
        .push(format!("conflictLabel = {label} (from {from})"));
    Some(label)
}

/// What is picked of each pull request: `--pick`, else git config
/// `cherry-pick-pr.pick`, else its own commits.
fn pick(sources: &mut Sources<'_>) -> Result<Pick> {
    let flag = sources.cli.pick.map(|p| p.name().to_string());
    let Some(text) = sources.pick(
        "pick",
        [
            (flag, "--pick".to_string()),
            sources.key("pick"),
            default(Some(Pick::Commits.name().into()), "default"),
        ],
    ) else {
        return Ok(Pick::Commits);
    };
    Pick::parse(&text).ok_or_else(|| {
        usage(format!(
            "{} is `{}`; it takes commits, landed or auto",
            sources.config.source("pick"),
            crate::safe::one_line(&text)
        ))
        .into()
    })
}

/// GitHub's auto-merge: `--auto-merge[=METHOD]`, else git config
/// `cherry-pick-pr.autoMerge` (a method, or a boolean), else off.
fn auto_merge(sources: &mut Sources<'_>) -> Result<Option<MergeMethod>> {
    let flag = sources.cli.auto_merge.map(|m| m.name().to_string());
    let Some(text) = sources.pick(
        "autoMerge",
        [(flag, "--auto-merge".to_string()), sources.key("autoMerge")],
    ) else {
        return Ok(None);
    };
    MergeMethod::parse_setting(&text).map_err(|()| {
        usage(format!(
            "{} is `{}`; it takes merge, squash, rebase, true or false",
            sources.config.source("autoMerge"),
            crate::safe::one_line(&text)
        ))
        .into()
    })
}

/// The justification: `--why`, or the contents of `--why-file`; blank is none.
fn why(cli: &Cli) -> Result<Option<String>> {
    let text = match (&cli.why, &cli.why_file) {
        (Some(text), _) => text.clone(),
        (None, Some(file)) => std::fs::read_to_string(file).map_err(|e| {
            usage(format!("--why-file: reading {} failed: {e}", file.display()))
                .hint("name a readable UTF-8 text file, or give the text with --why TEXT")
        })?,
        (None, None) => return Ok(None),
    };
    let text = text.replace("\r\n", "\n").trim().to_string();
    Ok((!text.is_empty()).then_some(text))
}

/// The reviewers to request: every `--reviewer`, else git config's
/// (multi-valued); each must look like a login.
fn reviewers(sources: &mut Sources<'_>) -> Result<Vec<String>> {
    let cli = sources.cli;
    let (logins, from): (Vec<String>, &str) = if cli.reviewers.is_empty() {
        let configured = sources.config.all("reviewer");
        let logins = configured
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        (logins, "git config cherry-pick-pr.reviewer")
    } else {
        (cli.reviewers.clone(), "--reviewer")
    };
    let mut unique: Vec<String> = Vec::new();
    for login in logins {
        let login = login.trim().trim_start_matches('@').to_string();
        if login.is_empty() || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(usage(format!("{from}: `{login}` is not a GitHub login"))
                .hint("name each reviewer by GitHub login, e.g. --reviewer octocat")
                .into());
        }
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(&login)) {
            unique.push(login);
        }
    }
    sources.provenance.push(if unique.is_empty() {
        "reviewers: none".to_string()
    } else {
        format!("reviewers = {} (from {from})", unique.join(", "))
    });
    Ok(unique)
}

/// The targets, each once however often and however spelled: two runs on one
/// branch would race for the same worktree branch and fork branch.
fn targets(args: &[String], remotes: &Remotes) -> Result<Vec<Target>> {
    let names: Vec<&str> = remotes.names.iter().map(String::as_str).collect();
    let mut targets = Vec::new();
    for text in args {
        let target = parse_target(text, &remotes.upstream, &names)?;
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
}

/// The pull requests' numbers, each once; one given as a URL must be in the
/// upstream repository.
fn pr_numbers(refs: &[PrRef], repo: &Repo) -> Result<Vec<u64>> {
    let mut prs = Vec::new();
    for pr in refs {
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
    Ok(prs)
}

/// The retry policy. Variables meant for tests and the benchmark, left out
/// of the documentation, change it: `CHERRY_PICK_PR_TIMEOUT_MS` (one try),
/// `CHERRY_PICK_PR_BACKOFF_MS` (the first backoff) and
/// `CHERRY_PICK_PR_IN_FLIGHT` (the most requests at once, to measure what
/// the cap costs).
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
    // How long one of GitHub's seconds lasts: the tests' waits are short.
    if let Some(second) = millis("CHERRY_PICK_PR_SECOND_MS") {
        policy.second = second;
    }
    if let Some(most) = env
        .get("CHERRY_PICK_PR_IN_FLIGHT")
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        policy.in_flight = most.max(1);
    }
    policy
}

/// The web host whose token is looked for and named in messages: the one the
/// API URL serves (`https://ghe.example.com/api/v3` → ghe.example.com), as
/// the token goes there; but for an API on a loopback address (a proxy, a
/// test server), the upstream remote's host, else github.com.
fn web_host(api_url: &str, remote_host: Option<&str>) -> String {
    let served = crate::git::remote::web_host_for_api(api_url);
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
    fn each_setting_notes_where_it_came_from() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["x", "--user", "erin", "r", "1"]).unwrap();
        let env: Env = [("GITHUB_USER", "dave"), ("UPSTREAM_REMOTE", "up")]
            .into_iter()
            .collect();
        let config = GitConfig::parse("cherry-pick-pr.label\nkind/bug\0cherry-pick-pr.bodytemplate\na\nb\0");
        let mut sources = Sources {
            cli: &cli,
            env: &env,
            config,
            event: false,
            provenance: Vec::new(),
        };
        let user = sources.pick("user", [flag(&cli.user, "user"), sources.var("GITHUB_USER")]);
        assert_eq!(user.as_deref(), Some("erin"));
        let upstream = sources.pick(
            "upstream",
            [flag(&cli.upstream, "upstream"), sources.var("UPSTREAM_REMOTE")],
        );
        assert_eq!(upstream.as_deref(), Some("up"));
        assert_eq!(sources.pick("milestone", [sources.key("milestone")]), None);
        assert_eq!(sources.key_or_default("bodyTemplate", "x"), "a\nb");
        assert_eq!(sources.key_or_default("docLink", "https://d"), "https://d");
        assert_eq!(labels(&mut sources), ["kind/bug"]);
        assert_eq!(
            sources.provenance,
            [
                "user = erin (from --user)",
                "upstream = up (from UPSTREAM_REMOTE)",
                "milestone is not set",
                "bodyTemplate: a multi-line value (from git config cherry-pick-pr.bodyTemplate)",
                "docLink = https://d (from default)",
                "labels = kind/bug (from git config cherry-pick-pr.label)",
            ]
        );
    }

    #[test]
    fn the_targets_name_the_upstream_remote_when_they_agree() {
        let remotes = ["kubesphere", "upstream"];
        let targets = |t: &[&str]| t.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let named = remote_of_targets(&targets(&["kubesphere/release-3.1", "release-3.0"]), &remotes).unwrap();
        assert_eq!(
            named,
            (Some("kubesphere".into()), "the target kubesphere/release-3.1".into())
        );
        let named = remote_of_targets(
            &targets(&["refs/remotes/kubesphere/release-3.1", "kubesphere/release-3.0"]),
            &remotes,
        )
        .unwrap();
        assert_eq!(named.0.as_deref(), Some("kubesphere"));
        // A bare branch, or a remote that is not there, names none.
        for none in [&["release-3.1"][..], &["other/release-3.1"], &[]] {
            assert_eq!(remote_of_targets(&targets(none), &remotes).unwrap().0, None, "{none:?}");
        }
        let err =
            remote_of_targets(&targets(&["kubesphere/release-3.1", "upstream/release-3.0"]), &remotes).unwrap_err();
        assert_eq!(crate::errors::kind_of(&err), crate::errors::Kind::Usage);
        assert!(
            err.to_string()
                .starts_with("the targets name two remotes, `kubesphere` (kubesphere/release-3.1) and `upstream`"),
            "{err}"
        );
    }

    #[test]
    fn env_ignores_empty_values() {
        let env: Env = [("A", ""), ("B", "x")].into_iter().collect();
        assert_eq!(env.get("A"), None);
        assert_eq!(env.get("B"), Some("x"));
    }
}
