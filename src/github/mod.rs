//! The GitHub REST API client: typed requests and responses over a blocking
//! reqwest client, with GitHub's headers, Bearer authentication, timeouts,
//! retries and rate-limit waits (`retry`). Errors name what was asked and
//! what GitHub said (`error`).

mod error;
pub mod retry;
mod types;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use serde::Deserialize;

pub use self::error::{ApiError, Hints, explain};
use self::retry::{Answer, Decision, Policy};
pub use self::types::{Issue, IssueUpdate, Label, Milestone, NewPull, PullRequest, Repo, Token, User};
use crate::output::Output;

const API_VERSION: &str = "2022-11-28";
const JSON: &str = "application/vnd.github+json";
const PATCH: &str = "application/vnd.github.v3.patch";

/// GitHub's error body: `{"message": "...", "errors": [{"message": "..."}]}`.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// What a successful request brought back, read in full.
struct Reply {
    body: Vec<u8>,
}

/// The API client. Cheap to share between threads by reference.
pub struct GitHub<'a> {
    client: Client,
    api: String,
    token: Token,
    policy: Policy,
    out: &'a Output,
    web_host: String,
    token_source: String,
    /// Whether GitHub took the token at least once, or refused it (401).
    accepted: AtomicBool,
    refused: AtomicBool,
}

