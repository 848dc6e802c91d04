//! Text that users and GitHub see: branch names, the pull request's title and
//! body, and the release notes carried over from the source pull requests.
//!
//! Everything here is a pure function of its arguments, so it is tested byte
//! for byte against the behaviour contract without git or a server.

use crate::safe::one_line;

/// GitHub refuses pull request titles longer than this many characters.
pub const TITLE_LIMIT: usize = 256;

/// GitHub refuses pull request bodies longer than this many characters.
pub const BODY_LIMIT: usize = 65_536;

/// The page linked from every cherry-pick pull request's body.
pub const DOC_LINK: &str = "https://git.k8s.io/community/contributors/devel/sig-release/cherry-picks.md";

/// A pull request as users read it: `#3796`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrNumber(pub u64);

impl std::fmt::Display for PrNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Pull requests as users read them: `#3796 #3797` (nothing for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrList<'a>(pub &'a [u64]);

impl std::fmt::Display for PrList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", PrNumber(*n))?;
        }
        Ok(())
    }
}

/// One source pull request as the text needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    pub number: u64,
    pub title: &'a str,
    pub body: &'a str,
    /// What of it is picked, when not its own commits: `the squash commit
    /// 1a2b3c4d5e6f`.
    pub picked_as: Option<String>,
    /// The requested pull request that needs it, when it is picked only for
    /// that (`--with-prerequisites`): named so, and left out of the title.
    pub needed_by: Option<u64>,
}

/// The longest branch name made from many pull requests: a branch is a file
/// under `.git/refs/heads/`, whose name may have at most 255 bytes (100 PRs
/// named in full take 600).
const LONGEST_BRANCH: usize = 200;

/// How every branch the tool pushes begins: the script's name.
pub const BRANCH_PREFIX: &str = "automated-cherry-pick-of-";

/// The pull requests a branch the tool pushed for `remote`'s `branch` picks,
/// when `name` is exactly the one it gives them (`branch_name`); `None`
/// for any other name, one cut short with `-and-N-more-` included.
pub fn branch_sources(name: &str, remote: &str, branch: &str) -> Option<Vec<u64>> {
    let mut rest = name.strip_prefix(BRANCH_PREFIX)?;
    let mut prs = Vec::new();
    while let Some(after) = rest.strip_prefix('#') {
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        prs.push(after[..digits].parse().ok()?);
        rest = after[digits..].strip_prefix('-')?;
    }
    (!prs.is_empty() && branch_name(&prs, remote, branch) == name).then_some(prs)
}

/// The branch pushed to the fork, named as the script named it:
/// `automated-cherry-pick-of-#3796-#3797-upstream-release-3.1`. When the
/// pull requests are too many to name (over 200 bytes), it names the first
/// ones, how many more, and a digest of the whole list, so that the same
/// pull requests make the same name:
/// `automated-cherry-pick-of-#1001-…-#1024-and-76-more-5f3a09c1-upstream-release-1.99`.
pub fn branch_name(prs: &[u64], remote: &str, branch: &str) -> String {
    let numbers: Vec<String> = prs.iter().map(|n| PrNumber(*n).to_string()).collect();
    let full = format!("{BRANCH_PREFIX}{}-{remote}-{branch}", numbers.join("-")).replace('/', "-");
    if full.len() <= LONGEST_BRANCH {
        return full;
    }
    let digest = fnv1a(numbers.join("-").as_bytes());
    let name = |named: usize| {
        format!(
            "{BRANCH_PREFIX}{}-and-{}-more-{digest:08x}-{remote}-{branch}",
            numbers[..named].join("-"),
            numbers.len() - named
        )
        .replace('/', "-")
    };
    let named = (1..numbers.len())
        .rev()
        .find(|&n| name(n).len() <= LONGEST_BRANCH)
        .unwrap_or(1);
    name(named)
}

/// The 32-bit FNV-1a hash: a digest that stays the same from one version
/// of the tool to the next.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash: u32, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The default title template (`cherry-pick-pr.titleTemplate`).
pub const TITLE_TEMPLATE: &str = "Automated cherry pick of {title_list}";

