//! The test world: a bare "upstream" with diverged `master` and `release-3.1`
//! and GitHub's `refs/pull/N/head` refs, a bare "fork", the user's clone with
//! both remotes, and a fake GitHub serving the upstream's pull requests. Every
//! git call is hermetic: its own HOME, global config, identity and dates.

pub mod fake_github;
pub mod hermetic;
pub mod objects;
pub mod prism;
pub mod sandbox;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use fake_github::{FakeGitHub, FakePull, TOKEN};

pub const OWNER: &str = "kubesphere";
pub const NAME: &str = "kubesphere";
pub const USER: &str = "alice";

/// Who makes every commit in a test world, and when.
pub const IDENTITY: hermetic::Identity<'static> = hermetic::Identity {
    name: "Test User",
    email: "user@example.com",
    date: Some("2026-01-01T00:00:00Z"),
};

pub struct World {
    /// First, so it is dropped (and its log checked) before the temp dir goes.
    pub prism: Option<prism::Prism>,
    pub root: tempfile::TempDir,
    pub upstream: PathBuf,
    pub fork: PathBuf,
    /// The upstream maintainers' working clone, used to make history.
    pub work: PathBuf,
    /// The user's clone, where the tool runs.
    pub clone: PathBuf,
    pub github: FakeGitHub,
    /// Where the tool sends API requests: the fake, or Prism in front of it.
    pub api_url: String,
    home: PathBuf,
}

/// The exit code and output of one run of the tool.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}:\n{}", self.stderr);
        self
    }

    /// The whole stderr is `expected`, once redacted (see `redact`).
    #[track_caller]
    pub fn stderr_eq(&self, expected: &str) -> &Self {
        assert_text_eq("stderr", &redact(&self.stderr), expected);
        self
    }

    /// The whole stdout is `expected`, once redacted (see `redact`).
    #[track_caller]
    pub fn stdout_eq(&self, expected: &str) -> &Self {
        assert_text_eq("stdout", &redact(&self.stdout), expected);
        self
    }
}

/// Equal, or a failure that shows both whole and where they part.
#[track_caller]
fn assert_text_eq(what: &str, actual: &str, expected: &str) {
    // The newline right after an expected text's opening quote is layout.
    let expected = expected.strip_prefix('\n').unwrap_or(expected);
    if actual == expected {
        return;
    }
    let line = actual
        .lines()
        .zip(expected.lines())
        .position(|(a, e)| a != e)
        .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
    panic!(
        "{what} differs from line {}\n--- expected\n{expected}\n--- actual (redacted)\n{actual}\n---",
        line + 1
    );
}

