//! Text that others wrote (pull request titles and bodies, GitHub's messages,
//! git's output) made safe to show on a terminal or to put in a pull request:
//! no control character a terminal obeys (`ESC ]0;…BEL` sets its title,
//! `ESC [2J` clears it, a CR writes over the line), no bidirectional override
//! that makes text read other than it is, and one line where one line is
//! promised. Every line the tool prints and every text it posts goes through
//! here.

/// What becomes of one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Shown as it is.
    Keep,
    /// Ends a line: a line feed, CR, vertical tab, form feed, NEL (U+0085),
    /// or the line and paragraph separators (U+2028, U+2029).
    Break,
    /// A tab: white space, but a field separator to scripts.
    Tab,
    /// Left out: every other control character (C0, DEL, C1), and the
    /// bidirectional marks, embeddings, overrides and isolates.
    Drop,
}

fn fate(c: char) -> Fate {
    match c {
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Fate::Break,
        '\t' => Fate::Tab,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Fate::Drop,
        c if c.is_control() => Fate::Drop,
        _ => Fate::Keep,
    }
}

/// `text` on one line: each run of line breaks and tabs becomes one space
/// (none at either end), and controls and bidirectional overrides are left
/// out. For titles and for fields of one-line output.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        match fate(c) {
            Fate::Keep => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(c);
            }
            Fate::Break | Fate::Tab => gap = true,
            Fate::Drop => {}
        }
    }
    out
}

/// `text` with its lines and tabs kept: every line break (CRLF, a lone CR,
/// VT, FF, NEL, U+2028, U+2029) becomes `\n`, and controls and bidirectional
/// overrides are left out. For bodies, comments and messages of many lines.
pub fn lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match fate(c) {
            Fate::Keep | Fate::Tab => out.push(c),
            Fate::Break => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            Fate::Drop => {}
        }
    }
    out
}

/// JSON text (as serde_json writes it) safe to show, with the same value:
/// every character `lines` would change is written as a `\uXXXX` escape
/// instead. Outside strings such JSON holds no such character but line
/// feeds, which are kept.
pub fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if fate(c) == Fate::Keep || c == '\n' {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
    }
    out
}

/// What stands for a secret in text shown or posted.
pub const HIDDEN: &str = "***";

/// `text` with every occurrence of each of `secrets` replaced by `***`.
/// Empty secrets are skipped (they would match everywhere).
pub fn without_secrets<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().map(AsRef::as_ref).filter(|s| !s.is_empty()) {
        out = out.replace(secret, HIDDEN);
    }
    out
}

/// `bytes` (an answer's body, perhaps not UTF-8) with every occurrence of
/// `secret` replaced by `***`.
pub fn without_secret_bytes(bytes: &[u8], secret: &str) -> Vec<u8> {
    let secret = secret.as_bytes();
    if secret.is_empty() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        if rest.starts_with(secret) {
            out.extend_from_slice(HIDDEN.as_bytes());
            rest = &rest[secret.len()..];
        } else {
            out.push(first);
            rest = tail;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_lose_their_escape_and_bell() {
        let title = "Fix \u{1b}]0;pwned\u{07}it\u{1b}[2J now";
        assert_eq!(one_line(title), "Fix ]0;pwnedit[2J now");
        assert_eq!(lines(title), "Fix ]0;pwnedit[2J now");
    }

    #[test]
    fn every_c0_and_c1_control_but_line_breaks_and_tabs_is_left_out() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            match c {
                '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' => {
                    assert_eq!(one_line(&text), "a b", "{:#x}", c as u32);
                    assert_eq!(lines(&text), "a\nb", "{:#x}", c as u32);
                }
                '\t' => {
                    assert_eq!(one_line(&text), "a b");
                    assert_eq!(lines(&text), "a\tb");
                }
                _ => {
                    assert_eq!(one_line(&text), "ab", "{:#x}", c as u32);
                    assert_eq!(lines(&text), "ab", "{:#x}", c as u32);
                }
            }
        }
    }

    #[test]
    fn line_and_paragraph_separators_end_lines() {
        assert_eq!(one_line("a\u{2028}b\u{2029}c"), "a b c");
        assert_eq!(lines("a\u{2028}b\u{2029}c"), "a\nb\nc");
    }

    #[test]
    fn bidirectional_controls_are_left_out() {
        for c in [
            '\u{200e}', '\u{200f}', '\u{061c}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}',
            '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let text = format!("a{c}b");
            assert_eq!(one_line(&text), "ab", "{:#x}", c as u32);
            assert_eq!(lines(&text), "ab", "{:#x}", c as u32);
        }
        // Their neighbours are text.
        for c in ['\u{200d}', '\u{2029}', '\u{202f}', '\u{2065}', '\u{206a}', '\u{061b}'] {
            assert_ne!(one_line(&format!("a{c}b")), "ab", "{:#x}", c as u32);
        }
    }

    #[test]
    fn one_line_makes_each_run_of_breaks_one_space_and_none_at_the_ends() {
        assert_eq!(one_line("\r\n\tFix\r\n\r\n\tthe\u{0b}\u{0c}widget\n"), "Fix the widget");
        assert_eq!(one_line("a  b"), "a  b");
        assert_eq!(one_line("a \n b"), "a   b");
        assert_eq!(one_line("\u{1b}\nx"), "x");
        assert_eq!(one_line(""), "");
        assert_eq!(one_line("\n\t\r"), "");
    }

    #[test]
    fn lines_makes_every_break_a_line_feed_and_crlf_one() {
        assert_eq!(lines("a\r\nb\rc\n\nd\r\r\ne"), "a\nb\nc\n\nd\n\ne");
        assert_eq!(lines("ends\r"), "ends\n");
        assert_eq!(lines("é ü 日本 🎉"), "é ü 日本 🎉");
    }

    #[test]
    fn json_escapes_what_lines_would_change_and_keeps_its_value() {
        let value = serde_json::json!({"title": "a\u{1b}[2J\u{85}\u{2028}\u{202e}\tb\n", "n": 1});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let shown = json(&text);
        assert!(shown.contains("\\u001b[2J\\u0085\\u2028\\u202e\\tb\\n"), "{shown}");
        assert!(shown.contains('\n'), "the lines of pretty JSON are kept");
        assert!(shown.chars().all(|c| fate(c) == Fate::Keep || c == '\n'), "{shown:?}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), value);
    }

    #[test]
    fn secrets_are_hidden_wherever_they_are() {
        let text = "token ghp_abc, again ghp_abc.";
        assert_eq!(without_secrets(text, &["ghp_abc"]), "token ***, again ***.");
        assert_eq!(without_secrets(text, &["", "nope"]), text);
        assert_eq!(without_secrets(text, &["abc", "token"]), "*** ghp_***, again ghp_***.");
        assert_eq!(without_secrets(text, &[] as &[&str]), text);
    }

    #[test]
    fn secrets_are_hidden_in_bytes_too() {
        assert_eq!(
            without_secret_bytes(b"\xff{\"m\":\"ghp_abc\"}ghp_abghp_abc", "ghp_abc"),
            b"\xff{\"m\":\"***\"}ghp_ab***"
        );
        assert_eq!(without_secret_bytes(b"ghp_abc", ""), b"ghp_abc");
        assert_eq!(without_secret_bytes(b"", "x"), b"");
    }
}
