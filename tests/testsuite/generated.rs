//! The man page and completions are generated from the command's definition:
//! the committed files must be what the generator prints now, the page must
//! render without warnings, and each shell must really complete with them.

use std::path::{Path, PathBuf};
use std::process::Command;

const FILES: &[(&str, &str)] = &[
    ("man", "man/man1/git-cherry-pick-pr.1"),
    ("bash", "completions/git-cherry-pick-pr.bash"),
    ("zsh", "completions/_git-cherry-pick-pr"),
    ("fish", "completions/git-cherry-pick-pr.fish"),
    ("fish-git", "completions/git-cherry-pick-pr.conf.fish"),
    ("powershell", "completions/_git-cherry-pick-pr.ps1"),
    ("elvish", "completions/git-cherry-pick-pr.elv"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated(kind: &str) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_git-cherry-pick-pr"))
        .args(["--generate", kind])
        .current_dir(std::env::temp_dir())
        .env_remove("GITHUB_TOKEN")
        .output()
        .expect("run the generator");
    assert!(
        output.status.success(),
        "--generate {kind}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn the_committed_files_are_what_the_generator_prints() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (kind, path) in FILES {
        let want = generated(kind);
        let file = root().join(path);
        if std::fs::read(&file).ok().as_deref() != Some(&want[..]) {
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &want).unwrap();
            } else {
                stale.push(*path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}\nregenerate them with: UPDATE_GENERATED=1 cargo test --test testsuite generated"
    );
}

#[test]
fn the_generator_needs_no_repository_and_no_token() {
    // Run outside any repository, with no token: it still prints.
    assert!(String::from_utf8(generated("man")).unwrap().contains(".SH EXAMPLES"));
}

/// The exit statuses in the text between `start` and the next `end`: the
/// numbers that open a table row (README), a `.TP` tag (man page), or an
/// item of a comma-separated list (help).
fn exit_statuses(text: &str, start: &str, end: &str) -> Vec<u8> {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let section = &text[from..];
    let section = &section[..section.find(end).unwrap_or(section.len())];
    section
        .split(['\n', ','])
        .filter_map(|item| {
            let item = item.trim().trim_start_matches('|').trim_start_matches("\\fB").trim();
            item.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .collect()
}

/// Every exit status is documented in each place users look: `-h`,
/// `--help`, the man page and the README (130 was missing from the help).
#[test]
fn help_man_page_and_readme_list_every_exit_status() {
    let every = vec![0, 1, 2, 3, 130];
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert_eq!(exit_statuses(&readme, "## Exit status", "\n## "), every, "README");
    let page = String::from_utf8(generated("man")).unwrap();
    assert_eq!(exit_statuses(&page, ".SH \"EXIT STATUS\"", ".SH"), every, "man page");
    for flag in ["-h", "--help"] {
        let help = Command::new(env!("CARGO_BIN_EXE_git-cherry-pick-pr"))
            .arg(flag)
            .output()
            .expect("run the tool");
        let help = String::from_utf8_lossy(&help.stdout);
        assert_eq!(exit_statuses(&help, "Exit status:", "\n"), every, "{flag}");
        assert!(help.contains("130 interrupted"), "{flag}: {help}");
    }
}

/// Whether a tool the test needs is installed; in CI a missing one fails.
fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing; .ci/run installs it"
        );
        eprintln!("skipped: {tool} is not installed");
    }
    found
}