/// Output made stable from run to run: temporary paths read `[ROOT]` (the
/// test world's) or `[TMP]/…`, the random end of a worktree's directory
/// `[..]`, commit ids `[SHA]`, durations `[DURATION]`, and a local port
/// `[PORT]`.
pub fn redact(text: &str) -> String {
    let tmp = std::env::temp_dir().display().to_string();
    let tmp = tmp.trim_end_matches('/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&format!("{tmp}/")) {
        out.push_str(&rest[..at]);
        let after = &rest[at + tmp.len() + 1..];
        let name_end = after
            .find(|c: char| !(c.is_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(after.len());
        if after.starts_with("cpp-world-") {
            out.push_str("[ROOT]");
        } else {
            out.push_str("[TMP]/");
            out.push_str(&after[..name_end]);
        }
        rest = &after[name_end..];
    }
    out.push_str(rest);
    let out = redact_worktree_suffixes(&out);
    redact_words(&out)
}

#[test]
fn redaction_keeps_words_and_numbers_and_hides_what_changes() {
    let tmp = std::env::temp_dir().display().to_string();
    let tmp = tmp.trim_end_matches('/');
    let text = format!(
        "{tmp}/cpp-world-x1Y2z3/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-Ab3De9 (PR #3796)\n\
         {tmp}/other.txt: 0123456789abcdef0123456789abcdef01234567 a1b2c3d deadbeef added\n\
         trying again in 0.5s (try 2 of 3), took 12ms. http://127.0.0.1:40123/api pkg/a.go:3: release-3.1.\n"
    );
    assert_eq!(
        redact(&text),
        "[ROOT]/clone/.git/cherry-pick-pr/3796-upstream-release-3.1-[..] (PR #3796)\n\
         [TMP]/other.txt: [SHA] [SHA] deadbeef added\n\
         trying again in [DURATION] (try 2 of 3), took [DURATION]. http://127.0.0.1:[PORT]/api pkg/a.go:3: release-3.1.\n"
    );
}

/// `.git/cherry-pick-pr/3796-upstream-release-3.1-AbC123` ends in six
/// random characters.
fn redact_worktree_suffixes(text: &str) -> String {
    const DIR: &str = "cherry-pick-pr/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(DIR) {
        out.push_str(&rest[..at + DIR.len()]);
        let after = &rest[at + DIR.len()..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(after.len());
        let name = &after[..end];
        match name.rsplit_once('-') {
            Some((stem, random)) if random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric()) => {
                out.push_str(stem);
                out.push_str("-[..]");
            }
            _ => out.push_str(name),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Commit ids, durations (`1.5s`, `20ms`) and ports (`:40123`), word by word.
fn redact_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, before: Option<char>| {
        let hex = word.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        let digits = word.chars().filter(char::is_ascii_digit).count();
        let is_sha = hex && (word.len() == 40 || (7..=16).contains(&word.len()) && digits > 0 && digits < word.len());
        let number = word.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == 'µ');
        let unit = &word[number.len()..];
        let is_duration = !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
            && number.chars().next().is_some_and(|c| c.is_ascii_digit())
            && ["s", "ms", "µs", "ns"].contains(&unit);
        let is_port = before == Some(':') && word.len() >= 4 && word.chars().all(|c| c.is_ascii_digit());
        if is_sha {
            out.push_str("[SHA]");
        } else if is_duration {
            out.push_str("[DURATION]");
        } else if is_port {
            out.push_str("[PORT]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    let mut before = None;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '.' && !word.is_empty() || c == 'µ' {
            word.push(c);
        } else {
            // A sentence's full stop is no part of the word.
            let stop = word.ends_with('.');
            if stop {
                word.pop();
            }
            flush(&mut word, &mut out, before);
            if stop {
                out.push('.');
            }
            out.push(c);
            before = Some(c);
        }
    }
    let stop = word.ends_with('.');
    if stop {
        word.pop();
    }
    flush(&mut word, &mut out, before);
    if stop {
        out.push('.');
    }
    out
}

/// What the user's checkout looks like: branch, HEAD, index (and its file,
/// byte for byte), status, every file's content, the stash, the reflogs of
/// HEAD and of the user's branch, and the worktree list.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    head: String,
    branch: String,
    index: String,
    index_file: Vec<u8>,
    status: String,
    files: BTreeMap<String, Vec<u8>>,
    stash: String,
    reflog: String,
    worktrees: String,
}

impl Snapshot {
    pub fn worktrees(&self) -> String {
        self.worktrees.clone()
    }

    pub fn set_worktrees(&mut self, worktrees: String) {
        self.worktrees = worktrees;
    }
}

impl World {
    /// Upstream history:
    ///
    /// ```text
    /// master:      base ── m1 ── (PR merges…)
    ///                 └── release-3.1: r1
    /// ```
    pub fn new() -> World {
        let root = tempfile::Builder::new()
            .prefix("cpp-world-")
            .tempdir()
            .expect("temp dir");
        let home = root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        hermetic::write_config(&home, &IDENTITY, "");
        let remotes = root.path().join("remotes");
        let upstream = remotes.join(OWNER).join(format!("{NAME}.git"));
        let fork = remotes.join(USER).join(format!("{NAME}.git"));
        let work = root.path().join("maintainer");
        let clone = root.path().join("clone");
        let github = FakeGitHub::start(OWNER, NAME, USER);
        let prism = prism::Prism::start(&github, root.path());
        let api_url = prism.as_ref().map_or_else(|| github.url.clone(), |p| p.url.clone());
        let world = World {
            root,
            upstream,
            fork,
            work,
            clone,
            github,
            api_url,
            prism,
            home,
        };

        world.git(world.root.path(), &["init", "--quiet", "--bare", path(&world.upstream)]);
        world.git(world.root.path(), &["init", "--quiet", path(&world.work)]);
        world.git(&world.work, &["remote", "add", "origin", path(&world.upstream)]);
        world.commit_files(
            &[
                ("README.md", "kubesphere\n"),
                ("pkg/a.go", &numbered("a", 20)),
                ("pkg/b.go", &numbered("b", 20)),
            ],
            "Initial commit",
        );
        world.git(&world.work, &["branch", "release-3.1"]);
        world.commit_files(
            &[("pkg/b.go", &numbered("b", 20).replace("b 20", "b 20 on master"))],
            "Master moves on",
        );
        world.git(&world.work, &["checkout", "--quiet", "release-3.1"]);
        world.commit_files(&[("RELEASE", "3.1\n")], "Release 3.1");
        world.git(&world.work, &["checkout", "--quiet", "master"]);
        world.git(&world.work, &["push", "--quiet", "origin", "master", "release-3.1"]);

        world.git(
            world.root.path(),
            &["clone", "--quiet", "--bare", path(&world.upstream), path(&world.fork)],
        );
        world.git(
            world.root.path(),
            &["clone", "--quiet", path(&world.fork), path(&world.clone)],
        );
        world.git(&world.clone, &["remote", "add", "upstream", path(&world.upstream)]);
        world.github.state.lock().unwrap().repos = Some((world.upstream.clone(), world.fork.clone(), world.env()));
        world
    }

    /// Environment for every process: no user config, fixed identity and dates.
    pub fn env(&self) -> Vec<(String, String)> {
        hermetic::env(&self.home, &IDENTITY)
    }

    /// Runs git in `dir`; the test fails if it does.
    #[track_caller]
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        hermetic::git(&self.env(), dir, args)
    }

    pub fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        hermetic::git_output(&self.env(), dir, args)
    }

    /// Writes files in the maintainer's clone and commits them.
    pub fn commit_files(&self, files: &[(&str, &str)], message: &str) -> String {
        for (name, content) in files {
            let file = self.work.join(name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, content).unwrap();
        }
        self.git(&self.work, &["add", "--all"]);
        self.git(&self.work, &["commit", "--quiet", "-m", message]);
        self.git(&self.work, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A pull request against master with one commit per entry of `commits`
    /// (each a message and the files it writes), merged unless `merged` is
    /// false, and known to the fake GitHub with its patch.
    pub fn pr(
        &self,
        number: u64,
        title: &str,
        body: &str,
        commits: &[(&str, &[(&str, &str)])],
        merged: bool,
    ) -> FakePull {
        let base = self.git(&self.work, &["rev-parse", "master"]).trim().to_string();
        let branch = format!("feature-{number}");
        self.git(&self.work, &["checkout", "--quiet", "-b", &branch, "master"]);
        for (message, files) in commits {
            self.commit_files(files, message);
        }
        let head = self.git(&self.work, &["rev-parse", "HEAD"]).trim().to_string();
        let patch = Command::new("git")
            .args(["format-patch", "--stdout", &format!("{base}..{head}")])
            .current_dir(&self.work)
            .env_clear()
            .envs(self.env())
            .output()
            .expect("format-patch")
            .stdout;
        self.git(&self.work, &["checkout", "--quiet", "master"]);
        self.git(
            &self.work,
            &["push", "--quiet", "origin", &format!("{head}:refs/pull/{number}/head")],
        );
        if merged {
            self.git(
                &self.work,
                &[
                    "merge",
                    "--quiet",
                    "--no-ff",
                    "-m",
                    &format!("Merge pull request #{number}"),
                    &branch,
                ],
            );
            self.git(&self.work, &["push", "--quiet", "origin", "master"]);
        }
        let pull = FakePull {
            number,
            title: title.into(),
            body: body.into(),
            merged,
            author: "bob".into(),
            head_ref: branch,
            head_sha: head,
            base_ref: "master".into(),
            base_sha: base.clone(),
            labels: vec!["kind/bug".into()],
            patch,
            state: if merged { "closed".into() } else { "open".into() },
        };
        self.github.add_pull(pull.clone());
        if merged {
            let merge = self.git(&self.work, &["rev-parse", "master"]);
            self.github.set_merge_commit(number, merge.trim());
        }
        pull
    }

    /// An open pull request #`number` against release-3.1 by `author`,
    /// saying in its title (`Automated cherry pick of #source: {subject}`),
    /// `body` and branch that it picks `source`, whose head is `files`
    /// committed with `message` on release-3.1.
    pub fn open_claim(
        &self,
        (number, source, author): (u64, u64, &str),
        (files, message): (&[(&str, &str)], &str),
        (subject, body): (&str, String),
    ) {
        let base = self.git(&self.work, &["rev-parse", "release-3.1"]).trim().to_string();
        self.git(&self.work, &["checkout", "--quiet", "--detach", &base]);
        let head = self.commit_files(files, message);
        self.git(&self.work, &["checkout", "--quiet", "master"]);
        self.git(
            &self.work,
            &["push", "--quiet", "origin", &format!("{head}:refs/pull/{number}/head")],
        );
        self.github.add_pull(FakePull {
            number,
            title: format!("Automated cherry pick of #{source}: {subject}"),
            body,
            merged: false,
            author: author.into(),
            head_ref: format!("automated-cherry-pick-of-#{source}-upstream-release-3.1"),
            head_sha: head,
            base_ref: "release-3.1".into(),
            base_sha: base,
            labels: Vec::new(),
            patch: Vec::new(),
            state: "open".into(),
        });
    }

    /// A pull request against master with one commit per entry of
    /// `commits`, merged as `how` says: a merge commit, a squash (one commit
    /// titled `Title (#N)`), or a rebase (its commits replayed). Master
    /// moves first, so that replayed commits get new ids.
    pub fn pr_landed(&self, number: u64, title: &str, commits: &[(&str, &[(&str, &str)])], how: Landed) -> FakePull {
        let mut pull = self.pr(number, title, &format!("Body of {number}."), commits, false);
        self.git(&self.work, &["checkout", "--quiet", "master"]);
        self.commit_files(
            &[(&format!("other-{number}.txt"), "unrelated\n")],
            &format!("Unrelated work before #{number}"),
        );
        match how {
            Landed::Merge => {
                self.git(
                    &self.work,
                    &[
                        "merge",
                        "--quiet",
                        "--no-ff",
                        "-m",
                        &format!("Merge pull request #{number}"),
                        &pull.head_ref,
                    ],
                );
            }
            Landed::Squash => {
                self.git(&self.work, &["merge", "--quiet", "--squash", &pull.head_ref]);
                self.git(
                    &self.work,
                    &["commit", "--quiet", "-m", &format!("{title} (#{number})")],
                );
            }
            Landed::Rebase => {
                let range = format!("{}..{}", pull.base_sha, pull.head_sha);
                self.git(&self.work, &["cherry-pick", &range]);
            }
        }
        self.git(&self.work, &["push", "--quiet", "origin", "master"]);
        pull.merged = true;
        pull.state = "closed".into();
        self.github.add_pull(pull.clone());
        let merge = self.git(&self.work, &["rev-parse", "master"]);
        self.github.set_merge_commit(number, merge.trim());
        pull
    }

    /// Adds `label` to pull request `number`.
    pub fn label(&self, number: u64, label: &str) {
        let mut state = self.github.state.lock().unwrap();
        state
            .pulls
            .get_mut(&number)
            .expect("a pull request")
            .labels
            .push(label.into());
    }

    /// Pull request #3796 whose patch from GitHub lost the carriage returns
    /// of a CRLF file on the way (as mail does), on a release branch that
    /// has the file: `git am -3` cannot apply that patch, but `git
    /// cherry-pick` can apply its commits. Only a run that takes GitHub's
    /// patch (one that cannot make it here) meets it.
    pub fn crlf_fallback_pr(&self) -> FakePull {
        self.git(&self.work, &["checkout", "--quiet", "master"]);
        self.commit_files(&[("win.txt", "one\r\ntwo\r\nthree\r\n")], "Add a CRLF file");
        self.git(
            &self.work,
            &["push", "--quiet", "origin", "master:release-3.1", "--force"],
        );
        let mut pr = self.pr(
            3796,
            "Fix CRLF",
            "",
            &[("Fix CRLF", &[("win.txt", "one\r\ntwo fixed\r\nthree\r\n")])],
            true,
        );
        pr.patch = String::from_utf8(pr.patch).unwrap().replace('\r', "").into_bytes();
        self.github.add_pull(pr.clone());
        pr
    }

    /// Pull request #3796, which `git am -3` refuses but `git cherry-pick`
    /// applies: it leaves a trailing space, which the user's git will not
    /// apply (`apply.whitespace=error`), on a release branch that has its
    /// file.
    pub fn am_refuses_pr(&self) -> FakePull {
        self.git(&self.work, &["checkout", "--quiet", "master"]);
        self.commit_files(&[("notes.txt", "one\ntwo\nthree\n")], "Add notes");
        self.git(
            &self.work,
            &["push", "--quiet", "origin", "master:release-3.1", "--force"],
        );
        self.git(&self.clone, &["config", "apply.whitespace", "error"]);
        self.pr(
            3796,
            "Fix notes",
            "",
            &[("Fix notes", &[("notes.txt", "one\ntwo fixed \nthree\n")])],
            true,
        )
    }

    /// A merged pull request with one commit changing `pkg/a.go`'s line `line`.
    pub fn simple_pr(&self, number: u64, title: &str, line: usize) -> FakePull {
        let current = self.git(&self.work, &["show", "master:pkg/a.go"]);
        let changed = current.replace(&format!("a {line}\n"), &format!("a {line} fixed by #{number}\n"));
        let message = format!("{title}\n\nThe fix for #{number}.");
        self.pr(
            number,
            title,
            &format!("Body of {number}.\n\n```release-note\nFixed {number}.\n```\n"),
            &[(&message, &[("pkg/a.go", &changed)])],
            true,
        )
    }

    /// The tool, ready to run in the user's clone against the fake GitHub.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.current_dir(&self.clone)
            .env_clear()
            .envs(self.env())
            .env("GITHUB_API_URL", &self.api_url)
            .env("GITHUB_TOKEN", TOKEN)
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command().args(args))
    }

    /// Makes the user's checkout dirty: a modified tracked file, a staged
    /// change and an untracked file.
    pub fn dirty_checkout(&self) {
        std::fs::write(self.clone.join("README.md"), "local edit, not committed\n").unwrap();
        std::fs::write(self.clone.join("pkg/b.go"), "staged edit\n").unwrap();
        self.git(&self.clone, &["add", "pkg/b.go"]);
        std::fs::write(self.clone.join("notes.txt"), "untracked\n").unwrap();
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        collect_files(&self.clone, &self.clone, &mut files);
        // Read before `git status`, which may refresh the index's stat data.
        let index_file = std::fs::read(self.clone.join(".git/index")).unwrap_or_default();
        let branch = self.git(&self.clone, &["symbolic-ref", "HEAD"]);
        let reflog = [
            self.git(&self.clone, &["reflog", "show", "--format=%H %gs", "HEAD"]),
            self.git(&self.clone, &["reflog", "show", "--format=%H %gs", branch.trim()]),
        ]
        .concat();
        Snapshot {
            head: self.git(&self.clone, &["rev-parse", "HEAD"]),
            branch,
            index: self.git(&self.clone, &["ls-files", "--stage"]),
            index_file,
            status: self.git(&self.clone, &["status", "--porcelain=v1", "--untracked-files=all"]),
            files,
            stash: self.git(&self.clone, &["stash", "list", "--format=%H %gs"]),
            reflog,
            worktrees: self.git(&self.clone, &["worktree", "list", "--porcelain"]),
        }
    }

    /// Local branches of the user's clone.
    pub fn local_branches(&self) -> Vec<String> {
        self.git(
            &self.clone,
            &["for-each-ref", "--format=%(refname:short)", "refs/heads/"],
        )
        .lines()
        .map(str::to_string)
        .collect()
    }

    /// Branches of a bare repository.
    pub fn branches(&self, repo: &Path) -> Vec<String> {
        self.git(repo, &["for-each-ref", "--format=%(refname:short)", "refs/heads/"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `git log` of `rev` in `repo`: one line per commit, `subject|author|patch-id`.
    pub fn commits(&self, repo: &Path, range: &str) -> Vec<String> {
        let shas = self.git(repo, &["rev-list", "--reverse", range]);
        shas.lines()
            .map(|sha| {
                let info = self.git(repo, &["log", "-1", "--format=%s|%an <%ae>", sha]);
                format!("{}|{}", info.trim(), self.patch_id(repo, sha))
            })
            .collect()
    }

    pub fn patch_id(&self, repo: &Path, sha: &str) -> String {
        let diff = self.git_output(repo, &["show", sha]).stdout;
        let mut child = Command::new("git")
            .args(["patch-id", "--stable"])
            .current_dir(repo)
            .env_clear()
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&diff).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// Installs `.git/hooks/NAME` in the user's clone: a shell script with
    /// `body`.
    pub fn hook(&self, name: &str, body: &str) -> PathBuf {
        let hook = self.clone.join(".git/hooks").join(name);
        std::fs::write(&hook, format!("#!/bin/sh\n{body}")).expect("write the hook");
        set_executable(&hook);
        hook
    }

    /// The checkout is as it was at `before`, byte for byte, and nothing of
    /// the tool's is left under the git directory.
    #[track_caller]
    pub fn assert_untouched(&self, before: &Snapshot) {
        assert_eq!(&self.snapshot(), before);
        assert!(self.tool_dirs().is_empty(), "{:?}", self.tool_dirs());
    }

    /// Runs `f`, then checks that the user's checkout is as it was before,
    /// byte for byte, and that nothing of the tool's is left (as
    /// `assert_untouched`).
    #[track_caller]
    pub fn untouched<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        let before = self.snapshot();
        let value = f(self);
        self.assert_untouched(&before);
        value
    }

    /// The worktree directories the tool keeps under the git directory.
    pub fn tool_dirs(&self) -> Vec<PathBuf> {
        let dir = self.clone.join(".git/cherry-pick-pr");
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The fork as GitHub keeps one: its objects are shared with the
    /// upstream's (the fork network; here `objects/info/alternates`), but a
    /// push to it is told only of its own branches, not of the upstream's.
    pub fn fork_shares_upstream_objects(&self) {
        let alternates = self.fork.join("objects/info/alternates");
        std::fs::write(alternates, format!("{}\n", self.upstream.join("objects").display()))
            .expect("write the fork's alternates");
        // Else receive-pack would advertise the upstream's branches (".have").
        self.git(&self.fork, &["config", "core.alternateRefsCommand", "true"]);
    }

    /// `n` new commits on the upstream's release-3.1, each rewriting one of
    /// 20 files with 4 KiB of text that compresses poorly: history that a fork
    /// made before them lacks. Made with `git fast-import`; the maintainer's
    /// clone does not see them.
    pub fn release_moves_on(&self, n: usize) {
        let mut stream = Vec::new();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..n {
            let mut text = String::with_capacity(4096);
            while text.len() < 4096 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(&format!("{:016x}\n", seed >> 1));
            }
            let message = format!("Release work {i}\n");
            stream.extend_from_slice(
                format!(
                    "commit refs/heads/release-3.1\ncommitter Test User <user@example.com> {} +0000\ndata {}\n{message}",
                    1_767_225_600 + i,
                    message.len()
                )
                .as_bytes(),
            );
            if i == 0 {
                stream.extend_from_slice(b"from refs/heads/release-3.1^0\n");
            }
            stream.extend_from_slice(
                format!("M 100644 inline history/f{}.txt\ndata {}\n{text}\n", i % 20, text.len()).as_bytes(),
            );
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(&self.upstream)
            .env_clear()
            .envs(self.env())
            .stdin(Stdio::piped())
            .spawn()
            .expect("run git fast-import");
        {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(&stream)
                .expect("feed git fast-import");
        }
        assert!(
            child.wait().expect("git fast-import").success(),
            "git fast-import failed"
        );
    }

    /// From now on, every push from the user's clone to the fork (`origin`)
    /// runs `git receive-pack` through a script that appends what it is sent
    /// to a file: `pushed_bytes` reads its size.
    pub fn count_pushed_bytes(&self) {
        let script = self.root.path().join("counting-receive-pack");
        let log = self.root.path().join("pushed");
        std::fs::write(
            &script,
            format!("#!/bin/sh\ntee -a '{}' | git receive-pack \"$@\"\n", log.display()),
        )
        .expect("write the counting receive-pack");
        set_executable(&script);
        self.git(&self.clone, &["config", "remote.origin.receivepack", path(&script)]);
    }

    /// What pushes to the fork have sent since `count_pushed_bytes`.
    pub fn pushed_bytes(&self) -> u64 {
        std::fs::metadata(self.root.path().join("pushed")).map_or(0, |m| m.len())
    }

    /// From now on, the user's `git ls-remote` of the fork (and any fetch
    /// from it by its remote's name) fails, as a fork that cannot be reached
    /// for a moment would; a push's negotiation, which git addresses by URL,
    /// still reaches it.
    pub fn fork_cannot_be_listed(&self) {
        let script = self.root.path().join("failing-upload-pack");
        std::fs::write(
            &script,
            "#!/bin/sh\necho 'fatal: the fork cannot be reached' >&2\nexit 128\n",
        )
        .expect("write the failing upload-pack");
        set_executable(&script);
        self.git(&self.clone, &["config", "remote.origin.uploadpack", path(&script)]);
    }

    /// Runs the tool with `GIT_TRACE_PACKET`: what it did, and its
    /// connections to `upload-pack`s.
    pub fn run_traced(&self, args: &[&str]) -> (Run, Connections) {
        let trace = self.root.path().join("packets");
        let _ = std::fs::remove_file(&trace);
        let run = run_command(self.command().args(args).env("GIT_TRACE_PACKET", &trace));
        let packets = std::fs::read_to_string(&trace).unwrap_or_default();
        (run, Connections::of(&packets))
    }
}

impl World {
    /// The tool with a `git` first on its PATH that writes each git command
    /// it starts (git's own children aside) to a log, one subcommand a
    /// line, and refuses those named in `fail` as a broken git would (exit
    /// 128); the log, read with `GitLog::all`.
    pub fn command_with_git(&self, fail: &[&str]) -> (Command, GitLog) {
        let bin = self.root.path().join("wrapped-git");
        std::fs::create_dir_all(&bin).unwrap();
        let real = which_git();
        let wrapper = bin.join("git");
        std::fs::write(
            &wrapper,
            format!(
                r#"#!/bin/sh
sub=
skip=
for word in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case "$word" in
    -c|-C) skip=1 ;;
    -*) ;;
    *) sub=$word; break ;;
  esac
done
printf '%s\n' "$sub" >> "$CPP_TEST_GIT_LOG"
case " $CPP_TEST_GIT_FAIL " in
  *" $sub "*) echo "fatal: git $sub is broken in this test" >&2; exit 128 ;;
esac
exec {} "$@"
"#,
                real.display()
            ),
        )
        .unwrap();
        set_executable(&wrapper);
        let log = GitLog(self.root.path().join(format!("git-{}.log", fastrand::u64(..))));
        let mut cmd = self.command();
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", bin.display()))
            .env("CPP_TEST_GIT_LOG", &log.0)
            .env("CPP_TEST_GIT_FAIL", fail.join(" "));
        (cmd, log)
    }
}

