//! `--edit`: the new pull request's title and body in the user's editor
//! before anything is pushed, as `git commit` does: the text offered (with
//! the cherry-pick process's questions as HTML comments), the editor found
//! and run, and what comes back read as a title and a body.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;

use crate::errors::{Context, failed, usage};
use crate::git::Git;
use crate::plan::next::Hint;
use crate::plan::state::PrText;

/// The questions of the cherry-pick process, and the headings a pick that is
/// not a critical fix makes its case under, with a blank line after them.
pub fn justification_template(critical: bool, branch: &str) -> String {
    if critical {
        return format!(
            "<!-- Marked as a critical fix (--critical). Say in a line which critical bug this fixes on {branch}, and link its issue. -->\n\n"
        );
    }
    let mut text = format!(
        "<!--\nRelease branches take one or two orders of magnitude fewer changes than the\n\
main branch, mostly fixes of critical bugs: data loss, memory corruption, a\n\
panic, crash or hang, security. A pick that is not an obvious critical fix\n\
makes its case below, so the release managers can judge it for {branch}.\n\
Answer under each heading; delete a heading that does not apply.\n-->\n"
    );
    for (heading, question) in HEADINGS {
        text.push_str(&format!("### {heading}\n<!-- {question} -->\n\n"));
    }
    text
}

/// The justification headings and the question under each.
const HEADINGS: [(&str, &str); 6] = [
    ("Issue", "Which GitHub issue does this fix? Link it: Fixes #1234."),
    (
        "Scope",
        "What does the change touch: which components, how much code, any change of API or behaviour?",
    ),
    ("Risks", "What could go wrong if this is picked, and what if it is not?"),
    (
        "Regression risks",
        "Could it break something that works in this release today? How would it show?",
    ),
    (
        "Testing",
        "How was it tested, and on which branch: unit, e2e, by hand? Did the tests run on this release branch?",
    ),
    (
        "Reviewers",
        "Who knows this code and can attest that the pick is safe? Name them: @login.",
    ),
];

/// What the editor is given: the title, a blank line, the body, and how the
/// text is read.
pub fn editor_text(text: &PrText) -> String {
    format!(
        "{}\n\n{}\n\n<!--\nThe first line is the pull request's title; the rest is its body (Markdown).\n\
HTML comments like this one are removed. Leaving the title or the body empty\n\
stops here: {}\n-->\n",
        text.title,
        text.body.trim_end(),
        Hint::EditorEmpty
    )
}

/// Why an edited text is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    Title,
    Body,
}

/// The title and body of an edited text: HTML comments removed (but in
/// code blocks, where GitHub shows them), the first line the title, the
/// rest the body, blank lines around them dropped.
pub fn parse(text: &str) -> Result<PrText, Empty> {
    let text = strip_comments(&text.replace("\r\n", "\n"));
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    // A title is one line of text: a tab in it is a space.
    let title = lines.next().map(str::trim).unwrap_or_default().replace('\t', " ");
    if title.is_empty() {
        return Err(Empty::Title);
    }
    let body = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    if body.is_empty() {
        return Err(Empty::Body);
    }
    Ok(PrText { title, body })
}

/// What the editor left, as text for GitHub: line endings made `\n`, and
/// every control character but newline and tab dropped (terminal escapes,
/// a lone CR, C1 controls), with how many were. A NUL byte is refused (the
/// line it is on): text with NULs is not UTF-8 text (an editor that saved
/// UTF-16 writes one in every other byte), and what it meant is not ours to
/// guess.
pub fn without_controls(text: &str) -> Result<(String, usize), usize> {
    if let Some(at) = text.find('\0') {
        return Err(text[..at].matches('\n').count() + 1);
    }
    let text = text.replace("\r\n", "\n");
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    let dropped = text.chars().count() - kept.chars().count();
    Ok((kept, dropped))
}

