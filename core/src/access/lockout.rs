//! Locking out password guessing: in Redis when one is configured (every
//! instance counts the same attempts, see [`SharedCounters`]), otherwise in
//! memory, per process. When Redis does not answer, this process's own
//! counts apply meanwhile.
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

use super::shared_counters::{AttemptOutcome as Outcome, SharedCounters};

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
    shared: Option<SharedCounters>,
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
    /// Where the attempt is counted when that is Redis (else this process).
    shared: Option<SharedCounters>,
    ended: bool,
}

impl Lockout {
    /// A lockout counting in Redis, shared by every instance.
    pub fn shared(counters: SharedCounters) -> Self {
        Self {
            keys: Mutex::default(),
            shared: Some(counters),
        }
    }

    /// Reserves an attempt at `subject` (an account, an invitation) from
    /// `address`; `Err(seconds to wait)` while the pair or the address is
    /// locked, counting attempts in flight.
    pub async fn begin(&self, subject: &str, address: Option<IpAddr>) -> Result<Attempt<'_>, u64> {
        let keys = keys_for(subject, address);
        if let Some(shared) = &self.shared {
            match shared.reserve_attempt(&keys, WINDOW).await {
                Ok(Some(wait)) => return Err(wait),
                Ok(None) => {
                    return Ok(Attempt {
                        lockout: self,
                        keys,
                        shared: Some(shared.clone()),
                        ended: false,
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "login lockout: Redis did not answer, counting in this process");
                }
            }
        }
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
            shared: None,
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

/// The keys an attempt counts under, with their limits. The address is the
/// hash tag of both, so Redis Cluster keeps them in one slot (one script).
fn keys_for(subject: &str, address: Option<IpAddr>) -> Vec<(String, usize)> {
    let address = address.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    vec![
        (format!("{{{address}}}:pair:{subject}"), PAIR_FAILURES),
        (format!("{{{address}}}:address"), ADDRESS_FAILURES),
    ]
}

impl Attempt<'_> {
    /// The password was right: the pair's failures are forgotten.
    pub async fn succeed(mut self) {
        self.finish(Outcome::Succeeded).await;
    }

    /// The password (or code) was wrong.
    pub async fn fail(mut self) {
        self.finish(Outcome::Failed).await;
    }

    /// Nothing was checked (e.g. no hashing slot was free): no count.
    pub async fn release(mut self) {
        self.finish(Outcome::NotTried).await;
    }

    async fn finish(&mut self, outcome: Outcome) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        match &self.shared {
            Some(shared) => end_shared(shared, &self.keys, outcome).await,
            None => self.lockout.end(&self.keys, outcome),
        }
    }
}

async fn end_shared(shared: &SharedCounters, keys: &[(String, usize)], outcome: Outcome) {
    if let Err(error) = shared.end_attempt(keys, WINDOW, outcome).await {
        // The reservation lapses by itself; a failure goes uncounted.
        tracing::warn!(%error, "login lockout: Redis did not record an attempt's end");
    }
}

impl Drop for Attempt<'_> {
    /// Abandoned mid-check (an error, a cancelled request): a failure.
    fn drop(&mut self) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        match self.shared.take() {
            Some(shared) => {
                let keys = std::mem::take(&mut self.keys);
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { end_shared(&shared, &keys, Outcome::Failed).await });
                }
            }
            None => self.lockout.end(&self.keys, Outcome::Failed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    /// One attempt at `subject` from `address` that fails.
    async fn fail_once(lockout: &Lockout, subject: &str, address: &str) {
        lockout
            .begin(subject, ip(address))
            .await
            .unwrap()
            .fail()
            .await;
    }

    /// One attempt at `subject` from `address` that succeeds.
    async fn succeed_once(lockout: &Lockout, subject: &str, address: &str) {
        lockout
            .begin(subject, ip(address))
            .await
            .unwrap()
            .succeed()
            .await;
    }

    #[tokio::test]
    async fn the_fifth_failure_locks_the_pair_but_not_the_member_elsewhere() {
        let lockout = Lockout::default();
        for _ in 0..PAIR_FAILURES {
            fail_once(&lockout, "account:a", "6.6.6.6").await;
        }
        let wait = lockout
            .begin("account:a", ip("6.6.6.6"))
            .await
            .err()
            .unwrap();
        assert!(wait > 60, "locked for the window, not a moment: {wait}");
        // The member, from their own address, is not locked out.
        succeed_once(&lockout, "account:a", "192.0.2.7").await;
        // The stranger may still try other accounts, up to the address limit.
        fail_once(&lockout, "account:b", "6.6.6.6").await;
    }

    #[tokio::test]
    async fn attempts_in_flight_count_so_concurrent_guesses_stop_at_the_limit() {
        let lockout = Lockout::default();
        let mut held = Vec::new();
        for _ in 0..PAIR_FAILURES {
            held.push(lockout.begin("account:a", ip("6.6.6.6")).await.unwrap());
        }
        assert_eq!(
            lockout.begin("account:a", ip("6.6.6.6")).await.err(),
            Some(IN_FLIGHT_RETRY)
        );
        // One ends without a check: its slot is free again.
        let mut held = held.into_iter();
        held.next().unwrap().release().await;
        let again = lockout.begin("account:a", ip("6.6.6.6")).await.unwrap();
        // Dropped unfinished, the attempts count as failures.
        drop(again);
        drop(held);
        assert!(
            lockout
                .begin("account:a", ip("6.6.6.6"))
                .await
                .err()
                .unwrap()
                > 60
        );
    }

    #[tokio::test]
    async fn a_success_forgives_the_pair_and_many_accounts_lock_the_address() {
        let lockout = Lockout::default();
        for _ in 0..PAIR_FAILURES - 1 {
            fail_once(&lockout, "account:a", "192.0.2.7").await;
        }
        succeed_once(&lockout, "account:a", "192.0.2.7").await;
        for _ in 0..PAIR_FAILURES - 1 {
            fail_once(&lockout, "account:a", "192.0.2.7").await;
        }
        assert!(lockout.begin("account:a", ip("192.0.2.7")).await.is_ok());

        let stuffing = Lockout::default();
        for n in 0..ADDRESS_FAILURES {
            fail_once(&stuffing, &format!("account:{n}"), "6.6.6.6").await;
        }
        assert!(stuffing.begin("account:new", ip("6.6.6.6")).await.is_err());
        assert!(stuffing.begin("account:new", ip("192.0.2.7")).await.is_ok());
    }
}