impl<'a> GitHub<'a> {
    /// A client for the API at `api`, for the web host `web_host`, with a
    /// token found in `token_source` (named in messages, never its value).
    pub fn new(
        api: &str,
        web_host: &str,
        token: Token,
        token_source: &str,
        policy: Policy,
        out: &'a Output,
    ) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert("X-GitHub-Api-Version", HeaderValue::from_static(API_VERSION));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("git-cherry-pick-pr/", env!("CARGO_PKG_VERSION"))),
        );
        // reqwest drops the Authorization header on a redirect to another host.
        let client = Client::builder()
            .default_headers(headers)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()?;
        Ok(GitHub {
            client,
            api: api.trim_end_matches('/').to_string(),
            token,
            policy,
            out,
            web_host: web_host.to_string(),
            token_source: token_source.to_string(),
            accepted: AtomicBool::new(false),
            refused: AtomicBool::new(false),
        })
    }

    /// Whether GitHub accepted the token at least once.
    pub fn token_accepted(&self) -> bool {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Whether GitHub refused the token (401) at least once.
    pub fn token_refused(&self) -> bool {
        self.refused.load(Ordering::Relaxed)
    }

    /// The error as a failure with hints for the user.
    pub fn explain(&self, error: ApiError) -> anyhow::Error {
        explain(
            error,
            &Hints {
                web_host: &self.web_host,
                token_source: &self.token_source,
            },
        )
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

    /// Sends a request, retrying as the policy says, and reads the whole body
    /// of a successful answer; any other answer becomes an `ApiError`.
    fn send(&self, what: &str, request: impl Fn() -> RequestBuilder, accept: &'static str) -> Result<Reply, ApiError> {
        let request = || self.authorised(request(), accept);
        let (method, url) = match request().build().ok() {
            Some(r) => (r.method().to_string(), r.url().to_string()),
            None => (String::new(), String::new()),
        };
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let left = self.policy.deadline.saturating_sub(started.elapsed());
            let this = request().timeout(self.policy.timeout.min(left).max(Duration::from_millis(100)));
            let sent = Instant::now();
            let result = crate::signals::interruptible(move || {
                this.send().and_then(|response| {
                    let status = response.status();
                    let headers = response.headers().clone();
                    response.bytes().map(|body| (status, headers, body.to_vec()))
                })
            })
            .ok_or_else(|| ApiError::Interrupted { what: what.to_string() })?;
            self.out.debug(|| {
                let outcome = match &result {
                    Ok((status, _, _)) => status.as_u16().to_string(),
                    Err(e) => format!("error: {e}"),
                };
                format!(
                    "HTTP {method} {url} -> {outcome} [try {attempt}, {:.3}s]",
                    sent.elapsed().as_secs_f64()
                )
            });
            let (answer, failure) = match result {
                Ok((status, _, body)) if status.is_success() => {
                    self.accepted.store(true, Ordering::Relaxed);
                    return Ok(Reply { body });
                }
                Ok((status, headers, body)) => {
                    let (answer, error) = read_failure(what, status.as_u16(), &headers, &body);
                    if status == StatusCode::UNAUTHORIZED {
                        self.refused.store(true, Ordering::Relaxed);
                    }
                    (answer, error)
                }
                Err(source) if retryable(&source) => (
                    Answer::default(),
                    ApiError::Transport {
                        what: what.to_string(),
                        source,
                        attempts: attempt,
                    },
                ),
                Err(source) => {
                    return Err(ApiError::Transport {
                        what: what.to_string(),
                        source,
                        attempts: attempt,
                    });
                }
            };
            let now = SystemTime::now();
            match retry::decide(&self.policy, attempt, started.elapsed(), now, &answer, fastrand::f64()) {
                Decision::Stop | Decision::GiveUp => return Err(failure),
                Decision::RateLimited { until } => {
                    return Err(ApiError::RateLimited {
                        what: what.to_string(),
                        status: answer.status.unwrap_or_default(),
                        message: answer.message.clone(),
                        until,
                        secondary: answer.is_secondary_limit(),
                    });
                }
                Decision::Retry {
                    after,
                    rate_limit: true,
                } => {
                    let which = if answer.is_secondary_limit() {
                        "secondary rate limit"
                    } else {
                        "rate limit"
                    };
                    self.out
                        .countdown(&format!("GitHub's {which} was reached while {what}; waiting"), after);
                    if crate::signals::interrupted() {
                        return Err(ApiError::Interrupted { what: what.to_string() });
                    }
                }
                Decision::Retry {
                    after,
                    rate_limit: false,
                } => {
                    let why = match answer.status {
                        Some(status) => format!("GitHub answered {status}"),
                        None => "no answer from GitHub".to_string(),
                    };
                    self.out.note(&format!(
                        "{why} while {what}; trying again in {:.1}s (try {} of {})",
                        after.as_secs_f64(),
                        attempt + 1,
                        self.policy.attempts
                    ));
                    if !pause(after) {
                        return Err(ApiError::Interrupted { what: what.to_string() });
                    }
                }
            }
        }
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, what: &str, reply: Reply) -> Result<T, ApiError> {
        serde_json::from_slice(&reply.body).map_err(|e| ApiError::Status {
            what: what.to_string(),
            status: 200,
            message: format!("the answer is not the JSON expected: {e}"),
            errors: Vec::new(),
        })
    }

    /// `GET /repos/{o}/{n}/pulls/{number}`.
    pub fn pull(&self, repo: &Repo, number: u64) -> Result<PullRequest, ApiError> {
        let what = format!("fetching PR #{number} from {repo}");
        let reply = self.send(
            &what,
            || self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}"))),
            JSON,
        )?;
        self.json(&what, reply)
    }

    /// The pull request as a patch series (mbox), as `git format-patch` writes it.
    pub fn patch(&self, repo: &Repo, number: u64) -> Result<Vec<u8>, ApiError> {
        let what = format!("downloading the patch of PR #{number} from {repo}");
        let reply = self.send(
            &what,
            || self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}"))),
            PATCH,
        )?;
        Ok(reply.body)
    }

    /// `POST /repos/{o}/{n}/pulls`.
    pub fn create_pull(&self, repo: &Repo, pull: &NewPull<'_>) -> Result<PullRequest, ApiError> {
        let what = format!("opening a pull request from {} into {repo} {}", pull.head, pull.base);
        let request = || self.client.post(self.url(&format!("/repos/{repo}/pulls"))).json(pull);
        let reply = self.send(&what, request, JSON)?;
        self.json(&what, reply)
    }

    /// The open pull request from `user:branch`, if there is one.
    pub fn find_open_pull(&self, repo: &Repo, user: &str, branch: &str) -> Result<Option<PullRequest>, ApiError> {
        let what = format!("looking for an open pull request from {user}:{branch} in {repo}");
        let head = format!("{user}:{branch}");
        let request = || {
            self.client
                .get(self.url(&format!("/repos/{repo}/pulls")))
                .query(&[("head", head.as_str()), ("state", "open")])
        };
        let reply = self.send(&what, request, JSON)?;
        let pulls: Vec<PullRequest> = self.json(&what, reply)?;
        Ok(pulls.into_iter().find(|p| p.head.name == branch))
    }

    /// `POST /repos/{o}/{n}/issues/{number}/labels`; returns the labels the
    /// pull request has afterwards.
    pub fn add_labels(&self, repo: &Repo, number: u64, labels: &[String]) -> Result<Vec<String>, ApiError> {
        let what = format!("labelling PR #{number} in {repo}");
        let request = || {
            self.client
                .post(self.url(&format!("/repos/{repo}/issues/{number}/labels")))
                .json(&serde_json::json!({ "labels": labels }))
        };
        let reply = self.send(&what, request, JSON)?;
        let labels: Vec<Label> = self.json(&what, reply)?;
        Ok(labels.into_iter().map(|l| l.name).collect())
    }

    /// The repository's open milestones (`GET /repos/{o}/{n}/milestones`).
    pub fn open_milestones(&self, repo: &Repo) -> Result<Vec<Milestone>, ApiError> {
        let what = format!("listing the open milestones of {repo}");
        let request = || {
            self.client
                .get(self.url(&format!("/repos/{repo}/milestones")))
                .query(&[("state", "open"), ("per_page", "100")])
        };
        let reply = self.send(&what, request, JSON)?;
        self.json(&what, reply)
    }

    /// Sets labels, milestone and assignees of PR `number` in one request.
    pub fn update_issue(&self, repo: &Repo, number: u64, update: &IssueUpdate<'_>) -> Result<Issue, ApiError> {
        let what = format!("setting labels, milestone and assignees of PR #{number} in {repo}");
        let request = || {
            self.client
                .patch(self.url(&format!("/repos/{repo}/issues/{number}")))
                .json(update)
        };
        let reply = self.send(&what, request, JSON)?;
        self.json(&what, reply)
    }

    /// Comments on PR (or issue) `number`.
    pub fn comment(&self, repo: &Repo, number: u64, body: &str) -> Result<(), ApiError> {
        let what = format!("commenting on PR #{number} in {repo}");
        let request = || {
            self.client
                .post(self.url(&format!("/repos/{repo}/issues/{number}/comments")))
                .json(&serde_json::json!({ "body": body }))
        };
        self.send(&what, request, JSON).map(|_| ())
    }

    /// The login of the token's owner (`GET /user`).
    pub fn current_user(&self) -> Result<String, ApiError> {
        let what = "finding the login of the token's owner".to_string();
        let reply = self.send(&what, || self.client.get(self.url("/user")), JSON)?;
        let user: User = self.json(&what, reply)?;
        Ok(user.login)
    }
}

/// Transport errors worth another try: no connection, a timeout, a broken
/// exchange. Not: a bad request, too many redirects, an undecodable answer.
fn retryable(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

/// Sleeps `duration` unless interrupted; false when interrupted.
fn pause(duration: Duration) -> bool {
    let end = Instant::now() + duration;
    loop {
        if crate::signals::interrupted() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Reads a failed answer: what the retry policy needs, and the error it is.
fn read_failure(what: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> (Answer, ApiError) {
    let body: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let number = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let answer = Answer {
        status: Some(status),
        retry_after: header("retry-after").and_then(|v| retry::parse_retry_after(v, SystemTime::now())),
        remaining: number("x-ratelimit-remaining"),
        reset: number("x-ratelimit-reset"),
        message: body.message.clone(),
    };
    let errors = body
        .errors
        .iter()
        .map(|e| match e.get("message").and_then(|m| m.as_str()) {
            Some(m) => m.to_string(),
            None => e.to_string(),
        })
        .collect();
    let error = ApiError::Status {
        what: what.to_string(),
        status,
        message: body.message,
        errors,
    };
    (answer, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_never_shown() {
        let token = Token::new("ghp_secret".into());
        assert_eq!(format!("{token:?}"), "Token(<hidden>)");
    }
}
