//! `cargo bench --bench backport`: the tool against the script's way and
//! against the floor, on a synthetic repository at realistic scale, with the
//! fake GitHub answering every request after a fixed latency (plain cases),
//! or behind a TLS proxy with real round trips (`tls`, `backport/tls.rs`).
//!
//! The repository (5,000 files, 20,000+ commits, 100 release branches, 500
//! tags, 100 pull requests merged with merge commits and 20 squash-merged
//! ones; the user's clone 40 commits behind) is made once
//! with `git fast-import` and cached under
//! `target/bench-cache/<VERSION>/<FILES>-files/`. Every run starts from a
//! fresh copy of the user's clone and fork (not timed).
//!
//! Environment: `BENCH_LATENCY_MS` (default 50), `BENCH_RUNS` (default 5),
//! `BENCH_CASES` (comma list of
//! `tool,script,floor,missing,fanout,landed,tls,files,memory,stale`; default
//! all but `files`, which makes a second repository of 50,000 files;
//! `memory` and `stale` need no synthetic repository), `BENCH_PRS` (the plain cases' PR
//! counts, default `1,5,20,100`), `BENCH_RTT_MS` (the `tls` case's round
//! trips, default `50,250`), `BENCH_FILES` (the plain cases on the
//! repository of that many files), `BENCH_TOOL` (another build of the tool
//! to measure instead), `BENCH_BASELINE` (another build, e.g. from before
//! `--pick`, run alongside in the `landed` case with no `--pick`, in the `fanout`
//! case, `backport/fanout.rs`, and in the `tls` case, where the tool, the
//! baseline and the floor then take turns and nothing else is measured, at
//! `BENCH_TLS_PRS` pull requests, default `1,20,100`),
//! `BENCH_DEBUG` (comma list of PR counts: instead of measuring, run the
//! tool once each with `--debug` and print its timings).

#[path = "backport/fanout.rs"]
mod fanout;
#[path = "backport/landed.rs"]
mod landed;
#[allow(dead_code)]
#[path = "../tests/testsuite/support/mod.rs"]
mod support;
#[path = "backport/tls.rs"]
mod tls;

use support::{fake_github, hermetic};

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, FakePull, TOKEN};

/// Bump when the generated repository changes.
const VERSION: &str = "v3";
const OWNER: &str = "kubesphere";
const NAME: &str = "kubesphere";
const USER: &str = "alice";
/// Files in the repository; the `files` case also makes one with `BIG_FILES`.
const FILES: usize = 5000;
const BIG_FILES: usize = 50_000;
/// Files no commit touches after the first, so every pull request applies to every release.
const STABLE: usize = 100;
const COMMITS: usize = 20_000;
const BEHIND: usize = 40;
const RELEASES: usize = 100;
const TAGS: usize = 500;
const PRS: usize = 100;
const FIRST_PR: u64 = 1001;
/// Squash-merged pull requests after those (two commits each), for the `landed` case.
const SQUASHED: usize = 20;
const FIRST_SQUASHED: u64 = FIRST_PR + PRS as u64;
const TARGETS: [&str; 10] = [
    "release-1.99",
    "release-1.98",
    "release-1.97",
    "release-1.96",
    "release-1.95",
    "release-1.94",
    "release-1.93",
    "release-1.92",
    "release-1.91",
    "release-1.90",
];
const IDENTITY: hermetic::Identity<'static> = hermetic::Identity {
    name: "Bench User",
    email: "bench@example.com",
    date: None,
};

fn main() {
    let root = target_dir().join("bench-cache").join(VERSION);
    let latency = Duration::from_millis(env_number("BENCH_LATENCY_MS", 50));
    let runs = env_number("BENCH_RUNS", 5).max(1) as usize;
    let cases = std::env::var("BENCH_CASES").unwrap_or_else(|_| DEFAULT_CASES.into());
    let wanted = |case: &str| cases.split(',').any(|c| c.trim() == case);
    let sizes = env_list("BENCH_PRS", &[1, 5, 20, 100]);

    let binary = build_tool();
    if wanted("memory") {
        println!("{}", memory(&binary));
    }
    if wanted("stale") {
        println!("{}", stale_fork(&binary));
    }
    // These two make their own small worlds: no synthetic repository needed.
    if cases.split(',').all(|c| ["memory", "stale"].contains(&c.trim())) {
        return;
    }
    // `BENCH_FILES=50000` runs the cases on the 50,000-file repository.
    let files = env_number("BENCH_FILES", FILES as u64) as usize;
    let world = World::get(&root.join(format!("{files}-files")), files);
    let fake = World::fake(&world, latency);
    let bench = Bench::plain(&world, &fake, &binary);

    if let Ok(list) = std::env::var("BENCH_DEBUG") {
        // Where the time goes: the tool's own --debug timings, one run each.
        for prs in list.split(',').filter_map(|n| n.trim().parse::<usize>().ok()) {
            bench.prepare();
            let (took, _, stderr) = bench.run_with(Kind::Tool, prs, 1, None, &["--debug"], &[]);
            eprintln!("{stderr}--- {prs} PR(s): {:.3}s wall\n", took.as_secs_f64());
        }
        return;
    }
    eprintln!("latency {} ms, {runs} runs per case", latency.as_millis());
    let mut rows: Vec<Row> = Vec::new();
    for &n in &sizes {
        let n = n as usize;
        if wanted("tool") {
            rows.push(bench.case(Kind::Tool, n, 1, runs));
        }
        if wanted("script") {
            rows.push(bench.case(Kind::Script, n, 1, runs));
        }
        if wanted("floor") {
            rows.push(bench.case(Kind::Floor, n, 1, runs));
        }
    }
    if wanted("missing") {
        label_candidates(&fake, true);
        rows.push(bench.case(Kind::Missing, PRS, 1, runs));
        label_candidates(&fake, false);
    }
    let baseline = std::env::var_os("BENCH_BASELINE").map(PathBuf::from);
    let mut fanout_table = String::new();
    if wanted("fanout") {
        let (fanout_rows, table) = fanout::cases(&world, &fake, &binary, baseline.as_deref(), runs);
        rows.extend(fanout_rows);
        fanout_table = table;
    }
    let mut out = String::new();
    if !rows.is_empty() {
        let worktree = bench.worktree_add(runs);
        let startup = startup(&binary, 50);
        out.push_str(&table(&rows, latency, worktree, startup));
        out.push_str(&fanout_table);
    }
    // The chart is of one target; the fan-out rows alone leave it as it was.
    if rows.iter().any(|r| r.targets == 1) {
        write_chart(
            "backport.svg",
            &chart(
                &format!(
                    "Wall time against number of PRs (one target, {} ms per request)",
                    latency.as_millis()
                ),
                &rows,
            ),
        );
    }
    if wanted("landed") {
        out.push_str(&landed::cases(&world, &fake, &binary, baseline.as_deref(), runs));
    }
    if wanted("tls") {
        let rtts = env_list("BENCH_RTT_MS", &[50, 250]);
        let tls_rows = tls_cases(
            &world,
            &fake,
            &binary,
            baseline.as_deref(),
            &rtts,
            runs,
            wanted("missing"),
        );
        out.push_str(&tls_table(&tls_rows));
        if let Some(&rtt) = rtts.iter().max() {
            let at: Vec<Row> = tls_rows
                .into_iter()
                .filter(|r| r.rtt == Some(rtt) && (r.variant.is_empty() || r.kind != Kind::Tool))
                .collect();
            write_chart(
                "backport-tls.svg",
                &chart(
                    &format!("Wall time against number of PRs over TLS, {rtt} ms round trip"),
                    &at,
                ),
            );
        }
    }
    if wanted("files") {
        drop(bench);
        drop(fake);
        let big = World::get(&root.join(format!("{BIG_FILES}-files")), BIG_FILES);
        let big_fake = World::fake(&big, latency);
        let small_fake = World::fake(&world, latency);
        let mut rows = Vec::new();
        for (w, f) in [(&world, &small_fake), (&big, &big_fake)] {
            let bench = Bench::plain(w, f, &binary);
            for prs in [1, 20] {
                rows.push((w.files, bench.case(Kind::Tool, prs, 1, runs)));
                rows.push((w.files, bench.case(Kind::Floor, prs, 1, runs)));
            }
        }
        out.push_str(&files_table(&rows, latency));
    }
    println!("{out}");
}

