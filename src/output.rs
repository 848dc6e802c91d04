//! Everything the user sees: progress on stderr (with spinners on a
//! terminal), warnings, debug lines, errors with their hints, prompts on the
//! terminal, and the result on stdout. No other module prints.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use console::{Style, Term};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::{errors, safe};

/// The terminal side of a run. Every text it shows is made safe first
/// (`safe::lines`) and shows no secret it was told to hide.
pub struct Output {
    debug: bool,
    /// Where spinners and bars are drawn, one below the other, when stderr
    /// can show them (a terminal that is not `dumb`, and no `--debug`).
    /// While it is there every line goes through it, so that jobs running
    /// side by side never write over a bar being drawn.
    bars: Option<MultiProgress>,
    started: Instant,
    secrets: Mutex<Vec<String>>,
}

/// `text` cut to `columns` terminal columns, ending in `…` when cut. A cut
/// never falls inside a character as the terminal draws it: a wide one is
/// left out whole, and marks that join the one before (combining accents,
/// a zero-width joiner and what it joins, skin tones) stay with it.
pub fn fit(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_string();
    }
    let room = columns.saturating_sub("…".width());
    let mut kept = 0;
    let mut after_joiner = false;
    for (at, c) in text.char_indices() {
        let joins = after_joiner || c.width().unwrap_or(0) == 0 || ('\u{1f3fb}'..='\u{1f3ff}').contains(&c);
        after_joiner = c == '\u{200d}';
        if joins {
            continue;
        }
        if text[..at].width() > room {
            break;
        }
        kept = at;
    }
    let mut cut = text[..kept].trim_end().to_string();
    if columns > 0 {
        cut.push('…');
    }
    cut
}

impl Output {
    /// `no_color` comes from `NO_COLOR`; colour is also off when stderr is not
    /// a terminal.
    pub fn new(debug: bool, no_color: bool) -> Self {
        let stderr_is_term = std::io::stderr().is_terminal();
        if no_color || !stderr_is_term {
            console::set_colors_enabled_stderr(false);
        }
        // indicatif hides bars on a `dumb` terminal; then lines are plain too.
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let bars = (stderr_is_term && !debug && !bars.is_hidden()).then_some(bars);
        Output {
            debug,
            bars,
            started: Instant::now(),
            secrets: Mutex::new(Vec::new()),
        }
    }

    /// From now on, `secret` (the token) is shown as `***` wherever it
    /// would be: GitHub or a proxy may echo it back in a message.
    pub fn hide(&self, secret: &str) {
        if let Ok(mut secrets) = self.secrets.lock() {
            secrets.push(secret.to_string());
        }
    }

    /// `text` as it may be shown: without secrets, control characters or
    /// bidirectional overrides; its lines and tabs kept.
    pub fn shown(&self, text: &str) -> String {
        let text = match self.secrets.lock() {
            Ok(secrets) => safe::without_secrets(text, &secrets),
            Err(_) => text.to_string(),
        };
        safe::lines(&text)
    }

    /// How many columns stdout has, when it is a terminal that says.
    pub fn stdout_columns(&self) -> Option<usize> {
        Term::stdout().size_checked().map(|(_, columns)| usize::from(columns))
    }

    /// A step of the run: `→ Fetching release-3.1 from upstream`.
    pub fn step(&self, message: &str) {
        let message = self.shown(message);
        self.line(&format!(
            "{} {message}",
            Style::new().for_stderr().cyan().bold().apply_to("→")
        ));
    }

    /// A plain message.
    pub fn note(&self, message: &str) {
        self.line(&self.shown(message));
    }

    /// Something the user should know, though the run goes on.
    pub fn warn(&self, message: &str) {
        let message = self.shown(message);
        self.line(&format!(
            "{} {message}",
            Style::new().for_stderr().yellow().bold().apply_to("warning:")
        ));
    }

    /// A `hint:` line: what to do next.
    pub fn hint(&self, message: &str) {
        let message = self.shown(message);
        self.line(&format!(
            "{} {message}",
            Style::new().for_stderr().green().apply_to("hint:")
        ));
    }

