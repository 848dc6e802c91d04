//! The GitHub side under stress: retries, timeouts, rate limits, explained
//! refusals, a patch too large for GitHub, every token source, and a token
//! that never leaks.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use crate::support::{FakeGitHub, Run, TOKEN, World, run_command};

const BRANCH: &str = "automated-cherry-pick-of-#3796-upstream-release-3.1";
const URL: &str = "https://github.com/kubesphere/kubesphere/pull/9000\n";

fn command(world: &World) -> Command {
    world.quick_retries()
}

fn run(world: &World, args: &[&str]) -> Run {
    run_command(command(world).args(args))
}

fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn server_error() -> serde_json::Value {
    json!({"message": "Server Error"})
}

#[test]
fn a_502_then_success_opens_exactly_one_pull_request() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .github
        .fault_times("GET", "/pulls/3796", 502, server_error(), &[], 1);
    world.github.fault_times("POST", "/pulls", 502, server_error(), &[], 1);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("GitHub answered 502");
    assert_eq!(run.stdout, URL);
    assert_eq!(world.github.created().len(), 1);
    assert_eq!(world.github.requests_to("POST", "/pulls").len(), 2);
    assert_eq!(world.github.requests_to("GET", "/pulls/3796").len(), 2);
}

#[test]
fn a_timeout_then_success() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .github
        .delay_times("GET", "/pulls/3796", Duration::from_secs(6), 1);
    let run = run_command(command(&world).env("CHERRY_PICK_PR_TIMEOUT_MS", "1500").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(0).stderr_has("no answer from GitHub");
    assert_eq!(run.stdout, URL);
    assert_eq!(world.github.created().len(), 1);
}

#[test]
fn a_rate_limit_that_resets_within_seconds_is_waited_out() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let reset = (epoch_seconds() + 1).to_string();
    world.github.fault_times(
        "GET",
        "/pulls/3796",
        403,
        json!({"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}),
        &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &reset)],
        1,
    );
    let started = Instant::now();
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("rate limit was reached");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(run.stdout, URL);
    assert_eq!(world.github.requests_to("GET", "/pulls/3796").len(), 2);
}

#[test]
fn a_rate_limit_that_resets_in_an_hour_is_an_error_with_the_time() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let reset = epoch_seconds() + 3600;
    world.github.fault_times(
        "GET",
        "/pulls/3796",
        403,
        json!({"message": "API rate limit exceeded for user ID 1."}),
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset.to_string()),
        ],
        usize::MAX,
    );
    let run = run_command(
        command(&world)
            .env("TZ", "UTC")
            .args(["--yes", "upstream/release-3.1", "3796"]),
    );
    let day = reset % 86_400;
    let time = format!("{:02}:{:02}:{:02} UTC", day / 3600, day % 3600 / 60, day % 60);
    run.expect_code(1)
        .stderr_has("rate limit")
        .stderr_has(&format!("until {time} (local time)"))
        .stderr_has(&format!("run the same command again after {time}"))
        .stderr_has("API rate limit exceeded");
    assert!(world.github.writes().is_empty());
    // Asked once (its JSON; no patch is downloaded): an hour is not waited out.
    assert_eq!(world.github.requests_to("GET", "/pulls/3796").len(), 1);
}

#[test]
fn retry_after_is_waited_out() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.fault_times(
        "POST",
        "/labels",
        429,
        json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
        &[("retry-after", "1")],
        1,
    );
    let started = Instant::now();
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0).stderr_has("secondary rate limit");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(world.github.requests_to("POST", "/labels").len(), 2);
    assert_eq!(
        world.github.created()[0].labels,
        vec!["do-not-merge/cherry-pick-not-approved"]
    );
}

#[test]
fn a_refused_token_says_how_to_make_one() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = run_command(command(&world).env("GITHUB_TOKEN", "ghp_WRONG_value_1234").args([
        "--yes",
        "upstream/release-3.1",
        "3796",
    ]));
    run.expect_code(1)
        .stderr_has("GitHub refused the token from GITHUB_TOKEN (401)")
        .stderr_has("https://github.com/settings/personal-access-tokens")
        .stderr_has("Pull requests: read and write")
        .stderr_has("Issues or Pull requests: write");
    assert!(!run.stderr.contains("WRONG_value"), "{}", run.stderr);
}

