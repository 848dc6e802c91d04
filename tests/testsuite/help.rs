//! Help that can be scanned: `--help` groups the options under headings,
//! `-h` fits on one screen, and the man page shows the help's code spans in
//! roff's fonts, not as Markdown.

use std::path::PathBuf;
use std::process::Command;

/// What `git-cherry-pick-pr FLAG` prints, on a terminal `columns` wide.
fn help(flag: &str, columns: usize) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_git-cherry-pick-pr"))
        .arg(flag)
        .env("COLUMNS", columns.to_string())
        .env_remove("LINES")
        .output()
        .expect("run the tool");
    assert!(output.status.success(), "{flag}: {output:?}");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// A line that opens a section of the help: `Picking:`.
fn is_heading(line: &str) -> bool {
    !line.starts_with(' ') && line.ends_with(':') && !line.starts_with("Usage")
}

/// The heading each option's line is under, as `(option, heading)`.
fn options_under_headings(help: &str) -> Vec<(String, String)> {
    let mut heading = String::new();
    let mut found = Vec::new();
    for line in help.lines() {
        if is_heading(line) {
            heading = line.trim_end_matches(':').to_string();
        } else if let Some(option) = line.trim_start().strip_prefix('-') {
            // `  -y, --yes`, `      --upstream <REMOTE>  The remote…`; a
            // line of help text is indented further.
            let indent = line.len() - line.trim_start().len();
            if (2..=6).contains(&indent) {
                let spelling = format!("-{}", option.split("  ").next().unwrap_or_default());
                found.push((spelling, heading.clone()));
            }
        }
    }
    found
}

#[test]
fn long_help_groups_the_options_under_headings_in_order() {
    let help = help("--help", 100);
    let headings: Vec<&str> = help.lines().filter(|l| is_heading(l)).collect();
    assert_eq!(
        headings,
        [
            "Arguments:",
            "Picking:",
            "The pull request:",
            "The release manager:",
            "Stopped runs:",
            "Automation:",
            "Output and diagnostics:",
        ],
        "{help}"
    );
    let under = options_under_headings(&help);
    for (option, heading) in [
        ("--upstream <REMOTE>", "Picking"),
        ("--fork <REMOTE>", "Picking"),
        ("--dry-run", "Picking"),
        ("-y, --yes", "Picking"),
        ("--exec <CMD>", "Picking"),
        ("--force", "Picking"),
        ("--label <NAME>", "The pull request"),
        ("--edit", "The pull request"),
        ("--reviewer <LOGIN>", "The pull request"),
        ("--missing", "The release manager"),
        ("--from-labels", "The release manager"),
        ("-i, --select", "The release manager"),
        ("--continue", "Stopped runs"),
        ("--abort", "Stopped runs"),
        ("--status", "Stopped runs"),
        ("--from-event", "Automation"),
        ("--json", "Output and diagnostics"),
        ("--debug", "Output and diagnostics"),
        ("-h, --help", "Output and diagnostics"),
    ] {
        assert!(
            under.contains(&(option.to_string(), heading.to_string())),
            "{option} is not under {heading}: {under:?}"
        );
    }
    // Every option of the short help is in the long one, under the same heading.
    let short = options_under_headings(&help_short());
    for pair in &short {
        assert!(under.contains(pair), "{pair:?} differs between -h and --help");
    }
}

fn help_short() -> String {
    help("-h", 80)
}

/// On an 80×24 terminal, `-h` is one screen: no line wraps, and it says
/// where the rest is.
#[test]
fn short_help_fits_on_one_screen() {
    let help = help_short();
    let lines: Vec<&str> = help.lines().collect();
    assert!(lines.len() <= 24, "-h is {} lines:\n{help}", lines.len());
    let long: Vec<&&str> = lines.iter().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "lines wider than 80 columns: {long:#?}");
    // The usage names every form, and the way to the rest.
    for form in [
        "<TARGET>... <PR>...",
        "--missing",
        "--continue",
        "--from-event",
        "--help",
    ] {
        assert!(help.contains(form), "-h lacks {form}:\n{help}");
    }
    assert!(help.lines().any(|l| l == "Picking:"), "{help}");
}

/// The committed man page, as the generator writes it.
fn man_page() -> String {
    let page = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("man/man1/git-cherry-pick-pr.1");
    std::fs::read_to_string(page).expect("the man page is committed")
}

#[test]
fn the_man_page_options_are_roff_not_markdown() {
    let page = man_page();
    let options: Vec<&str> = page
        .lines()
        .skip_while(|l| *l != ".SH OPTIONS")
        .take_while(|l| *l == ".SH OPTIONS" || !l.starts_with(".SH"))
        .collect();
    assert!(options.len() > 100, "no OPTIONS section: {options:?}");
    let markdown: Vec<&&str> = options.iter().filter(|l| l.contains('`')).collect();
    assert!(markdown.is_empty(), "backticks left in OPTIONS: {markdown:#?}");
    let options = options.join("\n");
    for roff in [
        // An option, a command and an environment variable in bold.
        "(\\fBgit am \\-\\-signoff\\fR)",
        "nothing is pushed and \\fB\\-\\-continue\\fR runs it again",
        "Also \\fBUPSTREAM_REMOTE\\fR or git config \\fBcherry\\-pick\\-pr.upstream\\fR",
        // A value in italics.
        "default \\fIorigin\\fR.",
        // The entries' tags, and the headings as subsections.
        ".TP\n\\fB\\-\\-continue\\fR\n",
        ".TP\n\\fB\\-\\-upstream\\fR \\fIREMOTE\\fR\n",
        ".SS Picking\n",
        ".SS \"The pull request\"\n",
        ".SS \"The release manager\"\n",
        ".SS \"Stopped runs\"\n",
        ".SS Automation\n",
        ".SS \"Output and diagnostics\"\n",
    ] {
        assert!(options.contains(roff), "OPTIONS lacks {roff:?}:\n{options}");
    }
}
