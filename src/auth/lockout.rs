//! Locking out password guessing: after [`MAX_FAILURES`] failed logins
//! within [`WINDOW`] for one account, or from one client address, further
//! attempts are refused until the window has passed. Each attempt counts
//! when it is made, so aliased `login` fields in one request count one by
//! one. In memory, per process.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed within the window.
pub const MAX_FAILURES: usize = 5;
/// How long failures are remembered, and a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Past this many tracked keys, expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct Lockout {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Lockout {
    /// `Err(seconds)` while any of `keys` is locked.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = None;
        for key in keys {
            if let Some(times) = failures.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= MAX_FAILURES {
                    let oldest = times[times.len() - MAX_FAILURES];
                    let left = WINDOW
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1);
                    wait = Some(wait.map_or(left, |w: u64| w.max(left)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    /// Counts a failed attempt against each of `keys`.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for key in keys {
            failures.entry(key.clone()).or_default().push(now);
        }
    }

    /// Forgets an account's failures after it logged in.
    pub fn succeed(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_the_account_and_the_address() {
        let lockout = Lockout::default();
        let keys = ["account:a".to_owned(), "address:1".to_owned()];
        for _ in 0..MAX_FAILURES {
            assert!(lockout.check(&keys).is_ok());
            lockout.fail(&keys);
        }
        assert!(lockout.check(&keys).is_err());
        assert!(lockout.check(&["address:1".to_owned()]).is_err());
        assert!(lockout.check(&["account:b".to_owned()]).is_ok());
    }
}
