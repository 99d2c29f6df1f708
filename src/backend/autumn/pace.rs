//! Staying under Autumn's rate limit: 25 requests per second per organization.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Autumn's limit for catalog calls, per organization.
pub const REQUESTS_PER_SECOND: u32 = 25;

/// Holds request starts to at most `rate` in any one second (a sliding window): a burst of
/// up to `rate` requests, such as a fetch's independent reads sent at once, starts without
/// waiting, and the request after them waits until the oldest of the last `rate` starts is a
/// second old. Spacing every start `1 / rate` apart would hold the limit too, but would make
/// reads sent together wait 40 ms each for no reason.
#[derive(Debug, Clone)]
pub struct Pace {
    rate: usize,
    /// The last `rate` starts given out (some perhaps still ahead), oldest first.
    starts: VecDeque<Instant>,
}

impl Pace {
    pub fn per_second(rate: u32) -> Pace {
        let rate = usize::try_from(rate.max(1)).unwrap_or(1);
        Pace {
            rate,
            starts: VecDeque::with_capacity(rate),
        }
    }

    /// How long to wait at `now` before the next request may start; the start is then
    /// counted.
    pub fn wait_before_next(&mut self, now: Instant) -> Duration {
        // Starts are given out in order, so the window is always the last `rate` of them.
        let mut start = self.starts.back().map_or(now, |last| (*last).max(now));
        if self.starts.len() >= self.rate
            && let Some(oldest) = self.starts.pop_front()
        {
            start = start.max(oldest + Duration::from_secs(1));
        }
        self.starts.push_back(start);
        start.saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_second_holds_more_than_the_rate() {
        let mut pace = Pace::per_second(REQUESTS_PER_SECOND);
        let origin = Instant::now();
        // 100 requests asked for at once: 25 start at once, the next 25 a second later.
        let mut starts = Vec::new();
        for _ in 0..100 {
            let wait = pace.wait_before_next(origin);
            starts.push(wait);
        }
        assert_eq!(starts[0], Duration::ZERO);
        assert_eq!(
            starts[24],
            Duration::ZERO,
            "a burst up to the rate waits for nothing"
        );
        assert_eq!(starts[25], Duration::from_secs(1));
        assert_eq!(starts[99], Duration::from_secs(3));
        for window in starts.windows(26) {
            assert!(window[25].saturating_sub(window[0]) >= Duration::from_secs(1));
        }
        // After a quiet spell nothing waits.
        assert_eq!(
            pace.wait_before_next(origin + Duration::from_secs(10)),
            Duration::ZERO
        );
    }

    #[test]
    fn requests_spread_over_time_count_only_within_their_second() {
        let mut pace = Pace::per_second(2);
        let origin = Instant::now();
        let at = |millis| origin + Duration::from_millis(millis);
        assert_eq!(pace.wait_before_next(at(0)), Duration::ZERO);
        assert_eq!(pace.wait_before_next(at(600)), Duration::ZERO);
        // A third within the first's second waits until it is a second old.
        assert_eq!(pace.wait_before_next(at(700)), Duration::from_millis(300));
        // The fourth waits for the second's start (600 ms) to be a second old.
        assert_eq!(pace.wait_before_next(at(1000)), Duration::from_millis(600));
    }
}
