//! The `landed` case: what `--pick=landed` and `-x` cost against
//! `--pick=commits` (the default), 1 and 20 pull requests onto one target,
//! on pull requests merged with a merge commit (`#1001`…) and on
//! squash-merged ones of two commits each (`#1101`…), in the same run. The
//! ways' runs are interleaved (each round runs every way once, in a rotated
//! order), so a machine that is busier for a while slows them alike.
//! `BENCH_BASELINE` names another build (e.g. from before `--pick`), run
//! alongside with no `--pick`.
//!
//! The fake gives every pull request its `merge_commit_sha` for this case
//! only (the plain cases run as before, without it). The warm-up run of
//! each way counts git processes by subcommand (the logging wrapper writes
//! each top-level invocation's arguments, kept as
//! `target/bench-cache/<VERSION>/5000-files/git-landed-<first PR>-<PRs>-<way>.log`),
//! what the new pull request's body
//! says was picked as it landed, and the `cherry picked from` lines pushed.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::{Bench, FIRST_PR, FIRST_SQUASHED, FakeGitHub, Kind, USER, World};

/// One way of running the tool.
struct Way<'a> {
    name: &'static str,
    binary: &'a Path,
    args: &'static [&'static str],
}

struct Measured {
    merged_as: &'static str,
    prs: usize,
    way: &'static str,
    median: Duration,
    min: Duration,
    git: usize,
    fetches: usize,
    format_patches: usize,
    http: usize,
    /// Pull requests the new pull request's body says are picked as they landed.
    as_landed: usize,
    /// `(cherry picked from commit …)` lines in the commits pushed.
    origins: usize,
}

/// Measures every way on both kinds of pull request; the table.
pub fn cases(world: &World, fake: &FakeGitHub, binary: &Path, baseline: Option<&Path>, runs: usize) -> String {
    let saved = std::mem::take(&mut fake.state.lock().expect("fake state").merge_commits);
    for (number, sha) in &world.merges {
        fake.set_merge_commit(*number, sha);
    }
    let mut ways = vec![
        Way {
            name: "--pick=commits",
            binary,
            args: &["--pick=commits"],
        },
        Way {
            name: "--pick=landed",
            binary,
            args: &["--pick=landed"],
        },
        Way {
            name: "-x",
            binary,
            args: &["-x"],
        },
    ];
    if let Some(baseline) = baseline {
        ways.push(Way {
            name: "baseline",
            binary: baseline,
            args: &[],
        });
    }
    let mut measured = Vec::new();
    for (merged_as, first) in [("merge commit", FIRST_PR), ("squash", FIRST_SQUASHED)] {
        for prs in [1, 20] {
            measured.extend(measure(world, fake, &ways, merged_as, first, prs, runs));
        }
    }
    fake.state.lock().expect("fake state").merge_commits = saved;
    table(&measured, baseline)
}

