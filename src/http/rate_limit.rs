//! Per-actor rate limits: a token bucket per member (or per client address
//! for requests without a token), refilled continuously, holding one
//! minute's allowance. A token is one operation: a batch of N costs N, a
//! websocket subscribe 1. With Redis configured the buckets live there
//! (`rapport_core::access::shared_counters`), so N instances behind a
//! balancer enforce the setting once, not N times; without Redis, or while
//! it does not answer, in memory per process.
//!
//! Our own rather than `governor`'s keyed limiter: taking N tokens at once
//! and the Retry-After hint are a few lines here, and governor would bring
//! dashmap, quanta and more into a build that is slow already.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rapport_core::access::shared_counters::SharedCounters;
use rapport_core::metrics::Metrics;

/// Buckets idle this long (hence full again) are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(120);
/// Forgetting runs when this many buckets exist.
const SWEEP_AT: usize = 10_000;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
    shared: Option<SharedCounters>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// Buckets in this process; `shared`, when given, keeps them in Redis.
    pub fn new(per_minute: u32, shared: Option<SharedCounters>) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::default(),
            shared,
        }
    }

    /// Takes `cost` operations from `key`'s allowance, all or none; when
    /// too few are left, the whole seconds until `cost` will be. A cost
    /// above a full minute's allowance is taken as a full minute, so a batch
    /// can still pass on a very low setting.
    pub async fn check(&self, key: &str, cost: u32) -> Result<(), u64> {
        if let Some(shared) = &self.shared {
            match shared.take_tokens(key, self.per_minute, cost).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                Err(error) => {
                    tracing::warn!(%error, "rate limit: Redis did not answer, counting in this process");
                }
            }
        }
        self.check_at(key, cost, Instant::now())
    }

    fn check_at(&self, key: &str, cost: u32, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let cost = f64::from(cost.max(1)).min(capacity);
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
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            let wait = (cost - bucket.tokens) / per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// Takes `operations` from the caller's allowance in `limiter`: all of
/// them, or the request is refused whole (counted in `metrics`): the 429
/// response with `Retry-After`.
pub(super) async fn admit(
    limiter: &RateLimiter,
    metrics: &Metrics,
    key: &str,
    operations: usize,
) -> Option<Response> {
    let cost = u32::try_from(operations).unwrap_or(u32::MAX);
    let retry_after = limiter.check(key, cost).await.err()?;
    metrics.labelled.refused("rate_limit", "http");
    let mut refused = super::answer::refusal(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        &format!("too many operations: retry in {retry_after} s"),
    );
    refused
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    Some(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_allowance_refills_over_the_minute() {
        let limiter = RateLimiter::new(60, None);
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.check_at("m", 1, start).is_ok());
        }
        assert_eq!(limiter.check_at("m", 1, start), Err(1));
        assert!(limiter.check_at("other", 1, start).is_ok(), "per key");
        assert!(
            limiter
                .check_at("m", 1, start + Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("m", 1, start + Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn a_batch_costs_one_token_per_operation_all_or_none() {
        let limiter = RateLimiter::new(60, None);
        let start = Instant::now();
        for _ in 0..5 {
            assert!(limiter.check_at("m", 10, start).is_ok());
        }
        assert!(limiter.check_at("m", 10, start).is_ok(), "60 of 60 taken");
        // Ten more would take ten seconds at one a second; none is taken.
        assert_eq!(limiter.check_at("m", 10, start), Err(10));
        let later = start + Duration::from_secs(9);
        assert_eq!(limiter.check_at("m", 10, later), Err(1));
        assert!(limiter.check_at("m", 9, later).is_ok());
        // A batch larger than the whole allowance passes on a full bucket.
        let small = RateLimiter::new(3, None);
        assert!(small.check_at("m", 10, start).is_ok());
        assert!(small.check_at("m", 1, start).is_err());
    }
}
