//! The positional arguments: targets first, pull requests last, and what each
//! may be; also the other arguments that name something, `--repo` and
//! `--label`.
//!
//! These parsers take anything a user can type; they return an error (or
//! `None`) rather than panic.

use anyhow::Result;

use crate::cli::{Cli, Kind};
use crate::errors::usage;
use crate::git::remote::{RepoUrl, host_of};
use crate::github::Repo;

/// How pull requests are written, for messages.
const PR_FORMS: &str = "a number such as 3796, #3796, or a pull request URL";

/// The form of a run, for hints.
const EXAMPLE: &str = "git cherry-pick-pr upstream/release-3.1 3796";

/// What the command line asks for, parsed once: each mode with the
/// positional arguments it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `--generate KIND`: print a generated file.
    Generate(Kind),
    /// Backport: the targets (as typed) and the pull requests, given or
    /// found as `selection` says.
    Pick {
        selection: Selection,
        targets: Vec<String>,
        prs: Vec<PrRef>,
    },
    /// `--missing`: list what the targets lack.
    Missing {
        targets: Vec<String>,
    },
    /// `--continue`, `--abort`, `--status`, each on the job a target names.
    Continue {
        target: Option<String>,
    },
    Abort {
        target: Option<String>,
    },
    Status {
        target: Option<String>,
    },
    /// `--from-event`: the GitHub Actions step.
    Event,
}

/// Where a backport's pull requests come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Those on the command line.
    Given,
    /// Every missing candidate, one job per pull request per target.
    FromLabels,
    /// Those the user chooses on the terminal, one job each per target.
    Choose,
}

impl Mode {
    /// The mode of a command line; a usage error when its positional
    /// arguments do not fit it.
    pub fn of(cli: &Cli) -> Result<Mode> {
        if let Some(kind) = cli.generate {
            return Ok(Mode::Generate(kind));
        }
        if cli.resume || cli.abort || cli.status {
            if cli.args.len() > 1 {
                return Err(usage("--continue, --abort and --status take at most one target").into());
            }
            let target = cli.args.first().cloned();
            return Ok(if cli.resume {
                Mode::Continue { target }
            } else if cli.abort {
                Mode::Abort { target }
            } else {
                Mode::Status { target }
            });
        }
        if cli.from_event {
            if cli.args.is_empty() {
                return Ok(Mode::Event);
            }
            return Err(
                usage("--from-event takes no targets and no pull requests: the event names them")
                    .hint("run it in a GitHub Actions workflow; see \"Automatic backports\" in the README")
                    .into(),
            );
        }
        let (selection, flag) = if cli.missing {
            return Ok(Mode::Missing {
                targets: targets_only("--missing", &cli.args)?,
            });
        } else if cli.from_labels {
            (Selection::FromLabels, "--from-labels")
        } else if cli.select {
            (Selection::Choose, "--select")
        } else {
            let (targets, prs) = split_args(&cli.args)?;
            return Ok(Mode::Pick {
                selection: Selection::Given,
                targets,
                prs,
            });
        };
        Ok(Mode::Pick {
            selection,
            targets: targets_only(flag, &cli.args)?,
            prs: Vec::new(),
        })
    }
}

/// The positional arguments of a run that finds its pull requests itself
/// (`flag`): targets only.
fn targets_only(flag: &str, args: &[String]) -> Result<Vec<String>> {
    if args.is_empty() {
        return Err(usage(format!("{flag} needs a target branch"))
            .hint(format!("e.g. git cherry-pick-pr {flag} upstream/release-3.1"))
            .into());
    }
    if let Some(pr) = args.iter().find(|a| parse_pr_ref(a).is_some()) {
        return Err(usage(format!(
            "`{pr}` is a pull request, but {flag} finds the pull requests itself: name only targets"
        ))
        .hint(format!("e.g. git cherry-pick-pr {flag} upstream/release-3.1"))
        .into());
    }
    Ok(args.to_vec())
}

