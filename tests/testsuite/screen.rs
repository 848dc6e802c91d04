//! What a terminal shows, rendered as a terminal would: the progress of jobs
//! that run side by side, and tables cut to the terminal's width.

use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};

use crate::interrupts::{Terminal, on_a_sized_terminal};
use crate::support::World;

const ROWS: u16 = 100;

/// Runs the tool on an xterm of `columns` until it exits; its exit code and
/// the raw bytes it wrote.
fn run_on_xterm(world: &World, args: &[&str], columns: u16) -> (Option<i32>, String) {
    let (mut child, screen): (Terminal, Arc<Mutex<String>>) =
        on_a_sized_terminal(world, args, "xterm", Some((ROWS, columns)));
    let status = child.finish();
    let raw = screen.lock().unwrap().clone();
    (status.code(), raw)
}

/// The rows of the final screen, trailing blanks dropped.
fn rendered(raw: &str, columns: u16) -> Vec<String> {
    let (Some(rows), Some(width)) = (NonZeroU16::new(ROWS), NonZeroU16::new(columns)) else {
        panic!("a terminal has rows and columns");
    };
    let mut parser = vt100::Parser::new(rows, width, 0);
    parser.process(raw.as_bytes());
    let mut rows: Vec<String> = parser
        .screen()
        .rows(0, columns)
        .map(|row| row.trim_end().to_string())
        .collect();
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

/// Whether `row` holds a frame of indicatif's spinner (braille dots).
fn has_spinner_frame(row: &str) -> bool {
    row.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c))
}

#[test]
fn two_targets_side_by_side_leave_each_step_once_and_no_spinner_on_a_terminal() {
    let world = World::new();
    world.release_branch("release-3.0");
    world.simple_pr(3796, "Fix the widget", 3);
    // Each push waits (bounded) for the other to start, so that both
    // spinners are on the terminal at once.
    let pushing = world.root.path().join("pushing");
    std::fs::create_dir(&pushing).unwrap();
    world.hook(
        "pre-push",
        &format!(
            "dir='{}'\ntouch \"$dir/$$\"\ni=0\nwhile [ \"$(ls \"$dir\" | wc -l)\" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done\n",
            pushing.display()
        ),
    );
    let (code, raw) = run_on_xterm(
        &world,
        &["--yes", "upstream/release-3.1", "upstream/release-3.0", "3796"],
        100,
    );
    let rows = rendered(&raw, 100);
    let screen = rows.join("\n");
    assert_eq!(code, Some(0), "{screen}\n{raw:?}");
    // The spinners were drawn, and none is left.
    assert!(raw.contains("\u{2801}"), "no spinner was drawn: {raw:?}");
    assert!(!rows.iter().any(|row| has_spinner_frame(row)), "{screen}\n{raw:?}");
    for branch in ["release-3.1", "release-3.0"] {
        for step in [
            format!("→ Pushing automated-cherry-pick-of-#3796-upstream-{branch} to origin"),
            format!("→ Opening a pull request against kubesphere/kubesphere {branch}"),
            format!("→ Applying #3796 to upstream/{branch}: Fix the widget"),
        ] {
            let what = step.trim_start_matches("→ ");
            let showing: Vec<&String> = rows.iter().filter(|row| row.contains(what)).collect();
            assert_eq!(showing, [&step], "{screen}\n{raw:?}");
        }
    }
    // One message a line: none was written into another's line.
    for row in &rows {
        assert!(row.matches("→").count() <= 1, "{row:?} in\n{screen}");
    }
    assert_eq!(
        rows.iter().filter(|row| row.starts_with("https://")).count(),
        2,
        "{screen}"
    );
}

#[test]
fn the_missing_table_fits_a_terminal_of_60_columns() {
    let world = World::new();
    let titles = [
        (
            3796,
            "Make the widget's frobnicator honour the new timeout everywhere it is used",
        ),
        (3797, "修复小部件的问题并且在所有地方使用新的超时设置"),
        (
            3798,
            "Re\u{301}sume\u{301} the cafe\u{301}'s queue when the broker comes back after a restart",
        ),
    ];
    for (i, (number, title)) in titles.iter().enumerate() {
        world.simple_pr(*number, title, 1 + 3 * i);
        world.label(*number, "cherrypick/release-3.1");
    }
    let (mut child, screen) =
        on_a_sized_terminal(&world, &["--missing", "upstream/release-3.1"], "dumb", Some((ROWS, 60)));
    let status = child.finish();
    let raw = screen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(0), "{raw}");
    let rows = rendered(&raw, 60);
    let screen = rows.join("\n");
    // The table's lines: none wider than the terminal, so none wraps.
    let table: Vec<&str> = raw.split("\r\n").filter(|line| line.starts_with("  ")).collect();
    assert_eq!(table.len(), 4, "{screen}");
    for line in &table {
        assert!(
            console::measure_text_width(line) <= 60,
            "{line:?} is wider than 60 columns:\n{screen}"
        );
    }
    for (number, title) in titles {
        let row = rows
            .iter()
            .find(|row| row.starts_with(&format!("  #{number}  ")))
            .unwrap_or_else(|| panic!("no row for #{number}:\n{screen}"));
        assert!(row.ends_with("bob     2026-01-01"), "{row:?} in\n{screen}");
        let shown = row[format!("  #{number}  ").len()..]
            .split("  ")
            .next()
            .unwrap_or_default();
        let kept = shown.trim_end_matches('…');
        assert!(
            shown.ends_with('…') && title.starts_with(kept),
            "{shown:?} is not cut from {title:?}"
        );
    }
}
