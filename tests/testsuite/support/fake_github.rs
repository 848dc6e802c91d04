//! A fake of the GitHub REST API, served by hyper on 127.0.0.1: serves pull requests and their
//! patches, accepts new pull requests and labels, answers like GitHub (status
//! codes, JSON shapes, headers), records every request, and can be told to
//! fail. Dropping it fails the test if a handler panicked.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::objects::{self, AT, no_reactions};

pub const TOKEN: &str = "ghp_testTOKEN0123456789abcdefSECRET";

/// A pull request the fake knows about.
#[derive(Clone, Debug)]
pub struct FakePull {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub merged: bool,
    pub author: String,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    /// The base branch's tip when the pull request was made.
    pub base_sha: String,
    pub labels: Vec<String>,
    pub patch: Vec<u8>,
    pub state: String,
}

/// A request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes()).find_map(|(k, v)| (k == name).then(|| v.into_owned()))
    }

    /// Whether it changes something on GitHub: not a GET, nor a GraphQL
    /// query (a `POST /graphql` whose text is not a `mutation`).
    pub fn is_write(&self) -> bool {
        let query = self.path.ends_with("/graphql")
            && (self.json()["query"].as_str()).is_some_and(|q| !q.trim_start().starts_with("mutation"));
        self.method != "GET" && !query
    }
}

/// A canned failure: answer `status` with `body` to requests matching
/// `method` and a path containing `path`, `times` times.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    pub times: usize,
    /// Only requests whose Accept header contains this, when set.
    pub accept: Option<String>,
    /// Answer this content type and these bytes instead of `body` as JSON.
    pub raw: Option<(String, Vec<u8>)>,
}

/// An answer cut short: requests matching `method` and a path containing
/// `path` (and an Accept header containing `accept`, when set) take effect,
/// then the answer's headers and half its body go out and the connection
/// closes, `times` times.
#[derive(Clone, Debug)]
pub struct Cut {
    pub method: String,
    pub path: String,
    pub accept: Option<String>,
    pub times: usize,
}

/// A slow answer: answers to requests matching `method` and a path containing
/// `path` are held back `delay` (after the request took effect), `times` times.
#[derive(Clone, Debug)]
pub struct Delay {
    pub method: String,
    pub path: String,
    pub delay: std::time::Duration,
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    pub owner: String,
    pub name: String,
    pub login: String,
    pub pulls: HashMap<u64, FakePull>,
    pub requests: Vec<Recorded>,
    pub faults: Vec<Fault>,
    /// Labels GitHub "drops" from its answer (as if they did not exist).
    pub unknown_labels: Vec<String>,
    pub next_number: u64,
    pub panics: Vec<String>,
    /// Answers to requests matching (method, path part) are held back this long
    /// (after the request took effect), as a slow GitHub would.
    pub delays: Vec<Delay>,
    /// Milestones: number, title, state (`open` or `closed`).
    pub milestones: Vec<(u64, String, String)>,
    /// The milestone and assignees set on each pull request.
    pub milestone_of: HashMap<u64, u64>,
    pub assignees: HashMap<u64, Vec<String>>,
    /// Logins that cannot be assigned (GitHub drops them silently).
    pub unassignable: Vec<String>,
    /// Comments made: on which number, and the text.
    pub comments: Vec<(u64, String)>,
    /// Each pull request's commit count (its JSON `commits`), from the
    /// messages of the patch it was first added with.
    pub commit_counts: HashMap<u64, u64>,
    /// Changes to a pull request's JSON: a field set to a value, or removed (`None`).
    pub pull_edits: HashMap<u64, Vec<(String, Option<Value>)>>,
    /// Whether the fake gave an answer the test made (a fault, a raw body)
    /// or changed (an edited pull request): one GitHub's description need
    /// not hold (see `prism`).
    pub departed: bool,
    /// Answers cut short.
    pub cuts: Vec<Cut>,
    /// Redirects: requests whose path contains the first part are answered
    /// 301 to the same path under the second part, `times` times.
    pub redirects: Vec<(String, String, usize)>,
    /// Requests received and not yet answered, and the most there were at once.
    pub in_flight: usize,
    pub most_in_flight: usize,
    /// Answers are held until this many requests are in flight at once
    /// (then the gate stays open): `hold_until_in_flight`.
    pub gate: Option<(usize, std::time::Duration, tokio::sync::watch::Sender<bool>)>,
    /// When each merged pull request was merged (in the order they were added).
    pub merged_at: HashMap<u64, String>,
    /// The commit each merge made (`merge_commit_sha`).
    pub merge_commits: HashMap<u64, String>,
    /// Searches left in the search API's rate-limit window; `None`: no limit.
    /// At 0 a search is refused as GitHub does, and the window starts again.
    pub searches_left: Option<u32>,
    /// Serve pages of this many items, whatever `per_page` asks.
    pub page_size: Option<usize>,
    /// The reviews of each pull request, oldest first: login and state
    /// (`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`).
    pub reviews: HashMap<u64, Vec<(String, String)>>,
    /// Who may be asked to review; `None`: anyone. Asking anyone else is
    /// refused with 422, as GitHub refuses a non-collaborator.
    pub collaborators: Option<Vec<String>>,
    /// The reviewers requested of each pull request.
    pub requested: HashMap<u64, Vec<String>>,
    /// `POST /graphql` is not served (404), as by a server that has only
    /// the REST API.
    pub no_graphql: bool,
    /// Pull requests whose GraphQL node comes back with only its number.
    pub garbled_nodes: Vec<u64>,
    /// The repository does not allow auto-merge: `enablePullRequestAutoMerge`
    /// is refused with GitHub's words.
    pub no_auto_merge: bool,
    /// The pull requests whose auto-merge is on, and its method (`MERGE`,
    /// `SQUASH`, `REBASE`).
    pub auto_merge: HashMap<u64, String>,
    /// Logins that are members of the repository's organisation: their
    /// pull requests' `author_association` is `MEMBER` (the owner's is
    /// `OWNER`, anyone else's `CONTRIBUTOR`).
    pub members: Vec<String>,
    /// The repositories behind the fake, when it keeps `refs/pull/N/head`
    /// as GitHub does: the upstream, the fork, and the environment git runs in.
    pub repos: Option<Repos>,
    /// GitHub's secondary rate limits, enforced (`secondary_limits`): one
    /// second of them, as the tool is told it lasts.
    pub secondary: Option<std::time::Duration>,
    /// Writes being answered now.
    pub writes_in_flight: usize,
    /// Writes received and not yet answered (refused ones too, limits on
    /// or off), and the most there were at once.
    pub writes_open: usize,
    pub most_writes_open: usize,
    /// Content made (pull requests, comments), and when the last was.
    pub content_made: usize,
    pub last_content: Option<std::time::Instant>,
    /// Requests refused for a secondary limit.
    pub secondary_hits: usize,
}