/// Every case but `files` (which makes a second, 50,000-file repository).
const DEFAULT_CASES: &str = "tool,script,floor,missing,fanout,tls,memory,stale";

/// The label that makes a merged pull request a candidate for release-1.99.
const CANDIDATE: &str = "cherrypick/release-1.99";

/// Labels every pull request of the plain cases (not the squash-merged ones
/// of the `landed` case) a candidate for release-1.99 (`on`), or takes the
/// label off again.
fn label_candidates(fake: &FakeGitHub, on: bool) {
    let mut state = fake.state.lock().expect("fake state");
    let first = FIRST_PR..FIRST_PR + PRS as u64;
    for pull in state.pulls.values_mut().filter(|p| first.contains(&p.number)) {
        pull.labels.retain(|l| l != CANDIDATE);
        if on {
            pull.labels.push(CANDIDATE.to_string());
        }
    }
}

fn write_chart(name: &str, svg: &str) {
    let chart_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches").join(name);
    match std::fs::write(&chart_path, svg) {
        Ok(()) => eprintln!("chart written to {}", chart_path.display()),
        Err(e) => eprintln!("could not write {}: {e}", chart_path.display()),
    }
}

fn env_list(name: &str, default: &[u64]) -> Vec<u64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The tool as cargo built it for this bench: the bench profile is the
/// release profile (what users install).
/// `BENCH_TOOL` names another build, to compare (e.g. before a change).
fn build_tool() -> PathBuf {
    std::env::var_os("BENCH_TOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_git-cherry-pick-pr")))
}

// ---------------------------------------------------------------------------
// Memory with a large patch

/// The peak memory of a run whose pull request adds a 33 MB file, against
/// the size of its patch and against `git am` of the same patch alone,
/// measured in the same run.
fn memory(binary: &Path) -> String {
    let world = support::World::new();
    let line = "a line of a large generated file, as a vendored dependency would have\n";
    let big = line.repeat(33 * 1024 * 1024 / line.len());
    let pr = world.pr(
        3796,
        "Vendor a large file",
        "",
        &[("Vendor a large file", &[("vendor/big.txt", big.as_str())])],
        true,
    );
    let patch_mb = pr.patch.len() as f64 / 1e6;
    // The tool: its own peak (from --debug), and the largest of it and the git it ran.
    let tool = world.command();
    let rss = world.root.path().join("rss");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss)
        .arg(binary)
        .args(["--yes", "--debug", "upstream/release-3.1", "3796"])
        .current_dir(&world.clone)
        .env_clear()
        .envs(tool.get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))))
        .stdin(Stdio::null());
    let output = timed.output().expect("run the tool under /usr/bin/time");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the tool failed:\n{stderr}");
    let any_kib = read_kib(&rss);
    let own_kib = stderr
        .lines()
        .find_map(|l| {
            l.split_once("peak memory of this process: ")
                .map(|(_, v)| v.to_string())
        })
        .and_then(|v| v.trim_end_matches(" kB").trim().parse::<u64>().ok())
        .unwrap_or_default();
    // The baseline: `git am` of the same patch, from a file, in a plain clone.
    let plain = world.root.path().join("plain");
    let env = world.env();
    hermetic::git(
        &env,
        world.root.path(),
        &[
            "clone",
            "--quiet",
            "--branch",
            "release-3.1",
            support::path(&world.upstream),
            support::path(&plain),
        ],
    );
    let patch_file = world.root.path().join("big.patch");
    std::fs::write(&patch_file, &pr.patch).expect("write the patch");
    let am = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss)
        .args(["git", "am", "-3", "--keep-cr", "--quiet"])
        .arg(&patch_file)
        .current_dir(&plain)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status()
        .expect("run git am under /usr/bin/time");
    assert!(am.success(), "git am of the large patch failed");
    let am_kib = read_kib(&rss);
    let mb = |kib: u64| kib as f64 * 1024.0 / 1e6;
    format!(
        "\n| large patch | patch | tool's own peak | tool or its git, peak | `git am` alone, peak | own / patch | peak / `git am` |\n\
         |---|---:|---:|---:|---:|---:|---:|\n\
         | 1 PR adding a 33 MB file | {patch_mb:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB | {:.2} | {:.2} |\n",
        mb(own_kib),
        mb(any_kib),
        mb(am_kib),
        mb(own_kib) / patch_mb,
        any_kib as f64 / am_kib.max(1) as f64,
    )
}

// ---------------------------------------------------------------------------
// The push to a stale fork

/// Bytes pushed to a fork N commits behind the upstream (its objects shared
/// with the upstream's through `objects/info/alternates`, as GitHub's fork
/// network shares them; its branches not updated), by the tool and by the
/// script's way (a plain `git push` of the same commit), counted exactly by a
/// `git receive-pack` that copies its input to a file; against the size of
/// the picked commit's own objects. And what the fork is asked, from
/// `GIT_TRACE_PACKET`: the push's negotiation (connections to `upload-pack`
/// and requests on them; none on a fork that is up to date, N = 0), and
/// every connection of the run to the fork's `upload-pack` (the `git
/// ls-remote` that lists its branches alongside the upstream fetch, then any
/// negotiation).
fn stale_fork(binary: &Path) -> String {
    let mut table = String::from(
        "\n| fork behind by | the tool pushes | the script's way pushes | the pick's own objects | the tool beyond them | push's negotiation: connections, requests | the run's connections to the fork's upload-pack |\n\
         |---:|---:|---:|---:|---:|---|---:|\n",
    );
    for behind in [0, 100, 1000] {
        let world = support::World::new();
        world.fork_shares_upstream_objects();
        world.simple_pr(3796, "Fix", 3);
        world.release_moves_on(behind);
        world.count_pushed_bytes();
        let trace = world.root.path().join("packets");
        let tool = world.command();
        let output = Command::new(binary)
            .args(["--yes", "upstream/release-3.1", "3796"])
            .current_dir(&world.clone)
            .env_clear()
            .envs(tool.get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))))
            .env("GIT_TRACE_PACKET", &trace)
            .stdin(Stdio::null())
            .output()
            .expect("run the tool");
        assert!(
            output.status.success(),
            "the tool failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let by_tool = world.pushed_bytes();
        let packets = std::fs::read_to_string(&trace).unwrap_or_default();
        // The push's negotiation comes after the fork's ref advertisement (the
        // first `push<` packet; the run's fetch from upstream is before it);
        // the tool's only `ls-remote` is of the fork.
        let asked = support::Connections::of(&packets);
        let (connections, requests) = (asked.negotiation, asked.negotiation_requests);
        let to_fork = asked.ls_remote + asked.negotiation;

        // The script's way: the same commit, pushed plainly to a fork that
        // advertises the same branches as before the tool's push.
        let branch = "automated-cherry-pick-of-#3796-upstream-release-3.1";
        let env = world.env();
        let git = |dir: &Path, args: &[&str]| hermetic::git(&env, dir, args);
        let pick = git(&world.fork, &["rev-parse", branch]).trim().to_string();
        git(&world.fork, &["update-ref", "-d", &format!("refs/heads/{branch}")]);
        let before = world.pushed_bytes();
        git(
            &world.clone,
            &[
                "push",
                "--force",
                "--quiet",
                "origin",
                &format!("{pick}:refs/heads/{branch}"),
            ],
        );
        let by_script = world.pushed_bytes() - before;
        // The pick's own objects: what the push could not avoid sending.
        let own = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "git rev-list --objects {pick} ^{pick}^ | git pack-objects --stdout -q | wc -c"
            ))
            .current_dir(&world.clone)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("pack the pick's own objects");
        let own: u64 = String::from_utf8_lossy(&own.stdout).trim().parse().unwrap_or_default();
        let kib = |b: u64| b as f64 / 1024.0;
        writeln!(
            table,
            "| {behind} commits | {:.1} KiB | {:.1} KiB | {:.1} KiB | {:.1} KiB | {connections}, {requests} | {to_fork} |",
            kib(by_tool),
            kib(by_script),
            kib(own),
            kib(by_tool.saturating_sub(own)),
        )
        .unwrap();
    }
    table
}