/// Splits the positional arguments into targets (first) and pull requests (last).
pub fn split_args(args: &[String]) -> Result<(Vec<String>, Vec<PrRef>)> {
    let last = args
        .last()
        .ok_or_else(|| usage("no target and no pull request given"))?;
    if parse_pr_ref(last).is_none() {
        let error = if args.iter().any(|a| parse_pr_ref(a).is_some()) {
            // Pull requests were given, but something follows them.
            usage(format!("`{last}` is not a pull request: expected {PR_FORMS}"))
                .hint(format!("targets come first, pull requests last: {EXAMPLE}"))
        } else if args.len() == 1 {
            usage("no pull request given").hint(format!("name the pull requests after the target: {EXAMPLE}"))
        } else {
            usage(format!(
                "no pull request given: `{last}` is not a pull request (expected {PR_FORMS})"
            ))
            .hint(format!("targets come first, pull requests last: {EXAMPLE}"))
        };
        return Err(error.into());
    }
    let first_pr = args
        .iter()
        .rposition(|a| parse_pr_ref(a).is_none())
        .map_or(0, |i| i + 1);
    let (targets, prs) = args.split_at(first_pr);
    if targets.is_empty() {
        return Err(usage("no target branch given")
            .hint(format!("name the release branch first: {EXAMPLE}"))
            .into());
    }
    if let Some(pr_like) = targets.iter().find(|t| parse_pr_ref(t).is_some()) {
        return Err(usage(format!(
            "`{pr_like}` looks like a pull request, but it comes before the target `{}`",
            targets[targets.len() - 1]
        ))
        .hint("targets come first, pull requests last")
        .into());
    }
    let prs = prs.iter().filter_map(|p| parse_pr_ref(p)).collect();
    Ok((targets.to_vec(), prs))
}

/// Every `--label` names a label: an empty one would reach GitHub as a label
/// named "".
pub fn check_labels(labels: &[String]) -> Result<()> {
    if labels.iter().any(|l| l.trim().is_empty()) {
        return Err(usage("--label needs a label name, but one was empty")
            .hint("name the label (--label cherry-pick-approved), or pass --no-label to add none")
            .into());
    }
    Ok(())
}

/// A pull request argument: `3796`, `#3796`, or a pull request URL
/// (`https://github.com/o/n/pull/3796`, optionally with `/files` and the like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrRef {
    pub number: u64,
    /// The repository a URL named, to be checked against the upstream one.
    pub repo: Option<RepoUrl>,
}

/// Parses a pull request argument; `None` when it is not one.
pub fn parse_pr_ref(arg: &str) -> Option<PrRef> {
    let arg = arg.trim();
    if let Some(number) = parse_number(arg.strip_prefix('#').unwrap_or(arg)) {
        return Some(PrRef { number, repo: None });
    }
    let (scheme, rest) = arg.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut parts = rest.split('/');
    let host = host_of(parts.next()?)?;
    let segments: Vec<&str> = parts.filter(|s| !s.is_empty()).collect();
    // o/n/pull/N[/…]
    let pos = segments.iter().position(|s| *s == "pull" || *s == "pulls")?;
    if pos < 2 {
        return None;
    }
    let number = parse_number(segments.get(pos + 1)?)?;
    let repo = RepoUrl {
        host: Some(host),
        owner: segments[pos - 2].to_string(),
        name: segments[pos - 1].to_string(),
    };
    Some(PrRef {
        number,
        repo: Some(repo),
    })
}

fn parse_number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| *n > 0)
}

/// A release branch to backport onto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The upstream remote's name.
    pub remote: String,
    /// The branch on the upstream repository, e.g. `release-3.1`.
    pub branch: String,
}

impl Target {
    /// The remote-tracking ref the fetch updates.
    pub fn tracking_ref(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.branch)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.remote, self.branch)
    }
}