/// The message GitHub refuses a request with at a secondary rate limit.
pub const SECONDARY_LIMIT: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.";

/// Whether a request writes (a GraphQL query reads, though it is a POST;
/// a mutation writes).
fn is_write(req: &Recorded) -> bool {
    matches!(req.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE") && req.is_write()
}

/// Whether a request makes content: a pull request or a comment.
fn is_content(req: &Recorded) -> bool {
    req.method == "POST" && (req.path.ends_with("/pulls") || req.path.ends_with("/comments"))
}

/// The repositories behind the fake: the upstream, the fork, and the
/// environment git runs in.
pub type Repos = (std::path::PathBuf, std::path::PathBuf, Vec<(String, String)>);

pub struct FakeGitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    /// Serves the connections; dropping it closes them.
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeGitHub {
    pub fn start(owner: &str, name: &str, login: &str) -> Self {
        let state = Arc::new(Mutex::new(State {
            owner: owner.into(),
            name: name.into(),
            login: login.into(),
            next_number: 9000,
            ..State::default()
        }));
        // Its own threads, so that the fake answers while the test waits for the tool.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fake GitHub");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the fake GitHub");
        let addr = listener.local_addr().expect("a local address");
        runtime.spawn(serve(listener, Arc::clone(&state)));
        FakeGitHub {
            url: format!("http://{addr}"),
            state,
            runtime: Some(runtime),
        }
    }

    pub fn add_pull(&self, pull: FakePull) {
        let mut state = self.state.lock().unwrap();
        let messages = String::from_utf8_lossy(&pull.patch)
            .lines()
            .filter(|l| l.starts_with("From ") && l.ends_with(" Mon Sep 17 00:00:00 2001"))
            .count() as u64;
        state.commit_counts.entry(pull.number).or_insert(messages);
        if pull.merged && !state.merged_at.contains_key(&pull.number) {
            // One a minute, in the order they were added.
            let minute = state.merged_at.len();
            let at = format!("2026-01-01T{:02}:{:02}:00Z", minute / 60, minute % 60);
            state.merged_at.insert(pull.number, at);
        }
        state.pulls.insert(pull.number, pull);
    }

    /// Says the merge of pull request `number` made commit `sha`.
    pub fn set_merge_commit(&self, number: u64, sha: &str) {
        self.state.lock().unwrap().merge_commits.insert(number, sha.to_string());
    }

    /// Allows `searches` more searches before the search rate limit refuses one.
    pub fn limit_searches(&self, searches: u32) {
        self.state.lock().unwrap().searches_left = Some(searches);
    }

    /// Sets (`Some`) or removes (`None`) a field of pull request `number`'s JSON.
    pub fn edit_pull(&self, number: u64, field: &str, value: Option<Value>) {
        let mut state = self.state.lock().unwrap();
        state.departed = true;
        state
            .pull_edits
            .entry(number)
            .or_default()
            .push((field.to_string(), value));
    }

    /// Says pull request `number` has `count` commits.
    pub fn set_commit_count(&self, number: u64, count: u64) {
        self.state.lock().unwrap().commit_counts.insert(number, count);
    }

    /// Answers the next `times` requests for pull request `number`'s patch
    /// with 200, `content_type` and `body`.
    pub fn patch_body(&self, number: u64, content_type: &str, body: &[u8], times: usize) {
        self.raw_pull_answer(number, "patch", content_type, body, times);
    }

    /// Answers the next `times` JSON requests for pull request `number`
    /// with 200, `content_type` and `body`.
    pub fn pull_body(&self, number: u64, content_type: &str, body: &[u8], times: usize) {
        self.raw_pull_answer(number, "json", content_type, body, times);
    }

    /// Answers the next `times` requests for pull request `number` whose
    /// `Accept` mentions `accept` with 200, `content_type` and `body`.
    fn raw_pull_answer(&self, number: u64, accept: &str, content_type: &str, body: &[u8], times: usize) {
        self.state.lock().unwrap().faults.push(Fault {
            method: "GET".into(),
            path: format!("/pulls/{number}"),
            status: 200,
            body: Value::Null,
            headers: Vec::new(),
            times,
            accept: Some(accept.into()),
            raw: Some((content_type.to_string(), body.to_vec())),
        });
    }

    /// Cuts the next `times` answers to `method` requests whose path
    /// contains `path` (and whose Accept header contains `accept`, if set)
    /// in the middle of their body; the requests take effect.
    pub fn cut(&self, method: &str, path: &str, accept: Option<&str>, times: usize) {
        self.state.lock().unwrap().cuts.push(Cut {
            method: method.into(),
            path: path.into(),
            accept: accept.map(str::to_string),
            times,
        });
    }

    /// Answers the next `times` requests whose path contains `path` with a
    /// 301 to the same path and query under `/moved`, which the fake serves
    /// as if the prefix were not there.
    pub fn redirect(&self, path: &str, times: usize) {
        self.state
            .lock()
            .unwrap()
            .redirects
            .push((path.to_string(), "/moved".to_string(), times));
    }

    pub fn fault(&self, method: &str, path: &str, status: u16, body: Value) {
        self.state.lock().unwrap().faults.push(Fault {
            method: method.into(),
            path: path.into(),
            status,
            body,
            headers: Vec::new(),
            times: usize::MAX,
            accept: None,
            raw: None,
        });
    }

    /// Enforces GitHub's secondary rate limits, with `second` as one of its
    /// seconds.
    pub fn secondary_limits(&self, second: std::time::Duration) {
        self.state.lock().unwrap().secondary = Some(second);
    }

    /// How many requests met a secondary limit.
    pub fn secondary_hits(&self) -> usize {
        self.state.lock().unwrap().secondary_hits
    }

    /// Answers `status` with `body` and `headers` to the next `times` requests
    /// matching `method` and a path containing `path`; then the usual answer.
    pub fn fault_times(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Value,
        headers: &[(&str, &str)],
        times: usize,
    ) {
        self.state.lock().unwrap().faults.push(Fault {
            method: method.into(),
            path: path.into(),
            status,
            body,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            times,
            accept: None,
            raw: None,
        });
    }

    /// Answers `status` with `body` to every request for pull request
    /// `number`'s patch (its Accept header asks for a patch).
    pub fn fault_patch(&self, number: u64, status: u16, body: Value) {
        self.state.lock().unwrap().faults.push(Fault {
            method: "GET".into(),
            path: format!("/pulls/{number}"),
            status,
            body,
            headers: Vec::new(),
            times: usize::MAX,
            accept: Some("patch".into()),
            raw: None,
        });
    }

    /// Holds back answers to `method` requests whose path contains `path`.
    pub fn delay(&self, method: &str, path: &str, delay: std::time::Duration) {
        self.delay_times(method, path, delay, usize::MAX);
    }

    /// Holds back the next `times` answers to `method` requests whose path
    /// contains `path`.
    pub fn delay_times(&self, method: &str, path: &str, delay: std::time::Duration, times: usize) {
        self.state.lock().unwrap().delays.push(Delay {
            method: method.into(),
            path: path.into(),
            delay,
            times,
        });
    }

    /// Holds every answer until `count` requests are in flight at once, or
    /// until `at_most` has passed since it was received (so that a client
    /// that never sends so many still ends); from then on, answers go out as
    /// usual.
    pub fn hold_until_in_flight(&self, count: usize, at_most: std::time::Duration) {
        let (open, _) = tokio::sync::watch::channel(false);
        self.state.lock().unwrap().gate = Some((count, at_most, open));
    }

    /// The most requests that were in flight at once (received, not yet answered).
    /// The repository does not allow auto-merge.
    pub fn disallow_auto_merge(&self) {
        lock(&self.state).no_auto_merge = true;
    }

    /// The pull requests whose auto-merge is on, and its method.
    pub fn auto_merge(&self) -> HashMap<u64, String> {
        lock(&self.state).auto_merge.clone()
    }

    /// The token the fake serves is `login`'s.
    pub fn act_as(&self, login: &str) {
        lock(&self.state).login = login.to_string();
    }

    /// Serves no GraphQL: `POST /graphql` is answered 404.
    pub fn without_graphql(&self) {
        lock(&self.state).no_graphql = true;
    }

    /// The GraphQL node of pull request `number` has only its number.
    pub fn garble_node(&self, number: u64) {
        lock(&self.state).garbled_nodes.push(number);
    }

    pub fn most_in_flight(&self) -> usize {
        self.state.lock().unwrap().most_in_flight
    }

    /// Adds a review of pull request `number` by `login` in `state`.
    pub fn review(&self, number: u64, login: &str, state: &str) {
        let mut s = self.state.lock().unwrap();
        s.reviews.entry(number).or_default().push((login.into(), state.into()));
    }

    /// Only `logins` may be asked to review; asking others is a 422.
    pub fn collaborators(&self, logins: &[&str]) {
        self.state.lock().unwrap().collaborators = Some(logins.iter().map(|l| l.to_string()).collect());
    }

    /// Makes `logins` members of the repository's organisation.
    pub fn members(&self, logins: &[&str]) {
        self.state.lock().unwrap().members = logins.iter().map(|l| l.to_string()).collect();
    }

    /// The reviewers requested of pull request `number`.
    pub fn requested_reviewers(&self, number: u64) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.requested.get(&number).cloned().unwrap_or_default()
    }

    /// The `method` requests whose path contains `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains(path))
            .collect()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn writes(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(Recorded::is_write).collect()
    }

    /// The pull requests opened through the API (numbers from 9000 up).
    pub fn created(&self) -> Vec<FakePull> {
        let state = self.state.lock().unwrap();
        let mut created: Vec<FakePull> = state.pulls.values().filter(|p| p.number >= 9000).cloned().collect();
        created.sort_by_key(|p| p.number);
        created
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        drop(self.runtime.take());
        let panics = lock(&self.state).panics.clone();
        if !panics.is_empty() && !std::thread::panicking() {
            panic!("the fake GitHub failed: {panics:?}");
        }
    }
}

