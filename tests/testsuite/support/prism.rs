//! GitHub's own OpenAPI description as the judge. When `CPP_PRISM` names the
//! Prism CLI and `CPP_PRISM_SPEC` the cut-down description (see `.ci/prism/`),
//! every World puts a Prism validation proxy on 127.0.0.1 in front of its fake
//! GitHub, and the test fails when Prism logged a `Violation: request`.
//! Without them, tests talk to the fake directly.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Prism {
    child: Child,
    pub url: String,
    log: PathBuf,
    /// Violations before this many bytes of the log were expected by the test.
    checked: AtomicUsize,
}

impl Prism {
    /// Starts Prism in front of `upstream` when the environment asks for it.
    pub fn start(upstream: &str, dir: &Path) -> Option<Prism> {
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
    fn try_start(prism: &std::ffi::OsStr, spec: &std::ffi::OsStr, upstream: &str, dir: &Path) -> Option<Prism> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("prism.log");
        let file = std::fs::File::create(&log).expect("prism log");
        let child = Command::new(prism)
            .arg("proxy")
            .arg(spec)
            .arg(upstream)
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

    /// Prism's request violations since the last call.
    pub fn request_violations(&self) -> Vec<String> {
        let text = self.log_text();
        let from = self.checked.swap(text.len(), Ordering::SeqCst).min(text.len());
        text[from..]
            .lines()
            .filter(|l| l.contains("Violation: request"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let violations = self.request_violations();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "Prism found requests that break GitHub's API description:\n{}\n--- log\n{}",
                violations.join("\n"),
                self.log_text()
            );
        }
    }
}
