//! Hermetic git for the tests and the benchmark: its own HOME and global
//! config, no system config, a fixed identity, the C locale, no colour.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Who makes the commits.
pub struct Identity<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Fixes author and committer dates, when given.
    pub date: Option<&'a str>,
}

/// Writes `home/.gitconfig`: the identity, `master` as the first branch, no
/// detached-HEAD advice, and `extra` (more config text).
pub fn write_config(home: &Path, who: &Identity<'_>, extra: &str) {
    std::fs::create_dir_all(home).expect("home dir");
    let text = format!(
        "[user]\n\tname = {}\n\temail = {}\n[init]\n\tdefaultBranch = master\n[advice]\n\tdetachedHead = false\n{extra}",
        who.name, who.email
    );
    std::fs::write(home.join(".gitconfig"), text).expect("write .gitconfig");
}

/// The environment for every process (git, the tool, a script).
pub fn env(home: &Path, who: &Identity<'_>) -> Vec<(String, String)> {
    let home_text = home.to_string_lossy().into_owned();
    let config = home.join(".gitconfig").to_string_lossy().into_owned();
    let mut env: Vec<(&str, &str)> = vec![
        ("HOME", &home_text),
        ("GIT_CONFIG_GLOBAL", &config),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_AUTHOR_NAME", who.name),
        ("GIT_AUTHOR_EMAIL", who.email),
        ("GIT_COMMITTER_NAME", who.name),
        ("GIT_COMMITTER_EMAIL", who.email),
        ("LANG", "C"),
        ("LC_ALL", "C"),
        ("NO_COLOR", "1"),
    ];
    if let Some(date) = who.date {
        env.extend([("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)]);
    }
    let mut env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
    env
}

/// Runs git in `dir` with only `env`.
pub fn git_output(env: &[(String, String)], dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .expect("run git")
}

/// Runs git in `dir` with only `env` and returns its stdout; panics with
/// git's stderr when it fails.
#[track_caller]
pub fn git(env: &[(String, String)], dir: &Path, args: &[&str]) -> String {
    let output = git_output(env, dir, args);
    assert!(
        output.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