fn read_kib(file: &Path) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The synthetic repository

struct World {
    root: PathBuf,
    /// Files in the repository.
    files: usize,
    /// Where each run's fresh copy lives: `run/clone`, `run/alice/kubesphere.git`.
    run: PathBuf,
    template: PathBuf,
    upstream: PathBuf,
    home: PathBuf,
    prs: Vec<FakePull>,
    /// Each pull request's `merge_commit_sha`: its merge commit, or its squash commit.
    merges: Vec<(u64, String)>,
    /// Wraps git to log each invocation, for counting.
    counting_path: PathBuf,
}

impl World {
    fn get(root: &Path, files: usize) -> World {
        let world = World {
            root: root.to_path_buf(),
            files,
            run: root.join("run"),
            template: root.join("template"),
            upstream: root.join("remotes").join(OWNER).join(format!("{NAME}.git")),
            home: root.join("home"),
            prs: Vec::new(),
            merges: Vec::new(),
            counting_path: root.join("counting-bin"),
        };
        if !root.join("done").exists() {
            let started = Instant::now();
            eprintln!("generating the repository in {} (once)…", root.display());
            let _ = std::fs::remove_dir_all(root);
            world.generate();
            std::fs::write(root.join("done"), VERSION).expect("mark the cache done");
            eprintln!("generated in {:.1}s", started.elapsed().as_secs_f64());
        }
        let mut world = world;
        world.prs = world.load_prs();
        world.merges = world.load_merges();
        world
    }

    fn env(&self) -> Vec<(String, String)> {
        hermetic::env(&self.home, &IDENTITY)
    }

