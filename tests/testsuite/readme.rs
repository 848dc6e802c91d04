//! The README tells the truth and can be found in: its first example is what a
//! run on a terminal prints, its first screen says how to try the tool, its
//! contents list every section with the anchor GitHub gives it, and its links
//! (and those of `docs/`) lead somewhere.

use std::path::{Path, PathBuf};

use crate::interrupts::{answer, on_a_terminal, wait_for_text};
use crate::support::World;

/// How many lines a first screen holds.
const FIRST_SCREEN: usize = 40;

/// The commands that set up a fresh clone.
const SETUP: [&str; 2] = ["cargo run --example sandbox", "cargo test --locked"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn readme() -> String {
    read(&root().join("README.md"))
}

/// The lines outside fenced code blocks, with their index.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker_len = trimmed.len() - trimmed.trim_start_matches(['`', '~']).len();
        let marker = &trimmed[..marker_len];
        let is_fence = marker.len() >= 3 && marker.chars().all(|c| c == marker.chars().next().unwrap_or('`'));
        match fence {
            None if is_fence => fence = Some(marker),
            None => lines.push((i, line)),
            // A fence closes on a bare line of at least as many of its marks.
            Some(open) if is_fence && trimmed.trim_end() == marker && marker.starts_with(open) => fence = None,
            Some(_) => {}
        }
    }
    lines
}

/// The anchor GitHub gives a heading: lowercased, every character but
/// letters, digits, spaces, `-` and `_` dropped, spaces made `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every heading's anchor, with GitHub's `-1`, `-2`… for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (_, line) in prose(text) {
        let level = line.len() - line.trim_start_matches('#').len();
        if !(1..=6).contains(&level) || !line[level..].starts_with(' ') {
            continue;
        }
        let base = anchor(line[level..].trim());
        let repeats = seen
            .iter()
            .filter(|a| {
                **a == base
                    || a.strip_prefix(&format!("{base}-"))
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        seen.push(if repeats == 0 {
            base
        } else {
            format!("{base}-{repeats}")
        });
    }
    seen
}

/// The `##` headings, in order.
fn sections(text: &str) -> Vec<(usize, String)> {
    prose(text)
        .into_iter()
        .filter_map(|(i, line)| line.strip_prefix("## ").map(|h| (i, h.trim().to_string())))
        .collect()
}

/// The table of contents: the list of `- [text](#anchor)` lines before the
/// first `##` heading, with the index of its first line.
fn contents(text: &str) -> Option<(usize, Vec<(String, String)>)> {
    let first_section = sections(text).first().map_or(usize::MAX, |(i, _)| *i);
    let items: Vec<(usize, (String, String))> = prose(text)
        .into_iter()
        .take_while(|(i, _)| *i < first_section)
        .filter_map(|(i, line)| {
            let item = line.strip_prefix("- [")?;
            let (text, rest) = item.split_once("](#")?;
            let target = rest.strip_suffix(')')?;
            Some((i, (text.to_string(), target.to_string())))
        })
        .collect();
    let start = items.first()?.0;
    Some((start, items.into_iter().map(|(_, item)| item).collect()))
}

#[test]
fn the_contents_list_every_section_in_order_with_its_anchor() {
    let readme = readme();
    let (_, listed) =
        contents(&readme).expect("a table of contents (`- [Section](#section)` lines) before the first section");
    let expected: Vec<(String, String)> = sections(&readme)
        .into_iter()
        .map(|(_, heading)| {
            let target = anchor(&heading);
            (heading, target)
        })
        .collect();
    assert_eq!(
        listed, expected,
        "the contents must be every `##` heading, in order, as [heading](#anchor)"
    );
}

#[test]
fn the_first_screen_says_how_to_try_it() {
    let readme = readme();
    let (start, _) = contents(&readme).expect("a table of contents after the first screen");
    assert!(
        start <= FIRST_SCREEN,
        "the contents start on line {}, more than a screen ({FIRST_SCREEN} lines) down",
        start + 1
    );
    let first_screen = readme
        .lines()
        .take(start.min(FIRST_SCREEN))
        .collect::<Vec<_>>()
        .join("\n");
    for command in SETUP {
        assert!(
            first_screen.contains(command),
            "`{command}` is not on the first screen (before the contents):\n{first_screen}"
        );
    }
}

/// The README's first code block, as lines.
fn first_example(text: &str) -> Vec<String> {
    let start = text.find("```console\n").expect("a ```console example") + "```console\n".len();
    let end = start + text[start..].find("\n```").expect("the end of the example");
    text[start..end].lines().map(str::to_string).collect()
}

