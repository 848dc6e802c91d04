//! The GitHub REST API client: typed requests and responses over a blocking
//! reqwest client, with GitHub's headers, Bearer authentication and a timeout
//! on every request. Errors name what was asked and what GitHub said.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use serde::{Deserialize, Serialize};

use crate::output::Output;

const API_VERSION: &str = "2022-11-28";
const JSON: &str = "application/vnd.github+json";
const PATCH: &str = "application/vnd.github.v3.patch";

/// A GitHub token. Its value is never displayed.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: String) -> Self {
        Token(value)
    }

    /// The value, for the Authorization header and nothing else.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<hidden>)")
    }
}

/// A repository on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitRef {
    #[serde(rename = "ref")]
    pub name: String,
}

/// The fields of a pull request the tool uses.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub merged: bool,
    pub html_url: String,
    #[serde(default)]
    pub user: Option<User>,
    pub head: GitRef,
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// An open milestone.
#[derive(Debug, Clone, Deserialize)]
pub struct Milestone {
    pub number: u64,
    pub title: String,
}

/// What an issue (or pull request) has after `PATCH /repos/{o}/{n}/issues/{number}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub assignees: Vec<User>,
    #[serde(default)]
    pub milestone: Option<Milestone>,
}

/// `PATCH /repos/{o}/{n}/issues/{number}`: labels (the whole set), milestone
/// and assignees in one request.
#[derive(Debug, Serialize)]
pub struct IssueUpdate<'a> {
    pub labels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub assignees: &'a [String],
}

/// `POST /repos/{owner}/{repo}/pulls`.
#[derive(Debug, Serialize)]
pub struct NewPull<'a> {
    pub title: &'a str,
    pub head: &'a str,
    pub base: &'a str,
    pub body: &'a str,
    pub maintainer_can_modify: bool,
    pub draft: bool,
}

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
    /// No answer: connection, timeout, or an unreadable body.
    Transport { what: String, source: reqwest::Error },
    /// The run was interrupted (Ctrl-C) while waiting for GitHub.
    Interrupted { what: String },
}

impl ApiError {
    /// The HTTP status, when GitHub answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            ApiError::Transport { .. } | ApiError::Interrupted { .. } => None,
        }
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
                let reason = StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "{what}: GitHub answered {status} {reason}")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                for error in errors {
                    write!(f, "\n{error}")?;
                }
                Ok(())
            }
            ApiError::Transport { what, source } => write!(f, "{what}: {source}"),
            ApiError::Interrupted { what } => write!(f, "{what}: interrupted"),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApiError::Status { .. } | ApiError::Interrupted { .. } => None,
            ApiError::Transport { source, .. } => source.source(),
        }
    }
}

/// GitHub's error body: `{"message": "...", "errors": [{"message": "..."}]}`.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// The API client. Cheap to share between threads by reference.
pub struct GitHub<'a> {
    client: Client,
    api: String,
    token: Token,
    out: &'a Output,
}

