//! The typed git edge. It runs the user's own `git` binary (found on PATH)
//! with duct, every process through one spawn path (`Git::call`: pipes and
//! stdin included, so the environment rules hold for all of them), records
//! each call's argv and duration, and turns a failure into a typed error that
//! names the command, its exit status and git's stderr. `ops` has one method
//! per git operation, its parser beside it. Also where the user's repository
//! is (one `git rev-parse`, honouring `GIT_DIR` and the rest as git does),
//! and where the tool keeps its own worktrees in it.
//!
//! The lowest folder: it may use only the shared floor (`errors`, `output`,
//! `signals`, `text`, `env`), never GitHub, the settings or anything above.

pub mod ops;
pub mod remote;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::errors::{Context, failed};
use crate::output::Output;

/// A failed git invocation.
#[derive(Debug)]
pub enum GitError {
    /// No `git` on PATH.
    NotFound(which::Error),
    /// git could not be started.
    Spawn { argv: String, source: std::io::Error },
    /// The run was interrupted (Ctrl-C) before or while git ran.
    Interrupted { argv: String },
    /// git ran and exited unsuccessfully.
    Exited {
        argv: String,
        code: Option<i32>,
        stderr: String,
    },
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitError::NotFound(e) => write!(f, "could not find `git` on PATH ({e})"),
            GitError::Spawn { argv, source } => write!(f, "could not run `{argv}`: {source}"),
            GitError::Interrupted { argv } => write!(f, "`{argv}` was interrupted"),
            GitError::Exited { argv, code, stderr } => {
                match code {
                    Some(code) => write!(f, "`{argv}` exited with status {code}")?,
                    None => write!(f, "`{argv}` was killed by a signal")?,
                }
                let stderr = stderr.trim_end();
                if !stderr.is_empty() {
                    write!(f, ":\n{stderr}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for GitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GitError::NotFound(e) => Some(e),
            GitError::Spawn { source, .. } => Some(source),
            GitError::Exited { .. } | GitError::Interrupted { .. } => None,
        }
    }
}

/// What a git command printed, whatever its exit status.
#[derive(Debug)]
pub struct Captured {
    pub success: bool,
    pub stdout: String,
    /// stdout as git wrote it, for output that need not be UTF-8 (patches).
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    argv: String,
    code: Option<i32>,
}

impl Captured {
    /// git's exit status; `None` when a signal ended it.
    pub fn code(&self) -> Option<i32> {
        self.code
    }

    /// The stdout of a successful command, or the error naming it.
    pub fn checked(self) -> Result<String, GitError> {
        if self.success {
            Ok(self.stdout)
        } else {
            Err(GitError::Exited {
                argv: self.argv,
                code: self.code,
                stderr: self.stderr,
            })
        }
    }
}

/// Runs git in one repository.
#[derive(Clone, Copy)]
pub struct Git<'a> {
    exe: &'a Path,
    out: &'a Output,
    /// Cleanup still runs after Ctrl-C; nothing else does.
    cleanup: bool,
    /// Variables added to every command's environment.
    env: &'a [(&'a str, &'a str)],
    /// The user's repository, once located: see `Git::in_repo`.
    repo: Option<Repo<'a>>,
}

/// Where the user's repository is, as every later command addresses it.
#[derive(Clone, Copy)]
pub struct Repo<'a> {
    /// Repository-local variables (`GIT_DIR`, `GIT_WORK_TREE`,
    /// `GIT_INDEX_FILE`, …, as `git rev-parse --local-env-vars` lists them)
    /// removed from every command's environment.
    pub local_env: &'a [String],
    /// Commands run in this directory (the top of the user's work tree)…
    pub toplevel: &'a Path,
    /// …address this git directory explicitly (`GIT_DIR`).
    pub git_dir: &'a Path,
    /// The user's `core.hooksPath`, made absolute as the user's own git
    /// resolves it (a relative one against the top of their work tree),
    /// given to every command (`-c core.hooksPath=…`): in the tool's
    /// worktree a relative one would name files there instead.
    pub hooks_path: Option<&'a Path>,
}