/// `text` without its HTML comments, outside fenced code blocks; a line
/// that held only comments goes with them, and blank lines left in a row
/// become one (as Markdown shows them).
pub fn strip_comments(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_comment = false;
    let mut fence: Option<String> = None;
    for line in text.split('\n') {
        if !in_comment {
            let trimmed = line.trim_start();
            if let Some(open) = &fence {
                if trimmed.starts_with(open.as_str()) {
                    fence = None;
                }
                out.push(line.to_string());
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let marker: String = trimmed.chars().take_while(|c| *c == '`' || *c == '~').collect();
                fence = Some(marker);
                out.push(line.to_string());
                continue;
            }
        }
        let mut kept = String::new();
        let mut rest = line;
        let mut had_comment = in_comment;
        loop {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        kept.push_str(&rest[..start]);
                        rest = &rest[start + 4..];
                        in_comment = true;
                        had_comment = true;
                    }
                    None => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        if had_comment && kept.trim().is_empty() {
            continue;
        }
        let blank = kept.trim().is_empty();
        if blank && out.last().is_some_and(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(kept);
    }
    out.join("\n")
}

/// The editor, as git names it (`git var GIT_EDITOR`).
pub fn editor(git: &Git<'_>, dir: &Path) -> Result<String> {
    let editor = git.var(dir, "GIT_EDITOR").map_err(|e| {
        failed("git names no editor for --edit")
            .hint("set one: git config --global core.editor 'vim' (or GIT_EDITOR, VISUAL, EDITOR)")
            .because(e)
    })?;
    Ok(editor.trim().to_string())
}

/// Whether `editor` can be started: its program is on `PATH`, or a file
/// that can be run (`:` is git's editor that changes nothing).
fn can_run(editor: &str) -> bool {
    let Some(program) = editor.split_whitespace().next() else {
        return false;
    };
    let program = program.trim_matches(['"', '\'']);
    program == ":" || which::which(program).is_ok()
}

/// `--edit` needs an editor that can run; without a terminal a usage error
/// says so before anything is done.
pub fn check(git: &Git<'_>, dir: &Path) -> Result<()> {
    if std::io::stdin().is_terminal() {
        return Ok(());
    }
    let named = git.var(dir, "GIT_EDITOR").ok();
    match named.map(|e| e.trim().to_string()) {
        Some(editor) if can_run(&editor) => Ok(()),
        Some(editor) => Err(usage(format!(
            "--edit: the editor `{editor}` cannot be run, and there is no terminal to run one in"
        ))
        .hint("set GIT_EDITOR (or core.editor) to an editor that can run here, or put the justification in with --why TEXT or --why-file FILE")
        .into()),
        None => Err(usage("--edit: git names no editor, and there is no terminal to run one in")
            .hint("set GIT_EDITOR (or core.editor) to an editor, or put the justification in with --why TEXT or --why-file FILE")
            .into()),
    }
}

/// Opens `text` in the editor, in a file under `dir` (removed after), and
/// returns what the user left. Its output goes to stderr, as stdout is for
/// the pull requests' URLs.
pub fn edit(git: &Git<'_>, dir: &Path, worktree: &Path, text: &str) -> Result<String> {
    let editor = editor(git, worktree)?;
    std::fs::create_dir_all(dir).failure(|| failed(format!("creating {}", dir.display())))?;
    let file = tempfile::Builder::new()
        .prefix("PULL_REQUEST_EDITMSG-")
        .suffix(".md")
        .tempfile_in(dir)
        .failure(|| failed(format!("writing the text to edit in {}", dir.display())))?;
    std::fs::write(file.path(), text).failure(|| failed(format!("writing {}", file.path().display())))?;
    if editor != ":" {
        let script = format!("{editor} \"$@\"");
        let ran = duct::cmd(
            "sh",
            ["-c".as_ref(), script.as_ref(), editor.as_ref(), file.path().as_os_str()],
        )
        .dir(worktree)
        .stdout_to_stderr()
        .unchecked()
        .run()
        .map_err(|e| failed(format!("running the editor `{editor}` failed")).because(e))?;
        if !ran.status.success() {
            let status = ran.status.code().map_or("was killed by a signal".to_string(), |c| {
                format!("exited with status {c}")
            });
            return Err(failed(format!("the editor `{editor}` {status}")).into());
        }
    }
    std::fs::read_to_string(file.path())
        .failure(|| failed(format!("reading the edited text from {}", file.path().display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_but_not_in_code_blocks() {
        let text = "a <!-- x --> b\n<!--\nmany\n-->\nc\n\n<!-- only -->\n\n```release-note\n<!-- kept -->\n\n\n```\nd<!--x\ny-->e";
        assert_eq!(
            strip_comments(text),
            "a  b\nc\n\n```release-note\n<!-- kept -->\n\n\n```\nd\ne"
        );
    }

    #[test]
    fn the_first_line_is_the_title() {
        let text = editor_text(&PrText {
            title: "T".into(),
            body: format!("Body.\n\n{}", justification_template(false, "release-1.0")),
        });
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.title, "T");
        assert!(
            parsed.body.starts_with("Body.\n\n### Issue\n\n### Scope"),
            "{}",
            parsed.body
        );
        assert!(!parsed.body.contains("<!--"), "{}", parsed.body);
        assert_eq!(parse("<!-- c -->\n\n"), Err(Empty::Title));
        assert_eq!(parse("Title\n\n<!-- all gone -->\n"), Err(Empty::Body));
        assert!(
            justification_template(true, "r")
                .lines()
                .all(|l| l.is_empty() || l.starts_with("<!--"))
        );
    }

    #[test]
    fn an_edited_text_keeps_newlines_and_tabs_and_refuses_nul() {
        assert_eq!(
            without_controls("T\x1b[2J\r\n\tb\x07\u{85}\r.\x7f\n"),
            Ok(("T[2J\n\tb.\n".to_string(), 5))
        );
        assert_eq!(without_controls("plain\n"), Ok(("plain\n".to_string(), 0)));
        assert_eq!(without_controls("a\nb\nc\0d"), Err(3));
        assert_eq!(
            parse("A\ttitle\n\nBody\twith a tab").map(|t| t.title),
            Ok("A title".to_string())
        );
    }

    #[test]
    fn editors_that_cannot_run_are_told_apart() {
        assert!(can_run("sh -c true"));
        assert!(can_run(":"));
        assert!(can_run("\"sh\""));
        assert!(!can_run("no-such-editor-anywhere --wait"));
        assert!(!can_run(""));
    }
}
