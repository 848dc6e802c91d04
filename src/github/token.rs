//! Where the GitHub token comes from, first found wins: `GITHUB_TOKEN`,
//! `GH_TOKEN`, `gh auth token --hostname HOST` when `gh` is on PATH, git's
//! credential helpers (`git credential fill` for the web host, then
//! `approve` or `reject` as git does), and a hidden prompt on the terminal.
//! The value is never printed, logged, put on a command line or in a
//! child's environment: it reaches git's helpers on their standard input.

use std::path::Path;

use anyhow::Result;

use crate::env::Env;
use crate::errors::failed;
use crate::git::Git;
use crate::github::{GitHub, Token};
use crate::output::Output;

/// Where a token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Env(&'static str),
    Gh,
    /// git's credential helpers; holds what `git credential fill` answered,
    /// to give back to `approve` or `reject`.
    Credential(Description),
    Prompt,
}

/// A credential as git's helpers describe it (`key=value` lines). Its
/// `Debug` hides the values.
#[derive(Clone, PartialEq, Eq)]
pub struct Description(String);

impl std::fmt::Debug for Description {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Description(<hidden>)")
    }
}

impl Source {
    /// How messages name it.
    pub fn name(&self) -> &'static str {
        match self {
            Source::Env(name) => name,
            Source::Gh => "`gh auth token`",
            Source::Credential(_) => "git's credential helper",
            Source::Prompt => "the terminal prompt",
        }
    }
}

/// A token and where it came from.
pub struct Found {
    pub token: Token,
    pub source: Source,
}

/// Where to look, besides the environment.
pub struct Lookup<'a> {
    pub git: &'a Git<'a>,
    /// Where to run `gh` and git.
    pub dir: &'a Path,
    /// The web host whose token to ask for: `github.com` or an Enterprise host.
    pub web_host: &'a str,
    /// Whether stdin is a terminal (the prompt is the last resort).
    pub interactive: bool,
}

/// Finds the token, and tells `out` to hide it from everything shown: GitHub
/// or a proxy may echo it back in a message.
pub fn find(env: &Env, out: &Output, lookup: &Lookup<'_>) -> Result<Found> {
    let found = look_up(env, out, lookup)?;
    out.hide(found.token.secret());
    Ok(found)
}

fn look_up(env: &Env, out: &Output, lookup: &Lookup<'_>) -> Result<Found> {
    let found = from_env(env)
        .or_else(|| from_gh(env, out, lookup))
        .or_else(|| from_credential_helper(out, lookup));
    if let Some(found) = found {
        out.debug(|| format!("token: from {}", found.source.name()));
        return Ok(found);
    }
    if lookup.interactive {
        out.debug(|| "token: from the terminal prompt".to_string());
        let value = out
            .secret(&format!("GitHub token for {} (input hidden): ", lookup.web_host))
            .map_err(|e| failed(format!("could not read a token from the terminal: {e}")))?;
        if !value.trim().is_empty() {
            return Ok(Found {
                token: Token::new(value.trim().to_string()),
                source: Source::Prompt,
            });
        }
    }
    Err(failed(format!("no GitHub token found for {}", lookup.web_host))
        .hint(format!(
            "set GITHUB_TOKEN (or GH_TOKEN) to a token for {} that can read the repository and open pull requests, or run `{}`",
            lookup.web_host,
            crate::github::login_command(lookup.web_host)
        ))
        .hint(format!(
            "create one at https://{}/settings/personal-access-tokens (fine-grained: Contents read, Pull requests write; labels need Issues or Pull requests write)",
            lookup.web_host
        ))
        .into())
}

fn from_env(env: &Env) -> Option<Found> {
    ["GITHUB_TOKEN", "GH_TOKEN"].into_iter().find_map(|name| {
        let value = env.get(name)?.trim();
        (!value.is_empty()).then(|| Found {
            token: Token::new(value.to_string()),
            source: Source::Env(name),
        })
    })
}

/// `gh auth token --hostname HOST`, when `gh` is on PATH.
fn from_gh(env: &Env, out: &Output, lookup: &Lookup<'_>) -> Option<Found> {
    let gh = which::which_in("gh", env.get("PATH"), lookup.dir).ok()?;
    let ran = duct::cmd(&gh, ["auth", "token", "--hostname", lookup.web_host])
        .dir(lookup.dir)
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run();
    match ran {
        Ok(output) if output.status.success() => {
            let value = String::from_utf8_lossy(&output.stdout).trim().to_string();
            (!value.is_empty() && !value.contains(char::is_whitespace)).then(|| Found {
                token: Token::new(value),
                source: Source::Gh,
            })
        }
        Ok(output) => {
            out.debug(|| {
                format!(
                    "token: `{} auth token --hostname {}` found none ({})",
                    gh.display(),
                    lookup.web_host,
                    String::from_utf8_lossy(&output.stderr).trim()
                )
            });
            None
        }
        Err(e) => {
            out.debug(|| format!("token: could not run {}: {e}", gh.display()));
            None
        }
    }
}