    /// A fake GitHub that knows this world's pull requests and holds every
    /// answer back `latency`.
    fn fake(&self, latency: Duration) -> FakeGitHub {
        let fake = FakeGitHub::start(OWNER, NAME, USER);
        for pr in &self.prs {
            fake.add_pull(pr.clone());
        }
        if !latency.is_zero() {
            for method in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
                fake.delay(method, "", latency);
            }
        }
        fake
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        hermetic::git(&self.env(), dir, args)
    }

    /// Feeds `stream` to `git fast-import` in the upstream repository;
    /// `marks`: where to export its marks.
    fn fast_import(&self, stream: &[u8], marks: Option<&Path>) {
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet", "--done"])
            .args(marks.map(|m| format!("--export-marks={}", m.display())))
            .current_dir(&self.upstream)
            .env_clear()
            .envs(self.env())
            .stdin(Stdio::piped())
            .spawn()
            .expect("run git fast-import");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stream)
            .expect("feed git fast-import");
        assert!(
            child.wait().expect("wait for fast-import").success(),
            "git fast-import failed"
        );
    }

    fn generate(&self) {
        hermetic::write_config(&self.home, &IDENTITY, "[gc]\n\tauto = 0\n");
        std::fs::create_dir_all(&self.counting_path).expect("counting bin");
        let real_git = which_git();
        let wrapper = self.counting_path.join("git");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$BENCH_GIT_LOG\"\nexec {} \"$@\"\n",
                real_git.display()
            ),
        )
        .expect("wrapper");
        Command::new("chmod").arg("+x").arg(&wrapper).status().expect("chmod");

        std::fs::create_dir_all(&self.upstream).expect("upstream dir");
        self.git(&self.upstream, &["init", "--quiet", "--bare"]);
        let mut clock = 1_600_000_000u64;

        // Phase 1: history, release branches, tags.
        let mut s = Vec::new();
        let mut mark = 0usize;
        let mut commit_marks = Vec::with_capacity(COMMITS);
        for i in 0..COMMITS - BEHIND {
            mark += 1;
            clock += 60;
            write_commit_header(&mut s, "refs/heads/master", mark, clock, &format!("Change {i}"));
            if i == 0 {
                for f in 0..self.files {
                    write_file(&mut s, &file_path(f), &file_content(f, None));
                }
            } else {
                let f = (i * 7919) % (self.files - STABLE);
                write_file(&mut s, &file_path(f), &file_content(f, Some(i)));
            }
            commit_marks.push(mark);
        }
        let history = commit_marks.len();
        for r in 0..RELEASES {
            // release-1.99 branches off 150 commits before the clone's master tip.
            let at = history - 150 - (RELEASES - 1 - r) * 150;
            mark += 1;
            clock += 60;
            let branch = format!("refs/heads/release-1.{r}");
            writeln!(s, "commit {branch}").ok();
            write_commit_meta(&mut s, mark, clock, &format!("Release 1.{r}"));
            writeln!(s, "from :{}", commit_marks[at]).ok();
            write_file(&mut s, "RELEASE", &format!("1.{r}\n"));
        }
        for t in 0..TAGS {
            let at = commit_marks[(t + 1) * (history / (TAGS + 1))];
            writeln!(s, "tag v0.{}.{}", t / 10, t % 10).ok();
            writeln!(s, "from :{at}").ok();
            writeln!(s, "tagger Release Bot <bot@example.com> {clock} +0000").ok();
            write_data(&mut s, format!("v0.{}.{}\n", t / 10, t % 10).as_bytes());
        }
        s.extend_from_slice(b"done\n");
        self.fast_import(&s, None);
        self.git(&self.upstream, &["repack", "-a", "-d", "-q"]);

        // The user's fork and clone, as of now.
        std::fs::create_dir_all(self.run.join(USER)).expect("run dir");
        let fork = self.run.join(USER).join(format!("{NAME}.git"));
        let clone = self.run.join("clone");
        self.git(
            &self.root,
            &["clone", "--quiet", "--bare", path(&self.upstream), path(&fork)],
        );
        self.git(&self.root, &["clone", "--quiet", path(&fork), path(&clone)]);
        self.git(&clone, &["remote", "add", "upstream", path(&self.upstream)]);
        self.git(&clone, &["fetch", "--quiet", "upstream"]);

        // Phase 2: upstream moves on: master, the targets, and the pull requests.
        let mut s = Vec::new();
        let mut mark = 0usize;
        for i in 0..BEHIND {
            mark += 1;
            clock += 60;
            write_commit_header(&mut s, "refs/heads/master", mark, clock, &format!("Later change {i}"));
            if i == 0 {
                writeln!(s, "from refs/heads/master^0").ok();
            }
            let f = ((COMMITS + i) * 7919) % (self.files - STABLE);
            write_file(&mut s, &file_path(f), &file_content(f, Some(COMMITS + i)));
        }
        for (t, target) in TARGETS.iter().enumerate() {
            for k in 0..2 {
                mark += 1;
                clock += 60;
                write_commit_header(
                    &mut s,
                    &format!("refs/heads/{target}"),
                    mark,
                    clock,
                    &format!("Backport {t}.{k}"),
                );
                if k == 0 {
                    writeln!(s, "from refs/heads/{target}^0").ok();
                }
                write_file(&mut s, "RELEASE", &format!("{target} patch {k}\n"));
            }
        }
        let mut pr_marks = Vec::new();
        let mut master = mark - TARGETS.len() * 2;
        // Each merged with a merge commit, as the default cases have always had them.
        for p in 0..PRS {
            let number = FIRST_PR + p as u64;
            let f = self.files - STABLE + p;
            let changed = file_content(f, None).replace("line 10\n", &format!("line 10 fixed by #{number}\n"));
            mark += 1;
            clock += 60;
            let head = mark;
            let branch = format!("refs/pull/{number}/head");
            writeln!(s, "commit {branch}").ok();
            write_commit_meta(&mut s, head, clock, &format!("Fix {number}\n\nThe fix for #{number}."));
            writeln!(s, "from :{master}").ok();
            write_file(&mut s, &file_path(f), &changed);
            mark += 1;
            clock += 60;
            writeln!(s, "commit refs/heads/master").ok();
            write_commit_meta(&mut s, mark, clock, &format!("Merge pull request #{number}"));
            writeln!(s, "from :{master}").ok();
            writeln!(s, "merge :{head}").ok();
            write_file(&mut s, &file_path(f), &changed);
            pr_marks.push((number, master, head, mark));
            master = mark;
        }
        // Then `SQUASHED` pull requests of two commits each (the change, then
        // a review's fixup of it), each squash-merged: one commit on master
        // with their whole change. Only the `landed` case picks them.
        for q in 0..SQUASHED {
            let number = FIRST_SQUASHED + q as u64;
            // The file of pull request #(FIRST_PR + q), as its merge left it.
            let f = self.files - STABLE + q;
            let before =
                file_content(f, None).replace("line 10\n", &format!("line 10 fixed by #{}\n", FIRST_PR + q as u64));
            let wip = before.replace("line 20\n", &format!("line 20 fixed by #{number} (wip)\n"));
            let done = before
                .replace("line 20\n", &format!("line 20 fixed by #{number}\n"))
                .replace("line 25\n", &format!("line 25 fixed by #{number}\n"));
            let branch = format!("refs/pull/{number}/head");
            mark += 1;
            clock += 60;
            writeln!(s, "commit {branch}").ok();
            write_commit_meta(&mut s, mark, clock, &format!("Fix {number}\n\nThe fix for #{number}."));
            writeln!(s, "from :{master}").ok();
            write_file(&mut s, &file_path(f), &wip);
            mark += 1;
            clock += 60;
            let head = mark;
            writeln!(s, "commit {branch}").ok();
            write_commit_meta(&mut s, head, clock, "Address review");
            write_file(&mut s, &file_path(f), &done);
            mark += 1;
            clock += 60;
            writeln!(s, "commit refs/heads/master").ok();
            write_commit_meta(
                &mut s,
                mark,
                clock,
                &format!("Fix {number} (#{number})\n\nThe fix for #{number}."),
            );
            writeln!(s, "from :{master}").ok();
            write_file(&mut s, &file_path(f), &done);
            pr_marks.push((number, master, head, mark));
            master = mark;
        }
        s.extend_from_slice(b"done\n");
        let marks = self.root.join("marks");
        self.fast_import(&s, Some(&marks));
        let marks_text = std::fs::read_to_string(&marks).expect("marks");
        let sha_of = |m: usize| -> String {
            marks_text
                .lines()
                .find_map(|l| l.strip_prefix(&format!(":{m} ")).map(str::to_string))
                .expect("a mark")
        };
        let patches = self.root.join("patches");
        std::fs::create_dir_all(&patches).expect("patches dir");
        let mut list = String::new();
        for (number, base, head, merge) in pr_marks {
            let (base, head, merge) = (sha_of(base), sha_of(head), sha_of(merge));
            let output = Command::new("git")
                .args(["format-patch", "--stdout", &format!("{base}..{head}")])
                .current_dir(&self.upstream)
                .env_clear()
                .envs(self.env())
                .output()
                .expect("format-patch");
            std::fs::write(patches.join(format!("{number}.patch")), output.stdout).expect("write patch");
            writeln!(list, "{number} {base} {head} {merge}").ok();
        }
        std::fs::write(self.root.join("prs.txt"), list).expect("prs.txt");
        self.git(&self.upstream, &["repack", "-q"]);
        copy_tree(&self.run, &self.template);
    }

    fn load_prs(&self) -> Vec<FakePull> {
        let list = std::fs::read_to_string(self.root.join("prs.txt")).expect("prs.txt");
        list.lines()
            .map(|line| {
                let parts: Vec<&str> = line.split(' ').collect();
                let number: u64 = parts[0].parse().expect("number");
                FakePull {
                    number,
                    title: format!("Fix {number}"),
                    body: format!("The fix for #{number}.\n\n```release-note\nFixed {number}.\n```\n"),
                    merged: true,
                    author: "bob".into(),
                    head_ref: format!("fix-{number}"),
                    head_sha: parts[2].into(),
                    base_ref: "master".into(),
                    base_sha: parts[1].into(),
                    labels: vec!["kind/bug".into()],
                    patch: std::fs::read(self.patch(number)).expect("patch"),
                    state: "closed".into(),
                }
            })
            .collect()
    }

    fn load_merges(&self) -> Vec<(u64, String)> {
        let list = std::fs::read_to_string(self.root.join("prs.txt")).expect("prs.txt");
        list.lines()
            .filter_map(|line| {
                let parts: Vec<&str> = line.split(' ').collect();
                Some((parts[0].parse().ok()?, parts.get(3)?.to_string()))
            })
            .collect()
    }

    fn patch(&self, number: u64) -> PathBuf {
        self.root.join("patches").join(format!("{number}.patch"))
    }

    /// A fresh copy of the user's git directory and fork (not timed). The
    /// clone's 5,000 files are copied once and then put back with `git reset
    /// --hard`, as a user's long-lived checkout would be: copying them before
    /// every run left the disk busy writing them back during the timed part.
    fn reset(&self) {
        let clone = self.clone_dir();
        let git_dir = clone.join(".git");
        if git_dir.exists() {
            for dir in [git_dir.clone(), self.run.join(USER), self.run.join("tmp")] {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).expect("remove the last run's copy");
                }
            }
            copy_tree(&self.template.join("clone").join(".git"), &git_dir);
            copy_tree(&self.template.join(USER), &self.run.join(USER));
            self.git(&clone, &["reset", "--quiet", "--hard"]);
            self.git(&clone, &["clean", "-fdxq"]);
        } else {
            if self.run.exists() {
                std::fs::remove_dir_all(&self.run).expect("remove the last run's copy");
            }
            copy_tree(&self.template, &self.run);
        }
        let _ = Command::new("sync").status();
    }

    fn clone_dir(&self) -> PathBuf {
        self.run.join("clone")
    }
}