/// Finds the `git` binary on PATH.
pub fn find() -> Result<PathBuf, GitError> {
    which::which("git").map_err(GitError::NotFound)
}

impl<'a> Git<'a> {
    pub fn new(exe: &'a Path, out: &'a Output) -> Self {
        Git {
            exe,
            out,
            cleanup: false,
            env: &[],
            repo: None,
        }
    }

    /// The same git, for every command after the repository is located. The
    /// user's repository-local variables are removed from every command, as
    /// git itself does when it runs a command in another repository (`git -c`
    /// settings, `GIT_CONFIG_PARAMETERS`, are kept, as git keeps them): a
    /// `GIT_DIR`, `GIT_WORK_TREE` or `GIT_INDEX_FILE` meant for the user's
    /// checkout must never reach a command in the tool's worktree. Commands in
    /// the user's repository (run in `repo.toplevel`) name its git directory
    /// explicitly instead.
    pub fn in_repo(self, repo: Repo<'a>) -> Self {
        Git {
            repo: Some(repo),
            ..self
        }
    }

    /// The same git with `env` added to every command's environment.
    #[cfg(test)]
    pub fn with_env(self, env: &'a [(&'a str, &'a str)]) -> Self {
        Git { env, ..self }
    }

    /// The same git, for cleaning up: it runs even after an interruption.
    pub fn for_cleanup(self) -> Self {
        Git { cleanup: true, ..self }
    }