/// `upstream/release-3.1` or a bare `release-3.1` (meaning the upstream
/// remote); also spelled in full as git does, `refs/remotes/upstream/release-3.1`
/// or `remotes/upstream/release-3.1`. A tag (`refs/tags/v3.1.0`) or a commit
/// id is no branch to open a pull request against.
pub fn parse_target(text: &str, upstream: &str, remotes: &[&str]) -> Result<Target> {
    let text = text.trim();
    let not_a_branch = |what: String| {
        usage(format!(
            "{what}; a target must be a release branch such as {upstream}/release-3.1"
        ))
        .hint(format!(
            "list the release branches with: git ls-remote --heads {upstream} 'release-*'"
        ))
    };
    if text.starts_with("refs/tags/") {
        return Err(not_a_branch(format!("`{text}` is a tag")).into());
    }
    if is_commit_id(text) {
        return Err(not_a_branch(format!("`{text}` looks like a commit id"))
            .hint(format!(
                "if it is the name of a branch, name it with its remote: {upstream}/{text}"
            ))
            .into());
    }
    let full = text
        .strip_prefix("refs/remotes/")
        .or_else(|| text.strip_prefix("remotes/"));
    let short = full.unwrap_or(text);
    if let Some(branch) = short.strip_prefix(upstream).and_then(|r| r.strip_prefix('/')) {
        return check_branch(
            text,
            Target {
                remote: upstream.to_string(),
                branch: branch.to_string(),
            },
        );
    }
    if let Some(other) = remote_named(text, remotes) {
        return Err(usage(format!(
            "target `{text}` is a branch of the `{other}` remote, but the upstream remote is `{upstream}`"
        ))
        .hint(format!(
            "pass --upstream {other} if that is where the release branches live"
        ))
        .into());
    }
    if full.is_some() {
        return Err(usage(format!(
            "target `{text}` is not a branch of the upstream remote `{upstream}`"
        ))
        .hint(format!("name it as {upstream}/BRANCH, e.g. {upstream}/release-3.1"))
        .into());
    }
    check_branch(
        text,
        Target {
            remote: upstream.to_string(),
            branch: text.to_string(),
        },
    )
}

/// The remote a target names (`kubesphere` for `kubesphere/release-3.1` or
/// `refs/remotes/kubesphere/release-3.1`), among `remotes`: the longest whose
/// name and a slash begin it. `None` for a bare branch.
pub fn remote_named<'a>(text: &str, remotes: &[&'a str]) -> Option<&'a str> {
    let text = text.trim();
    let short = text
        .strip_prefix("refs/remotes/")
        .or_else(|| text.strip_prefix("remotes/"))
        .unwrap_or(text);
    remotes
        .iter()
        .filter(|r| short.strip_prefix(**r).is_some_and(|rest| rest.starts_with('/')))
        .max_by_key(|r| r.len())
        .copied()
}

/// Whether `text` is written as a commit id: 7 to 40 hex digits (an
/// abbreviated or full SHA-1), or 64 (SHA-256).
fn is_commit_id(text: &str) -> bool {
    (matches!(text.len(), 7..=40) || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_branch(text: &str, target: Target) -> Result<Target> {
    let b = &target.branch;
    let bad = b.is_empty()
        || b.starts_with(['-', '/', '.'])
        || b.ends_with(['/', '.'])
        || b.ends_with(".lock")
        || b.contains("..")
        || b.contains("//")
        || b.contains("@{")
        || b.chars().any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c));
    if bad {
        return Err(usage(format!("`{text}` is not a valid branch name")).into());
    }
    Ok(target)
}

/// `OWNER/NAME`.
pub fn parse_repo(text: &str) -> Result<Repo> {
    match text.trim().split_once('/') {
        Some((owner, name)) if valid_name(owner) && valid_name(name) => Ok(Repo {
            owner: owner.to_string(),
            name: name.trim_end_matches(".git").to_string(),
        }),
        _ => Err(usage(format!(
            "`{text}` is not a repository: expected OWNER/NAME such as kubesphere/kubesphere"
        ))
        .into()),
    }
}

