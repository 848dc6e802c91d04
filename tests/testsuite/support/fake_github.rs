//! A fake of the GitHub REST API on 127.0.0.1: serves pull requests and their
//! patches, accepts new pull requests and labels, answers like GitHub (status
//! codes, JSON shapes, headers), records every request, and can be told to
//! fail. Dropping it fails the test if a handler panicked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

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

    pub fn is_write(&self) -> bool {
        self.method != "GET"
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
}

/// A slow answer: requests matching `method` and `path` wait `delay` before
/// the usual answer, `times` times.
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
    pub delays: Vec<Delay>,
    /// Labels GitHub "drops" from its answer (as if they did not exist).
    pub unknown_labels: Vec<String>,
    pub next_number: u64,
    pub panics: Vec<String>,
}

pub struct FakeGitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    pub fn start(owner: &str, name: &str, login: &str) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind the fake GitHub"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let state = Arc::new(Mutex::new(State {
            owner: owner.into(),
            name: name.into(),
            login: login.into(),
            next_number: 9000,
            ..State::default()
        }));
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let state = Arc::clone(&state);
                    // One thread per request, as concurrent clients expect.
                    std::thread::spawn(move || serve(request, &state));
                }
            })
        };
        FakeGitHub {
            url: format!("http://127.0.0.1:{port}"),
            state,
            server,
            thread: Some(thread),
        }
    }

    pub fn add_pull(&self, pull: FakePull) {
        self.state.lock().unwrap().pulls.insert(pull.number, pull);
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
        });
    }

    /// Answers `status` with `body` and `headers` to the next `times` requests
    /// matching `method` and a path containing `path`; then the usual answer.
    pub fn fault_times(&self, method: &str, path: &str, status: u16, body: Value, headers: &[(&str, &str)], times: usize) {
        self.state.lock().unwrap().faults.push(Fault {
            method: method.into(),
            path: path.into(),
            status,
            body,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            times,
            accept: None,
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
        });
    }

    /// Holds the next `times` requests matching `method` and `path` for
    /// `delay` before answering them as usual.
    pub fn delay(&self, method: &str, path: &str, delay: std::time::Duration, times: usize) {
        self.state.lock().unwrap().delays.push(Delay {
            method: method.into(),
            path: path.into(),
            delay,
            times,
        });
    }

    /// The requests whose path contains `path`.
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
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let panics = self.state.lock().map(|s| s.panics.clone()).unwrap_or_default();
        if !panics.is_empty() && !std::thread::panicking() {
            panic!("the fake GitHub failed: {panics:?}");
        }
    }
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    content_type: &'static str,
    headers: Vec<(String, String)>,
}

fn json_answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        body: body.to_string().into_bytes(),
        content_type: "application/json; charset=utf-8",
        headers: Vec::new(),
    }
}

fn not_found() -> Answer {
    json_answer(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    )
}

fn serve(mut request: tiny_http::Request, state: &Arc<Mutex<State>>) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let (path, query) = match request.url().split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (request.url().to_string(), String::new()),
    };
    let recorded = Recorded {
        method: request.method().to_string(),
        path,
        query,
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.to_string(), h.value.to_string()))
            .collect(),
        body,
    };
    let delay = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let found = s
            .delays
            .iter_mut()
            .find(|d| d.method == recorded.method && recorded.path.contains(&d.path) && d.times > 0);
        found.map(|d| {
            d.times -= 1;
            d.delay
        })
    };
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(&recorded, state)));
    let answer = match answer {
        Ok(a) => a,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            if let Ok(mut s) = state.lock() {
                s.panics.push(message.unwrap_or_default());
            }
            json_answer(500, json!({"message": "fake panicked"}))
        }
    };
    let mut response = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
    let mut headers = vec![
        ("Content-Type".to_string(), answer.content_type.to_string()),
        ("X-GitHub-Media-Type".to_string(), "github.v3; format=json".to_string()),
        ("X-RateLimit-Limit".to_string(), "5000".to_string()),
        ("X-RateLimit-Remaining".to_string(), "4999".to_string()),
    ];
    for (name, value) in answer.headers {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        headers.push((name, value));
    }
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn route(req: &Recorded, state: &Arc<Mutex<State>>) -> Answer {
    let mut s = state.lock().unwrap();
    s.requests.push(req.clone());

    if req.header("Authorization") != Some(&format!("Bearer {TOKEN}")) {
        return json_answer(
            401,
            json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        );
    }
    if let Some(i) = s
        .faults
        .iter()
        .position(|f| {
            f.method == req.method
                && req.path.contains(&f.path)
                && f.times > 0
                && f.accept
                    .as_ref()
                    .is_none_or(|a| req.header("Accept").unwrap_or_default().contains(a.as_str()))
        })
    {
        let fault = &mut s.faults[i];
        fault.times -= 1;
        let mut answer = json_answer(fault.status, fault.body.clone());
        answer.headers = fault.headers.clone();
        return answer;
    }

    let repo_prefix = format!("/repos/{}/{}/", s.owner, s.name);
    if req.path == "/user" && req.method == "GET" {
        let login = s.login.clone();
        return json_answer(200, json!({"login": login, "id": 1, "type": "User"}));
    }
    let Some(rest) = req.path.strip_prefix(&repo_prefix) else {
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
                    content_type: "text/x-patch; charset=utf-8",
                    headers: Vec::new(),
                };
            }
            json_answer(200, pull_json(&s, pull))
        }
        ("GET", ["pulls"]) => {
            let head = query_param(&req.query, "head").unwrap_or_default();
            let list: Vec<Value> = s
                .pulls
                .values()
                .filter(|p| p.state == "open" && format!("{}:{}", p.author, p.head_ref) == head)
                .map(|p| pull_json(&s, p))
                .collect();
            json_answer(200, Value::Array(list))
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
            let number = s.next_number;
            s.next_number += 1;
            let pull = FakePull {
                number,
                title: body["title"].as_str().unwrap_or_default().to_string(),
                body: body["body"].as_str().unwrap_or_default().to_string(),
                merged: false,
                author,
                head_ref,
                head_sha: String::new(),
                base_ref: body["base"].as_str().unwrap_or_default().to_string(),
                base_sha: String::new(),
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
            let answer: Vec<Value> = pull.labels.iter().map(|l| label_json(l)).collect();
            json_answer(200, Value::Array(answer))
        }
        _ => not_found(),
    }
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn label_json(name: &str) -> Value {
    json!({"id": 1, "node_id": "LA_x", "url": format!("https://api.github.com/labels/{name}"), "name": name, "color": "ededed", "default": false, "description": null})
}

fn pull_json(s: &State, p: &FakePull) -> Value {
    let html = format!("https://github.com/{}/{}/pull/{}", s.owner, s.name, p.number);
    json!({
        "url": format!("https://api.github.com/repos/{}/{}/pulls/{}", s.owner, s.name, p.number),
        "id": p.number * 10,
        "number": p.number,
        "state": p.state,
        "title": p.title,
        "body": p.body,
        "html_url": html,
        "user": {"login": p.author, "id": 2, "type": "User"},
        "labels": p.labels.iter().map(|l| label_json(l)).collect::<Vec<_>>(),
        "merged": p.merged,
        "merged_at": if p.merged { Value::from("2026-01-01T00:00:00Z") } else { Value::Null },
        "draft": false,
        "head": {"ref": p.head_ref, "sha": p.head_sha, "label": format!("{}:{}", p.author, p.head_ref)},
        "base": {"ref": p.base_ref, "sha": p.base_sha, "label": format!("{}:{}", s.owner, p.base_ref)},
    })
}
