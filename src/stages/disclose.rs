//! Conflict disclosure: when a pull request did not apply as it is (its
//! conflicts were resolved by hand, or `git cherry-pick` applied what `git
//! am -3` could not), how far the backport differs from the original, and
//! the section of the new pull request's body that says so.
//!
//! The difference is measured on the changed lines: for each file, the lines
//! the original's commits add and remove are compared with those the picked
//! commits add and remove (context and line numbers aside), and every line
//! that is in one and not the other counts.

use std::path::Path;

use crate::git::Git;
use crate::plan::state::{Changed, How, Pr};

/// The changed lines of a patch series (`git format-patch`'s mbox, or `git
/// log -p`), per file in the order the files first appear: each line with
/// its `+` or `-`. The counts in the hunk headers say where a hunk ends, so
/// a removed line that reads like a header is still a line.
pub fn changed_lines(patch: &[u8]) -> Vec<(String, Vec<String>)> {
    let text = String::from_utf8_lossy(patch);
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    let mut current: Option<usize> = None;
    // Lines left in the hunk: old side, new side.
    let mut left = (0usize, 0usize);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if left != (0, 0) {
            let Some(file) = current.and_then(|i| files.get_mut(i)) else {
                left = (0, 0);
                continue;
            };
            match line.as_bytes().first() {
                Some(b'+') => {
                    file.1.push(line.to_string());
                    left.1 = left.1.saturating_sub(1);
                }
                Some(b'-') => {
                    file.1.push(line.to_string());
                    left.0 = left.0.saturating_sub(1);
                }
                Some(b'\\') => {}
                // Context (an empty line is context whose space was lost).
                _ => {
                    left.0 = left.0.saturating_sub(1);
                    left.1 = left.1.saturating_sub(1);
                }
            }
            continue;
        }
        if let Some(paths) = line.strip_prefix("diff --git ") {
            let path = paths.rsplit_once(" b/").map_or(paths, |(_, b)| b).to_string();
            current = Some(match files.iter().position(|(p, _)| *p == path) {
                Some(i) => i,
                None => {
                    files.push((path, Vec::new()));
                    files.len() - 1
                }
            });
        } else if line.starts_with("@@ ") && current.is_some() {
            left = hunk_counts(line).unwrap_or((0, 0));
        }
    }
    files
}

/// The line counts of a hunk header, `@@ -a,b +c,d @@` (a count left out is 1).
fn hunk_counts(header: &str) -> Option<(usize, usize)> {
    let mut parts = header.split(' ').skip(1);
    let count = |range: &str| -> Option<usize> {
        match range.split_once(',') {
            Some((_, n)) => n.parse().ok(),
            None => Some(1),
        }
    };
    let old = count(parts.next()?.strip_prefix('-')?)?;
    let new = count(parts.next()?.strip_prefix('+')?)?;
    Some((old, new))
}

/// The files whose changed lines differ between the original and the
/// backport, each with how many lines differ, in the order the files
/// appear (the original's first).
pub fn differences(original: &[u8], backport: &[u8]) -> Vec<(String, usize)> {
    let original = changed_lines(original);
    let backport = changed_lines(backport);
    let mut paths: Vec<&str> = original.iter().map(|(p, _)| p.as_str()).collect();
    for (path, _) in &backport {
        if !paths.contains(&path.as_str()) {
            paths.push(path);
        }
    }
    let lines_of = |side: &[(String, Vec<String>)], path: &str| -> Vec<String> {
        side.iter()
            .find(|(p, _)| p == path)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    paths
        .into_iter()
        .filter_map(|path| {
            let (a, b) = (lines_of(&original, path), lines_of(&backport, path));
            // A huge, very different file gets a quick (perhaps larger) count.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            let differing: usize =
                similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &a, &b, Some(deadline))
                    .iter()
                    .map(|op| match op.as_tag_tuple() {
                        (similar::DiffTag::Equal, _, _) => 0,
                        (_, old, new) => old.len() + new.len(),
                    })
                    .sum();
            (differing > 0).then(|| (path.to_string(), differing))
        })
        .collect()
}