/// The state, even when a handler panicked while it held it: the panic is
/// recorded there, and the test still gets to see it.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Accepts connections and serves each with hyper, HTTP/1.1 with keep-alive.
async fn serve(listener: tokio::net::TcpListener, state: Arc<Mutex<State>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        let service = hyper::service::service_fn(move |request| answer(request, Arc::clone(&state)));
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        tokio::spawn(connection);
    }
}

/// Records the request, lets `route` answer it, then applies the delays and
/// cuts asked for.
async fn answer(request: Request<Incoming>, state: Arc<Mutex<State>>) -> Result<Response<AnswerBody>, hyper::Error> {
    let (head, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let recorded = Recorded {
        method: head.method.to_string(),
        path: head.uri.path().to_string(),
        query: head.uri.query().unwrap_or_default().to_string(),
        headers: head
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let gate = {
        let mut s = lock(&state);
        s.in_flight += 1;
        s.most_in_flight = s.most_in_flight.max(s.in_flight);
        if is_write(&recorded) {
            s.writes_open += 1;
            s.most_writes_open = s.most_writes_open.max(s.writes_open);
        }
        let in_flight = s.in_flight;
        match s.gate.take() {
            Some((count, _, open)) if in_flight >= count => {
                open.send_replace(true);
                None
            }
            Some((count, at_most, open)) => {
                let waiting = open.subscribe();
                s.gate = Some((count, at_most, open));
                Some((waiting, at_most))
            }
            None => None,
        }
    };
    if let Some((mut waiting, at_most)) = gate {
        let _ = tokio::time::timeout(at_most, waiting.wait_for(|open| *open)).await;
    }
    // Secondary limits: a write while another is in flight, or content less
    // than a second after the last once three were made, is refused.
    let limits = lock(&state).secondary.filter(|_| is_write(&recorded));
    if let Some(second) = limits {
        let refused = {
            let mut s = lock(&state);
            let too_soon = is_content(&recorded)
                && s.content_made >= 3
                && s.last_content.is_some_and(|last| last.elapsed() < second);
            let refused = s.writes_in_flight > 0 || too_soon;
            if refused {
                s.secondary_hits += 1;
                s.in_flight -= 1;
                s.writes_open -= 1;
            } else {
                s.writes_in_flight += 1;
            }
            refused
        };
        if refused {
            let mut answer = json_answer(
                403,
                json!({"message": SECONDARY_LIMIT, "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
            );
            answer.headers.push(("retry-after".into(), "1".into()));
            return Ok(answer.into_response(false));
        }
    }
    let answer = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(&recorded, &state))) {
        Ok(answer) => answer,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            lock(&state).panics.push(message.unwrap_or_default());
            json_answer(500, json!({"message": "fake panicked"}))
        }
    };
    let (delay, cut) = {
        let mut s = lock(&state);
        let delay = s
            .delays
            .iter_mut()
            .find(|d| d.method == recorded.method && recorded.path.contains(d.path.as_str()) && d.times > 0)
            .map(|d| {
                d.times -= 1;
                d.delay
            });
        let accept = recorded.header("Accept").unwrap_or_default();
        let cut = s
            .cuts
            .iter_mut()
            .find(|c| {
                c.method == recorded.method
                    && recorded.path.contains(c.path.as_str())
                    && c.times > 0
                    && c.accept.as_ref().is_none_or(|a| accept.contains(a.as_str()))
            })
            .map(|c| c.times -= 1)
            .is_some();
        (delay, cut)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(second) = limits {
        // A write stays in flight a while, so that two at once meet.
        tokio::time::sleep(second / 4).await;
        let mut s = lock(&state);
        s.writes_in_flight -= 1;
        if is_content(&recorded) && (200..300).contains(&answer.status) {
            s.content_made += 1;
            s.last_content = Some(std::time::Instant::now());
        }
    }
    let mut s = lock(&state);
    s.in_flight -= 1;
    if is_write(&recorded) {
        s.writes_open -= 1;
    }
    drop(s);
    Ok(answer.into_response(cut))
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    content_type: String,
    headers: Vec<(String, String)>,
}

impl Answer {
    /// The answer with GitHub's usual headers; `headers` replace those of the same name.
    fn into_response(self, cut: bool) -> Response<AnswerBody> {
        let mut response = Response::new(AnswerBody::new(self.body, cut));
        *response.status_mut() = StatusCode::from_u16(self.status).expect("a status code");
        let usual = [
            ("Content-Type", self.content_type.as_str()),
            ("X-GitHub-Media-Type", "github.v3; format=json"),
            ("X-RateLimit-Limit", "5000"),
            ("X-RateLimit-Remaining", "4999"),
        ];
        let headers = response.headers_mut();
        for (name, value) in usual
            .into_iter()
            .chain(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                HeaderValue::from_str(value).expect("a header value"),
            );
        }
        response
    }
}

/// An answer's body. Its length is always the whole body's, so hyper sends
/// that as Content-Length; a cut one then sends half the body, lets it go
/// out, and fails, and hyper closes the connection: the client has the
/// headers and part of the body, then nothing.
struct AnswerBody {
    data: Option<Bytes>,
    length: u64,
    rest: Rest,
}

enum Rest {
    End,
    /// Wait one turn: hyper writes out what it holds when the body waits,
    /// and drops it unsent when the body fails first.
    Flush,
    Fail,
}

impl AnswerBody {
    fn new(body: Vec<u8>, cut: bool) -> Self {
        let length = body.len() as u64;
        let mut data = Bytes::from(body);
        let rest = if cut {
            data.truncate(data.len() / 2);
            Rest::Flush
        } else {
            Rest::End
        };
        AnswerBody {
            data: Some(data).filter(|d| !d.is_empty()),
            length,
            rest,
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match self.rest {
            Rest::End => Poll::Ready(None),
            Rest::Flush => {
                self.rest = Rest::Fail;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Rest::Fail => Poll::Ready(Some(Err(std::io::Error::other("the fake cut this answer short")))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && matches!(self.rest, Rest::End)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }
}

fn json_answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        body: body.to_string().into_bytes(),
        content_type: "application/json; charset=utf-8".into(),
        headers: Vec::new(),
    }
}

fn not_found() -> Answer {
    json_answer(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    )
}

fn route(req: &Recorded, state: &Mutex<State>) -> Answer {
    let mut s = lock(state);
    s.requests.push(req.clone());

    if req.header("Authorization") != Some(&format!("Bearer {TOKEN}")) {
        return json_answer(
            401,
            json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        );
    }
    if let Some(i) = s.redirects.iter().position(|(path, prefix, times)| {
        req.path.contains(path.as_str()) && !req.path.starts_with(prefix.as_str()) && *times > 0
    }) {
        s.redirects[i].2 -= 1;
        let prefix = s.redirects[i].1.clone();
        let query = if req.query.is_empty() {
            String::new()
        } else {
            format!("?{}", req.query)
        };
        let mut answer = json_answer(301, json!({"message": "Moved Permanently"}));
        answer
            .headers
            .push(("Location".into(), format!("{prefix}{}{query}", req.path)));
        return answer;
    }
    if let Some(i) = s.faults.iter().position(|f| {
        f.method == req.method
            && req.path.contains(&f.path)
            && f.times > 0
            && f.accept
                .as_ref()
                .is_none_or(|a| req.header("Accept").unwrap_or_default().contains(a.as_str()))
    }) {
        s.departed = true;
        let fault = &mut s.faults[i];
        fault.times -= 1;
        let mut answer = json_answer(fault.status, fault.body.clone());
        if let Some((content_type, body)) = &fault.raw {
            answer.content_type = content_type.clone();
            answer.body = body.clone();
        }
        answer.headers = fault.headers.clone();
        return answer;
    }

    let repo_prefix = format!("/repos/{}/{}/", s.owner, s.name);
    // Where redirects lead: the same API under another prefix.
    let path = req.path.strip_prefix("/moved").unwrap_or(&req.path);
    if path == "/user" && req.method == "GET" {
        return json_answer(200, objects::private_user(&s.login));
    }
    if path == "/graphql" && req.method == "POST" && !s.no_graphql {
        if req.json()["query"]
            .as_str()
            .is_some_and(|q| q.trim_start().starts_with("mutation"))
        {
            return graphql_mutation(req, &mut s);
        }
        return graphql(req, &s);
    }
    if path == "/search/issues" && req.method == "GET" {
        return search(req, &mut s);
    }
    if path == repo_prefix.trim_end_matches('/') && req.method == "GET" {
        return json_answer(200, objects::repository(&s.owner, &s.name, false));
    }
    let Some(rest) = path.strip_prefix(&repo_prefix) else {
        return not_found();
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["pulls", number]) => {
            let Some(pull) = number.parse().ok().and_then(|n: u64| s.pulls.get(&n)) else {
                return not_found();
            };
            let accept = req.header("Accept").unwrap_or_default();
            if accept.contains("patch") {
                return Answer {
                    status: 200,
                    body: pull.patch.clone(),
                    content_type: "text/x-patch; charset=utf-8".into(),
                    headers: Vec::new(),
                };
            }
            json_answer(200, pull_json(&s, pull))
        }
        ("GET", ["pulls"]) => {
            let head = req.param("head");
            let base = req.param("base");
            let state = req.param("state").unwrap_or_else(|| "open".into());
            let mut list: Vec<&FakePull> = s
                .pulls
                .values()
                .filter(|p| state == "all" || p.state == state)
                .filter(|p| {
                    head.as_ref()
                        .is_none_or(|h| format!("{}:{}", p.author, p.head_ref) == *h)
                })
                .filter(|p| base.as_ref().is_none_or(|b| p.base_ref == *b))
                .collect();
            // Newest first, as GitHub's `sort=created&direction=desc`.
            list.sort_by_key(|p| std::cmp::Reverse(p.number));
            let list: Vec<Value> = list.into_iter().map(|p| simple_json(&s, p)).collect();
            paginated(req, s.page_size, list, Value::Array)
        }
        ("GET", ["commits", sha, "pulls"]) => {
            // GitHub's pull requests associated with a commit: those whose
            // commits hold it, and the one whose merge made it.
            let mut list: Vec<&FakePull> = s
                .pulls
                .values()
                .filter(|p| {
                    s.merge_commits.get(&p.number).is_some_and(|m| m.as_str() == *sha) || holds_commit(&s, p, sha)
                })
                .collect();
            list.sort_by_key(|p| std::cmp::Reverse(p.number));
            let list: Vec<Value> = list.into_iter().map(|p| simple_json(&s, p)).collect();
            paginated(req, s.page_size, list, Value::Array)
        }
        ("POST", ["pulls"]) => {
            let body = req.json();
            let head = body["head"].as_str().unwrap_or_default().to_string();
            let (author, head_ref) = match head.split_once(':') {
                Some((user, branch)) => (user.to_string(), branch.to_string()),
                None => (s.login.clone(), head.clone()),
            };
            if s.pulls
                .values()
                .any(|p| p.state == "open" && p.author == author && p.head_ref == head_ref)
            {
                return json_answer(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": format!("A pull request already exists for {head}.")}], "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", "status": "422"}),
                );
            }
            if body["body"].as_str().unwrap_or_default().chars().count() > 65536 {
                return json_answer(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "custom", "field": "body", "message": "body is too long (maximum is 65536 characters)"}], "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", "status": "422"}),
                );
            }
            let number = s.next_number;
            s.next_number += 1;
            let base_ref = body["base"].as_str().unwrap_or_default().to_string();
            let (head_sha, base_sha) = pull_refs(&s, number, &head_ref, &base_ref);
            let pull = FakePull {
                number,
                title: body["title"].as_str().unwrap_or_default().to_string(),
                body: body["body"].as_str().unwrap_or_default().to_string(),
                merged: false,
                author,
                head_ref,
                head_sha,
                base_ref,
                base_sha,
                labels: Vec::new(),
                patch: Vec::new(),
                state: "open".into(),
            };
            let answer = pull_json(&s, &pull);
            s.pulls.insert(number, pull);
            let mut answer = json_answer(201, answer);
            answer.headers.push((
                "Location".into(),
                format!("https://api.github.com{}{}", repo_prefix, number),
            ));
            answer
        }
        ("GET", ["pulls", number, "reviews"]) => {
            let Some(number) = number.parse::<u64>().ok().filter(|n| s.pulls.contains_key(n)) else {
                return not_found();
            };
            let query: Vec<(String, String)> = form_urlencoded::parse(req.query.as_bytes()).into_owned().collect();
            let param = |name: &str, default: usize| {
                query
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(default)
            };
            let (per_page, page) = (param("per_page", 30).clamp(1, 100), param("page", 1).max(1));
            let all = s.reviews.get(&number).cloned().unwrap_or_default();
            let list: Vec<Value> = all
                .iter()
                .enumerate()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(i, (login, state))| review_json(&s, number, i as u64 + 1, login, state))
                .collect();
            json_answer(200, Value::Array(list))
        }
        ("POST", ["pulls", number, "requested_reviewers"]) => {
            let Some(number) = number.parse::<u64>().ok().filter(|n| s.pulls.contains_key(n)) else {
                return not_found();
            };
            let asked: Vec<String> = req.json()["reviewers"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let author = s.pulls[&number].author.clone();
            if asked.iter().any(|a| a.eq_ignore_ascii_case(&author)) {
                return json_answer(
                    422,
                    json!({"message": "Review cannot be requested from pull request author.", "documentation_url": "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request", "status": "422"}),
                );
            }
            if let Some(allowed) = &s.collaborators
                && asked.iter().any(|a| !allowed.iter().any(|c| c.eq_ignore_ascii_case(a)))
            {
                let message = format!(
                    "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {}/{} repository.",
                    s.owner, s.name
                );
                return json_answer(
                    422,
                    json!({"message": message, "documentation_url": "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request", "status": "422"}),
                );
            }
            let requested = s.requested.entry(number).or_default();
            for login in asked {
                if !requested.contains(&login) {
                    requested.push(login);
                }
            }
            let pull = s.pulls[&number].clone();
            json_answer(201, pull_json(&s, &pull))
        }
        ("GET", ["milestones"]) => {
            let list: Vec<Value> = s
                .milestones
                .iter()
                .filter(|(_, _, state)| state == "open")
                .map(|(number, title, state)| objects::milestone(&s.owner, &s.name, *number, title, state))
                .collect();
            json_answer(200, Value::Array(list))
        }
        ("PATCH", ["issues", number]) => {
            let Some(number) = number.parse::<u64>().ok().filter(|n| s.pulls.contains_key(n)) else {
                return not_found();
            };
            let body = req.json();
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default()
            };
            if body.get("labels").is_some() {
                let unknown = s.unknown_labels.clone();
                let labels: Vec<String> = strings(&body["labels"])
                    .into_iter()
                    .filter(|l| !unknown.contains(l))
                    .collect();
                if let Some(pull) = s.pulls.get_mut(&number) {
                    pull.labels = labels;
                }
            }
            if body.get("assignees").is_some() {
                let blocked = s.unassignable.clone();
                let assignees = strings(&body["assignees"])
                    .into_iter()
                    .filter(|a| !blocked.contains(a))
                    .collect();
                s.assignees.insert(number, assignees);
            }
            if let Some(milestone) = body.get("milestone").and_then(|m| m.as_u64()) {
                if s.milestones.iter().any(|(n, _, _)| *n == milestone) {
                    s.milestone_of.insert(number, milestone);
                } else {
                    return json_answer(
                        422,
                        json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "milestone", "code": "invalid"}]}),
                    );
                }
            }
            json_answer(200, issue_json(&s, &s.pulls[&number]))
        }
        ("GET", ["issues", number, "comments"]) => {
            let Some(number) = number.parse::<u64>().ok().filter(|n| s.pulls.contains_key(n)) else {
                return not_found();
            };
            let list: Vec<Value> = s
                .comments
                .iter()
                .enumerate()
                .filter(|(_, (n, _))| *n == number)
                .map(|(i, (_, text))| comment_json(&s, number, i as u64 + 1, text))
                .collect();
            paginated(req, s.page_size, list, Value::Array)
        }
        ("POST", ["issues", number, "comments"]) => {
            let Some(number) = number.parse::<u64>().ok().filter(|n| s.pulls.contains_key(n)) else {
                return not_found();
            };
            let text = req.json()["body"].as_str().unwrap_or_default().to_string();
            if text.chars().count() > 65536 {
                return json_answer(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data", "message": "Body is too long (maximum is 65536 characters)"}], "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment", "status": "422"}),
                );
            }
            s.comments.push((number, text.clone()));
            json_answer(201, comment_json(&s, number, s.comments.len() as u64, &text))
        }
        ("PATCH", ["issues", "comments", id]) => {
            let Some(index) = id.parse::<usize>().ok().filter(|i| (1..=s.comments.len()).contains(i)) else {
                return not_found();
            };
            let text = req.json()["body"].as_str().unwrap_or_default().to_string();
            s.comments[index - 1].1 = text.clone();
            let number = s.comments[index - 1].0;
            json_answer(200, comment_json(&s, number, index as u64, &text))
        }
        ("POST", ["issues", number, "labels"]) => {
            let labels: Vec<String> = req.json()["labels"]
                .as_array()
                .map(|a| a.iter().filter_map(|l| l.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let unknown = s.unknown_labels.clone();
            let Some(pull) = number.parse().ok().and_then(|n: u64| s.pulls.get_mut(&n)) else {
                return not_found();
            };
            for label in labels {
                if !pull.labels.contains(&label) && !unknown.contains(&label) {
                    pull.labels.push(label);
                }
            }
            let labels = pull.labels.clone();
            let answer: Vec<Value> = labels.iter().map(|l| label_json(&s, l)).collect();
            json_answer(200, Value::Array(answer))
        }
        _ => not_found(),
    }
}

