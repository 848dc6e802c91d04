//! `--select`: the missing candidates (checked) and recent merges without the
//! label, in a multi-select list on the terminal.

use std::io::IsTerminal;

use anyhow::Result;
use console::Term;
use dialoguer::MultiSelect;

use crate::cli::args::Target;
use crate::errors::{Failure, Kind, usage};
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
    let labels: Vec<String> = items.iter().map(|(t, c)| item(t, c, several)).collect();
    let checked: Vec<bool> = items.iter().map(|(_, c)| c.labelled).collect();
    let term = Term::stderr();
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

/// One line of the list: `#3796 Fix the widget (bob, merged 2026-01-31)`,
/// saying when it is not labelled and, with several targets, which target.
fn item(target: &Target, candidate: &Candidate, several: bool) -> String {
    let mut line = format!(
        "#{} {} ({}, merged {})",
        candidate.number,
        candidate.short_title(),
        candidate.author,
        day(&candidate.merged_at)
    );
    if !candidate.labelled {
        line.push_str(" [no label]");
    }
    if several {
        line.push_str(&format!(" → {target}"));
    }
    line
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
            item(&target, &candidate, false),
            "#3796 Fix the widget (bob, merged 2026-01-31)"
        );
        candidate.labelled = false;
        assert_eq!(
            item(&target, &candidate, true),
            "#3796 Fix the widget (bob, merged 2026-01-31) [no label] → upstream/release-3.1"
        );
    }
}
