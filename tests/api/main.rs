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
mod credentials;
mod deal_weights;
mod exact_figures;
mod export;
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
mod paging;
mod plans;
mod processes;
mod protocol;
mod responses;
mod roles;
mod scale_seed;
mod schema;
mod scoring;
mod shared_subscriptions;
mod shutdown;
mod stored_figures;
mod tenancy;
mod time_limit;
mod triggers;
mod workspaces;
mod writes;
mod ws;
mod ws_limits;
