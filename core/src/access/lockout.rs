//! Locking out password guessing, in memory, per process.
//!
//! Two counts, each over [`WINDOW`]:
//! - per account *and* client address: [`PAIR_FAILURES`] failures lock that
//!   pair. Keyed by the pair so that a stranger's wrong passwords, from
//!   another address, never lock the member out of their own account.
//! - per client address across accounts: [`ADDRESS_FAILURES`] failures lock
//!   the address (credential stuffing: one guess at many accounts).
//!
//! An attempt is reserved before its password is hashed, under the same lock
//! that counts failures: attempts in flight count as failures until they
//! end, so N concurrent wrong passwords cannot all be checked when 5 may.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed within the window for one account from one address.
pub const PAIR_FAILURES: usize = 5;
/// Failures allowed within the window from one address, whatever the account.
pub const ADDRESS_FAILURES: usize = 50;
/// How long failures are remembered, and a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Past this many tracked keys, idle ones are swept.
const SWEEP_AT: usize = 10_000;
/// The retry hint while the limit is reached only by attempts in flight
/// (they end within a password check).
const IN_FLIGHT_RETRY: u64 = 1;

#[derive(Default)]
pub struct Lockout {
    keys: Mutex<HashMap<String, Count>>,
}

#[derive(Default)]
struct Count {
    failures: Vec<Instant>,
    in_flight: usize,
}

/// A reserved attempt. End it with [`Attempt::succeed`], [`Attempt::fail`]
/// or [`Attempt::release`]; dropped otherwise (an error, a cancelled
/// request), it counts as a failure, so abandoning requests mid-check
/// cannot get round the limit.
pub struct Attempt<'a> {
    lockout: &'a Lockout,
    keys: Vec<(String, usize)>,
    ended: bool,
}

impl Lockout {
    /// Reserves an attempt at `subject` (an account, an invitation) from
    /// `address`; `Err(seconds to wait)` while the pair or the address is
    /// locked, counting attempts in flight.
    pub fn begin(&self, subject: &str, address: Option<IpAddr>) -> Result<Attempt<'_>, u64> {
        let address = address.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
        let keys = vec![
            (format!("pair:{subject}|{address}"), PAIR_FAILURES),
            (format!("address:{address}"), ADDRESS_FAILURES),
        ];
        self.reserve(keys, Instant::now())
    }

    fn reserve(&self, keys: Vec<(String, usize)>, now: Instant) -> Result<Attempt<'_>, u64> {
        let mut counts = self.lock();
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, c| {
                c.in_flight > 0 || c.failures.iter().any(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let mut wait = None;
        for (key, limit) in &keys {
            let Some(count) = counts.get_mut(key) else {
                continue;
            };
            count.failures.retain(|t| now.duration_since(*t) < WINDOW);
            let left = if count.failures.len() >= *limit {
                // Unlocks when the failure that reached the limit ages out.
                let oldest = count.failures[count.failures.len() - limit];
                WINDOW
                    .saturating_sub(now.duration_since(oldest))
                    .as_secs()
                    .max(1)
            } else if count.failures.len() + count.in_flight >= *limit {
                IN_FLIGHT_RETRY
            } else {
                continue;
            };
            wait = Some(wait.map_or(left, |w: u64| w.max(left)));
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in &keys {
            counts.entry(key.clone()).or_default().in_flight += 1;
        }
        Ok(Attempt {
            lockout: self,
            keys,
            ended: false,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Count>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn end(&self, keys: &[(String, usize)], outcome: Outcome) {
        let now = Instant::now();
        let mut counts = self.lock();
        for (index, (key, _)) in keys.iter().enumerate() {
            let Some(count) = counts.get_mut(key) else {
                continue;
            };
            count.in_flight = count.in_flight.saturating_sub(1);
            match outcome {
                Outcome::Failed => count.failures.push(now),
                // Only the pair is forgiven: one good login must not wipe an
                // address's record of guesses at other accounts.
                Outcome::Succeeded if index == 0 => count.failures.clear(),
                Outcome::Succeeded | Outcome::NotTried => {}
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Failed,
    Succeeded,
    NotTried,
}

impl Attempt<'_> {
    /// The password was right: the pair's failures are forgotten.
    pub fn succeed(mut self) {
        self.finish(Outcome::Succeeded);
    }

    /// The password (or code) was wrong.
    pub fn fail(mut self) {
        self.finish(Outcome::Failed);
    }

    /// Nothing was checked (e.g. no hashing slot was free): no count.
    pub fn release(mut self) {
        self.finish(Outcome::NotTried);
    }

    fn finish(&mut self, outcome: Outcome) {
        if !self.ended {
            self.ended = true;
            self.lockout.end(&self.keys, outcome);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.finish(Outcome::Failed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_fifth_failure_locks_the_pair_but_not_the_member_elsewhere() {
        let lockout = Lockout::default();
        for _ in 0..PAIR_FAILURES {
            lockout.begin("account:a", ip("6.6.6.6")).unwrap().fail();
        }
        let wait = lockout.begin("account:a", ip("6.6.6.6")).err().unwrap();
        assert!(wait > 60, "locked for the window, not a moment: {wait}");
        // The member, from their own address, is not locked out.
        lockout
            .begin("account:a", ip("192.0.2.7"))
            .unwrap()
            .succeed();
        // The stranger may still try other accounts, up to the address limit.
        lockout.begin("account:b", ip("6.6.6.6")).unwrap().fail();
    }

    #[test]
    fn attempts_in_flight_count_so_concurrent_guesses_stop_at_the_limit() {
        let lockout = Lockout::default();
        let held: Vec<_> = (0..PAIR_FAILURES)
            .map(|_| lockout.begin("account:a", ip("6.6.6.6")).unwrap())
            .collect();
        assert_eq!(
            lockout.begin("account:a", ip("6.6.6.6")).err(),
            Some(IN_FLIGHT_RETRY)
        );
        // One ends without a check: its slot is free again.
        let mut held = held.into_iter();
        held.next().unwrap().release();
        let again = lockout.begin("account:a", ip("6.6.6.6")).unwrap();
        // Dropped unfinished, the attempts count as failures.
        drop(again);
        drop(held);
        assert!(lockout.begin("account:a", ip("6.6.6.6")).err().unwrap() > 60);
    }

    #[test]
    fn a_success_forgives_the_pair_and_many_accounts_lock_the_address() {
        let lockout = Lockout::default();
        for _ in 0..PAIR_FAILURES - 1 {
            lockout.begin("account:a", ip("192.0.2.7")).unwrap().fail();
        }
        lockout
            .begin("account:a", ip("192.0.2.7"))
            .unwrap()
            .succeed();
        for _ in 0..PAIR_FAILURES - 1 {
            lockout.begin("account:a", ip("192.0.2.7")).unwrap().fail();
        }
        assert!(lockout.begin("account:a", ip("192.0.2.7")).is_ok());

        let stuffing = Lockout::default();
        for n in 0..ADDRESS_FAILURES {
            stuffing
                .begin(&format!("account:{n}"), ip("6.6.6.6"))
                .unwrap()
                .fail();
        }
        assert!(stuffing.begin("account:new", ip("6.6.6.6")).is_err());
        assert!(stuffing.begin("account:new", ip("192.0.2.7")).is_ok());
    }
}
