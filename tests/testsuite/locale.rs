//! The user's language: under a translated locale (`zh_CN.UTF-8`, which
//! Debian's git translates; `.ci/run` generates the locale) the conflict,
//! push and hook paths behave as under the C locale, and what git says to
//! the user is in that language. The tool reads git's words only where it
//! pins git to English itself.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Run, World, run_command};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";
const LOCALE: &str = "zh_CN.UTF-8";

/// What git says for "failed to push some refs to", in `LOCALE`.
const PUSH_FAILED: &str = "无法推送一些引用到";

/// What `git status` says of a path in conflict ("both modified"), in
/// `LOCALE`.
const UNMERGED: &str = "双方修改";

/// Whether `git` speaks Chinese under `LOCALE`: the locale exists and that
/// git has its translations.
fn speaks_chinese(git: &Path) -> bool {
    let dir = tempfile::tempdir().expect("temp dir");
    let said = Command::new(git)
        .args(["rev-parse", "--git-dir"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CEILING_DIRECTORIES", dir.path())
        .env("LANG", LOCALE)
        .stdin(Stdio::null())
        .output();
    // "fatal: not a git repository": "不是 git 仓库".
    said.is_ok_and(|o| String::from_utf8_lossy(&o.stderr).contains("仓库"))
}

/// The git to run: the one on PATH, or Debian's when only it has the
/// translations (a git built from source may have none). `None`, with why,
/// when none speaks Chinese.
fn chinese_git() -> Result<PathBuf, String> {
    let on_path = which::which("git").map_err(|e| format!("no git on PATH ({e})"))?;
    for git in [on_path, PathBuf::from("/usr/bin/git")] {
        if speaks_chinese(&git) {
            return Ok(git);
        }
    }
    let installed = Command::new("locale")
        .arg("-a")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase())
        .unwrap_or_default();
    if !installed.lines().any(|l| l == "zh_cn.utf8" || l == "zh_cn.utf-8") {
        return Err(format!(
            "the {LOCALE} locale is not installed (`locale -a`); generate it as .ci/run does: \
             localedef -i zh_CN -f UTF-8 {LOCALE}"
        ));
    }
    Err(format!(
        "no git here has its {LOCALE} translations (Debian's git package has them)"
    ))
}

/// The tool as `world.command()` runs it, in `LOCALE`, with `git` first on
/// PATH.
fn in_chinese(world: &World, git: &Path, args: &[&str]) -> Run {
    let bin = world.root.path().join("zh-bin");
    if !bin.exists() {
        std::fs::create_dir_all(&bin).expect("bin dir");
        std::os::unix::fs::symlink(git, bin.join("git")).expect("link git");
    }
    let mut path = OsString::from(&bin);
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let mut cmd = world.command();
    cmd.env("PATH", path)
        .env("LANG", LOCALE)
        .env("LANGUAGE", "zh_CN")
        .env_remove("LC_ALL")
        .args(args);
    run_command(&mut cmd)
}

/// Runs `test` with the Chinese-speaking git, or says why it is skipped.
fn with_chinese_git(test: impl FnOnce(&Path)) {
    match chinese_git() {
        Ok(git) => test(&git),
        Err(why) => eprintln!("skipped: {why}"),
    }
}

/// A conflict stop lists the conflicting files itself (git's `git am`
/// words are not shown), so here only the behaviour is checked; the user's
/// own git, in the stopped worktree, speaks their language.
#[test]
fn a_conflict_stops_continues_and_finishes_in_the_users_language() {
    with_chinese_git(|git| {
        let world = World::new();
        world.conflict_on_release(3);
        world.simple_pr(3796, "Fix the widget", 3);
        let before = world.snapshot();

        let run = in_chinese(&world, git, &["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(3)
            .stderr_has("PR #3796 does not apply cleanly")
            .stderr_has("pkg/a.go")
            .stderr_has("--continue");
        assert!(world.github.writes().is_empty());
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
        let worktree = world.state_worktree();
        let status = Command::new(git)
            .args(["status"])
            .current_dir(&worktree)
            .env_clear()
            .envs(world.env())
            .env("LANG", LOCALE)
            .env_remove("LC_ALL")
            .output()
            .expect("git status");
        let status = String::from_utf8_lossy(&status.stdout);
        assert!(status.contains(UNMERGED), "{status}");

        let run = in_chinese(&world, git, &["--continue"]);
        run.expect_code(3)
            .stderr_has("PR #3796 still has conflicts")
            .stderr_has("pkg/a.go");

        world.resolve(&worktree);
        let run = in_chinese(&world, git, &["--continue"]);
        run.expect_code(0);
        assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
        assert_eq!(world.picked(BRANCH).len(), 1);
        assert!(world.branches(&world.fork).contains(&BRANCH.to_string()));
        assert!(world.state().is_none());
        assert!(!worktree.exists());
        assert_eq!(world.local_branches(), vec!["master"]);
        assert_eq!(world.snapshot(), before);
    });
}

#[test]
fn a_refusing_pre_push_hook_and_the_push_speak_the_users_language() {
    with_chinese_git(|git| {
        let world = World::new();
        world.simple_pr(3796, "Fix the widget", 3);
        let hook = world.hook("pre-push", "echo 'pre-push: tests must pass first' >&2\nexit 1\n");

        let run = in_chinese(&world, git, &["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1)
            .stderr_has("pre-push: tests must pass first")
            .stderr_has(PUSH_FAILED)
            .stderr_has("--continue");
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
        assert!(world.github.writes().is_empty());
        assert_eq!(world.state().unwrap()["jobs"][0]["phase"], "push");

        std::fs::remove_file(&hook).unwrap();
        let run = in_chinese(&world, git, &["--continue"]);
        run.expect_code(0);
        assert_eq!(run.stdout, "https://github.com/kubesphere/kubesphere/pull/9000\n");
        assert!(world.branches(&world.fork).contains(&BRANCH.to_string()));
        assert_eq!(world.picked(BRANCH).len(), 1);
        assert!(world.state().is_none());
        assert_eq!(world.local_branches(), vec!["master"]);
    });
}

#[test]
fn a_refusing_applypatch_msg_hook_stops_in_the_users_language() {
    with_chinese_git(|git| {
        let world = World::new();
        world.simple_pr(3796, "Fix", 3);
        let hook = world.hook("applypatch-msg", "echo 'applypatch-msg: no' >&2\nexit 1\n");
        let run = in_chinese(&world, git, &["--yes", "upstream/release-3.1", "3796"]);
        // Nothing is in conflict: not exit 3.
        run.expect_code(1)
            .stderr_has("applypatch-msg: no")
            .stderr_has("fix the cause");
        assert!(!run.stderr.contains("cherry-pick applied"));
        std::fs::remove_file(&hook).unwrap();
        in_chinese(&world, git, &["--continue"]).expect_code(0);
        assert_eq!(world.picked(BRANCH).len(), 1);
    });
}

/// The one message of git's that the tool reads, that a push's negotiation
/// failed, is read in any language: a push that fails for another reason
/// gives only that reason ("推送协商失败" is git's Chinese for it).
#[test]
fn a_failed_negotiating_push_says_only_why_it_failed_in_any_language() {
    with_chinese_git(|git| {
        let world = World::new();
        world.simple_pr(3796, "Fix", 3);
        world.release_moves_on(20);
        world.git(&world.clone, &["config", "protocol.version", "0"]);
        let hook = world.fork.join("hooks/pre-receive");
        std::fs::write(&hook, "#!/bin/sh\necho 'refused by the fork' >&2\nexit 1\n").unwrap();
        crate::support::set_executable(&hook);
        let run = in_chinese(&world, git, &["--yes", "upstream/release-3.1", "3796"]);
        run.expect_code(1).stderr_has("refused by the fork");
        for noise in ["negotiation failed", "推送协商失败", "--negotiate-only", "hung up"] {
            assert!(!run.stderr.contains(noise), "{}", run.stderr);
        }
        assert_eq!(world.branches(&world.fork), vec!["master", "release-3.1"]);
    });
}