    /// Runs `git ARGS` in `dir` and returns its stdout, or an error when it fails.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<String, GitError> {
        self.capture(dir, args, None)?.checked()
    }

    /// Runs `git ARGS` in `dir` with `input` on stdin and returns what it printed,
    /// whatever its exit status.
    pub fn capture(&self, dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<Captured, GitError> {
        self.capture_env(dir, args, input, &[])
    }

    /// Like `capture`, with variables added to git's environment.
    pub fn capture_env(
        &self,
        dir: &Path,
        args: &[&str],
        input: Option<&[u8]>,
        vars: &[(&str, &str)],
    ) -> Result<Captured, GitError> {
        let input = input.map_or(Input::Null, Input::Bytes);
        self.call(
            dir,
            Call {
                args,
                input,
                vars,
                ..Call::default()
            },
        )
    }

    /// Like `capture`, for a command whose words (not only its
    /// machine-readable fields) the tool reads: git speaks English
    /// (`Call::parsed`). Never for one whose words the user reads.
    pub fn capture_parsed(&self, dir: &Path, args: &[&str], input: Option<&[u8]>) -> Result<Captured, GitError> {
        let input = input.map_or(Input::Null, Input::Bytes);
        self.call(
            dir,
            Call {
                args,
                input,
                parsed: true,
                ..Call::default()
            },
        )
    }

    /// Runs `call` in `dir`: the one way every git process starts.
    pub fn call(&self, dir: &Path, call: Call<'_>) -> Result<Captured, GitError> {
        let hooks = self
            .repo
            .and_then(|repo| repo.hooks_path)
            .map(|hooks| format!("core.hooksPath={}", hooks.display()));
        let with_hooks = |args: &[&'_ str]| -> Vec<String> {
            let mut all: Vec<String> = Vec::new();
            if let Some(setting) = &hooks {
                all.extend(["-c".to_string(), setting.clone()]);
            }
            all.extend(args.iter().map(|a| a.to_string()));
            all
        };
        let first = with_hooks(call.args);
        let second = call.into.map(with_hooks);
        self.spawn(self.exe, "git", &first, second.as_deref(), dir, call)
    }

    /// Runs `command` through `shell -c` in `dir` (the `--exec` command),
    /// with the same bookkeeping as git.
    pub fn shell(&self, shell: &str, command: &str, dir: &Path) -> Result<Captured, GitError> {
        let args = ["-c".to_string(), command.to_string()];
        self.spawn(Path::new(shell), shell, &args, None, dir, Call::default())
    }

    /// One command of a spawn, with the environment rules every git process
    /// gets.
    fn command(&self, exe: &Path, args: &[String], dir: &Path, call: &Call<'_>) -> duct::Expression {
        let os_args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let mut expr = duct::cmd(exe, os_args).dir(dir);
        if let Some(repo) = self.repo {
            // One operation per variable: duct gives no order between a
            // removal and a setting of the same name.
            let in_repo = dir == repo.toplevel;
            for name in repo.local_env.iter().filter(|n| !KEPT_LOCAL_ENV.contains(&n.as_str())) {
                expr = match name.as_str() {
                    "GIT_DIR" if in_repo => expr.env(name, repo.git_dir),
                    _ => expr.env_remove(name),
                };
            }
        }
        for (name, value) in self.env.iter().chain(call.vars) {
            expr = expr.env(name, value);
        }
        if call.parsed {
            // git's words are read here, so they are git's own (English):
            // `LC_ALL` outranks `LANG` and the other `LC_*`, and gettext
            // ignores `LANGUAGE` under the C locale.
            expr = expr.env("LC_ALL", "C");
        }
        expr
    }

    fn spawn(
        &self,
        exe: &Path,
        name: &str,
        args: &[String],
        into: Option<&[String]>,
        dir: &Path,
        call: Call<'_>,
    ) -> Result<Captured, GitError> {
        let mut argv = display_argv(name, args);
        let mut expr = self.command(exe, args, dir, &call);
        expr = match call.input {
            Input::Null => expr.stdin_null(),
            Input::Bytes(bytes) => expr.stdin_bytes(bytes.to_vec()),
            Input::File(path) => {
                argv.push_str(&format!(" < {}", path.display()));
                expr.stdin_path(path)
            }
        };
        if let Some(second) = into {
            argv.push_str(" | ");
            argv.push_str(&display_argv(name, second));
            expr = expr.pipe(self.command(exe, second, dir, &call));
        }
        let started = Instant::now();
        let expr = expr.stdout_capture().stderr_capture().unchecked();
        let handle = crate::signals::start(&expr, self.cleanup)
            .map_err(|source| GitError::Spawn {
                argv: argv.clone(),
                source,
            })?
            .ok_or_else(|| GitError::Interrupted { argv: argv.clone() })?;
        let waited = handle.wait().cloned();
        crate::signals::finished(&handle);
        let output = waited.map_err(|source| GitError::Spawn {
            argv: argv.clone(),
            source,
        })?;
        if crate::signals::interrupted() && !self.cleanup {
            return Err(GitError::Interrupted { argv });
        }
        let code = output.status.code();
        self.out.debug(|| {
            let note = call.note.map(|n| format!("  [{n}]")).unwrap_or_default();
            format!(
                "{argv}{note}  [{} in {}, {:.3}s]",
                code.map_or("killed".to_string(), |c| format!("exit {c}")),
                dir.display(),
                started.elapsed().as_secs_f64()
            )
        });
        Ok(Captured {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stdout_bytes: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            argv,
            code,
        })
    }
}

/// What a git process reads on its stdin.
#[derive(Debug, Clone, Copy, Default)]
pub enum Input<'c> {
    /// Nothing (`/dev/null`).
    #[default]
    Null,
    Bytes(&'c [u8]),
    /// A file, read by git itself (a large patch is never copied in memory).
    File(&'c Path),
}

/// One git process as `Git::call` runs it: every git process is one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call<'c> {
    pub args: &'c [&'c str],
    pub input: Input<'c>,
    /// Variables added to its environment.
    pub vars: &'c [(&'c str, &'c str)],
    /// Whether the tool reads git's words (messages meant for people, not
    /// only `--porcelain` fields): then git speaks English (`LC_ALL=C`).
    /// Not for commands whose words the user reads (hooks, conflicts).
    pub parsed: bool,
    /// A second git that reads this one's stdout (`git A | git B`); the
    /// whole pipe is one call, with the same environment rules for both.
    pub into: Option<&'c [&'c str]>,
    /// Said after the command in `--debug` (`[3 commits]`).
    pub note: Option<&'c str>,
}