/// `git credential fill` for `https://HOST`, without prompting.
fn from_credential_helper(out: &Output, lookup: &Lookup<'_>) -> Option<Found> {
    let request = format!("protocol=https\nhost={}\n\n", lookup.web_host);
    let filled = lookup
        .git
        .capture_env(
            lookup.dir,
            &["credential", "fill"],
            Some(request.as_bytes()),
            &[("GIT_TERMINAL_PROMPT", "0")],
        )
        .ok()?;
    if !filled.success {
        out.debug(|| "token: git's credential helpers have none".to_string());
        return None;
    }
    let password = password_of(&filled.stdout)?;
    Some(Found {
        token: Token::new(password),
        source: Source::Credential(Description(filled.stdout)),
    })
}

/// The `password` of a credential description.
fn password_of(description: &str) -> Option<String> {
    description
        .lines()
        .find_map(|l| l.strip_prefix("password="))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

/// Tells git's credential helpers how the token fared, as git does after
/// using a credential: `approve` when GitHub took it, `reject` when GitHub
/// refused it (401). Other sources need nothing.
pub fn report_to_helper(found: &Found, git: &Git<'_>, dir: &Path, out: &Output, github: &GitHub<'_>) {
    let Source::Credential(Description(description)) = &found.source else {
        return;
    };
    let (accepted, refused) = (github.token_accepted(), github.token_refused());
    let action = if refused {
        "reject"
    } else if accepted {
        "approve"
    } else {
        return;
    };
    let mut input = description.trim_end().to_string();
    input.push_str("\n\n");
    match git.capture_env(
        dir,
        &["credential", action],
        Some(input.as_bytes()),
        &[("GIT_TERMINAL_PROMPT", "0")],
    ) {
        Ok(c) if c.success => out.debug(|| format!("token: told git's credential helpers to {action} it")),
        Ok(c) => out.debug(|| format!("token: `git credential {action}` failed: {}", c.stderr.trim())),
        Err(e) => out.debug(|| format!("token: `git credential {action}`: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_in<'a>(git: &'a Git<'a>, dir: &'a Path) -> Lookup<'a> {
        Lookup {
            git,
            dir,
            web_host: "github.invalid",
            interactive: false,
        }
    }

    #[test]
    fn github_token_comes_first_then_gh_token() {
        let out = Output::new(false, true);
        let exe = crate::git::find().expect("git on PATH");
        let git = Git::new(&exe, &out);
        let dir = tempfile::tempdir().expect("temp dir");
        let lookup = lookup_in(&git, dir.path());
        let both: Env = [("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b"), ("PATH", "/nonexistent")]
            .into_iter()
            .collect();
        let found = find(&both, &out, &lookup).unwrap();
        assert_eq!((found.token.secret(), found.source), ("a", Source::Env("GITHUB_TOKEN")));
        let gh: Env = [("GITHUB_TOKEN", ""), ("GH_TOKEN", " b\n"), ("PATH", "/nonexistent")]
            .into_iter()
            .collect();
        assert_eq!(find(&gh, &out, &lookup).unwrap().token.secret(), "b");
    }

    #[test]
    fn without_a_token_the_message_names_the_host() {
        let out = Output::new(false, true);
        let exe = crate::git::find().expect("git on PATH");
        let git = Git::new(&exe, &out);
        let dir = tempfile::tempdir().expect("temp dir");
        let env: Env = [("PATH", "/nonexistent")].into_iter().collect();
        let lookup = Lookup {
            web_host: "ghe.example.com",
            ..lookup_in(&git, dir.path())
        };
        let error = find(&env, &out, &lookup).err().expect("no token");
        let hints = crate::errors::hints_of(&error).join("\n");
        assert!(error.to_string().ends_with("for ghe.example.com"), "{error}");
        assert!(hints.contains("`gh auth login --hostname ghe.example.com`"), "{hints}");
        assert!(!hints.contains("github.com"), "{hints}");
        assert_eq!(crate::github::login_command("github.com"), "gh auth login");
    }

    #[test]
    fn the_password_of_a_description() {
        assert_eq!(
            password_of("protocol=https\nhost=github.com\nusername=x\npassword=tok\n"),
            Some("tok".into())
        );
        assert_eq!(password_of("protocol=https\nhost=github.com\n"), None);
        assert_eq!(password_of("password=\n"), None);
        assert_eq!(
            format!("{:?}", Source::Credential(Description("password=x".into()))),
            "Credential(Description(<hidden>))"
        );
    }
}
