//! The command line: every argument and flag as clap parses it. The doc
//! comments are the help text and the man page: the first line is what `-h`
//! and the completions show, the whole comment what `--help` and the man page
//! show. The options are grouped under `HEADINGS`; `-h` lists only the few a
//! first run needs (the others are `hide_short_help`), so that it fits on one
//! screen.

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, ValueEnum};

/// What `--version` prints after the name: the package's version and, for a
/// build from a git clone, the commit it was built from (`build.rs`), so that a
/// bug report says what ran: `0.1.0 (abc1234 2026-12-07)`. The man page keeps
/// the bare version, so that it is the same file at every commit.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("GIT_CHERRY_PICK_PR_COMMIT"));

/// The headings `--help` and the man page group the options under, in this
/// order: clap lists a heading where its first option is declared, and a
/// test holds the declarations to this list.
#[cfg(test)]
pub const HEADINGS: [&str; 6] = [PICKING, PULL_REQUEST, RELEASE_MANAGER, STOPPED_RUNS, AUTOMATION, OUTPUT];
const PICKING: &str = "Picking";
const PULL_REQUEST: &str = "The pull request";
const RELEASE_MANAGER: &str = "The release manager";
const STOPPED_RUNS: &str = "Stopped runs";
const AUTOMATION: &str = "Automation";
const OUTPUT: &str = "Output and diagnostics";