/// Pull request `p` as an issue (`issue`): as `PATCH .../issues/{number}`
/// and the search API answer.
fn issue_json(s: &State, p: &FakePull) -> Value {
    let number = p.number;
    let api = format!("https://api.github.com/repos/{}/{}", s.owner, s.name);
    let url = format!("{api}/issues/{number}");
    let html = format!("https://github.com/{}/{}/pull/{number}", s.owner, s.name);
    let milestone = s
        .milestone_of
        .get(&number)
        .and_then(|m| s.milestones.iter().find(|(n, _, _)| n == m))
        .map_or(Value::Null, |(n, title, state)| {
            objects::milestone(&s.owner, &s.name, *n, title, state)
        });
    let assignees: Vec<Value> = (s.assignees.get(&number).into_iter().flatten())
        .map(|a| objects::user(a, false))
        .collect();
    json!({
        "url": url,
        "repository_url": api,
        "labels_url": format!("{url}/labels{{/name}}"),
        "comments_url": format!("{url}/comments"),
        "events_url": format!("{url}/events"),
        "html_url": html,
        "id": number * 10,
        "node_id": format!("PR_kwDOB6Kx0c{number}"),
        "number": number,
        "title": p.title,
        "user": objects::user(&p.author, false),
        "labels": p.labels.iter().map(|l| label_json(s, l)).collect::<Vec<_>>(),
        "state": p.state,
        "locked": false,
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "milestone": milestone,
        "comments": s.comments.iter().filter(|(n, _)| *n == number).count(),
        "created_at": "2025-12-31T00:00:00Z",
        "updated_at": AT,
        "closed_at": if p.state == "closed" { merged_at(s, p).as_str().unwrap_or(AT).into() } else { Value::Null },
        "author_association": association(s, &p.author),
        "active_lock_reason": null,
        "draft": false,
        "pull_request": {
            "url": format!("{api}/pulls/{number}"),
            "html_url": html,
            "diff_url": format!("{html}.diff"),
            "patch_url": format!("{html}.patch"),
            "merged_at": merged_at(s, p),
        },
        "body": p.body,
        "reactions": no_reactions(&url),
        "timeline_url": format!("{url}/timeline"),
        "performed_via_github_app": null,
        "state_reason": null,
    })
}

