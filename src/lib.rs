//! Rapport: a CRM server whose whole interface is GraphQL.
//!
//! # Layout
//!
//! The CRM itself (store, rules, events, value rules) is the `rapport-core`
//! crate in `core/`, which depends on neither async-graphql nor axum. This
//! crate is its doors: GraphQL over HTTP and websockets, the CLI and seed.
//! `clock`, `domain`, `events` and `metrics` are the core's, re-exported
//! under the names this crate always used.
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

// The modules of the core crate, under the names the API crate always used.
pub use rapport_core::{clock, domain, events, metrics};

pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod runtime;
pub mod seed;
pub mod services;
pub mod state;
pub mod ws;