fn valid_name(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(args: &[&str]) -> Result<Mode> {
        use clap::Parser;
        Mode::of(&Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap())
    }

    #[test]
    fn the_mode_is_parsed_once_with_its_arguments() {
        assert_eq!(
            mode(&["r", "1"]).unwrap(),
            Mode::Pick {
                selection: Selection::Given,
                targets: strings(&["r"]),
                prs: vec![parse_pr_ref("1").unwrap()],
            }
        );
        assert_eq!(
            mode(&["--select", "r"]).unwrap(),
            Mode::Pick {
                selection: Selection::Choose,
                targets: strings(&["r"]),
                prs: Vec::new(),
            }
        );
        assert_eq!(
            mode(&["--missing", "r"]).unwrap(),
            Mode::Missing {
                targets: strings(&["r"])
            }
        );
        assert_eq!(
            mode(&["--abort", "r"]).unwrap(),
            Mode::Abort {
                target: Some("r".into())
            }
        );
        assert_eq!(mode(&["--status"]).unwrap(), Mode::Status { target: None });
        assert_eq!(mode(&["--from-event"]).unwrap(), Mode::Event);
        assert_eq!(mode(&["--generate", "man"]).unwrap(), Mode::Generate(Kind::Man));
        assert!(mode(&["--continue", "a", "b"]).is_err());
        assert!(mode(&["--from-event", "r"]).is_err());
        assert!(mode(&["--from-labels", "r", "1"]).is_err());
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn repo(host: Option<&str>, owner: &str, name: &str) -> Option<RepoUrl> {
        Some(RepoUrl {
            host: host.map(str::to_string),
            owner: owner.into(),
            name: name.into(),
        })
    }

    #[test]
    fn targets_first_prs_last() {
        let (t, p) = split_args(&strings(&["upstream/release-3.1", "3796", "#3797"])).unwrap();
        assert_eq!(t, strings(&["upstream/release-3.1"]));
        assert_eq!(p.iter().map(|p| p.number).collect::<Vec<_>>(), vec![3796, 3797]);
        let (t, _) = split_args(&strings(&["a", "b", "1"])).unwrap();
        assert_eq!(t, strings(&["a", "b"]));
    }

    #[test]
    fn bad_positional_arguments_are_usage_errors() {
        for args in [
            &["upstream/release-3.1", "abc"][..],
            &["3796"],
            &["r", "1", "r2", "2"],
            &[],
        ] {
            let err = split_args(&strings(args)).unwrap_err();
            assert_eq!(crate::errors::kind_of(&err), crate::errors::Kind::Usage, "{args:?}");
        }
        let err = split_args(&strings(&["upstream/release-3.1", "abc"])).unwrap_err();
        assert!(err.to_string().contains("`abc`"), "{err}");
    }

    #[test]
    fn no_pull_request_given_is_said_first() {
        let err = split_args(&strings(&["release-3.1"])).unwrap_err();
        assert_eq!(err.to_string(), "no pull request given");
        let err = split_args(&strings(&["release-3.0", "abc"])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no pull request given: `abc` is not a pull request (expected"),
            "{err}"
        );
        let err = split_args(&strings(&["release-3.0", "1", "abc"])).unwrap_err();
        assert!(err.to_string().starts_with("`abc` is not a pull request"), "{err}");
    }

    #[test]
    fn an_empty_label_is_refused() {
        assert!(check_labels(&strings(&["kind/bug", "cherry-pick-approved"])).is_ok());
        for bad in [&[""][..], &[" "], &["ok", ""]] {
            let err = check_labels(&strings(bad)).unwrap_err();
            assert_eq!(crate::errors::kind_of(&err), crate::errors::Kind::Usage, "{bad:?}");
        }
    }

    #[test]
    fn targets_resolve_against_the_upstream_remote() {
        let remotes = ["upstream", "origin", "up/stream"];
        assert_eq!(
            parse_target("upstream/release-3.1", "upstream", &remotes).unwrap(),
            Target {
                remote: "upstream".into(),
                branch: "release-3.1".into()
            }
        );
        assert_eq!(
            parse_target("release-3.1", "upstream", &remotes).unwrap().branch,
            "release-3.1"
        );
        assert_eq!(
            parse_target("release/v3", "upstream", &remotes).unwrap().branch,
            "release/v3"
        );
        assert_eq!(
            parse_target("up/stream/release-1", "up/stream", &remotes)
                .unwrap()
                .branch,
            "release-1"
        );
        assert!(parse_target("origin/release-3.1", "upstream", &remotes).is_err());
        for full in ["refs/remotes/upstream/release-3.1", "remotes/upstream/release-3.1"] {
            assert_eq!(
                parse_target(full, "upstream", &remotes).unwrap(),
                parse_target("upstream/release-3.1", "upstream", &remotes).unwrap(),
                "{full}"
            );
        }
        for not_a_branch in [
            "refs/remotes/origin/release-3.1",
            "refs/remotes/release-3.1",
            "remotes/release-3.1",
            "refs/tags/v3.1.0",
            "abc1234",
            "ABCDEF0123",
            "0123456789012345678901234567890123456789",
            &"a".repeat(64),
        ] {
            let err = parse_target(not_a_branch, "upstream", &remotes).unwrap_err();
            assert_eq!(
                crate::errors::kind_of(&err),
                crate::errors::Kind::Usage,
                "{not_a_branch}"
            );
        }
        // Not commit ids: too short, too long, not hex, or with a remote.
        for branch in ["abc123", &"a".repeat(41), "release-3.1", "upstream/abc1234"] {
            assert!(parse_target(branch, "upstream", &remotes).is_ok(), "{branch}");
        }
        for bad in ["", "upstream/", "a..b", "-x", "a b", "x.lock", "a:b"] {
            assert!(parse_target(bad, "upstream", &remotes).is_err(), "{bad:?}");
        }
        let t = parse_target("release-3.1", "upstream", &remotes).unwrap();
        assert_eq!(t.tracking_ref(), "refs/remotes/upstream/release-3.1");
        assert_eq!(t.to_string(), "upstream/release-3.1");
    }

    #[test]
    fn a_target_names_its_remote() {
        let remotes = ["kubesphere", "origin", "up", "up/stream"];
        for (target, remote) in [
            ("kubesphere/release-3.1", Some("kubesphere")),
            ("refs/remotes/kubesphere/release-3.1", Some("kubesphere")),
            ("remotes/origin/release-3.1", Some("origin")),
            ("up/stream/release-1", Some("up/stream")),
            ("up/release-1", Some("up")),
            ("release-3.1", None),
            ("release/v3", None),
            ("kubesphere", None),
            ("upstream/release-3.1", None),
            ("refs/tags/v3.1.0", None),
        ] {
            assert_eq!(remote_named(target, &remotes), remote, "{target}");
        }
    }

    #[test]
    fn pr_refs() {
        assert_eq!(
            parse_pr_ref("3796"),
            Some(PrRef {
                number: 3796,
                repo: None
            })
        );
        assert_eq!(
            parse_pr_ref("#3796"),
            Some(PrRef {
                number: 3796,
                repo: None
            })
        );
        let url = parse_pr_ref("https://github.com/kubesphere/kubesphere/pull/3796/files?x=1#diff").unwrap();
        assert_eq!(url.number, 3796);
        assert_eq!(url.repo, repo(Some("github.com"), "kubesphere", "kubesphere"));
        let ghe = parse_pr_ref("https://ghe.example.com/org/repo/pull/7").unwrap();
        assert_eq!(ghe.repo, repo(Some("ghe.example.com"), "org", "repo"));
        for bad in [
            "abc",
            "",
            "#",
            "0",
            "-1",
            "+5",
            "37 96",
            "##1",
            "99999999999999999999999",
            "https://github.com/o/n/issues/1",
            "https://github.com/pull/1",
            "ftp://github.com/o/n/pull/1",
            "upstream/release-3.1",
        ] {
            assert_eq!(parse_pr_ref(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn repositories_are_owner_and_name() {
        assert_eq!(
            parse_repo("kubesphere/kubesphere").unwrap(),
            Repo {
                owner: "kubesphere".into(),
                name: "kubesphere".into()
            }
        );
        for bad in ["kubesphere", "a/b/c", "/b", "a/", "a b/c"] {
            assert!(parse_repo(bad).is_err(), "{bad}");
        }
    }

    mod never_panic {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn on_any_string(text in any::<String>()) {
                let _ = parse_pr_ref(&text);
            }

            #[test]
            fn on_url_like_strings(
                text in r"([a-z+]{0,6}://)?([a-z]{0,3}@)?(\[[0-9a-f:]{0,6}\]?|[a-zA-Z.\-]{0,8})(:[0-9]{0,5})?[:/]?([~a-zA-Z0-9_.\-/\\#?:@\[\]]{0,24})"
            ) {
                if let Some(pr) = parse_pr_ref(&text) {
                    prop_assert!(pr.number > 0);
                }
            }
        }
    }
}