/// How far the commits `base..head` in `dir` differ from the pull request's
/// `patch`; `None` when it cannot be told (no patch, git failed).
pub fn measure(
    git: &Git<'_>,
    dir: &Path,
    patch: Option<&[u8]>,
    base: &str,
    head: &str,
) -> Option<Vec<(String, usize)>> {
    let patch = patch?;
    let range = format!("{base}..{head}");
    let mut args = vec!["log", "--reverse", "--no-merges", "--format=", "--patch"];
    args.extend(DIFF_OPTIONS);
    args.push(&range);
    let picked = git.run(dir, &args).ok()?;
    Some(differences(patch, picked.as_bytes()))
}

/// The changes of `commits`, each against its parent, as one patch
/// series; `None` when there are none or git cannot show them.
pub fn commits_patch(git: &Git<'_>, dir: &Path, commits: &[String]) -> Option<Vec<u8>> {
    if commits.is_empty() {
        return None;
    }
    let mut args = vec!["show", "--format=", "--patch"];
    args.extend(DIFF_OPTIONS);
    args.extend(commits.iter().map(String::as_str));
    git.run(dir, &args).ok().map(String::into_bytes)
}

/// How changes are shown for comparing: git's own format whatever the user's
/// config says.
const DIFF_OPTIONS: [&str; 5] = [
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
];

