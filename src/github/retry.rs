//! When a GitHub request is tried again, and after how long: exponential
//! backoff with jitter for connection errors, timeouts and 500/502/503/504;
//! GitHub's own headers for rate limits. Pure functions of the answer and the
//! clock, so the policy is tested without a network.

use std::time::{Duration, SystemTime};

/// The numbers of the retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first backoff; each retry doubles it.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
    /// No new try starts, and no wait ends, later than this after the first try.
    pub deadline: Duration,
    /// The longest rate-limit wait taken; a longer one is an error.
    pub max_wait: Duration,
    /// Connecting may take this long.
    pub connect_timeout: Duration,
    /// One try (connect, send, answer, body) may take this long.
    pub timeout: Duration,
    /// The most requests in flight at once (GitHub asks integrators for no
    /// large bursts of concurrent requests); the rest wait their turn.
    pub in_flight: usize,
    /// All the waits a secondary rate limit may take, in all: past this the
    /// request fails and says when to try again.
    pub secondary_total: Duration,
    /// One second of GitHub's guidance (its `retry-after`, its minute, the
    /// pacing of writes): a second, but shorter in the tests.
    pub second: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            attempts: 5,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(16),
            deadline: Duration::from_secs(180),
            max_wait: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            in_flight: 16,
            secondary_total: Duration::from_secs(15 * 60),
            second: Duration::from_secs(1),
        }
    }
}