    /// A `--debug` line, stamped with the time since start.
    pub fn debug(&self, message: impl FnOnce() -> String) {
        if self.debug {
            let at = self.started.elapsed().as_secs_f64();
            self.line(&format!(
                "{} {}",
                Style::new().for_stderr().dim().apply_to(format!("debug[{at:7.3}s]")),
                self.shown(&message())
            ));
        }
    }

    /// Runs `work` with a spinner showing `message` when stderr can show one,
    /// then prints the message as a step; otherwise prints the step first.
    /// Waits that run side by side (several targets) each have a spinner of
    /// their own, one below the other.
    pub fn waiting<T>(&self, message: &str, work: impl FnOnce() -> T) -> T {
        let Some(bars) = &self.bars else {
            self.step(message);
            return work();
        };
        let style =
            ProgressStyle::with_template("{spinner:.cyan} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = bars.add(ProgressBar::new_spinner().with_style(style));
        bar.set_message(self.shown(message));
        bar.enable_steady_tick(Duration::from_millis(100));
        let result = work();
        self.done_with(&bar);
        self.step(message);
        result
    }

    /// A progress bar of `len` steps when stderr can show one; otherwise the
    /// message once, as a step, and a hidden bar.
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        let Some(bars) = &self.bars else {
            self.step(&format!("{message} ({len})"));
            return ProgressBar::hidden();
        };
        let style = ProgressStyle::with_template("{msg} {bar:30.cyan/blue} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = bars.add(ProgressBar::new(len).with_style(style));
        bar.set_message(self.shown(message));
        bar
    }

    /// Waits `duration`, showing a countdown when stderr can show one;
    /// otherwise says once how long the wait is.
    pub fn countdown(&self, message: &str, duration: Duration) {
        let message = self.shown(message);
        let Some(bars) = &self.bars else {
            self.note(&format!("{message} {}s", duration.as_secs_f64().ceil()));
            std::thread::sleep(duration);
            return;
        };
        let style = ProgressStyle::with_template("{msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = bars.add(ProgressBar::new_spinner().with_style(style));
        let end = Instant::now() + duration;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            bar.set_message(format!("{message} {}s", left.as_secs_f64().ceil()));
            std::thread::sleep(left.min(Duration::from_secs(1)));
        }
        self.done_with(&bar);
        self.note(&format!("{message} {}s: done", duration.as_secs_f64().ceil()));
    }

    /// Takes `bar` off the terminal for good.
    fn done_with(&self, bar: &ProgressBar) {
        bar.finish_and_clear();
        if let Some(bars) = &self.bars {
            bars.remove(bar);
        }
    }

    /// Writes a line of stderr above the bars being drawn, if any.
    fn line(&self, text: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.println(text);
            }
            None => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
        }
    }

    /// Writes to stdout with the bars, if any, out of the way: on a terminal
    /// stdout and stderr are the same screen.
    fn to_stdout(&self, text: &str) {
        let write = || {
            let _ = writeln!(std::io::stdout(), "{text}");
        };
        match &self.bars {
            Some(bars) => bars.suspend(write),
            None => write(),
        }
    }

    /// JSON on stdout, safe to show (`safe::json`), without secrets.
    pub fn result_json(&self, text: &str) {
        let text = match self.secrets.lock() {
            Ok(secrets) => safe::without_secrets(text, &secrets),
            Err(_) => text.to_string(),
        };
        self.to_stdout(&safe::json(&text));
    }

    /// A line of the result, on stdout.
    pub fn result(&self, text: &str) {
        self.to_stdout(&self.shown(text));
    }

    /// The error that ended the run: the whole chain of causes, then hints.
    pub fn error(&self, error: &anyhow::Error) {
        let red = Style::new().for_stderr().red().bold();
        let mut chain = error
            .chain()
            .map(|e| self.shown(&e.to_string()))
            .filter(|m| !m.is_empty());
        let first = chain.next().unwrap_or_default();
        self.line(&format!("{} {first}", red.apply_to("error:")));
        for cause in chain {
            let mut lines = cause.lines();
            self.line(&format!("  caused by: {}", lines.next().unwrap_or_default()));
            for line in lines {
                self.line(&format!("    {line}"));
            }
        }
        for hint in errors::hints_of(error) {
            self.hint(&hint);
        }
    }

    /// Asks a yes/no question on the terminal (`/dev/tty`, as git does, so
    /// that it waits for an answer however stdin and stderr are redirected);
    /// only `y` or `yes` is yes. Ctrl-C while waiting is an error of kind
    /// `Interrupted`; an end of input is no answer, said as such.
    pub fn confirm(&self, question: &str) -> std::io::Result<Answer> {
        let prompt = format!("{} [y/N] ", self.shown(question));
        let answer = match terminal() {
            Some((read, mut write)) => {
                write.write_all(prompt.as_bytes())?;
                write.flush()?;
                crate::signals::interruptible(move || read_line(read))
            }
            // No terminal of its own: stdin is one (the caller checked).
            None => {
                Term::stderr().write_str(&prompt)?;
                crate::signals::interruptible(move || read_line(std::io::stdin()))
            }
        };
        let interrupted = || std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted");
        let answer = answer.ok_or_else(interrupted)??;
        // Ctrl-C ends the terminal's read too, maybe before its handler ran.
        if answer.is_none() && crate::signals::interrupted_within(Duration::from_millis(200)) {
            return Err(interrupted());
        }
        Ok(match answer {
            None => Answer::None("end of input".to_string()),
            Some(line) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Answer::Yes,
            Some(_) => Answer::No,
        })
    }

    /// Reads a secret from the terminal without echoing it.
    pub fn secret(&self, prompt: &str) -> std::io::Result<String> {
        let term = Term::stderr();
        term.write_str(prompt)?;
        crate::signals::interruptible(move || Term::stderr().read_secure_line())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted"))?
    }
}