/// Every way on `prs` pull requests from `first`: a warm-up run each that
/// counts, then `runs` rounds of one run each.
fn measure(
    world: &World,
    fake: &FakeGitHub,
    ways: &[Way<'_>],
    merged_as: &'static str,
    first: u64,
    prs: usize,
    runs: usize,
) -> Vec<Measured> {
    let benches: Vec<Bench<'_>> = ways
        .iter()
        .map(|way| {
            let mut bench = Bench::plain(world, fake, way.binary);
            bench.first_pr = first;
            bench
        })
        .collect();
    let mut counted = Vec::new();
    for (way, bench) in ways.iter().zip(&benches) {
        bench.prepare();
        // Kept for a look at what ran: `git-landed-1101-20-landed.log`.
        let log = world.root.join(format!(
            "git-landed-{first}-{prs}-{}.log",
            way.name.trim_start_matches('-').replace("pick=", "")
        ));
        let _ = std::fs::remove_file(&log);
        bench.run_with(Kind::Tool, prs, 1, Some(&log), way.args, &[]);
        let lines = std::fs::read_to_string(&log).unwrap_or_default();
        let subcommands: Vec<&str> = lines.lines().filter_map(subcommand).collect();
        let body: String = fake
            .requests_to("POST", "/pulls")
            .iter()
            .map(|r| r.body.clone())
            .collect();
        counted.push((
            lines.lines().count(),
            subcommands.iter().filter(|&&c| c == "fetch").count(),
            subcommands.iter().filter(|&&c| c == "format-patch").count(),
            body.matches("as it landed").count(),
            pushed_origins(world),
        ));
    }
    let mut times = vec![Vec::new(); ways.len()];
    let mut http = vec![0; ways.len()];
    for round in 0..runs {
        for k in 0..ways.len() {
            let w = (round + k) % ways.len();
            benches[w].prepare();
            let (took, _, _) = benches[w].run_with(Kind::Tool, prs, 1, None, ways[w].args, &[]);
            times[w].push(took);
            http[w] = fake.requests().len();
        }
    }
    let mut out = Vec::new();
    for (w, way) in ways.iter().enumerate() {
        times[w].sort();
        let (git, fetches, format_patches, as_landed, origins) = counted[w];
        let row = Measured {
            merged_as,
            prs,
            way: way.name,
            median: times[w][times[w].len() / 2],
            min: times[w][0],
            git,
            fetches,
            format_patches,
            http: http[w],
            as_landed,
            origins,
        };
        eprintln!(
            "landed {merged_as:12} {prs:2} PR(s) {:15} median {:.3}s (min {:.3}s), {git} git ({fetches} fetch, {format_patches} format-patch), {} HTTP, {as_landed} picked as landed, {origins} origin lines",
            way.name,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            row.http,
        );
        out.push(row);
    }
    out
}

/// The git subcommand of a line of the wrapper's log (`-c x=y -C dir fetch
/// …` → `fetch`).
fn subcommand(line: &str) -> Option<&str> {
    let mut words = line.split(' ');
    while let Some(word) = words.next() {
        match word {
            "-c" | "-C" => {
                words.next();
            }
            w if w.starts_with('-') => {}
            w => return Some(w),
        }
    }
    None
}

/// The `(cherry picked from commit …)` lines of the commits the run pushed
/// to the fork.
fn pushed_origins(world: &World) -> usize {
    let fork = world.run.join(USER).join(format!("{}.git", super::NAME));
    let branches = world.git(
        &fork,
        &[
            "for-each-ref",
            "--format=%(refname)",
            "refs/heads/automated-cherry-pick-of-*",
        ],
    );
    branches
        .lines()
        .map(|branch| {
            world
                .git(&fork, &["log", "--format=%B", &format!("release-1.99..{branch}")])
                .matches("(cherry picked from commit ")
                .count()
        })
        .sum()
}

fn table(rows: &[Measured], baseline: Option<&Path>) -> String {
    let mut t = String::new();
    if let Some(b) = baseline {
        writeln!(t, "\nbaseline: {}", b.display()).ok();
    }
    writeln!(
        t,
        "\n| merged as | PRs | run | median | min | / `--pick=commits` | git processes | of them `git fetch` | `git format-patch` | HTTP requests | picked as landed | origin lines |"
    )
    .ok();
    writeln!(t, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|").ok();
    for row in rows {
        let commits = rows
            .iter()
            .find(|r| r.merged_as == row.merged_as && r.prs == row.prs && r.way == "--pick=commits")
            .map_or(f64::NAN, |r| r.median.as_secs_f64());
        writeln!(
            t,
            "| {} | {} | `{}` | {:.3} s | {:.3} s | {:.2} | {} | {} | {} | {} | {} | {} |",
            row.merged_as,
            row.prs,
            row.way,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            row.median.as_secs_f64() / commits,
            row.git,
            row.fetches,
            row.format_patches,
            row.http,
            row.as_landed,
            row.origins,
        )
        .ok();
    }
    t
}
