//! The man page: clap_mangen's title, NAME and SYNOPSIS; the sections kept in
//! `cli/man/sections.txt`; and OPTIONS, written here from the clap model, one
//! subsection per help heading, with the help's Markdown code spans set in
//! roff's fonts.

use std::io::Write;

use clap::{Arg, Command};
use roff::{Inline, Roff, bold, italic, roman};

/// The man page's own sections, around the OPTIONS section written from the
/// clap model: see `sections` for the form.
const MAN_SECTIONS: &str = include_str!("../man/sections.txt");

/// The date of this version, shown in the man page's footer. It changes with
/// the version, never with the build, so the page is reproducible.
const VERSION_DATE: &str = "2026-11-25";

/// The version `VERSION_DATE` is the date of: a test fails when Cargo.toml's
/// version moves on and these two stay behind.
#[cfg(test)]
const DATED_VERSION: &str = "0.1.0";

/// The whole page of `cmd`, a built command.
pub fn page(cmd: Command) -> Vec<u8> {
    let options = options(&cmd);
    // The synopsis's forms start with the command as typed: in bold.
    let page = clap_mangen::Man::new(cmd.bin_name("git cherry-pick-pr"))
        .title("GIT-CHERRY-PICK-PR")
        .manual("Git Manual")
        .date(VERSION_DATE);
    let (before, after) = MAN_SECTIONS
        .split_once("\n# OPTIONS\n")
        .expect("the man page's sections name where OPTIONS goes");
    let mut out = Vec::new();
    let _ = page.render_title(&mut out);
    // No hyphenation, as in git's own pages: an option or a command broken
    // across two lines is not one to type.
    let _ = out.write_all(Roff::new().control("nh", []).to_roff().as_bytes());
    let _ = page.render_name_section(&mut out);
    let _ = page.render_synopsis_section(&mut out);
    let _ = out.write_all(sections(before).render().as_bytes());
    let _ = out.write_all(options.render().as_bytes());
    let _ = out.write_all(sections(after).render().as_bytes());
    out
}

/// OPTIONS: the arguments without a heading (the positional ones first),
/// then each heading as a subsection, in the order `--help` lists them.
fn options(cmd: &Command) -> Roff {
    let shown: Vec<&Arg> = cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    let mut roff = Roff::new();
    roff.control("SH", ["OPTIONS"]);
    let (positional, options): (Vec<&Arg>, Vec<&Arg>) = shown
        .iter()
        .filter(|a| a.get_help_heading().is_none())
        .partition(|a| a.is_positional());
    for arg in positional.into_iter().chain(options) {
        entry(&mut roff, arg);
    }
    let mut headings: Vec<&str> = Vec::new();
    for heading in shown.iter().filter_map(|a| a.get_help_heading()) {
        if !headings.contains(&heading) {
            headings.push(heading);
        }
    }
    for heading in headings {
        roff.control("SS", [heading]);
        for arg in shown.iter().filter(|a| a.get_help_heading() == Some(heading)) {
            entry(&mut roff, arg);
        }
    }
    roff
}

/// One argument: its spellings in bold and its values in italics as the
/// tag, then its whole help, a paragraph at a time.
fn entry(roff: &mut Roff, arg: &Arg) {
    let takes_values = arg.get_num_args().is_some_and(|n| n.takes_values());
    let values: Vec<String> = arg
        .get_value_names()
        .filter(|_| takes_values)
        .map(|names| names.iter().map(|n| n.to_string()).collect())
        .unwrap_or_default();
    let mut tag = Vec::new();
    if arg.is_positional() {
        let name = if values.is_empty() {
            arg.get_id().to_string()
        } else {
            values.join(" ")
        };
        tag.push(italic(name));
        if arg.get_num_args().is_some_and(|n| n.max_values() > 1) {
            tag.push(roman("..."));
        }
    } else {
        let spellings = arg
            .get_short()
            .map(|s| format!("-{s}"))
            .into_iter()
            .chain(arg.get_long().map(|l| format!("--{l}")));
        for (i, spelling) in spellings.enumerate() {
            if i > 0 {
                tag.push(roman(", "));
            }
            tag.push(bold(spelling));
        }
        // A value that may be left out is given after `=`: `--auto-merge[=METHOD]`.
        let optional = arg.is_require_equals_set() && arg.get_num_args().is_some_and(|n| n.min_values() == 0);
        for value in &values {
            if optional {
                tag.push(roman("[="));
                tag.push(italic(value));
                tag.push(roman("]"));
            } else {
                tag.push(roman(" "));
                tag.push(italic(value));
            }
        }
    }
    roff.control("TP", []).text(tag);
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    for (i, paragraph) in help.split("\n\n").filter(|p| !p.trim().is_empty()).enumerate() {
        if i > 0 {
            roff.control("sp", []);
        }
        roff.text(placeholders(spans(paragraph.trim()), &values));
    }
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if takes_values && !choices.is_empty() {
        roff.control("sp", []);
        roff.text(listed("One of ", &choices));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_values && !defaults.is_empty() {
        roff.control("sp", []);
        roff.text(listed("Default ", &defaults));
    }
}

/// `lead` and then each value in italics, comma separated.
fn listed(lead: &str, values: &[String]) -> Vec<Inline> {
    let mut line = vec![roman(lead)];
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            line.push(roman(", "));
        }
        line.push(italic(value));
    }
    line.push(roman("."));
    line
}

