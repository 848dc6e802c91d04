//! One run at a time in a repository: a lock held for the whole of a run,
//! `--continue` or `--abort`, so that two shells never both pass the "in
//! progress" check and leave work that the saved state does not know about.
//!
//! The lock is the operating system's advisory lock on
//! `<git common dir>/cherry-pick-pr/lock`, so it goes with its process however
//! that process ends. The file says who holds it (pid and start time); a run
//! that finds such words in a file nobody holds any more takes it over with a
//! notice.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::errors::{Context, failed};
use crate::output::Output;

/// The lock file.
pub fn path(common_dir: &Path) -> PathBuf {
    crate::git::worktrees_dir(common_dir).join("lock")
}

/// Who holds (or held) the lock, as its file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Seconds since the Unix epoch.
    pub since: i64,
}

impl Holder {
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            since: jiff::Timestamp::now().as_second(),
        }
    }

    /// `pid 1234, since 2026-12-02 15:03:02`.
    pub fn describe(&self) -> String {
        let since = jiff::Timestamp::from_second(self.since)
            .map(|t| {
                t.to_zoned_datetime(jiff::tz::TimeZone::system())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| "an unknown time".to_string());
        format!("pid {}, since {since}", self.pid)
    }

    fn text(&self) -> String {
        format!("pid {}\nsince {}\n", self.pid, self.since)
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut since = None;
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("pid", v)) => pid = v.trim().parse().ok(),
                Some(("since", v)) => since = v.trim().parse().ok(),
                _ => {}
            }
        }
        Some(Holder {
            pid: pid?,
            since: since?,
        })
    }
}

/// The lock, held until dropped; the file is emptied on the way out.
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Emptied while still held; closing the file releases the lock.
        let _ = self.file.set_len(0);
    }
}

fn open(common_dir: &Path) -> Result<File> {
    let file = path(common_dir);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).failure(|| failed(format!("creating {}", dir.display())))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&file)
        .failure(|| failed(format!("opening the lock file {}", file.display())))
}

fn read(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    text
}

/// Takes the lock, or says which run holds it.
pub fn acquire(common_dir: &Path, out: &Output) -> Result<RunLock> {
    let mut file = open(common_dir)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let who = Holder::parse(&read(&mut file))
                .map(|h| format!(" ({})", h.describe()))
                .unwrap_or_default();
            return Err(
                failed(format!("another git cherry-pick-pr is running in this repository{who}"))
                    .hint("wait for it to finish; `git cherry-pick-pr --status` shows what it is doing")
                    .hint(format!(
                        "if that process is stuck, stop it; its lock ({}) goes with it",
                        path(common_dir).display()
                    ))
                    .into(),
            );
        }
        Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            out.debug(|| format!("the file system cannot lock {}: {e}", path(common_dir).display()));
        }
        Err(TryLockError::Error(e)) => {
            return Err(failed(format!("locking {}", path(common_dir).display()))
                .because(e)
                .into());
        }
    }
    if let Some(gone) = Holder::parse(&read(&mut file)) {
        out.warn(&format!(
            "an earlier git cherry-pick-pr ({}) ended without finishing; taking over its lock",
            gone.describe()
        ));
        out.hint("`git cherry-pick-pr --status` shows anything it left");
    }
    let me = Holder::me();
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(me.text().as_bytes()))
        .and_then(|()| file.flush());
    written.failure(|| failed(format!("writing the lock file {}", path(common_dir).display())))?;
    Ok(RunLock { file })
}

/// Who holds the lock now, if anyone (for `--status`): `pid 1234, since …`,
/// or, while the holder has not written its words yet, that it is starting.
pub fn holder(common_dir: &Path) -> Option<String> {
    let mut file = File::open(path(common_dir)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(TryLockError::WouldBlock) => {
            Some(Holder::parse(&read(&mut file)).map_or_else(|| "it is just starting".to_string(), |h| h.describe()))
        }
        Err(TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_is_written_and_read_back() {
        let me = Holder {
            pid: 42,
            since: 1_700_000_000,
        };
        assert_eq!(Holder::parse(&me.text()), Some(me.clone()));
        assert_eq!(Holder::parse(""), None);
        assert_eq!(Holder::parse("pid 1\n"), None);
        assert_eq!(Holder::parse("since 5\n"), None);
        assert_eq!(Holder::parse("pid x\nsince 5\n"), None);
        assert!(me.describe().starts_with("pid 42, since 2023-11-"), "{}", me.describe());
    }

    #[test]
    fn a_second_lock_in_the_same_repository_is_refused_until_the_first_goes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = Output::new(false, true);
        let first = acquire(dir.path(), &out).expect("the first lock");
        let held = holder(dir.path()).expect("held");
        assert!(
            held.starts_with(&format!("pid {}, since ", std::process::id())),
            "{held}"
        );
        let second = acquire(dir.path(), &out).expect_err("a second lock is refused");
        let message = format!("{second:#}");
        assert!(message.contains(&format!("pid {}", std::process::id())), "{message}");
        // Once dropped, the file is emptied. (Whether the lock is free at
        // once is for the integration tests, run in processes of their own:
        // here another test's git child may hold a copy of the descriptor
        // for an instant between its fork and its exec.)
        drop(first);
        assert_eq!(std::fs::read_to_string(path(dir.path())).ok().as_deref(), Some(""));
    }
}
