//! Webhooks: the outbox delivered to the endpoints a workspace's ADMIN
//! registered, signed per Standard Webhooks, at least once, in cursor order
//! per endpoint, by exactly one instance at a time per endpoint. The
//! bookkeeping (filters, leases, retries, disabling) is the core's
//! `webhooks`; this is the HTTP side and the worker.

mod sender;
mod settings;
pub mod sign;
pub mod worker;

pub use sender::Sender;
pub use settings::WebhookSettings;
