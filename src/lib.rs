//! Rapport: a CRM server whose whole interface is GraphQL.
//!
//! # Layout
//!
//! - [`config`]: the one `Config`, every field a flag and an environment variable.
//! - [`app`]: builds the router and shared state; `main` and the tests both start an [`app::App`].
//! - [`db`]: connecting, migrating, and counting SQL statements for `/metrics`.
//! - [`auth`]: signed bearer tokens and the request's [`auth::Actor`].
//! - [`graphql`]: the schema, one module per domain, and the per-level loaders that keep nested
//!   queries at one SQL statement per level; `guard` and `bounds` refuse hostile documents
//!   before anything recursive reads them.
//! - [`domain`]: rules that are not GraphQL (validation, normalisation, money), plain functions.
//! - [`events`]: the outbox writer and the bus that carries events to subscribers.
//! - [`http`]: the HTTP handlers around the schema (`/graphql`, health, metrics), idempotency
//!   keys, rate limits and the client address behind trusted proxies.
//! - [`ws`]: GraphQL over websockets (`graphql-transport-ws` and the legacy `graphql-ws`), with
//!   shared subscriptions and per-socket and per-member limits.
//! - [`clock`]: the time the server acts at (the system clock, or a manual one in tests).
//! - [`seed`]: the deterministic demo workspace.
//! - [`graphiql`]: GraphiQL served from the binary, so it works offline.
//! - [`metrics`]: the counters `/metrics` exposes.
//! - [`runtime`]: the tokio runtime servers run on.

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod runtime;
pub mod seed;
pub mod ws;