/// Backport merged GitHub pull requests onto release branches as new pull
/// requests.
///
/// `git cherry-pick-pr upstream/release-3.1 3796` fetches the release branch
/// and pull request #3796 from the upstream remote, applies the pull request's
/// patch with `git am -3` on a new branch in a separate worktree (your checkout
/// is never touched), force-pushes that branch to your fork as
/// `automated-cherry-pick-of-#3796-upstream-release-3.1`, opens a pull request
/// against release-3.1, labels it, and prints its URL.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "git-cherry-pick-pr",
    bin_name = "git cherry-pick-pr",
    version,
    disable_help_flag = true,
    disable_version_flag = true,
    override_usage = "git cherry-pick-pr [OPTIONS] <TARGET>... <PR>...\n       git cherry-pick-pr --missing | --from-labels | -i [OPTIONS] <TARGET>...\n       git cherry-pick-pr --continue | --abort | --status [TARGET]\n       git cherry-pick-pr --from-event",
    after_help = "Exit status: 0 done, 1 failed, 2 usage error, 3 conflicts, 130 interrupted.",
    after_long_help = "Exit status: 0 done, 1 failed, 2 usage error, 3 stopped on conflicts, 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    /// Release branches to backport onto, then the pull requests to pick
    ///
    /// Targets come first: a remote-tracking branch such as
    /// `upstream/release-3.1` (also written in full,
    /// `refs/remotes/upstream/release-3.1`), or a bare `release-3.1` meaning
    /// that branch on the upstream remote; a tag or a commit is no target.
    /// Pull requests come last: `3796`, `#3796`, or a pull
    /// request URL of the upstream repository. Several pull requests are applied
    /// in the order given and proposed as one pull request.
    #[arg(value_name = "TARGET|PR", required_unless_present_any = ["resume", "abort", "status", "generate", "from_event"], num_args = 1..)]
    #[arg(hide_short_help = true)]
    pub args: Vec<String>,

    // Picking: where from, where to, and how.
    /// The remote to fetch targets and pull requests from
    ///
    /// Also `UPSTREAM_REMOTE` or git config `cherry-pick-pr.upstream`; default:
    /// the remote the targets name (`kubesphere` for
    /// `kubesphere/release-3.1`) unless it is the fork's, else `upstream`.
    #[arg(long, value_name = "REMOTE", help_heading = PICKING)]
    pub upstream: Option<String>,

    /// Your fork's remote, where the branch is pushed
    ///
    /// Also `FORK_REMOTE` or git config `cherry-pick-pr.fork`; default `origin`.
    #[arg(long, value_name = "REMOTE", help_heading = PICKING)]
    pub fork: Option<String>,

    /// Apply on a local branch, then stop: push nothing
    ///
    /// Nothing is written to GitHub either. Also `DRY_RUN` (any non-empty
    /// value).
    #[arg(long, help_heading = PICKING)]
    pub dry_run: bool,

    /// Push and open the pull request without asking
    ///
    /// Without it the tool asks before pushing when standard input is a
    /// terminal, and refuses to push when it is not.
    #[arg(long, short = 'y', help_heading = PICKING)]
    pub yes: bool,

    /// Run CMD after applying, and commit what it changed
    ///
    /// CMD runs in the worktree through your shell (`$SHELL -c`), e.g. a
    /// generator of docs or code. If it changes files, they are committed as
    /// one commit ("Regenerate generated files after cherry-pick of #3796").
    /// If it fails, nothing is pushed and `--continue` runs it again. Also git
    /// config `cherry-pick-pr.exec`.
    #[arg(long, value_name = "CMD", conflicts_with = "regenerate_docs", help_heading = PICKING)]
    pub exec: Option<String>,

    /// Run `hack/generate-docs.sh` after applying (as `--exec` does)
    ///
    /// Also `REGENERATE_DOCS` (any non-empty value but `false` or `0`).
    #[arg(long, help_heading = PICKING, hide_short_help = true)]
    pub regenerate_docs: bool,

    /// Add a Signed-off-by trailer to each picked commit (`git am --signoff`)
    ///
    /// Also git config `cherry-pick-pr.signoff`.
    #[arg(long, help_heading = PICKING, hide_short_help = true)]
    pub signoff: bool,

    /// What to pick of each pull request: its own commits, or what landed
    ///
    /// `commits` (the default): the pull request's own commits, through its
    /// patch, as the script did. `landed`: what landed on the branch it was
    /// merged into: the squash commit of a squash-merged pull request, the
    /// rebased commits of a rebase-merged one (a merge commit's pull request:
    /// its own commits). `auto`: `landed` for a squash-merged pull request,
    /// else its own commits. Also git config `cherry-pick-pr.pick`.
    #[arg(long, value_enum, value_name = "WHAT", help_heading = PICKING, hide_short_help = true)]
    pub pick: Option<crate::cli::options::Pick>,

    /// End each picked commit's message with `(cherry picked from commit
    /// <sha>)`, as `git cherry-pick -x` does
    ///
    /// The commit named is the one on the branch the pull request was merged
    /// into (the squash or rebased commit, or its own for a merge commit);
    /// a commit that is not there is never named. Also git config
    /// `cherry-pick-pr.recordOrigin`.
    #[arg(short = 'x', help_heading = PICKING, hide_short_help = true)]
    pub record_origin: bool,

    /// Pick pull requests that are not merged yet
    #[arg(long, help_heading = PICKING, hide_short_help = true)]
    pub allow_unmerged: bool,

    /// Also pick the earlier pull requests each one needs
    ///
    /// Before anything is pushed, each pull request is tried in the worktree;
    /// one that conflicts is looked at as a stop would be: the earlier pull
    /// requests that last touched its conflicting lines and that the target
    /// lacks are picked first, in merge order, in the same pull request. Its
    /// title stays the requested pull requests'; its body says "Also picks
    /// #3805, which #3806 needs". With `--dry-run` the plan is shown, and the
    /// run stops there. Also git config `cherry-pick-pr.withPrerequisites`.
    #[arg(long, help_heading = PICKING, hide_short_help = true)]
    pub with_prerequisites: bool,

    /// Push over commits that others added to the fork branch
    ///
    /// Running again for the same pull requests and target replaces the fork
    /// branch the first run pushed. When that branch holds commits that are
    /// neither picks of the same pull requests (compared by patch id) nor the
    /// tool's own `--exec` commit (a reviewer's suggestion, a fix pushed by a
    /// maintainer), the run refuses: it names them, pushes nothing, and keeps
    /// the picked commits for `--continue`. With `--force` (also with
    /// `--continue`) it pushes over them. Either way the push leases on the
    /// tip it checked (`--force-with-lease`), so a push to the branch since
    /// then is never lost.
    #[arg(long, help_heading = PICKING, hide_short_help = true)]
    pub force: bool,

    /// Your GitHub login, the owner of the fork
    ///
    /// Also `GITHUB_USER` or git config `cherry-pick-pr.user`; default: the owner
    /// in the fork remote's URL, else the token's login.
    #[arg(long, value_name = "LOGIN", help_heading = PICKING, hide_short_help = true)]
    pub user: Option<String>,

    /// The upstream repository, where the pull request is opened
    ///
    /// Also `MAIN_REPO_ORG` + `MAIN_REPO_NAME` or git config
    /// `cherry-pick-pr.repo`; default: parsed from the upstream remote's URL.
    #[arg(long, value_name = "OWNER/NAME", help_heading = PICKING, hide_short_help = true)]
    pub repo: Option<String>,

    /// The GitHub REST API base URL
    ///
    /// Also `GITHUB_API_URL` or git config `cherry-pick-pr.apiUrl`; default
    /// `https://api.github.com` for github.com and `https://HOST/api/v3` for any
    /// other host. Plain `http://` is accepted only for loopback addresses.
    #[arg(long, value_name = "URL", help_heading = PICKING, hide_short_help = true)]
    pub api_url: Option<String>,

    // The pull request: what it says, and what is done with it.
    /// A label to add to the new pull request (repeatable)
    ///
    /// Replaces the labels from git config `cherry-pick-pr.label`; default
    /// `do-not-merge/cherry-pick-not-approved`.
    #[arg(long = "label", value_name = "NAME", conflicts_with = "no_label", help_heading = PULL_REQUEST)]
    pub labels: Vec<String>,

    /// Add no label to the new pull request
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub no_label: bool,

    /// Open the pull request as a draft
    ///
    /// Also git config `cherry-pick-pr.draft`.
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub draft: bool,

    /// Merge the pull request by itself once it may be merged
    ///
    /// Turns on GitHub's auto-merge for the new (or updated) pull request,
    /// with the method given: `merge` (the default), `squash` or `rebase`.
    /// It merges when the branch protection is satisfied: required reviews,
    /// checks, and labels such as `do-not-merge/cherry-pick-not-approved`
    /// that a check holds it on. A repository that does not allow
    /// auto-merge gets a warning. Also git config `cherry-pick-pr.autoMerge`.
    #[arg(
        long,
        value_enum,
        value_name = "METHOD",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "merge",
        help_heading = PULL_REQUEST,
        hide_short_help = true
    )]
    pub auto_merge: Option<crate::cli::options::MergeMethod>,

    /// Edit the title and body before anything is pushed
    ///
    /// As `git commit` does: the editor is `git var GIT_EDITOR` (`GIT_EDITOR`,
    /// `core.editor`, `VISUAL`, `EDITOR`). The first line is the title, the
    /// rest the body. The text carries the cherry-pick process's questions as
    /// HTML comments, which are removed, and, unless the pick is marked
    /// `--critical`, headings to make its case under: issue, scope, risks,
    /// regression risks, testing, reviewers. If the editor fails, or the
    /// title or body is left empty, nothing is pushed and the work is kept:
    /// `git cherry-pick-pr --continue` (which takes `--edit` too) opens the
    /// editor again. Without a terminal, the editor must be one that can run.
    /// Also git config `cherry-pick-pr.edit`.
    #[arg(long, help_heading = PULL_REQUEST)]
    pub edit: bool,

    /// Put TEXT in the body as the justification for the pick, without an editor
    ///
    /// Markdown; it goes where `{justification}` is in the body template,
    /// before the conflict disclosure. With `--edit`, the editor starts with
    /// it in place of the headings.
    #[arg(long, value_name = "TEXT", conflicts_with = "why_file", help_heading = PULL_REQUEST, hide_short_help = true)]
    pub why: Option<String>,

    /// Put the contents of FILE in the body as the justification, as `--why` does
    #[arg(long, value_name = "FILE", help_heading = PULL_REQUEST, hide_short_help = true)]
    pub why_file: Option<std::path::PathBuf>,

    /// Mark the pick as a fix of a critical bug (data loss, memory
    /// corruption, a panic, crash or hang, security)
    ///
    /// Release branches take mostly such fixes; other picks have to make
    /// their case. With it, `--edit` leaves the justification headings out.
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub critical: bool,

    /// Request a review of the new pull request from LOGIN (repeatable)
    ///
    /// Replaces the reviewers from git config `cherry-pick-pr.reviewer`
    /// (multi-valued). You and the source pull requests' authors are left out.
    /// Failing to request (LOGIN is not a collaborator, or your token may not
    /// request reviews) is a warning.
    #[arg(long = "reviewer", value_name = "LOGIN", help_heading = PULL_REQUEST, hide_short_help = true)]
    pub reviewers: Vec<String>,

    /// Request a review from those who approved the source pull requests
    ///
    /// Each one whose latest review of a source pull request approves it,
    /// but the authors of the source pull requests and you. Also git config
    /// `cherry-pick-pr.reviewersFromSource`.
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub reviewers_from_source: bool,

    /// Set the milestone of the new pull request: `auto`, or its title
    ///
    /// `auto` picks the open milestone matching the target's version:
    /// `release-1.31` matches `v1.31`, `1.31`, `v1.31.x` or `1.31.x`. None
    /// matching is a notice, not an error. Also git config
    /// `cherry-pick-pr.milestone`.
    #[arg(long, value_name = "NAME|auto", help_heading = PULL_REQUEST, hide_short_help = true)]
    pub milestone: Option<String>,

    /// Copy the source pull requests' labels that match PATTERN (repeatable)
    ///
    /// A glob such as `kind/*`. Also git config `cherry-pick-pr.copyLabels`
    /// (multi-valued).
    #[arg(long = "copy-labels", value_name = "PATTERN", help_heading = PULL_REQUEST, hide_short_help = true)]
    pub copy_labels: Vec<String>,

    /// Assign the new pull request to the source pull requests' authors
    ///
    /// Also git config `cherry-pick-pr.assignAuthor`.
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub assign_author: bool,

    /// Comment on each source pull request with a link to the new one
    ///
    /// Also git config `cherry-pick-pr.commentSource`.
    #[arg(long, help_heading = PULL_REQUEST, hide_short_help = true)]
    pub comment_source: bool,

    // The release manager: the pull requests found by their labels.
    /// List the merged pull requests that still need backporting to each
    /// TARGET, and do nothing else
    ///
    /// A candidate for `release-3.1` is a pull request merged into the
    /// repository's default branch that carries a candidate label
    /// (`cherrypick/release-3.1`; see `--candidate-label`). It is missing
    /// unless its change is already on the target (the same patch, or a commit
    /// saying `cherry picked from commit` one of its commits), or an open or
    /// merged pull request against the target is a cherry pick of it (by
    /// title, body or branch, by anyone). A closed, unmerged cherry pick does
    /// not count, but is shown. Oldest merge first. On a terminal, a table;
    /// otherwise one line per pull request, `#3796<TAB>title` (with a third
    /// field, the target, when several targets are given). Writes nothing to
    /// GitHub and pushes nothing.
    #[arg(long, group = "selection", conflicts_with_all = ["resume", "abort", "status"], help_heading = RELEASE_MANAGER, hide_short_help = true)]
    pub missing: bool,

    /// Backport every missing candidate (as `--missing` lists them): one pull
    /// request per source pull request per target
    ///
    /// Each job is independent: a conflict in one does not stop the others,
    /// and a stopped one is left out of later runs until it is finished or
    /// dropped. `--status` names a stopped job by its target, or by its fork
    /// branch where two share a target.
    #[arg(long, group = "selection", conflicts_with_all = ["resume", "abort", "status"], help_heading = RELEASE_MANAGER, hide_short_help = true)]
    pub from_labels: bool,

    /// Choose on the terminal which pull requests to backport: the missing
    /// candidates (checked), then recently merged pull requests without the
    /// label; each chosen one is backported as with `--from-labels`
    #[arg(long, short = 'i', group = "selection", conflicts_with_all = ["resume", "abort", "status"], help_heading = RELEASE_MANAGER, hide_short_help = true)]
    pub select: bool,

    /// The label that makes a merged pull request a candidate for a target
    /// (repeatable): `{branch}` is the target branch
    ///
    /// Also git config `cherry-pick-pr.candidateLabel` (multi-valued); default
    /// `cherrypick/{branch}`, prow's convention.
    #[arg(long = "candidate-label", value_name = "TEMPLATE", help_heading = RELEASE_MANAGER, hide_short_help = true)]
    pub candidate_labels: Vec<String>,

    // Stopped runs: the usage's second form names these too.
    /// Finish a run that stopped on conflicts: complete `git am`, apply the
    /// remaining pull requests, push and open the pull request
    ///
    /// Resolve the conflicts in the worktree the stop named (`git add` the
    /// files; running `git am --continue` there yourself is fine too), then run
    /// this. With several targets in progress, name the one to continue.
    #[arg(long = "continue", group = "action", conflicts_with_all = ["abort", "status"], help_heading = STOPPED_RUNS, hide_short_help = true)]
    pub resume: bool,

    /// Give up a run that stopped: remove its worktree and branch and forget it
    #[arg(long, group = "action", conflicts_with = "status", help_heading = STOPPED_RUNS, hide_short_help = true)]
    pub abort: bool,

    /// Show what is in progress: target, pull requests applied and left,
    /// the worktree, and what to run next
    #[arg(long, group = "action", help_heading = STOPPED_RUNS, hide_short_help = true)]
    pub status: bool,

    // Automation: the GitHub Actions step.
    /// Act on the GitHub Actions event that started this workflow run
    ///
    /// Reads `GITHUB_EVENT_NAME` and `GITHUB_EVENT_PATH`. A merged pull
    /// request is backported to each branch its candidate labels name
    /// (`cherrypick/release-3.1`), at its merge or when such a label is added
    /// after; a comment `/cherrypick release-3.1` (one a line) on a merged
    /// pull request backports it now, and on an open one adds the label so
    /// that the merge does it. Only comments by the repository's owner,
    /// members and collaborators count (see `--allowed-associations`). The
    /// checkout is the repository itself: `origin` is both the upstream and
    /// where the branches are pushed. No terminal, no confirmation; the token
    /// is `GITHUB_TOKEN`. Each event ends with one comment on the source pull
    /// request listing each target's new pull request or what went wrong (a
    /// conflict leaves no branch behind), and with `$GITHUB_OUTPUT` (`urls`,
    /// `jobs`) and `$GITHUB_STEP_SUMMARY` written.
    #[arg(long, conflicts_with_all = ["resume", "abort", "status", "missing", "from_labels", "select", "dry_run"], help_heading = AUTOMATION, hide_short_help = true)]
    pub from_event: bool,

    /// The `author_association`s whose `/cherrypick` comments count, comma
    /// separated
    ///
    /// Also git config `cherry-pick-pr.allowedAssociations`; default
    /// `OWNER,MEMBER,COLLABORATOR`.
    #[arg(long, value_name = "LIST", requires = "from_event", help_heading = AUTOMATION, hide_short_help = true)]
    pub allowed_associations: Option<String>,

    // Output and diagnostics.
    /// Print the jobs as JSON on stdout, not the URLs
    ///
    /// One line: an array with an object per job, in the order the targets
    /// were given (with `--continue`, the jobs it took up). Each object has
    /// `target` (`upstream/release-3.1`), `remote`, `base` (the target
    /// branch without its remote), `prs` (the pull requests the job picks),
    /// `picked`, `skipped` (already on the target), `skipped_by_hand`,
    /// `branch` (the fork branch,
    /// `automated-cherry-pick-of-#3796-upstream-release-3.1`), `outcome`
    /// (`opened`, `updated`, `dry-run`, `already-applied`, `skipped-by-hand`,
    /// `conflict` or `failed`), `url` (the pull request), `local_branch` (left
    /// with the commits by a dry run or a stop), `worktree` (kept for
    /// `--continue`), `conflicts` (the files in conflict), `prerequisites`
    /// (the earlier pull requests the one stopped on needs and the target
    /// lacks), `prerequisites_waiting` (those waiting in an open cherry pick
    /// on the target, and it: `{"3805": 4001}`; left out when none is) and
    /// `error` (the first line of what stopped the job); `url`, `local_branch`, `worktree`
    /// and `error` are null when there is none. stderr and the exit status
    /// are as without `--json`; a run that fails before any job begins prints
    /// nothing on stdout. Not with `--status` or `--abort`.
    ///
    /// With `--missing`, an array with an object per missing pull request
    /// per target: `number`, `title`, `author`, `merged_at`, `target`,
    /// `url`, `labelled` (it carries the candidate label) and `related` (the
    /// closed cherry picks of it, each `number`, `url`, `author`, `state`).
    #[arg(long, conflicts_with_all = ["status", "abort"], help_heading = OUTPUT)]
    pub json: bool,

    /// Log every git command, HTTP request and setting
    ///
    /// Each command and request with its duration, and each setting with
    /// where it came from (`setting:` lines).
    #[arg(long, help_heading = OUTPUT)]
    pub debug: bool,

    /// Print help (--help: all options, in full)
    #[arg(id = "help", short = 'h', long = "help", action = ArgAction::Help, help_heading = OUTPUT)]
    #[arg(long_help = "Print help: `-h` a summary, `--help` all of it")]
    _help: Option<bool>,

    /// Print the version
    #[arg(id = "version", short = 'V', long = "version", action = ArgAction::Version, help_heading = OUTPUT, hide_short_help = true)]
    _version: Option<bool>,

    /// Print the man page or a shell's completion script, generated from this
    /// definition
    #[arg(long, value_name = "KIND", hide = true, exclusive = true)]
    pub generate: Option<Kind>,
}