/// The default body template (`cherry-pick-pr.bodyTemplate`).
pub const BODY_TEMPLATE: &str = "Cherry pick of {prs} on {target}.\n\n{subjects}\n\n{skipped_note}{justification}{conflicts}For details on the cherry pick process, see the [cherry pick requests]({doc_link}) page.\n\n```release-note\n{release_notes}\n```";

/// The placeholders templates may use.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("prs", "the picked pull requests: `#3796 #3797`"),
    ("subjects", "one line per picked pull request: `#3796: <title>`"),
    ("title_list", "the same on one line: `#3796: <title> #3797: <title>`"),
    ("target", "the target branch: `release-3.1`"),
    ("release_notes", "the release-note blocks of the picked pull requests"),
    ("doc_link", "the cherry-pick process page (`cherry-pick-pr.docLink`)"),
    ("skipped", "the pull requests left out because already present: `#3795`"),
    (
        "skipped_by_hand",
        "the pull requests skipped by hand while resolving conflicts: `#3800`",
    ),
    (
        "skipped_note",
        "a sentence naming those, with a blank line after it, or nothing",
    ),
    (
        "justification",
        "the case for the pick (`--why`, `--why-file`, or the headings `--edit` offers), with a blank line after it, or nothing",
    ),
    (
        "conflicts",
        "the section disclosing pull requests that did not apply as they are (resolved by hand, or by the cherry-pick fallback) and how far the backport differs, with a blank line after it, or nothing",
    ),
];

/// Parts of the body that the run makes: each ends with a blank line, or is
/// empty. A body template that leaves one out gets it at its end.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sections<'a> {
    pub justification: &'a str,
    pub conflicts: &'a str,
}

/// The text of the pull request the tool opens.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Templates {
    pub title: String,
    pub body: String,
    pub doc_link: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            title: TITLE_TEMPLATE.into(),
            body: BODY_TEMPLATE.into(),
            doc_link: DOC_LINK.into(),
        }
    }
}

/// Checks that a template uses only known placeholders.
pub fn check_template(template: &str) -> Result<(), String> {
    let values: Vec<(&str, String)> = PLACEHOLDERS.iter().map(|(name, _)| (*name, String::new())).collect();
    render(template, &values).map(|_| ())
}

/// The candidate label `template` names for `branch`.
pub fn candidate_label(template: &str, branch: &str) -> String {
    // Checked when the settings were read.
    render(template, &[("branch", branch.to_string())]).unwrap_or_else(|_| template.to_string())
}

/// Checks a candidate label template: `{branch}` is its one placeholder,
/// and what it makes is a label name.
pub fn check_candidate_label(template: &str) -> Result<(), String> {
    let label = render(template, &[("branch", "release-3.1".to_string())])?;
    if label.trim().is_empty() {
        return Err("it makes an empty label".to_string());
    }
    if label.contains('"') {
        return Err("a label with `\"` cannot be searched for".to_string());
    }
    Ok(())
}