#[test]
fn a_permission_refusal_on_labels_is_a_warning_not_a_rate_limit() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.fault(
        "POST",
        "/labels",
        403,
        json!({"message": "Resource not accessible by personal access token", "documentation_url": "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue", "status": "403"}),
    );
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0)
        .stderr_has("warning: could not label PR #9000 (picks #3796)")
        .stderr_has("Resource not accessible by personal access token");
    assert_eq!(run.stdout, URL);
    assert_eq!(world.github.requests_to("POST", "/labels").len(), 1);
}

#[test]
fn a_missing_repository_or_private_one_is_explained() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let run = run(
        &world,
        &["--yes", "--repo", "kubesphere/secret", "upstream/release-3.1", "3796"],
    );
    run.expect_code(1)
        .stderr_has("PR #3796 was not found in kubesphere/secret")
        .stderr_has("private");
}

/// Pull request #3796 of two commits, whose patch GitHub will not make
/// (406: too large); master moved on first, so the user's clone never
/// fetched its base branch: its base commit arrives with refs/pull/N/head.
fn too_large_for_github(world: &World) -> crate::support::FakePull {
    world.commit_files(&[("pkg/c.go", "c\n")], "Master moves again");
    world.git(&world.work, &["push", "--quiet", "origin", "master"]);
    let current = world.git(&world.work, &["show", "master:pkg/a.go"]);
    let first = current.replace("a 3\n", "a 3 fixed\n");
    let second = first.replace("a 5\n", "a 5 fixed\n");
    let pr = world.pr(
        3796,
        "Fix the widget",
        "Body.",
        &[
            ("Fix the widget, part 1", &[("pkg/a.go", first.as_str())]),
            ("Fix the widget, part 2", &[("pkg/a.go", second.as_str())]),
        ],
        true,
    );
    world.github.fault_patch(
        3796,
        406,
        json!({"message": "Sorry, the diff exceeded the maximum number of files (300). Consider using 'List pull requests files' API or locally cloning the repository instead.", "errors": [{"resource": "PullRequest", "field": "diff", "code": "too_large"}], "documentation_url": "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files", "status": "406"}),
    );
    pr
}

#[test]
fn a_pull_request_too_large_for_github_is_patched_locally() {
    // Every patch is made here: GitHub is never asked for this one.
    let world = World::new();
    let pr = too_large_for_github(&world);
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_eq!(run.stdout, URL);
    let picked = world.commits(&world.fork, &format!("release-3.1..{BRANCH}"));
    let source = world.commits(&world.upstream, &format!("{}..{}", pr.base_sha, pr.head_sha));
    assert_eq!(picked.len(), 2);
    assert_eq!(picked, source);
    assert!(world.tool_dirs().is_empty());
    let patches = world
        .github
        .requests_to("GET", "/pulls/3796")
        .into_iter()
        .filter(|r| r.header("Accept").unwrap_or_default().contains("patch"))
        .count();
    assert_eq!(patches, 0);

    // Where git cannot make it either, the run stops and says both.
    let world = World::new();
    too_large_for_github(&world);
    let before = world.branches(&world.fork);
    let (mut cmd, _) = world.command_with_git(&["format-patch"]);
    let run = run_command(cmd.args(["--yes", "upstream/release-3.1", "3796"]));
    run.expect_code(1)
        .stderr_has("the patch of PR #3796 cannot be made here, and GitHub will not make it (too large")
        .stderr_has("git format-patch is broken in this test");
    assert_eq!(world.branches(&world.fork), before);
    assert!(world.github.writes().is_empty());
}

#[test]
fn the_token_never_leaks_while_github_keeps_failing() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world
        .github
        .fault("GET", "/pulls/3796", 503, json!({"message": "Service Unavailable"}));
    let run = run(&world, &["--yes", "--debug", "upstream/release-3.1", "3796"]);
    run.expect_code(1).stderr_has("503").stderr_has("githubstatus");
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    assert!(!run.stderr.contains("testTOKEN"), "{}", run.stderr);
    let requests = world.github.requests();
    assert!(requests.len() >= 5, "{} requests", requests.len());
    for request in requests {
        assert_eq!(
            request.header("Authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        for (name, value) in &request.headers {
            assert!(
                name.eq_ignore_ascii_case("Authorization") || !value.contains(TOKEN),
                "{name}: {value}"
            );
        }
        assert!(!request.path.contains(TOKEN) && !request.query.contains(TOKEN) && !request.body.contains(TOKEN));
    }
}