impl Cli {
    /// This process's command line, with `VERSION` for `--version`; a usage
    /// error (or `--help`, `--version`) exits as `Cli::parse` does.
    pub fn from_process() -> Cli {
        let mut cmd = Cli::command().version(VERSION);
        let matches = cmd.get_matches_mut();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
    }
}

/// What `--generate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Man,
    Bash,
    Zsh,
    Fish,
    /// fish's conf.d snippet that hooks the completion into `git`'s.
    FishGit,
    Powershell,
    Elvish,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every option shown has a heading, and the headings come in the order
    /// `HEADINGS` gives.
    #[test]
    fn every_option_is_under_a_heading_in_order() {
        let cmd = Cli::command();
        let mut seen: Vec<&str> = Vec::new();
        for arg in cmd.get_arguments().filter(|a| !a.is_positional() && !a.is_hide_set()) {
            let heading = arg
                .get_help_heading()
                .unwrap_or_else(|| panic!("--{} has no heading", arg.get_id()));
            if !seen.contains(&heading) {
                seen.push(heading);
            }
        }
        assert_eq!(seen, HEADINGS);
    }

    #[test]
    fn actions_need_no_positional_arguments() {
        let cli = Cli::try_parse_from(["x", "--continue"]).unwrap();
        assert!(cli.resume && cli.args.is_empty());
        let cli = Cli::try_parse_from(["x", "--abort", "release-3.0"]).unwrap();
        assert!(cli.abort && cli.args == ["release-3.0"]);
        assert!(Cli::try_parse_from(["x", "--continue", "--abort"]).is_err());
        assert!(Cli::try_parse_from(["x"]).is_err());
    }

    #[test]
    fn help_and_version_are_still_what_clap_makes_them() {
        for (flag, kind) in [
            ("-h", clap::error::ErrorKind::DisplayHelp),
            ("--help", clap::error::ErrorKind::DisplayHelp),
            ("-V", clap::error::ErrorKind::DisplayVersion),
            ("--version", clap::error::ErrorKind::DisplayVersion),
        ] {
            let err = Cli::try_parse_from(["x", flag]).unwrap_err();
            assert_eq!(err.kind(), kind, "{flag}");
        }
    }

    #[test]
    fn version_names_the_commit_of_a_build_from_git() {
        let commit = env!("GIT_CHERRY_PICK_PR_COMMIT");
        assert_eq!(VERSION, format!("{}{commit}", env!("CARGO_PKG_VERSION")));
        // Empty, or ` (HASH YYYY-MM-DD)`.
        if let Some(inner) = commit.strip_prefix(" (").and_then(|c| c.strip_suffix(')')) {
            let (hash, date) = inner.split_once(' ').expect("hash and date");
            assert!(
                hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
                "{commit}"
            );
            assert!(jiff::civil::Date::strptime("%Y-%m-%d", date).is_ok(), "{commit}");
        } else {
            assert_eq!(commit, "");
        }
        for flag in ["-V", "--version"] {
            let err = Cli::command()
                .version(VERSION)
                .try_get_matches_from(["x", flag])
                .unwrap_err();
            assert_eq!(err.to_string(), format!("git-cherry-pick-pr {VERSION}\n"), "{flag}");
        }
    }

    #[test]
    fn json_is_not_for_status_or_abort() {
        for action in ["--status", "--abort"] {
            let err = Cli::try_parse_from(["x", "--json", action]).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict, "{action}");
        }
        let cli = Cli::try_parse_from(["x", "--json", "--continue"]).unwrap();
        assert!(cli.json && cli.resume);
    }

    #[test]
    fn label_and_no_label_conflict() {
        let err = Cli::try_parse_from(["x", "--label", "a", "--no-label", "r", "1"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
