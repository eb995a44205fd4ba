//! Integration tests: the real server on 127.0.0.1:0, real HTTP, real
//! SQLite and PostgreSQL. One binary, so the PostgreSQL cluster starts once.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod access_invariants;
mod analytics;
mod auth_hardening;
mod charts;
mod cli;
mod clients;
mod fast_reads;
mod faults;
mod figures;
mod fixtures;
mod fuzz;
mod helpers;
mod history;
mod hostile;
mod http;
mod idempotency;
mod input_limits;
mod insight;
mod limits;
mod lists;
mod live;
mod migrations;
mod nested;
mod processes;
mod protocol;
mod roles;
mod scale_seed;
mod schema;
mod scoring;
mod shared_subscriptions;
mod shutdown;
mod tenancy;
mod triggers;
mod writes;
mod ws;
mod ws_limits;
