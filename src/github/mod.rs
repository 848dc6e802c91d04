//! The GitHub REST API client: typed requests and responses over a blocking
//! reqwest client, with GitHub's headers, Bearer authentication, timeouts,
//! retries and rate-limit waits (`retry`). Errors name what was asked and
//! what GitHub said (`error`).
//! The token comes from the environment, `gh` or git's credential helpers
//! (`token`); GraphQL batches what REST would ask one by one (`graphql`).
//!
//! It may use the git edge and the shared floor, never the settings, the
//! plan, the stages, the run or a command.

mod error;
mod graphql;
mod limit;
mod pace;
pub mod retry;
pub mod token;
mod types;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LINK, LOCATION, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

pub use self::error::{ACTIONS_MAY_NOT_OPEN, ACTIONS_SETTING, ApiError, Hints, explain, login_command, sent};
use self::limit::Limit;
use self::pace::Pace;
use self::retry::{Answer, Decision, Policy};
pub use self::types::{
    AutoMerge, Comment, FoundIssue, Issue, IssueUpdate, Label, Milestone, NewPull, PullRequest, Repo, Repository,
    Review, SearchPage, Token, User, approvers,
};
use crate::output::Output;
use crate::safe;

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
    status: u16,
    content_type: String,
    body: Vec<u8>,
    /// The `Link` header has a `rel="next"` page.
    more: bool,
}

/// A downloaded patch, and what GitHub said it is.
#[derive(Debug, Clone, Default)]
pub struct Download {
    /// The `Content-Type` header, empty when there was none.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Whether a request may be sent again when its answer could not be read
/// in full: the request may have taken effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resend {
    /// Sending it again does no harm (a GET, setting labels), or the caller
    /// recognises what the first try made (creating a pull request: 422).
    Safe,
    /// Sending it again could do it twice (a comment).
    Unsafe,
}

/// What a request does to GitHub: writes go one at a time, and content is
/// paced (`pace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Traffic {
    /// Reads (a GraphQL query too): concurrent, within the cap.
    Read,
    /// Changes something (labels, reviewers, a milestone).
    Write,
    /// Makes content (a pull request, a comment): a write, paced.
    Content,
}