impl<'a> GitHub<'a> {
    pub fn new(api: &str, token: Token, out: &'a Output) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert("X-GitHub-Api-Version", HeaderValue::from_static(API_VERSION));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("git-cherry-pick-pr/", env!("CARGO_PKG_VERSION"))),
        );
        let client = Client::builder()
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(GitHub {
            client,
            api: api.trim_end_matches('/').to_string(),
            token,
            out,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    fn authorised(&self, request: RequestBuilder, accept: &'static str) -> RequestBuilder {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.token.secret()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-token"));
        auth.set_sensitive(true);
        request.header(ACCEPT, accept).header(AUTHORIZATION, auth)
    }

    /// Sends a request and turns any non-success answer into an `ApiError`.
    fn send(&self, what: &str, request: RequestBuilder, accept: &'static str) -> Result<Response, ApiError> {
        let request = self.authorised(request, accept);
        let started = Instant::now();
        let (method, url) = match request.try_clone().and_then(|r| r.build().ok()) {
            Some(r) => (r.method().to_string(), r.url().to_string()),
            None => (String::new(), String::new()),
        };
        let result = crate::signals::interruptible(move || request.send())
            .ok_or_else(|| ApiError::Interrupted { what: what.to_string() })?;
        self.out.debug(|| {
            let status = match &result {
                Ok(r) => r.status().as_u16().to_string(),
                Err(e) => format!("error: {e}"),
            };
            format!(
                "HTTP {method} {url} -> {status} [{:.3}s]",
                started.elapsed().as_secs_f64()
            )
        });
        let response = result.map_err(|source| ApiError::Transport {
            what: what.to_string(),
            source,
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let body: ErrorBody = response.json().unwrap_or_default();
        let errors = body
            .errors
            .iter()
            .map(|e| match e.get("message").and_then(|m| m.as_str()) {
                Some(m) => m.to_string(),
                None => e.to_string(),
            })
            .collect();
        Err(ApiError::Status {
            what: what.to_string(),
            status,
            message: body.message,
            errors,
        })
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, what: &str, response: Response) -> Result<T, ApiError> {
        response.json().map_err(|source| ApiError::Transport {
            what: what.to_string(),
            source,
        })
    }

    /// `GET /repos/{o}/{n}/pulls/{number}`.
    pub fn pull(&self, repo: &Repo, number: u64) -> Result<PullRequest, ApiError> {
        let what = format!("fetching PR #{number} from {repo}");
        let response = self.send(
            &what,
            self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}"))),
            JSON,
        )?;
        self.json(&what, response)
    }

    /// The pull request as a patch series (mbox), as `git format-patch` writes it.
    pub fn patch(&self, repo: &Repo, number: u64) -> Result<Vec<u8>, ApiError> {
        let what = format!("downloading the patch of PR #{number} from {repo}");
        let response = self.send(
            &what,
            self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}"))),
            PATCH,
        )?;
        response
            .bytes()
            .map(|b| b.to_vec())
            .map_err(|source| ApiError::Transport { what, source })
    }

    /// `POST /repos/{o}/{n}/pulls`.
    pub fn create_pull(&self, repo: &Repo, pull: &NewPull<'_>) -> Result<PullRequest, ApiError> {
        let what = format!("opening a pull request from {} into {repo} {}", pull.head, pull.base);
        let request = self.client.post(self.url(&format!("/repos/{repo}/pulls"))).json(pull);
        let response = self.send(&what, request, JSON)?;
        self.json(&what, response)
    }

    /// The open pull request from `user:branch`, if there is one.
    pub fn find_open_pull(&self, repo: &Repo, user: &str, branch: &str) -> Result<Option<PullRequest>, ApiError> {
        let what = format!("looking for an open pull request from {user}:{branch} in {repo}");
        let head = format!("{user}:{branch}");
        let request = self
            .client
            .get(self.url(&format!("/repos/{repo}/pulls")))
            .query(&[("head", head.as_str()), ("state", "open")]);
        let response = self.send(&what, request, JSON)?;
        let pulls: Vec<PullRequest> = self.json(&what, response)?;
        Ok(pulls.into_iter().find(|p| p.head.name == branch))
    }

    /// `POST /repos/{o}/{n}/issues/{number}/labels`; returns the labels the
    /// pull request has afterwards.
    pub fn add_labels(&self, repo: &Repo, number: u64, labels: &[String]) -> Result<Vec<String>, ApiError> {
        let what = format!("labelling PR #{number} in {repo}");
        let request = self
            .client
            .post(self.url(&format!("/repos/{repo}/issues/{number}/labels")))
            .json(&serde_json::json!({ "labels": labels }));
        let response = self.send(&what, request, JSON)?;
        let labels: Vec<Label> = self.json(&what, response)?;
        Ok(labels.into_iter().map(|l| l.name).collect())
    }

    /// The repository's open milestones (`GET /repos/{o}/{n}/milestones`).
    pub fn open_milestones(&self, repo: &Repo) -> Result<Vec<Milestone>, ApiError> {
        let what = format!("listing the open milestones of {repo}");
        let request = self
            .client
            .get(self.url(&format!("/repos/{repo}/milestones")))
            .query(&[("state", "open"), ("per_page", "100")]);
        let response = self.send(&what, request, JSON)?;
        self.json(&what, response)
    }

    /// Sets labels, milestone and assignees of PR `number` in one request.
    pub fn update_issue(&self, repo: &Repo, number: u64, update: &IssueUpdate<'_>) -> Result<Issue, ApiError> {
        let what = format!("setting labels, milestone and assignees of PR #{number} in {repo}");
        let request = self
            .client
            .patch(self.url(&format!("/repos/{repo}/issues/{number}")))
            .json(update);
        let response = self.send(&what, request, JSON)?;
        self.json(&what, response)
    }

    /// Comments on PR (or issue) `number`.
    pub fn comment(&self, repo: &Repo, number: u64, body: &str) -> Result<(), ApiError> {
        let what = format!("commenting on PR #{number} in {repo}");
        let request = self
            .client
            .post(self.url(&format!("/repos/{repo}/issues/{number}/comments")))
            .json(&serde_json::json!({ "body": body }));
        self.send(&what, request, JSON).map(|_| ())
    }

    /// The login of the token's owner (`GET /user`).
    pub fn current_user(&self) -> Result<String, ApiError> {
        let what = "finding the login of the token's owner".to_string();
        let response = self.send(&what, self.client.get(self.url("/user")), JSON)?;
        let user: User = self.json(&what, response)?;
        Ok(user.login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_never_shown() {
        let token = Token::new("ghp_secret".into());
        assert_eq!(format!("{token:?}"), "Token(<hidden>)");
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
}
