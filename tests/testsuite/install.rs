//! `./install.sh PREFIX` installs what `cargo install` cannot: afterwards
//! `git cherry-pick-pr` is found through PATH, its page through MANPATH (and
//! `git cherry-pick-pr --help` shows it), and bash and fish find its
//! completion.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn install_sh_puts_everything_where_each_tool_looks() {
    let prefix = tempfile::tempdir().unwrap();
    let p = prefix.path();
    let out = Command::new("bash")
        .arg(root().join("install.sh"))
        .arg(p)
        .env("BINARY", env!("CARGO_BIN_EXE_git-cherry-pick-pr"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("hint: add"), "PATH hint");

    let path = format!(
        "{}:{}",
        p.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let version = Command::new("git")
        .args(["cherry-pick-pr", "--version"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("git-cherry-pick-pr "));

    if Path::new("/usr/bin/man").exists() || std::env::var_os("CI").is_some() {
        let manpath = p.join("share/man");
        let found = Command::new("man")
            .args(["-w", "git-cherry-pick-pr"])
            .env("MANPATH", &manpath)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&found.stdout).trim(),
            p.join("share/man/man1/git-cherry-pick-pr.1").display().to_string()
        );
        // git turns `git cherry-pick-pr --help` into `man git-cherry-pick-pr`.
        let help = Command::new("git")
            .args(["cherry-pick-pr", "--help"])
            .env("PATH", &path)
            .env("MANPATH", &manpath)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("GIT-CHERRY-PICK-PR(1)"),
            "{}",
            String::from_utf8_lossy(&help.stderr)
        );
    }

    fish_finds_the_completions(p, &path);

    // bash-completion loads the installed file on demand, for git's completion too.
    let loader = Path::new("/usr/share/bash-completion/bash_completion");
    if !loader.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "bash-completion is missing; .ci/run installs it"
        );
        return;
    }
    let script = r#"
        source /usr/share/bash-completion/bash_completion
        declare -F _git_cherry_pick_pr >/dev/null && echo "loaded too early"
        COMP_LINE="git cherry-pick-pr --dr"; COMP_POINT=${#COMP_LINE}
        COMP_WORDS=(git cherry-pick-pr --dr); COMP_CWORD=2
        _completion_loader git
        __git_wrap__git_main
        declare -F _git_cherry_pick_pr >/dev/null && echo "function loaded"
        echo "${COMPREPLY[*]}"
    "#;
    let bash = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .env("PATH", &path)
        .env("XDG_DATA_HOME", p.join("share"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .current_dir(p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bash.stdout);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        vec!["function loaded", "--dry-run  --draft "],
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
}

/// A new fish whose data directory is the prefix's (as `~/.local/share` is
/// by default) runs the conf.d snippet at start-up and loads the completion
/// file on demand: both `git-cherry-pick-pr` and `git cherry-pick-pr` complete.
fn fish_finds_the_completions(prefix: &Path, path: &str) {
    let found = Command::new("sh")
        .args(["-c", "command -v fish"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "fish is missing; .ci/run installs it");
        eprintln!("skipped: fish is not installed");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("fish")
        .args([
            "-c",
            "complete -C 'git-cherry-pick-pr --si'; echo ---; complete -C 'git cherry-pick-pr --dr'",
        ])
        .env("PATH", path)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", prefix.join("share"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .current_dir(prefix)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let words: Vec<&str> = text.lines().map(|l| l.split('\t').next().unwrap_or_default()).collect();
    assert_eq!(
        words,
        vec!["--signoff", "---", "--draft", "--dry-run"],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
