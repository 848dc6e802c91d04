//! The paths a patch touches, read from its git diff headers, so that a
//! worktree needs only those files written before `git am` runs.
//!
//! Reading generously is fine: a path named here that does not exist is
//! skipped when checking out. A path missed only costs time: when `git am`
//! does not apply cleanly, the whole tree is written and the patch applied
//! again (see `apply`).

/// Every path named by the patch's `diff --git`, `---`/`+++`, `rename` and
/// `copy` header lines, in order of first appearance, without duplicates.
pub fn touched_paths(patch: &[u8]) -> Vec<Vec<u8>> {
    let mut paths: Vec<Vec<u8>> = Vec::new();
    let mut add = |path: Vec<u8>| {
        if !path.is_empty() && path != b"/dev/null" && !paths.contains(&path) {
            paths.push(path);
        }
    };
    for line in patch.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"diff --git ") {
            for name in git_header_names(rest) {
                add(name);
            }
        } else if let Some(rest) = line.strip_prefix(b"--- ").or_else(|| line.strip_prefix(b"+++ ")) {
            // git appends a tab to names that contain a space.
            let rest = rest.strip_suffix(b"\t").unwrap_or(rest);
            add(strip_side(&name(rest)));
        } else if let Some(rest) = ["rename from ", "rename to ", "copy from ", "copy to "]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix.as_bytes()))
        {
            add(name(rest));
        }
    }
    paths
}

/// The two names of `a/OLD b/NEW`: quoted ones as written, unquoted ones
/// when both sides are the same path (the only case git leaves unambiguous).
fn git_header_names(rest: &[u8]) -> Vec<Vec<u8>> {
    if rest.first() == Some(&b'"') {
        let Some((first, after)) = unquote(rest) else {
            return Vec::new();
        };
        let second = after.strip_prefix(b" ").map(name).unwrap_or_default();
        return vec![strip_side(&first), strip_side(&second)];
    }
    if rest.last() == Some(&b'"') {
        // Unquoted old name, quoted new name.
        if let Some(start) = rest.windows(2).rposition(|w| w == b" \"") {
            return vec![strip_side(&rest[..start]), strip_side(&name(&rest[start + 1..]))];
        }
        return Vec::new();
    }
    // "a/NAME b/NAME": the middle space splits it in two equal halves.
    if rest.len() % 2 == 1 {
        let half = rest.len() / 2;
        let (old, new) = (&rest[..half], &rest[half + 1..]);
        if rest[half] == b' ' && old.get(2..) == new.get(2..) {
            return vec![strip_side(old)];
        }
    }
    Vec::new()
}

/// A name as it appears in a header: C-quoted or plain.
fn name(text: &[u8]) -> Vec<u8> {
    if text.first() == Some(&b'"')
        && let Some((name, _)) = unquote(text)
    {
        return name;
    }
    text.to_vec()
}

/// Drops the `a/` or `b/` git puts before a name.
fn strip_side(name: &[u8]) -> Vec<u8> {
    name.strip_prefix(b"a/")
        .or_else(|| name.strip_prefix(b"b/"))
        .unwrap_or(name)
        .to_vec()
}

/// Reads a C-quoted name (`"…"` with git's backslash escapes) at the start
/// of `text`; the name and what follows the closing quote.
fn unquote(text: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < text.len() {
        match text[i] {
            b'"' => return Some((out, &text[i + 1..])),
            b'\\' => {
                let escaped = *text.get(i + 1)?;
                i += 2;
                let byte = match escaped {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'v' => 0x0b,
                    b'0'..=b'3' => {
                        let digits = text.get(i - 1..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        digits.iter().fold(0u8, |n, d| n * 8 + (d - b'0'))
                    }
                    other => other,
                };
                out.push(byte);
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(patch: &str) -> Vec<String> {
        touched_paths(patch.as_bytes())
            .into_iter()
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect()
    }

    #[test]
    fn modified_added_deleted_and_renamed_files() {
        let patch = "\
From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
Subject: [PATCH] x

---
diff --git a/src/main.rs b/src/main.rs
index 1..2 100644
--- a/src/main.rs
+++ b/src/main.rs
@@ -1 +1 @@
-a
+b
diff --git a/new.txt b/new.txt
new file mode 100644
--- /dev/null
+++ b/new.txt
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
diff --git a/old name.txt b/new name.txt
similarity index 90%
rename from old name.txt
rename to new name.txt
diff --git a/logo.png b/logo.png
index 3..4 100644
GIT binary patch
";
        assert_eq!(
            names(patch),
            [
                "src/main.rs",
                "new.txt",
                "gone.txt",
                "old name.txt",
                "new name.txt",
                "logo.png"
            ]
        );
    }

    #[test]
    fn quoted_names_are_unquoted() {
        let patch = "\
diff --git \"a/caf\\303\\251 \\\"x\\\".txt\" \"b/caf\\303\\251 \\\"x\\\".txt\"
--- \"a/caf\\303\\251 \\\"x\\\".txt\"
+++ \"b/caf\\303\\251 \\\"x\\\".txt\"
diff --git a/tab \"b/t\\tab\"
copy from tab
copy to \"t\\tab\"
";
        assert_eq!(names(patch), ["café \"x\".txt", "tab", "t\tab"]);
    }

    #[test]
    fn both_quoted_names_of_a_header_count() {
        // A rename whose names need quoting, read from its `diff --git` line alone.
        assert_eq!(names("diff --git \"a/x\\ty\" \"b/z\\tw\"\n"), ["x\ty", "z\tw"]);
        assert_eq!(names("diff --git \"a/\\101\\177\" b/x\n"), ["A\x7f", "x"]);
        // Plain names must be the same on both sides to be told apart.
        assert!(names("diff --git a/ab b/cd\n").is_empty());
    }

    #[test]
    fn names_with_spaces_carry_a_tab_in_the_file_lines() {
        let patch = "--- a/with space.txt\t\n+++ b/with space.txt\t\n";
        assert_eq!(names(patch), ["with space.txt"]);
        // CRLF patches (as GitHub serves files with CRLF endings) read the same.
        assert_eq!(names("--- a/x.txt\r\n+++ b/x.txt\r\n"), ["x.txt"]);
    }

    #[test]
    fn broken_headers_name_nothing() {
        assert!(names("diff --git \"a/unterminated\n").is_empty());
        assert!(names("diff --git a/one b/other\n").is_empty());
        assert!(names("diff --git \"a/\\38\" b/x\n").is_empty());
        assert!(names("diff --git a/x \"b/\\\n").is_empty());
        assert!(names("just a mail\n").is_empty());
    }
}