fn which_git() -> PathBuf {
    let out = Command::new("sh").args(["-c", "command -v git"]).output().expect("sh");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status().expect("cp");
    assert!(status.success(), "cp -a {} {}", from.display(), to.display());
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn file_path(f: usize) -> String {
    format!("pkg/d{:02}/f{f:04}.go", f % 50)
}

fn file_content(f: usize, changed_by: Option<usize>) -> String {
    let mut text = format!("package d{:02}\n\n", f % 50);
    for line in 0..30 {
        match changed_by {
            Some(c) if line == c % 30 => writeln!(text, "// file {f} line {line} changed by {c}").ok(),
            _ => writeln!(text, "// file {f} line {line}").ok(),
        };
    }
    text
}

fn write_commit_header(s: &mut Vec<u8>, branch: &str, mark: usize, clock: u64, message: &str) {
    writeln!(s, "commit {branch}").ok();
    write_commit_meta(s, mark, clock, message);
}

fn write_commit_meta(s: &mut Vec<u8>, mark: usize, clock: u64, message: &str) {
    writeln!(s, "mark :{mark}").ok();
    writeln!(s, "author Dev One <dev@example.com> {clock} +0000").ok();
    writeln!(s, "committer Dev One <dev@example.com> {clock} +0000").ok();
    write_data(s, format!("{message}\n").as_bytes());
}

fn write_data(s: &mut Vec<u8>, data: &[u8]) {
    writeln!(s, "data {}", data.len()).ok();
    s.extend_from_slice(data);
    s.push(b'\n');
}

fn write_file(s: &mut Vec<u8>, name: &str, content: &str) {
    writeln!(s, "M 100644 inline {name}").ok();
    write_data(s, content.as_bytes());
}

// ---------------------------------------------------------------------------
// Measuring

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Tool,
    Script,
    Floor,
    /// `git-cherry-pick-pr --missing` on the targets, every pull request a candidate.
    Missing,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Script => "script",
            Kind::Floor => "floor",
            Kind::Missing => "--missing",
        }
    }
}

struct Row {
    kind: Kind,
    /// What differs from the plain case (empty: nothing), e.g. `HTTP/1.1`.
    variant: String,
    /// The round trip through the TLS proxy, in ms (`None`: plain HTTP to the fake).
    rtt: Option<u64>,
    /// What the TLS proxy saw: the last run's counts, the median `busy`.
    wire: Option<tls::Wire>,
    prs: usize,
    targets: usize,
    median: Duration,
    min: Duration,
    git: usize,
    http: usize,
    /// Peak RSS of the tool process itself, in KiB.
    rss_kib: Option<u64>,
}

struct Bench<'a> {
    world: &'a World,
    fake: &'a FakeGitHub,
    binary: &'a Path,
    /// Where the tool and the script reach the API.
    api: String,
    /// What else they need for it (the test CA).
    env: Vec<(String, String)>,
    proxy: Option<&'a tls::Proxy>,
    rtt: Option<u64>,
    /// The first pull request picked: N PRs are this one and the next N - 1.
    first_pr: u64,
}

const SCRIPT: &str = r#"set -eu
git remote update upstream origin >/dev/null 2>&1
git checkout -q -b "$BRANCH" "upstream/$TARGET"
for n in $PRS; do
  curl -fsS -H "Authorization: Bearer $TOKEN" -H "Accept: application/vnd.github.v3.patch" \
    "$API/repos/$OWNER/$NAME/pulls/$n" -o "$TMPDIR/$n.patch"
  git am -3 -q "$TMPDIR/$n.patch"
done
git push -q origin "$BRANCH" 2>/dev/null
curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d "{\"title\":\"[$TARGET] Automated cherry pick\",\"head\":\"$USER:$BRANCH\",\"base\":\"$TARGET\",\"body\":\"backport\"}" \
  "$API/repos/$OWNER/$NAME/pulls" -o "$TMPDIR/created.json"
number=$(sed -n 's/.*"number":\([0-9]*\).*/\1/p' "$TMPDIR/created.json")
curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"labels":["kind/bug"]}' "$API/repos/$OWNER/$NAME/issues/$number/labels" -o /dev/null
"#;

const FLOOR: &str = r#"set -eu
for target in $TARGETS; do
  git fetch -q --no-tags upstream "+refs/heads/$target:refs/remotes/upstream/$target"
  git worktree add -q --no-checkout --detach "$TMPDIR/wt-$target" "upstream/$target"
  git -C "$TMPDIR/wt-$target" read-tree HEAD
  git -C "$TMPDIR/wt-$target" am -3 -q $PATCHES
  git -C "$TMPDIR/wt-$target" push -q origin "HEAD:refs/heads/$BRANCH-$target" 2>/dev/null
  git worktree remove --force "$TMPDIR/wt-$target"
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
    -d "{\"title\":\"[$target] Automated cherry pick\",\"head\":\"$USER:$BRANCH-$target\",\"base\":\"$target\",\"body\":\"backport\"}" \
    "$API/repos/$OWNER/$NAME/pulls" -o "$TMPDIR/created.json"
  number=$(sed -n 's/.*"number":\([0-9]*\).*/\1/p' "$TMPDIR/created.json")
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
    -d '{"labels":["kind/bug"]}' "$API/repos/$OWNER/$NAME/issues/$number/labels" -o /dev/null
done
"#;

impl<'a> Bench<'a> {
    /// Plain HTTP to the fake, which holds its answers back.
    fn plain(world: &'a World, fake: &'a FakeGitHub, binary: &'a Path) -> Self {
        Bench {
            world,
            fake,
            binary,
            api: fake.url.clone(),
            env: Vec::new(),
            proxy: None,
            rtt: None,
            first_pr: FIRST_PR,
        }
    }

    fn case(&self, kind: Kind, prs: usize, targets: usize, runs: usize) -> Row {
        self.case_with(kind, prs, targets, runs, "", &[])
    }

    /// A case with `env` set for the tool (a variant named `variant`).
    fn case_with(
        &self,
        kind: Kind,
        prs: usize,
        targets: usize,
        runs: usize,
        variant: &str,
        env: &[(&str, &str)],
    ) -> Row {
        let mut times = Vec::new();
        let mut http = 0;
        // One warm-up run that also counts git processes and the peak RSS.
        let (git, rss_kib) = {
            self.prepare();
            let log = self.world.root.join("git.log");
            let _ = std::fs::remove_file(&log);
            let (_, rss, said) = self.run_with(kind, prs, targets, Some(&log), &[], env);
            if kind == Kind::Missing {
                // What it found: every candidate should be missing.
                for line in said.lines().filter(|l| l.contains("missing")) {
                    eprintln!("  {line}");
                }
            }
            let git = std::fs::read_to_string(&log).map(|t| t.lines().count()).unwrap_or(0);
            (git, rss)
        };
        let mut wires = Vec::new();
        for _ in 0..runs {
            self.prepare();
            let (took, _, _) = self.run_with(kind, prs, targets, None, &[], env);
            http = self.fake.requests().len();
            times.push(took);
            if let Some(proxy) = self.proxy {
                wires.push(proxy.take());
            }
        }
        times.sort();
        let wire = wires.last().cloned().map(|mut last| {
            let mut busy: Vec<Duration> = wires.iter().map(|w| w.busy).collect();
            busy.sort();
            last.busy = busy[busy.len() / 2];
            last
        });
        let row = Row {
            kind,
            variant: variant.to_string(),
            rtt: self.rtt,
            wire,
            prs,
            targets,
            median: times[times.len() / 2],
            min: times[0],
            git,
            http,
            rss_kib: if kind == Kind::Tool { rss_kib } else { None },
        };
        if let Some(w) = &row.wire {
            eprintln!(
                "  wire: {} connections, {} handshakes ({} h2), {} requests, at most {} at once, busy {:.3}s",
                w.connections,
                w.handshakes,
                w.h2,
                w.requests,
                w.most_in_flight,
                w.busy.as_secs_f64()
            );
        }
        eprintln!(
            "{:6}{}{} {:2} PR(s) x {} target(s): median {:.3}s (min {:.3}s), {} git, {} HTTP",
            kind.name(),
            if variant.is_empty() { "" } else { " " },
            variant,
            prs,
            targets,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            git,
            http
        );
        row
    }

