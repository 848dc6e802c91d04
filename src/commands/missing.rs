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
use crate::stages::candidates::{self, Query, State, View};

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
                table(&views)
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
    let total = view.missing.len() + view.done.len();
    out.step(&format!(
        "{}: {} of {total} candidate(s) missing",
        view.target,
        view.missing.len()
    ));
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

/// For a terminal: a table per target.
pub fn table(views: &[View]) -> String {
    let mut text = String::new();
    for view in views {
        text.push_str(&format!("{}\n", view.target));
        if view.absent {
            text.push_str(&format!("  there is no such branch on `{}`\n", view.target.remote));
            continue;
        }
        if view.missing.is_empty() {
            text.push_str("  nothing is missing\n");
            continue;
        }
        let rows: Vec<[String; 5]> = view
            .missing
            .iter()
            .map(|m| {
                let c = &m.candidate;
                [
                    format!("#{}", c.number),
                    c.short_title(),
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
        for row in std::iter::once(&header).chain(&rows) {
            let mut line = String::from(" ");
            for (cell, width) in row.iter().zip(widths) {
                line.push(' ');
                line.push_str(&console::pad_str(cell, width, console::Alignment::Left, None));
                line.push(' ');
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    text
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
    use crate::stages::candidates::{Candidate, Evidence, Missing, Part, Related};

    fn view(branch: &str, numbers: &[u64]) -> View {
        View {
            target: Target {
                remote: "upstream".into(),
                branch: branch.into(),
            },
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

    #[test]
    fn the_table_has_a_row_per_pull_request_and_says_when_nothing_is_missing() {
        let text = table(&[view("release-3.1", &[1, 2]), view("release-3.0", &[])]);
        assert_eq!(
            text,
            "upstream/release-3.1\n  PR  TITLE        AUTHOR  MERGED      NOTE\n  #1  Fix thing 1  bob     2026-01-02\n  #2  Fix thing 2  bob     2026-01-02  cherry pick #9 by carol was closed unmerged\nupstream/release-3.0\n  nothing is missing\n"
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
