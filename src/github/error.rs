//! What a failed GitHub request becomes: `ApiError` says what was asked and
//! what GitHub answered; `explain` turns it into a failure with hints that say
//! what to do (a bad token, a missing permission, a rate limit, a missing
//! repository).

use std::fmt;
use std::time::SystemTime;

use reqwest::StatusCode;

use crate::errors::{Failure, failed};

/// What GitHub answered to a failed request.
#[derive(Debug)]
pub enum ApiError {
    /// An HTTP answer other than success.
    Status {
        what: String,
        status: u16,
        message: String,
        errors: Vec<String>,
    },
    /// A rate limit too long to wait out; it ends at `until` when GitHub said.
    RateLimited {
        what: String,
        status: u16,
        message: String,
        until: Option<SystemTime>,
        secondary: bool,
    },
    /// The run was interrupted (Ctrl-C) while waiting for GitHub.
    Interrupted { what: String },
    /// No answer: connection, timeout, or an unreadable body, after `attempts` tries.
    Transport {
        what: String,
        source: reqwest::Error,
        attempts: u32,
    },
    /// An answer whose body was cut short (a reset connection), after `attempts` tries.
    Cut {
        what: String,
        status: u16,
        source: std::io::Error,
        attempts: u32,
    },
    /// A successful answer that is not what was asked for: not the JSON
    /// expected (a proxy's page, malformed JSON, another shape).
    Unreadable {
        what: String,
        status: u16,
        /// The content type, the size and the first bytes (`sent`).
        sent: String,
        /// Why it could not be read.
        error: String,
    },
}