/// The answer to a yes/no question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes,
    /// Anything but yes.
    No,
    /// Nothing could be read (the end of input): why.
    None(String),
}

/// The controlling terminal, to read from and to write to.
fn terminal() -> Option<(std::fs::File, std::fs::File)> {
    let read = std::fs::File::open("/dev/tty").ok()?;
    let write = std::fs::OpenOptions::new().write(true).open("/dev/tty").ok()?;
    Some((read, write))
}

/// One line, without waiting for more; `None` at the end of input.
fn read_line(mut from: impl std::io::Read) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match from.read(&mut byte) {
            Ok(0) if line.is_empty() => return Ok(None),
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::fit;

    #[test]
    fn fit_cuts_to_the_columns_with_an_ellipsis() {
        assert_eq!(fit("Fix the widget", 20), "Fix the widget");
        assert_eq!(fit("Fix the widget", 14), "Fix the widget");
        assert_eq!(fit("Fix the widget", 8), "Fix the…");
        assert_eq!(fit("Fix the widget", 1), "…");
        assert_eq!(fit("Fix the widget", 0), "");
    }

    #[test]
    fn fit_never_cuts_inside_a_character() {
        // Wide characters take two columns: one that does not fit is left out.
        assert_eq!(fit("修复小部件的问题", 6), "修复…");
        assert_eq!(fit("修复小部件的问题", 7), "修复小…");
        // A combining accent stays with its letter.
        assert_eq!(fit("cafe\u{301} au lait", 5), "cafe\u{301}…");
        // An emoji sequence joined by zero-width joiners is whole or absent.
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        let cut = fit(&format!("ab{family}cd"), 4);
        assert!(cut == "ab…" || cut == format!("ab{family}…"), "{cut:?}");
        for columns in 0..12 {
            for text in [
                "修复小部件的问题",
                "cafe\u{301} au lait",
                "a\u{1f44d}\u{1f3fd}b c d e f",
            ] {
                assert!(fit(text, columns).width() <= columns, "{text:?} in {columns}");
            }
        }
    }
}