/// Comment `id` on pull request `number`, by the token's user (`issue-comment`).
fn comment_json(s: &State, number: u64, id: u64, text: &str) -> Value {
    let api = format!("https://api.github.com/repos/{}/{}", s.owner, s.name);
    let url = format!("{api}/issues/comments/{id}");
    json!({
        "url": url,
        "html_url": format!("https://github.com/{}/{}/pull/{number}#issuecomment-{id}", s.owner, s.name),
        "issue_url": format!("{api}/issues/{number}"),
        "id": id,
        "node_id": format!("IC_kwDOB6Kx0c{id}"),
        "user": objects::user(&s.login, false),
        "created_at": AT,
        "updated_at": AT,
        "author_association": association(s, &s.login),
        "body": text,
        "reactions": no_reactions(&url),
        "performed_via_github_app": null,
    })
}

fn review_json(s: &State, number: u64, id: u64, login: &str, state: &str) -> Value {
    let pull_url = format!("https://api.github.com/repos/{}/{}/pulls/{number}", s.owner, s.name);
    let html = format!(
        "https://github.com/{}/{}/pull/{number}#pullrequestreview-{id}",
        s.owner, s.name
    );
    json!({
        "id": id, "node_id": format!("PRR_{id}"), "user": objects::user(login, false),
        "body": "", "state": state, "html_url": html, "pull_request_url": pull_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": "2026-01-01T00:00:00Z", "commit_id": "0000000000000000000000000000000000000000",
        "author_association": "MEMBER",
    })
}

