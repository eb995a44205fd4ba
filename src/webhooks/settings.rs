//! Webhook delivery's settings, flags and environment variables like the
//! rest of [`crate::config::Config`].

use std::time::Duration;

use rapport_core::webhooks::RetryPolicy;

/// How webhooks are delivered.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookSettings {
    /// Lets webhooks reach loopback, private and link-local addresses (for tests and
    /// development only: it lets endpoints call into the server's own network).
    #[arg(
        long = "webhook-allow-private",
        env = "RAPPORT_WEBHOOK_ALLOW_PRIVATE",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub allow_private: bool,

    /// How long a receiver may take to answer, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "RAPPORT_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub timeout_ms: u64,

    /// The wait after a first failed attempt, in milliseconds; it doubles with each failure
    /// (with jitter, at most an hour).
    #[arg(
        long = "webhook-backoff-base-ms",
        env = "RAPPORT_WEBHOOK_BACKOFF_BASE_MS",
        default_value_t = 5_000
    )]
    pub backoff_base_ms: u64,

    /// How long an event may keep failing before its endpoint is disabled, in seconds (3 days).
    #[arg(
        long = "webhook-give-up-seconds",
        env = "RAPPORT_WEBHOOK_GIVE_UP_SECONDS",
        default_value_t = 3 * 86_400
    )]
    pub give_up_seconds: u64,

    /// Endpoints this instance delivers to at once (each in its own task).
    #[arg(
        long = "webhook-concurrency",
        env = "RAPPORT_WEBHOOK_CONCURRENCY",
        default_value_t = 32
    )]
    pub concurrency: usize,

    /// How often endpoints are checked for work besides when events arrive, in milliseconds.
    #[arg(
        long = "webhook-poll-ms",
        env = "RAPPORT_WEBHOOK_POLL_MS",
        default_value_t = 1_000
    )]
    pub poll_ms: u64,
}

impl WebhookSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.max(1))
    }

    /// The retry policy. A lease outlasts two full timeouts, so a live
    /// instance never loses an endpoint in the middle of an attempt.
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            backoff_base: Duration::from_millis(self.backoff_base_ms.max(1)),
            backoff_max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(self.give_up_seconds),
            lease: self.timeout() * 2 + Duration::from_secs(1),
        }
    }
}