#[test]
fn a_redirect_to_another_host_does_not_carry_the_token() {
    let world = World::new();
    if world.prism.is_some() {
        return; // Prism would follow the redirect itself.
    }
    world.simple_pr(3796, "Fix the widget", 3);
    let elsewhere = FakeGitHub::start("kubesphere", "kubesphere", "mallory");
    let location = format!("{}/repos/kubesphere/kubesphere/pulls/3796", elsewhere.url);
    world.github.fault_times(
        "GET",
        "/pulls/3796",
        302,
        json!({}),
        &[("Location", &location)],
        usize::MAX,
    );
    let run = run(&world, &["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1);
    let seen = elsewhere.requests();
    assert!(!seen.is_empty());
    for request in seen {
        assert_eq!(request.header("Authorization"), None, "{request:?}");
    }
}

/// A directory of stub executables, put first on PATH.
struct Stubs {
    dir: tempfile::TempDir,
}

impl Stubs {
    fn new() -> Stubs {
        Stubs {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn add(&self, name: &str, script: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}

fn without_token(world: &World, stubs: &Stubs) -> Command {
    let mut cmd = command(world);
    cmd.env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env("PATH", stubs.path());
    cmd
}

fn log_path(stubs: &Stubs) -> String {
    stubs.dir.path().join("log").display().to_string()
}

#[test]
fn the_token_can_come_from_gh() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let stubs = Stubs::new();
    stubs.add(
        "gh",
        &format!(
            "#!/bin/sh\necho \"gh $*\" >> '{}'\nif [ \"$*\" = \"auth token --hostname github.com\" ]; then echo '{TOKEN}'; else exit 1; fi\n",
            log_path(&stubs)
        ),
    );
    let run = run_command(without_token(&world, &stubs).args(["--yes", "--debug", "upstream/release-3.1", "3796"]));
    run.expect_code(0).stderr_has("token: from `gh auth token`");
    assert!(!run.stderr.contains(TOKEN));
    assert_eq!(stubs.log(), "gh auth token --hostname github.com\n");
    assert_eq!(world.github.created().len(), 1);
}

/// A credential helper that answers `password` and logs each call.
fn credential_helper(world: &World, stubs: &Stubs, password: &str) {
    let helper = stubs.add(
        "helper",
        &format!(
            "#!/bin/sh\nlog='{}'\necho \"helper $1\" >> \"$log\"\nwhile read -r line && [ -n \"$line\" ]; do echo \"  $line\" | sed 's/password=.*/password=<given>/' >> \"$log\"; done\nif [ \"$1\" = get ]; then echo username=x-access-token; echo 'password={password}'; fi\n",
            log_path(stubs)
        ),
    );
    world.git(
        &world.clone,
        &["config", "credential.helper", &helper.display().to_string()],
    );
    // A `gh` that knows nothing: the tool goes on to git's helpers.
    stubs.add("gh", "#!/bin/sh\nexit 1\n");
}

#[test]
fn the_token_can_come_from_git_credential_helpers_and_is_approved() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let stubs = Stubs::new();
    credential_helper(&world, &stubs, TOKEN);
    let run = run_command(without_token(&world, &stubs).args(["--yes", "--debug", "upstream/release-3.1", "3796"]));
    run.expect_code(0).stderr_has("token: from git's credential helper");
    assert!(!run.stderr.contains(TOKEN));
    let log = stubs.log();
    assert!(
        log.starts_with("helper get\n  protocol=https\n  host=github.com\nhelper store\n"),
        "{log}"
    );
    assert!(log.contains("  password=<given>"), "{log}");
    assert!(!log.contains("erase"), "{log}");
}

#[test]
fn a_refused_credential_is_rejected() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let stubs = Stubs::new();
    credential_helper(&world, &stubs, "ghp_stale_credential");
    let run = run_command(without_token(&world, &stubs).args(["--yes", "upstream/release-3.1", "3796"]));
    run.expect_code(1)
        .stderr_has("GitHub refused the token from git's credential helper (401)");
    let log = stubs.log();
    assert!(log.contains("helper erase"), "{log}");
    assert!(!log.contains("helper store"), "{log}");
    assert!(!run.stderr.contains("stale_credential"));
}

/// `url.<local path>.insteadOf` lets a remote keep a GitHub URL while git
/// fetches from the local bare repository.
fn point_upstream_at(world: &World, url: &str, prefix: &str) {
    let remotes: &Path = world.upstream.parent().unwrap().parent().unwrap();
    world.git(
        &world.clone,
        &["config", &format!("url.{}/.insteadOf", remotes.display()), prefix],
    );
    world.git(&world.clone, &["remote", "set-url", "upstream", url]);
}

#[test]
fn every_remote_url_form_names_the_repository() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    for (url, prefix) in [
        ("https://github.com/kubesphere/kubesphere.git", "https://github.com"),
        ("https://github.com/kubesphere/kubesphere", "https://github.com"),
        ("git@github.com:kubesphere/kubesphere.git", "git@github.com:"),
        ("ssh://git@github.com/kubesphere/kubesphere.git", "ssh://git@github.com"),
        ("git://github.com/kubesphere/kubesphere.git", "git://github.com"),
    ] {
        point_upstream_at(&world, url, prefix);
        let run = run(&world, &["--dry-run", "--debug", "upstream/release-3.1", "3796"]);
        run.expect_code(0)
            .stderr_has("setting: repo = kubesphere/kubesphere (from the upstream remote's URL)");
        world.git(&world.clone, &["branch", "-D", BRANCH]);
        world.git(
            &world.clone,
            &["config", "--remove-section", &{
                let remotes: &Path = world.upstream.parent().unwrap().parent().unwrap();
                format!("url.{}/", remotes.display())
            }],
        );
    }
}

/// In the Prism mode, the judge is awake: a request that breaks GitHub's
/// description (labels must be an array) is reported.
#[test]
fn prism_reports_a_request_that_breaks_the_description() {
    let world = World::new();
    let Some(prism) = &world.prism else {
        return;
    };
    use std::io::{Read, Write};
    let address = world.api_url.trim_start_matches("http://");
    let body = r#"{"labels": 5}"#;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /repos/kubesphere/kubesphere/issues/1/labels HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let violations = prism.violations();
    assert!(violations.iter().any(|v| v.contains("request.body")), "{violations:?}");
}

#[test]
fn no_token_for_an_enterprise_host_names_that_host_not_github_com() {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    point_upstream_at(
        &world,
        "https://ghe.example.com/kubesphere/kubesphere.git",
        "https://ghe.example.com",
    );
    // A `gh` that knows no token for any host, and logs what it was asked;
    // no credential helper is configured anywhere (HOME and global config
    // are the world's own, system config is off).
    let stubs = Stubs::new();
    stubs.add(
        "gh",
        &format!("#!/bin/sh\necho \"gh $*\" >> '{}'\nexit 1\n", log_path(&stubs)),
    );
    let before = world.snapshot();
    let run = run_command(without_token(&world, &stubs).args(["--yes", "upstream/release-3.1", "3796"]));
    run.expect_code(1)
        .stderr_has("no GitHub token found for ghe.example.com")
        .stderr_has("gh auth login --hostname ghe.example.com")
        .stderr_has("https://ghe.example.com/settings/");
    assert!(!run.stderr.contains("github.com"), "{}", run.stderr);
    assert_eq!(stubs.log(), "gh auth token --hostname ghe.example.com\n");
    assert!(world.github.requests().is_empty());
    assert_eq!(world.snapshot(), before);
}

#[test]
fn never_more_than_sixteen_requests_in_flight_at_once() {
    // Twenty pull requests on a server without GraphQL: their twenty `GET`s
    // and the login want to go at once. The fake holds every answer until
    // seventeen are in flight, or for a second: a client without the cap
    // passes sixteen, one with it fills all sixteen slots and no more.
    let world = World::new();
    world.github.without_graphql();
    let numbers: Vec<u64> = (3796..3816).collect();
    for (i, number) in numbers.iter().enumerate() {
        let file = format!("pkg/new{i}.go");
        let message = format!("Add file {i}");
        world.pr(*number, &message, "", &[(&message, &[(&file, "package pkg\n")])], true);
    }
    world.github.hold_until_in_flight(17, Duration::from_secs(1));
    let mut args = vec!["--yes".to_string(), "upstream/release-3.1".to_string()];
    args.extend(numbers.iter().map(u64::to_string));
    let run = run_command(world.command().args(&args));
    run.expect_code(0);
    assert_eq!(world.github.most_in_flight(), 16);
    assert_eq!(world.github.created().len(), 1);
}
