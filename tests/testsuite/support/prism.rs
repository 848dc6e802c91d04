//! GitHub's own OpenAPI description as the judge. When `CPP_PRISM` names the
//! Prism CLI and `CPP_PRISM_SPEC` the cut-down description (see `.ci/prism/`),
//! every World puts a Prism validation proxy on 127.0.0.1 in front of its fake
//! GitHub, and the test fails when Prism logged a `Violation: request` (the
//! tool asked what the description does not allow) or an error `Violation:
//! response` (the fake answered what it does not allow). An answer the test
//! itself made or changed (a fault, an edited pull request) need not hold:
//! after one, response violations are not held against the test. Prism rates
//! an undocumented status other than 2xx a warning, and so does this: GitHub
//! answers 401 and 5xx where its description does not say so.
//! Without them, tests talk to the fake directly.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::fake_github::{FakeGitHub, State};

pub struct Prism {
    child: Child,
    pub url: String,
    log: PathBuf,
    /// Violations before this many bytes of the log were expected by the test.
    checked: AtomicUsize,
    /// The fake behind Prism: whether it gave an answer the test made.
    fake: Arc<Mutex<State>>,
}

impl Prism {
    /// Starts Prism in front of `upstream` when the environment asks for it.
    pub fn start(upstream: &FakeGitHub, dir: &Path) -> Option<Prism> {
        let prism = std::env::var_os("CPP_PRISM").filter(|v| !v.is_empty())?;
        let spec = std::env::var_os("CPP_PRISM_SPEC").expect("CPP_PRISM_SPEC: the cut-down GitHub description");
        // The port is free when chosen, but another test's server may take
        // it before Prism (slow to start) does: then Prism cannot listen, and
        // it is started again on another port.
        for _ in 0..5 {
            if let Some(started) = Prism::try_start(&prism, &spec, upstream, dir) {
                return Some(started);
            }
        }
        panic!("prism could not listen on a free port in 5 tries");
    }

    /// Prism on a port free now; `None` when it exited without listening.
    fn try_start(prism: &std::ffi::OsStr, spec: &std::ffi::OsStr, upstream: &FakeGitHub, dir: &Path) -> Option<Prism> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("prism.log");
        let file = std::fs::File::create(&log).expect("prism log");
        let child = Command::new(prism)
            .arg("proxy")
            .arg(spec)
            .arg(&upstream.url)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("prism log"))
            .stderr(file)
            .spawn()
            .expect("start prism");
        let mut prism = Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            checked: AtomicUsize::new(0),
            fake: Arc::clone(&upstream.state),
        };
        // Prism's own word that it listens: an open port alone may be
        // another test's server.
        let listening = format!("Prism is listening on http://127.0.0.1:{port}");
        let started = Instant::now();
        while !prism.log_text().contains(&listening) {
            if let Ok(Some(_)) = prism.child.try_wait() {
                return None;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "prism did not listen within 60 s:\n{}",
                prism.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(prism)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Prism's violations since the last call: of requests, and the errors
    /// of answers.
    pub fn violations(&self) -> Vec<String> {
        let text = self.log_text();
        let from = self.checked.swap(text.len(), Ordering::SeqCst).min(text.len());
        text[from..]
            .lines()
            .filter(|l| is_violation(l))
            .map(str::to_string)
            .collect()
    }
}

/// Whether Prism's log line `line` says a request broke the description, or
/// an answer did (an error, not a warning).
pub fn is_violation(line: &str) -> bool {
    line.contains("Violation: request")
        || line
            .split_once("Violation: response")
            .is_some_and(|(before, _)| before.contains("error"))
}

impl Drop for Prism {
    fn drop(&mut self) {
        let mut violations = self.violations();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let departed = self.fake.lock().map_or(true, |s| s.departed);
        if departed {
            violations.retain(|v| v.contains("Violation: request"));
        }
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "Prism found requests or answers that break GitHub's API description:\n{}\n--- log\n{}",
                violations.join("\n"),
                self.log_text()
            );
        }
    }
}