fn label_json(s: &State, name: &str) -> Value {
    objects::label(&s.owner, &s.name, name)
}

fn merged_at(s: &State, p: &FakePull) -> Value {
    match (p.merged, s.merged_at.get(&p.number)) {
        (false, _) => Value::Null,
        (true, Some(at)) => Value::from(at.as_str()),
        (true, None) => Value::from("2026-01-01T00:00:00Z"),
    }
}

/// One page of `items` as `per_page` and `page` ask (GitHub's defaults: 30,
/// 1), with a `Link` header to the next and last pages.
fn paginated(
    req: &Recorded,
    page_size: Option<usize>,
    items: Vec<Value>,
    wrap: impl FnOnce(Vec<Value>) -> Value,
) -> Answer {
    let per_page: usize = page_size
        .or_else(|| req.param("per_page").and_then(|p| p.parse().ok()))
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = req.param("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let link = |n: usize, rel: &str| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                form_urlencoded::parse(req.query.as_bytes())
                    .filter(|(k, _)| k != "page")
                    .chain([("page".into(), n.to_string().into())]),
            )
            .finish();
        format!("<https://api.github.com{}?{query}>; rel=\"{rel}\"", req.path)
    };
    let mut links = Vec::new();
    if page < pages {
        links.push(link(page + 1, "next"));
        links.push(link(pages, "last"));
    }
    let page_items: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let mut answer = json_answer(200, wrap(page_items));
    if !links.is_empty() {
        answer.headers.push(("Link".into(), links.join(", ")));
    }
    answer
}

