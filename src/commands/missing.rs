//! `--missing`: what still needs backporting to each target, as a table on a
//! terminal, one line per pull request otherwise, or JSON. It writes nothing
//! to GitHub and pushes nothing.

use std::io::IsTerminal;

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::session::Session;
use crate::cli::settings::Settings;
use crate::errors::failed;
use crate::github::token;
use crate::output::Output;
use crate::run::report::Format;
use crate::stages::candidates::{self, Query, State, View, count, either};

/// Lists the missing candidates of each target.
pub fn run(session: &Session<'_>, settings: &Settings, format: Format) -> Result<()> {
    let Session { git, out, located, .. } = *session;
    let git = &git;
    let interactive = std::io::stdin().is_terminal();
    let (found, github) = crate::run::connect_for(session, settings, interactive)?;
    let query = Query::of(settings, &located.toplevel, &settings.jobs.targets, 0);
    let views = candidates::find(&query, git, &github, out).map(|found| found.views);
    token::report_to_helper(&found, git, &located.toplevel, out, &github);
    let views = views.map_err(|e| crate::run::interrupted_or(e, "nothing was changed"))?;
    for view in &views {
        summarise(view, out);
    }
    match format {
        Format::Json => out.result_json(&json_of(&views).to_string()),
        Format::Text => {
            let text = if std::io::stdout().is_terminal() {
                table(&views, out.stdout_columns())
            } else {
                lines(&views)
            };
            if !text.is_empty() {
                out.result(text.trim_end_matches('\n'));
            }
        }
    }
    let absent: Vec<String> = views
        .iter()
        .filter(|v| v.absent)
        .map(|v| v.target.to_string())
        .collect();
    if !absent.is_empty() {
        return Err(failed(format!(
            "{} {} not a branch of the `{}` remote; the other targets are listed above",
            absent.join(", "),
            if absent.len() == 1 { "is" } else { "are" },
            settings.options.upstream
        ))
        .hint(format!(
            "the release branches there: git ls-remote --heads {} 'release-*'",
            settings.options.upstream
        ))
        .into());
    }
    Ok(())
}

/// One line on stderr per target: how many are missing, and why the others
/// are not.
pub fn summarise(view: &View, out: &Output) {
    if view.absent {
        out.warn(&format!(
            "{}: there is no branch `{}` on the `{}` remote; nothing was judged there",
            view.target, view.target.branch, view.target.remote
        ));
        return;
    }
    out.step(&format!("{}: {}", view.target, status(view)));
    for (candidate, done) in &view.done {
        out.note(&format!("#{} is done: {done}", candidate.number));
    }
    for missing in &view.missing {
        let why = reason(missing, &view.target.branch);
        if !why.is_empty() {
            out.note(&format!("#{} is missing: {why}", missing.candidate.number));
        }
    }
}

/// How a target stands, in words: how many of the pull requests that carry
/// its label are missing, or that none does, or that none is missing and
/// where they are; then how many recent merges without the label are
/// offered besides (`--select`).
fn status(view: &View) -> String {
    let labelled = view.done.iter().filter(|(c, _)| c.labelled).count()
        + view.missing.iter().filter(|m| m.candidate.labelled).count();
    let missing = view.missing.iter().filter(|m| m.candidate.labelled).count();
    let offered = view.missing.len() - missing;
    let are = |n: usize| if n == 1 { "is" } else { "are" };
    let branch = &view.target.branch;
    let mut said = if labelled == 0 {
        format!("no merged pull request carries {}", either(&view.labels))
    } else if missing == 0 {
        let on_target = view.done.iter().filter(|(c, d)| c.labelled && d.on_target()).count();
        let place = if on_target == labelled {
            format!("on {branch}")
        } else if on_target == 0 {
            format!("proposed for {branch}")
        } else {
            format!("on {branch} or proposed for it")
        };
        if labelled == 1 {
            format!("the labelled pull request is {place}")
        } else {
            format!("all {labelled} labelled pull requests are {place}")
        }
    } else if missing == labelled {
        format!("{} {} missing", count(labelled, "labelled pull request"), are(labelled))
    } else {
        format!(
            "{missing} of {labelled} labelled pull requests {} missing",
            are(missing)
        )
    };
    if offered > 0 {
        said.push_str(&format!(
            "; {} {} offered{}",
            count(offered, "recent merge"),
            are(offered),
            if labelled > 0 { " too" } else { "" }
        ));
    }
    said
}

