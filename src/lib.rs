//! Rapport: a CRM server whose whole interface is GraphQL.
//!
//! # Layout
//!
//! The CRM itself is the `rapport-core` crate in `core/`, which depends on
//! neither async-graphql nor axum: the store, the operations per domain,
//! the rules (figures, scoring, triggers), events, value rules, the clock
//! and counters. This crate is its doors; `clock`, `domain`, `events` and
//! `metrics` are the core's, re-exported under the names this crate always
//! used.
//!
//! - [`config`]: the one `Config`, every field a flag and an environment variable.
//! - [`services`]: what resolvers share (the core, the event feed, credentials, configuration).
//! - [`state`]: what the HTTP and websocket doors share (the services plus the server's machinery).
//! - [`app`]: assembles the state, schema, router and listener; `main` and the tests
//!   start an [`app::App`]. Nothing below it imports it.
//! - [`db`]: connecting, migrating, and counting SQL statements for `/metrics`.
//! - [`telemetry`]: traces over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
//! - [`auth`]: signed bearer tokens, the credential cache, lockouts and password hashing.
//! - [`graphql`]: the schema, a folder per domain whose resolvers call one core operation
//!   each, and the per-level loaders that keep nested queries at one SQL statement per
//!   level; `guard` and `bounds` refuse hostile documents before anything recursive reads them,
//!   and `completion` gives every answer the spec's shape (query order, failed fields null).
//! - [`http`]: the HTTP handlers around the schema (`/graphql`, health, metrics, document
//!   downloads at `/files/…`), idempotency keys, rate limits and the client address behind
//!   trusted proxies.
//! - [`ws`]: GraphQL over websockets (`graphql-transport-ws` and the legacy `graphql-ws`), with
//!   shared subscriptions and per-socket and per-member limits.
//! - [`cli`]: the `export` and `workspace` commands, on the same operations as the API.
//! - [`import`]: the `import` command (CSV or JSON Lines through the core's import engine).
//! - [`export`]: every row of a list as CSV or JSON Lines, streamed (`/export/…`, `rapport export`).
//! - [`operator`]: the operator credential that provisions workspaces.
//! - [`seed`]: the deterministic demo workspace, written through the core's operations.
//! - [`graphiql`]: GraphiQL served from the binary, so it works offline.
//! - [`board`]: the live board (`/board`), a browser app on the public API, served from the binary.
//! - [`embedded`]: serving the files compiled into the binary, by name.
//! - [`runtime`]: the tokio runtime servers run on.
//! - [`webhooks`]: delivery of the outbox to webhook endpoints: signing, the HTTP client, the worker.

// The modules of the core crate, under the names the API crate always used.
pub use rapport_core::{clock, domain, events, metrics};

pub mod app;
pub mod auth;
pub mod board;
pub mod cli;
pub mod config;
pub mod db;
pub mod embedded;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod import;
pub mod operator;
pub mod runtime;
pub mod seed;
pub mod services;
pub mod state;
pub mod telemetry;
pub mod webhooks;
pub mod ws;
