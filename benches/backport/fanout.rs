//! The `fanout` case: one pull request onto 4 and onto 10 targets (a pull
//! request and its labels each), the tool against the floor and, with
//! `BENCH_BASELINE`, another build (e.g. from before writes were paced),
//! in the same run. The ways' runs are interleaved (each round runs every
//! way once, in a rotated order), so a machine that is busier for a while
//! slows them alike.
//!
//! The warm-up run of each way counts git processes, HTTP requests, the
//! most requests and the most writes (POST, PATCH, PUT, DELETE but GraphQL)
//! the fake held at once. Then each build of the tool runs once more against
//! the fake with GitHub's secondary limits enforced
//! (`FakeGitHub::secondary_limits`, one second: a write while another is in
//! flight, or a pull request less than a second after the last once three
//! were made, is refused with 403 and `retry-after: 1`; every write is held
//! a quarter second longer): how many requests were refused, whether the
//! run succeeded, how many pull requests it opened, its wall time. The
//! floor's `curl -f` would stop at the first refusal: it runs without.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::{Bench, FakeGitHub, Kind, Row, TARGETS, World};

/// One way of running the case.
struct Way<'a> {
    name: &'static str,
    kind: Kind,
    binary: &'a Path,
}

/// What a warm-up run counted.
#[derive(Clone, Copy)]
struct Counted {
    git: usize,
    most_in_flight: usize,
    most_writes: usize,
    rss_kib: Option<u64>,
}

/// The run against the fake's secondary limits.
struct Limited {
    hits: usize,
    ok: bool,
    created: usize,
    took: Duration,
}

struct Measured {
    targets: usize,
    way: &'static str,
    kind: Kind,
    median: Duration,
    min: Duration,
    /// The last timed run's HTTP requests.
    http: usize,
    counted: Counted,
    limited: Option<Limited>,
}

/// Measures every way onto 4 and onto 10 targets; the rows of the tool and
/// the floor for the main table, and this case's own table.
pub fn cases(
    world: &World,
    fake: &FakeGitHub,
    binary: &Path,
    baseline: Option<&Path>,
    runs: usize,
) -> (Vec<Row>, String) {
    let mut ways = vec![Way {
        name: "tool",
        kind: Kind::Tool,
        binary,
    }];
    if let Some(baseline) = baseline {
        ways.push(Way {
            name: "baseline",
            kind: Kind::Tool,
            binary: baseline,
        });
    }
    ways.push(Way {
        name: "floor",
        kind: Kind::Floor,
        binary,
    });
    let mut measured = Vec::new();
    for targets in [4, TARGETS.len()] {
        measured.extend(measure(world, fake, &ways, targets, runs));
    }
    let rows = measured
        .iter()
        .filter(|m| m.way != "baseline")
        .map(|m| Row {
            kind: m.kind,
            variant: String::new(),
            rtt: None,
            wire: None,
            prs: 1,
            targets: m.targets,
            median: m.median,
            min: m.min,
            git: m.counted.git,
            http: m.http,
            rss_kib: m.counted.rss_kib.filter(|_| m.kind == Kind::Tool),
        })
        .collect();
    (rows, table(&measured, baseline))
}

/// Forgets what the fake counted of earlier runs, and turns its secondary
/// limits on (`Some`: one second of them) or off.
fn reset_fake(fake: &FakeGitHub, limits: Option<Duration>) {
    let mut s = fake.state.lock().expect("fake state");
    s.in_flight = 0;
    s.most_in_flight = 0;
    s.writes_open = 0;
    s.most_writes_open = 0;
    s.writes_in_flight = 0;
    s.content_made = 0;
    s.last_content = None;
    s.secondary_hits = 0;
    s.secondary = limits;
}

