//! Writes to GitHub as its secondary rate limits want them: one at a time
//! across the whole run (never two in flight), and content (a pull request,
//! a comment) spaced a second apart from the fourth of a run on, at most 80
//! a minute. GitHub's words: "make requests serially instead of
//! concurrently"; "wait at least one second between each request"; "no more
//! than 80 content-generating requests per minute".

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Content made before the spacing starts: one pull request with its
/// labels, or a few, pay nothing.
const FREE: usize = 3;

/// Content made in a minute, at most.
const PER_MINUTE: usize = 80;

/// The writes of one client.
pub struct Pace {
    /// Held by the write in flight, for all its tries.
    turn: Mutex<()>,
    made: Mutex<Made>,
    /// One second of GitHub's guidance.
    second: Duration,
}

/// The content made so far.
#[derive(Default)]
struct Made {
    /// How many in all.
    count: usize,
    /// When each of the last minute's was made, oldest first.
    recent: VecDeque<Instant>,
    /// How many more the run expects to make (for the progress line).
    expected: usize,
}

impl Pace {
    pub fn new(second: Duration) -> Self {
        Pace {
            turn: Mutex::new(()),
            made: Mutex::new(Made::default()),
            second,
        }
    }

    /// Waits until no other write is in flight; the write goes while the
    /// guard is held.
    pub fn turn(&self) -> MutexGuard<'_, ()> {
        self.turn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The run expects to make `n` more items of content.
    pub fn expect(&self, n: usize) {
        self.lock().expected += n;
    }

    /// How long to wait before the next content at `now`, and how many are
    /// still expected (this one included).
    pub fn before_content(&self, now: Instant) -> (Duration, usize) {
        let made = self.lock();
        (wait(made.count, &made.recent, now, self.second), made.expected.max(1))
    }

    /// Content was made at `at`.
    pub fn made(&self, at: Instant) {
        let mut made = self.lock();
        made.count += 1;
        made.expected = made.expected.saturating_sub(1);
        made.recent.push_back(at);
        let minute = self.second.saturating_mul(60);
        while made
            .recent
            .front()
            .is_some_and(|first| at.saturating_duration_since(*first) >= minute)
        {
            made.recent.pop_front();
        }
    }

    /// One second of GitHub's guidance.
    pub fn second(&self) -> Duration {
        self.second
    }

    fn lock(&self) -> MutexGuard<'_, Made> {
        self.made.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The wait before content number `count + 1` at `now`, given when the
/// last minute's were made (`recent`, oldest first): none for the first
/// `FREE`, then a second after the one before, and never more than
/// `PER_MINUTE` in a minute.
fn wait(count: usize, recent: &VecDeque<Instant>, now: Instant, second: Duration) -> Duration {
    if count < FREE {
        return Duration::ZERO;
    }
    let spaced = recent
        .back()
        .map_or(Duration::ZERO, |last| (*last + second).saturating_duration_since(now));
    let budget = if recent.len() >= PER_MINUTE {
        recent.get(recent.len() - PER_MINUTE).map_or(Duration::ZERO, |first| {
            (*first + second * 60).saturating_duration_since(now)
        })
    } else {
        Duration::ZERO
    };
    spaced.max(budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn the_first_three_are_free_then_each_waits_a_second_after_the_last() {
        let t0 = Instant::now();
        let mut recent = VecDeque::new();
        for n in 0..FREE {
            assert_eq!(wait(n, &recent, t0, S), Duration::ZERO);
            recent.push_back(t0);
        }
        assert_eq!(wait(FREE, &recent, t0, S), S);
        assert_eq!(wait(FREE, &recent, t0 + S / 4, S), S * 3 / 4);
        assert_eq!(wait(FREE, &recent, t0 + S * 2, S), Duration::ZERO);
    }

    #[test]
    fn never_more_than_eighty_a_minute() {
        let t0 = Instant::now();
        // Eighty made a second apart: the next waits for the first to be a
        // minute old, longer than the second after the last.
        let recent: VecDeque<Instant> = (0..80).map(|i| t0 + S * i / 2).collect();
        let now = t0 + S * 40;
        assert_eq!(wait(100, &recent, now, S), S * 20);
    }

    #[test]
    fn a_pace_keeps_the_last_minute_and_counts_what_is_expected() {
        let pace = Pace::new(Duration::from_millis(10));
        assert_eq!(pace.second(), Duration::from_millis(10));
        pace.expect(5);
        pace.expect(2);
        let t0 = Instant::now();
        assert_eq!(pace.before_content(t0), (Duration::ZERO, 7));
        for i in 0..4 {
            pace.made(t0 + Duration::from_millis(i));
        }
        let (wait, left) = pace.before_content(t0 + Duration::from_millis(3));
        assert_eq!(wait, Duration::from_millis(10));
        assert_eq!(left, 3);
        // A minute (of its seconds) later, the old ones are forgotten.
        pace.made(t0 + Duration::from_millis(700));
        assert_eq!(pace.lock().recent.len(), 1);
        assert_eq!(pace.lock().count, 5);
        let _turn = pace.turn();
        assert!(pace.turn.try_lock().is_err());
    }
}