/// The git commands a run started, as `World::command_with_git` logs them.
pub struct GitLog(PathBuf);

impl GitLog {
    /// Every subcommand started, in order.
    pub fn all(&self) -> Vec<String> {
        std::fs::read_to_string(&self.0)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn which_git() -> PathBuf {
    let out = Command::new("sh").args(["-c", "command -v git"]).output().expect("sh");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A run's connections to `upload-pack`, from its `GIT_TRACE_PACKET` trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// By `git ls-remote` (the tool lists only the fork's branches), all run long.
    pub ls_remote: usize,
    /// During the push (after the fork's first answer to it): its
    /// negotiation, which git runs as a `git fetch --negotiate-only`.
    pub negotiation: usize,
    /// Requests sent on those negotiation connections.
    pub negotiation_requests: usize,
}

impl Connections {
    /// A connection to upload-pack starts with its v2 capabilities (`<` is
    /// what the client reads); each request ends with a flush packet.
    pub fn of(packets: &str) -> Connections {
        let push = packets.find(" push< ").map_or("", |at| &packets[at..]);
        Connections {
            ls_remote: packets.lines().filter(|l| l.ends_with(" ls-remote< version 2")).count(),
            negotiation: push.lines().filter(|l| l.ends_with(" fetch< version 2")).count(),
            negotiation_requests: push.lines().filter(|l| l.ends_with(" fetch> 0000")).count(),
        }
    }
}

pub fn run_command(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("run git-cherry-pick-pr");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn collect_files(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, files);
        } else {
            files.insert(
                path.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
}

pub fn numbered(prefix: &str, lines: usize) -> String {
    (1..=lines).map(|i| format!("{prefix} {i}\n")).collect()
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

impl World {
    /// Changes `pkg/a.go`'s line `line` on release-3.1 upstream, so that a pull
    /// request changing the same line conflicts there.
    pub fn conflict_on_release(&self, line: usize) {
        self.git(&self.work, &["checkout", "--quiet", "release-3.1"]);
        let current = self.git(&self.work, &["show", "release-3.1:pkg/a.go"]);
        let changed = current.replace(&format!("a {line}\n"), &format!("a {line} changed on release\n"));
        self.commit_files(&[("pkg/a.go", &changed)], "Release-only change");
        self.git(&self.work, &["push", "--quiet", "origin", "release-3.1"]);
        self.git(&self.work, &["checkout", "--quiet", "master"]);
    }

    /// The commits on `branch` in the fork on top of upstream's release-3.1:
    /// `subject|author|patch-id` each.
    pub fn picked(&self, branch: &str) -> Vec<String> {
        let base = self.git(&self.upstream, &["rev-parse", "release-3.1"]);
        self.commits(&self.fork, &format!("{}..{branch}", base.trim()))
    }

    /// The subjects of the commits `picked` lists.
    pub fn picked_subjects(&self, branch: &str) -> Vec<String> {
        self.picked(branch)
            .iter()
            .map(|c| c.split('|').next().unwrap_or_default().to_string())
            .collect()
    }

    /// Cherry-picks `commit` onto release-3.1 upstream: its change is
    /// already there when the tool comes to it.
    pub fn land_on_release(&self, commit: &str) {
        self.git(&self.work, &["checkout", "--quiet", "release-3.1"]);
        self.git(&self.work, &["cherry-pick", commit]);
        self.git(&self.work, &["push", "--quiet", "origin", "release-3.1"]);
        self.git(&self.work, &["checkout", "--quiet", "master"]);
    }

    /// A release branch upstream made from the first commit (before master
    /// moved on), with a commit of its own.
    pub fn release_branch(&self, name: &str) {
        let first = self.git(&self.work, &["rev-list", "--max-parents=0", "master"]);
        self.git(&self.work, &["checkout", "--quiet", "-b", name, first.trim()]);
        self.commit_files(&[("RELEASE", &format!("{name}\n"))], &format!("Start {name}"));
        self.git(&self.work, &["push", "--quiet", "origin", name]);
        self.git(&self.work, &["checkout", "--quiet", "master"]);
    }

    /// `pkg/a.go` on master with a setting (three lines after `a 10`)
    /// whose value is `value`.
    pub fn with_setting(&self, value: u32) -> String {
        let current = self.git(&self.work, &["show", "master:pkg/a.go"]);
        match current.find("x = ") {
            Some(_) => current
                .lines()
                .map(|l| {
                    if l.starts_with("x = ") {
                        format!("x = {value}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect(),
            None => current.replace("a 10\n", &format!("a 10\nsetting begin\nx = {value}\nsetting end\n")),
        }
    }

    /// #3805 adds a setting to `pkg/a.go` (lines 11-13), merged; #3806 then
    /// changes it, merged. Neither is on release-3.1, where #3806 alone
    /// conflicts.
    pub fn pr_needing_an_earlier_one(&self) -> (FakePull, FakePull) {
        let earlier = self.setting_added(true);
        let later = self.setting_pr(3806, "Change the setting", 2);
        (earlier, later)
    }

    /// #3805, which adds the setting to `pkg/a.go` (lines 11-13); merged
    /// with a merge commit, unless `merged` is false.
    pub fn setting_added(&self, merged: bool) -> FakePull {
        let added = self.with_setting(1);
        self.pr(
            3805,
            "Add the setting",
            "Body of 3805.",
            &[("Add the setting", &[("pkg/a.go", &added)])],
            merged,
        )
    }

    /// A merged pull request that sets the setting to `value`.
    pub fn setting_pr(&self, number: u64, title: &str, value: u32) -> FakePull {
        let changed = self.with_setting(value);
        self.pr(
            number,
            title,
            &format!("Body of {number}.\n\n```release-note\nNONE\n```\n"),
            &[(title, &[("pkg/a.go", &changed)])],
            true,
        )
    }

    /// Resolves the conflict in `pkg/a.go` in `worktree` by keeping both
    /// sides' lines, and stages it.
    pub fn resolve(&self, worktree: &Path) {
        keep_both_sides(&worktree.join("pkg/a.go"));
        self.git(worktree, &["add", "pkg/a.go"]);
    }

    /// The tool with its backoff shortened, so that retries take milliseconds.
    pub fn quick_retries(&self) -> Command {
        let mut cmd = self.command();
        cmd.env("CHERRY_PICK_PR_BACKOFF_MS", "20");
        cmd
    }

    /// The first stopped run the state file keeps, if any.
    pub fn state(&self) -> Option<serde_json::Value> {
        self.states().into_iter().next()
    }

    /// Every stopped run the state file keeps, in order.
    pub fn states(&self) -> Vec<serde_json::Value> {
        let Ok(text) = std::fs::read_to_string(self.clone.join(".git/cherry-pick-pr/state.json")) else {
            return Vec::new();
        };
        let file: serde_json::Value = serde_json::from_str(&text).expect("state is JSON");
        assert_eq!(file["version"], 3, "{file}");
        file["runs"].as_array().expect("a list of runs").clone()
    }

    /// The worktree the saved state names for its first target.
    pub fn state_worktree(&self) -> PathBuf {
        let state = self.state().expect("a saved state");
        PathBuf::from(state["jobs"][0]["worktree"].as_str().expect("a worktree path"))
    }
}

/// How a pull request was merged (`World::pr_landed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landed {
    Merge,
    Squash,
    Rebase,
}

/// Resolves the conflicts in `file` by keeping both sides' lines: drops the
/// conflict-marker lines.
pub fn keep_both_sides(file: &Path) {
    let text = std::fs::read_to_string(file).expect("the conflicted file");
    let resolved: String = text
        .lines()
        .filter(|l| {
            !["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
                .iter()
                .any(|m| l.starts_with(m))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(file, resolved).expect("write the resolution");
}

pub fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The tool's binary: cargo names it for tests; an example finds it beside
/// its own directory (`target/debug/examples/..`).
pub fn binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_git-cherry-pick-pr") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the running program's path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    dir.join(format!("git-cherry-pick-pr{}", std::env::consts::EXE_SUFFIX))
}