    fn prepare(&self) {
        self.world.reset();
        let mut state = self.fake.state.lock().expect("fake state");
        state.requests.clear();
        state.pulls.retain(|&n, _| n < 9000);
        state.next_number = 9000;
        drop(state);
        if let Some(proxy) = self.proxy {
            proxy.take();
        }
    }

    fn numbers(&self, prs: usize) -> Vec<String> {
        (0..prs).map(|p| (self.first_pr + p as u64).to_string()).collect()
    }

    /// Runs one case once with `extra` arguments for the tool; the wall
    /// time, the peak RSS when counting, and what it wrote on stderr.
    fn run_with(
        &self,
        kind: Kind,
        prs: usize,
        targets: usize,
        count: Option<&Path>,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> (Duration, Option<u64>, String) {
        let (took, rss, said, ok) = self.try_run_with(kind, prs, targets, count, extra, env);
        assert!(ok, "{} with {prs} PR(s) failed:\n{said}", kind.name());
        (took, rss, said)
    }

    /// `run_with`, and whether the run succeeded (when it did not, what it
    /// said is its stdout, then its stderr).
    fn try_run_with(
        &self,
        kind: Kind,
        prs: usize,
        targets: usize,
        count: Option<&Path>,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> (Duration, Option<u64>, String, bool) {
        let clone = self.world.clone_dir();
        let numbers = self.numbers(prs);
        let tmp = self.world.run.join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        let rss_file = self.world.root.join("rss");
        let mut cmd = match (kind, count) {
            (Kind::Tool | Kind::Missing, Some(_)) => {
                let mut c = Command::new("/usr/bin/time");
                c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(self.binary);
                c
            }
            (Kind::Tool | Kind::Missing, None) => Command::new(self.binary),
            _ => {
                let mut c = Command::new("bash");
                c.arg("-c").arg(if kind == Kind::Script { SCRIPT } else { FLOOR });
                c
            }
        };
        if kind == Kind::Missing {
            cmd.arg("--missing").args(extra);
            for target in &TARGETS[..targets] {
                cmd.arg(format!("upstream/{target}"));
            }
        }
        if kind == Kind::Tool {
            cmd.arg("--yes").args(extra);
            for target in &TARGETS[..targets] {
                cmd.arg(format!("upstream/{target}"));
            }
            cmd.args(&numbers);
        }
        let patches: Vec<String> = numbers
            .iter()
            .map(|n| self.world.patch(n.parse().unwrap_or(0)).display().to_string())
            .collect();
        let mut path_var = std::env::var("PATH").unwrap_or_default();
        if let Some(log) = count {
            path_var = format!("{}:{path_var}", self.world.counting_path.display());
            cmd.env("BENCH_GIT_LOG", log);
        }
        cmd.current_dir(&clone)
            .envs(self.world.env())
            .env("PATH", path_var)
            .env("GITHUB_API_URL", &self.api)
            .env("GITHUB_TOKEN", TOKEN)
            .env("API", &self.api)
            .env("TOKEN", TOKEN)
            .env("OWNER", OWNER)
            .env("NAME", NAME)
            .env("USER", USER)
            .env("PRS", numbers.join(" "))
            .env("PATCHES", patches.join(" "))
            .env("TARGET", TARGETS[0])
            .env("TARGETS", TARGETS[..targets].join(" "))
            .env("BRANCH", format!("cherry-pick-{}-{prs}", numbers[0]))
            .env("TMPDIR", &tmp)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let output = cmd.output().expect("run a case");
        let took = started.elapsed();
        if !output.status.success() {
            let said = format!(
                "{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return (took, None, said, false);
        }
        let rss = count
            .filter(|_| kind == Kind::Tool)
            .and_then(|_| std::fs::read_to_string(&rss_file).ok())
            .and_then(|t| t.trim().lines().last().and_then(|l| l.trim().parse().ok()));
        let mut said = String::from_utf8_lossy(&output.stderr).into_owned();
        if kind == Kind::Missing {
            let listed = String::from_utf8_lossy(&output.stdout).lines().count();
            said.push_str(&format!("\n{listed} pull requests listed as missing\n"));
        }
        (took, rss, said, true)
    }

    /// `git worktree add` of a target with every file written, on the large
    /// repository, for reference: what the tool did before it wrote only the
    /// files the patches touch.
    fn worktree_add(&self, runs: usize) -> Duration {
        let mut times = Vec::new();
        for i in 0..runs {
            self.world.reset();
            let clone = self.world.clone_dir();
            let dir = self.world.run.join("tmp").join(format!("wt-{i}"));
            let started = Instant::now();
            self.world.git(
                &clone,
                &[
                    "worktree",
                    "add",
                    "--quiet",
                    "--detach",
                    path(&dir),
                    "upstream/release-1.99",
                ],
            );
            times.push(started.elapsed());
        }
        times.sort();
        times[times.len() / 2]
    }
}

/// The median wall time of `--version`.
fn startup(binary: &Path, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(binary)
                .arg("--version")
                .stdout(Stdio::null())
                .status()
                .expect("run --version");
            assert!(status.success());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

// ---------------------------------------------------------------------------
// Reporting

fn find(rows: &[Row], kind: Kind, prs: usize, targets: usize) -> Option<&Row> {
    rows.iter()
        .find(|r| r.kind == kind && r.prs == prs && r.targets == targets && r.variant.is_empty())
}

fn table(rows: &[Row], latency: Duration, worktree: Duration, startup: Duration) -> String {
    let mut t = String::new();
    writeln!(t, "latency per request: {} ms", latency.as_millis()).ok();
    writeln!(
        t,
        "\n| case | tool | script | floor | tool/floor | script/tool | git processes (tool / script / floor) | HTTP requests (tool / script / floor) | tool peak RSS |"
    )
    .ok();
    writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|").ok();
    let mut cases: Vec<(usize, usize)> = rows.iter().map(|r| (r.prs, r.targets)).collect();
    cases.dedup();
    cases.sort();
    cases.dedup();
    for (prs, targets) in cases {
        let tool = find(rows, Kind::Tool, prs, targets);
        let script = find(rows, Kind::Script, prs, targets);
        let floor = find(rows, Kind::Floor, prs, targets);
        let secs = |r: Option<&Row>| r.map_or("–".to_string(), |r| format!("{:.3} s", r.median.as_secs_f64()));
        let ratio = |a: Option<&Row>, b: Option<&Row>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}", a.median.as_secs_f64() / b.median.as_secs_f64()),
            _ => "–".to_string(),
        };
        let counts = |f: fn(&Row) -> usize| {
            [tool, script, floor]
                .iter()
                .map(|r| r.map_or("–".to_string(), |r| f(r).to_string()))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        writeln!(
            t,
            "| {prs} PR{} → {targets} target{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            if prs == 1 { "" } else { "s" },
            if targets == 1 { "" } else { "s" },
            secs(tool),
            secs(script),
            secs(floor),
            ratio(tool, floor),
            ratio(script, tool),
            counts(|r| r.git),
            counts(|r| r.http),
            tool.and_then(|r| r.rss_kib)
                .map_or("–".to_string(), |k| format!("{:.1} MB", k as f64 / 1024.0)),
        )
        .ok();
    }
    for row in rows.iter().filter(|r| r.kind == Kind::Missing) {
        writeln!(
            t,
            "\n`--missing upstream/release-1.99`, {} candidates: {:.3} s (min {:.3} s), {} git processes, {} HTTP requests",
            row.prs,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            row.git,
            row.http
        )
        .ok();
    }
    writeln!(
        t,
        "\ntool start-up (`--version`, median of 50): {:.2} ms",
        startup.as_secs_f64() * 1000.0
    )
    .ok();
    writeln!(
        t,
        "`git worktree add` of a target with a full checkout, for reference (neither the tool nor the floor writes every file): {:.3} s",
        worktree.as_secs_f64()
    )
    .ok();
    t
}

/// Wall time against the number of PRs (one target), a line per kind of
/// run, the PR axis logarithmic.
fn chart(title: &str, rows: &[Row]) -> String {
    let (w, h, left, bottom, top, right) = (640.0, 400.0, 60.0, 50.0, 40.0, 120.0);
    let rows: Vec<&Row> = rows.iter().filter(|r| r.targets == 1 && r.variant.is_empty()).collect();
    let mut xs: Vec<usize> = rows.iter().map(|r| r.prs).collect();
    xs.sort();
    xs.dedup();
    let max_x = xs.last().copied().unwrap_or(20).max(2) as f64;
    let max_y = rows.iter().map(|r| r.median.as_secs_f64()).fold(0.1f64, f64::max) * 1.1;
    let px = |prs: f64| left + prs.ln() / max_x.ln() * (w - left - right);
    let py = |secs: f64| h - bottom - secs / max_y * (h - top - bottom);
    let mut svg = String::new();
    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    )
    .ok();
    writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#).ok();
    writeln!(
        svg,
        r#"<text x="{}" y="20" text-anchor="middle" font-size="14">{title}</text>"#,
        w / 2.0,
    )
    .ok();
    // Axes, ticks and grid.
    writeln!(
        svg,
        r#"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="black"/>"#,
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    )
    .ok();
    for &x in &xs {
        writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{x}</text>"#,
            px(x as f64),
            h - bottom + 18.0
        )
        .ok();
    }
    writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">pull requests (logarithmic)</text>"#,
        (left + w - right) / 2.0,
        h - 10.0
    )
    .ok();
    let step = nice_step(max_y);
    let mut y = 0.0;
    while y <= max_y {
        writeln!(
            svg,
            r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#ddd"/><text x="{2}" y="{3}" text-anchor="end">{y:.1} s</text>"##,
            py(y),
            w - right,
            left - 6.0,
            py(y) + 4.0
        )
        .ok();
        y += step;
    }
    for (kind, color) in [
        (Kind::Script, "#d62728"),
        (Kind::Tool, "#1f77b4"),
        (Kind::Floor, "#2ca02c"),
    ] {
        let points: Vec<(f64, f64)> = xs
            .iter()
            .filter_map(|&x| {
                rows.iter()
                    .find(|r| r.kind == kind && r.prs == x)
                    .map(|r| (px(x as f64), py(r.median.as_secs_f64())))
            })
            .collect();
        if points.is_empty() {
            continue;
        }
        let list: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            list.join(" ")
        )
        .ok();
        for (x, y) in &points {
            writeln!(svg, r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{color}"/>"#).ok();
        }
        if let Some((x, y)) = points.last() {
            writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" fill="{color}">{}</text>"#,
                x + 8.0,
                y + 4.0,
                kind.name()
            )
            .ok();
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn nice_step(max: f64) -> f64 {
    for step in [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0] {
        if max / step <= 8.0 {
            return step;
        }
    }
    20.0
}

// ---------------------------------------------------------------------------
// TLS and round trips

/// The tool, the script's way and the floor through the TLS proxy at each
/// round trip: the tool as built (the proxy offering h2 and http/1.1; built
/// with `--features http2`, also with http/1.1 alone offered), and with
/// other caps on requests in flight; 1, 20 and 100 PRs (the script's way not at
/// 100: a minute per run at 250 ms). With a `baseline` build, only the tool,
/// the baseline and the floor, taking turns (`interleaved`).
fn tls_cases(
    world: &World,
    fake: &FakeGitHub,
    binary: &Path,
    baseline: Option<&Path>,
    rtts: &[u64],
    runs: usize,
    missing: bool,
) -> Vec<Row> {
    // The round trips are the proxy's now; the fake answers at once.
    let delays = std::mem::take(&mut fake.state.lock().expect("fake state").delays);
    let proxy = tls::Proxy::start(&fake.url, &world.root.join("tls"));
    let ca = proxy.ca_file.display().to_string();
    let mut rows = Vec::new();
    for &rtt in rtts {
        proxy.set_rtt(Duration::from_millis(rtt));
        eprintln!("TLS, round trip {rtt} ms, {runs} runs per case");
        let bench = Bench {
            world,
            fake,
            binary,
            api: proxy.url.clone(),
            env: vec![
                ("SSL_CERT_FILE".to_string(), ca.clone()),
                ("CURL_CA_BUNDLE".to_string(), ca.clone()),
            ],
            proxy: Some(&proxy),
            rtt: Some(rtt),
            first_pr: FIRST_PR,
        };
        if let Some(baseline) = baseline {
            let sizes = env_list("BENCH_TLS_PRS", &[1, 20, 100]);
            let other = Bench {
                binary: baseline,
                env: bench.env.clone(),
                api: bench.api.clone(),
                ..bench
            };
            for &prs in &sizes {
                let prs = prs as usize;
                let ways = [
                    (&bench, Kind::Tool, ""),
                    (&other, Kind::Tool, "baseline"),
                    (&bench, Kind::Floor, ""),
                ];
                rows.extend(interleaved(&ways, prs, runs));
            }
            continue;
        }
        for prs in [1, 20, 100] {
            rows.push(bench.case(Kind::Tool, prs, 1, runs));
            if cfg!(feature = "http2") {
                // A build that offers h2: against the same build over http/1.1.
                proxy.offer_h2(false);
                rows.push(bench.case_with(Kind::Tool, prs, 1, runs, "HTTP/1.1", &[]));
                proxy.offer_h2(true);
            }
            // What the cap on requests in flight costs (1 PR makes only 4 requests).
            for (variant, cap) in [("cap 8", "8"), ("cap 32", "32"), ("no cap", "1000")] {
                if prs > 1 {
                    rows.push(bench.case_with(Kind::Tool, prs, 1, runs, variant, &[("CHERRY_PICK_PR_IN_FLIGHT", cap)]));
                }
            }
            // What the one GraphQL query for many pull requests saves: a
            // GitHub without it gets one REST request per pull request.
            if prs > 8 {
                fake.without_graphql();
                rows.push(bench.case_with(Kind::Tool, prs, 1, runs, "REST only", &[]));
                fake.state.lock().expect("fake state").no_graphql = false;
            }
            if prs <= 20 {
                rows.push(bench.case(Kind::Script, prs, 1, runs));
            }
            rows.push(bench.case(Kind::Floor, prs, 1, runs));
            if prs == PRS && missing {
                label_candidates(fake, true);
                rows.push(bench.case(Kind::Missing, prs, 1, runs));
                label_candidates(fake, false);
            }
        }
    }
    fake.state.lock().expect("fake state").delays = delays;
    rows
}

/// Each of `ways` (a bench, what it runs, and its variant's name) on `prs`
/// pull requests onto one target: a warm-up run each that counts git
/// processes, then `runs` rounds of one run each in a rotated order, so
/// that a machine busier for a while slows them alike.
fn interleaved(ways: &[(&Bench<'_>, Kind, &str)], prs: usize, runs: usize) -> Vec<Row> {
    let mut git = Vec::new();
    for (bench, kind, _) in ways {
        bench.prepare();
        let log = bench.world.root.join("git.log");
        let _ = std::fs::remove_file(&log);
        bench.run_with(*kind, prs, 1, Some(&log), &[], &[]);
        git.push(std::fs::read_to_string(&log).map(|t| t.lines().count()).unwrap_or(0));
    }
    let mut times = vec![Vec::new(); ways.len()];
    let mut wires = vec![Vec::new(); ways.len()];
    let mut http = vec![0; ways.len()];
    for round in 0..runs {
        for k in 0..ways.len() {
            let w = (round + k) % ways.len();
            let (bench, kind, _) = ways[w];
            bench.prepare();
            let (took, _, _) = bench.run_with(kind, prs, 1, None, &[], &[]);
            times[w].push(took);
            http[w] = bench.fake.requests().len();
            if let Some(proxy) = bench.proxy {
                wires[w].push(proxy.take());
            }
        }
    }
    let mut rows = Vec::new();
    for (w, (bench, kind, variant)) in ways.iter().enumerate() {
        times[w].sort();
        let wire = wires[w].last().cloned().map(|mut last| {
            let mut busy: Vec<Duration> = wires[w].iter().map(|x| x.busy).collect();
            busy.sort();
            last.busy = busy[busy.len() / 2];
            last
        });
        let row = Row {
            kind: *kind,
            variant: variant.to_string(),
            rtt: bench.rtt,
            wire,
            prs,
            targets: 1,
            median: times[w][times[w].len() / 2],
            min: times[w][0],
            git: git[w],
            http: http[w],
            rss_kib: None,
        };
        eprintln!(
            "{:6}{}{} {:3} PR(s): median {:.3}s (min {:.3}s), {} git, {} HTTP",
            kind.name(),
            if variant.is_empty() { "" } else { " " },
            variant,
            prs,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            row.git,
            row.http
        );
        rows.push(row);
    }
    rows
}

fn tls_table(rows: &[Row]) -> String {
    let mut t = String::new();
    writeln!(
        t,
        "\n| round trip | PRs | run | wall | min | /floor | /baseline | script/this | git processes | connections | TLS handshakes (h2) | requests | most at once | HTTP busy |"
    )
    .ok();
    writeln!(
        t,
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    .ok();
    for row in rows {
        let same = |kind: Kind| {
            rows.iter()
                .find(|r| r.kind == kind && r.prs == row.prs && r.rtt == row.rtt && r.variant.is_empty())
        };
        let secs = row.median.as_secs_f64();
        let floor = match (row.kind, same(Kind::Floor)) {
            (Kind::Missing, _) | (_, None) => "–".to_string(),
            (_, Some(f)) => format!("{:.2}", secs / f.median.as_secs_f64()),
        };
        let script = match (row.kind, same(Kind::Script)) {
            (Kind::Tool, Some(s)) => format!("{:.2}", s.median.as_secs_f64() / secs),
            _ => "–".to_string(),
        };
        let baseline = rows
            .iter()
            .find(|r| r.kind == Kind::Tool && r.prs == row.prs && r.rtt == row.rtt && r.variant == "baseline");
        let baseline = match (row.kind, baseline) {
            (Kind::Tool, Some(b)) => format!("{:.2}", secs / b.median.as_secs_f64()),
            _ => "–".to_string(),
        };
        let name = if row.variant.is_empty() {
            row.kind.name().to_string()
        } else {
            format!("{}, {}", row.kind.name(), row.variant)
        };
        let w = row.wire.clone().unwrap_or_default();
        writeln!(
            t,
            "| {} ms | {} | {name} | {secs:.3} s | {:.3} s | {floor} | {baseline} | {script} | {} | {} | {} ({}) | {} | {} | {:.3} s |",
            row.rtt.unwrap_or_default(),
            row.prs,
            row.min.as_secs_f64(),
            row.git,
            w.connections,
            w.handshakes,
            w.h2,
            w.requests,
            w.most_in_flight,
            w.busy.as_secs_f64(),
        )
        .ok();
    }
    // HTTP time (busy) of the most pull requests against 20, per round trip
    // and variant of the tool.
    let most = rows.iter().map(|r| r.prs).max().unwrap_or_default();
    let busy = |rtt, prs, variant: &str| {
        rows.iter()
            .find(|r| r.kind == Kind::Tool && r.rtt == rtt && r.prs == prs && r.variant == variant)
            .and_then(|r| r.wire.as_ref())
            .map(|w| w.busy.as_secs_f64())
    };
    if most > 20 {
        writeln!(
            t,
            "\n| round trip | tool | HTTP busy, 20 PRs | {most} PRs | {most} / 20 |\n|---:|---|---:|---:|---:|"
        )
        .ok();
        let mut seen = Vec::new();
        for row in rows.iter().filter(|r| r.kind == Kind::Tool && r.prs == most) {
            if seen.contains(&(row.rtt, &row.variant)) {
                continue;
            }
            seen.push((row.rtt, &row.variant));
            if let (Some(twenty), Some(all)) = (busy(row.rtt, 20, &row.variant), busy(row.rtt, most, &row.variant)) {
                let name = if row.variant.is_empty() {
                    "as shipped"
                } else {
                    row.variant.as_str()
                };
                writeln!(
                    t,
                    "| {} ms | {name} | {twenty:.3} s | {all:.3} s | {:.2} |",
                    row.rtt.unwrap_or_default(),
                    all / twenty
                )
                .ok();
            }
        }
    }
    t
}

// ---------------------------------------------------------------------------
// Files in the repository

fn files_table(rows: &[(usize, Row)], latency: Duration) -> String {
    let mut t = String::new();
    writeln!(t, "\nfiles: plain HTTP, {} ms per request", latency.as_millis()).ok();
    writeln!(t, "\n| PRs | run | {FILES} files | {BIG_FILES} files | ratio |").ok();
    writeln!(t, "|---:|---|---:|---:|---:|").ok();
    for prs in [1, 20] {
        for kind in [Kind::Tool, Kind::Floor] {
            let at = |files: usize| {
                rows.iter()
                    .find(|(f, r)| *f == files && r.kind == kind && r.prs == prs)
                    .map(|(_, r)| r.median.as_secs_f64())
            };
            if let (Some(small), Some(big)) = (at(FILES), at(BIG_FILES)) {
                writeln!(
                    t,
                    "| {prs} | {} | {small:.3} s | {big:.3} s | {:.2} |",
                    kind.name(),
                    big / small
                )
                .ok();
            }
        }
    }
    t
}
