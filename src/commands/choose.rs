//! `--select`: the missing candidates (checked) and recent merges without the
//! label, in a multi-select list on the terminal.

use std::io::IsTerminal;

use anyhow::Result;
use console::Term;
use dialoguer::MultiSelect;

use crate::cli::args::Target;
use crate::errors::{Failure, Kind, usage};
use crate::output::fit;
use crate::stages::candidates::{Candidate, View, day};

/// Refuses to choose without a terminal to choose on.
pub fn check_terminal(interactive: bool) -> Result<()> {
    if !interactive || !std::io::stderr().is_terminal() {
        return Err(usage("--select needs a terminal to choose on")
            .hint("list what is missing with --missing, or backport every labelled one with --from-labels")
            .into());
    }
    Ok(())
}

/// What the user chose, as (target, pull request) pairs in the order listed.
pub fn choose(views: &[View], interactive: bool) -> Result<Vec<(Target, Candidate)>> {
    check_terminal(interactive)?;
    let items: Vec<(Target, Candidate)> = views
        .iter()
        .flat_map(|v| v.missing.iter().map(|m| (v.target.clone(), m.candidate.clone())))
        .collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let several = views.len() > 1;
    let term = Term::stderr();
    // A line wider than the terminal wraps, and the list is then redrawn
    // over the wrong lines: each fits, after the `> [x] ` before it.
    let room = term
        .size_checked()
        .map(|(_, columns)| usize::from(columns).saturating_sub(CHECKBOX + 1));
    let labels: Vec<String> = items.iter().map(|(t, c)| item(t, c, several, room)).collect();
    let checked: Vec<bool> = items.iter().map(|(_, c)| c.labelled).collect();
    let answer = MultiSelect::new()
        .with_prompt("Backport which pull requests? (space: check or uncheck, enter: go, esc: none)")
        .items(&labels)
        .defaults(&checked)
        .report(false)
        .interact_on_opt(&term);
    let _ = term.show_cursor();
    match answer {
        Ok(Some(picked)) => Ok(items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| picked.contains(i))
            .map(|(_, item)| item)
            .collect()),
        Ok(None) => Ok(Vec::new()),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(Failure::new(Kind::Interrupted, "interrupted: nothing was changed").into())
        }
        Err(e) => Err(Failure::new(Kind::Failed, "choosing the pull requests on the terminal")
            .because(anyhow::Error::new(e))
            .into()),
    }
}

/// The columns of the checkbox the list shows before each line (`> [x] `).
const CHECKBOX: usize = 6;

/// One line of the list: `#3796 Fix the widget (bob, merged 2026-01-31)`,
/// saying when it is not labelled and, with several targets, which target;
/// its title cut so that the line fits in `room` columns, when given.
fn item(target: &Target, candidate: &Candidate, several: bool, room: Option<usize>) -> String {
    let mut rest = format!(" ({}, merged {})", candidate.author, day(&candidate.merged_at));
    if !candidate.labelled {
        rest.push_str(" [no label]");
    }
    if several {
        rest.push_str(&format!(" → {target}"));
    }
    let number = format!("#{} ", candidate.number);
    let Some(room) = room else {
        return format!("{number}{}{rest}", candidate.short_title());
    };
    let title = room.saturating_sub(console::measure_text_width(&number) + console::measure_text_width(&rest));
    let line = format!("{number}{}{rest}", fit(&candidate.title_line(), title.max(1)));
    fit(&line, room)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_names_number_title_author_day_and_what_is_unusual() {
        let target = Target {
            remote: "upstream".into(),
            branch: "release-3.1".into(),
        };
        let mut candidate = Candidate {
            number: 3796,
            title: "Fix\tthe widget".into(),
            author: "bob".into(),
            merged_at: "2026-01-31T12:00:00Z".into(),
            url: String::new(),
            labelled: true,
        };
        assert_eq!(
            item(&target, &candidate, false, None),
            "#3796 Fix the widget (bob, merged 2026-01-31)"
        );
        candidate.labelled = false;
        assert_eq!(
            item(&target, &candidate, true, None),
            "#3796 Fix the widget (bob, merged 2026-01-31) [no label] → upstream/release-3.1"
        );
    }

    #[test]
    fn an_item_fits_the_terminal_by_its_title() {
        let target = Target {
            remote: "upstream".into(),
            branch: "release-3.1".into(),
        };
        let candidate = Candidate {
            number: 3796,
            title: "Make the widget's frobnicator honour the new timeout everywhere".into(),
            author: "bob".into(),
            merged_at: "2026-01-31T12:00:00Z".into(),
            url: String::new(),
            labelled: false,
        };
        assert_eq!(
            item(&target, &candidate, false, Some(60)),
            "#3796 Make the widget's… (bob, merged 2026-01-31) [no label]"
        );
        for room in [0, 5, 30, 60, 73, 200] {
            let line = item(&target, &candidate, true, Some(room));
            assert!(console::measure_text_width(&line) <= room, "{line:?} in {room}");
        }
    }
}
