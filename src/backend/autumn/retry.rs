//! When to try a request again, and how long to wait first: exponential backoff with full
//! jitter, at least what the server's `Retry-After` asks, within a bound.

use std::time::Duration;

/// How a request is retried after a 429, a 5xx, a timeout or a dropped connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait before the first retry, doubled for each one after.
    pub base: Duration,
    /// No computed wait is longer than this.
    pub cap: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets a failure the
    /// caller reports (rate-limited, retry after …) rather than a run that hangs.
    pub longest_retry_after: Duration,
    /// How long one try may take, connection included: an answer that stalls past it is
    /// retried like a dropped connection.
    pub timeout: Duration,
    /// How long one try of a request carrying many changes (`catalog.update`) may take:
    /// Autumn makes them one after another before it answers.
    pub bulk_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            longest_retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            bulk_timeout: Duration::from_secs(300),
        }
    }
}

/// What the caller does after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop: report the failure.
    GiveUp,
}

impl RetryPolicy {
    /// After try number `attempt` (1 for the first) failed in a way worth retrying: wait a
    /// random share (`jitter`, in `[0, 1)`) of the exponential backoff, but never less than the
    /// server's `retry_after`; give up after the last try or when the server asks for longer
    /// than [`RetryPolicy::longest_retry_after`].
    pub fn next(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Next {
        if attempt >= self.attempts {
            return Next::GiveUp;
        }
        if retry_after.is_some_and(|wait| wait > self.longest_retry_after) {
            return Next::GiveUp;
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let backoff = self.base.saturating_mul(1 << exponent).min(self.cap);
        let jittered = backoff.mul_f64(jitter.clamp(0.0, 1.0));
        Next::RetryAfter(jittered.max(retry_after.unwrap_or_default()))
    }
}

/// A jitter source: the `[0, 1)` shares [`RetryPolicy::next`] takes, from a small xorshift
/// generator seeded at the edge (the clock, in production; a constant in tests).
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn seeded(seed: u64) -> Jitter {
        Jitter(seed | 1)
    }

    /// The next share, in `[0, 1)`.
    pub fn next_share(&mut self) -> f64 {
        let mut state = self.0;
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        self.0 = state;
        // The top 53 bits make an exact f64 in [0, 1).
        #[expect(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
        let share = (state >> 11) as f64 / (1_u64 << 53) as f64;
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_the_cap_and_respects_retry_after() {
        let policy = RetryPolicy::default();
        let wait = |attempt, retry_after, jitter| policy.next(attempt, retry_after, jitter);
        assert_eq!(
            wait(1, None, 0.25),
            Next::RetryAfter(Duration::from_micros(62_500))
        );
        assert_eq!(
            wait(2, None, 0.5),
            Next::RetryAfter(Duration::from_millis(250))
        );
        assert_eq!(wait(5, None, 0.5), Next::RetryAfter(Duration::from_secs(2)));
        assert_eq!(wait(5, None, 1.0), Next::RetryAfter(Duration::from_secs(4)));
        assert_eq!(
            RetryPolicy {
                attempts: 20,
                ..policy
            }
            .next(12, None, 1.0),
            Next::RetryAfter(Duration::from_secs(8)),
            "capped"
        );
        assert_eq!(
            wait(1, Some(Duration::from_secs(3)), 0.1),
            Next::RetryAfter(Duration::from_secs(3)),
            "never sooner than the server asks"
        );
        assert_eq!(wait(6, None, 0.5), Next::GiveUp, "bounded");
        assert_eq!(
            wait(1, Some(Duration::from_secs(3600)), 0.5),
            Next::GiveUp,
            "an hour is not waited"
        );
    }

    #[test]
    fn jitter_stays_in_its_range_and_varies() {
        let mut jitter = Jitter::seeded(42);
        let shares: Vec<f64> = (0..1000).map(|_| jitter.next_share()).collect();
        assert!(shares.iter().all(|share| (0.0..1.0).contains(share)));
        let low = shares.iter().filter(|share| **share < 0.5).count();
        assert!((400..600).contains(&low), "{low} of 1000 below one half");
    }
}