/// The arguments of an example's `$ git cherry-pick-pr …` line.
fn example_args(command: &str) -> Vec<&str> {
    command
        .strip_prefix("$ git cherry-pick-pr ")
        .expect("the example starts with `$ git cherry-pick-pr …`")
        .split_whitespace()
        .collect()
}

/// The pull request number in the last `/pull/N` of `text`.
fn last_pull_number(text: &str) -> String {
    let at = text.rfind("/pull/").expect("a pull request URL") + "/pull/".len();
    text[at..].chars().take_while(char::is_ascii_digit).collect()
}

/// The README opens with a run as a terminal shows it: the progress, the
/// question answered `y`, and the URL. A real run against the fake GitHub
/// must print those lines, but for the pull request's number.
#[test]
fn the_first_example_is_what_a_run_on_a_terminal_prints() {
    let readme = readme();
    let example = first_example(&readme);
    let (command, shown) = example.split_first().expect("a command and its output");
    let args = example_args(command);
    let number = last_pull_number(&shown.join("\n"));

    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    let (mut child, screen) = on_a_terminal(&world, &args);
    wait_for_text(&screen, "Push and open the pull request? [y/N] ");
    answer(&mut child, "y\n");
    wait_for_text(&screen, "/pull/");
    let status = child.0.wait().unwrap();
    let printed = screen.lock().unwrap().replace("\r\n", "\n");
    assert_eq!(status.code(), Some(0), "{printed}");

    let opened = last_pull_number(&printed);
    let expected: Vec<String> = shown.iter().map(|line| line.replace(&number, &opened)).collect();
    let printed: Vec<&str> = printed.lines().collect();
    assert_eq!(
        printed, expected,
        "the README's first example (with #{number} as #{opened}) differs from a real run"
    );
}

/// The ```console block of `text` that holds `needle`, as lines.
fn example_with(text: &str, needle: &str) -> Vec<String> {
    let mut rest = text;
    while let Some(at) = rest.find("```console\n") {
        let start = at + "```console\n".len();
        let end = start + rest[start..].find("\n```").expect("the end of the example");
        if rest[start..end].contains(needle) {
            return rest[start..end].lines().map(str::to_string).collect();
        }
        rest = &rest[end..];
    }
    panic!("no ```console example holds {needle}");
}

/// The README's stop that names a prerequisite is what a real run prints,
/// but for the paths.
#[test]
fn the_prerequisite_example_is_what_a_stop_prints() {
    let example = example_with(&readme(), "needs #3805");
    let (command, shown) = example.split_first().expect("a command and its output");
    let args = example_args(command);

    let world = World::new();
    world.pr_needing_an_earlier_one();
    let run = world.run(&args);
    run.expect_code(3);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let worktree = world.state_worktree();
    let name = worktree.file_name().and_then(|n| n.to_str()).expect("a worktree name");
    let clone = world.clone.to_str().expect("a UTF-8 path");
    let printed = run
        .stderr
        .replace(name, "3806-upstream-release-3.1-Xa9kQ2")
        .replace(clone, "/src/kubesphere");
    let printed: Vec<&str> = printed.lines().collect();
    assert_eq!(
        printed, shown,
        "the README's stop on a prerequisite differs from a real run"
    );
}

/// The relative links of a Markdown file: (target path, anchor).
fn links(text: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for (_, line) in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            rest = &rest[end..];
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment.to_string())),
                None => (target, None),
            };
            found.push((path.to_string(), fragment));
        }
    }
    found
}

#[test]
fn every_link_in_the_readme_and_docs_leads_somewhere() {
    let mut pages = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("a docs/ directory") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = read(page);
        for (path, fragment) in links(&text) {
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(&path)
            };
            let name = page.strip_prefix(root()).unwrap().display().to_string();
            if !target.exists() {
                broken.push(format!("{name}: {path} does not exist"));
                continue;
            }
            if let Some(fragment) = fragment
                && !anchors(&read(&target)).contains(&fragment)
            {
                broken.push(format!("{name}: {path}#{fragment} names no heading"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(anchor("GitHub tokens and hosts"), "github-tokens-and-hosts");
    assert_eq!(anchor("After applying: `--exec`"), "after-applying---exec");
    assert_eq!(
        anchor("Compared with `hack/cherry_pick_pull.sh`"),
        "compared-with-hackcherry_pick_pullsh"
    );
    assert_eq!(
        anchors("# A\n## A\n```\n## not a heading\n```\n### A\n"),
        vec!["a", "a-1", "a-2"]
    );
}