/// Where the user's repository is, from one `git rev-parse` that honours
/// `GIT_DIR`, `GIT_WORK_TREE` and the rest as git does.
#[derive(Debug, Clone)]
pub struct Located {
    /// Where commands in the user's repository run: the top of the work tree,
    /// or of the main work tree when the tool runs inside one of its own
    /// worktrees (which a `--continue` or `--abort` removes).
    pub toplevel: PathBuf,
    /// The git directory those commands address (`GIT_DIR`).
    pub git_dir: PathBuf,
    /// The common git directory (shared by all worktrees).
    pub common_dir: PathBuf,
    /// Whether a hook that runs in the tool's worktree and may look at its
    /// files would run: `post-checkout` (as the worktree is made), `git am`'s
    /// `applypatch-msg`, `pre-applypatch` and `post-applypatch`, and
    /// `pre-push`; as seen from the user's work tree (a relative
    /// `core.hooksPath` names files in the work tree).
    pub tree_hooks: bool,
    /// Where the user's hooks are when `core.hooksPath` sets it, absolute:
    /// see `Repo::hooks_path`.
    pub hooks_path: Option<PathBuf>,
    /// git's repository-local variables, removed from every later command.
    pub local_env: Vec<String>,
    /// The tool runs inside this worktree of its own.
    pub inside: Option<PathBuf>,
}

impl Located {
    /// How every later git command addresses the repository.
    pub fn repo(&self) -> Repo<'_> {
        Repo {
            local_env: &self.local_env,
            toplevel: &self.toplevel,
            git_dir: &self.git_dir,
            hooks_path: self.hooks_path.as_deref(),
        }
    }
}

/// The hooks that run in the tool's worktree and may look at its files:
/// `post-checkout` (as the worktree is made), `git am`'s and `pre-push`.
const TREE_HOOKS: [&str; 5] = [
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-push",
    "post-checkout",
];

/// `git rev-parse` arguments that print where git runs each of `hooks`
/// from (`core.hooksPath` and all).
pub fn hook_path_args(hooks: &[&str]) -> Vec<String> {
    hooks
        .iter()
        .flat_map(|hook| ["--git-path".to_string(), format!("hooks/{hook}")])
        .collect()
}

/// Whether any of the hook paths `rev-parse` printed is a hook git runs.
pub fn any_hook<'p>(mut paths: impl Iterator<Item = &'p str>) -> bool {
    paths.any(|path| is_executable(Path::new(path)))
}

/// Where the repository is, or an error when `cwd` is not inside a work tree.
pub fn locate(git: &Git<'_>, cwd: &Path) -> anyhow::Result<Located> {
    let mut args = vec![
        "rev-parse".to_string(),
        "--local-env-vars".to_string(),
        "--path-format=absolute".to_string(),
        "--show-toplevel".to_string(),
        "--absolute-git-dir".to_string(),
        "--git-common-dir".to_string(),
        "--git-path".to_string(),
        "hooks".to_string(),
    ];
    args.extend(hook_path_args(&TREE_HOOKS));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let located = git.run(cwd, &args).failure(|| {
        failed("this is not inside a git work tree").hint("run git cherry-pick-pr inside your clone of the project")
    })?;
    let is_variable = |l: &&str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let local_env: Vec<String> = located.lines().take_while(is_variable).map(str::to_string).collect();
    let mut lines = located.lines().skip(local_env.len());
    let mut toplevel = PathBuf::from(lines.next().unwrap_or_default());
    let mut git_dir = PathBuf::from(lines.next().unwrap_or_default());
    let common_dir = PathBuf::from(lines.next().unwrap_or_default());
    // git names `<common dir>/hooks` unless `core.hooksPath` says otherwise.
    let mut hooks_path = Some(PathBuf::from(lines.next().unwrap_or_default()))
        .filter(|hooks| !hooks.as_os_str().is_empty() && *hooks != common_dir.join("hooks"));
    let tree_hooks = any_hook(lines);
    let inside = toplevel
        .starts_with(worktrees_dir(&common_dir))
        .then(|| toplevel.clone());
    if inside.is_some() {
        let repo = Repo {
            local_env: &local_env,
            toplevel: &common_dir,
            git_dir: &common_dir,
            hooks_path: None,
        };
        let listed = git.in_repo(repo).worktrees(&common_dir)?;
        // git lists the main work tree first; for a bare repository that
        // is the repository itself, which is where its commands run.
        let main = listed.into_iter().next().map(|w| w.path);
        let main = main.unwrap_or_else(|| common_dir.clone());
        // A relative `core.hooksPath` was resolved in this worktree; the
        // user's own git resolves it in the main one.
        if let Some(hooks) = &mut hooks_path
            && let Ok(relative) = hooks.strip_prefix(&toplevel)
        {
            *hooks = main.join(relative);
        }
        toplevel = main;
        git_dir = common_dir.clone();
    }
    Ok(Located {
        toplevel,
        git_dir,
        common_dir,
        tree_hooks,
        hooks_path,
        local_env,
        inside,
    })
}

