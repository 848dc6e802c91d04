//! The release and the action agree: dist builds the four targets the action
//! downloads for (static Linux and both Macs), names the archives as the
//! action and cargo-binstall fetch them, and the action installs an archive
//! only when its SHA-256 is the one published beside it: its own download
//! step is run here, with a stand-in for curl that serves local files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The release's targets, and the runner (`RUNNER_OS-RUNNER_ARCH`) each is for.
const TARGETS: [(&str, &str); 4] = [
    ("x86_64-unknown-linux-musl", "Linux-X64"),
    ("aarch64-unknown-linux-musl", "Linux-ARM64"),
    ("x86_64-apple-darwin", "macOS-X64"),
    ("aarch64-apple-darwin", "macOS-ARM64"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The value of `key = [...]` or `key = "..."` in a TOML text, as its strings.
fn toml_strings(text: &str, key: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.split('=').next().is_some_and(|k| k.trim() == key))
        .unwrap_or_else(|| panic!("no `{key} =`"));
    let value = line.split_once('=').unwrap().1;
    value.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn dist_builds_the_four_targets_the_action_downloads_for() {
    let config = read("dist-workspace.toml");
    let mut targets = toml_strings(&config, "targets");
    targets.sort();
    let mut want: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    want.sort();
    assert_eq!(targets, want, "dist-workspace.toml's targets");
    assert_eq!(toml_strings(&config, "checksum"), ["sha256"]);
    // The archives carry the man page and the completions.
    let include = toml_strings(&config, "include");
    for dir in ["man/", "completions/"] {
        assert!(include.iter().any(|i| i == dir), "dist includes {dir}: {include:?}");
    }

    let action = read("action.yml");
    for (target, runner) in TARGETS {
        assert!(
            action.contains(&format!("{runner}) target={target} ;;")),
            "action.yml maps {runner} to {target}"
        );
    }

    // dist's own workflow, on version tags, with the matrix dist plans.
    let workflow = read(".github/workflows/release.yml");
    assert!(workflow.contains("dist build"), "release.yml builds with dist");
    assert!(
        workflow.contains("tags:\n      - '**[0-9]+.[0-9]+.[0-9]+*'"),
        "release.yml runs on version tags"
    );
    assert!(
        workflow.contains("gh release create"),
        "release.yml publishes a release"
    );
}

#[test]
fn cargo_binstall_and_the_action_fetch_what_dist_names() {
    // dist names an archive `NAME-TARGET.tar.xz`, a directory of that name inside.
    let manifest = read("Cargo.toml");
    assert_eq!(
        toml_strings(&manifest, "pkg-url"),
        ["{ repo }/releases/download/v{ version }/{ name }-{ target }.tar.xz"]
    );
    assert_eq!(
        toml_strings(&manifest, "bin-dir"),
        ["{ name }-{ target }/{ bin }{ binary-ext }"]
    );
    let action = read("action.yml");
    assert!(action.contains("/releases/download/$tag/git-cherry-pick-pr-$target.tar.xz"));
}

/// The `run:` script of the action's step named `name`.
fn step_script(name: &str) -> String {
    let action = read("action.yml");
    let from = action
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no step {name:?} in action.yml"));
    let step = &action[from..];
    let run = step.find("      run: |\n").expect("a run: | block") + "      run: |\n".len();
    step[run..]
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("        "))
        .map(|l| l.strip_prefix("        ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

const DOWNLOAD: &str = "Download git-cherry-pick-pr and check its SHA-256";

/// A release directory holding an archive laid out as dist lays it, whose
/// binary prints `version`, and its `.sha256` file.
fn release(dir: &Path, target: &str, version: &str) -> PathBuf {
    let name = format!("git-cherry-pick-pr-{target}");
    let top = dir.join("build").join(&name);
    std::fs::create_dir_all(&top).unwrap();
    let bin = top.join("git-cherry-pick-pr");
    std::fs::write(&bin, format!("#!/bin/sh\necho 'git-cherry-pick-pr {version}'\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let releases = dir.join("releases");
    std::fs::create_dir_all(&releases).unwrap();
    let archive = releases.join(format!("{name}.tar.xz"));
    let tar = Command::new("tar")
        .arg("-cJf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("build"))
        .arg(&name)
        .output()
        .unwrap();
    assert!(tar.status.success(), "{tar:?}");
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let hash = String::from_utf8(sum.stdout).unwrap();
    let hash = hash.split(' ').next().unwrap();
    // As dist writes it.
    std::fs::write(
        releases.join(format!("{name}.tar.xz.sha256")),
        format!("{hash} *{name}.tar.xz\n"),
    )
    .unwrap();
    archive
}

/// The download step, run as a runner runs it, with `curl` serving the last
/// path component of a URL from `dir/releases`.
fn run_download(dir: &Path, url: &str) -> (Output, String) {
    let fake = dir.join("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let curl = fake.join("curl");
    std::fs::write(
        &curl,
        format!(
            "#!/bin/sh\n\
             # The arguments after -o: the file, then the URL.\n\
             while [ \"$1\" != -o ]; do shift; done\n\
             exec cp \"{}/${{3##*/}}\" \"$2\" 2>/dev/null\n",
            dir.join("releases").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output_file = dir.join("github-output");
    std::fs::write(&output_file, "").unwrap();
    let root = dir.join("root");
    let _ = std::fs::remove_dir_all(&root);
    let out = Command::new("bash")
        .args(["-e", "-c", &step_script(DOWNLOAD)])
        .env(
            "PATH",
            format!("{}:{}", fake.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("URL", url)
        .env("ROOT", &root)
        .env("GITHUB_OUTPUT", &output_file)
        .env("TMPDIR", dir)
        .output()
        .unwrap();
    (out, std::fs::read_to_string(&output_file).unwrap())
}

#[test]
fn the_action_installs_a_release_archive_only_when_its_sha256_matches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let target = "x86_64-unknown-linux-musl";
    let archive = release(d, target, "0.9.0");
    let url =
        format!("https://github.com/o/git-cherry-pick-pr/releases/download/v0.9.0/git-cherry-pick-pr-{target}.tar.xz");

    // The archive as published: installed, and says so.
    let (out, outputs) = run_download(d, &url);
    assert!(out.status.success(), "{out:?}");
    assert!(outputs.contains("installed=true"), "{outputs:?}");
    let installed = Command::new(d.join("root/bin/git-cherry-pick-pr")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&installed.stdout), "git-cherry-pick-pr 0.9.0\n");

    // Another archive in its place (a whole one, that unpacks): the step
    // fails, and installs nothing.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(release(other.path(), target, "6.6.6"), &archive).unwrap();
    let (out, outputs) = run_download(d, &url);
    assert!(!out.status.success(), "a changed archive is refused: {out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error::"), "{out:?}");
    assert!(!outputs.contains("installed=true"));
    assert!(!d.join("root/bin/git-cherry-pick-pr").exists());

    // A checksum file that is no checksum: refused too.
    std::fs::write(
        d.join(format!("releases/git-cherry-pick-pr-{target}.tar.xz.sha256")),
        "Not Found\n",
    )
    .unwrap();
    let (out, _) = run_download(d, &url);
    assert!(!out.status.success(), "{out:?}");

    // No release at all (a fork's own tag): the step passes without
    // installing, and the build from source takes over.
    std::fs::remove_dir_all(d.join("releases")).unwrap();
    let (out, outputs) = run_download(d, &url);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("::warning::"), "{out:?}");
    assert!(!outputs.contains("installed=true"));
}

#[test]
fn the_action_downloads_for_a_release_tag_and_builds_from_source_otherwise() {
    let name = step_script("Name the build");
    // The same crate as an action checked out at REF: GITHUB_ACTION_PATH ends
    // in OWNER/REPO/REF, as the runner lays it.
    let dir = tempfile::tempdir().unwrap();
    let version = toml_strings(&read("Cargo.toml"), "version")[0].clone();
    let cases = [
        (format!("v{version}"), true),
        (format!("v{}", version.split('.').next().unwrap()), true),
        ("main".to_string(), false),
        ("v999.0.0".to_string(), false),
    ];
    for (reference, downloads) in cases {
        let action_path = dir.path().join("_actions/o/git-cherry-pick-pr").join(&reference);
        std::fs::create_dir_all(&action_path).unwrap();
        for file in ["Cargo.toml", "Cargo.lock"] {
            std::fs::copy(root().join(file), action_path.join(file)).unwrap();
        }
        std::fs::create_dir_all(action_path.join("src")).unwrap();
        std::fs::copy(root().join("src/main.rs"), action_path.join("src/main.rs")).unwrap();
        let output_file = dir.path().join("github-output");
        std::fs::write(&output_file, "").unwrap();
        let out = Command::new("bash")
            .args(["-e", "-c", &name])
            .env("GITHUB_ACTION_PATH", &action_path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("RUNNER_TEMP", dir.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            // What a composite action's `github.action_ref` often is: empty.
            .env("ACTION_REF", "")
            .env("ACTION_REPO", "")
            .output()
            .unwrap();
        assert!(out.status.success(), "{reference}: {out:?}");
        let outputs = std::fs::read_to_string(&output_file).unwrap();
        let url = format!(
            "url=https://github.com/o/git-cherry-pick-pr/releases/download/v{version}/git-cherry-pick-pr-x86_64-unknown-linux-musl.tar.xz"
        );
        assert_eq!(outputs.contains(&url), downloads, "{reference}: {outputs}");
        assert!(outputs.contains("key=git-cherry-pick-pr-Linux-X64-"), "{outputs}");
    }
}