/// A paragraph of help text: its Markdown code spans (`` `…` ``) in bold when
/// they are typed as they are (see `typed_as_is`), else in italics; a
/// backtick without its pair stays as it is. The roff crate escapes the rest
/// (backslashes, hyphens, apostrophes, a leading `.` or `'`).
fn spans(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(length) = rest[open + 1..].find('`') else {
            break;
        };
        let code = &rest[open + 1..open + 1 + length];
        if open > 0 {
            out.push(roman(&rest[..open]));
        }
        if !code.is_empty() {
            out.push(if typed_as_is(code) { bold(code) } else { italic(code) });
        }
        rest = &rest[open + 2 + length..];
    }
    if !rest.is_empty() {
        out.push(roman(rest));
    }
    out
}

/// The words of the roman text in `line` that name one of the argument's
/// values (`CMD` in "Run CMD after applying") in italics, as placeholders are.
fn placeholders(line: Vec<Inline>, names: &[String]) -> Vec<Inline> {
    let is_name = |word: &str| names.iter().any(|n| n == word);
    let mut out = Vec::new();
    for inline in line {
        let Inline::Roman(text) = inline else {
            out.push(inline);
            continue;
        };
        let mut plain = String::new();
        for word in text.split_inclusive(|c: char| !c.is_ascii_alphanumeric()) {
            let bare = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            if is_name(bare) {
                if !plain.is_empty() {
                    out.push(roman(std::mem::take(&mut plain)));
                }
                out.push(italic(bare));
                plain.push_str(&word[bare.len()..]);
            } else {
                plain.push_str(word);
            }
        }
        if !plain.is_empty() {
            out.push(roman(plain));
        }
    }
    out
}

/// Whether a code span is something typed as it is, set in bold as man pages
/// do: an option (`--force`), a command (`git am -3`, `$SHELL -c`,
/// `/cherrypick release-3.1`), an environment variable (`GITHUB_TOKEN`,
/// `$GITHUB_OUTPUT`) or a git config key (`cherry-pick-pr.upstream`). Any
/// other is a value or a placeholder (a remote, a branch, a label, a URL, a
/// file, a JSON field), set in italics.
fn typed_as_is(code: &str) -> bool {
    let first = code.split(' ').next().unwrap_or_default();
    let variable = first.strip_prefix('$').unwrap_or(first);
    let is_variable = variable.starts_with(|c: char| c.is_ascii_uppercase())
        && variable
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let is_config_key = code.split_once('.').is_some_and(|(section, key)| {
        !section.is_empty()
            && section.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphabetic())
    });
    let is_slash_command = first
        .strip_prefix('/')
        .is_some_and(|c| !c.is_empty() && !c.contains('/'));
    code.starts_with('-') || first == "git" || is_variable || is_config_key || is_slash_command
}