/// Options that turn git's rerere on for one command of the tool's own
/// (`git am`, `git cherry-pick`), whatever the user's config says, which is
/// never changed: resolutions are recorded in, and reused from, the
/// repository's `rr-cache`, which every worktree shares.
pub const RERERE: [&str; 2] = ["-c", "rerere.enabled=true"];

/// Where the tool keeps its worktrees (and its state): under the
/// repository's common git directory, never inside a work tree.
pub fn worktrees_dir(common_dir: &Path) -> PathBuf {
    common_dir.join("cherry-pick-pr")
}

/// Whether git would run the hook at `path`.
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Repository-local variables that carry `git -c` settings: kept, as git
/// keeps them for commands in another repository.
const KEPT_LOCAL_ENV: [&str; 2] = ["GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"];

/// `git a b 'c d'`, for messages.
fn display_argv(name: &str, args: &[impl AsRef<str>]) -> String {
    let mut text = String::from(name);
    for arg in args.iter().map(AsRef::as_ref) {
        text.push(' ');
        if !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=+@#%,^~*".contains(c))
        {
            text.push_str(arg);
        } else {
            text.push('\'');
            text.push_str(&arg.replace('\'', "'\\''"));
            text.push('\'');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_is_quoted_only_where_needed() {
        assert_eq!(
            display_argv("git", &["fetch", "upstream", "+refs/heads/a:refs/remotes/u/a"]),
            "git fetch upstream +refs/heads/a:refs/remotes/u/a"
        );
        assert_eq!(
            display_argv("git", &["commit", "-m", "it's done", ""]),
            "git commit -m 'it'\\''s done' ''"
        );
    }

    #[test]
    fn errors_name_the_command_status_and_stderr() {
        let e = GitError::Exited {
            argv: "git fetch upstream".into(),
            code: Some(128),
            stderr: "fatal: no\n".into(),
        };
        assert_eq!(e.to_string(), "`git fetch upstream` exited with status 128:\nfatal: no");
        let e = GitError::Exited {
            argv: "git am".into(),
            code: None,
            stderr: String::new(),
        };
        assert_eq!(e.to_string(), "`git am` was killed by a signal");
    }

    #[test]
    fn runs_git_and_reports_failures() {
        let out = Output::new(false, true);
        let exe = find().expect("git on PATH");
        let git = Git::new(&exe, &out);
        let dir = std::env::temp_dir();
        assert!(
            git.run(&dir, &["--version"])
                .expect("git --version")
                .starts_with("git version")
        );
        let err = git.run(&dir, &["no-such-subcommand-xyz"]).unwrap_err();
        assert!(matches!(err, GitError::Exited { code: Some(1), .. }), "{err}");
        let captured = git
            .capture(&dir, &["hash-object", "--stdin"], Some(b"hello\n"))
            .expect("hash-object");
        assert!(captured.success);
        assert_eq!(captured.stdout.trim(), "ce013625030ba8dba906f756967f9e9ca394464a");
    }
}
