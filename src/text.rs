//! Text that users and GitHub see: branch names, the pull request's title and
//! body, and the release notes carried over from the source pull requests.
//!
//! Everything here is a pure function of its arguments, so it is tested byte
//! for byte against the behaviour contract without git or a server.

/// GitHub refuses pull request titles longer than this many characters.
pub const TITLE_LIMIT: usize = 256;

/// The page linked from every cherry-pick pull request's body.
pub const DOC_LINK: &str = "https://git.k8s.io/community/contributors/devel/sig-release/cherry-picks.md";

/// One source pull request as the text needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    pub number: u64,
    pub title: &'a str,
    pub body: &'a str,
}

/// The branch pushed to the fork, named as the script named it:
/// `automated-cherry-pick-of-#3796-#3797-upstream-release-3.1`.
pub fn branch_name(prs: &[u64], remote: &str, branch: &str) -> String {
    let numbers: Vec<String> = prs.iter().map(|n| format!("#{n}")).collect();
    format!("automated-cherry-pick-of-{}-{remote}-{branch}", numbers.join("-")).replace('/', "-")
}

/// `Automated cherry pick of #3796: <title> #3797: <title>`, cut with `…` to
/// GitHub's limit.
pub fn title(sources: &[Source<'_>]) -> String {
    let parts: Vec<String> = sources
        .iter()
        .map(|s| format!("#{}: {}", s.number, one_line(s.title)))
        .collect();
    truncate(&format!("Automated cherry pick of {}", parts.join(" ")), TITLE_LIMIT)
}

/// The body of the cherry-pick pull request, as the script wrote it.
///
/// `skipped` lists requested pull requests left out because their change is
/// already on the target branch.
pub fn body(sources: &[Source<'_>], skipped: &[u64], base: &str) -> String {
    let numbers: Vec<String> = sources.iter().map(|s| format!("#{}", s.number)).collect();
    let subjects: Vec<String> = sources
        .iter()
        .map(|s| format!("#{}: {}", s.number, one_line(s.title)))
        .collect();
    let notes: Vec<String> = sources.iter().flat_map(|s| release_notes(s.body)).collect();
    let mut text = format!(
        "Cherry pick of {} on {base}.\n\n{}\n\n",
        numbers.join(" "),
        subjects.join("\n")
    );
    if !skipped.is_empty() {
        let skipped: Vec<String> = skipped.iter().map(|n| format!("#{n}")).collect();
        text.push_str(&format!(
            "Not picked, already present on {base}: {}.\n\n",
            skipped.join(" ")
        ));
    }
    text.push_str(&format!(
        "For details on the cherry pick process, see the [cherry pick requests]({DOC_LINK}) page.\n\n```release-note\n{}\n```",
        notes.join("\n")
    ));
    text
}

/// The contents of every ```` ```release-note ```` block in a pull request
/// body, as written, with line endings made `\n`.
pub fn release_notes(body: &str) -> Vec<String> {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in body.split('\n') {
        match current.as_mut() {
            None => {
                if let Some(rest) = line.trim_start().strip_prefix("```release-note") {
                    if rest.trim().is_empty() {
                        current = Some(Vec::new());
                    }
                }
            }
            Some(lines) => {
                if line.trim_start().starts_with("```") {
                    blocks.push(lines.join("\n"));
                    current = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    blocks
}

/// A title never spans lines.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cuts `text` to at most `limit` characters, ending in `…` when cut.
pub fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src<'a>(number: u64, title: &'a str, body: &'a str) -> Source<'a> {
        Source { number, title, body }
    }

    #[test]
    fn branch_name_matches_the_script() {
        assert_eq!(
            branch_name(&[3796], "upstream", "release-3.1"),
            "automated-cherry-pick-of-#3796-upstream-release-3.1"
        );
        assert_eq!(
            branch_name(&[3796, 3797], "upstream", "release/v3.1"),
            "automated-cherry-pick-of-#3796-#3797-upstream-release-v3.1"
        );
    }

    #[test]
    fn title_lists_every_pr() {
        assert_eq!(
            title(&[src(3796, "Fix a", "")]),
            "Automated cherry pick of #3796: Fix a"
        );
        assert_eq!(
            title(&[src(3796, "Fix a", ""), src(3797, "Fix\nb", "")]),
            "Automated cherry pick of #3796: Fix a #3797: Fix b"
        );
    }

    #[test]
    fn long_titles_are_cut_to_github_limit() {
        let long = "x".repeat(300);
        let t = title(&[src(1, &long, "")]);
        assert_eq!(t.chars().count(), TITLE_LIMIT);
        assert!(t.ends_with('…'));
        let exact = "y".repeat(TITLE_LIMIT - "Automated cherry pick of #1: ".len());
        assert!(!title(&[src(1, &exact, "")]).ends_with('…'));
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 3), "ééé");
        assert_eq!(truncate("éééé", 3), "éé…");
        assert_eq!(truncate("abc", 0), "…");
    }

    #[test]
    fn body_matches_the_contract() {
        let a = "Fixes it.\r\n\r\n```release-note\r\nFixed a crash.\r\n```\r\n";
        let b = "```release-note\nNONE\n```";
        let text = body(&[src(3796, "Fix a", a), src(3797, "Fix b", b)], &[], "release-3.1");
        assert_eq!(
            text,
            "Cherry pick of #3796 #3797 on release-3.1.\n\n#3796: Fix a\n#3797: Fix b\n\n\
For details on the cherry pick process, see the [cherry pick requests](https://git.k8s.io/community/contributors/devel/sig-release/cherry-picks.md) page.\n\n\
```release-note\nFixed a crash.\nNONE\n```"
        );
    }

    #[test]
    fn body_without_notes_has_an_empty_block() {
        let text = body(&[src(1, "T", "no notes")], &[], "release-1.0");
        assert!(text.ends_with("```release-note\n\n```"), "{text}");
    }

    #[test]
    fn body_names_skipped_prs() {
        let text = body(&[src(1, "T", "")], &[2, 3], "release-1.0");
        assert!(
            text.contains("Not picked, already present on release-1.0: #2 #3.\n"),
            "{text}"
        );
    }

    #[test]
    fn release_notes_keep_multiple_lines_and_blocks() {
        let notes = release_notes("x\n```release-note\nline 1\n\nline 2\n```\n```release-note\nsecond\n```");
        assert_eq!(notes, vec!["line 1\n\nline 2".to_string(), "second".to_string()]);
        assert!(release_notes("```release-notes\nnot this\n```").is_empty());
        assert!(release_notes("```release-note\nunterminated").is_empty());
    }
}