/// `GET /search/issues`: the pull requests matching the qualifiers the tool
/// uses (`repo:`, `is:pr`, `is:merged`, `is:open`, `is:closed`, `label:`,
/// `base:`), with the search API's own rate limit.
fn search(req: &Recorded, s: &mut State) -> Answer {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 1;
    let limit_headers = |remaining: u32| {
        vec![
            ("x-ratelimit-limit".to_string(), "30".to_string()),
            ("x-ratelimit-remaining".to_string(), remaining.to_string()),
            ("x-ratelimit-reset".to_string(), reset.to_string()),
            ("x-ratelimit-used".to_string(), (30 - remaining.min(30)).to_string()),
            ("x-ratelimit-resource".to_string(), "search".to_string()),
        ]
    };
    match s.searches_left {
        Some(0) => {
            s.searches_left = None;
            let mut answer = json_answer(
                403,
                json!({"message": "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", "status": "403"}),
            );
            answer.headers = limit_headers(0);
            return answer;
        }
        Some(n) => s.searches_left = Some(n - 1),
        None => {}
    }
    let q = req.param("q").unwrap_or_default();
    let mut terms: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => terms.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    terms.push(current);
    let repo = format!("{}/{}", s.owner, s.name);
    let mut matching: Vec<&FakePull> = s
        .pulls
        .values()
        .filter(|p| {
            terms
                .iter()
                .filter(|t| !t.is_empty())
                .all(|term| match term.split_once(':') {
                    Some(("repo", r)) => r == repo,
                    Some(("is", "pr")) => true,
                    Some(("is", "merged")) => p.merged,
                    Some(("is", "unmerged")) => !p.merged,
                    Some(("is", state)) => p.state == state,
                    Some(("label", label)) => p.labels.iter().any(|l| l == label),
                    Some(("base", base)) => p.base_ref == base,
                    _ => panic!("the fake's search does not know {term:?}"),
                })
        })
        .collect();
    matching.sort_by_key(|p| std::cmp::Reverse(p.number));
    let total = matching.len();
    let items: Vec<Value> = matching
        .into_iter()
        .map(|p| {
            let mut item = issue_json(s, p);
            item["score"] = json!(1.0);
            item
        })
        .collect();
    let remaining = s.searches_left.unwrap_or(29);
    let mut answer = paginated(
        req,
        s.page_size,
        items,
        |page| json!({"total_count": total, "incomplete_results": false, "items": page}),
    );
    answer.headers.extend(limit_headers(remaining));
    answer
}

/// GitHub's GraphQL API, for the one query the tool makes: pull requests
/// by number (`alias: pullRequest(number: N) { ...pull }`) in
/// `repository(owner: $owner, name: $name)`, each made from its REST JSON
/// (edits included); `null` and an error for a number there is no pull
/// request for, as GitHub answers.
fn graphql(req: &Recorded, s: &State) -> Answer {
    let body = req.json();
    let query = body["query"].as_str().unwrap_or_default();
    let variables = &body["variables"];
    if variables["owner"] != s.owner.as_str() || variables["name"] != s.name.as_str() {
        return json_answer(
            200,
            json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND", "path": ["repository"],
                "message": format!("Could not resolve to a Repository with the name '{}/{}'.", variables["owner"], variables["name"])}]}),
        );
    }
    let fields = query.split("fragment pull on PullRequest").nth(1).unwrap_or_default();
    let asked = |field: &str| {
        fields
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == field)
    };
    let mut pulls = serde_json::Map::new();
    let mut errors = Vec::new();
    for part in query
        .split(": pullRequest(number: ")
        .skip(1)
        .zip(query.split(": pullRequest(number: "))
    {
        let (after, before) = part;
        let alias = before.rsplit(' ').next().unwrap_or_default().to_string();
        let number: u64 = after.split(')').next().and_then(|n| n.parse().ok()).unwrap_or_default();
        let Some(pull) = s.pulls.get(&number) else {
            errors.push(json!({"type": "NOT_FOUND", "path": ["repository", alias],
                "message": format!("Could not resolve to a PullRequest with the number of {number}.")}));
            pulls.insert(alias, Value::Null);
            continue;
        };
        if s.garbled_nodes.contains(&number) {
            pulls.insert(alias, json!({"number": number}));
            continue;
        }
        let rest = pull_json(s, pull);
        let state = match (rest["state"].as_str(), rest["merged"].as_bool()) {
            (Some("open"), _) => "OPEN",
            (_, Some(true)) => "MERGED",
            _ => "CLOSED",
        };
        let labels: Vec<Value> = rest["labels"].as_array().cloned().unwrap_or_default();
        let first: usize = (fields.split("labels(first: ").nth(1))
            .and_then(|f| f.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let node = json!({
            "number": rest["number"], "title": rest["title"], "body": rest["body"],
            "merged": rest["merged"], "mergedAt": rest["merged_at"], "state": state, "url": rest["html_url"],
            "headRefName": rest["head"]["ref"], "headRefOid": rest["head"]["sha"],
            "baseRefName": rest["base"]["ref"], "baseRefOid": rest["base"]["sha"],
            "mergeCommit": rest["merge_commit_sha"].as_str().filter(|_| state == "MERGED").map(|oid| json!({"oid": oid})),
            "commits": {"totalCount": rest["commits"]},
            "author": {"__typename": "User", "login": rest["user"]["login"]},
            "labels": {"totalCount": labels.len(), "nodes": labels.iter().take(first).map(|l| json!({"name": l["name"]})).collect::<Vec<_>>()},
        });
        // Only what the query asks for, as GraphQL answers.
        let node: serde_json::Map<String, Value> = node
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(field, _)| asked(field))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pulls.insert(alias, Value::Object(node));
    }
    let mut answer = json!({"data": {"repository": pulls}});
    if !errors.is_empty() {
        answer["errors"] = Value::from(errors);
    }
    json_answer(200, answer)
}

/// GitHub's GraphQL API, for the one mutation the tool sends:
/// `enablePullRequestAutoMerge` of the pull request whose `node_id` is
/// `$pullRequestId`, with `$mergeMethod`. Refused as GitHub refuses it (an
/// answer of 200 with `errors`) where the repository does not allow
/// auto-merge, or for a node that is no pull request.
fn graphql_mutation(req: &Recorded, s: &mut State) -> Answer {
    let body = req.json();
    let query = body["query"].as_str().unwrap_or_default();
    assert!(
        query.contains("enablePullRequestAutoMerge("),
        "the fake knows no mutation but enablePullRequestAutoMerge: {query}"
    );
    let variables = &body["variables"];
    let node = variables["pullRequestId"].as_str().unwrap_or_default();
    let method = variables["mergeMethod"].as_str().unwrap_or_default().to_string();
    let refused = |message: String| {
        json_answer(
            200,
            json!({"data": {"enablePullRequestAutoMerge": null}, "errors": [{"type": "UNPROCESSABLE",
                "path": ["enablePullRequestAutoMerge"], "locations": [{"line": 1, "column": 97}], "message": message}]}),
        )
    };
    let number = (s.pulls.keys().copied()).find(|n| pull_json(s, &s.pulls[n])["node_id"] == node);
    let Some(number) = number else {
        return refused(format!("Could not resolve to a node with the global id of '{node}'"));
    };
    if s.no_auto_merge {
        return refused("Pull request Auto merge is not allowed for this repository".into());
    }
    s.auto_merge.insert(number, method.clone());
    json_answer(
        200,
        json!({"data": {"enablePullRequestAutoMerge": {"pullRequest": {"number": number, "autoMergeRequest": {"mergeMethod": method}}}}}),
    )
}

