//! The time the server acts at. Normally the system clock; a test (or a
//! demo) can give the server a manual clock and move it, so that anything
//! that depends on time (stage durations, sales cycles, triggers, scores) is
//! tested at exact instants rather than by sleeping.
//!
//! Request handling runs inside [`scope`], so code deep in a resolver asks
//! [`now`] without passing the clock around; outside a scope it is the
//! system clock.

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// The system clock, or a manual one shared by everything that cloned it.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::System"),
            Some(_) => write!(f, "Clock::Manual({})", self.now()),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `at` until it is set or advanced.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }

    /// Moves a manual clock to `at` (the system clock ignores it).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(current) = &self.0 {
            *current
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
        }
    }

    /// Moves a manual clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

tokio::task_local! {
    static CURRENT: Clock;
}

/// Runs `work` with `clock` as the time source of [`now`].
pub async fn scope<F: Future>(clock: Clock, work: F) -> F::Output {
    CURRENT.scope(clock, work).await
}

/// The clock of the running task's scope, for work it spawns.
pub fn current() -> Clock {
    CURRENT.try_with(Clock::clone).unwrap_or_default()
}

/// The time of the running request (its server's clock), else the system's.
pub fn now() -> DateTime<Utc> {
    CURRENT.try_with(Clock::now).unwrap_or_else(|_| Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_rules_inside_its_scope_only() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::manual(at);
        assert_eq!(scope(clock.clone(), async { now() }).await, at);
        clock.advance(Duration::days(2));
        assert_eq!(scope(clock, async { now() }).await, at + Duration::days(2));
        assert!(now() > at + Duration::days(300));
    }
}