/// Renders sections written in a small plain-text form, blocks separated by
/// blank lines:
/// - `# TITLE` starts a section;
/// - a block indented by four spaces is an example, its lines kept as they are;
/// - a block whose first line alone is not indented is a tagged paragraph: the
///   tag (`**bold**` or `*italic*`), then its text;
/// - any other block is a paragraph, its lines joined, `**bold**` where marked.
fn sections(text: &str) -> Roff {
    let mut roff = Roff::new();
    let mut first_in_section = true;
    for block in text
        .split("\n\n")
        .map(|b| b.trim_matches('\n'))
        .filter(|b| !b.is_empty())
    {
        let (head, rest) = block.split_once('\n').unwrap_or((block, ""));
        if let Some(title) = head.strip_prefix("# ") {
            roff.control("SH", [title]);
            first_in_section = true;
            continue;
        }
        if let Some(example) = indented(block) {
            roff.control("RS", ["4"]).control("nf", []);
            for line in example {
                roff.text([roman(line)]);
            }
            roff.control("fi", []).control("RE", []);
        } else if let Some(text) = indented(rest).filter(|_| !rest.is_empty()) {
            let marked = |mark: &str| head.strip_prefix(mark).and_then(|t| t.strip_suffix(mark));
            let tag = match (marked("**"), marked("*")) {
                (Some(tag), _) => bold(tag),
                (None, Some(tag)) => italic(tag),
                (None, None) => roman(head),
            };
            roff.control("TP", []).text([tag]).text([roman(text.join(" "))]);
        } else {
            if !first_in_section {
                roff.control("PP", []);
            }
            let joined = block.lines().collect::<Vec<_>>().join(" ");
            let spans = joined.split("**").enumerate().filter(|(_, s)| !s.is_empty());
            roff.text(
                spans
                    .map(|(i, s)| if i % 2 == 1 { bold(s) } else { roman(s) })
                    .collect::<Vec<_>>(),
            );
        }
        first_in_section = false;
    }
    roff
}

