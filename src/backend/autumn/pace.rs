//! Staying under Autumn's rate limit: 25 requests per second per organization.

use std::time::{Duration, Instant};

/// Autumn's limit for catalog calls, per organization.
pub const REQUESTS_PER_SECOND: u32 = 25;

/// Spaces request starts at least `1 / rate` apart, so no second ever holds more than `rate`
/// of them, however fast the answers come.
#[derive(Debug, Clone)]
pub struct Pace {
    interval: Duration,
    next: Option<Instant>,
}

impl Pace {
    pub fn per_second(rate: u32) -> Pace {
        Pace {
            interval: Duration::from_secs(1) / rate.max(1),
            next: None,
        }
    }

    /// How long to wait at `now` before the next request may start; the start is then
    /// counted.
    pub fn wait_before_next(&mut self, now: Instant) -> Duration {
        let start = self.next.map_or(now, |next| next.max(now));
        self.next = Some(start + self.interval);
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
        // 100 requests asked for at once start 40 ms apart.
        let mut starts = Vec::new();
        for _ in 0..100 {
            let wait = pace.wait_before_next(origin);
            starts.push(wait);
        }
        assert_eq!(starts[0], Duration::ZERO);
        assert_eq!(starts[1], Duration::from_millis(40));
        assert_eq!(starts[99], Duration::from_millis(3960));
        for window in starts.windows(26) {
            assert!(window[25].saturating_sub(window[0]) >= Duration::from_secs(1));
        }
        // After a quiet spell nothing waits.
        assert_eq!(
            pace.wait_before_next(origin + Duration::from_secs(10)),
            Duration::ZERO
        );
    }
}