/// What came back from one try, as far as the policy cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// `None`: no answer (connection error or timeout).
    pub status: Option<u16>,
    /// `retry-after`, in seconds.
    pub retry_after: Option<u64>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`, in seconds since the Unix epoch.
    pub reset: Option<u64>,
    /// GitHub's `message`.
    pub message: String,
}

impl Answer {
    /// Whether GitHub said this is a rate limit rather than a refusal.
    pub fn is_rate_limit(&self) -> bool {
        matches!(self.status, Some(403 | 429))
            && (self.retry_after.is_some() || self.remaining == Some(0) || is_limit_message(&self.message))
    }

    /// Whether it is a secondary (abuse) limit, as opposed to the primary quota.
    pub fn is_secondary_limit(&self) -> bool {
        let m = self.message.to_ascii_lowercase();
        m.contains("secondary rate limit") || m.contains("abuse")
    }
}

fn is_limit_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("rate limit") || m.contains("abuse")
}

/// What to do after a try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Take the answer as it is (success, or an error not worth retrying).
    Stop,
    /// Wait, then try again. `rate_limit` says whether GitHub asked for the wait.
    Retry { after: Duration, rate_limit: bool },
    /// A rate limit too long to wait out: it ends at `until`, if GitHub said.
    RateLimited { until: Option<SystemTime> },
    /// Retrying would break the attempt count or the deadline.
    GiveUp,
}

/// The backoff before try `attempt + 1` (attempt counts from 1), with
/// "equal jitter": half the exponential delay, plus up to the other half at
/// random (`jitter` in `[0, 1)`), so clients that failed together spread out
/// but never retry at once.
pub fn backoff(policy: &Policy, attempt: u32, jitter: f64) -> Duration {
    let exp = policy
        .base
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(policy.cap);
    let half = exp / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// Decides what follows try number `attempt` (from 1), `elapsed` after the
/// first try started, at wall-clock time `now`.
pub fn decide(
    policy: &Policy,
    attempt: u32,
    elapsed: Duration,
    now: SystemTime,
    answer: &Answer,
    jitter: f64,
) -> Decision {
    let left = policy.deadline.saturating_sub(elapsed);
    match answer.status {
        // GitHub's guidance: its `retry-after`, else its reset, else at least
        // a minute; waits that double while it goes on; an error after some
        // tries, or a quarter of an hour in all.
        Some(_) if answer.is_secondary_limit() => {
            let wait = secondary_wait(policy, answer, attempt, now);
            let until = Some(now + wait);
            if attempt >= policy.attempts || elapsed + wait > policy.secondary_total {
                return Decision::RateLimited { until };
            }
            Decision::Retry {
                after: wait,
                rate_limit: true,
            }
        }
        Some(_) if answer.is_rate_limit() => {
            let wait = rate_limit_wait(answer, now);
            let until = match (answer.remaining, answer.reset) {
                (Some(0), Some(reset)) if answer.retry_after.is_none() => {
                    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(reset))
                }
                _ => Some(now + wait),
            };
            if wait > policy.max_wait {
                return Decision::RateLimited { until };
            }
            if attempt >= policy.attempts || wait > left {
                // The wait was short enough but the budget is spent: say when to retry.
                return Decision::RateLimited { until };
            }
            Decision::Retry {
                after: wait,
                rate_limit: true,
            }
        }
        None | Some(500 | 502 | 503 | 504) => {
            let after = backoff(policy, attempt, jitter);
            if attempt >= policy.attempts || after >= left {
                Decision::GiveUp
            } else {
                Decision::Retry {
                    after,
                    rate_limit: false,
                }
            }
        }
        Some(_) => Decision::Stop,
    }
}

/// How long GitHub asks to wait: `retry-after`; else until
/// `x-ratelimit-reset` when `x-ratelimit-remaining` is 0; else, for a
/// secondary limit that names no time, a minute (GitHub's guidance).
pub fn rate_limit_wait(answer: &Answer, now: SystemTime) -> Duration {
    if let Some(seconds) = answer.retry_after {
        return Duration::from_secs(seconds);
    }
    if let (Some(0), Some(reset)) = (answer.remaining, answer.reset) {
        let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(reset);
        // The reset is a whole second; wait until it has surely passed.
        return reset
            .duration_since(now)
            .map(|d| d + Duration::from_secs(1))
            .unwrap_or(Duration::from_secs(1));
    }
    Duration::from_secs(60)
}

/// The wait after try `attempt` met a secondary limit, in the policy's
/// seconds: `retry-after`; else until `x-ratelimit-reset` when
/// `x-ratelimit-remaining` is 0; else a minute, doubled for each try after
/// the first that met it again.
pub fn secondary_wait(policy: &Policy, answer: &Answer, attempt: u32, now: SystemTime) -> Duration {
    if let Some(seconds) = answer.retry_after {
        return policy.second.saturating_mul(u32::try_from(seconds).unwrap_or(u32::MAX));
    }
    if let (Some(0), Some(_)) = (answer.remaining, answer.reset) {
        let whole = rate_limit_wait(answer, now).as_secs();
        return policy.second.saturating_mul(u32::try_from(whole).unwrap_or(u32::MAX));
    }
    let doubled = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    policy.second.saturating_mul(60).saturating_mul(doubled)
}

/// Why a secondary limit's wait is as long as it is: the header that said
/// so, or GitHub's guidance, for `--debug`.
pub fn secondary_why(answer: &Answer, attempt: u32) -> String {
    if let Some(seconds) = answer.retry_after {
        return format!("retry-after: {seconds}");
    }
    if let (Some(0), Some(reset)) = (answer.remaining, answer.reset) {
        return format!("x-ratelimit-remaining: 0, x-ratelimit-reset: {reset}");
    }
    if attempt <= 1 {
        "no retry-after and no reset: GitHub asks for at least a minute".to_string()
    } else {
        format!(
            "no retry-after and no reset, met again: a minute doubled {} times",
            attempt - 1
        )
    }
}

/// Reads `retry-after` (seconds, or an HTTP date) as seconds from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let when = httpdate_seconds(value)?;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    Some(when.saturating_sub(now))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as seconds since the epoch.
fn httpdate_seconds(value: &str) -> Option<u64> {
    let ts: jiff::Timestamp = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    u64::try_from(ts.as_second()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
    }

    fn status(code: u16) -> Answer {
        Answer {
            status: Some(code),
            ..Answer::default()
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let p = Policy::default();
        assert_eq!(backoff(&p, 1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(&p, 1, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&p, 2, 0.5), Duration::from_millis(1500));
        assert_eq!(backoff(&p, 3, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(&p, 10, 1.0), Duration::from_secs(16));
        assert_eq!(backoff(&p, 40, 0.0), Duration::from_secs(8));
    }

    #[test]
    fn transient_failures_are_retried_until_the_attempts_run_out() {
        let p = Policy::default();
        for answer in [Answer::default(), status(500), status(502), status(503), status(504)] {
            assert!(
                matches!(
                    decide(&p, 1, Duration::ZERO, now(), &answer, 0.5),
                    Decision::Retry { rate_limit: false, .. }
                ),
                "{answer:?}"
            );
            assert_eq!(
                decide(&p, p.attempts, Duration::ZERO, now(), &answer, 0.5),
                Decision::GiveUp
            );
        }
        for code in [400, 401, 404, 406, 422, 501] {
            assert_eq!(decide(&p, 1, Duration::ZERO, now(), &status(code), 0.5), Decision::Stop);
        }
    }

    #[test]
    fn the_deadline_stops_retries() {
        let p = Policy::default();
        let late = p.deadline - Duration::from_millis(100);
        assert_eq!(decide(&p, 1, late, now(), &status(502), 0.5), Decision::GiveUp);
    }

    #[test]
    fn a_plain_403_is_a_refusal_not_a_rate_limit() {
        let p = Policy::default();
        let refused = Answer {
            status: Some(403),
            remaining: Some(4999),
            message: "Resource not accessible by personal access token".into(),
            ..Answer::default()
        };
        assert!(!refused.is_rate_limit());
        assert_eq!(decide(&p, 1, Duration::ZERO, now(), &refused, 0.5), Decision::Stop);
    }

    #[test]
    fn retry_after_is_waited_out() {
        let p = Policy::default();
        for code in [403, 429] {
            let answer = Answer {
                status: Some(code),
                retry_after: Some(1),
                ..Answer::default()
            };
            assert_eq!(
                decide(&p, 1, Duration::ZERO, now(), &answer, 0.5),
                Decision::Retry {
                    after: Duration::from_secs(1),
                    rate_limit: true
                }
            );
        }
    }

    #[test]
    fn a_reset_within_a_minute_is_waited_out_and_a_later_one_is_an_error() {
        let p = Policy::default();
        let soon = Answer {
            status: Some(403),
            remaining: Some(0),
            reset: Some(NOW + 1),
            message: "API rate limit exceeded for user ID 1.".into(),
            ..Answer::default()
        };
        assert_eq!(
            decide(&p, 1, Duration::ZERO, now(), &soon, 0.5),
            Decision::Retry {
                after: Duration::from_secs(2),
                rate_limit: true
            }
        );
        let later = Answer {
            reset: Some(NOW + 3600),
            ..soon.clone()
        };
        assert_eq!(
            decide(&p, 1, Duration::ZERO, now(), &later, 0.5),
            Decision::RateLimited {
                until: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW + 3600))
            }
        );
        let past = Answer {
            reset: Some(NOW - 5),
            ..soon
        };
        assert_eq!(rate_limit_wait(&past, now()), Duration::from_secs(1));
    }

    #[test]
    fn secondary_limits_are_told_apart() {
        let secondary = Answer {
            status: Some(403),
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.".into(),
            ..Answer::default()
        };
        assert!(secondary.is_rate_limit());
        assert!(secondary.is_secondary_limit());
        assert_eq!(rate_limit_wait(&secondary, now()), Duration::from_secs(60));
        let primary = Answer {
            status: Some(429),
            remaining: Some(0),
            reset: Some(NOW + 10),
            message: "API rate limit exceeded".into(),
            ..Answer::default()
        };
        assert!(primary.is_rate_limit() && !primary.is_secondary_limit());
    }

    #[test]
    fn a_secondary_limit_waits_as_github_asks_then_doubles_then_gives_up() {
        let p = Policy::default();
        let message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        let bare = Answer {
            status: Some(403),
            message: message.into(),
            ..Answer::default()
        };
        let told = Answer {
            retry_after: Some(2),
            ..bare.clone()
        };
        let reset = Answer {
            remaining: Some(0),
            reset: Some(NOW + 9),
            ..bare.clone()
        };
        let retry = |after: u64| Decision::Retry {
            after: Duration::from_secs(after),
            rate_limit: true,
        };
        assert_eq!(decide(&p, 1, Duration::ZERO, now(), &told, 0.5), retry(2));
        assert_eq!(decide(&p, 3, Duration::ZERO, now(), &told, 0.5), retry(2));
        assert_eq!(decide(&p, 1, Duration::ZERO, now(), &reset, 0.5), retry(10));
        assert_eq!(decide(&p, 1, Duration::ZERO, now(), &bare, 0.5), retry(60));
        assert_eq!(decide(&p, 2, Duration::ZERO, now(), &bare, 0.5), retry(120));
        assert_eq!(decide(&p, 3, Duration::ZERO, now(), &bare, 0.5), retry(240));
        // Past the tries, or a quarter of an hour in all: an error saying when.
        assert!(matches!(
            decide(&p, p.attempts, Duration::ZERO, now(), &bare, 0.5),
            Decision::RateLimited { .. }
        ));
        assert!(matches!(
            decide(&p, 2, Duration::from_secs(800), now(), &bare, 0.5),
            Decision::RateLimited { .. }
        ));
        // Longer than the plain deadline, but within the quarter hour: waited.
        assert_eq!(decide(&p, 3, Duration::from_secs(300), now(), &bare, 0.5), retry(240));
        // A shorter second (the tests') shortens every wait alike.
        let quick = Policy {
            second: Duration::from_millis(10),
            ..p
        };
        assert_eq!(
            decide(&quick, 1, Duration::ZERO, now(), &bare, 0.5),
            Decision::Retry {
                after: Duration::from_millis(600),
                rate_limit: true
            }
        );
        assert_eq!(secondary_why(&told, 1), "retry-after: 2");
        assert_eq!(
            secondary_why(&reset, 1),
            format!("x-ratelimit-remaining: 0, x-ratelimit-reset: {}", NOW + 9)
        );
        assert_eq!(
            secondary_why(&bare, 1),
            "no retry-after and no reset: GitHub asks for at least a minute"
        );
        assert_eq!(
            secondary_why(&bare, 3),
            "no retry-after and no reset, met again: a minute doubled 2 times"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 ", now()), Some(7));
        let date = jiff::Timestamp::from_second((NOW + 30) as i64).unwrap();
        let text = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&date)
            .unwrap();
        assert_eq!(parse_retry_after(&text, now()), Some(30));
        assert_eq!(parse_retry_after("soon", now()), None);
    }
}