/// The lines of `text` without their four-space indent, when every one has it.
fn indented(text: &str) -> Option<Vec<&str>> {
    text.lines().map(|line| line.strip_prefix("    ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, HEADINGS};
    use clap::CommandFactory;

    /// The page as `--generate man` prints it.
    fn the_page() -> String {
        let mut cmd = Cli::command().name("git-cherry-pick-pr").bin_name("git-cherry-pick-pr");
        cmd.build();
        String::from_utf8(page(cmd)).unwrap()
    }

    /// The OPTIONS section's lines.
    fn options_section(page: &str) -> Vec<&str> {
        page.lines()
            .skip_while(|l| *l != ".SH OPTIONS")
            .skip(1)
            .take_while(|l| !l.starts_with(".SH"))
            .collect()
    }

    #[test]
    fn the_man_page_has_its_sections_and_no_date() {
        let page = the_page();
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "ENVIRONMENT",
            "FILES",
            "EXIT STATUS",
            "EXAMPLES",
            "SEE ALSO",
        ] {
            assert!(
                page.contains(&format!(".SH {section}")) || page.contains(&format!(".SH \"{section}\"")),
                "{section}"
            );
        }
        assert!(
            page.contains(&format!(".TH GIT-CHERRY-PICK-PR 1 {VERSION_DATE} ")),
            "{}",
            &page[..200]
        );
        assert_eq!(the_page(), the_page());
    }

    #[test]
    fn options_are_grouped_under_the_headings_of_the_help() {
        let page = the_page();
        let subsections: Vec<&str> = options_section(&page)
            .into_iter()
            .filter_map(|l| l.strip_prefix(".SS "))
            .map(|l| l.trim_matches('"'))
            .collect();
        assert_eq!(subsections, HEADINGS);
        let options = options_section(&page).join("\n");
        // Each option's entry is under its heading.
        for (option, heading) in [
            ("\\fB\\-\\-upstream\\fR \\fIREMOTE\\fR", "Picking"),
            ("\\fB\\-\\-edit\\fR", "\"The pull request\""),
            ("\\fB\\-i\\fR, \\fB\\-\\-select\\fR", "\"The release manager\""),
            ("\\fB\\-\\-continue\\fR", "\"Stopped runs\""),
            ("\\fB\\-\\-from\\-event\\fR", "Automation"),
            ("\\fB\\-\\-debug\\fR", "\"Output and diagnostics\""),
        ] {
            let at = options
                .find(&format!(".TP\n{option}\n"))
                .unwrap_or_else(|| panic!("no entry {option}"));
            let under = options[..at].rsplit(".SS ").next().unwrap_or_default();
            assert!(
                under.starts_with(&format!("{heading}\n")),
                "{option} is under {under:.40}"
            );
        }
    }

    #[test]
    fn code_spans_are_bold_when_typed_as_they_are_and_italic_otherwise() {
        for typed in [
            "--force",
            "-y",
            "git am -3",
            "git",
            "git cherry-pick-pr --continue",
            "$SHELL -c",
            "$GITHUB_OUTPUT",
            "GITHUB_TOKEN",
            "GIT_EDITOR",
            "cherry-pick-pr.upstream",
            "core.editor",
            "/cherrypick release-3.1",
        ] {
            assert!(typed_as_is(typed), "{typed}");
        }
        for value in [
            "upstream",
            "upstream/release-3.1",
            "release-1.31",
            "v1.31",
            "1.31.x",
            "auto",
            "kind/*",
            "#3796",
            "https://api.github.com",
            "hack/generate-docs.sh",
            "OWNER,MEMBER,COLLABORATOR",
            "{branch}",
            "local_branch",
            "/dev/null",
        ] {
            assert!(!typed_as_is(value), "{value}");
        }
    }

    #[test]
    fn help_text_becomes_escaped_roff() {
        let mut roff = Roff::new();
        roff.text(spans(".A `--dry-run` on `upstream`, `git am` \\ it's `un`paired `"));
        roff.text(spans("'quoted' and `` empty"));
        let text = roff.render();
        let body: Vec<&str> = text.lines().skip(2).collect();
        assert_eq!(
            body,
            [
                "\\&.A \\fB\\-\\-dry\\-run\\fR on \\fIupstream\\fR, \\fBgit am\\fR \\\\ it\\*(Aqs \\fIun\\fRpaired `",
                "\\*(Aqquoted\\*(Aq and  empty",
            ]
        );
    }

    #[test]
    fn an_arguments_placeholders_are_italic_in_its_help() {
        // A code span is set as `typed_as_is` says, whatever its words.
        let names = ["CMD".to_string(), "FILE".to_string()];
        assert_eq!(
            placeholders(spans("Run CMD (`CMD`), not CMDS, in FILE."), &names),
            [
                roman("Run "),
                italic("CMD"),
                roman(" ("),
                bold("CMD"),
                roman("), not CMDS, in "),
                italic("FILE"),
                roman("."),
            ]
        );
    }

    #[test]
    fn the_options_section_has_no_markdown_left_and_bold_flags() {
        let page = the_page();
        let options = options_section(&page);
        let left: Vec<&&str> = options.iter().filter(|l| l.contains('`')).collect();
        assert!(left.is_empty(), "backticks left in OPTIONS: {left:#?}");
        let options = options.join("\n");
        for bold in ["\\fB\\-\\-continue\\fR", "\\fBgit am\\fR", "\\fBUPSTREAM_REMOTE\\fR"] {
            assert!(options.contains(bold), "{bold}");
        }
        assert!(options.contains("\\fB\\-\\-upstream\\fR \\fIREMOTE\\fR"), "{options}");
        assert!(options.contains("default \\fIorigin\\fR"), "{options}");
    }

    #[test]
    fn the_sections_form_becomes_roff() {
        let text = "# A B\n\nOne\nparagraph.\n\nSee **git-am**(1).\n\n**TERM**\n    Its\n    text.\n\n*path/*/*\n    Where.\n\n    an example\n      kept\n";
        let roff = sections(text).render();
        let body = roff.lines().skip_while(|l| !l.starts_with(".SH")).collect::<Vec<_>>();
        assert_eq!(
            body,
            [
                ".SH \"A B\"",
                "One paragraph.",
                ".PP",
                "See \\fBgit\\-am\\fR(1).",
                ".TP",
                "\\fBTERM\\fR",
                "Its text.",
                ".TP",
                "\\fIpath/*/\\fR",
                "Where.",
                ".RS 4",
                ".nf",
                "an example",
                "  kept",
                ".fi",
                ".RE",
            ]
        );
    }

    #[test]
    fn the_version_date_belongs_to_this_version_and_is_not_in_the_future() {
        assert_eq!(
            DATED_VERSION,
            env!("CARGO_PKG_VERSION"),
            "Cargo.toml's version changed: set VERSION_DATE to the new version's date and DATED_VERSION to it"
        );
        let date: jiff::civil::Date = VERSION_DATE.parse().expect("VERSION_DATE is YYYY-MM-DD");
        assert_eq!(date.to_string(), VERSION_DATE, "written as YYYY-MM-DD");
        // Today somewhere on Earth: at most a day ahead of UTC.
        let latest = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .tomorrow()
            .unwrap();
        assert!(date <= latest, "VERSION_DATE {date} is in the future");
    }
}