impl ApiError {
    /// The HTTP status, when GitHub answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::RateLimited { status, .. } => Some(*status),
            ApiError::Transport { .. }
            | ApiError::Interrupted { .. }
            | ApiError::Cut { .. }
            | ApiError::Unreadable { .. } => None,
        }
    }

    /// What was being asked.
    pub fn what(&self) -> &str {
        match self {
            ApiError::Status { what, .. }
            | ApiError::RateLimited { what, .. }
            | ApiError::Transport { what, .. }
            | ApiError::Cut { what, .. }
            | ApiError::Unreadable { what, .. }
            | ApiError::Interrupted { what } => what,
        }
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// A wall-clock time as the user reads it: `14:03:22 CET` in the local zone.
pub fn local_time(at: SystemTime) -> String {
    let zoned = jiff::Timestamp::try_from(at)
        .map(|ts| ts.to_zoned_datetime(jiff::tz::TimeZone::system()))
        .ok();
    match zoned {
        Some(z) => z.strftime("%H:%M:%S %Z").to_string(),
        None => "later".to_string(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Status {
                what,
                status,
                message,
                errors,
            } => {
                write!(f, "{what}: GitHub answered {status} {}", reason(*status))?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                for error in errors {
                    write!(f, "\n{error}")?;
                }
                Ok(())
            }
            ApiError::RateLimited {
                what,
                status,
                message,
                until,
                secondary,
            } => {
                let which = if *secondary {
                    "secondary rate limit"
                } else {
                    "rate limit"
                };
                write!(f, "{what}: GitHub's {which} for this token is reached")?;
                if let Some(until) = until {
                    write!(f, " until {} (local time)", local_time(*until))?;
                }
                write!(f, " ({status} {})", reason(*status))?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            ApiError::Interrupted { what } => write!(f, "{what}: interrupted"),
            ApiError::Transport { what, source, attempts } => {
                write!(f, "{what}: {source}")?;
                if *attempts > 1 {
                    write!(f, " (gave up after {attempts} tries)")?;
                }
                Ok(())
            }
            ApiError::Cut {
                what,
                status,
                source,
                attempts,
            } => {
                write!(f, "{what}: GitHub's answer ({status}) was cut short: {source}")?;
                if *attempts > 1 {
                    write!(f, " (gave up after {attempts} tries)")?;
                }
                Ok(())
            }
            ApiError::Unreadable {
                what,
                status,
                sent,
                error,
            } => write!(
                f,
                "{what}: GitHub's answer ({status}) is not the JSON expected ({error}); it is {sent}"
            ),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApiError::Status { .. }
            | ApiError::RateLimited { .. }
            | ApiError::Interrupted { .. }
            | ApiError::Unreadable { .. } => None,
            ApiError::Transport { source, .. } => std::error::Error::source(source),
            ApiError::Cut { source, .. } => std::error::Error::source(source),
        }
    }
}

/// What the explanation needs to know besides the error.
pub struct Hints<'a> {
    /// The web host the token is for (`github.com`, a GitHub Enterprise host).
    pub web_host: &'a str,
    /// Where the token came from, e.g. `GITHUB_TOKEN`.
    pub token_source: &'a str,
    /// How to try again: `the same command again` for a new run; the
    /// command that goes on once a run's work is saved (the run's `next`
    /// says it).
    pub again: &'a str,
}

/// How a new run is tried again.
pub const SAME_COMMAND: &str = "the same command again";

const PERMISSIONS: &str = "a fine-grained token needs Contents: read and Pull requests: read and write on the repository \
     (labels also need Issues or Pull requests: write); a classic token needs the repo scope (public_repo for public repositories)";

/// GitHub's words when a repository does not let workflows open pull
/// requests (its default).
pub const ACTIONS_MAY_NOT_OPEN: &str = "not permitted to create or approve pull requests";

/// Where a repository lets workflows open pull requests.
pub const ACTIONS_SETTING: &str = "Settings → Actions → General → Workflow permissions → \"Allow GitHub Actions to create and approve pull requests\"";

/// Turns an API error into a failure that says what to do next; the error
/// stays in the chain.
pub fn explain(error: ApiError, hints: &Hints<'_>) -> anyhow::Error {
    if matches!(error, ApiError::Interrupted { .. }) {
        return error.into();
    }
    let what = error.what().to_string();
    let tokens = format!("https://{}/settings/personal-access-tokens", hints.web_host);
    let failure: Failure = match &error {
        ApiError::Status { status: 401, .. } => failed(format!(
            "GitHub refused the token from {} (401): it is wrong, expired or revoked",
            hints.token_source
        ))
        .hint(format!(
            "make a new token at {tokens} and set GITHUB_TOKEN (or run `{}`)",
            login_command(hints.web_host)
        ))
        .hint(PERMISSIONS),
        ApiError::Status {
            status: 403, message, ..
        } if message.contains(ACTIONS_MAY_NOT_OPEN) => failed(format!(
            "GitHub did not allow {what} (403): the repository does not let GitHub Actions open pull requests"
        ))
        .hint(format!("a repository admin can allow it: {ACTIONS_SETTING}")),
        ApiError::Status {
            status: 403, message, ..
        } => {
            let mut f = failed(format!(
                "GitHub did not allow {what} (403): the token from {} lacks a permission",
                hints.token_source
            ))
            .hint(PERMISSIONS);
            if message.contains("SAML") || message.contains("SSO") {
                f = f.hint(
                    "the organization uses SAML single sign-on: authorize the token for it in the token's settings",
                );
            }
            f
        }
        ApiError::Status { status: 404, .. } => failed(format!("{what}: not found (404)")).hint(format!(
            "check the repository and number; a private repository looks missing to a token that cannot see it \
             (the token from {} needs access to it)",
            hints.token_source
        )),
        ApiError::Status { status: 422, .. } => {
            failed(format!("GitHub rejected {what} (422)")).hint("GitHub's reasons are listed above")
        }
        ApiError::Status { status, .. } if *status >= 500 => failed(format!("GitHub failed while {what} ({status})"))
            .hint("GitHub is having trouble; try again in a few minutes (https://www.githubstatus.com)"),
        ApiError::Status { status, .. } => failed(format!("GitHub refused {what} ({status})")),
        ApiError::RateLimited { until, .. } => {
            let when = until.map_or_else(
                || "in a few minutes".to_string(),
                |u| format!("after {}", local_time(u)),
            );
            failed(format!("GitHub's rate limit stopped {what}"))
                .hint(format!("run {} {when}", hints.again))
                .hint("requests made with a token have a much higher limit than anonymous ones; other tools using the same token share it")
        }
        ApiError::Interrupted { .. } => failed(format!("interrupted while {what}")),
        ApiError::Transport { .. } => failed(format!("could not reach GitHub while {what}")).hint(
            "check the network connection, the API URL (--api-url) and HTTPS_PROXY/NO_PROXY; --debug shows every try",
        ),
        ApiError::Cut { .. } => failed(format!("GitHub's answer kept being cut short while {what}")).hint(
            "the connection broke while the answer came in (a proxy, a VPN, a flaky network); try again, --debug shows every try",
        ),
        ApiError::Unreadable { .. } => failed(format!("GitHub's answer could not be read while {what}")).hint(
            "something between you and GitHub (a proxy, a cache, a captive portal) may have answered instead; \
             check --api-url and HTTPS_PROXY/NO_PROXY, then try again",
        ),
    };
    failure.because(error).into()
}

/// How to log `gh` in to the web host: `gh auth login` alone logs in to
/// github.com.
pub fn login_command(web_host: &str) -> String {
    if web_host == "github.com" {
        "gh auth login".to_string()
    } else {
        format!("gh auth login --hostname {web_host}")
    }
}

/// What came back, for a message: the content type, the size and the first
/// bytes, with anything unprintable escaped.
pub fn sent(content_type: &str, body: &[u8]) -> String {
    const SHOWN: usize = 80;
    let kind = if content_type.is_empty() {
        "no content type".to_string()
    } else {
        content_type.to_string()
    };
    if body.is_empty() {
        return format!("{kind}, an empty body");
    }
    let shown: String = body[..body.len().min(SHOWN)].escape_ascii().to_string();
    let more = if body.len() > SHOWN { "…" } else { "" };
    format!("{kind}, {} bytes starting \"{shown}{more}\"", body.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::hints_of;

    const HINTS: Hints<'static> = Hints {
        web_host: "github.com",
        token_source: "GITHUB_TOKEN",
        again: SAME_COMMAND,
    };

    fn status(code: u16, message: &str) -> ApiError {
        ApiError::Status {
            what: "fetching PR #7 from o/n".into(),
            status: code,
            message: message.into(),
            errors: vec!["first reason".into(), "second reason".into()],
        }
    }

    #[test]
    fn status_errors_name_the_request_and_github_words() {
        let e = ApiError::Status {
            what: "fetching PR #7 from o/n".into(),
            status: 422,
            message: "Validation Failed".into(),
            errors: vec!["A pull request already exists for a:b.".into()],
        };
        assert_eq!(
            e.to_string(),
            "fetching PR #7 from o/n: GitHub answered 422 Unprocessable Entity: Validation Failed\nA pull request already exists for a:b."
        );
        assert_eq!(e.status(), Some(422));
    }

    #[test]
    fn a_refused_token_on_an_enterprise_host_names_that_host() {
        let hints = Hints {
            web_host: "ghe.example.com",
            ..HINTS
        };
        let hints = hints_of(&explain(status(401, "Bad credentials"), &hints)).join("\n");
        assert!(hints.contains("https://ghe.example.com/settings/"), "{hints}");
        assert!(hints.contains("`gh auth login --hostname ghe.example.com`"), "{hints}");
    }

    #[test]
    fn each_status_gets_its_own_advice() {
        let e = explain(status(401, "Bad credentials"), &HINTS);
        assert!(e.to_string().contains("from GITHUB_TOKEN (401)"), "{e}");
        let hints = hints_of(&e).join("\n");
        assert!(hints.contains("https://github.com/settings/personal-access-tokens"));
        assert!(hints.contains("Pull requests: read and write"));

        let e = explain(status(403, "Resource not accessible by integration"), &HINTS);
        assert!(format!("{e:#}").contains("Resource not accessible"), "{e:#}");
        assert!(e.to_string().contains("lacks a permission"));

        let e = explain(status(404, "Not Found"), &HINTS);
        assert!(e.to_string().contains("fetching PR #7 from o/n: not found"));
        assert!(hints_of(&e)[0].contains("private repository"));

        let e = explain(status(422, "Validation Failed"), &HINTS);
        let text = format!("{e:#}");
        assert!(
            text.contains("first reason") && text.contains("second reason"),
            "{text}"
        );

        let e = explain(status(502, ""), &HINTS);
        assert!(hints_of(&e)[0].contains("githubstatus"));
    }

    #[test]
    fn a_rate_limit_says_when_to_come_back() {
        let until = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let e = ApiError::RateLimited {
            what: "fetching PR #7 from o/n".into(),
            status: 403,
            message: "API rate limit exceeded".into(),
            until: Some(until),
            secondary: false,
        };
        let text = e.to_string();
        assert!(text.contains("until ") && text.contains("(local time)"), "{text}");
        let resumable = ApiError::RateLimited {
            what: "opening a pull request".into(),
            status: 403,
            message: String::new(),
            until: Some(until),
            secondary: false,
        };
        let e = explain(e, &HINTS);
        assert!(hints_of(&e)[0].starts_with("run the same command again after "));
        let e = explain(
            resumable,
            &Hints {
                again: "`git cherry-pick-pr --continue`",
                ..HINTS
            },
        );
        let hints = hints_of(&e);
        assert!(
            hints[0].starts_with("run `git cherry-pick-pr --continue` after "),
            "{hints:?}"
        );
        assert!(!hints.join("\n").contains("same command"), "{hints:?}");
    }

    #[test]
    fn an_answer_that_is_not_json_says_what_came_back() {
        let e = ApiError::Unreadable {
            what: "fetching PR #7 from o/n".into(),
            status: 200,
            sent: sent("text/html", b"<html>proxy</html>"),
            error: "expected value at line 1 column 1".into(),
        };
        assert_eq!(e.status(), None);
        let text = format!("{:#}", explain(e, &HINTS));
        assert!(!text.contains("refused"), "{text}");
        assert!(
            text.contains("text/html, 18 bytes starting \"<html>proxy</html>\""),
            "{text}"
        );
    }
}