/// Why a missing pull request may deserve a look: what of it is on the
/// target, and the pull requests that say they pick it but do not count.
fn reason(missing: &candidates::Missing, branch: &str) -> String {
    missing
        .part
        .describe(branch)
        .into_iter()
        .chain(missing.related.iter().map(|r| match (r.state, r.evidence) {
            (State::Closed, _) => format!("cherry pick #{} by {} was closed unmerged", r.number, r.author),
            _ => format!("#{} claims to be a cherry pick; its commits differ", r.number),
        }))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The columns of the table, and the order in which they give up room
/// when a row is wider than the terminal: the title down to `TITLE_ROOM`,
/// then the note (which stderr says in full) to its heading, then the
/// title to its heading, then the author.
const TITLE: usize = 1;
const AUTHOR: usize = 2;
const NOTE: usize = 4;
const TITLE_ROOM: usize = 20;

/// For a terminal: a table per target, each row within `columns` when the
/// terminal says how wide it is (titles are then cut to fit, with `…`).
pub fn table(views: &[View], columns: Option<usize>) -> String {
    let mut text = String::new();
    for view in views {
        text.push_str(&format!("{}\n", view.target));
        if view.absent {
            text.push_str(&format!("  there is no such branch on `{}`\n", view.target.remote));
        } else if view.missing.is_empty() {
            text.push_str(&format!("  {}\n", status(view)));
        } else {
            rows(view, columns, &mut text);
        }
    }
    match columns {
        Some(columns) => text
            .lines()
            .map(|line| crate::output::fit(line, columns) + "\n")
            .collect(),
        None => text,
    }
}

/// The rows of `view`'s table, cut to `columns` when given.
fn rows(view: &View, columns: Option<usize>, text: &mut String) {
    let rows: Vec<[String; 5]> = view
        .missing
        .iter()
        .map(|m| {
            let c = &m.candidate;
            [
                format!("#{}", c.number),
                match columns {
                    Some(_) => c.title_line(),
                    None => c.short_title(),
                },
                c.author.clone(),
                candidates::day(&c.merged_at).to_string(),
                reason(m, &view.target.branch),
            ]
        })
        .collect();
    let header = ["PR", "TITLE", "AUTHOR", "MERGED", "NOTE"].map(str::to_string);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(console::measure_text_width(cell));
        }
    }
    if let Some(columns) = columns {
        // A row is a space, then each cell between two spaces, less the
        // last space: two columns a cell.
        let mut over = widths.iter().map(|w| w + 2).sum::<usize>().saturating_sub(columns);
        for (column, least) in [(TITLE, TITLE_ROOM), (NOTE, 4), (TITLE, 5), (AUTHOR, 6)] {
            let give = over.min(widths[column].saturating_sub(least));
            widths[column] -= give;
            over -= give;
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(widths) {
            line.push(' ');
            let cell = crate::output::fit(cell, width);
            line.push_str(&console::pad_str(&cell, width, console::Alignment::Left, None));
            line.push(' ');
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
}

/// For scripts: `#3796<TAB>title` per missing pull request, with the target
/// as a third field when there are several targets.
pub fn lines(views: &[View]) -> String {
    let several = views.len() > 1;
    let mut text = String::new();
    for view in views {
        for m in &view.missing {
            let title = m.candidate.title_line();
            text.push_str(&format!("#{}\t{title}", m.candidate.number));
            if several {
                text.push_str(&format!("\t{}", view.target));
            }
            text.push('\n');
        }
    }
    text
}

/// `--json`: one object per missing pull request per target.
pub fn json_of(views: &[View]) -> Value {
    let items: Vec<Value> = views
        .iter()
        .flat_map(|view| {
            view.missing.iter().map(move |m| {
                let c = &m.candidate;
                json!({
                    "number": c.number,
                    "title": c.title,
                    "author": c.author,
                    "merged_at": c.merged_at,
                    "target": view.target.to_string(),
                    "url": c.url,
                    "labelled": c.labelled,
                    "related": m.related,
                    "commits_on_target": m.part.present,
                    "commits": m.part.total,
                    "reverted_in": m.part.reverted,
                })
            })
        })
        .collect();
    Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Target;
    use crate::stages::candidates::{Candidate, Done, Evidence, Missing, Part, Related};

    fn view(branch: &str, numbers: &[u64]) -> View {
        View {
            target: Target {
                remote: "upstream".into(),
                branch: branch.into(),
            },
            labels: vec![format!("cherrypick/{branch}")],
            missing: numbers
                .iter()
                .map(|&n| Missing {
                    candidate: Candidate {
                        number: n,
                        title: format!("Fix\tthing {n}"),
                        author: "bob".into(),
                        merged_at: "2026-01-02T03:04:05Z".into(),
                        url: format!("https://github.com/o/n/pull/{n}"),
                        labelled: true,
                    },
                    related: if n == 2 {
                        vec![Related {
                            number: 9,
                            url: "u".into(),
                            author: "carol".into(),
                            state: State::Closed,
                            evidence: Evidence::Claim,
                            source: n,
                        }]
                    } else {
                        Vec::new()
                    },
                    part: Part::default(),
                })
                .collect(),
            done: Vec::new(),
            absent: false,
        }
    }

    #[test]
    fn lines_are_number_tab_title_and_the_target_when_there_are_several() {
        assert_eq!(
            lines(&[view("release-3.1", &[1, 2])]),
            "#1\tFix thing 1\n#2\tFix thing 2\n"
        );
        assert_eq!(
            lines(&[view("release-3.1", &[1]), view("release-3.0", &[2])]),
            "#1\tFix thing 1\tupstream/release-3.1\n#2\tFix thing 2\tupstream/release-3.0\n"
        );
        assert_eq!(lines(&[view("release-3.1", &[])]), "");
    }

    /// `view` with `done` more candidates, numbered from 100, done as `how`.
    fn with_done(mut view: View, done: usize, how: &Done) -> View {
        let template = view.missing.first().map(|m| m.candidate.clone());
        for i in 0..done {
            let mut candidate = template.clone().unwrap_or(Candidate {
                number: 0,
                title: "Done".into(),
                author: "bob".into(),
                merged_at: "2026-01-01T00:00:00Z".into(),
                url: String::new(),
                labelled: true,
            });
            candidate.number = 100 + i as u64;
            candidate.labelled = true;
            view.done.push((candidate, how.clone()));
        }
        view
    }

    /// `view` with its missing candidates from the `labelled`th on offered
    /// as recent merges without the label.
    fn with_recent(mut view: View, labelled: usize) -> View {
        for m in view.missing.iter_mut().skip(labelled) {
            m.candidate.labelled = false;
        }
        view
    }

    #[test]
    fn the_table_has_a_row_per_pull_request_and_says_when_nothing_is_missing() {
        let text = table(
            &[
                view("release-3.1", &[1, 2]),
                view("release-3.0", &[]),
                with_done(view("release-2.9", &[]), 2, &Done::SamePatch),
            ],
            None,
        );
        assert_eq!(
            text,
            "upstream/release-3.1\n  PR  TITLE        AUTHOR  MERGED      NOTE\n  #1  Fix thing 1  bob     2026-01-02\n  #2  Fix thing 2  bob     2026-01-02  cherry pick #9 by carol was closed unmerged\nupstream/release-3.0\n  no merged pull request carries `cherrypick/release-3.0`\nupstream/release-2.9\n  all 2 labelled pull requests are on release-2.9\n"
        );
    }

    #[test]
    fn the_table_fits_the_terminal_and_the_titles_give_way_first() {
        let mut wide = view("release-3.1", &[1, 2]);
        wide.missing[0].candidate.title = "Make the widget's frobnicator honour the new timeout everywhere".into();
        wide.missing[1].candidate.title = "修复小部件的问题并且在所有地方使用新的超时".into();
        let text = table(std::slice::from_ref(&wide), Some(100));
        assert_eq!(
            text,
            "upstream/release-3.1
  PR  TITLE                          AUTHOR  MERGED      NOTE
  #1  Make the widget's frobnicato…  bob     2026-01-02
  #2  修复小部件的问题并且在所有地…  bob     2026-01-02  cherry pick #9 by carol was closed unmerged
"
        );
        // Narrower: the title keeps 20 columns and the note gives way.
        let text = table(std::slice::from_ref(&wide), Some(60));
        assert_eq!(
            text,
            "upstream/release-3.1
  PR  TITLE                 AUTHOR  MERGED      NOTE
  #1  Make the widget's f…  bob     2026-01-02
  #2  修复小部件的问题并…   bob     2026-01-02  cherry pick…
"
        );
        for columns in [0, 10, 30, 45, 60, 80, 100, 200] {
            for line in table(std::slice::from_ref(&wide), Some(columns)).lines() {
                assert!(console::measure_text_width(line) <= columns, "{line:?} in {columns}");
            }
        }
    }

    #[test]
    fn the_status_tells_none_labelled_from_none_missing() {
        let target = "release-3.1";
        let cases = [
            (
                view(target, &[]),
                "no merged pull request carries `cherrypick/release-3.1`",
            ),
            (view(target, &[1]), "1 labelled pull request is missing"),
            (view(target, &[1, 2]), "2 labelled pull requests are missing"),
            (
                with_done(view(target, &[1]), 2, &Done::SamePatch),
                "1 of 3 labelled pull requests is missing",
            ),
            (
                with_done(view(target, &[1, 2]), 1, &Done::SamePatch),
                "2 of 3 labelled pull requests are missing",
            ),
            (
                with_done(view(target, &[]), 1, &Done::SamePatch),
                "the labelled pull request is on release-3.1",
            ),
            (
                with_done(view(target, &[]), 3, &Done::SamePatch),
                "all 3 labelled pull requests are on release-3.1",
            ),
            (
                with_recent(view(target, &[1, 2, 3]), 1),
                "1 labelled pull request is missing; 2 recent merges are offered too",
            ),
            (
                with_recent(view(target, &[1, 2]), 0),
                "no merged pull request carries `cherrypick/release-3.1`; 2 recent merges are offered",
            ),
            (
                with_recent(with_done(view(target, &[1]), 1, &Done::SamePatch), 0),
                "the labelled pull request is on release-3.1; 1 recent merge is offered too",
            ),
        ];
        for (view, said) in cases {
            assert_eq!(status(&view), said);
        }
        let open = Done::Proposed(Related {
            number: 9,
            url: "u".into(),
            author: "carol".into(),
            state: State::Open,
            evidence: Evidence::Content,
            source: 100,
        });
        let mut both = with_done(view(target, &[]), 1, &open);
        assert_eq!(status(&both), "the labelled pull request is proposed for release-3.1");
        both = with_done(both, 1, &Done::SamePatch);
        both.done[1].0.number = 101;
        assert_eq!(
            status(&both),
            "all 2 labelled pull requests are on release-3.1 or proposed for it"
        );
        let mut two_labels = view(target, &[]);
        two_labels.labels.push("backport/release-3.1".into());
        assert_eq!(
            status(&two_labels),
            "no merged pull request carries `cherrypick/release-3.1` or `backport/release-3.1`"
        );
    }

    #[test]
    fn json_has_an_object_per_missing_pull_request_per_target() {
        let value = json_of(&[view("release-3.1", &[2]), view("release-3.0", &[1])]);
        assert_eq!(value.as_array().map(Vec::len), Some(2));
        assert_eq!(value[0]["number"], 2);
        assert_eq!(value[0]["target"], "upstream/release-3.1");
        assert_eq!(value[0]["merged_at"], "2026-01-02T03:04:05Z");
        assert_eq!(value[0]["author"], "bob");
        assert_eq!(value[0]["url"], "https://github.com/o/n/pull/2");
        assert_eq!(value[0]["related"][0]["state"], "closed");
        assert_eq!(value[1]["target"], "upstream/release-3.0");
        assert_eq!(value[1]["related"], json!([]));
    }
}