/// Replaces `{name}` with its value; `{{` and `}}` are literal braces. An
/// unknown name is an error that names it.
pub fn render(template: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` in the template `{template}`"))?;
            let name = &after[..end];
            let value = values.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                let known: Vec<String> = values.iter().map(|(n, _)| format!("{{{n}}}")).collect();
                format!("unknown placeholder `{{{name}}}` (known: {})", known.join(", "))
            })?;
            out.push_str(&value.1);
            rest = &after[end + 1..];
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn values(
    templates: &Templates,
    sources: &[Source<'_>],
    left_out: LeftOut<'_>,
    base: &str,
) -> Vec<(&'static str, String)> {
    let LeftOut { skipped, by_hand } = left_out;
    let numbers: Vec<u64> = sources.iter().map(|s| s.number).collect();
    let subject = |s: &Source<'_>| format!("{}: {}", PrNumber(s.number), one_line(s.title));
    let subjects: Vec<String> = sources.iter().map(subject).collect();
    // The title names the pull requests asked for, not those they need.
    let requested: Vec<String> = sources.iter().filter(|s| s.needed_by.is_none()).map(subject).collect();
    let title_list = if requested.is_empty() { &subjects } else { &requested };
    let notes: Vec<String> = sources.iter().flat_map(|s| release_notes(s.body)).collect();
    let mut skipped_note = String::new();
    if !skipped.is_empty() {
        skipped_note.push_str(&format!(
            "Not picked, already present on {base}: {}.\n\n",
            PrList(skipped)
        ));
    }
    if !by_hand.is_empty() {
        skipped_note.push_str(&format!(
            "Not picked, skipped by hand while resolving conflicts: {}.\n\n",
            PrList(by_hand)
        ));
    }
    for source in sources {
        if let Some(needed_by) = source.needed_by {
            skipped_note.push_str(&format!(
                "Also picks {}, which {} needs.\n\n",
                PrNumber(source.number),
                PrNumber(needed_by)
            ));
        }
    }
    for source in sources {
        if let Some(picked_as) = &source.picked_as {
            skipped_note.push_str(&format!(
                "{} is picked as {picked_as}, as it landed.\n\n",
                PrNumber(source.number)
            ));
        }
    }
    vec![
        ("prs", PrList(&numbers).to_string()),
        ("subjects", subjects.join("\n")),
        ("title_list", title_list.join(" ")),
        ("target", base.to_string()),
        ("release_notes", notes.join("\n")),
        ("doc_link", templates.doc_link.clone()),
        ("skipped", PrList(skipped).to_string()),
        ("skipped_by_hand", PrList(by_hand).to_string()),
        ("skipped_note", skipped_note),
        ("justification", String::new()),
        ("conflicts", String::new()),
    ]
}

/// Whether `template` uses the placeholder `name`.
fn uses(template: &str, name: &str) -> bool {
    let values: Vec<(&str, String)> = PLACEHOLDERS
        .iter()
        .map(|(n, _)| (*n, if *n == name { "\0".to_string() } else { String::new() }))
        .collect();
    render(template, &values).is_ok_and(|text| text.contains('\0'))
}

/// The title: `Automated cherry pick of #3796: <title> #3797: <title>` by
/// default, always on one line and cut with `…` to GitHub's limit.
pub fn title(templates: &Templates, sources: &[Source<'_>], base: &str) -> String {
    let text = render(&templates.title, &values(templates, sources, LeftOut::default(), base)).unwrap_or_default();
    truncate(&one_line(&text), TITLE_LIMIT)
}

/// Requested pull requests that the new pull request leaves out.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeftOut<'a> {
    /// Their change is already on the target.
    pub skipped: &'a [u64],
    /// The user skipped them (`git am --skip`, or `--abort`) while resolving.
    pub by_hand: &'a [u64],
}

/// The body, as the script wrote it by default, naming the pull requests
/// left out and why. Fitted to GitHub's limit (`fit`).
#[cfg(test)]
pub fn body(templates: &Templates, sources: &[Source<'_>], left_out: LeftOut<'_>, base: &str) -> String {
    body_with(templates, sources, left_out, Sections::default(), base)
}

/// The body with the run's own sections (`Sections`) in it.
#[cfg(test)]
pub fn body_with(
    templates: &Templates,
    sources: &[Source<'_>],
    left_out: LeftOut<'_>,
    sections: Sections<'_>,
    base: &str,
) -> String {
    body_fitted(templates, sources, left_out, sections, base).0
}

/// What was cut from a body to fit GitHub's limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fitted {
    /// The justification (`--why`, `--why-file`), which only the user has.
    pub justification: bool,
    /// The release notes or the list of pull requests, which the source
    /// pull requests have.
    pub sources: bool,
}

/// Said in the body after a justification cut to fit: the body is all of
/// it that is on GitHub.
pub const JUSTIFICATION_CUT: &str =
    "The justification above was cut to fit GitHub's limit of 65536 characters; the rest of it is not on GitHub.";

/// `body_with`, and what was cut to fit GitHub's limit.
pub fn body_fitted(
    templates: &Templates,
    sources: &[Source<'_>],
    left_out: LeftOut<'_>,
    sections: Sections<'_>,
    base: &str,
) -> (String, Fitted) {
    let mut template = templates.body.clone();
    let mut values = values(templates, sources, left_out, base);
    let mut appended = false;
    for (name, text) in [
        ("justification", sections.justification),
        ("conflicts", sections.conflicts),
    ] {
        if text.is_empty() {
            continue;
        }
        set(&mut values, name, text.to_string());
        if !uses(&template, name) {
            // What was appended before ends with its blank line already.
            if !appended {
                template = format!("{}\n\n", template.trim_end());
            }
            template.push_str(&format!("{{{name}}}"));
            appended = true;
        }
    }
    let (values, justification) = fit_justification(&template, values, BODY_LIMIT);
    let text = fit(&template, values.clone(), sources, BODY_LIMIT);
    let fitted = Fitted {
        justification,
        sources: text != render(&template, &values).unwrap_or_default(),
    };
    let text = if appended { text.trim_end().to_string() } else { text };
    (text, fitted)
}

/// The values with the justification cut (at a line, `JUSTIFICATION_CUT`
/// after it) as far as the body rendered from them is longer than `limit`,
/// and whether it was: the justification goes before anything the source
/// pull requests hold (the release note above all, which release tooling
/// reads), as only it has nowhere else to be read.
fn fit_justification(
    template: &str,
    mut values: Vec<(&'static str, String)>,
    limit: usize,
) -> (Vec<(&'static str, String)>, bool) {
    let length = render(template, &values).unwrap_or_default().chars().count();
    let justification = value(&values, "justification");
    if length <= limit || justification.is_empty() {
        return (values, false);
    }
    let text = justification.trim_end();
    // What the justification's own ending and the notice add.
    let added = "\n\n".len() + JUSTIFICATION_CUT.chars().count() + "\n\n".len();
    let keep = justification.chars().count().saturating_sub(length - limit + added);
    let cut = cut_at_line(text, keep);
    set(
        &mut values,
        "justification",
        format!("{cut}\n\n{JUSTIFICATION_CUT}\n\n"),
    );
    (values, true)
}

/// The body rendered from `values`, within `limit` characters: when it is
/// longer, the release notes are shortened first, then the list of pull
/// requests, each cut at a line and ended with `…`; a sentence after the
/// list says so and names the source pull requests (which GitHub links),
/// where the full text is. Only a template that is itself too long gets cut
/// anywhere.
fn fit(template: &str, mut values: Vec<(&'static str, String)>, sources: &[Source<'_>], limit: usize) -> String {
    let rendered = |values: &[(&str, String)]| render(template, values).unwrap_or_default();
    let full = rendered(&values);
    if full.chars().count() <= limit {
        return full;
    }
    let numbers: Vec<u64> = sources.iter().map(|s| s.number).collect();
    let notice = format!(
        "The release notes and the list above were shortened to fit GitHub's limit of {limit} characters; the full text is in {}.",
        PrList(&numbers)
    );
    let subjects = value(&values, "subjects");
    let with_notice = |subjects: &str| {
        if subjects.is_empty() {
            notice.clone()
        } else {
            format!("{subjects}\n\n{notice}")
        }
    };
    set(&mut values, "subjects", with_notice(&subjects));
    let mut text = rendered(&values);
    if !text.contains(&notice) {
        // A template without `{subjects}`: the notice goes at the end.
        set(&mut values, "subjects", subjects.clone());
        text = rendered(&values);
    }
    let appended = !text.contains(&notice);
    let finish = |text: String| {
        if appended { format!("{text}\n\n{notice}") } else { text }
    };
    let extra = if appended { notice.chars().count() + 2 } else { 0 };
    // Release notes first; the list of pull requests only if that is not enough.
    for name in ["release_notes", "subjects"] {
        let length = text.chars().count() + extra;
        if length <= limit {
            return finish(text);
        }
        let current = if name == "subjects" {
            subjects.clone()
        } else {
            value(&values, name)
        };
        let keep = current.chars().count().saturating_sub(length - limit);
        let cut = cut_at_line(&current, keep);
        let cut = if name == "subjects" && !appended {
            with_notice(&cut)
        } else {
            cut
        };
        set(&mut values, name, cut);
        text = rendered(&values);
    }
    if text.chars().count() + extra <= limit {
        return finish(text);
    }
    truncate(&finish(text), limit)
}

fn value(values: &[(&str, String)], name: &str) -> String {
    values
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn set(values: &mut [(&str, String)], name: &str, text: String) {
    if let Some(slot) = values.iter_mut().find(|(n, _)| *n == name) {
        slot.1 = text;
    }
}

/// At most `keep` characters of `text`, ending at a line's end where there
/// is one, then `…` on a line of its own; all of it when it fits.
pub fn cut_at_line(text: &str, keep: usize) -> String {
    if text.chars().count() <= keep {
        return text.to_string();
    }
    // Room for "\n…".
    let room = keep.saturating_sub(2);
    let head: String = text.chars().take(room).collect();
    let head = match head.rfind('\n') {
        Some(end) => &head[..end],
        None => head.as_str(),
    };
    if head.is_empty() {
        "…".to_string()
    } else {
        format!("{head}\n…")
    }
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
                if let Some(rest) = line.trim_start().strip_prefix("```release-note")
                    && rest.trim().is_empty()
                {
                    current = Some(Vec::new());
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

    #[test]
    fn a_branch_names_its_sources_only_when_it_is_named_as_the_tool_names_it() {
        let name = branch_name(&[3796, 3797], "origin", "release/3.1");
        assert_eq!(branch_sources(&name, "origin", "release/3.1"), Some(vec![3796, 3797]));
        assert_eq!(branch_sources(&name, "upstream", "release/3.1"), None);
        assert_eq!(branch_sources(&name, "origin", "release-3.0"), None);
        for other in [
            "automated-cherry-pick-of-#3796-origin-release-3.1-mine",
            "automated-cherry-pick-of-origin-release-3.1",
            "automated-cherry-pick-of-#-origin-release-3.1",
            "fix-3796",
        ] {
            assert_eq!(branch_sources(other, "origin", "release-3.1"), None, "{other}");
        }
        let many: Vec<u64> = (1000..1100).collect();
        let cut = branch_name(&many, "origin", "release-3.1");
        assert_eq!(branch_sources(&cut, "origin", "release-3.1"), None, "cut short: {cut}");
    }

    fn src<'a>(number: u64, title: &'a str, body: &'a str) -> Source<'a> {
        Source {
            number,
            title,
            body,
            picked_as: None,
            needed_by: None,
        }
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
    fn a_branch_for_many_pull_requests_names_the_first_ones_and_fits_in_a_file_name() {
        let hundred: Vec<u64> = (1001..=1100).collect();
        let name = branch_name(&hundred, "upstream", "release-1.99");
        assert!(name.len() <= 200, "{name}");
        assert!(name.starts_with("automated-cherry-pick-of-#1001-#1002-"), "{name}");
        assert!(name.ends_with("-upstream-release-1.99"), "{name}");
        assert!(name.contains("-more-"), "{name}");
        assert_eq!(name, branch_name(&hundred, "upstream", "release-1.99"));
        let mut other = hundred.clone();
        other[99] = 1200;
        assert_ne!(name, branch_name(&other, "upstream", "release-1.99"));
        // As many as fit are named in full.
        let twenty: Vec<u64> = (1001..=1020).collect();
        assert!(!branch_name(&twenty, "upstream", "release-1.99").contains("more"));
    }

    #[test]
    fn title_lists_every_pr() {
        assert_eq!(
            title(&Templates::default(), &[src(3796, "Fix a", "")], "r"),
            "Automated cherry pick of #3796: Fix a"
        );
        assert_eq!(
            title(
                &Templates::default(),
                &[src(3796, "Fix a", ""), src(3797, "Fix\nb", "")],
                "r"
            ),
            "Automated cherry pick of #3796: Fix a #3797: Fix b"
        );
    }

    #[test]
    fn long_titles_are_cut_to_github_limit() {
        let long = "x".repeat(300);
        let d = Templates::default();
        let t = title(&d, &[src(1, &long, "")], "r");
        assert_eq!(t.chars().count(), TITLE_LIMIT);
        assert!(t.ends_with('…'));
        let exact = "y".repeat(TITLE_LIMIT - "Automated cherry pick of #1: ".len());
        assert!(!title(&d, &[src(1, &exact, "")], "r").ends_with('…'));
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
        let text = body(
            &Templates::default(),
            &[src(3796, "Fix a", a), src(3797, "Fix b", b)],
            LeftOut::default(),
            "release-3.1",
        );
        assert_eq!(
            text,
            "Cherry pick of #3796 #3797 on release-3.1.\n\n#3796: Fix a\n#3797: Fix b\n\n\
For details on the cherry pick process, see the [cherry pick requests](https://git.k8s.io/community/contributors/devel/sig-release/cherry-picks.md) page.\n\n\
```release-note\nFixed a crash.\nNONE\n```"
        );
    }

    #[test]
    fn a_body_within_the_limit_is_left_alone() {
        let note = "n".repeat(1000);
        let b = format!("```release-note\n{note}\n```");
        let text = body(&Templates::default(), &[src(1, "T", &b)], LeftOut::default(), "r");
        assert!(text.contains(&note) && !text.contains("shortened"), "{text}");
    }

    #[test]
    fn a_long_body_is_fitted_with_notes_cut_first_and_said_so() {
        let note = "A long line of notes.\n".repeat(4000);
        let b = format!("```release-note\n{note}```");
        let sources = [src(3796, "Fix a", &b), src(3797, "Fix b", "```release-note\nNONE\n```")];
        let text = body(&Templates::default(), &sources, LeftOut::default(), "release-3.1");
        assert!(text.chars().count() <= BODY_LIMIT, "{}", text.chars().count());
        assert!(text.chars().count() > BODY_LIMIT - 100, "only what is needed goes");
        assert!(text.starts_with("Cherry pick of #3796 #3797 on release-3.1.\n\n#3796: Fix a\n#3797: Fix b\n\nThe release notes and the list above were shortened to fit GitHub's limit of 65536 characters; the full text is in #3796 #3797.\n\n"), "{}", &text[..300]);
        assert!(
            text.ends_with("A long line of notes.\n…\n```"),
            "{}",
            &text[text.len() - 100..]
        );
        // The limit counts characters, not bytes.
        let wide = "é".repeat(40_000);
        let b = format!("```release-note\n{wide}\n{wide}\n```");
        let text = body(&Templates::default(), &[src(1, "T", &b)], LeftOut::default(), "r");
        assert!(text.chars().count() <= BODY_LIMIT && text.len() > BODY_LIMIT);
        assert!(text.contains("shortened"));
    }

    /// A long justification is cut, not the release
    /// note, and the body says where the rest of it is not.
    #[test]
    fn a_long_justification_is_cut_before_the_release_note() {
        let why = "A line of the case for the pick.\n".repeat(3000);
        let sections = Sections {
            justification: &format!("{why}\n"),
            conflicts: "",
        };
        let b = "```release-note\nFixed a crash.\n```";
        let (text, fitted) = body_fitted(
            &Templates::default(),
            &[src(3796, "Fix a", b)],
            LeftOut::default(),
            sections,
            "release-3.1",
        );
        assert!(text.chars().count() <= BODY_LIMIT, "{}", text.chars().count());
        assert!(text.chars().count() > BODY_LIMIT - 100, "only what is needed goes");
        assert!(
            text.ends_with("```release-note\nFixed a crash.\n```"),
            "{}",
            &text[text.len() - 300..]
        );
        assert!(text.starts_with("Cherry pick of #3796 on release-3.1.\n\n#3796: Fix a\n\nA line of the case"));
        assert!(
            text.contains(&format!(
                "A line of the case for the pick.\n…\n\n{JUSTIFICATION_CUT}\n\nFor details"
            )),
            "{}",
            &text[text.len() - 600..]
        );
        assert!(
            !text.contains("the full text is in #3796"),
            "nothing says #3796 holds it"
        );
        assert_eq!(
            fitted,
            Fitted {
                justification: true,
                sources: false
            }
        );
        // Appended by a template without `{justification}`, it is cut all the same.
        let t = Templates {
            body: "{release_notes}".into(),
            ..Templates::default()
        };
        let (text, fitted) = body_fitted(&t, &[src(1, "T", b)], LeftOut::default(), sections, "r");
        assert!(text.chars().count() <= BODY_LIMIT);
        assert!(text.starts_with("Fixed a crash.\n\nA line"), "{}", &text[..100]);
        assert!(text.ends_with(JUSTIFICATION_CUT), "{}", &text[text.len() - 300..]);
        assert!(fitted.justification && !fitted.sources);
        // A body that fits is not fitted.
        let (_, fitted) = body_fitted(
            &Templates::default(),
            &[src(1, "T", b)],
            LeftOut::default(),
            Sections::default(),
            "r",
        );
        assert_eq!(fitted, Fitted::default());
    }

    #[test]
    fn a_template_without_the_list_gets_the_notice_at_the_end() {
        let t = Templates {
            body: "{release_notes}".into(),
            ..Templates::default()
        };
        let note = "x\n".repeat(40_000);
        let b = format!("```release-note\n{note}```");
        let text = body(&t, &[src(7, "T", &b)], LeftOut::default(), "r");
        assert!(text.chars().count() <= BODY_LIMIT, "{}", text.chars().count());
        assert!(text.chars().count() > BODY_LIMIT - 5, "only what is needed goes");
        assert!(
            text.ends_with("the full text is in #7."),
            "{}",
            &text[text.len() - 200..]
        );
        assert!(
            text.contains("x\n…\n\nThe release notes"),
            "{}",
            &text[text.len() - 200..]
        );
    }

    #[test]
    fn a_template_too_long_by_itself_is_cut_at_the_limit() {
        let t = Templates {
            body: format!("{}{{release_notes}}", "y".repeat(BODY_LIMIT - 50)),
            ..Templates::default()
        };
        let b = format!("```release-note\n{}```", "x\n".repeat(1000));
        let text = body(&t, &[src(7, "T", &b)], LeftOut::default(), "r");
        assert_eq!(text.chars().count(), BODY_LIMIT);
        assert!(text.ends_with('…'));
        // With the list in it, the notice goes there, and the end is cut all the same.
        let t = Templates {
            body: format!("{{subjects}}\n{}", "y".repeat(BODY_LIMIT + 10)),
            ..Templates::default()
        };
        let text = body(&t, &[src(7, "T", &b)], LeftOut::default(), "r");
        assert_eq!(text.chars().count(), BODY_LIMIT);
        assert!(
            text.starts_with("…\n\nThe release notes and the list above were shortened"),
            "{}",
            &text[..200]
        );
        assert!(text.ends_with('…'));
    }

    #[test]
    fn a_long_list_is_cut_when_the_notes_are_not_enough() {
        let long = "t".repeat(200);
        let sources: Vec<Source<'_>> = (1..=400).map(|n| src(n, &long, "")).collect();
        let text = body(&Templates::default(), &sources, LeftOut::default(), "r");
        assert!(text.chars().count() <= BODY_LIMIT, "{}", text.chars().count());
        assert!(
            text.contains("…\n\nThe release notes and the list above were shortened"),
            "{text}"
        );
        assert!(text.ends_with("```release-note\n\n```"), "the block is whole");
    }

    #[test]
    fn cutting_at_a_line_keeps_whole_lines() {
        assert_eq!(cut_at_line("abc\ndef\nghi", 100), "abc\ndef\nghi");
        assert_eq!(cut_at_line("abc\ndef\nghi", 9), "abc\n…");
        assert_eq!(cut_at_line("abcdefghij", 5), "abc\n…");
        assert_eq!(cut_at_line("abcdef", 1), "…");
        assert!(cut_at_line(&"x\n".repeat(10), 8).chars().count() <= 8);
    }

    #[test]
    fn body_without_notes_has_an_empty_block() {
        let text = body(
            &Templates::default(),
            &[src(1, "T", "no notes")],
            LeftOut::default(),
            "release-1.0",
        );
        assert!(text.ends_with("```release-note\n\n```"), "{text}");
    }

    #[test]
    fn body_names_skipped_prs() {
        let left_out = LeftOut {
            skipped: &[2, 3],
            by_hand: &[],
        };
        let text = body(&Templates::default(), &[src(1, "T", "")], left_out, "release-1.0");
        assert!(
            text.contains("Not picked, already present on release-1.0: #2 #3.\n\nFor details"),
            "{text}"
        );
        assert!(!text.contains("by hand"), "{text}");
        let left_out = LeftOut {
            skipped: &[2],
            by_hand: &[4],
        };
        let text = body(&Templates::default(), &[src(1, "T", "")], left_out, "release-1.0");
        assert!(
            text.contains(
                "Not picked, already present on release-1.0: #2.\n\nNot picked, skipped by hand while resolving conflicts: #4.\n\nFor details"
            ),
            "{text}"
        );
    }

    #[test]
    fn templates_fill_named_placeholders() {
        let t = Templates {
            title: "[{target}] {title_list}".into(),
            body: "{prs}|{subjects}|{release_notes}|{doc_link}|{skipped}|{skipped_by_hand}|{{literal}}".into(),
            doc_link: "https://example.com/process".into(),
        };
        let sources = [src(1, "A", "```release-note\nN1\n```"), src(2, "B", "")];
        assert_eq!(title(&t, &sources, "release-1.0"), "[release-1.0] #1: A #2: B");
        assert_eq!(
            body(
                &t,
                &sources,
                LeftOut {
                    skipped: &[3],
                    by_hand: &[4, 5]
                },
                "release-1.0"
            ),
            "#1 #2|#1: A\n#2: B|N1|https://example.com/process|#3|#4 #5|{literal}"
        );
    }

    #[test]
    fn sections_go_where_the_template_says_or_at_the_end() {
        let sections = Sections {
            justification: "Why.\n\n",
            conflicts: "### Conflicts\n\nx\n\n",
        };
        let text = body_with(
            &Templates::default(),
            &[src(1, "T", "")],
            LeftOut::default(),
            sections,
            "r",
        );
        assert!(
            text.contains("#1: T\n\nWhy.\n\n### Conflicts\n\nx\n\nFor details"),
            "{text}"
        );
        let t = Templates {
            body: "{prs}\n".into(),
            ..Templates::default()
        };
        let text = body_with(&t, &[src(1, "T", "")], LeftOut::default(), sections, "r");
        assert_eq!(text, "#1\n\nWhy.\n\n### Conflicts\n\nx");
        let t = Templates {
            body: "{conflicts}{prs}".into(),
            ..Templates::default()
        };
        let text = body_with(&t, &[src(1, "T", "")], LeftOut::default(), Sections::default(), "r");
        assert_eq!(text, "#1");
    }

    #[test]
    fn unknown_placeholders_are_named() {
        assert!(check_template(TITLE_TEMPLATE).is_ok());
        assert!(check_template(BODY_TEMPLATE).is_ok());
        let err = check_template("x {nope} y").unwrap_err();
        assert!(err.contains("`{nope}`") && err.contains("{prs}"), "{err}");
        assert!(check_template("x {unclosed").unwrap_err().contains("unclosed"));
        assert_eq!(render("a } b", &[]).unwrap(), "a } b");
    }

    #[test]
    fn release_notes_keep_multiple_lines_and_blocks() {
        let notes = release_notes("x\n```release-note\nline 1\n\nline 2\n```\n```release-note\nsecond\n```");
        assert_eq!(notes, vec!["line 1\n\nline 2".to_string(), "second".to_string()]);
        assert!(release_notes("```release-notes\nnot this\n```").is_empty());
        assert!(release_notes("```release-note\nunterminated").is_empty());
    }
}