/// GitHub's `refs/pull/N/head` for a new pull request: the head branch,
/// from the fork (or the upstream itself), fetched into the upstream; and
/// the tips of head and base. Empty when the fake keeps no repositories.
fn pull_refs(s: &State, number: u64, head_ref: &str, base_ref: &str) -> (String, String) {
    let Some((upstream, fork, env)) = &s.repos else {
        return (String::new(), String::new());
    };
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("--git-dir")
            .arg(upstream)
            .args(args)
            .env_clear()
            .envs(env.iter().cloned())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let refspec = format!("+refs/heads/{head_ref}:refs/pull/{number}/head");
    let from_fork = fork
        .to_str()
        .and_then(|fork| git(&["fetch", "--quiet", fork, &refspec]));
    if from_fork.is_none() {
        git(&[
            "update-ref",
            &format!("refs/pull/{number}/head"),
            &format!("refs/heads/{head_ref}"),
        ]);
    }
    let head = git(&["rev-parse", "--verify", "--quiet", &format!("refs/pull/{number}/head")]).unwrap_or_default();
    let base = git(&["rev-parse", "--verify", "--quiet", &format!("refs/heads/{base_ref}")]).unwrap_or_default();
    (head, base)
}

/// How `login` is related to the repository, as GitHub says it.
fn association(s: &State, login: &str) -> &'static str {
    if login.eq_ignore_ascii_case(&s.owner) {
        "OWNER"
    } else if s.members.iter().any(|m| m.eq_ignore_ascii_case(login)) {
        "MEMBER"
    } else {
        "CONTRIBUTOR"
    }
}

/// Pull request `p` as a listing has it (`pull-request-simple`): it says
/// `merged_at` but not `merged`, as GitHub's do.
fn simple_json(s: &State, p: &FakePull) -> Value {
    let mut json = pull_json(s, p);
    if let Some(fields) = json.as_object_mut() {
        fields.remove("merged");
    }
    json
}

/// Whether `sha` is one of pull request `p`'s own commits: reachable from
/// its head and not from its base, in the upstream repository.
fn holds_commit(s: &State, p: &FakePull, sha: &str) -> bool {
    let Some((upstream, _, env)) = &s.repos else {
        return false;
    };
    let ancestor = |of: &str| {
        std::process::Command::new("git")
            .arg("--git-dir")
            .arg(upstream)
            .args(["merge-base", "--is-ancestor", sha, of])
            .env_clear()
            .envs(env.iter().cloned())
            .status()
            .is_ok_and(|status| status.success())
    };
    ancestor(&p.head_sha) && !ancestor(&p.base_sha)
}

/// Pull request `p` as `GET .../pulls/{number}` answers (`pull-request`),
/// with the test's edits.
fn pull_json(s: &State, p: &FakePull) -> Value {
    let number = p.number;
    let api = format!("https://api.github.com/repos/{}/{}", s.owner, s.name);
    let url = format!("{api}/pulls/{number}");
    let html = format!("https://github.com/{}/{}/pull/{number}", s.owner, s.name);
    let issue = issue_json(s, p);
    let merged_at = merged_at(s, p);
    // The head is on the author's fork, unless the owner made it.
    let fork = !p.author.eq_ignore_ascii_case(&s.owner);
    let head_owner = if fork { p.author.as_str() } else { s.owner.as_str() };
    let side = |owner: &str, name: &str, sha: &str, fork: bool| {
        json!({
            "label": format!("{owner}:{name}"),
            "ref": name,
            "sha": sha,
            "user": objects::user(owner, !fork),
            "repo": objects::repository(owner, &s.name, fork),
        })
    };
    let link = |href: String| json!({ "href": href });
    let requested: Vec<Value> = (s.requested.get(&number).into_iter().flatten())
        .map(|login| objects::user(login, false))
        .collect();
    let links = json!({
        "self": link(url.clone()),
        "html": link(html.clone()),
        "issue": link(format!("{api}/issues/{number}")),
        "comments": link(format!("{api}/issues/{number}/comments")),
        "review_comments": link(format!("{url}/comments")),
        "review_comment": link(format!("{api}/pulls/comments{{/number}}")),
        "commits": link(format!("{url}/commits")),
        "statuses": link(format!("{api}/statuses/{}", p.head_sha)),
    });
    let json = json!({
        "url": url,
        "id": number * 10,
        "node_id": format!("PR_kwDOB6Kx0c{number}"),
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": issue["url"],
        "commits_url": format!("{url}/commits"),
        "review_comments_url": format!("{url}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": issue["comments_url"],
        "statuses_url": format!("{api}/statuses/{}", p.head_sha),
        "number": number,
        "state": p.state,
        "locked": false,
        "title": p.title,
        "user": issue["user"],
        "body": p.body,
        "labels": issue["labels"],
        "milestone": issue["milestone"],
        "active_lock_reason": null,
        "created_at": issue["created_at"],
        "updated_at": issue["updated_at"],
        "closed_at": issue["closed_at"],
        "merged_at": merged_at,
        "merge_commit_sha": s.merge_commits.get(&number),
        "assignee": issue["assignee"],
        "assignees": issue["assignees"],
        "requested_reviewers": requested,
        "requested_teams": [],
    });
    let more = json!({
        "head": side(head_owner, &p.head_ref, &p.head_sha, fork),
        "base": side(&s.owner, &p.base_ref, &p.base_sha, false),
        "_links": links,
        "author_association": association(s, &p.author),
        "auto_merge": null,
        "draft": false,
        "merged": p.merged,
        "mergeable": if p.state == "open" { Value::from(true) } else { Value::Null },
        "rebaseable": if p.state == "open" { Value::from(true) } else { Value::Null },
        "mergeable_state": if p.state == "open" { "clean" } else { "unknown" },
        "merged_by": if p.merged { objects::user(&s.owner, true) } else { Value::Null },
        "comments": issue["comments"],
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": s.commit_counts.get(&number).copied().unwrap_or(0),
        "additions": 1,
        "deletions": 1,
        "changed_files": 1,
    });
    let mut json = objects::object([json, more]);
    if let (Some(edits), Some(fields)) = (s.pull_edits.get(&p.number), json.as_object_mut()) {
        for (field, value) in edits {
            match value {
                Some(value) => fields.insert(field.clone(), value.clone()),
                None => fields.remove(field),
            };
        }
    }
    json
}
