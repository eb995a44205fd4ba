//! Per-actor rate limits: a token bucket per member (or per client address
//! for requests without a token), refilled continuously, holding one
//! minute's allowance. In memory, per process: with N instances behind a
//! balancer the effective limit is up to N times the setting.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Buckets idle this long (hence full again) are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(120);
/// Forgetting runs when this many buckets exist.
const SWEEP_AT: usize = 10_000;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `key`'s allowance; when it is spent, the
    /// whole seconds until the next request is allowed.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| now.duration_since(b.updated) < FORGET_AFTER);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_allowance_refills_over_the_minute() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.check_at("m", start).is_ok());
        }
        assert_eq!(limiter.check_at("m", start), Err(1));
        assert!(limiter.check_at("other", start).is_ok(), "per key");
        assert!(
            limiter
                .check_at("m", start + Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("m", start + Duration::from_secs(1))
                .is_err()
        );
    }
}