#[test]
fn the_man_page_renders_without_warnings() {
    let page = root().join("man/man1/git-cherry-pick-pr.1");
    if have("mandoc") {
        let lint = Command::new("mandoc")
            .args(["-T", "lint", "-W", "warning"])
            .arg(&page)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    if have("man") {
        let rendered = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&page)
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(rendered.status.success());
        assert!(
            String::from_utf8_lossy(&rendered.stderr).trim().is_empty(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        assert!(String::from_utf8_lossy(&rendered.stdout).contains("EXIT STATUS"));
    }
}

/// The committed page sits where man looks for it: from a clone,
/// `MANPATH=$PWD/man man git-cherry-pick-pr` shows it.
#[test]
fn man_finds_the_page_in_a_clone_through_manpath() {
    if !have("man") {
        return;
    }
    let manpath = root().join("man");
    let man = |args: &[&str]| {
        Command::new("man")
            .args(args)
            .env("MANPATH", &manpath)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .expect("run man")
    };
    let found = man(&["-w", "git-cherry-pick-pr"]);
    assert_eq!(
        String::from_utf8_lossy(&found.stdout).trim(),
        manpath.join("man1/git-cherry-pick-pr.1").display().to_string(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let shown = man(&["git-cherry-pick-pr"]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    assert!(String::from_utf8_lossy(&shown.stdout).contains("GIT-CHERRY-PICK-PR(1)"));
}

/// Runs git in `dir`, hermetically, and fails the test when git fails.
fn git_in(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with remotes `upstream` and `origin` and remote-tracking
/// branches, for the completions to offer.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git_in(dir.path(), args);
    git(&["init", "--quiet"]);
    git(&["commit", "--quiet", "--allow-empty", "-m", "x"]);
    for r in ["upstream/release-3.1", "upstream/release-3.0", "origin/master"] {
        git(&["update-ref", &format!("refs/remotes/{r}"), "HEAD"]);
    }
    git(&["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/master"]);
    git(&["remote", "add", "upstream", "/nowhere/upstream.git"]);
    git(&["remote", "add", "origin", "/nowhere/origin.git"]);
    dir
}

/// Remote-tracking branches whose names are shell code: git allows `$( )`,
/// `${ }` and backquotes in ref names, so a fetch from a coworker's fork can
/// bring them in. Each would create the file `pwned` in the repository.
const HOSTILE_BRANCHES: [&str; 2] = ["bob/x$(touch${IFS}pwned)", "bob/y`touch${IFS}pwned`"];

/// A remote named with shell code.
const HOSTILE_REMOTE: &str = "r$(touch${IFS}pwned)";

/// `repository()` with a remote and remote-tracking branches named with
/// shell code.
fn hostile_repository() -> tempfile::TempDir {
    let dir = repository();
    for branch in HOSTILE_BRANCHES {
        git_in(dir.path(), &["update-ref", &format!("refs/remotes/{branch}"), "HEAD"]);
    }
    git_in(dir.path(), &["remote", "add", HOSTILE_REMOTE, "/nowhere/r.git"]);
    dir
}

/// Fails when completing ran a name's shell code.
#[track_caller]
fn assert_not_run(repo: &Path) {
    assert!(
        !repo.join("pwned").exists(),
        "completing ran the shell code in a ref or remote name"
    );
}

/// A directory holding `git-cherry-pick-pr`, to put first on PATH.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_git-cherry-pick-pr"),
        dir.path().join("git-cherry-pick-pr"),
    )
    .unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// Completes each line of `$LINES` as bash would on TAB, and prints the
/// line, `| ` and the candidates.
const BASH: &str = r#"
source "$GIT_COMPLETION"
source "$OURS"
complete_line() {
    COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<< "$COMP_LINE"
    [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    if [ "${COMP_WORDS[0]}" = git ]; then __git_wrap__git_main; else _git_cherry_pick_pr; fi
    printf '%s| %s\n' "$1" "${COMPREPLY[*]}"
}
while IFS= read -r line; do
    complete_line "$line"
done <<< "$LINES"
"#;

/// What bash offers for each of `lines` in `repo`; None when git's bash
/// completion is not installed.
fn bash_candidates(repo: &Path, lines: &[&str]) -> Option<Vec<String>> {
    let git_completion = [
        "/usr/share/bash-completion/completions/git",
        "/etc/bash_completion.d/git",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists());
    let Some(git_completion) = git_completion else {
        assert!(
            std::env::var_os("CI").is_none(),
            "git's bash completion is missing; .ci/run installs it"
        );
        eprintln!("skipped: git's bash completion is not installed");
        return None;
    };
    let bin = bin_dir();
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", BASH])
        .current_dir(repo)
        .env("PATH", path_with(bin.path()))
        .env("GIT_COMPLETION", git_completion)
        .env("OURS", root().join("completions/git-cherry-pick-pr.bash"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LINES", lines.join("\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn bash_completes_through_gits_own_completion() {
    let repo = repository();
    let lines = [
        "git cherry-p",
        "git cherry-pick-pr --dr",
        "git cherry-pick-pr up",
        "git cherry-pick-pr --fork ",
        "git-cherry-pick-pr --si",
        "git-cherry-pick-pr ",
        "git-cherry-pick-pr --draft --fork u",
    ];
    let Some(found) = bash_candidates(repo.path(), &lines) else {
        return;
    };
    assert_eq!(
        found,
        vec![
            "git cherry-p| cherry-pick  cherry-pick-pr ",
            "git cherry-pick-pr --dr| --dry-run  --draft ",
            "git cherry-pick-pr up| upstream/release-3.0  upstream/release-3.1 ",
            "git cherry-pick-pr --fork | origin  upstream ",
            "git-cherry-pick-pr --si| --signoff",
            "git-cherry-pick-pr | origin/master upstream/release-3.0 upstream/release-3.1",
            "git-cherry-pick-pr --draft --fork u| upstream",
        ]
    );
}

/// A ref or remote name is never run as code (bash's `compgen -W` ran the
/// `$( )` in it), and it is offered quoted, so that the command line it goes
/// into passes it as it is.
#[test]
fn bash_never_runs_a_ref_name() {
    let repo = hostile_repository();
    let lines = [
        "git-cherry-pick-pr ",
        "git-cherry-pick-pr b",
        "git cherry-pick-pr bob/",
        "git-cherry-pick-pr --fork r",
        "git cherry-pick-pr --upstream r",
        "git-cherry-pick-pr bob/x$",
    ];
    let Some(found) = bash_candidates(repo.path(), &lines) else {
        return;
    };
    assert_not_run(repo.path());
    let x = r"bob/x\$\(touch\$\{IFS\}pwned\)";
    let y = r"bob/y\`touch\$\{IFS\}pwned\`";
    let r = r"r\$\(touch\$\{IFS\}pwned\)";
    assert_eq!(
        found,
        vec![
            format!("git-cherry-pick-pr | {x} {y} origin/master upstream/release-3.0 upstream/release-3.1"),
            format!("git-cherry-pick-pr b| {x} {y}"),
            format!("git cherry-pick-pr bob/| {x}  {y} "),
            format!("git-cherry-pick-pr --fork r| {r}"),
            format!("git cherry-pick-pr --upstream r| {r} "),
            format!("git-cherry-pick-pr bob/x$| {x}"),
        ]
    );
}

/// Runs `script` in a fish without user configuration, in a repository with
/// remotes and the tool on PATH; returns the candidates of each `complete -C`
/// (sections separated by `echo ---`).
fn fish_sections(script: &str) -> Vec<Vec<String>> {
    fish_sections_in(repository().path(), script)
}

/// `fish_sections` in `repo`.
fn fish_sections_in(repo: &Path, script: &str) -> Vec<Vec<String>> {
    let bin = bin_dir();
    let out = Command::new("fish")
        .args(["--no-config", "-c", script])
        .current_dir(repo)
        .env("PATH", path_with(bin.path()))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    text.split("---\n")
        .map(|s| {
            s.lines()
                .map(|l| l.split('\t').next().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn fish_completes_the_command_and_git_subcommand() {
    if !have("fish") {
        return;
    }
    let script = format!(
        "set -p fish_complete_path {dir}; complete -C 'git-cherry-pick-pr --dr'; echo ---; \
         source $__fish_data_dir/completions/git.fish; source {dir}/git-cherry-pick-pr.fish; \
         complete -C 'git cherry-pick-pr --dr'; echo ---; complete -C 'git cherry-pick-pr up'; echo ---; \
         complete -C 'git cherry-pick-pr --upstream '",
        dir = root().join("completions").display()
    );
    assert_eq!(
        fish_sections(&script),
        vec![
            vec!["--draft", "--dry-run"],
            vec!["--draft", "--dry-run"],
            vec!["upstream/release-3.0", "upstream/release-3.1"],
            vec!["origin", "upstream"]
        ]
    );
}

/// A new fish, where only the conf.d snippet has run (as fish runs it at
/// start-up): git's completion, loaded on demand, offers the subcommand, and
/// `git cherry-pick-pr …` completes through `git-cherry-pick-pr`'s file,
/// also loaded on demand. (fish 3.6's own support for `git-*` commands looks
/// for them under the wrong name; without the snippet this completes nothing.)
#[test]
fn fish_completes_the_git_subcommand_in_a_new_shell() {
    if !have("fish") {
        return;
    }
    let script = format!(
        "set -g fish_complete_path {dir} $__fish_data_dir/completions; source {dir}/git-cherry-pick-pr.conf.fish; \
         complete -C 'git cherry-p' | string match 'cherry-pick-pr*'; echo ---; \
         complete -C 'git cherry-pick-pr --dr'; echo ---; \
         complete -C 'git cherry-pick-pr --yes up'; echo ---; \
         complete -C 'git cherry-pick-pr --upstream '; echo ---; \
         complete -C 'git -C . cherry-pick-pr --fork o'",
        dir = root().join("completions").display()
    );
    assert_eq!(
        fish_sections(&script),
        vec![
            vec!["cherry-pick-pr"],
            vec!["--draft", "--dry-run"],
            vec!["upstream/release-3.0", "upstream/release-3.1"],
            vec!["origin", "upstream"],
            vec!["origin"],
        ]
    );
}

/// fish offers a ref or remote name as it is, and never runs it, from the
/// command's own completion and from the conf.d snippet's `git cherry-pick-pr`.
#[test]
fn fish_never_runs_a_ref_name() {
    if !have("fish") {
        return;
    }
    let repo = hostile_repository();
    let script = format!(
        "set -g fish_complete_path {dir} $__fish_data_dir/completions; source {dir}/git-cherry-pick-pr.conf.fish; \
         complete -C 'git-cherry-pick-pr b'; echo ---; \
         complete -C 'git cherry-pick-pr bob/'; echo ---; \
         complete -C 'git-cherry-pick-pr --fork r'; echo ---; \
         complete -C 'git cherry-pick-pr --fork r'; echo ---; \
         complete -C 'git cherry-pick-pr bob/x\\$'",
        dir = root().join("completions").display()
    );
    let found = fish_sections_in(repo.path(), &script);
    assert_not_run(repo.path());
    let (x, y) = (HOSTILE_BRANCHES[0], HOSTILE_BRANCHES[1]);
    assert_eq!(
        found,
        vec![
            vec![x, y],
            vec![x, y],
            vec![HOSTILE_REMOTE],
            vec![HOSTILE_REMOTE],
            vec![x],
        ]
    );
}

/// Drives zsh's completion system on a pseudo-terminal (zsh/zpty) and
/// records every candidate passed to compadd.
const ZSH: &str = r#"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=($COMPLETIONS \$fpath); autoload -U compinit; compinit -u -D; unsetopt beep"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits; builtin compadd -A __hits "$@"
  (( $#__hits )) && print -l -- $__hits >> $__out
  builtin compadd "$@"
}'
zpty -w z "__out=$OUT; : > \$__out"
zpty -w z 'zstyle ":completion:*" menu no'
zpty -w z "$LINE"$'\t'
zpty -w z $'\C-u''print DONE'
out=""
for i in {1..200}; do
  zpty -r -t z chunk && out+=$chunk
  [[ $out == *$'\n'DONE* ]] && break
  sleep 0.05
done
zpty -d z
"#;

fn zsh_candidates(repo: &Path, line: &str) -> Vec<String> {
    let out_file = repo.join(".zsh-candidates");
    let bin = bin_dir();
    let run = Command::new("zsh")
        .args(["-f", "-c", ZSH])
        .current_dir(repo)
        .env("PATH", path_with(bin.path()))
        .env("COMPLETIONS", root().join("completions"))
        .env("OUT", &out_file)
        .env("LINE", line)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&out_file).unwrap_or_default();
    let mut found: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn zsh_completes_the_command_and_git_subcommand() {
    if !have("zsh") {
        return;
    }
    let repo = repository();
    assert_eq!(
        zsh_candidates(repo.path(), "git-cherry-pick-pr --dr"),
        vec!["--draft", "--dry-run"]
    );
    // zsh's _git lists it among git's commands (with the description from the
    // file's second line) when git-cherry-pick-pr is on PATH.
    assert!(
        zsh_candidates(repo.path(), "git cherry-p").contains(&"cherry-pick-pr".to_string()),
        "git cherry-p<TAB> lacks cherry-pick-pr"
    );
    assert_eq!(
        zsh_candidates(repo.path(), "git cherry-pick-pr --dr"),
        vec!["--draft", "--dry-run"]
    );
    assert_eq!(
        zsh_candidates(repo.path(), "git cherry-pick-pr up"),
        vec!["upstream/release-3.0", "upstream/release-3.1"]
    );
    assert_eq!(
        zsh_candidates(repo.path(), "git cherry-pick-pr --upstream "),
        vec!["origin", "upstream"]
    );
}

/// zsh offers a ref or remote name as it is (and quotes it when it goes into
/// the line), and never runs it.
#[test]
fn zsh_never_runs_a_ref_name() {
    if !have("zsh") {
        return;
    }
    let repo = hostile_repository();
    let (x, y) = (HOSTILE_BRANCHES[0].to_string(), HOSTILE_BRANCHES[1].to_string());
    for line in ["git-cherry-pick-pr b", "git cherry-pick-pr bob/"] {
        assert_eq!(zsh_candidates(repo.path(), line), vec![x.clone(), y.clone()], "{line}");
    }
    for line in ["git-cherry-pick-pr --fork r", "git cherry-pick-pr --upstream r"] {
        assert_eq!(zsh_candidates(repo.path(), line), vec![HOSTILE_REMOTE], "{line}");
    }
    assert_not_run(repo.path());
}

/// Calls the elvish script's completer as elvish's line editor would, with
/// `edit:` stubbed (it exists only in an interactive elvish): prints each
/// candidate on a line, then `---` after each call.
const ELVISH: &str = r#"
var edit: = (ns [&complex-candidate~={|text &display=''| echo $text } &completion:=(ns [&arg-completer=[&]])])
eval (slurp < $E:OURS) &ns=(ns [&edit:=$edit:])
var complete~ = $edit:completion:arg-completer[git-cherry-pick-pr]
complete git-cherry-pick-pr '--dr'
echo ---
complete git-cherry-pick-pr --draft 'bob/x$(touch${IFS}pwned)' ''
echo ---
complete git-cherry-pick-pr --yes '`touch pwned`' '--fo'
"#;

/// elvish's script (from clap_complete) offers options only: nothing from
/// the repository, and the words already on the line are never run.
#[test]
fn elvish_completes_options_and_never_runs_a_word() {
    if !have("elvish") {
        return;
    }
    let repo = hostile_repository();
    let out = Command::new("elvish")
        .args(["-norc", "-c", ELVISH])
        .current_dir(repo.path())
        .env("OURS", root().join("completions/git-cherry-pick-pr.elv"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert_not_run(repo.path());
    let calls: Vec<Vec<&str>> = text.split("---\n").map(|s| s.lines().collect()).collect();
    assert_eq!(calls.len(), 3, "{text}");
    for candidates in &calls {
        assert!(candidates.contains(&"--dry-run"), "{candidates:?}");
        assert!(
            candidates.iter().all(|c| c.starts_with('-')),
            "only options: {candidates:?}"
        );
    }
}

/// PowerShell is not installed where the tests run, so its script (from
/// clap_complete) is checked as text: it completes options from fixed
/// strings, runs no command (no git, no Invoke-Expression, no script block
/// made from text), and reads the words on the line only as values.
#[test]
fn powershell_completes_from_fixed_strings_and_runs_nothing() {
    let script = String::from_utf8(generated("powershell")).unwrap();
    let lower = script.to_lowercase();
    for banned in [
        "invoke-expression",
        "iex ",
        "invoke-command",
        "start-process",
        "[scriptblock]::create",
        "$executioncontext",
        "& ",
        ". $",
    ] {
        assert!(!lower.contains(banned), "the PowerShell script has {banned:?}");
    }
    assert!(script.contains("[CompletionResult]::new('--dry-run', '--dry-run'"));
    // git is named in help texts only.
    for line in script
        .lines()
        .filter(|l| l.contains("git") && !l.contains("git-cherry-pick-pr"))
    {
        assert!(line.contains("[CompletionResult]::new("), "{line}");
    }
    // Every completion result is made from single-quoted literals.
    for line in script.lines().filter(|l| l.contains("[CompletionResult]::new(")) {
        let args = line.trim().trim_start_matches("[CompletionResult]::new(");
        assert!(args.starts_with('\''), "{line}");
        assert!(!args.contains('"') && !args.contains('$'), "{line}");
    }
}
