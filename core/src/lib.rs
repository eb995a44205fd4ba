//! Rapport's CRM without its doors: everything a write or a figure needs,
//! and nothing of GraphQL or HTTP (this crate depends on neither, so the
//! compiler keeps the boundary). The API crate, the demo seed, background
//! jobs and importers all call the same operations here.
//!
//! # Layout
//!
//! - [`error`]: the one error type, [`CoreError`], in terms a client can act on.
//! - [`access`]: the [`access::Actor`] a change is made by, what each role may change, and what it reads ([`access::Sight`]: visibility per role).
//! - [`Kind`]: the kinds of record, by their API type name.
//! - [`domain`]: value rules (validation, normalisation, money), plain functions.
//! - [`events`]: the outbox writer, history, and the bus that carries events to subscribers.
//! - [`files`]: the store of document files (a directory or an S3-compatible bucket).
//! - [`clock`]: the time the server acts at (the system clock, or a manual one in tests).
//! - [`store`]: the [`store::Core`] handle, record tables, transactions and the one commit
//!   sequence, the version-guarded write, dense numbering, the Idempotency-Key claim.
//! - [`import`]: rows of CSV or JSON Lines files written with their history, batch by batch.
//! - [`ops`]: the operations per domain, `(core, actor, command) -> CoreResult<output>`.
//! - [`rules`]: lead scoring and triggers, run inside a write's transaction; figures,
//!   analytics and co-purchase affinity in SQL.
//! - [`search`]: one ranked search over the searchable records (trigram indexes; on PostgreSQL, search documents kept by triggers).
//! - [`metrics`]: the process counters `/metrics` exposes.
//! - [`redis_link`]: Redis as one server or a cluster, behind one connection type.
//! - [`tls`]: the process's TLS crypto provider (rustls on ring).
//! - [`webhooks`]: what delivery to webhook endpoints records: filters, messages, leases, retries.

pub mod access;
pub mod clock;
pub mod domain;
pub mod error;
pub mod events;
pub mod files;
pub mod import;
mod kind;
pub mod metrics;
pub mod ops;
pub mod redis_link;
pub mod rules;
pub mod search;
pub mod store;
pub mod tls;
pub mod webhooks;

pub use error::{CoreError, CoreResult};
pub use kind::Kind;
pub use store::Core;