/// The API client. Cheap to share between threads by reference.
pub struct GitHub<'a> {
    client: Client,
    api: String,
    token: Token,
    policy: Policy,
    /// The requests in flight at once, at most `policy.in_flight`.
    limit: Limit,
    /// Writes one at a time, content paced.
    pace: Pace,
    /// The pacing was said on stderr once.
    pacing_said: AtomicBool,
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
        // Redirects are followed by `exchange`, so that --debug shows each one.
        let client = Client::builder()
            .default_headers(headers)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(GitHub {
            client,
            api: api.trim_end_matches('/').to_string(),
            token,
            limit: Limit::new(policy.in_flight),
            pace: Pace::new(policy.second),
            pacing_said: AtomicBool::new(false),
            policy,
            out,
            web_host: web_host.to_string(),
            token_source: token_source.to_string(),
            accepted: AtomicBool::new(false),
            refused: AtomicBool::new(false),
        })
    }

    /// The most requests this client has in flight at once: how many
    /// workers are worth starting for a batch of requests.
    pub fn in_flight(&self) -> usize {
        self.policy.in_flight
    }

    /// The run expects to make `n` more items of content (pull requests,
    /// comments): what the pacing's progress line counts.
    pub fn expect_content(&self, n: usize) {
        self.pace.expect(n);
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
        self.explain_as(error, error::SAME_COMMAND)
    }

    /// The error of a run whose work is saved: it is tried again with
    /// `again` (the command that goes on, `git cherry-pick-pr --continue`),
    /// not with the same command.
    pub fn explain_saved(&self, error: ApiError, again: &str) -> anyhow::Error {
        self.explain_as(error, again)
    }

    fn explain_as(&self, error: ApiError, again: &str) -> anyhow::Error {
        explain(
            error,
            &Hints {
                web_host: &self.web_host,
                token_source: &self.token_source,
                again,
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
        self.send_as(what, request, accept, Resend::Safe, Traffic::Read)
    }

    /// Waits, when content is to be paced, until the next may be made;
    /// says so on stderr the first time.
    fn pace_content(&self, what: &str) -> Result<(), ApiError> {
        let (wait, left) = self.pace.before_content(Instant::now());
        if wait.is_zero() {
            return Ok(());
        }
        if !self.pacing_said.swap(true, Ordering::Relaxed) {
            let about = self
                .pace
                .second()
                .saturating_mul(u32::try_from(left).unwrap_or(u32::MAX));
            self.out.step(&format!(
                "Pacing writes for GitHub's limits: {left} left, about {} s",
                about.as_secs_f64().ceil()
            ));
        }
        self.out
            .debug(|| format!("pacing: {} ms before {what}", wait.as_millis()));
        if !pause(wait) {
            return Err(ApiError::Interrupted { what: what.to_string() });
        }
        Ok(())
    }

    /// `send`, saying whether the request may go again after an answer cut short.
    fn send_as(
        &self,
        what: &str,
        request: impl Fn() -> RequestBuilder,
        accept: &'static str,
        resend: Resend,
        traffic: Traffic,
    ) -> Result<Reply, ApiError> {
        let request = || self.authorised(request(), accept);
        let (method, url) = match request().build().ok() {
            Some(r) => (r.method().to_string(), r.url().to_string()),
            None => (String::new(), String::new()),
        };
        // A write holds its turn for all its tries: none other is in flight.
        let _turn = (traffic != Traffic::Read).then(|| self.pace.turn());
        let started = Instant::now();
        // Time spent waiting out rate limits, which the deadline does not count.
        let mut paused = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if traffic == Traffic::Content {
                self.pace_content(what)?;
            }
            let left = self
                .policy
                .deadline
                .saturating_sub(started.elapsed().saturating_sub(paused));
            let this = request().timeout(self.policy.timeout.min(left).max(Duration::from_millis(100)));
            let sent = Instant::now();
            let client = self.client.clone();
            let limit = self.limit.clone();
            let result = crate::signals::interruptible(move || {
                let _slot = limit.take();
                exchange(&client, this)
            })
            .ok_or_else(|| ApiError::Interrupted { what: what.to_string() })?;
            self.out
                .debug(|| describe_exchange(&result, (&method, &url), attempt, sent.elapsed()));
            let (answer, failure) = match self.judge(what, attempt, resend, result) {
                ControlFlow::Break(done) => {
                    if traffic == Traffic::Content && done.is_ok() {
                        self.pace.made(Instant::now());
                    }
                    return done;
                }
                ControlFlow::Continue(failed) => failed,
            };
            paused += self.wait(what, attempt, started, &answer, failure)?;
        }
    }

    /// What one exchange came to: the reply or a final error (`Break`), or
    /// what GitHub answered and the error to give if it is not tried again.
    fn judge(
        &self,
        what: &str,
        attempt: u32,
        resend: Resend,
        result: Result<Exchange, reqwest::Error>,
    ) -> ControlFlow<Result<Reply, ApiError>, (Answer, ApiError)> {
        let result = result.map(|e| (e.status, e.headers, e.body));
        ControlFlow::Continue(match result {
            Ok((status, headers, Ok(body))) if status.is_success() => {
                self.accepted.store(true, Ordering::Relaxed);
                let content_type = headers
                    .get(CONTENT_TYPE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default();
                let more = headers
                    .get_all(LINK)
                    .iter()
                    .any(|v| has_next_page(&String::from_utf8_lossy(v.as_bytes())));
                return ControlFlow::Break(Ok(Reply {
                    status: status.as_u16(),
                    content_type,
                    body,
                    more,
                }));
            }
            Ok((status, _, Err(source))) => {
                let cut = ApiError::Cut {
                    what: what.to_string(),
                    status: status.as_u16(),
                    source,
                    attempts: attempt,
                };
                if resend == Resend::Unsafe {
                    return ControlFlow::Break(Err(cut));
                }
                (Answer::default(), cut)
            }
            Ok((status, headers, Ok(body))) => {
                let body = safe::without_secret_bytes(&body, self.token.secret());
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
                return ControlFlow::Break(Err(ApiError::Transport {
                    what: what.to_string(),
                    source,
                    attempts: attempt,
                }));
            }
        })
    }

    /// After a failed attempt: waits, saying why, when the request is to be
    /// tried again (how long a rate limit's wait took); else the error to give.
    fn wait(
        &self,
        what: &str,
        attempt: u32,
        started: Instant,
        answer: &Answer,
        failure: ApiError,
    ) -> Result<Duration, ApiError> {
        let now = SystemTime::now();
        match retry::decide(&self.policy, attempt, started.elapsed(), now, answer, fastrand::f64()) {
            Decision::Stop | Decision::GiveUp => Err(failure),
            Decision::RateLimited { until } => Err(ApiError::RateLimited {
                what: what.to_string(),
                status: answer.status.unwrap_or_default(),
                message: answer.message.clone(),
                until,
                secondary: answer.is_secondary_limit(),
            }),
            Decision::Retry {
                after,
                rate_limit: true,
            } => {
                let which = if answer.is_secondary_limit() {
                    self.out.debug(|| {
                        format!(
                            "secondary rate limit on try {attempt}: waiting {} ms ({})",
                            after.as_millis(),
                            retry::secondary_why(answer, attempt)
                        )
                    });
                    "secondary rate limit"
                } else {
                    "rate limit"
                };
                self.out
                    .countdown(&format!("GitHub's {which} was reached while {what}; waiting"), after);
                if crate::signals::interrupted() {
                    return Err(ApiError::Interrupted { what: what.to_string() });
                }
                Ok(after)
            }
            Decision::Retry {
                after,
                rate_limit: false,
            } => {
                let why = match (&failure, answer.status) {
                    (ApiError::Cut { status, .. }, _) => format!("GitHub's answer ({status}) was cut short"),
                    (_, Some(status)) => format!("GitHub answered {status}"),
                    (_, None) => "no answer from GitHub".to_string(),
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
                Ok(Duration::ZERO)
            }
        }
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, what: &str, reply: Reply) -> Result<T, ApiError> {
        serde_json::from_slice(&reply.body).map_err(|e| ApiError::Unreadable {
            what: what.to_string(),
            status: reply.status,
            sent: sent(
                &reply.content_type,
                &safe::without_secret_bytes(&reply.body, self.token.secret()),
            ),
            error: e.to_string(),
        })
    }

    /// A GET whose answer is JSON. An answer that is not the JSON expected
    /// (a proxy's page, a cut-off cache entry) is asked for once more: such
    /// answers last a moment.
    fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        what: &str,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<T, ApiError> {
        let reply = self.send(what, &request, JSON)?;
        match self.json(what, reply) {
            Err(unreadable @ ApiError::Unreadable { .. }) => {
                self.out.note(&format!("{unreadable}; asking once more"));
                let reply = self.send(what, &request, JSON)?;
                self.json(what, reply)
            }
            parsed => parsed,
        }
    }

    /// A GET of one page of a listing: the page, and whether there is a next.
    fn get_page<T: for<'de> Deserialize<'de>>(
        &self,
        what: &str,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<(T, bool), ApiError> {
        let reply = self.send(what, &request, JSON)?;
        let more = reply.more;
        match self.json(what, reply) {
            Err(unreadable @ ApiError::Unreadable { .. }) => {
                self.out.note(&format!("{unreadable}; asking once more"));
                let reply = self.send(what, &request, JSON)?;
                let more = reply.more;
                Ok((self.json(what, reply)?, more))
            }
            parsed => Ok((parsed?, more)),
        }
    }

    /// `GET /repos/{o}/{n}/pulls/{number}`.
    pub fn pull(&self, repo: &Repo, number: u64) -> Result<PullRequest, ApiError> {
        let what = format!("fetching PR #{number} from {repo}");
        self.get_json(&what, || {
            self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}")))
        })
    }

    /// The pull request as a patch series (mbox), as `git format-patch`
    /// writes it, and the content type GitHub gave it. Nothing here says it
    /// is the pull request's commits: `verify` checks that.
    pub fn patch(&self, repo: &Repo, number: u64) -> Result<Download, ApiError> {
        let what = format!("downloading the patch of PR #{number} from {repo}");
        let reply = self.send(
            &what,
            || self.client.get(self.url(&format!("/repos/{repo}/pulls/{number}"))),
            PATCH,
        )?;
        Ok(Download {
            content_type: reply.content_type,
            body: reply.body,
        })
    }

    /// Text to post, of many lines: without the token, controls or
    /// bidirectional overrides (`safe::lines`). Comments carry error
    /// messages, which GitHub or a proxy may have echoed the token into.
    pub fn posted(&self, text: &str) -> String {
        safe::lines(&safe::without_secrets(text, &[self.token.secret()]))
    }

    /// A title to post: as `posted`, on one line (`safe::one_line`).
    fn posted_line(&self, text: &str) -> String {
        safe::one_line(&safe::without_secrets(text, &[self.token.secret()]))
    }

    /// `POST /repos/{o}/{n}/pulls`.
    pub fn create_pull(&self, repo: &Repo, pull: &NewPull<'_>) -> Result<PullRequest, ApiError> {
        let what = format!("opening a pull request from {} into {repo} {}", pull.head, pull.base);
        let (title, body) = (self.posted_line(pull.title), self.posted(pull.body));
        let pull = &NewPull {
            title: &title,
            body: &body,
            ..*pull
        };
        let request = || self.client.post(self.url(&format!("/repos/{repo}/pulls"))).json(pull);
        let reply = self.send_as(&what, request, JSON, Resend::Safe, Traffic::Content)?;
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
        let pulls: Vec<PullRequest> = self.get_json(&what, request)?;
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
        let reply = self.send_as(&what, request, JSON, Resend::Safe, Traffic::Write)?;
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
        self.get_json(&what, request)
    }

    /// Sets labels, milestone and assignees of PR `number` in one request.
    pub fn update_issue(&self, repo: &Repo, number: u64, update: &IssueUpdate<'_>) -> Result<Issue, ApiError> {
        let what = format!("setting labels, milestone and assignees of PR #{number} in {repo}");
        let request = || {
            self.client
                .patch(self.url(&format!("/repos/{repo}/issues/{number}")))
                .json(update)
        };
        let reply = self.send_as(&what, request, JSON, Resend::Safe, Traffic::Write)?;
        self.json(&what, reply)
    }

    /// Every review of PR `number` (`GET /repos/{o}/{n}/pulls/{number}/reviews`),
    /// oldest first, page after page.
    pub fn reviews(&self, repo: &Repo, number: u64) -> Result<Vec<Review>, ApiError> {
        let what = format!("listing the reviews of PR #{number} in {repo}");
        let mut all = Vec::new();
        // GitHub keeps at most a few thousand reviews; stop there whatever it says.
        for page in 1..=30u32 {
            let page_text = page.to_string();
            let request = || {
                self.client
                    .get(self.url(&format!("/repos/{repo}/pulls/{number}/reviews")))
                    .query(&[("per_page", "100"), ("page", page_text.as_str())])
            };
            let reviews: Vec<Review> = self.get_json(&what, request)?;
            let last = reviews.len() < 100;
            all.extend(reviews);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// Requests reviews of PR `number` from `reviewers`
    /// (`POST /repos/{o}/{n}/pulls/{number}/requested_reviewers`); returns
    /// those GitHub then lists as requested.
    pub fn request_reviewers(&self, repo: &Repo, number: u64, reviewers: &[String]) -> Result<Vec<String>, ApiError> {
        let what = format!(
            "requesting reviews of PR #{number} in {repo} from {}",
            reviewers.join(", ")
        );
        let request = || {
            self.client
                .post(self.url(&format!("/repos/{repo}/pulls/{number}/requested_reviewers")))
                .json(&serde_json::json!({ "reviewers": reviewers }))
        };
        let reply = self.send_as(&what, request, JSON, Resend::Safe, Traffic::Write)?;
        #[derive(Deserialize)]
        struct Requested {
            #[serde(default)]
            requested_reviewers: Vec<User>,
        }
        let requested: Requested = self.json(&what, reply)?;
        Ok(requested.requested_reviewers.into_iter().map(|u| u.login).collect())
    }

    /// Comments on PR (or issue) `number`.
    pub fn comment(&self, repo: &Repo, number: u64, body: &str) -> Result<(), ApiError> {
        let what = format!("commenting on PR #{number} in {repo}");
        let body = self.posted(body);
        let request = || {
            self.client
                .post(self.url(&format!("/repos/{repo}/issues/{number}/comments")))
                .json(&serde_json::json!({ "body": body }))
        };
        self.send_as(&what, request, JSON, Resend::Unsafe, Traffic::Content)
            .map(|_| ())
    }

    /// The pull requests associated with commit `sha` (`GET
    /// /repos/{o}/{n}/commits/{sha}/pulls`): those whose commits hold it,
    /// and the one whose merge made it. One request: its first page.
    pub fn commit_pulls(&self, repo: &Repo, sha: &str) -> Result<Vec<PullRequest>, ApiError> {
        let what = format!(
            "finding the pull request of commit {} in {repo}",
            sha.get(..12).unwrap_or(sha)
        );
        self.get_json(&what, || {
            self.client
                .get(self.url(&format!("/repos/{repo}/commits/{sha}/pulls")))
                .query(&[("per_page", PER_PAGE_TEXT)])
        })
    }

    /// The repository's default branch (`GET /repos/{o}/{n}`).
    pub fn default_branch(&self, repo: &Repo) -> Result<String, ApiError> {
        let what = format!("finding the default branch of {repo}");
        let found: Repository = self.get_json(&what, || self.client.get(self.url(&format!("/repos/{repo}"))))?;
        Ok(found.default_branch)
    }

    /// Every pull request `query` finds (`GET /search/issues`), page by page
    /// as the `Link` header leads,
    /// up to the 1,000 results the search API gives. Its own rate limit (30
    /// searches a minute) is waited out as any other.
    pub fn search_pulls(&self, query: &str) -> Result<Vec<FoundIssue>, ApiError> {
        let what = format!("searching {query}");
        let request = |page: &str| {
            self.client.get(self.url("/search/issues")).query(&[
                ("q", query),
                ("per_page", PER_PAGE_TEXT),
                ("page", page),
            ])
        };
        self.pages(&what, SEARCH_RESULTS, request, |answer: SearchPage| {
            if answer.incomplete_results {
                self.out.warn(&format!(
                    "GitHub's search timed out and gave incomplete results for: {query}"
                ));
            }
            answer.items
        })
    }

    /// The pull requests against `base` (`GET /repos/{o}/{n}/pulls`) in
    /// `state` (`open`, `closed`, `all`), newest first, up to `limit`.
    pub fn list_pulls(&self, repo: &Repo, base: &str, state: &str, limit: usize) -> Result<Vec<PullRequest>, ApiError> {
        let what = format!("listing the pull requests against {base} in {repo}");
        let per_page = limit.clamp(1, PER_PAGE).to_string();
        let request = |page: &str| {
            self.client.get(self.url(&format!("/repos/{repo}/pulls"))).query(&[
                ("base", base),
                ("state", state),
                ("sort", "created"),
                ("direction", "desc"),
                ("per_page", &per_page),
                ("page", page),
            ])
        };
        self.pages(&what, limit, request, |page: Vec<PullRequest>| page)
    }

    /// The comments on issue or pull request `number`, oldest first, up to
    /// `limit` (`GET /repos/{o}/{n}/issues/{number}/comments`).
    pub fn comments(&self, repo: &Repo, number: u64, limit: usize) -> Result<Vec<Comment>, ApiError> {
        let what = format!("reading the comments on PR #{number} in {repo}");
        let request = |page: &str| {
            self.client
                .get(self.url(&format!("/repos/{repo}/issues/{number}/comments")))
                .query(&[("per_page", PER_PAGE_TEXT), ("page", page)])
        };
        self.pages(&what, limit, request, |page: Vec<Comment>| page)
    }

    /// Replaces the text of the comment `id`: `PATCH
    /// /repos/{o}/{n}/issues/comments/{id}`. Sending it again does no harm.
    pub fn update_comment(&self, repo: &Repo, id: u64, body: &str) -> Result<(), ApiError> {
        let what = format!("updating comment {id} in {repo}");
        let body = self.posted(body);
        let request = || {
            self.client
                .patch(self.url(&format!("/repos/{repo}/issues/comments/{id}")))
                .json(&serde_json::json!({ "body": body }))
        };
        self.send_as(&what, request, JSON, Resend::Safe, Traffic::Write)
            .map(drop)
    }

    /// The items of a paged listing, up to `limit`, page by page as the
    /// `Link` header leads: `request` asks for a page (its number), `items`
    /// takes the items out of its answer.
    fn pages<P: for<'de> Deserialize<'de>, T>(
        &self,
        what: &str,
        limit: usize,
        request: impl Fn(&str) -> RequestBuilder,
        mut items: impl FnMut(P) -> Vec<T>,
    ) -> Result<Vec<T>, ApiError> {
        let mut found = Vec::new();
        for page in 1.. {
            let page = page.to_string();
            let (answer, more) = self.get_page(what, || request(&page))?;
            let answer = items(answer);
            let empty = answer.is_empty();
            found.extend(answer);
            if !more || empty || found.len() >= limit {
                break;
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    /// The login of the token's owner (`GET /user`).
    pub fn current_user(&self) -> Result<String, ApiError> {
        let what = "finding the login of the token's owner".to_string();
        let user: User = self.get_json(&what, || self.client.get(self.url("/user")))?;
        Ok(user.login)
    }
}

/// Whether a `Link` header names a next page: `<…>; rel="next"`.
fn has_next_page(link: &str) -> bool {
    link.split(',').any(|part| {
        part.split(';')
            .skip(1)
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"))
    })
}

/// Results asked for per page of a listing: the most GitHub gives.
const PER_PAGE: usize = 100;
const PER_PAGE_TEXT: &str = "100";
/// The search API gives the first 1,000 results.
const SEARCH_RESULTS: usize = 1000;

/// The most redirects followed for one request.
const REDIRECTS: usize = 5;

/// The `--debug` line of one exchange: each redirect, then the last
/// request and how it ended.
fn describe_exchange(
    result: &Result<Exchange, reqwest::Error>,
    (method, url): (&str, &str),
    attempt: u32,
    took: Duration,
) -> String {
    let (hops, outcome) = match &result {
        Ok(Exchange {
            hops,
            status,
            body: Ok(_),
            ..
        }) => (hops.as_slice(), status.as_u16().to_string()),
        Ok(Exchange {
            hops,
            status,
            body: Err(e),
            ..
        }) => (
            hops.as_slice(),
            format!("{} but the body was cut short: {}", status.as_u16(), chain(e)),
        ),
        Err(e) => (&[][..], format!("error: {}", chain(e))),
    };
    let mut text = String::new();
    let mut at = url.to_string();
    for (how, from, status, to) in hops {
        text.push_str(&format!("HTTP {how} {from} -> {status}, redirected to {to}\n"));
        at = to.clone();
    }
    let last = match &result {
        Ok(exchange) => exchange.method.to_string(),
        Err(_) => method.to_string(),
    };
    text.push_str(&format!(
        "HTTP {last} {at} -> {outcome} [try {attempt}, {:.3}s]",
        took.as_secs_f64()
    ));
    text
}

/// One try: the redirects followed (method, from, status, to), then the
/// answer to the last request (`method`), its body an error when it was
/// cut short.
struct Exchange {
    hops: Vec<(String, String, u16, String)>,
    method: Method,
    status: StatusCode,
    headers: HeaderMap,
    body: Result<Vec<u8>, std::io::Error>,
}

/// Reads a body into one buffer of the size announced, as it comes: a large
/// patch is held once, not once per chunk and again whole. An error is a
/// body cut short (a reset connection, a close before the end).
fn read_body(mut response: reqwest::blocking::Response) -> Result<Vec<u8>, std::io::Error> {
    use std::io::Read;
    // The announced size only sizes the buffer, within reason.
    let announced = response.content_length().unwrap_or(0).min(1 << 30);
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    response.read_to_end(&mut body)?;
    Ok(body)
}

/// Sends `request`, following redirects as browsers and reqwest do: a 303,
/// or a 301/302 to a POST, becomes a GET without a body; the token is not
/// sent to another host. The last redirect's answer is the answer when
/// there are too many or one cannot be followed.
fn exchange(client: &Client, request: RequestBuilder) -> Result<Exchange, reqwest::Error> {
    let mut request = request.build()?;
    let origin = request.url().origin();
    let mut hops = Vec::new();
    loop {
        let again = request.try_clone();
        let method = request.method().clone();
        let response = client.execute(request)?;
        let status = response.status();
        let next = match status {
            StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
                if hops.len() < REDIRECTS =>
            {
                response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| response.url().join(l).ok())
            }
            _ => None,
        };
        match (next, again) {
            (Some(next), Some(mut again)) => {
                hops.push((
                    method.to_string(),
                    response.url().to_string(),
                    status.as_u16(),
                    next.to_string(),
                ));
                if next.origin() != origin {
                    again.headers_mut().remove(AUTHORIZATION);
                }
                let to_get = status == StatusCode::SEE_OTHER
                    || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && method == Method::POST);
                if to_get {
                    *again.method_mut() = Method::GET;
                    *again.body_mut() = None;
                    again.headers_mut().remove(CONTENT_TYPE);
                    again.headers_mut().remove(CONTENT_LENGTH);
                }
                *again.url_mut() = next;
                request = again;
            }
            _ => {
                let headers = response.headers().clone();
                let body = read_body(response);
                return Ok(Exchange {
                    hops,
                    method,
                    status,
                    headers,
                    body,
                });
            }
        }
    }
}

/// Transport errors worth another try: no connection, a timeout, a broken
/// exchange. Not: a bad request, too many redirects, an undecodable answer.
fn retryable(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

/// One of GitHub's reasons, in words: its `message`, else what its
/// `resource`, `field`, `code` and `value` say (`Label name is invalid
/// ("x y")`), else the JSON as it came.
fn describe_error(error: &serde_json::Value) -> String {
    let text = |key: &str| error.get(key).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
    if let Some(message) = text("message") {
        return message.to_string();
    }
    let Some(code) = text("code") else {
        return match error.as_str() {
            Some(plain) => plain.to_string(),
            None => error.to_string(),
        };
    };
    let said = match code {
        "missing" => "does not exist",
        "missing_field" => "is required",
        "invalid" => "is invalid",
        "already_exists" => "already exists",
        "unprocessable" => "could not be processed",
        other => other,
    };
    let mut words: Vec<String> = [text("resource"), text("field")]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    words.push(said.to_string());
    match error.get("value").filter(|v| !v.is_null()) {
        Some(value) => format!("{} ({value})", words.join(" ")),
        None => words.join(" "),
    }
}

/// An error and its causes on one line: reqwest's own words ("error
/// decoding response body") hide the cause ("connection reset").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
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
    let errors = body.errors.iter().map(describe_error).collect();
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
    fn github_reasons_are_put_in_words() {
        use serde_json::json;
        assert_eq!(
            describe_error(&json!({"message": "A pull request already exists"})),
            "A pull request already exists"
        );
        assert_eq!(
            describe_error(&json!({"resource": "Label", "code": "invalid", "field": "name", "value": "x y"})),
            "Label name is invalid (\"x y\")"
        );
        assert_eq!(
            describe_error(&json!({"resource": "Issue", "field": "milestone", "code": "invalid"})),
            "Issue milestone is invalid"
        );
        assert_eq!(
            describe_error(&json!({"resource": "Label", "code": "missing"})),
            "Label does not exist"
        );
        assert_eq!(describe_error(&json!({"code": "custom"})), "custom");
        assert_eq!(describe_error(&json!("plain words")), "plain words");
        assert_eq!(describe_error(&json!({"odd": 1})), "{\"odd\":1}");
    }

    #[test]
    fn what_was_sent_is_shown_escaped_and_cut() {
        assert_eq!(sent("", b""), "no content type, an empty body");
        assert_eq!(
            sent("text/plain", b"a\n\xff"),
            "text/plain, 3 bytes starting \"a\\n\\xff\""
        );
        let long = sent("text/html", &[b'x'; 100]);
        assert!(long.starts_with("text/html, 100 bytes starting \"xxx"), "{long}");
        assert!(long.ends_with("x…\""), "{long}");
        assert_eq!(long.matches('x').count() - 1, 80, "{long}");
    }

    #[test]
    fn the_link_header_says_whether_there_is_a_next_page() {
        let github = r#"<https://api.github.com/search/issues?q=x&page=2>; rel="next", <https://api.github.com/search/issues?q=x&page=5>; rel="last""#;
        assert!(has_next_page(github));
        let last = r#"<https://api.github.com/search/issues?q=x&page=1>; rel="prev", <https://api.github.com/search/issues?q=x&page=1>; rel="first""#;
        assert!(!has_next_page(last));
        assert!(!has_next_page(""));
        assert!(has_next_page("<u>; rel=next"));
    }

    #[test]
    fn token_is_never_shown() {
        let token = Token::new("ghp_secret".into());
        assert_eq!(format!("{token:?}"), "Token(<hidden>)");
    }
}
