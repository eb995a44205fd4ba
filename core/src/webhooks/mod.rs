//! Webhook delivery's bookkeeping, without HTTP: which events an endpoint
//! wants ([`filter`]), the message a receiver gets ([`message`]), which
//! instance delivers to which endpoint ([`lease`]) and what an attempt's
//! outcome does to the endpoint ([`outcome`]). The server's worker sends the
//! requests; endpoints are managed through [`crate::ops::webhook`].
//!
//! Each endpoint has its own cursor into the workspace's outbox and is
//! delivered to by one instance at a time, in cursor order: the next event
//! goes only once the previous one was answered 2xx, or after the failing
//! one was retried until the endpoint was disabled.

pub mod filter;
pub mod lease;
pub mod message;
pub mod outcome;
pub mod target;

use std::time::Duration;

/// How delivery retries and leases behave.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each further one.
    pub backoff_base: Duration,
    /// The longest wait between two attempts.
    pub backoff_max: Duration,
    /// How long an event may keep failing before the endpoint is disabled.
    pub give_up_after: Duration,
    /// How long a claimed endpoint stays with its instance without news.
    pub lease: Duration,
}