/// The body's section on pull requests that did not apply as they are, with
/// a blank line after it; empty when every one applied cleanly.
pub fn section(changed: &[Changed], prs: &[Pr], branch: &str) -> String {
    if changed.is_empty() {
        return String::new();
    }
    let mut text = String::from("### Conflicts\n\nThis backport is not the same change as the original:\n\n");
    for c in changed {
        // What was picked of it, when not its own commits.
        let picked = (prs.iter())
            .find(|p| p.number == c.number)
            .and_then(crate::stages::landed::picked_words)
            .map(|words| format!(" (picked as {words})"))
            .unwrap_or_default();
        let line = match c.how {
            How::ByHand if c.files.is_empty() => {
                format!("- #{}{picked}: did not apply cleanly; resolved by hand.", c.number)
            }
            How::ByHand => format!(
                "- #{}{picked}: conflicts resolved {} in {}.",
                c.number,
                match &c.reused {
                    Some(from) => format!("by reusing {from}'s resolution"),
                    None => "by hand".to_string(),
                },
                c.files.iter().map(|f| code(f)).collect::<Vec<_>>().join(", ")
            ),
            How::Fallback => format!(
                "- #{}{picked}: `git am -3` could not apply its patch; `git cherry-pick` applied its commits.",
                c.number
            ),
        };
        text.push_str(&line);
        text.push('\n');
        for need in &c.needs {
            text.push_str(&format!("- {}.\n", need.needed_by(c.number, branch, true)));
        }
    }
    text.push('\n');
    let measured: Option<Vec<&(String, usize)>> = changed
        .iter()
        .map(|c| c.differences.as_ref())
        .collect::<Option<Vec<_>>>()
        .map(|all| all.into_iter().flatten().collect());
    match measured {
        None => text.push_str(
            "How far it differs from the original could not be measured: compare the commits with the original's.\n\n",
        ),
        Some(found) if found.is_empty() => text.push_str(
            "Its commits add and remove the same lines as the original's; only the surrounding lines differ.\n\n",
        ),
        Some(found) => {
            let mut files: Vec<(String, usize)> = Vec::new();
            for (path, lines) in found {
                match files.iter_mut().find(|(p, _)| p == path) {
                    Some(entry) => entry.1 += lines,
                    None => files.push((path.clone(), *lines)),
                }
            }
            let total: usize = files.iter().map(|(_, n)| n).sum();
            text.push_str(&format!(
                "Compared with the original's commits, {} differ{} in the lines added and removed:\n\n",
                plural(files.len(), "file"),
                if files.len() == 1 { "s" } else { "" },
            ));
            for (path, lines) in &files {
                text.push_str(&format!("- {}: {}\n", code(path), plural(*lines, "line")));
            }
            text.push_str(&format!("\n{} in all.\n\n", capitalize(&plural(total, "line"))));
        }
    }
    text
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A path as Markdown code.
fn code(path: &str) -> String {
    let fence = if path.contains('`') { "``" } else { "`" };
    format!("{fence}{path}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "From 1111 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Fix\n\n---\n pkg/a.go | 2 +-\n\ndiff --git a/pkg/a.go b/pkg/a.go\nindex 1..2 100644\n--- a/pkg/a.go\n+++ b/pkg/a.go\n@@ -1,3 +1,3 @@\n a 1\n-a 2\n+a 2 fixed\n a 3\n@@ -9 +9,2 @@\n--- a header-like line\n+x\n+y\n-- \n2.43.0\n";

    #[test]
    fn changed_lines_follow_the_hunk_counts() {
        let files = changed_lines(ORIGINAL.as_bytes());
        assert_eq!(
            files,
            vec![(
                "pkg/a.go".to_string(),
                vec!["-a 2", "+a 2 fixed", "--- a header-like line", "+x", "+y"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )]
        );
        assert_eq!(hunk_counts("@@ -9 +9,2 @@ fn x"), Some((1, 2)));
        assert_eq!(hunk_counts("@@ nonsense"), None);
    }

    #[test]
    fn the_same_change_in_another_place_does_not_differ() {
        let moved = ORIGINAL.replace("@@ -1,3 +1,3 @@\n a 1", "@@ -4,3 +4,3 @@\n other context");
        assert!(differences(ORIGINAL.as_bytes(), moved.as_bytes()).is_empty());
    }

    #[test]
    fn lines_in_one_and_not_the_other_count() {
        let changed = ORIGINAL
            .replace("+a 2 fixed", "+a 2 fixed\n+a 2 and more")
            .replace("@@ -1,3 +1,3 @@", "@@ -1,3 +1,4 @@");
        let extra =
            format!("{changed}diff --git a/pkg/b.go b/pkg/b.go\n--- a/pkg/b.go\n+++ b/pkg/b.go\n@@ -1 +1 @@\n-b\n+c\n");
        assert_eq!(
            differences(ORIGINAL.as_bytes(), extra.as_bytes()),
            vec![("pkg/a.go".to_string(), 1), ("pkg/b.go".to_string(), 2)]
        );
    }

    #[test]
    fn the_section_names_files_and_sizes() {
        assert_eq!(section(&[], &[], "release-3.1"), "");
        let changed = [
            Changed {
                number: 3796,
                how: How::ByHand,
                files: vec!["pkg/a.go".into()],
                differences: Some(vec![("pkg/a.go".into(), 2)]),
                needs: vec![],
                reused: None,
            },
            Changed {
                number: 3797,
                how: How::Fallback,
                files: vec![],
                differences: Some(vec![("pkg/a.go".into(), 1), ("win.txt".into(), 4)]),
                needs: vec![],
                reused: None,
            },
        ];
        assert_eq!(
            section(&changed, &[], "release-3.1"),
            "### Conflicts\n\nThis backport is not the same change as the original:\n\n\
- #3796: conflicts resolved by hand in `pkg/a.go`.\n\
- #3797: `git am -3` could not apply its patch; `git cherry-pick` applied its commits.\n\n\
Compared with the original's commits, 2 files differ in the lines added and removed:\n\n\
- `pkg/a.go`: 3 lines\n- `win.txt`: 4 lines\n\n7 lines in all.\n\n"
        );
        let same = [Changed {
            differences: Some(vec![]),
            ..changed[1].clone()
        }];
        assert!(section(&same, &[], "release-3.1").contains("the same lines as the original's"));
        let unknown = [Changed {
            differences: None,
            ..changed[0].clone()
        }];
        assert!(section(&unknown, &[], "release-3.1").contains("could not be measured"));
    }
}
