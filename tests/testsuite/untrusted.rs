//! Text that strangers write (a pull request's title, GitHub's or a proxy's
//! error message) reaches no terminal, title or comment as it is: no control
//! character or bidirectional override, one line where one line is promised,
//! and never the token.

use serde_json::json;

use crate::support::{TOKEN, World, run_command};

/// A title that sets the terminal's title (`ESC ]0;…BEL`), clears the
/// screen (`ESC [2J`), and breaks lines every way there is.
const HOSTILE_TITLE: &str =
    "Fix \u{1b}]0;pwned\u{07}the\u{1b}[2J\twidget\r\u{0b}now\u{0c}and\u{85}then\u{2028}again\u{202e}txt.exe\u{2069}";

/// What it becomes: one line, the escapes' visible rest kept.
const SHOWN_TITLE: &str = "Fix ]0;pwnedthe[2J widget now and then againtxt.exe";

/// Characters that no output of the tool may hold (besides `\n` between
/// lines, and tabs between the fields of `--missing`'s lines).
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for c in [
        '\u{1b}', '\u{07}', '\r', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{202e}', '\u{2069}',
    ] {
        assert!(!text.contains(c), "{what} holds U+{:04X}: {text:?}", c as u32);
    }
}

fn hostile_world() -> World {
    let world = World::new();
    world.simple_pr(3796, "Fix the widget", 3);
    world.label(3796, "cherrypick/release-3.1");
    world
        .github
        .state
        .lock()
        .unwrap()
        .pulls
        .get_mut(&3796)
        .expect("#3796")
        .title = HOSTILE_TITLE.to_string();
    world
}

#[test]
fn a_hostile_title_reaches_no_terminal_and_no_new_title() {
    let world = hostile_world();
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(0);
    assert_clean("stdout", &run.stdout);
    assert_clean("stderr", &run.stderr);
    assert!(!run.stderr.contains('\t'), "{:?}", run.stderr);
    run.stderr_has(&format!("Applying #3796 to upstream/release-3.1: {SHOWN_TITLE}\n"));
    let created = world.github.created();
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].title,
        format!("Automated cherry pick of #3796: {SHOWN_TITLE}")
    );
    assert_clean("the new body", &created[0].body);
    assert!(
        created[0].body.contains(&format!("#3796: {SHOWN_TITLE}\n")),
        "{}",
        created[0].body
    );
}

#[test]
fn missing_shows_a_hostile_title_on_one_line() {
    let world = hostile_world();
    let run = world.run(&["--missing", "upstream/release-3.1"]);
    run.expect_code(0);
    assert_eq!(run.stdout, format!("#3796\t{SHOWN_TITLE}\n"));
    assert_clean("stderr", &run.stderr);
    // --json keeps the title as GitHub has it, escaped.
    let run = world.run(&["--missing", "--json", "upstream/release-3.1"]);
    run.expect_code(0);
    assert_clean("stdout", &run.stdout);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(items[0]["title"], HOSTILE_TITLE);
}

/// GitHub (or a proxy in front of it) echoes the token in an error message:
/// the message is shown, the token is not.
#[test]
fn a_token_echoed_in_an_error_is_never_shown() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    world.github.fault(
        "GET",
        "/repos/kubesphere/kubesphere/pulls/3796",
        404,
        json!({"message": format!("Not Found for token {TOKEN}"), "errors": [{"message": format!("Bearer {TOKEN} is unknown")}]}),
    );
    let run = world.run(&["--yes", "upstream/release-3.1", "3796"]);
    run.expect_code(1);
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    assert!(!run.stdout.contains(TOKEN), "{}", run.stdout);
    run.stderr_has("Not Found for token ***");
}

/// A proxy's page (not JSON) that echoes the token: its first bytes are
/// shown in the error, the token is not.
#[test]
fn a_token_echoed_in_a_proxys_page_is_never_shown() {
    let world = World::new();
    world.simple_pr(3796, "Fix", 3);
    let page = format!("<html>Authorization: Bearer {TOKEN}</html>");
    world.github.pull_body(3796, "text/html", page.as_bytes(), usize::MAX);
    let run = run_command(world.quick_retries().args(["--yes", "upstream/release-3.1", "3796"]));
    run.expect_code(1);
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    run.stderr_has("Bearer ***");
}