fn measure(world: &World, fake: &FakeGitHub, ways: &[Way<'_>], targets: usize, runs: usize) -> Vec<Measured> {
    let benches: Vec<Bench<'_>> = ways.iter().map(|way| Bench::plain(world, fake, way.binary)).collect();
    let mut counted = Vec::new();
    let mut limited = Vec::new();
    for (way, bench) in ways.iter().zip(&benches) {
        bench.prepare();
        reset_fake(fake, None);
        let log = world.root.join(format!("git-fanout-{targets}-{}.log", way.name));
        let _ = std::fs::remove_file(&log);
        let (_, rss_kib, _) = bench.run_with(way.kind, 1, targets, Some(&log), &[], &[]);
        let git = std::fs::read_to_string(&log).map(|t| t.lines().count()).unwrap_or(0);
        let (most_in_flight, most_writes) = {
            let s = fake.state.lock().expect("fake state");
            (s.most_in_flight, s.most_writes_open)
        };
        counted.push(Counted {
            git,
            most_in_flight,
            most_writes,
            rss_kib,
        });
        limited.push((way.kind == Kind::Tool).then(|| {
            bench.prepare();
            reset_fake(fake, Some(Duration::from_secs(1)));
            let (took, _, said, ok) = bench.try_run_with(way.kind, 1, targets, None, &[], &[]);
            let hits = fake.secondary_hits();
            reset_fake(fake, None);
            if !ok {
                eprintln!("  {} failed against the secondary limits:", way.name);
                for line in said
                    .lines()
                    .filter(|l| l.contains("limit") || l.contains("error") || l.contains("failed"))
                {
                    eprintln!("    {line}");
                }
            }
            Limited {
                hits,
                ok,
                created: fake.created().len(),
                took,
            }
        }));
    }
    let mut times = vec![Vec::new(); ways.len()];
    let mut http = vec![0; ways.len()];
    for round in 0..runs {
        for k in 0..ways.len() {
            let w = (round + k) % ways.len();
            benches[w].prepare();
            let (took, _, _) = benches[w].run_with(ways[w].kind, 1, targets, None, &[], &[]);
            times[w].push(took);
            http[w] = fake.requests().len();
        }
    }
    let mut out = Vec::new();
    for ((w, way), limited) in ways.iter().enumerate().zip(limited) {
        times[w].sort();
        let row = Measured {
            targets,
            way: way.name,
            kind: way.kind,
            median: times[w][times[w].len() / 2],
            min: times[w][0],
            http: http[w],
            counted: counted[w],
            limited,
        };
        let c = row.counted;
        eprintln!(
            "fanout 1 PR x {targets:2} target(s) {:8} median {:.3}s (min {:.3}s), {} git, {} HTTP, at most {} requests and {} writes at once{}",
            way.name,
            row.median.as_secs_f64(),
            row.min.as_secs_f64(),
            c.git,
            row.http,
            c.most_in_flight,
            c.most_writes,
            row.limited.as_ref().map_or(String::new(), |l| format!(
                "; secondary limits: {} refused, {} PRs opened, {} in {:.3}s",
                l.hits,
                l.created,
                if l.ok { "succeeded" } else { "FAILED" },
                l.took.as_secs_f64()
            )),
        );
        out.push(row);
    }
    out
}

fn table(rows: &[Measured], baseline: Option<&Path>) -> String {
    let mut t = String::new();
    if let Some(b) = baseline {
        writeln!(t, "\nbaseline: {}", b.display()).ok();
    }
    writeln!(
        t,
        "\n| case | run | median | min | / floor | / baseline | − baseline | git processes | HTTP requests | most requests at once | most writes at once | secondary limits: refused | PRs opened, run | wall |"
    )
    .ok();
    writeln!(
        t,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    )
    .ok();
    for row in rows {
        let other = |way: &str| {
            rows.iter()
                .find(|r| r.targets == row.targets && r.way == way)
                .map(|r| r.median.as_secs_f64())
        };
        let secs = row.median.as_secs_f64();
        let ratio = |way: &str| other(way).map_or("–".to_string(), |o| format!("{:.2}", secs / o));
        let c = row.counted;
        let (hits, opened, wall) = match &row.limited {
            Some(l) => (
                l.hits.to_string(),
                format!("{}, {}", l.created, if l.ok { "succeeded" } else { "**failed**" }),
                format!("{:.3} s", l.took.as_secs_f64()),
            ),
            None => ("–".to_string(), "–".to_string(), "–".to_string()),
        };
        writeln!(
            t,
            "| 1 PR → {} targets | {} | {:.3} s | {:.3} s | {} | {} | {} | {} | {} | {} | {} | {hits} | {opened} | {wall} |",
            row.targets,
            row.way,
            secs,
            row.min.as_secs_f64(),
            ratio("floor"),
            ratio("baseline"),
            other("baseline").map_or("–".to_string(), |o| format!("{:+.3} s", secs - o)),
            c.git,
            row.http,
            c.most_in_flight,
            c.most_writes,
        )
        .ok();
    }
    t
}
